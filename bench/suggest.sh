#!/usr/bin/env bash
# Suggestions for residents' orders (送菜) at city scale: a demo district
# with N volunteers (default 50,000) in a fresh SQLite database (or
# PostgreSQL with BENCH_DB=postgresql://…), orders across the stations'
# communities and three held by the root (every volunteer in scope), then
# wrk on GET /api/v1/orders/{id}/suggestions. Target: p99 under 50 ms.
# Usage: bench/suggest.sh [N] [DURATION_SECONDS]; BENCH_CONNECTIONS ("1 4": one
# dispatcher, then a few at once; a list runs each on the same database),
# BENCH_RUNS (3). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50000}
dur=${2:-10}
conns=${BENCH_CONNECTIONS:-1 4}
runs=${BENCH_RUNS:-3}
bin=${ZHIYUAN_BIN:-build/zhiyuan}
dir=$(mktemp -d /tmp/zhiyuan-suggest-XXXXXX)
export ZHIYUAN_ADMIN_PASSWORD=bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
db=${BENCH_DB:-sqlite:$dir/suggest.db}
pid=0
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
"$bin" demo --db "$db" --key-file "$dir/key" --volunteers "$n" --records "${BENCH_RECORDS:-20000}" --log-level warn >/dev/null
# a loaded PostgreSQL database is vacuumed and analysed before it serves,
# as autovacuum would do in time (index-only scans need the visibility map)
case $db in postgresql*) psql -X -q "$db" -c 'VACUUM ANALYZE' 2>/dev/null || true ;; esac
"$bin" serve --db "$db" --key-file "$dir/key" --listen 127.0.0.1:0 --access-log "$dir/access.log" \
  --log-level warn >"$dir/out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -qs listening "$dir/out" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$dir/out" | head -1)
node bench/suggest-setup.mjs "$url" "$ZHIYUAN_ADMIN_PASSWORD" >"$dir/setup.json"
token=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).token)' "$dir/setup.json")
node -e '
const d = JSON.parse(require("fs").readFileSync(process.argv[1]));
require("fs").writeFileSync(process.argv[2], `orders = {${d.orders.join(",")}}\n`);
console.log(`${d.orders.length} orders; candidates read per order: ${d.candidates.join(" ")}`);' "$dir/setup.json" "$dir/orders.lua"
for c in $conns; do
  echo "backend: ${db%%:*}; $n volunteers; wrk -t1 -c$c -d${dur}s; $runs runs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for r in $(seq 1 "$runs"); do
    printf 'run %d: %s\n' "$r" "$(BENCH_DATA=$dir/orders.lua wrk -t1 -c"$c" -d"${dur}s" --latency -s bench/suggest.lua \
      -H "Authorization: Bearer $token" "$url" | grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors' | tr -s ' ' | paste -sd' ')"
  done
done
