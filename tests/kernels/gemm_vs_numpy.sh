#!/usr/bin/env bash
# Runs `tessera run gemm` and checks c bit for bit against the independent numpy emulation of
# the contract (tests/kernels/check_gemm.py).
#   gemm_vs_numpy.sh TESSERA PYTHON CONFIG DTYPE M N K SEED [BF16_OUT (0 or 1)]
set -euo pipefail
tessera=$1 python=$2 config=$3 dtype=$4 m=$5 n=$6 k=$7 seed=$8 bf16_out=${9:-0}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$tessera" run gemm --config "$config" --dtype "$dtype" --m "$m" --n "$n" --k "$k" --seed "$seed" \
  --bf16-out "$bf16_out" --out-dir "$dir" --report "$dir/report.json"
c_dtype=fp32
[ "$bf16_out" = 1 ] && c_dtype=bf16
"$python" "$(dirname "$0")/check_gemm.py" --dir "$dir" --dtype "$dtype" --rows "$config" --c-dtype "$c_dtype"
