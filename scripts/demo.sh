#!/usr/bin/env bash
# Sets up (scripts/setup.sh), builds, and runs the main demo.
#
# What exists today: the presets, the bit-exact number formats and their RTL units, the ISA
# and the reference core model. The demo checks every `tessera fp` operation, in the C++
# reference and in the verilated FP units, against vectors from the independent exact-rational
# generator, then runs a ragged bf16 gemm on the reference model and checks it bit for bit
# against an independent numpy emulation of the numerics contract.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

tessera="$TESSERA_BUILD_DIR/sim/tessera"
vectors="$TESSERA_BUILD_DIR/demo/fp_vectors"

echo
echo "== tessera list configs"
"$tessera" list configs

echo
echo "== independent fp vectors (exact rational arithmetic, Python standard library)"
python3 "$TESSERA_ROOT/scripts/gen_fp_vectors.py" --out-dir "$vectors" --seed 1

echo
echo "== tessera fp OP --vectors FILE --mode ref|rtl (C++ reference, then the verilated FP units)"
status=0
for op in f32_add f32_mul f32_to_bf16 f32_to_f16 f32_to_e4m3 f32_to_e5m2 \
          bf16_to_f32 f16_to_f32 e4m3_to_f32 e5m2_to_f32; do
  for mode in ref rtl; do
    printf '%-12s %-4s ' "$op" "$mode"
    "$tessera" fp "$op" --vectors "$vectors/$op.vec" --mode "$mode" || status=1
  done
done

echo
echo "== tessera run gemm --config small --dtype bf16 --m 37 --n 200 --k 70"
out="$TESSERA_BUILD_DIR/demo/gemm"
rm -rf "$out"
"$tessera" run gemm --config small --dtype bf16 --m 37 --n 200 --k 70 --seed 1 \
  --out-dir "$out" --report "$out/report.json" || status=1
/usr/bin/python3 "$TESSERA_ROOT/tests/kernels/check_gemm.py" --dir "$out" --dtype bf16 --rows small || status=1
echo "report: $out/report.json"
exit $status
