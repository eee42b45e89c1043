#!/usr/bin/env bash
# Runs a command and checks its exit code and output, for CLI tests registered in CTest.
#   expect_exit.sh CODE [--stdout TEXT]... [--stderr TEXT]... -- COMMAND [ARGS...]
# A non-zero CODE of 2 or 3 also requires exactly one stderr line, 'tessera: error: ...'
# (SPEC section 8: one clear line).
set -u
want=$1; shift
out_pats=(); err_pats=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  case $1 in
    --stdout) out_pats+=("$2"); shift 2 ;;
    --stderr) err_pats+=("$2"); shift 2 ;;
    *) echo "expect_exit.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
shift
out=$(mktemp); err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
timeout 600 "$@" >"$out" 2>"$err"
got=$?
status=0
if [ "$got" -ne "$want" ]; then
  echo "FAIL: exit code $got, expected $want: $*"; status=1
fi
if [ "$want" -eq 2 ] || [ "$want" -eq 3 ]; then
  lines=$(wc -l <"$err")
  if [ "$lines" -ne 1 ] || ! grep -q '^tessera: error: ' "$err"; then
    echo "FAIL: stderr should be one 'tessera: error:' line, got $lines lines"; status=1
  fi
fi
for p in "${out_pats[@]+"${out_pats[@]}"}"; do
  grep -qF -- "$p" "$out" || { echo "FAIL: stdout lacks '$p'"; status=1; }
done
for p in "${err_pats[@]+"${err_pats[@]}"}"; do
  grep -qF -- "$p" "$err" || { echo "FAIL: stderr lacks '$p'"; status=1; }
done
echo "--- stdout (head)"; head -n 20 "$out"
echo "--- stderr (head)"; head -n 20 "$err"
exit $status
