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

run() {   # label, extra wrk args...
  local label=$1; shift
  local out
  out=$(wrk -t1 -c"$conns" -d"${dur}s" --latency "$@")
  local rps p99
  rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')
  local errs
  errs=$(printf '%s\n' "$out" | grep -E 'Non-2xx|Socket errors' || true)
  printf '%-34s %12s req/s   p99 %8s   %s\n' "$label" "$rps" "$p99" "$errs"
}

echo "zhiyuan bench: wrk -t1 -c$conns -d${dur}s, SQLite, $(nproc) cores, $(date -u +%F)"
run "GET /healthz" "$url/healthz"
run "GET /api/v1/me (cookie)" -H "Cookie: $cookie" "$url/api/v1/me"
run "GET /api/v1/me (bearer)" -H "Authorization: Bearer $token" "$url/api/v1/me"
