#!/usr/bin/env bash
# Runs every suite and ends with one line "N passed, N failed":
#   unit (cmocka, store cases on SQLite and PostgreSQL), API on SQLite,
#   API on PostgreSQL, browser (playwright-core + Debian chromium), all of
#   them again against the ASan + UBSan build, the banned-function check
#   and this script's own test. Logs go to build/test-logs/.
#
# A suite fails when a test fails, when it ran no test at all, when a test
# was skipped (or left as todo) without a line in tests/skips-allowed.txt,
# and when it cannot run (build-asan missing): nothing is dropped quietly.
# Each suite's line shows its passed, failed and skipped counts, and below
# it every "# count: ..." line its log holds (requests tried, refusals,
# fuzz runs, kills), so a suite can report what it did.
#
# Sourced with ZHIYUAN_TEST_SH_LIB=1 it only defines the functions
# (tests/scripts/test_sh.sh uses that).
set -uo pipefail

logs=${ZHIYUAN_TEST_LOGS:-build/test-logs}
allow_file=${ZHIYUAN_SKIPS_ALLOWED:-tests/skips-allowed.txt}
passed=0
failed=0
skipped=0

note() { printf '%-28s %s\n' "$1" "$2"; }

trim() {   # prints $1 without leading and trailing blanks
  local t=$1
  t=${t#"${t%%[![:space:]]*}"}
  printf '%s' "${t%"${t##*[![:space:]]}"}"
}

# cmocka: sums "[  PASSED  ] N test(s).", "[  FAILED  ] N test(s)" and
# " N SKIPPED TEST(S)" lines
count_cmocka() {
  local log=$1 rc=$2 p f s
  p=$(grep -oE '^\[  PASSED  \] [0-9]+' "$log" | awk '{s+=$NF} END {print s+0}')
  f=$(grep -oE '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s+=$(NF-1)} END {print s+0}')
  s=$(grep -oE '^ [0-9]+ SKIPPED TEST' "$log" | awk '{s+=$1} END {print s+0}')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed before reporting
  echo "$p $f $s"
}

# cmocka names each skipped test twice (where it ran, and in the summary)
skips_cmocka() {
  sed -nE 's/^\[  SKIPPED \] (.*)$/\1/p' "$1" | grep -vE '^[0-9]+ test\(s\)' | sort -u
}

# node --test: "# pass N" / "# fail N" / "# cancelled N" / "# skipped N" / "# todo N"
count_node() {
  local log=$1 rc=$2 p f c s
  p=$(grep -E '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
  f=$(grep -E '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
  c=$(grep -E '^# cancelled [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
  s=$(grep -E '^# (skipped|todo) [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
  f=$((f + c))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  echo "$p $f $s"
}

# TAP: "ok 3 - name # SKIP why" (a todo is a skip that may fail unseen)
skips_node() {
  sed -nE 's/^[[:space:]]*(not )?ok [0-9]+ - (.*) # (SKIP|TODO)([[:space:]].*)?$/\2/p' "$1" | sort -u
}

# Whether the allow-list lets suite skip test: lines "SUITE | TEST | REASON"
# (SUITE may be a glob such as api-*; '#' starts a comment).
skip_allowed() {
  local suite=$1 name=$2 s t why
  [ -f "$allow_file" ] || return 1
  while IFS='|' read -r s t why; do
    s=$(trim "$s") t=$(trim "$t") why=$(trim "$why")
    [ -z "$s" ] || [ "${s:0:1}" = '#' ] && continue
    [ -n "$why" ] || continue   # a leave without a reason is none
    # shellcheck disable=SC2053  # the suite column is a glob on purpose
    if [[ $suite == $s ]] && [ "$t" = "$name" ]; then return 0; fi
  done <"$allow_file"
  return 1
}

# Lines of the allow-list that give no reason: the list itself is wrong.
allow_list_problems() {
  [ -f "$allow_file" ] || return 0
  grep -nvE '^[[:space:]]*(#|$)' "$allow_file" | while IFS= read -r line; do
    local rest=${line#*:} s t why
    IFS='|' read -r s t why <<<"$rest"
    if [ -z "$(trim "$why")" ] || [ -z "$(trim "$t")" ]; then
      echo "$allow_file line ${line%%:*}: wants SUITE | TEST | REASON"
    fi
  done
}

# Records a failure: counted, on the suite's line, and in failures.txt.
suite_problem() {   # name text
  printf '%-28s   %s\n' '' "$2"
  echo "$1: $2" >>"$logs/failures.txt"
}

run_suite() {   # name kind command...
  local name=$1 kind=$2; shift 2
  local log="$logs/$name.log" start=$SECONDS
  "$@" >"$log" 2>&1
  local rc=$? p f s
  read -r p f s < <("count_$kind" "$log" $rc)
  s=${s:-0}
  local problems=() named=0 t
  if [ $((p + f)) -eq 0 ]; then
    problems+=("ran no test (exit status $rc)")
    f=1
  fi
  if [ "$s" -gt 0 ]; then
    if declare -F "skips_$kind" >/dev/null; then
      while IFS= read -r t; do
        [ -n "$t" ] || continue
        named=$((named + 1))
        if skip_allowed "$name" "$t"; then
          printf '%-28s   skipped (allowed): %s\n' '' "$t"
        else
          problems+=("skipped without a line in $allow_file: $t")
          f=$((f + 1))
        fi
      done < <("skips_$kind" "$log")
    fi
    if [ "$named" -eq 0 ]; then
      problems+=("$s skipped, and the log does not name them")
      f=$((f + s))
    fi
  fi
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  note "$name" "$p passed, $f failed, $s skipped ($((SECONDS - start)) s)"
  # what the suite says it did: "# count: ..." (node's TAP reporter may
  # write a test's own "# count:" line as "# \# count:")
  grep -E '^[[:space:]]*#[[:space:]]+(\\#[[:space:]]*)?count:' "$log" |
    sed -E 's/^[[:space:]]*#[[:space:]]+(\\#[[:space:]]*)?count:[[:space:]]*/  count: /' |
    while IFS= read -r t; do printf '%-28s %s\n' '' "$t"; done
  for t in "${problems[@]}"; do suite_problem "$name" "$t"; done
  if [ "$f" -ne 0 ]; then
    {
      echo "---- failures in $log ----"
      grep -n -A 40 -E '^\s*not ok|\[  FAILED  \]|\[  SKIPPED \]|# (SKIP|TODO)|ERROR: AddressSanitizer|runtime error' "$log" | head -n 120
      echo "---- last lines of $log ----"
      tail -n 20 "$log"
      echo "----"
    } >>"$logs/failures.txt"
  fi
}

# A suite that cannot run is a failed suite, never a missing line.
suite_missing() {   # name why [what the line says]
  failed=$((failed + 1))
  note "$1" "${3:-not run: 1 failed}"
  suite_problem "$1" "$2"
}

# The unit test programs meson declares for build dir $1 (meson.build's
# test() list, from `meson introspect`), one path a line.
unit_list() {
  meson introspect "$1" --tests 2>/dev/null |
    python3 -c 'import json, sys; print("\n".join(t["cmd"][0] for t in json.load(sys.stdin)))' 2>/dev/null
}

unit() {   # build dir: every unit test meson declares there; one not built fails
  local rc=0 t list
  if ! list=$(unit_list "$1") || [ -z "$list" ]; then
    echo "[  FAILED  ] 1 test(s): meson declares no unit test in $1 (is it set up?)"
    return 1
  fi
  while IFS= read -r t; do
    if [ -f "$t" ] && [ -x "$t" ]; then
      "$t" || rc=1
    else
      echo "[  FAILED  ] 1 test(s): $t is declared in meson.build but was not built"
      rc=1
    fi
  done <<<"$list"
  return $rc
}

main() {
  cd "$(dirname "$0")/.." || exit 1
  mkdir -p "$logs"
  rm -f "$logs/failures.txt"
  if [ -z "${ZHIYUAN_TEST_PG:-}" ]; then
    if ZHIYUAN_TEST_PG=$(scripts/pg-up.sh); then
      export ZHIYUAN_TEST_PG
    else
      echo "PostgreSQL is not available: its suites will fail" >&2
      export ZHIYUAN_TEST_PG=postgresql://zhiyuan:zhiyuan@127.0.0.1:5432/postgres
    fi
  fi
  local p
  while IFS= read -r p; do suite_missing skips-allowed "$p" "1 failed"; done < <(allow_list_problems)

  run_suite test-sh cmocka tests/scripts/test_sh.sh
  run_suite banned-functions cmocka bash -c 'scripts/check-banned.sh && echo "[  PASSED  ] 1 test(s)."'
  run_suite unit cmocka unit build
  run_suite architecture node node --test tests/architecture/
  run_suite api-sqlite node env ZHIYUAN_TEST_BACKEND=sqlite node --test --test-concurrency=2 tests/api/
  run_suite api-postgresql node env ZHIYUAN_TEST_BACKEND=postgresql node --test --test-concurrency=2 tests/api/
  run_suite browser node node --test tests/browser/
  # a test per libFuzzer target; "# count:" lines give the runs. 15 s a
  # target keeps the whole run well under 30 minutes; `make fuzz` runs longer.
  run_suite fuzz cmocka env FUZZ_SECONDS="${FUZZ_SECONDS:-15}" scripts/fuzz.sh
  local asan=(unit-asan api-sqlite-asan api-postgresql-asan browser-asan)
  if [ -x build-asan/zhiyuan ]; then
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:fast_unwind_on_malloc=0
    run_suite unit-asan cmocka unit build-asan
    run_suite api-sqlite-asan node env ZHIYUAN_TEST_BACKEND=sqlite ZHIYUAN_BIN=build-asan/zhiyuan \
      node --test --test-concurrency=2 tests/api/
    run_suite api-postgresql-asan node env ZHIYUAN_TEST_BACKEND=postgresql ZHIYUAN_BIN=build-asan/zhiyuan \
      node --test --test-concurrency=2 tests/api/
    run_suite browser-asan node env ZHIYUAN_BIN=build-asan/zhiyuan node --test tests/browser/
  else
    for p in "${asan[@]}"; do
      suite_missing "$p" "build-asan/zhiyuan is missing: run \`make asan\` (\`make test\` builds it)"
    done
  fi

  # CI shows only the end of what this prints, so the failures come last
  [ -f "$logs/failures.txt" ] && cat "$logs/failures.txt"
  echo "$skipped skipped (each allowed in $allow_file, or counted as failed)"
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

if [ -z "${ZHIYUAN_TEST_SH_LIB:-}" ]; then
  main "$@"
fi
