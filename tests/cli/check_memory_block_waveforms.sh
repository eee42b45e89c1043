#!/usr/bin/env bash
# Waveforms of the co-simulated memory blocks (docs/cosim.md "Memory blocks"): --trace FILE.fst
# with --rtl sbuf,psum writes FILE.sbuf.fst and FILE.psum.fst, which fst2vcd reads, with the
# SBUF's and PSUM's hierarchy and their port traffic; with a window no access falls in, they
# hold no clock edge. On a lockstep mismatch (a fault in the SBUF), --trace-on-mismatch names
# the SBUF's waveform.
#   check_memory_block_waveforms.sh TESSERA
set -euo pipefail
tessera=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
gemm=(run gemm --mode cosim --rtl sbuf,psum --config tiny --dtype bf16 --m 8 --n 12 --k 8)
"$tessera" "${gemm[@]}" --trace "$dir/w.fst" --trace-window 0:100000 >/dev/null
for b in sbuf psum; do
  fst2vcd -f "$dir/w.$b.fst" -o "$dir/w.$b.vcd" >/dev/null 2>&1
  grep -q "\$scope module u_$b " "$dir/w.$b.vcd" || { echo "FAIL: no u_$b scope in w.$b.fst"; exit 1; }
  edges=$(grep -c '^#' "$dir/w.$b.vcd")
  [ "$edges" -gt 10 ] || { echo "FAIL: w.$b.fst holds $edges time steps"; exit 1; }
done
grep -q '\$var .* we_i ' "$dir/w.sbuf.vcd" || { echo "FAIL: the SBUF port's we_i is not in the waveform"; exit 1; }
grep -q '\$var .* te_valid_i ' "$dir/w.psum.vcd" || { echo "FAIL: the PSUM's te_valid_i is not in the waveform"; exit 1; }
# A window past the end of the run: the memories dump nothing but their initial values.
"$tessera" "${gemm[@]}" --trace "$dir/e.fst" --trace-window 99999999:100000000 >/dev/null
fst2vcd -f "$dir/e.sbuf.fst" -o "$dir/e.sbuf.vcd" >/dev/null 2>&1
[ "$(grep -c '^#' "$dir/e.sbuf.vcd")" -le 1 ] || { echo "FAIL: accesses outside the window were dumped"; exit 1; }
set +e
"$tessera" "${gemm[@]}" --inject-fault sbuf:10 --trace-on-mismatch "$dir/m.fst" >/dev/null 2>"$dir/err"
rc=$?
set -e
[ "$rc" -eq 1 ] || { echo "FAIL: exit $rc, expected 1"; cat "$dir/err"; exit 1; }
grep -q "written to SBUF through its write port" "$dir/err" || { echo "FAIL: fault not located"; cat "$dir/err"; exit 1; }
grep -q "waveform of cycles [0-9]*\.\.[0-9]*: $dir/m.sbuf.fst, $dir/m.psum.fst" "$dir/err" ||
  { echo "FAIL: the memories' waveforms are not named"; cat "$dir/err"; exit 1; }
echo "ok: $(cat "$dir/err")"
