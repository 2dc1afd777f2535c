#!/usr/bin/env bash
# `zhiyuan verify` over a chain of N approved service records (default
# 1,000,000) made by `zhiyuan demo --records N` in a fresh SQLite database
# (or BENCH_DB=postgresql://… for an empty PostgreSQL database). Prints the
# time of each of five walks and the median rate.
# Usage: bench/verify.sh [RECORDS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
bin=${ZHIYUAN_BIN:-build/zhiyuan}
dir=$(mktemp -d /tmp/zhiyuan-verify-XXXXXX)
trap 'rm -rf "$dir"' EXIT
export ZHIYUAN_ADMIN_PASSWORD=bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
db=${BENCH_DB:-sqlite:$dir/verify.db}
start=$(date +%s.%N)
"$bin" demo --db "$db" --key-file "$dir/key" --volunteers 20000 --records "$n" --log-level warn >/dev/null
printf 'demo with %d records: %.1f s\n' "$n" "$(echo "$(date +%s.%N) - $start" | bc)"
times=()
for i in 1 2 3 4 5; do
  start=$(date +%s.%N)
  out=$("$bin" verify --db "$db" --key-file "$dir/key" --log-level warn)
  t=$(echo "$(date +%s.%N) - $start" | bc)
  times+=("$t")
  printf 'verify %d: %s in %.2f s\n' "$i" "$out" "$t"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
printf 'median %.2f s = %.0f links/s\n' "$median" "$(echo "$n / $median" | bc -l)"
