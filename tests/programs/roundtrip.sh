#!/usr/bin/env bash
# asm, disasm, asm again: the two binaries must be byte-identical (docs/isa.md), and the
# disassembly of the second must equal the first disassembly.
#   roundtrip.sh TESSERA PROGRAM.tasm
set -euo pipefail
tessera=$1 program=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$tessera" asm "$program" -o "$dir/first.bin"
"$tessera" disasm "$dir/first.bin" >"$dir/first.tasm"
"$tessera" asm "$dir/first.tasm" -o "$dir/second.bin"
"$tessera" disasm "$dir/second.bin" >"$dir/second.tasm"
cmp "$dir/first.bin" "$dir/second.bin"
cmp "$dir/first.tasm" "$dir/second.tasm"
[ -s "$dir/first.tasm" ]
echo "round trip ok: $(stat -c %s "$dir/first.bin") bytes"
cat "$dir/first.tasm"
