#!/usr/bin/env bash
# Runs every suite and ends with one line "N passed, N failed":
#   unit (cmocka, store cases on SQLite and PostgreSQL), API on SQLite,
#   API on PostgreSQL, browser (playwright-core + Debian chromium), all of
#   them again against the ASan + UBSan build, and the banned-function
#   check. Logs go to build/test-logs/.
set -uo pipefail
cd "$(dirname "$0")/.."
logs=build/test-logs
mkdir -p "$logs"
passed=0
failed=0
rm -f "$logs/failures.txt"

note() { printf '%-28s %s\n' "$1" "$2"; }

# cmocka: sums "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)" lines
count_cmocka() {
  local log=$1 rc=$2 p f
  p=$(grep -oE '^\[  PASSED  \] [0-9]+' "$log" | awk '{s+=$NF} END {print s+0}')
  f=$(grep -oE '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s+=$(NF-1)} END {print s+0}')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed before reporting
  echo "$p $f"
}

# node --test: "# pass N" / "# fail N"
count_node() {
  local log=$1 rc=$2 p f
  p=$(grep -E '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
  f=$(grep -E '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
  c=$(grep -E '^# cancelled [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
  f=$((f + c))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  echo "$p $f"
}

run_suite() {   # name kind command...
  local name=$1 kind=$2; shift 2
  local log="$logs/$name.log"
  "$@" >"$log" 2>&1
  local rc=$?
  read -r p f < <(count_$kind "$log" $rc)
  passed=$((passed + p)); failed=$((failed + f))
  note "$name" "$p passed, $f failed"
  if [ "$f" -ne 0 ]; then
    {
      echo "---- failures in $log ----"
      grep -n -A 40 -E '^\s*not ok|\[  FAILED  \]|ERROR: AddressSanitizer|runtime error' "$log" | head -n 120
      echo "---- last lines of $log ----"
      tail -n 20 "$log"
      echo "----"
    } >>"$logs/failures.txt"
  fi
}

unit() {   # build dir
  local rc=0
  for t in "$1"/test_*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    "$t" || rc=1
  done
  return $rc
}

if [ -z "${ZHIYUAN_TEST_PG:-}" ]; then
  if ZHIYUAN_TEST_PG=$(scripts/pg-up.sh); then
    export ZHIYUAN_TEST_PG
  else
    echo "PostgreSQL is not available: its suites will fail" >&2
    export ZHIYUAN_TEST_PG=postgresql://zhiyuan:zhiyuan@127.0.0.1:5432/postgres
  fi
fi

run_suite banned-functions cmocka bash -c 'scripts/check-banned.sh && echo "[  PASSED  ] 1 test(s)."'
run_suite unit cmocka unit build
run_suite api-sqlite node env ZHIYUAN_TEST_BACKEND=sqlite node --test --test-concurrency=2 tests/api/
run_suite api-postgresql node env ZHIYUAN_TEST_BACKEND=postgresql node --test --test-concurrency=2 tests/api/
run_suite browser node node --test tests/browser/
run_suite fuzz cmocka scripts/fuzz.sh   # a test per libFuzzer target; "# count:" lines give the runs
if [ -d build-asan ]; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:fast_unwind_on_malloc=0
  run_suite unit-asan cmocka unit build-asan
  run_suite api-sqlite-asan node env ZHIYUAN_TEST_BACKEND=sqlite ZHIYUAN_BIN=build-asan/zhiyuan \
    node --test --test-concurrency=2 tests/api/
  run_suite api-postgresql-asan node env ZHIYUAN_TEST_BACKEND=postgresql ZHIYUAN_BIN=build-asan/zhiyuan \
    node --test --test-concurrency=2 tests/api/
  run_suite browser-asan node env ZHIYUAN_BIN=build-asan/zhiyuan node --test tests/browser/
fi

# CI shows only the end of what this prints, so the failures come last
[ -f "$logs/failures.txt" ] && cat "$logs/failures.txt"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
