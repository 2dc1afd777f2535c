#!/usr/bin/env bash
# Love-supermarket benchmark: voucher redemption over HTTP on a fresh
# SQLite database (or BENCH_DB=postgresql://…), every redemption moving
# stock and points in one fsync'd transaction. 20,000 vouchers are issued
# first (timed), then redeemed under wrk -t1 -c16 until they run out or
# the duration ends; later requests for used vouchers are 409s and are
# not counted. Usage: bench/market.sh [DURATION_SECONDS]. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-5}
n=${BENCH_VOUCHERS:-20000}
bin=${ZHIYUAN_BIN:-build/zhiyuan}
dir=$(mktemp -d /tmp/zhiyuan-market-XXXXXX)
export ZHIYUAN_ADMIN_PASSWORD=bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
db=${BENCH_DB:-sqlite:$dir/market.db}
pid=0
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
"$bin" demo --db "$db" --key-file "$dir/key" --volunteers 200 --log-level warn >/dev/null
"$bin" serve --db "$db" --key-file "$dir/key" --listen 127.0.0.1:0 --access-log "$dir/access.log" \
  --log-level warn >"$dir/out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q listening "$dir/out" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$dir/out" | head -1)
start=$(date +%s.%N)
node bench/market-setup.mjs "$url" "$ZHIYUAN_ADMIN_PASSWORD" "$n" >"$dir/setup.json"
printf 'issue %d vouchers (16 at a time, with 200 grants first): %.1f s\n' "$n" "$(echo "$(date +%s.%N) - $start" | bc)"
token=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).token)' "$dir/setup.json")
node -e '
const d = JSON.parse(require("fs").readFileSync(process.argv[1]));
require("fs").writeFileSync(process.argv[2], `store = ${d.store}\ngoods = ${d.goods}\ncodes = {${d.codes.map((c) => JSON.stringify(c)).join(",")}}\n`);' \
  "$dir/setup.json" "$dir/redeem.lua"
out=$(BENCH_DATA=$dir/redeem.lua wrk -t1 -c16 -d${dur}s --latency -s bench/voucher-redeem.lua -H "Authorization: Bearer $token" "$url")
echo "$out" | grep -E 'Requests/sec|99%|Non-2xx' | tr -s ' ' | paste -sd' '
kill $pid; wait $pid 2>/dev/null || true   # the access log is complete once the server has stopped
ok=$(grep -c '/redeem" 200' "$dir/access.log" || true)
printf 'redeemed: %s vouchers (%.0f per second over %s s)\n' "$ok" "$(echo "$ok / $dur" | bc -l)" "$dur"
"$bin" check-ledger --db "$db" --key-file "$dir/key" --log-level warn
