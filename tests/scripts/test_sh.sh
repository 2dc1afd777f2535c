#!/usr/bin/env bash
# Tests scripts/test.sh itself: a suite that fails, crashes, runs no test,
# skips a test without leave or cannot run must count as failed; an allowed
# skip and a passing suite must not; "# count:" lines reach the summary;
# a unit test that meson declares but was not built fails; a fuzz target
# that reports no runs fails (scripts/fuzz.sh).
# Runs fake suites (printf of cmocka and TAP output) through run_suite and
# prints its result the way cmocka does, so test.sh can count it.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ZHIYUAN_TEST_LOGS=$tmp/logs ZHIYUAN_SKIPS_ALLOWED=$tmp/allowed.txt ZHIYUAN_TEST_SH_LIB=1
mkdir -p "$ZHIYUAN_TEST_LOGS"
# shellcheck source=scripts/test.sh
. scripts/test.sh
# (passed, failed, skipped and logs are test.sh's; run_suite sets them)
# shellcheck disable=SC2034,SC2154

ok=0
bad=0
# expect NAME WANT_FAILED WANT_PASSED OUTPUT_PATTERN -- KIND COMMAND...: runs
# one suite from zero and checks the counts it added and what it printed
expect() {
  local name=$1 want_f=$2 want_p=$3 pattern=$4; shift 5
  passed=0 failed=0 skipped=0
  rm -f "$logs/failures.txt"
  local out
  out=$(run_suite "$name" "$@"; echo "counts $passed $failed")
  local got_p got_f
  read -r _ got_p got_f <<<"$(tail -n 1 <<<"$out")"
  if [ "$got_f" = "$want_f" ] && [ "$got_p" = "$want_p" ] && grep -qE -- "$pattern" <<<"$out"; then
    ok=$((ok + 1))
    echo "[       OK ] $name"
  else
    bad=$((bad + 1))
    echo "[  FAILED  ] $name: wanted $want_p passed, $want_f failed and /$pattern/; got:"
    echo "$out"
  fi
}

tap() {   # a node --test summary: pass fail skipped todo, then extra lines
  local p=$1 f=$2 s=$3 t=$4; shift 4
  printf '%s\n' "TAP version 13" "$@" "1..1" "# tests $((p + f + s + t))" "# suites 0" "# pass $p" "# fail $f" \
    "# cancelled 0" "# skipped $s" "# todo $t"
}
export -f tap

: >"$ZHIYUAN_SKIPS_ALLOWED"
expect cmocka-passes 0 3 '3 passed, 0 failed, 0 skipped' -- \
  cmocka bash -c 'echo "[  PASSED  ] 2 test(s)."; echo "[  PASSED  ] 1 test(s)."'
expect cmocka-fails 1 2 '2 passed, 1 failed' -- \
  cmocka bash -c 'echo "[  PASSED  ] 2 test(s)."; echo "[  FAILED  ] 1 test(s), listed below:"; exit 1'
expect crash-before-summary 1 0 '0 passed, 1 failed' -- cmocka bash -c 'kill -SEGV $$'
expect no-test-at-all 1 0 'ran no test' -- cmocka true
expect no-binaries 1 0 '0 passed, 1 failed' -- cmocka unit "$tmp/empty-build"
# (what a suite printed is in its log)
logsays() {   # name pattern
  if grep -qE -- "$2" "$logs/$1.log"; then ok=$((ok + 1)); else bad=$((bad + 1)); echo "[  FAILED  ] $1: its log lacks /$2/"; fi
}
logsays no-binaries 'meson declares no unit test'
# unit runs what meson.build declares: a declared test that was not built
# fails, even when others ran (a real meson project, set up, not built)
mkdir -p "$tmp/proj"
printf '%s\n' "project('fake', 'c')" "test('test_a', find_program('test_a.sh'))" \
  "test('test_b', executable('test_b', 'test_b.c'))" >"$tmp/proj/meson.build"
printf '%s\n' '#!/bin/sh' 'echo "[  PASSED  ] 1 test(s)."' >"$tmp/proj/test_a.sh"
chmod +x "$tmp/proj/test_a.sh"
printf '%s\n' '#include <stdio.h>' 'int main(void) { puts("[  PASSED  ] 2 test(s)."); return 0; }' >"$tmp/proj/test_b.c"
if meson setup "$tmp/proj/build" "$tmp/proj" >"$tmp/setup.log" 2>&1; then
  expect unit-missing-binary 1 1 '1 passed, 1 failed' -- cmocka unit "$tmp/proj/build"
  logsays unit-missing-binary 'test_b is declared in meson.build but was not built'
  ninja -C "$tmp/proj/build" >/dev/null 2>&1
  expect unit-all-built 0 3 '3 passed, 0 failed' -- cmocka unit "$tmp/proj/build"
else
  bad=$((bad + 1)); echo "[  FAILED  ] meson setup of the fake project:"; cat "$tmp/setup.log"
fi

# scripts/fuzz.sh's verdict on a target's log: no runs reported is a failure
# shellcheck source=scripts/fuzz.sh
ZHIYUAN_FUZZ_SH_LIB=1 . scripts/fuzz.sh
fuzzlog() { printf '%s\n' "#1 INITED cov: 12 ft: 13" "$@" >"$tmp/fuzz.log"; }
export -f fuzz_verdict
fuzzlog 'stat::number_of_executed_units: 5000' 'stat::average_exec_per_sec:     83'
expect fuzz-runs 0 1 'fuzz_json +5000 runs in 60 s' -- cmocka fuzz_verdict json "$tmp/fuzz.log" 0 60
fuzzlog 'stat::average_exec_per_sec:     0'
expect fuzz-no-runs 1 0 'FAILED after \? runs \(no runs reported\)' -- cmocka fuzz_verdict json "$tmp/fuzz.log" 0 60
fuzzlog 'stat::number_of_executed_units: 0'
expect fuzz-zero-runs 1 0 'FAILED after 0 runs \(no runs reported\)' -- cmocka fuzz_verdict json "$tmp/fuzz.log" 0 60
fuzzlog 'stat::number_of_executed_units: 5000' '==1==ERROR: AddressSanitizer: heap-buffer-overflow'
expect fuzz-sanitizer 1 0 'FAILED after 5000 runs \(exit 0\)' -- cmocka fuzz_verdict json "$tmp/fuzz.log" 0 60
fuzzlog 'stat::number_of_executed_units: 5000'
expect fuzz-exit 1 0 'FAILED after 5000 runs \(exit 77\)' -- cmocka fuzz_verdict json "$tmp/fuzz.log" 77 60
expect cmocka-skip 1 1 'skipped without a line .*: needs_postgresql' -- \
  cmocka bash -c 'printf "%s\n" "[  SKIPPED ] needs_postgresql" "[  PASSED  ] 1 test(s)." " 1 SKIPPED TEST(S)" "[  SKIPPED ] needs_postgresql"'
expect node-skip 1 4 'skipped without a line .*: the web console' -- \
  node bash -c 'tap 4 0 1 0 "ok 1 - the web console # SKIP web/dist not built"'
expect node-todo 1 4 'skipped without a line .*: later' -- node bash -c 'tap 4 0 0 1 "not ok 2 - later # TODO"'
expect node-fails 1 4 '4 passed, 1 failed' -- node bash -c 'tap 4 1 0 0; exit 1'
expect node-nothing 1 0 'ran no test' -- node bash -c 'tap 0 0 0 0'
expect node-exit-only 1 7 '7 passed, 1 failed' -- node bash -c 'tap 7 0 0 0; exit 1'
expect counts-shown 0 2 'count: crash-loop sqlite: 12 writes acknowledged' -- \
  node bash -c 'tap 2 0 0 0 "# \\# count: crash-loop sqlite: 12 writes acknowledged" "# count: matrix: 40 requests"'
expect counts-shown-cmocka 0 1 'count: fuzz json: 5000 runs' -- \
  cmocka bash -c 'echo "# count: fuzz json: 5000 runs"; echo "[  PASSED  ] 1 test(s)."'

# a skip with leave passes; without a reason the leave is no leave
printf '%s\n' '# suite | test | reason' 'api-* | the web console | web/dist is built by make web' >"$ZHIYUAN_SKIPS_ALLOWED"
expect api-sqlite 0 4 'skipped \(allowed\): the web console' -- \
  node bash -c 'tap 4 0 1 0 "ok 1 - the web console # SKIP web/dist not built"'
expect browser 1 4 'skipped without a line' -- node bash -c 'tap 4 0 1 0 "ok 1 - the web console # SKIP x"'
printf '%s\n' 'api-* | the web console |' >"$ZHIYUAN_SKIPS_ALLOWED"
expect api-postgresql 1 4 'skipped without a line' -- node bash -c 'tap 4 0 1 0 "ok 1 - the web console # SKIP x"'
if [ "$(allow_list_problems | wc -l)" -eq 1 ]; then ok=$((ok + 1)); else bad=$((bad + 1)); echo "[  FAILED  ] allow-list without reason"; fi
: >"$ZHIYUAN_SKIPS_ALLOWED"

# a suite that cannot run is a failure with its reason
passed=0 failed=0
out=$(suite_missing unit-asan "build-asan/zhiyuan is missing"; echo "counts $failed")
if grep -q 'not run: 1 failed' <<<"$out" && grep -q 'build-asan/zhiyuan is missing' <<<"$out" && [ "$(tail -n 1 <<<"$out")" = "counts 1" ]; then
  ok=$((ok + 1))
else
  bad=$((bad + 1)); echo "[  FAILED  ] suite_missing: $out"
fi

# a kind another suite adds may report two numbers only
count_twofold() { echo "5 0"; }
expect two-numbers 0 5 '5 passed, 0 failed, 0 skipped' -- twofold true

echo "[  PASSED  ] $ok test(s)."
if [ "$bad" -ne 0 ]; then
  echo "[  FAILED  ] $bad test(s), listed above"
  exit 1
fi
