#!/usr/bin/env bash
# A bad-input CLI test that must leave no output behind (SPEC sections 8 and 12).
#   expect_no_outputs.sh DIR CODE [--stdout TEXT]... [--stderr TEXT]... -- COMMAND [ARGS...]
#   expect_no_outputs.sh DIR --deadlock [expect_deadlock.sh options] -- COMMAND [ARGS...]
# Removes DIR, runs expect_exit.sh CODE ... -- COMMAND (or expect_deadlock.sh), where COMMAND
# writes its outputs under DIR (--out-dir DIR, --report DIR/report.json, -o DIR/x.bin), then
# requires DIR to be absent or empty, hidden temporaries included.
set -u
dir=$1; shift
checker=expect_exit.sh
if [ "${1:-}" = --deadlock ]; then checker=expect_deadlock.sh; shift; fi
rm -rf -- "$dir"
"$(dirname "$0")/$checker" "$@"
status=$?
if [ -e "$dir" ] || [ -L "$dir" ]; then
  if [ ! -d "$dir" ] || [ -n "$(ls -A -- "$dir")" ]; then
    echo "FAIL: the failed command left output behind in $dir:"
    ls -laR -- "$dir"
    status=1
  fi
fi
rm -rf -- "$dir"
exit $status
