#!/usr/bin/env bash
# A CLI test of a deadlocked program (SPEC sections 4 and 8): exit 3, the first stderr line
# 'tessera: error: deadlock...', then one indented line per engine naming it.
#   expect_deadlock.sh [--engine NAME]... [--stderr TEXT]... -- COMMAND [ARGS...]
set -u
engines=(); err_pats=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  case $1 in
    --engine) engines+=("$2"); shift 2 ;;
    --stderr) err_pats+=("$2"); shift 2 ;;
    *) echo "expect_deadlock.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
shift
out=$(mktemp); err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
timeout 600 "$@" >"$out" 2>"$err"
got=$?
status=0
[ "$got" -eq 3 ] || { echo "FAIL: exit code $got, expected 3: $*"; status=1; }
head -n 1 "$err" | grep -q '^tessera: error: deadlock' ||
  { echo "FAIL: the first stderr line does not start with 'tessera: error: deadlock'"; status=1; }
for e in "${engines[@]+"${engines[@]}"}"; do
  tail -n +2 "$err" | grep -q "^ *$e: " || { echo "FAIL: no state line for engine '$e'"; status=1; }
done
for p in "${err_pats[@]+"${err_pats[@]}"}"; do
  grep -qF -- "$p" "$err" || { echo "FAIL: stderr lacks '$p'"; status=1; }
done
[ -s "$out" ] && { echo "FAIL: a deadlocked run printed a report on stdout"; status=1; }
echo "--- stdout (head)"; head -n 20 "$out"
echo "--- stderr (head)"; head -n 20 "$err"
exit $status
