#!/usr/bin/env bash
# `zhiyuan check-ledger` over N movements of the points ledger (default
# 10,000,000) made by `zhiyuan demo --movements N` in a fresh SQLite
# database (or BENCH_DB=postgresql://… for an empty PostgreSQL database).
# Prints the time to load and three timed checks.
# Usage: bench/ledger.sh [MOVEMENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000000}
bin=${ZHIYUAN_BIN:-build/zhiyuan}
dir=$(mktemp -d /tmp/zhiyuan-ledger-XXXXXX)
trap 'rm -rf "$dir"' EXIT
export ZHIYUAN_ADMIN_PASSWORD=bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
db=${BENCH_DB:-sqlite:$dir/ledger.db}
start=$(date +%s.%N)
"$bin" demo --db "$db" --key-file "$dir/key" --volunteers 20000 --movements "$n" --log-level warn >/dev/null
printf 'demo with %d movements: %.1f s\n' "$n" "$(echo "$(date +%s.%N) - $start" | bc)"
for i in 1 2 3; do
  start=$(date +%s.%N)
  out=$("$bin" check-ledger --db "$db" --key-file "$dir/key" --log-level warn)
  t=$(echo "$(date +%s.%N) - $start" | bc)
  printf 'check-ledger %d: %s in %.2f s (%.0f movements/s)\n' "$i" "$out" "$t" "$(echo "$n / $t" | bc -l)"
done
