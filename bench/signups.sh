#!/usr/bin/env bash
# The sign-up rush: many volunteers signing up for one popular shift at
# once (a city marathon's recruitment), over HTTP, every confirmation
# durable (SQLite synchronous=FULL; PostgreSQL with BENCH_DB=postgresql://…).
# Each run signs new people up for its own shift until the duration ends;
# afterwards the server is restarted and every shift is checked: what the
# database holds equals the 201s in the access log, and no shift holds
# more confirmed places than its capacity. Usage:
# bench/signups.sh [DURATION_SECONDS]; BENCH_RUNS (3), BENCH_CONNECTIONS
# (32), BENCH_WRK_THREADS (1: on a small machine wrk shares the cores), BENCH_VOLUNTEERS (150000), BENCH_CAPACITY (50000). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-5}
runs=${BENCH_RUNS:-3}
conns=${BENCH_CONNECTIONS:-32}
wt=${BENCH_WRK_THREADS:-1}
bin=${ZHIYUAN_BIN:-build/zhiyuan}
dir=$(mktemp -d /tmp/zhiyuan-signups-XXXXXX)
export ZHIYUAN_ADMIN_PASSWORD=bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
db=${BENCH_DB:-sqlite:$dir/signups.db}
pid=0
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
serve() {
  "$bin" serve --db "$db" --key-file "$dir/key" --listen 127.0.0.1:0 --access-log "$dir/access$1.log" \
    --log-level warn >"$dir/out$1" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do grep -q listening "$dir/out$1" && break; sleep 0.1; done
  url=$(grep -o 'http://[^ ]*' "$dir/out$1" | head -1)
}
"$bin" demo --db "$db" --key-file "$dir/key" --volunteers "${BENCH_VOLUNTEERS:-150000}" --log-level warn >/dev/null
serve 1
node bench/signups-setup.mjs "$url" "$ZHIYUAN_ADMIN_PASSWORD" "$runs" "${BENCH_CAPACITY:-50000}" >"$dir/setup.json"
token=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).token)' "$dir/setup.json")
shifts=$(node -e '
const d = JSON.parse(require("fs").readFileSync(process.argv[1]));
require("fs").writeFileSync(process.argv[2], `volunteers = {${d.volunteers.join(",")}}\n`);
console.log(d.shifts.join(" "));' "$dir/setup.json" "$dir/volunteers.lua")
report() { grep -E 'Requests/sec|99%|Non-2xx|Socket errors' | tr -s ' ' | paste -sd' '; }
echo "backend: ${db%%:*}; wrk -t$wt -c$conns -d${dur}s; $runs runs, one shift each"
for s in $shifts; do
  { cat "$dir/volunteers.lua"; echo "shift = $s"; } >"$dir/run.lua"
  printf 'sign-up rush (shift %s): %s\n' "$s" "$(BENCH_WRK_THREADS=$wt BENCH_DATA=$dir/run.lua wrk -t"$wt" -c"$conns" -d${dur}s --latency \
    -s bench/signup.lua -H "Authorization: Bearer $token" "$url" | report)"
done
kill $pid; wait $pid 2>/dev/null || true
# a new server process reads only what was committed
serve 2
for s in $shifts; do
  acked=$(grep -c "/shifts/$s/signups\" 201" "$dir/access1.log" || true)
  node -e '
const [url, token, id, acked] = process.argv.slice(1);
const h = { Authorization: "Bearer " + token };
const s = await (await fetch(`${url}/api/v1/shifts/${id}`, { headers: h })).json();
const list = (await (await fetch(`${url}/api/v1/shifts/${id}/signups`, { headers: h })).json()).items;
const conf = list.filter((g) => g.status === "confirmed").length, wait = list.filter((g) => g.status === "waitlisted").length;
const ok = list.length === Number(acked) && conf === s.confirmed && wait === s.waitlisted && conf <= s.capacity;
console.log(`shift ${id}: acknowledged ${acked}, stored ${list.length} (confirmed ${conf}/${s.capacity}, waitlisted ${wait}) ${ok ? "OK" : "MISMATCH"}`);
if (!ok) process.exit(1);' "$url" "$token" "$s" "$acked"
done
