#!/usr/bin/env bash
# The co-simulated act and dve engines' waveform (docs/cosim.md "act, dve"): --trace FILE.fst
# with --rtl act,dve writes FILE.vec.fst, which fst2vcd reads, with both engines' scopes and
# their mem port, its first edge at time 3 (run cycle 0) and no repeated dump time.
#   check_vec_waveform.sh TESSERA
set -euo pipefail
tessera=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$tessera" run softmax_xent --mode cosim --rtl act,dve --config tiny --trace "$dir/w.fst" >"$dir/out" 2>&1
if grep -qi "previous dump" "$dir/out"; then echo "FAIL: a dump time repeated"; cat "$dir/out"; exit 1; fi
fst2vcd -f "$dir/w.vec.fst" -o "$dir/w.vec.vcd" >/dev/null 2>&1
grep -q '\$scope module g_eng\[0\] ' "$dir/w.vec.vcd" || { echo "FAIL: no act engine scope (g_eng[0]) in w.vec.fst"; exit 1; }
grep -q '\$scope module g_eng\[1\] ' "$dir/w.vec.vcd" || { echo "FAIL: no dve engine scope (g_eng[1]) in w.vec.fst"; exit 1; }
grep -q '\$var .* req_o ' "$dir/w.vec.vcd" || { echo "FAIL: req_o is not in the waveform"; exit 1; }
first=$(grep -m1 '^#' "$dir/w.vec.vcd")
[ "$first" = "#3" ] || { echo "FAIL: the first edge is dumped at $first, not #3"; exit 1; }
edges=$(grep -c '^#' "$dir/w.vec.vcd")
[ "$edges" -gt 20 ] || { echo "FAIL: w.vec.fst holds $edges time steps"; exit 1; }
echo PASS
