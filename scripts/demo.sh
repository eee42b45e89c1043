#!/usr/bin/env bash
# Sets up (scripts/setup.sh), builds, and runs the main demo.
#
# What exists today: the configuration presets and the bit-exact number-format library.
# The demo lists the presets, generates test vectors with the independent exact-rational
# generator (scripts/gen_fp_vectors.py) and checks every `tessera fp` operation against them.
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
echo "== tessera fp OP --vectors FILE --mode ref"
status=0
for op in f32_add f32_mul f32_to_bf16 f32_to_f16 f32_to_e4m3 f32_to_e5m2 \
          bf16_to_f32 f16_to_f32 e4m3_to_f32 e5m2_to_f32; do
  printf '%-12s ' "$op"
  "$tessera" fp "$op" --vectors "$vectors/$op.vec" --mode ref || status=1
done
exit $status
