#!/usr/bin/env bash
# Sets up (scripts/setup.sh), builds, and runs the main demo.
#
# The demo checks every `tessera fp` operation, in the C++ reference and in the verilated FP
# units, against vectors from the independent exact-rational generator; runs a ragged bf16 gemm
# on the verilated core (bit for bit against the reference model, and against an independent
# numpy emulation of the numerics contract) with a waveform window and a timeline; runs every
# training kernel on the core; and trains the MLP of SPEC section 8.
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
echo "== tessera run gemm --config small --mode rtl --dtype bf16 --m 37 --n 200 --k 70 (the verilated core)"
out="$TESSERA_BUILD_DIR/demo/gemm"
rm -rf "$out"
mkdir -p "$out"
"$tessera" run gemm --config small --mode rtl --dtype bf16 --m 37 --n 200 --k 70 --seed 1 \
  --out-dir "$out" --report "$out/report.json" --trace "$out/gemm.fst" --trace-window 2000:2600 \
  --timeline "$out/timeline.json" || status=1
/usr/bin/python3 "$TESSERA_ROOT/tests/kernels/check_gemm.py" --dir "$out" --dtype bf16 --rows small || status=1
echo "report: $out/report.json; waveform (cycles 2000-2600): $out/gemm.fst; timeline (ui.perfetto.dev): $out/timeline.json"

echo
echo "== every training kernel on the verilated core (tiny), checked against double precision and the reference"
for kernel in linear_bwd bias_gelu bias_gelu_bwd softmax_xent layernorm layernorm_bwd rmsnorm adamw sgd_momentum; do
  "$tessera" run "$kernel" --config tiny --mode rtl --seed 1 --report "$TESSERA_BUILD_DIR/demo/$kernel.json" \
    | grep -E "on tiny|cycles|check|vs ref" || status=1
done
echo
echo "== tessera train mlp: 20 AdamW steps on small (reference model), then 2 steps on the verilated core (tiny)"
"$tessera" train mlp --config small --mode ref --steps 20 --optimizer adamw --seed 1 \
  --out-dir "$TESSERA_BUILD_DIR/demo/train_ref" | tail -n 4 || status=1
"$tessera" train mlp --config tiny --mode rtl --steps 2 --optimizer adamw --seed 1 --batch 16 --in-features 16 --hidden 16 --classes 4 \
  --out-dir "$TESSERA_BUILD_DIR/demo/train_rtl" | tail -n 4 || status=1
echo "loss curves: $TESSERA_BUILD_DIR/demo/train_ref/loss.csv, $TESSERA_BUILD_DIR/demo/train_rtl/loss.csv"
exit $status
