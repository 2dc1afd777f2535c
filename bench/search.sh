#!/usr/bin/env bash
# Search latency at district scale: loads a synthetic district with
# N volunteers (default 100,000) into a fresh SQLite database, then runs
# bench/search.lua with wrk against GET /api/v1/volunteers and prints
# req/s and latency percentiles. Also times importing N people from CSV.
# Usage: bench/search.sh [N] [DURATION_SECONDS]. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
dur=${2:-10}
bin=${ZHIYUAN_BIN:-build/zhiyuan}
dir=$(mktemp -d /tmp/zhiyuan-search-XXXXXX)
pw=bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
pid=0
export ZHIYUAN_ADMIN_PASSWORD=$pw

"$bin" demo --csv "$dir/people.csv" --count "$n"
"$bin" migrate --db "sqlite:$dir/import.db" --log-level warn >/dev/null
start=$(date +%s.%N)
"$bin" import volunteers "$dir/people.csv" --org 1 --db "sqlite:$dir/import.db" --log-level warn >"$dir/report.json"
end=$(date +%s.%N)
printf 'import of %d volunteers from CSV (SQLite, synchronous=FULL): %.2f s\n' "$n" "$(echo "$end - $start" | bc)"

"$bin" demo --db "sqlite:$dir/demo.db" --volunteers "$n" --log-level warn >/dev/null
"$bin" serve --db "sqlite:$dir/demo.db" --listen 127.0.0.1:0 --access-log "$dir/access.log" \
  --log-level warn >"$dir/out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q listening "$dir/out" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$dir/out" | head -1)
curl -s -D "$dir/h" -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$pw\"}" "$url/api/v1/sessions" >"$dir/login"
cookie=$(grep -io 'zy_session=[^;]*' "$dir/h")
csrf=$(sed -E 's/.*"csrf_token":"([^"]+)".*/\1/' "$dir/login")
token=$(curl -s -H 'Content-Type: application/json' -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" \
  -d '{"name":"bench"}' "$url/api/v1/tokens" | sed -E 's/.*"token":"([^"]+)".*/\1/')
echo "search over $n volunteers: wrk -t1 -c${BENCH_CONNECTIONS:-16} -d${dur}s, bench/search.lua"
wrk -t1 -c"${BENCH_CONNECTIONS:-16}" -d"${dur}s" --latency -s bench/search.lua \
  -H "Authorization: Bearer $token" "$url" | grep -E 'Requests/sec|Latency|50%|90%|99%|Non-2xx|errors'
