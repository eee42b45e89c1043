# Co-simulation (docs/cosim.md; label cosim). The kernel and gemm sweep with --rtl all is
# tessera_timed_mode_tests(cosim ...) in programs.cmake; the per-instruction timing against the
# whole verilated core is tlm.vs_rtl.cosim_* (tests/tlm/tlm_tests.cmake).

# A bit flipped in each RTL block is caught by the lockstep checker and located: exit 1, the
# block's engine and instruction, the element, both values, and where the fault was injected.
add_test(NAME cosim.fault.pe
         COMMAND "${EXPECT}" 1 --stderr "lockstep mismatch at cycle" --stderr ": pe instruction"
                 --stderr "expected 0x" --stderr "[fault injected at cycle"
                 -- $<TARGET_FILE:tessera> run gemm --mode cosim --rtl pe,dma --config small --dtype bf16
                    --m 37 --n 200 --k 70 --inject-fault pe:3000)
add_test(NAME cosim.fault.dma
         COMMAND "${EXPECT}" 1 --stderr "lockstep mismatch at cycle" --stderr ": dma"
                 --stderr "expected 0x" --stderr "of dma" --stderr "[fault injected at cycle"
                 -- $<TARGET_FILE:tessera> run gemm --mode cosim --rtl pe,dma --config small --dtype bf16
                    --m 37 --n 200 --k 70 --inject-fault dma:100)
add_test(NAME cosim.fault.dma_axi_write
         COMMAND "${EXPECT}" 1 --stderr "lockstep mismatch at cycle" --stderr ": dma"
                 --stderr "DMA's AXI W beat"
                 -- $<TARGET_FILE:tessera> run gemm --mode cosim --rtl pe,dma --config tiny --dtype fp32
                    --m 16 --n 24 --k 12 --inject-fault dma:900)
# The RTL SBUF and PSUM behind the TLM engines: a bit flipped in a word written through the
# SBUF's port (by a DMA), in a matmul row written through the PSUM's tensor-engine port, and in
# a word an activation writes through the PSUM's engine write port.
add_test(NAME cosim.fault.sbuf
         COMMAND "${EXPECT}" 1 --stderr "lockstep mismatch at cycle" --stderr ": dma"
                 --stderr "expected 0x" --stderr "written to SBUF through its write port"
                 -- $<TARGET_FILE:tessera> run gemm --mode cosim --rtl sbuf --config small --dtype bf16
                    --m 37 --n 200 --k 70 --inject-fault sbuf:300)
add_test(NAME cosim.fault.psum
         COMMAND "${EXPECT}" 1 --stderr "lockstep mismatch at cycle" --stderr ": pe instruction"
                 --stderr "expected 0x" --stderr "written to PSUM through its tensor-engine port"
                 -- $<TARGET_FILE:tessera> run gemm --mode cosim --rtl psum --config small --dtype bf16
                    --m 37 --n 200 --k 70 --inject-fault psum:600)
add_test(NAME cosim.fault.psum_engine_write
         COMMAND "${EXPECT}" 1 --stderr "lockstep mismatch at cycle" --stderr "expected 0x"
                 --stderr "written to PSUM through its write port"
                 -- $<TARGET_FILE:tessera> exec "${PROGRAMS}/act.tasm" ${IN_act} --mode cosim --rtl psum --config tiny
                    --inject-fault psum:0)
# With the RTL tensor engine and DMA too: the matmul row the RTL tensor engine writes through
# the PSUM's tensor-engine port, and the word the RTL DMA writes through the SBUF's port.
add_test(NAME cosim.fault.psum_from_rtl_pe
         COMMAND "${EXPECT}" 1 --stderr "lockstep mismatch at cycle" --stderr ": pe instruction"
                 --stderr "written to PSUM through its tensor-engine port"
                 -- $<TARGET_FILE:tessera> run gemm --mode cosim --rtl pe,dma,sbuf,psum --config small --dtype bf16
                    --m 37 --n 200 --k 70 --inject-fault psum:3000)
add_test(NAME cosim.fault.sbuf_from_rtl_dma
         COMMAND "${EXPECT}" 1 --stderr "lockstep mismatch at cycle" --stderr ": dma"
                 --stderr "written to SBUF through its write port"
                 -- $<TARGET_FILE:tessera> run gemm --mode cosim --rtl pe,dma,sbuf,psum --config small --dtype bf16
                    --m 37 --n 200 --k 70 --inject-fault sbuf:100)
add_test(NAME cosim.trace_on_mismatch COMMAND "${CMAKE_CURRENT_LIST_DIR}/check_cosim_mismatch.sh" $<TARGET_FILE:tessera>)
add_test(NAME cosim.trace_seq COMMAND "${CMAKE_CURRENT_LIST_DIR}/check_seq_waveform.sh" $<TARGET_FILE:tessera>)
add_test(NAME cosim.trace_memory_blocks
         COMMAND "${CMAKE_CURRENT_LIST_DIR}/check_memory_block_waveforms.sh" $<TARGET_FILE:tessera>)
# The whole core (--rtl all): a bit flipped in the PSUM word a matmul wrote, in the SBUF and
# PSUM arrays, and in an AXI W beat of the DMA, each caught and located.
foreach(case "pe;: pe instruction;PSUM word" "psum;instruction;PSUM word" "sbuf;instruction;SBUF word"
             "dma;: dma;AXI W beat")
  list(GET case 0 block)
  list(GET case 1 engine)
  list(GET case 2 what)
  add_test(NAME cosim.fault.all_${block}
           COMMAND "${EXPECT}" 1 --stderr "lockstep mismatch at cycle" --stderr "${engine}" --stderr "${what}"
                   --stderr "expected 0x"
                   -- $<TARGET_FILE:tessera> run mlp_step --mode cosim --rtl all --config tiny --inject-fault ${block}:3000)
endforeach()
# The RTL act and dve engines inside the TLM model: a bit flipped in one of their writes is
# caught in the instruction that wrote it (unless the instruction writes the word again:
# cosim.fault_hidden below).
add_test(NAME cosim.fault.act
         COMMAND "${EXPECT}" 1 --stderr "lockstep mismatch at cycle" --stderr ": act instruction"
                 --stderr "expected 0x" --stderr "of the act engine's SBUF write data"
                 -- $<TARGET_FILE:tessera> run mlp_step --mode cosim --rtl act --config tiny --inject-fault act:1000)
add_test(NAME cosim.fault.dve
         COMMAND "${EXPECT}" 1 --stderr "lockstep mismatch at cycle" --stderr ": dve instruction"
                 --stderr "expected 0x" --stderr "of the dve engine's SBUF write data"
                 -- $<TARGET_FILE:tessera> run mlp_step --mode cosim --rtl dve --config tiny --inject-fault dve:500)
foreach(block act dve)
  add_test(NAME cosim.bad_${block}_with_all
           COMMAND "${EXPECT}" 2 --stderr "'all' already runs the act and dve engines"
                   -- $<TARGET_FILE:tessera> run gemm --mode cosim --rtl all,${block} --config tiny)
endforeach()
# The act and dve engines' waveform (FILE.vec.fst).
add_test(NAME cosim.trace_vec COMMAND "${CMAKE_CURRENT_LIST_DIR}/check_vec_waveform.sh" $<TARGET_FILE:tessera>)
# A fault hidden inside its instruction (here the first write of a word that the same
# instruction writes again) is bad input too, not a pass; act and dve faults are injected only
# with --rtl act / dve.
add_test(NAME cosim.fault_hidden
         COMMAND "${EXPECT}" 2 --stderr "but no written value changed"
                 -- $<TARGET_FILE:tessera> exec "${CMAKE_CURRENT_LIST_DIR}/vec_hidden_fault.tasm" --mode cosim --rtl dve
                    --config tiny --inject-fault dve:0)
add_test(NAME cosim.bad_fault_act_in_all
         COMMAND "${EXPECT}" 2 --stderr "not in the whole core"
                 -- $<TARGET_FILE:tessera> run mlp_step --mode cosim --rtl all --config tiny --inject-fault act:5)
add_test(NAME cosim.bad_fault_act_not_rtl
         COMMAND "${EXPECT}" 2 --stderr "block act does not run as RTL"
                 -- $<TARGET_FILE:tessera> run mlp_step --mode cosim --rtl pe --config tiny --inject-fault act:5)
# A fault that never fires is bad input, not a silent pass.
add_test(NAME cosim.fault_never_fires
         COMMAND "${EXPECT}" 2 --stderr "wrote nothing at or after cycle"
                 -- $<TARGET_FILE:tessera> run gemm --mode cosim --rtl pe --config tiny --m 8 --n 8 --k 8
                    --inject-fault pe:100000000)
# The sequencers (--rtl seq): a bit flipped in an instruction word on its way into a sequencer
# is caught where the sequencer issues it (the word against the program's), located: exit 1.
add_test(NAME cosim.fault.seq
         COMMAND "${EXPECT}" 1 --stderr "at cycle" --stderr "the RTL sequencer of dma"
                 --stderr "differs from the queue's next instruction" --stderr "in bit 1023"
                 -- $<TARGET_FILE:tessera> run gemm --mode cosim --rtl seq --config small --inject-fault seq:500)
add_test(NAME cosim.bad_seq_with_block
         COMMAND "${EXPECT}" 2 --stderr "seq runs alone"
                 -- $<TARGET_FILE:tessera> run gemm --mode cosim --rtl seq,dma --config tiny)
add_test(NAME cosim.bad_fault_seq_in_all
         COMMAND "${EXPECT}" 2 --stderr "a sequencer fault is injected with --rtl seq"
                 -- $<TARGET_FILE:tessera> run gemm --mode cosim --rtl all --config tiny --inject-fault seq:5)
# Bad input: one line, exit 2.
foreach(case "tensor;unknown block")
  list(GET case 0 block)
  list(GET case 1 msg)
  add_test(NAME cosim.bad_rtl_${block}
           COMMAND "${EXPECT}" 2 --stderr "${msg}" -- $<TARGET_FILE:tessera> run gemm --mode cosim --rtl ${block} --config tiny)
endforeach()
add_test(NAME cosim.bad_needs_rtl COMMAND "${EXPECT}" 2 --stderr "needs --rtl" -- $<TARGET_FILE:tessera> run gemm --mode cosim --config tiny)
add_test(NAME cosim.bad_all_and_block
         COMMAND "${EXPECT}" 2 --stderr "already includes every block" -- $<TARGET_FILE:tessera> run gemm --mode cosim --rtl all,pe --config tiny)
add_test(NAME cosim.bad_fault_block
         COMMAND "${EXPECT}" 2 --stderr "does not run as RTL"
                 -- $<TARGET_FILE:tessera> run gemm --mode cosim --rtl pe --config tiny --inject-fault dma:10)
add_test(NAME cosim.bad_fault_syntax
         COMMAND "${EXPECT}" 2 --stderr "is not BLOCK:CYCLE"
                 -- $<TARGET_FILE:tessera> run gemm --mode cosim --rtl pe --config tiny --inject-fault pe)
add_test(NAME cosim.bad_fault_mode
         COMMAND "${EXPECT}" 2 --stderr "need --mode cosim" -- $<TARGET_FILE:tessera> run gemm --mode tlm --config tiny --inject-fault pe:1)
add_test(NAME cosim.bad_config
         COMMAND "${EXPECT}" 2 --stderr "no verilated blocks are built for config trn1"
                 -- $<TARGET_FILE:tessera> run gemm --mode cosim --rtl pe --config trn1)
get_property(cosim_cli_tests DIRECTORY PROPERTY TESTS)
list(FILTER cosim_cli_tests INCLUDE REGEX "^cosim\\.(fault|trace|bad)")
set_tests_properties(${cosim_cli_tests} PROPERTIES LABELS cosim)
