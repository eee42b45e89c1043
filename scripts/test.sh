#!/usr/bin/env bash
# Sets up (scripts/setup.sh), builds, and runs the CTest suite without the `slow` label.
# The exit code is the suite's. JUnit XML goes to $TESSERA_BUILD_DIR/junit.xml.
# Extra arguments go to ctest (e.g. scripts/test.sh -L unit, or -L slow for the slow tests).
set -euo pipefail
# The training test compares with PyTorch (tests/kernels/train_vs_torch.py).
export TESSERA_EXTRA_PACKAGES="python3-torch ${TESSERA_EXTRA_PACKAGES:-}"
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

labels=(-LE slow)
for a in "$@"; do
  case $a in -L|-LE|--label-regex|--label-exclude) labels=() ;; esac
done
cd "$TESSERA_BUILD_DIR"
exec ctest -j "$jobs" --output-on-failure --timeout 1800 --output-junit junit.xml "${labels[@]}" "$@"
