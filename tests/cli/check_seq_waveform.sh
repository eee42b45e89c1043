#!/usr/bin/env bash
# The co-simulated sequencers' waveform (docs/cosim.md "seq"): --trace FILE.fst with --rtl seq
# writes FILE.seq.fst, which fst2vcd reads, with the cluster's hierarchy and its issue
# handshake, its first edge at time 3 (run cycle 0; the start pulse is not dumped) and no
# Verilator warning about a repeated dump time.
#   check_seq_waveform.sh TESSERA
set -euo pipefail
tessera=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$tessera" run gemm --mode cosim --rtl seq --config tiny --m 8 --n 12 --k 8 --trace "$dir/w.fst" >"$dir/out" 2>&1
if grep -qi "previous dump" "$dir/out"; then echo "FAIL: a dump time repeated"; cat "$dir/out"; exit 1; fi
fst2vcd -f "$dir/w.seq.fst" -o "$dir/w.seq.vcd" >/dev/null 2>&1
grep -q '\$scope module u_seq ' "$dir/w.seq.vcd" || { echo "FAIL: no u_seq scope in w.seq.fst"; exit 1; }
grep -q '\$var .* inst_ready_i ' "$dir/w.seq.vcd" || { echo "FAIL: inst_ready_i is not in the waveform"; exit 1; }
first=$(grep '^#' "$dir/w.seq.vcd" | head -1)
[ "$first" = "#3" ] || { echo "FAIL: the first edge is dumped at $first, not #3"; exit 1; }
edges=$(grep -c '^#' "$dir/w.seq.vcd")
[ "$edges" -gt 20 ] || { echo "FAIL: w.seq.fst holds $edges time steps"; exit 1; }
echo PASS
