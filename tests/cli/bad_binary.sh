#!/usr/bin/env bash
# Damages a freshly assembled program binary and checks that `tessera exec` or `tessera disasm`
# rejects it: exit 2, one 'tessera: error:' line containing every WANT text, and (exec) no
# output directory left behind. The damaged file is named bad.bin (a WANT may ask for it).
#   bad_binary.sh TESSERA PYTHON PROGRAM.tasm COMMAND KIND WANT...
# COMMAND: exec or disasm. KIND:
#   truncated     the last 64 bytes cut off (inside the last instruction word)
#   header_only   the 8-byte magic alone
#   bad_magic     TESSPRG1 -> TESSPRG9
#   trailing      one extra byte after the program
#   empty         a zero-length file
#   field:QUEUE:INDEX:FIELD=VALUE   one field of one instruction word set (corrupt_binary.py)
set -euo pipefail
tessera=$1 python=$2 program=$3 command=$4 kind=$5; shift 5
wants=()
for w in "$@"; do wants+=(--stderr "$w"); done
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$tessera" asm "$program" -o "$dir/good.bin" >/dev/null
bad="$dir/bad.bin"
size=$(stat -c %s "$dir/good.bin")
case $kind in
  truncated) head -c $((size - 64)) "$dir/good.bin" >"$bad" ;;
  header_only) head -c 8 "$dir/good.bin" >"$bad" ;;
  bad_magic) { printf 'TESSPRG9'; tail -c +9 "$dir/good.bin"; } >"$bad" ;;
  trailing) { cat "$dir/good.bin"; printf '\0'; } >"$bad" ;;
  empty) : >"$bad" ;;
  field:*)
    IFS=: read -r _ queue index assignment <<<"$kind"
    "$python" "$here/corrupt_binary.py" "$here/../../sim/isa/isa.json" "$dir/good.bin" "$bad" \
      "$queue" "$index" "${assignment%%=*}" "${assignment#*=}" ;;
  *) echo "bad_binary.sh: unknown kind $kind" >&2; exit 2 ;;
esac
args=("$bad")
[ "$command" = exec ] && args+=(--config tiny --out-dir "$dir/out")
set +e
"$here/expect_exit.sh" 2 "${wants[@]}" -- "$tessera" "$command" "${args[@]}"
status=$?
if [ -e "$dir/out" ]; then echo "FAIL: $command left an output directory behind"; status=1; fi
exit $status
