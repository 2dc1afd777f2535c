#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*.c) in build-fuzz with clang,
# ASan and UBSan, and runs each for FUZZ_SECONDS (default 60), FUZZ_JOBS
# at a time (default 2), from the seeds in tests/fuzz/corpus/<target> with
# tests/fuzz/<target>.dict. Fails when any target crashes, leaks, trips a
# sanitizer or breaks one of its own checks. Prints the runs per target
# ("# count: fuzz_json 935964 runs in 60 s (15343/s), …") and one
# cmocka-style line per target for scripts/test.sh to count.
#   scripts/fuzz.sh               every target
#   scripts/fuzz.sh json table    some of them
# New inputs go to build-fuzz/corpus/<target> (kept between local runs);
# a crashing input is saved as build-fuzz/artifacts/<target>-crash-…:
# reproduce it with build-fuzz/fuzz_<target> <file>, then make it a unit
# test (tests/unit) before fixing the bug.
# Sourced with ZHIYUAN_FUZZ_SH_LIB=1 it only defines fuzz_verdict
# (tests/scripts/test_sh.sh uses that).
set -uo pipefail

# Judges one target's run from its log and exit status: prints its
# "# count:" line and one cmocka-style line; fails (1) when the run
# crashed, a sanitizer reported, or it reports no runs at all (a target
# that exits 0 having fuzzed nothing tested nothing).
fuzz_verdict() {   # target log rc seconds
  local t=$1 log=$2 rc=${3:-1} seconds=$4 runs rate cov why=
  runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log")
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | awk '{print $2}')
  # a sanitizer report that did not stop the run still fails it
  if [ "$rc" -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
    why="exit $rc"
  elif ! [[ $runs =~ ^[0-9]+$ ]] || [ "$runs" -eq 0 ]; then
    why="no runs reported"
  fi
  if [ -n "$why" ]; then
    printf '# count: fuzz_%-10s FAILED after %s runs (%s); log %s\n' "$t" "${runs:-?}" "$why" "$log"
    grep -E 'ERROR:|SUMMARY:|runtime error:|Test unit written to' "$log" | head -n 8
    echo "[  FAILED  ] 1 test(s)"
    return 1
  fi
  # "# count:" lines are what scripts/test.sh prints below the suite
  printf '# count: fuzz_%-10s %s runs in %s s (%s/s), coverage %s edges\n' "$t" "$runs" "$seconds" "$rate" "${cov:-?}"
  echo "[  PASSED  ] 1 test(s)."
}
[ -n "${ZHIYUAN_FUZZ_SH_LIB:-}" ] && return 0

cd "$(dirname "$0")/.." || exit 1
dir=${FUZZ_BUILD:-build-fuzz}
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-2}
all=(json query validate table xlsx multipart ids)
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${all[@]}"); fi

if [ ! -f "$dir/build.ninja" ]; then
  CC=clang meson setup "$dir" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
    --buildtype=debugoptimized >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; exit 1; }
  rm -f "$dir.setup.log"
fi
ninja -C "$dir" "${targets[@]/#/fuzz_}" >/dev/null || { ninja -C "$dir" "${targets[@]/#/fuzz_}"; exit 1; }
mkdir -p "$dir/artifacts" "$dir/logs"

# UBSan only reports by default: make it stop the run, like ASan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp

run_one() {   # target
  local t=$1 log="$dir/logs/$1.log"
  mkdir -p "$dir/corpus/$t"
  "$dir/fuzz_$t" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -dict="tests/fuzz/$t.dict" -artifact_prefix="$dir/artifacts/$t-" \
    "$dir/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
  echo $? >"$log.rc"
}

# FUZZ_JOBS at a time; each target gets the whole FUZZ_SECONDS
running=0
for t in "${targets[@]}"; do
  [ -x "$dir/fuzz_$t" ] || { echo "no such fuzz target: $t" >&2; exit 1; }
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

failed=0
for t in "${targets[@]}"; do
  log="$dir/logs/$t.log"
  fuzz_verdict "$t" "$log" "$(cat "$log.rc" 2>/dev/null || echo 1)" "$seconds" || failed=$((failed + 1))
done
echo "fuzz: ${#targets[@]} targets, $failed failed"
[ "$failed" -eq 0 ]
