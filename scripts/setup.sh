#!/usr/bin/env bash
# Installs what Tessera needs from Debian (skipping what is already there), then configures
# and builds. Sourced by scripts/demo.sh and scripts/test.sh; runnable on its own.
#   TESSERA_BUILD_DIR  build directory (default: build)
#   TESSERA_BUILD_TYPE CMake build type (default: Release)
#   TESSERA_EXTRA_PACKAGES more Debian packages (scripts/test.sh: python3-torch)
set -euo pipefail

TESSERA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TESSERA_BUILD_DIR=${TESSERA_BUILD_DIR:-$TESSERA_ROOT/build}
TESSERA_BUILD_TYPE=${TESSERA_BUILD_TYPE:-Release}

packages=(g++ make cmake ninja-build ccache pkg-config python3 zlib1g-dev
          verilator libsystemc-dev catch2 libfmt-dev libcli11-dev nlohmann-json3-dev
          libssl-dev python3-numpy gtkwave)  # gtkwave: fst2vcd, to read and convert waveforms
read -r -a extra <<< "${TESSERA_EXTRA_PACKAGES:-}"
packages+=("${extra[@]}")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

jobs=$(nproc)
cmake -S "$TESSERA_ROOT" -B "$TESSERA_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$TESSERA_BUILD_TYPE"
cmake --build "$TESSERA_BUILD_DIR" -j "$jobs"
