#!/usr/bin/env bash
# Sets up (scripts/setup.sh), builds, and runs the main demo.
#
# The demo checks every `tessera fp` operation, in the C++ reference and in the verilated FP
# units, against vectors from the independent exact-rational generator; runs a ragged bf16 gemm
# on the verilated core (bit for bit against the reference model, and against an independent
# numpy emulation of the numerics contract) with a waveform window and a timeline; runs every
# training kernel on the core; and trains the MLP of SPEC section 8: on the reference model, on
# the TLM model, and co-simulated (the whole verilated core inside the SystemC simulation, every
# instruction checked in lockstep against a TLM-only shadow), with a co-simulated step's
# report, waveform window and timeline, and the step once more with every block (the act
# function unit and the dve ALU included) as RTL inside the TLM model.
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
echo "== the activation function unit (rtl/act/act_func.sv) on special values"
for op in act_exp act_gelu_tanh; do
  for mode in ref rtl; do
    printf '%-14s %-4s ' "$op" "$mode"
    "$tessera" fp "$op" --vectors "$TESSERA_ROOT/tests/cli/data/$op.vec" --mode "$mode" || status=1
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
echo "== tessera train mlp (SPEC section 8): 20 AdamW steps on small, reference model then TLM model"
demo="$TESSERA_BUILD_DIR/demo"
"$tessera" train mlp --config small --mode ref --steps 20 --optimizer adamw --seed 1 \
  --out-dir "$demo/train_ref" | tail -n 3 || status=1
"$tessera" train mlp --config small --mode tlm --steps 20 --optimizer adamw --seed 1 \
  --out-dir "$demo/train_tlm" | tail -n 3 || status=1
cmp <(cut -d, -f1,2 "$demo/train_ref/loss.csv") <(cut -d, -f1,2 "$demo/train_tlm/loss.csv") \
  && echo "tlm losses identical to the reference's" || status=1
echo
echo "== the flagship: the same training, co-simulated (--mode cosim --rtl all: the verilated core in SystemC, lockstep-checked)"
"$tessera" train mlp --config small --mode cosim --rtl all --steps 3 --optimizer adamw --seed 1 \
  --out-dir "$demo/train_cosim" --report "$demo/train_cosim.json" | tail -n 4 || status=1
cmp <(head -n 4 "$demo/train_tlm/loss.csv") "$demo/train_cosim/loss.csv" \
  && echo "co-simulated losses and cycles identical to the TLM's" || status=1
echo "== one co-simulated training step with its waveform window and timeline"
"$tessera" run mlp_step --config small --mode cosim --rtl all --seed 1 --report "$demo/mlp_step_cosim.json" \
  --trace "$demo/mlp_step.fst" --trace-window 3000:3600 --timeline "$demo/mlp_step_timeline.json" \
  | grep -E "on small|cycles|vs ref" || status=1
echo "== the same step with every block inside the TLM model: tensor engine, DMA, SBUF, PSUM, act function unit and dve ALU as RTL"
"$tessera" run mlp_step --config small --mode cosim --rtl pe,dma,sbuf,psum,act,dve --seed 1 \
  | grep -E "on small|cycles|vs ref" || status=1
echo "loss curves: $demo/train_{ref,tlm,cosim}/loss.csv; report: $demo/train_cosim.json;"
echo "waveform (cycles 3000-3600): $demo/mlp_step.core.fst; timeline (ui.perfetto.dev): $demo/mlp_step_timeline.json"
exit $status
