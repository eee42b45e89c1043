#!/usr/bin/env bash
# Runs an example program with `tessera exec` (as text, or assembled first with --binary) and
# checks its outputs against the hand-derived values of check_outputs.py.
#   exec_and_check.sh TESSERA PYTHON NAME [--binary] -- EXEC_ARGS...
# EXEC_ARGS start with the program file; NAME selects the expected values.
set -euo pipefail
tessera=$1 python=$2 name=$3; shift 3
binary=0
if [ "$1" = --binary ]; then binary=1; shift; fi
[ "$1" = -- ] && shift
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
program=$1; shift
if [ $binary -eq 1 ]; then
  "$tessera" asm "$program" -o "$dir/$name.bin"
  program="$dir/$name.bin"
fi
"$tessera" exec "$program" "$@" --out-dir "$dir/out" --report "$dir/report.json"
"$python" "$(dirname "$0")/check_outputs.py" "$name" "$dir/out" "$dir/report.json"
