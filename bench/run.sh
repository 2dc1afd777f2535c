#!/usr/bin/env bash
# HTTP benchmarks with wrk on a fresh SQLite database: the bare /healthz
# and an authenticated GET /api/v1/me (session cookie, and bearer token).
# Usage: bench/run.sh [DURATION_SECONDS] (default 10). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-10}
conns=${BENCH_CONNECTIONS:-64}
bin=${ZHIYUAN_BIN:-build/zhiyuan}
dir=$(mktemp -d /tmp/zhiyuan-bench-XXXXXX)
pw=bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
ZHIYUAN_ADMIN_PASSWORD=$pw "$bin" serve --db "sqlite:$dir/bench.db" --listen 127.0.0.1:0 \
  --access-log "${BENCH_ACCESS_LOG:-$dir/access.log}" --log-level warn >"$dir/out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do grep -q listening "$dir/out" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$dir/out" | head -1)

login=$(curl -s -D "$dir/headers" -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$pw\"}" "$url/api/v1/sessions")
cookie=$(grep -io 'zy_session=[^;]*' "$dir/headers")
csrf=$(printf '%s' "$login" | sed -E 's/.*"csrf_token":"([^"]+)".*/\1/')
token=$(curl -s -H 'Content-Type: application/json' -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" \
  -d '{"name":"bench"}' "$url/api/v1/tokens" | sed -E 's/.*"token":"([^"]+)".*/\1/')

# One wrk run: prints "rps p99".
measure() {
  wrk -t1 -c"$conns" -d"${dur}s" --latency "$@" |
    awk '/Requests\/sec/ {r=$2} $1 == "99%" {p=$2} /Non-2xx|Socket errors/ {e=1}
         END {if (e) r = r "(errors!)"; print r, p}'
}

rounds=${BENCH_ROUNDS:-3}
labels=("GET /healthz" "GET /api/v1/me (cookie)" "GET /api/v1/me (bearer)")
declare -a results
# rounds interleave the endpoints so that drift of the machine hits all alike
for r in $(seq 1 "$rounds"); do
  results[0]+="$(measure "$url/healthz")"$'\n'
  results[1]+="$(measure -H "Cookie: $cookie" "$url/api/v1/me")"$'\n'
  results[2]+="$(measure -H "Authorization: Bearer $token" "$url/api/v1/me")"$'\n'
done

echo "zhiyuan bench: wrk -t1 -c$conns -d${dur}s x $rounds rounds (median), SQLite, $(nproc) cores, $(date -u +%F)"
for i in 0 1 2; do
  med=$(printf '%s' "${results[$i]}" | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}')
  all=$(printf '%s' "${results[$i]}" | awk '{printf "%s%s", (NR>1?", ":""), $1}')
  printf '%-26s %10s req/s  p99 %8s   (runs: %s)\n' "${labels[$i]}" ${med} "$all"
done
