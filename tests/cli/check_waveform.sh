#!/usr/bin/env bash
# Waveform and timeline of an RTL run (SPEC section 7; issues #5 and #6):
# - an FST window that fst2vcd reads, with the blocks' hierarchy (tensor engine, SBUF, PSUM,
#   DMA, sequencers) and only the window's cycles;
# - the same window written as .vcd;
# - a timeline that is trace-event JSON: one named track per engine queue, one complete slice
#   ("X") per instruction with its cycles, and the DRAM/SBUF counters.
#   check_waveform.sh TESSERA PYTHON
set -euo pipefail
tessera=$1 python=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$tessera" run gemm --mode rtl --config tiny --m 8 --n 12 --k 8 --trace "$dir/w.fst" --trace-window 200:260 \
  --timeline "$dir/t.json" --report "$dir/r.json" >/dev/null
fst2vcd -f "$dir/w.fst" -o "$dir/w.vcd" >/dev/null 2>&1
for scope in u_tensor_engine u_array u_sbuf u_psum u_dma 'g_seq\[0\]' u_semaphores; do
  grep -q "\$scope module $scope " "$dir/w.vcd" || { echo "FAIL: no scope $scope in the waveform"; exit 1; }
done
grep -q '\$var .* mv_req ' "$dir/w.vcd" || { echo "FAIL: the tensor engine's mv_req is not in the waveform"; exit 1; }
# Run cycle c's rising edge is dumped at 2c+3, the falling edge after it at 2c+4: cycles 200..260 only.
times=$(grep '^#' "$dir/w.vcd" | tr -d '#' | sort -n)
first=$(echo "$times" | head -1) last=$(echo "$times" | tail -1)
[ "$first" -ge 403 ] && [ "$last" -le 524 ] || { echo "FAIL: dump times $first..$last outside the window"; exit 1; }
"$tessera" run gemm --mode rtl --config tiny --m 8 --n 12 --k 8 --trace "$dir/w2.vcd" --trace-window 0:20 >/dev/null
grep -q '\$enddefinitions' "$dir/w2.vcd" || { echo "FAIL: --trace .vcd is not a VCD"; exit 1; }
[ ! -e "$dir/w2.vcd.partial.fst" ] || { echo "FAIL: the staged FST was left behind"; exit 1; }
"$python" - "$dir/t.json" "$dir/r.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
ev = t["traceEvents"]
tracks = {e["tid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
assert set(tracks.values()) == set(r["engines"]), (tracks, list(r["engines"]))
slices = [e for e in ev if e["ph"] == "X"]
for e in slices:
    for k in ("name", "ts", "dur", "pid", "tid", "args"):
        assert k in e, (k, e)
    a = e["args"]
    assert a["cycles"] == a["done_cycle"] - a["issue_cycle"] + 1 and a["cycles"] >= 1, a
    assert e["dur"] > 0 and e["tid"] in tracks, e
per_engine = {}
for e in slices:
    per_engine[tracks[e["tid"]]] = per_engine.get(tracks[e["tid"]], 0) + 1
want = {k: v["instructions"] for k, v in r["engines"].items()}
assert per_engine == want, (per_engine, want)
assert max(e["args"]["done_cycle"] for e in slices) < r["cycles"], "a slice ends after the run"
counters = {e["name"] for e in ev if e["ph"] == "C"}
assert counters == {"DRAM bytes/cycle", "SBUF accesses/cycle"}, counters
print(f"timeline ok: {len(slices)} slices on {len(tracks)} tracks")
PY
echo "waveform ok: cycles $(( (first - 3) / 2 ))..$(( (last - 4) / 2 ))"
