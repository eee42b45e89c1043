#!/usr/bin/env bash
# --trace-on-mismatch (docs/cosim.md): a fault injected into the RTL tensor engine is caught by
# the lockstep checker (exit 1, one line naming the cycle, engine, instruction, element and
# both values); the re-run writes the tensor engine's waveform of the window before the
# mismatch, which fst2vcd reads and which ends at the mismatch cycle.
#   check_cosim_mismatch.sh TESSERA
set -euo pipefail
tessera=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
set +e
"$tessera" run gemm --mode cosim --rtl pe,dma --config tiny --dtype bf16 --m 16 --n 24 --k 12 \
  --inject-fault pe:400 --trace-on-mismatch "$dir/m.fst" >"$dir/out" 2>"$dir/err"
rc=$?
set -e
[ "$rc" -eq 1 ] || { echo "FAIL: exit $rc, expected 1"; cat "$dir/err"; exit 1; }
[ "$(wc -l <"$dir/err")" -eq 1 ] || { echo "FAIL: not one error line:"; cat "$dir/err"; exit 1; }
grep -q "lockstep mismatch at cycle [0-9]*: pe instruction [0-9]* (multiply_moving" "$dir/err" ||
  { echo "FAIL: mismatch not located:"; cat "$dir/err"; exit 1; }
grep -q "expected 0x[0-9a-f]* actual 0x[0-9a-f]*" "$dir/err" || { echo "FAIL: no values"; cat "$dir/err"; exit 1; }
cycle=$(sed -n 's/.*lockstep mismatch at cycle \([0-9]*\):.*/\1/p' "$dir/err")
grep -q "waveform of cycles $((cycle > 1000 ? cycle - 1000 : 0))..$cycle: $dir/m.pe.fst, $dir/m.dma.fst" "$dir/err" ||
  { echo "FAIL: no waveform reported:"; cat "$dir/err"; exit 1; }
fst2vcd -f "$dir/m.pe.fst" -o "$dir/m.vcd" >/dev/null 2>&1
grep -q '\$scope module u_tensor_engine ' "$dir/m.vcd" || { echo "FAIL: no tensor engine in the waveform"; exit 1; }
last=$(grep '^#' "$dir/m.vcd" | tr -d '#' | sort -n | tail -1)
[ "$last" -le $((2 * cycle + 4)) ] && [ "$last" -ge $((2 * cycle + 3)) ] ||
  { echo "FAIL: the waveform ends at time $last, not at cycle $cycle"; exit 1; }
echo "ok: $(cat "$dir/err")"
