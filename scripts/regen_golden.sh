#!/usr/bin/env bash
# Regenerates the cycle baselines tests/golden/CONFIG.json (default: every config there) from a
# tessera binary: each case keeps its flags, only its cycles are rewritten, and the changed ones
# are printed. For an intended timing change only; say so in the commit (docs/kernels.md,
# "Cycle baselines"). A new case is added to the file by hand with "cycles": null.
#   scripts/regen_golden.sh [--tessera BIN] [CONFIG...]
# The binary: --tessera, else $TESSERA, else $TESSERA_BUILD_DIR/sim/tessera (default build/,
# the build of scripts/test.sh). It is not rebuilt here: build it first.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tessera=${TESSERA:-${TESSERA_BUILD_DIR:-$root/build}/sim/tessera}
if [ "${1:-}" = --tessera ]; then
  tessera=$2
  shift 2
fi
configs=("$@")
if [ ${#configs[@]} -eq 0 ]; then
  for f in "$root"/tests/golden/*.json; do configs+=("$(basename "$f" .json)"); done
fi
for c in "${configs[@]}"; do
  file=$root/tests/golden/$c.json
  [ -f "$file" ] || { echo "regen_golden: no $file" >&2; exit 2; }
  echo "== $c ($tessera)"
  python3 "$root/tests/golden/check_golden.py" --tessera "$tessera" --update "$file"
done
