#!/usr/bin/env bash
# Service-record benchmarks on a fresh SQLite database (or PostgreSQL with
# BENCH_DB=postgresql://…): single-record entry and batches of 50 over
# HTTP (every acknowledged record is on disk: synchronous=FULL), approval
# of the entered records (each joins the chain, the totals, star levels
# and the points ledger in one transaction) and the archive of a
# volunteer with 1,000 records (bench/verify.sh times
# `zhiyuan verify` over 1,000,000 links). Usage:
# bench/records.sh [DURATION_SECONDS]; BENCH_RUNS (3), BENCH_THREADS
# (server default). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-10}
bin=${ZHIYUAN_BIN:-build/zhiyuan}
dir=$(mktemp -d /tmp/zhiyuan-records-XXXXXX)
export ZHIYUAN_ADMIN_PASSWORD=bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
db=${BENCH_DB:-sqlite:$dir/records.db}
pid=0
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
"$bin" demo --db "$db" --key-file "$dir/key" --volunteers 20000 --log-level warn >/dev/null
"$bin" serve --db "$db" --key-file "$dir/key" --listen 127.0.0.1:0 --access-log "$dir/access.log" ${BENCH_THREADS:+--threads $BENCH_THREADS} \
  --log-level warn >"$dir/out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q listening "$dir/out" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$dir/out" | head -1)
node bench/records-setup.mjs "$url" "$ZHIYUAN_ADMIN_PASSWORD" 120 >"$dir/setup.json"
token=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).token)' "$dir/setup.json")
node -e '
const d = JSON.parse(require("fs").readFileSync(process.argv[1]));
const half = d.activities.length / 2;
const lua = (acts) => `activities = {${acts.join(",")}}\nvolunteers = {${d.volunteers.join(",")}}\n`;
require("fs").writeFileSync(process.argv[2] + "/single.lua", lua(d.activities.slice(0, half)));
require("fs").writeFileSync(process.argv[2] + "/batch.lua", lua(d.activities.slice(half)));
console.log(d.archiveVolunteer);' "$dir/setup.json" "$dir" >"$dir/archive_id"
archive=$(cat "$dir/archive_id")
report() { grep -E 'Requests/sec|99%|Non-2xx|Socket errors' | tr -s ' ' | paste -sd' '; }
# each phase runs three times on new (volunteer, activity) pairs: this
# machine kind is noisy, compare medians
runs=${BENCH_RUNS:-3}
echo "backend: ${db%%:*}; wrk -t1 -c16 -d${dur}s; $runs runs each"
for r in $(seq 1 "$runs"); do
  printf 'single record entry:     %s\n' "$(BENCH_START=$(( (r - 1) * 150000 )) BENCH_DATA=$dir/single.lua \
    wrk -t1 -c16 -d${dur}s --latency -s bench/record-single.lua -H "Authorization: Bearer $token" "$url" | report)"
done
for r in $(seq 1 "$runs"); do
  printf 'batch of 50 entry:       %s\n' "$(BENCH_START=$(( (r - 1) * 6000 )) BENCH_DATA=$dir/batch.lua \
    wrk -t1 -c16 -d${dur}s --latency -s bench/record-batch.lua -H "Authorization: Bearer $token" "$url" | report)"
done
for r in $(seq 1 "$runs"); do
  printf 'archive, 1,000 records (page of 50):  %s\n' "$(wrk -t1 -c16 -d${dur}s --latency \
    -H "Authorization: Bearer $token" "$url/api/v1/volunteers/$archive/archive?limit=50" | report)"
done
# approval: the records entered above, oldest first, one per request
node -e '
const [url, token, out] = process.argv.slice(1);
const ids = [];
(async () => {
  for (let cursor = ""; ;) {
    const r = await fetch(`${url}/api/v1/records?status=submitted&limit=200${cursor ? "&cursor=" + cursor : ""}`,
      { headers: { Authorization: "Bearer " + token } });
    const page = await r.json();
    ids.push(...page.items.map((x) => x.id));
    if (!page.next_cursor || ids.length >= 200000) break;
    cursor = page.next_cursor;
  }
  ids.sort((a, b) => a - b);
  require("fs").writeFileSync(out, `records = {${ids.join(",")}}\n`);
  console.log(ids.length);
})();' "$url" "$token" "$dir/approve.lua" >"$dir/approve_count"
printf 'submitted records to approve: %s\n' "$(cat "$dir/approve_count")"
for r in $(seq 1 "$runs"); do
  printf 'approval:                %s\n' "$(BENCH_START=$(( (r - 1) * 40000 )) BENCH_DATA=$dir/approve.lua \
    wrk -t1 -c16 -d${dur}s --latency -s bench/record-approve.lua -H "Authorization: Bearer $token" "$url" | report)"
done
