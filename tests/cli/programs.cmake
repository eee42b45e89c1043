# Command-line tests of bad input to `tessera run gemm`, `exec`, `asm` and `disasm`, and of the
# example programs in tests/programs/ (label: unit). Included from tests/CMakeLists.txt after
# tessera_cli_test(), EXPECT and DATA are defined.
#
# Every bad-input test expects exit 2 (3 for the deadlock) and one 'tessera: error:' line naming
# the problem (tests/cli/expect_exit.sh). A test whose command writes files (--out-dir,
# --report, asm -o) points them at its own scratch directory, spelled <OUT> below, and
# tests/cli/expect_no_outputs.sh then checks that nothing, not even a hidden temporary, was left
# there (SPEC section 12: never a half-written output).
#
# Fixtures: tests/cli/data/npy_*.npy and prog_*.npy (written once by
# tests/cli/make_npy_fixtures.py), tests/cli/data/*.tasm (each a small program with one defect,
# marked '# <-'); example programs and their hand-derived results: tests/programs/.

set(CLI_DIR "${CMAKE_CURRENT_LIST_DIR}")
get_filename_component(PROGRAMS "${CMAKE_CURRENT_LIST_DIR}/../programs" ABSOLUTE)
set(NO_OUTPUTS "${CLI_DIR}/expect_no_outputs.sh")
set(CLI_SCRATCH "${CMAKE_CURRENT_BINARY_DIR}/cli_scratch")
find_program(DEBIAN_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)  # numpy (python3-numpy)

# tessera_cli_no_outputs(name code [--stdout T]... [--stderr T]... -- COMMAND...)
# code may also be --deadlock (see expect_no_outputs.sh). <OUT> in COMMAND is the scratch dir.
function(tessera_cli_no_outputs name code)
  set(dir "${CLI_SCRATCH}/${name}")
  string(REPLACE "<OUT>" "${dir}" args "${ARGN}")
  add_test(NAME "cli.${name}" COMMAND "${NO_OUTPUTS}" "${dir}" ${code} ${args})
  set_tests_properties("cli.${name}" PROPERTIES LABELS unit)
endfunction()

# Splits ARGN at "--" into <prefix>_OPTS (expect options) and <prefix>_ARGS (command arguments).
# (No argument may hold an unbalanced '[': CMake does not split a list inside square brackets,
# so the expected texts below avoid half-open ranges such as "[2, 6)".)
macro(_tessera_split prefix)
  list(FIND ARGN "--" _sep)
  if(_sep LESS 0)
    message(FATAL_ERROR "tests/cli/programs.cmake: missing '--' in ${ARGN}")
  endif()
  list(SUBLIST ARGN 0 ${_sep} ${prefix}_OPTS)
  math(EXPR _sep "${_sep} + 1")
  set(${prefix}_ARGS "")
  list(LENGTH ARGN _len)
  if(_sep LESS _len)
    list(SUBLIST ARGN ${_sep} -1 ${prefix}_ARGS)
  endif()
endmacro()

# tessera_gemm_bad(name [--stderr T]... -- RUN_GEMM_ARGS...): `tessera run gemm` on config tiny,
# exit 2, no outputs left in --out-dir or --report.
function(tessera_gemm_bad name)
  _tessera_split(g ${ARGN})
  tessera_cli_no_outputs(${name} 2 ${g_OPTS} -- $<TARGET_FILE:tessera> run gemm --config tiny ${g_ARGS}
                         --out-dir <OUT> --report <OUT>/report.json)
endfunction()

# tessera_exec_bad(name PROGRAM [--stderr T]... -- EXEC_ARGS...): `tessera exec PROGRAM` on
# config tiny, exit 2, no outputs left behind.
function(tessera_exec_bad name program)
  _tessera_split(e ${ARGN})
  tessera_cli_no_outputs(${name} 2 ${e_OPTS} -- $<TARGET_FILE:tessera> exec "${program}" --config tiny ${e_ARGS}
                         --out-dir <OUT> --report <OUT>/report.json)
endfunction()

# tessera_asm_bad(name PROGRAM [--stderr T]...): `tessera asm PROGRAM -o <OUT>/x.bin`, exit 2,
# no binary written.
function(tessera_asm_bad name program)
  tessera_cli_no_outputs(${name} 2 ${ARGN} -- $<TARGET_FILE:tessera> asm "${program}" -o <OUT>/x.bin)
endfunction()

# tessera_bad_binary(name PROGRAM COMMAND KIND WANT...): see tests/cli/bad_binary.sh.
function(tessera_bad_binary name program command kind)
  add_test(NAME "cli.${name}"
           COMMAND "${CLI_DIR}/bad_binary.sh" $<TARGET_FILE:tessera> "${DEBIAN_PYTHON3}" "${program}" ${command} ${kind}
                   ${ARGN})
  set_tests_properties("cli.${name}" PROPERTIES LABELS unit)
endfunction()

set(A48 "${DATA}/npy_a_4x8.npy")  # a valid A[M=4, K=8]
set(B84 "${DATA}/npy_b_8x4.npy")  # a valid B[K=8, N=4]

# --- 1. `run gemm`: .npy inputs ------------------------------------------------------------------
tessera_gemm_bad(gemm_npy_truncated --stderr "npy_truncated.npy" --stderr "truncated"
                 -- --in a=${DATA}/npy_truncated.npy)
tessera_gemm_bad(gemm_npy_not_npy --stderr "npy_not_npy.npy" --stderr "not a .npy file"
                 -- --in a=${DATA}/npy_not_npy.npy)
tessera_gemm_bad(gemm_npy_missing --stderr "no_such.npy" --stderr "no such file"
                 -- --in a=${DATA}/no_such.npy)
tessera_gemm_bad(gemm_npy_directory --stderr "is a directory" -- --in b=${DATA})
tessera_gemm_bad(gemm_npy_rank1 --stderr "npy_a_1d.npy" --stderr "must be 2-D" -- --in a=${DATA}/npy_a_1d.npy)
tessera_gemm_bad(gemm_npy_rank3 --stderr "npy_a_3d.npy" --stderr "must be 2-D" -- --in a=${DATA}/npy_a_3d.npy)
tessera_gemm_bad(gemm_npy_shape_vs_m --stderr "--m is 5" -- --in a=${A48} --m 5)
tessera_gemm_bad(gemm_npy_shape_vs_k --stderr "--k is 7" -- --in a=${A48} --k 7)
tessera_gemm_bad(gemm_npy_shape_vs_n --stderr "--n is 3" -- --in b=${B84} --k 8 --n 3)
tessera_gemm_bad(gemm_npy_b_shape_vs_k --stderr "npy_b_8x4.npy" --stderr "--k is 6" -- --in b=${B84} --k 6)
tessera_gemm_bad(gemm_npy_contraction_mismatch --stderr "contraction sizes differ"
                 -- --in a=${A48} --in b=${DATA}/npy_b_6x4.npy)
tessera_gemm_bad(gemm_npy_dtype_i4 --stderr "<i4" --stderr "bf16" -- --in a=${DATA}/npy_a_4x8_i4.npy)
tessera_gemm_bad(gemm_npy_dtype_u2_for_fp16 --stderr "<u2" --stderr "fp16"
                 -- --dtype fp16 --in a=${DATA}/prog_pe_b2.npy)
tessera_gemm_bad(gemm_npy_dtype_f8 --stderr "<f8" -- --in a=${DATA}/npy_a_4x8_f8.npy)
tessera_gemm_bad(gemm_in_unknown_name --stderr "'z' is not an input" -- --in z=${A48})
tessera_gemm_bad(gemm_in_no_equals --stderr "is not NAME=FILE.npy" -- --in ${A48})
tessera_gemm_bad(gemm_in_empty_name --stderr "is not NAME=FILE.npy" -- --in =${A48})
tessera_gemm_bad(gemm_in_empty_file --stderr "is not NAME=FILE.npy" -- --in a=)
tessera_gemm_bad(gemm_in_twice --stderr "--in a given twice" -- --in a=${A48} --in a=${A48})

# --- 2. `run gemm`: sizes --------------------------------------------------------------------------
tessera_gemm_bad(gemm_m_zero --stderr "--m must be at least 1, not 0" -- --m 0)
tessera_gemm_bad(gemm_k_negative --stderr "--k must be at least 1, not -3" -- --k -3)
tessera_gemm_bad(gemm_k_negative_equals --stderr "--k must be at least 1, not -3" -- --k=-3)
tessera_gemm_bad(gemm_n_zero --stderr "--n must be at least 1, not 0" -- --n 0)
tessera_gemm_bad(gemm_m_not_a_number --stderr "--m" -- --m four)

# --- 3. `run` / `exec`: kernel, config, dtype, mode, flags -----------------------------------------
tessera_cli_no_outputs(run_unknown_kernel 2 --stderr "conv" -- $<TARGET_FILE:tessera> run conv --out-dir <OUT>)
tessera_cli_no_outputs(gemm_unknown_config 2 --stderr "unknown config 'huge' (known: tiny, small, trn1)"
                       -- $<TARGET_FILE:tessera> run gemm --config huge --out-dir <OUT>)
tessera_gemm_bad(gemm_unknown_dtype --stderr "fp64" -- --dtype fp64)
tessera_gemm_bad(gemm_unknown_mode --stderr "gpu" -- --mode gpu)
tessera_gemm_bad(gemm_trace_in_tlm --stderr "--trace needs --mode rtl" -- --mode tlm --trace <OUT>/w.fst)
tessera_cli_no_outputs(gemm_rtl_trn1_not_built 2 --stderr "no verilated core is built for config trn1"
                       -- $<TARGET_FILE:tessera> run gemm --config trn1 --mode rtl --out-dir <OUT>)
tessera_gemm_bad(gemm_rtl_window_no_trace --stderr "--trace-window and --trace-depth need --trace" -- --mode rtl --trace-window 0:9)
tessera_gemm_bad(gemm_rtl_window_reversed --stderr "--trace-window '9:3' is not A:B" -- --mode rtl --trace <OUT>/w.fst --trace-window 9:3)
tessera_gemm_bad(gemm_rtl_window_garbage --stderr "--trace-window 'x:3' is not A:B" -- --mode rtl --trace <OUT>/w.fst --trace-window x:3)
tessera_gemm_bad(gemm_rtl_trace_no_dir --stderr "does not exist" -- --mode rtl --trace <OUT>/nope/w.fst)
tessera_gemm_bad(gemm_rtl_trace_extension --stderr "must end in .fst or .vcd" -- --mode rtl --trace <OUT>/w.txt)
tessera_gemm_bad(gemm_rtl_trace_depth_negative --stderr "--trace-depth" -- --mode rtl --trace <OUT>/w.fst --trace-depth -1)
tessera_gemm_bad(gemm_trace_in_ref --stderr "--trace" -- --trace <OUT>/wave.fst)
tessera_gemm_bad(gemm_trace_window_in_ref --stderr "--trace" -- --trace-window 0:100)
tessera_gemm_bad(gemm_timeline_in_ref --stderr "--timeline" -- --timeline <OUT>/timeline.json)
tessera_gemm_bad(gemm_rtl_blocks_in_ref --stderr "--rtl" -- --rtl pe)
tessera_exec_bad(exec_unknown_mode "${PROGRAMS}/dma.tasm" --stderr "gpu" -- --mode gpu)
tessera_cli_no_outputs(exec_unknown_config 2 --stderr "unknown config 'huge'"
                       -- $<TARGET_FILE:tessera> exec "${PROGRAMS}/dma.tasm" --config huge --out-dir <OUT>)
tessera_exec_bad(exec_trace_in_ref "${PROGRAMS}/dma.tasm" --stderr "--trace" -- --trace <OUT>/wave.vcd)
# The report cannot be written (its path is the output directory itself): exit 2 and none of the
# staged .npy files may appear (outputs are committed only when everything was written).
tessera_cli_no_outputs(exec_report_unwritable 2 --stderr "cannot write"
                       -- $<TARGET_FILE:tessera> exec "${PROGRAMS}/dma.tasm" --config tiny --in x=${DATA}/prog_dma_x.npy
                          --out-dir <OUT> --report <OUT>)

# `exec` inputs: names, shapes and dtypes checked against the program's .tensor declarations.
set(PE_IN --in a=${DATA}/prog_pe_a.npy --in b=${DATA}/prog_pe_b.npy --in ones=${DATA}/prog_pe_ones.npy
          --in b2=${DATA}/prog_pe_b2.npy)
tessera_exec_bad(exec_in_output_tensor "${PROGRAMS}/pe.tasm" --stderr "'c' is not an input (inputs: a, b, ones, b2)"
                 -- --in c=${DATA}/prog_pe_a.npy)
tessera_exec_bad(exec_in_unknown_name "${PROGRAMS}/pe.tasm" --stderr "'z' is not an input" -- --in z=${A48})
tessera_exec_bad(exec_in_wrong_shape "${PROGRAMS}/pe.tasm" --stderr "input 'a' is [4,4]" -- --in a=${A48})
tessera_exec_bad(exec_in_wrong_dtype "${PROGRAMS}/pe.tasm" --stderr "<i4" -- --in b=${DATA}/npy_a_4x8_i4.npy)
tessera_exec_bad(exec_in_f4_for_bf16_shape "${PROGRAMS}/pe.tasm" --stderr "input 'b2' is [4,8]"
                 -- --in b2=${DATA}/npy_b_8x4.npy)
tessera_exec_bad(exec_in_truncated "${PROGRAMS}/pe.tasm" --stderr "truncated" -- --in a=${DATA}/npy_truncated.npy)
tessera_exec_bad(exec_in_twice "${PROGRAMS}/pe.tasm" --stderr "given twice" -- ${PE_IN} --in a=${DATA}/prog_pe_a.npy)

# --- 4. malformed programs -------------------------------------------------------------------------
tessera_asm_bad(asm_unknown_instruction "${DATA}/tasm_unknown_instruction.tasm"
                --stderr "tasm_unknown_instruction.tasm:4:" --stderr "unknown instruction 'tensor_frobnicate'")
tessera_asm_bad(asm_unknown_operand "${DATA}/tasm_unknown_operand.tasm" --stderr ":2: memset has no operand 'colour'")
tessera_asm_bad(asm_missing_operand "${DATA}/tasm_missing_operand.tasm" --stderr ":2: tensor_copy needs operand 'src'")
tessera_asm_bad(asm_bad_ap_dim "${DATA}/tasm_bad_ap_dim.tasm" --stderr "bad access pattern" --stderr "COUNTxSTRIDE")
tessera_asm_bad(asm_bad_ap_partitions "${DATA}/tasm_bad_ap_partitions.tasm" --stderr "bad access pattern"
                --stderr "[first:end]")
tessera_asm_bad(asm_bad_ap_dtype "${DATA}/tasm_bad_ap_dtype.tasm" --stderr "'fp64' is not a dtype")
tessera_asm_bad(asm_bad_ap_four_dims "${DATA}/tasm_bad_ap_four_dims.tasm" --stderr "more than 3 dimensions")
tessera_asm_bad(asm_before_engine "${DATA}/tasm_before_engine.tasm" --stderr ":2: instruction before any .engine")
tessera_asm_bad(asm_unknown_directive "${DATA}/tasm_unknown_directive.tasm" --stderr ":2: unknown directive '.section'")
tessera_asm_bad(asm_unknown_engine "${DATA}/tasm_unknown_engine.tasm" --stderr ":1: .engine takes one engine name")
tessera_asm_bad(asm_wrong_engine "${DATA}/tasm_wrong_engine.tasm"
                --stderr ":3: dma_copy is a dma instruction, not for engine pe")
tessera_asm_bad(asm_part_count_300 "${DATA}/tasm_part_count_300.tasm" --stderr "sbuf[0:300]" --stderr "beyond 256")
tessera_asm_bad(asm_count_too_wide "${DATA}/tasm_count_too_wide.tasm" --stderr "field 'dst.n0' = 1048576 does not fit its 20 bits")
tessera_asm_bad(asm_addr_too_wide "${DATA}/tasm_addr_too_wide.tasm" --stderr "field 'src.addr'" --stderr "40 bits")
tessera_asm_bad(asm_semaphore_signal "${DATA}/tasm_semaphore_signal.tasm" --stderr "semaphore 's64' beyond s63")
tessera_asm_bad(asm_semaphore_wait "${DATA}/tasm_semaphore_wait.tasm" --stderr "semaphore 's99' beyond s63")
tessera_asm_bad(asm_bad_enum "${DATA}/tasm_bad_enum.tasm" --stderr "'softplus' is not a valid func")
tessera_asm_bad(asm_tensor_not_dram "${DATA}/tasm_bad_tensor.tasm" --stderr "tensor 'x' must live in dram")
tessera_asm_bad(asm_missing_file "${DATA}/no_such.tasm" --stderr "no_such.tasm: no such file")
tessera_asm_bad(asm_directory "${DATA}" --stderr "not a regular file")
# The same checks through exec, and the queue count, which only a configuration can check.
tessera_exec_bad(exec_unknown_instruction "${DATA}/tasm_unknown_instruction.tasm"
                 --stderr "unknown instruction 'tensor_frobnicate'" --)
tessera_exec_bad(exec_wrong_engine "${DATA}/tasm_wrong_engine.tasm" --stderr "not for engine pe" --)
tessera_exec_bad(exec_dma9_on_tiny "${DATA}/tasm_dma9.tasm" --stderr "engine dma9 does not exist: config tiny has 2 DMA queues" --)
tessera_exec_bad(exec_directory "${DATA}" --stderr "not a regular file" --)
# disasm takes binaries only.
tessera_cli_test(disasm_text_file 2 --stderr "pe.tasm: not a Tessera program binary (bad magic)"
                 -- $<TARGET_FILE:tessera> disasm "${PROGRAMS}/pe.tasm")
tessera_cli_test(disasm_missing_file 2 --stderr "no such file" -- $<TARGET_FILE:tessera> disasm "${DATA}/no_such.bin")
# Damaged binaries (assembled from tests/programs/pe.tasm at test time, then damaged).
tessera_bad_binary(exec_binary_truncated "${PROGRAMS}/pe.tasm" exec truncated "bad.bin" "truncated program binary")
tessera_bad_binary(exec_binary_header_only "${PROGRAMS}/pe.tasm" exec header_only "bad.bin" "truncated program binary")
tessera_bad_binary(exec_binary_bad_magic "${PROGRAMS}/pe.tasm" exec bad_magic "bad.bin"
                   "neither .tasm text nor a Tessera program binary")
tessera_bad_binary(exec_binary_trailing "${PROGRAMS}/pe.tasm" exec trailing "bad.bin" "trailing bytes")
tessera_bad_binary(exec_binary_unknown_opcode "${PROGRAMS}/pe.tasm" exec field:pe:0:opcode=200 "bad.bin"
                   "pe instruction 0" "unknown opcode 200")
tessera_bad_binary(exec_binary_wrong_engine "${PROGRAMS}/pe.tasm" exec field:dma0:0:opcode=1 "bad.bin"
                   "load_stationary is a pe instruction, not for engine dma0")
tessera_bad_binary(exec_binary_bad_space "${PROGRAMS}/pe.tasm" exec field:pe:1:dst.space=3 "not a valid space")
tessera_bad_binary(exec_binary_dram_partitions "${PROGRAMS}/pe.tasm" exec field:dma0:0:src.parts=4
                   "dma0 instruction 0" "DRAM patterns have no partitions")
tessera_bad_binary(disasm_binary_truncated "${PROGRAMS}/pe.tasm" disasm truncated "bad.bin" "truncated program binary")
tessera_bad_binary(disasm_binary_bad_magic "${PROGRAMS}/pe.tasm" disasm bad_magic "bad.bin" "bad magic")
tessera_bad_binary(disasm_binary_trailing "${PROGRAMS}/pe.tasm" disasm trailing "bad.bin" "trailing bytes")
tessera_bad_binary(disasm_binary_empty "${PROGRAMS}/pe.tasm" disasm empty "bad.bin" "truncated program binary")
tessera_bad_binary(disasm_binary_bad_dtype "${PROGRAMS}/pe.tasm" disasm field:dma0:1:src.dtype=7
                   "dma0 instruction 1" "not a valid dtype")

# --- 5. out-of-range access patterns (config tiny: 4 partitions, 4 KiB SBUF, 16 MiB DRAM) ----------
tessera_exec_bad(ap_sbuf_offset "${DATA}/ap_sbuf_offset.tasm"
                 --stderr "dve instruction 0 (memset): dst touches bytes" --stderr "4112) of each sbuf partition, which has 4096" --)
tessera_exec_bad(ap_partitions "${DATA}/ap_partitions.tasm" --stderr "dve instruction 0 (memset): dst partitions" --stderr "6) outside the 4 of config tiny" --)
tessera_exec_bad(ap_dram_range "${DATA}/ap_dram_range.tasm" --stderr "dma0 instruction 0 (dma_copy): src touches DRAM bytes" --)
tessera_exec_bad(ap_negative_stride "${DATA}/ap_negative_stride.tasm" --stderr "dst touches bytes" --stderr "-8, 8)" --)
tessera_exec_bad(ap_misaligned "${DATA}/ap_misaligned.tasm" --stderr "dst address 0x2 is not aligned" --)
tessera_exec_bad(ap_dram_stride_misaligned "${DATA}/ap_dram_stride_misaligned.tasm" --stderr "stride 3 bytes is not a multiple" --)
tessera_exec_bad(dma_overlap "${DATA}/dma_overlap.tasm" --stderr "dst overlaps src in the same memory" --)
tessera_exec_bad(ap_psum_range "${DATA}/ap_psum_range.tasm" --stderr "of each psum partition, which has 256" --)
tessera_exec_bad(ap_tensor_outside_dram "${DATA}/ap_tensor_outside_dram.tasm" --stderr "tensor 'x'" --stderr "outside" --)

# --- 6. PSUM and tensor-engine rules ----------------------------------------------------------------
tessera_exec_bad(psum_bank_crossing "${DATA}/psum_bank_cross.tasm"
                 --stderr "pe instruction 1 (multiply_moving): dst bytes" --stderr "96) overflow PSUM bank 0" --)
tessera_exec_bad(psum_n_max "${DATA}/psum_n_max.tasm" --stderr "moving free size 17 exceeds N max 16" --)
tessera_exec_bad(psum_no_stationary "${DATA}/psum_no_stationary.tasm" --stderr "no load_stationary before it" --)
tessera_exec_bad(psum_dst_not_fp32 "${DATA}/psum_dst_dtype.tasm" --stderr "dst must be fp32 in psum" --)
tessera_exec_bad(pe_stationary_too_wide "${DATA}/psum_stationary_cols.tasm" --stderr "exceeds the array's 4 columns" --)

# --- 7. deadlock: exit 3, 'tessera: error: deadlock...' then each engine's state ------------------
tessera_cli_no_outputs(exec_deadlock --deadlock --engine dma0 --engine dve --engine act
                       --stderr "dma0: done" --stderr "waits for s5 >= 1 (s5 = 0)" --stderr "waits for s2 >= 1"
                       -- $<TARGET_FILE:tessera> exec "${DATA}/deadlock.tasm" --config tiny --out-dir <OUT>
                          --report <OUT>/report.json)
# ... and under the RTL sequencers (--rtl seq): their deadlock flag, where each queue stands.
tessera_cli_no_outputs(exec_deadlock_rtl_seq --deadlock --engine dma0 --engine dve --engine act
                       --stderr "deadlock: the RTL sequencers detected one at cycle"
                       --stderr "dma0: 1 of 1 instructions completed" --stderr "act: 0 of 1 instructions completed"
                       -- $<TARGET_FILE:tessera> exec "${DATA}/deadlock.tasm" --config tiny --mode cosim --rtl seq
                          --out-dir <OUT> --report <OUT>/report.json)

# --- good path: the example programs ------------------------------------------------------------------
set(IN_pe ${PE_IN})
set(IN_act --in x=${DATA}/prog_act_x.npy --in sb=${DATA}/prog_act_sb.npy)
set(IN_dve --in p=${DATA}/prog_dve_p.npy --in q=${DATA}/prog_dve_q.npy --in v=${DATA}/prog_dve_v.npy)
set(IN_dma --in x=${DATA}/prog_dma_x.npy)
# Every opcode, enum value and operand form through asm -> disasm -> asm.
add_test(NAME cli.program_roundtrip.all_forms
         COMMAND "${PROGRAMS}/roundtrip.sh" $<TARGET_FILE:tessera> "${PROGRAMS}/all_forms.tasm")
set_tests_properties(cli.program_roundtrip.all_forms PROPERTIES LABELS unit)
foreach(prog pe act dve dma)
  set(checker "${PROGRAMS}/exec_and_check.sh" $<TARGET_FILE:tessera> "${DEBIAN_PYTHON3}" ${prog})
  add_test(NAME "cli.program_exec.${prog}"
           COMMAND ${checker} -- "${PROGRAMS}/${prog}.tasm" --config tiny ${IN_${prog}})
  add_test(NAME "cli.program_exec_binary.${prog}"
           COMMAND ${checker} --binary -- "${PROGRAMS}/${prog}.tasm" --config tiny ${IN_${prog}})
  add_test(NAME "cli.program_roundtrip.${prog}"
           COMMAND "${PROGRAMS}/roundtrip.sh" $<TARGET_FILE:tessera> "${PROGRAMS}/${prog}.tasm")
  # Random inputs (no --in) run too, on the smallest and the default configuration.
  tessera_cli_test(program_exec_random.${prog} 0 --stdout "${prog} on tiny (ref mode)"
                   -- $<TARGET_FILE:tessera> exec "${PROGRAMS}/${prog}.tasm" --config tiny --seed 7)
  tessera_cli_test(program_exec_small.${prog} 0 --stdout "${prog} on small (ref mode)"
                   -- $<TARGET_FILE:tessera> exec "${PROGRAMS}/${prog}.tasm")
  set_tests_properties("cli.program_exec.${prog}" "cli.program_exec_binary.${prog}" "cli.program_roundtrip.${prog}"
                       PROPERTIES LABELS unit)
endforeach()

# --- regressions of bugs found by these tests -------------------------------------------------------
# A binary whose access pattern has a dimension count of 0 (crashed the reference model).
tessera_bad_binary(exec_binary_zero_count "${PROGRAMS}/dve.tasm" exec field:dve:3:src.n0=0 "dve instruction 3" "count")
# A .tensor shape whose element count overflows 64 bits (was an internal error at output time).
tessera_exec_bad(exec_tensor_shape_overflow "${DATA}/bug_tensor_shape_overflow.tasm" --stderr "tensor 'x'" --)
# `run gemm --in b=B.npy` without --k takes K from b (took the default 64 of the absent a).
tessera_cli_test(gemm_in_b_only 0 --stdout "output c [64,4]" -- $<TARGET_FILE:tessera> run gemm --config tiny --in b=${B84})
# A second wait= (or signal=) on one instruction is an error (silently replaced the first).
tessera_asm_bad(asm_duplicate_wait "${DATA}/bug_duplicate_wait.tasm" --stderr "wait")
# A 2^40-element pattern is rejected before anything is allocated (ran out of memory).
tessera_exec_bad(exec_huge_pattern "${DATA}/huge_pattern.tasm" --stderr "elements per partition" --)
# An empty program is malformed (ran and reported nothing).
tessera_exec_bad(exec_empty_program "${DATA}/empty.tasm" --stderr "holds no instructions" --)
tessera_asm_bad(asm_empty_program "${DATA}/empty.tasm" --stderr "holds no instructions")
# asm of a binary says so (blamed line 1 for a missing .engine).
tessera_cli_test(asm_of_binary 2 --stderr "neither .tasm text" -- $<TARGET_FILE:tessera> asm $<TARGET_FILE:tessera>)
# A negative seed is bad input (CLI11 wrapped it to a huge unsigned value).
tessera_cli_test(gemm_seed_negative 2 --stderr "--seed" -- $<TARGET_FILE:tessera> run gemm --config tiny --m 2 --n 2 --k 2 --seed -1)

# --- 9. the timed models, --mode rtl (tests core.*, label rtl) and --mode tlm (tlm.*, label tlm) ---
# Each example program, outputs against the hand-derived values and bit-exact with the
# reference model (a difference is exit 1); gemm on every dtype, ragged shapes, tiny and small,
# bit-exact and within the fp64 bound; every training kernel: exit 0 needs the fp64 check to
# pass and the outputs to be bit-exact.
set(timed_gemm_shapes "5 7 9" "4 4 4" "13 37 21")
function(tessera_timed_mode_tests mode prefix label)
  foreach(prog pe act dve dma)
    add_test(NAME "${prefix}.program_exec.${prog}"
             COMMAND "${PROGRAMS}/exec_and_check.sh" $<TARGET_FILE:tessera> "${DEBIAN_PYTHON3}" ${prog}
                     -- "${PROGRAMS}/${prog}.tasm" --config tiny --mode ${mode} ${ARGN} ${IN_${prog}})
    set_tests_properties("${prefix}.program_exec.${prog}" PROPERTIES LABELS ${label} ENVIRONMENT TESSERA_MODE=${mode})
  endforeach()
  foreach(preset tiny small)
    foreach(dtype fp32 bf16 fp16 e4m3 e5m2)
      set(i 0)
      foreach(shape IN LISTS timed_gemm_shapes)
        separate_arguments(mnk UNIX_COMMAND "${shape}")
        list(GET mnk 0 m)
        list(GET mnk 1 n)
        list(GET mnk 2 k)
        set(name "${prefix}.gemm.${preset}.${dtype}.${m}x${n}x${k}")
        add_test(NAME "${name}"
                 COMMAND "${EXPECT}" 0 --stdout "vs ref: bit-exact" --stdout "check vs fp64: pass"
                         -- $<TARGET_FILE:tessera> run gemm --mode ${mode} ${ARGN} --config ${preset} --dtype ${dtype}
                            --m ${m} --n ${n} --k ${k} --seed ${i})
        set_tests_properties("${name}" PROPERTIES LABELS ${label})
        math(EXPR i "${i} + 1")
      endforeach()
    endforeach()
  endforeach()
  foreach(kernel linear_bwd bias_gelu bias_gelu_bwd softmax_xent layernorm layernorm_bwd rmsnorm adamw sgd_momentum mlp_step)
    foreach(preset tiny small)
      add_test(NAME "${prefix}.kernel.${kernel}.${preset}"
               COMMAND "${EXPECT}" 0 --stdout "vs ref: bit-exact" --stdout "${kernel} on ${preset} (${mode} mode)"
                       -- $<TARGET_FILE:tessera> run ${kernel} --mode ${mode} ${ARGN} --config ${preset} --seed 3)
      set_tests_properties("${prefix}.kernel.${kernel}.${preset}" PROPERTIES LABELS ${label})
    endforeach()
  endforeach()
  # mlp_step with its batch in three passes, the gradients summed in SBUF (--micro-batch)
  add_test(NAME "${prefix}.kernel.mlp_step.tiny.passes"
           COMMAND "${EXPECT}" 0 --stdout "vs ref: bit-exact" --stdout "check vs fp64: pass"
                   -- $<TARGET_FILE:tessera> run mlp_step --mode ${mode} ${ARGN} --config tiny --seed 3
                      --batch 12 --in-features 8 --hidden 16 --classes 4 --micro-batch 4)
  set_tests_properties("${prefix}.kernel.mlp_step.tiny.passes" PROPERTIES LABELS ${label})
endfunction()
tessera_timed_mode_tests(rtl core rtl)
tessera_timed_mode_tests(tlm tlm tlm)
# Co-simulation (docs/cosim.md), lockstep-checked: the tensor engine and DMA engine as RTL
# inside the TLM model, and the whole verilated core inside SystemC.
tessera_timed_mode_tests(cosim cosim cosim --rtl pe,dma)
tessera_timed_mode_tests(cosim cosim_all cosim --rtl all)
# The RTL SBUF and PSUM behind every TLM engine (each instruction's operands through their ports,
# matmul rows accumulated by psum.sv); and every block with RTL inside the TLM model, the RTL
# tensor engine and DMA reaching the RTL SBUF and PSUM through their ports.
tessera_timed_mode_tests(cosim cosim_mem cosim --rtl sbuf,psum)
tessera_timed_mode_tests(cosim cosim_blocks cosim --rtl pe,dma,sbuf,psum)
# The RTL act and dve engines (rtl/vec, cosim_vec) in place of the TLM's, alone and with every
# other block inside the TLM model: the act and dve programs and every kernel with activation or
# vector-engine work beyond copies (not gemm and linear_bwd), lockstep-checked and bit-exact
# against the reference.
foreach(prog act dve)
  add_test(NAME cosim_ext.program_exec.${prog}
           COMMAND "${PROGRAMS}/exec_and_check.sh" $<TARGET_FILE:tessera> "${DEBIAN_PYTHON3}" ${prog}
                   -- "${PROGRAMS}/${prog}.tasm" --config tiny --mode cosim --rtl act,dve ${IN_${prog}})
  set_tests_properties(cosim_ext.program_exec.${prog} PROPERTIES LABELS cosim ENVIRONMENT TESSERA_MODE=cosim)
endforeach()
foreach(kernel bias_gelu bias_gelu_bwd softmax_xent layernorm layernorm_bwd rmsnorm adamw sgd_momentum mlp_step)
  foreach(preset tiny small)
    foreach(blocks act,dve pe,dma,sbuf,psum,act,dve)
      string(REPLACE "," "_" tag "${blocks}")
      add_test(NAME "cosim_ext.kernel.${kernel}.${preset}.${tag}"
               COMMAND "${EXPECT}" 0 --stdout "vs ref: bit-exact" --stdout "${kernel} on ${preset} (cosim mode)"
                       -- $<TARGET_FILE:tessera> run ${kernel} --mode cosim --rtl ${blocks} --config ${preset} --seed 3)
      set_tests_properties("cosim_ext.kernel.${kernel}.${preset}.${tag}" PROPERTIES LABELS cosim)
    endforeach()
  endforeach()
endforeach()

# A deadlock found by the RTL (its deadlock detector, not the reference model's): exit 3, each
# engine's state, the cycle.
tessera_cli_no_outputs(core_deadlock --deadlock --engine dma0 --engine dve --engine act
                       --stderr "deadlock at cycle" --stderr "next: memset"
                       -- $<TARGET_FILE:tessera> exec "${DATA}/deadlock.tasm" --config tiny --mode rtl --out-dir <OUT>)
set_tests_properties(cli.core_deadlock PROPERTIES LABELS rtl)
# Random DRAM back-pressure changes the cycles, never the results.
add_test(NAME core.gemm.backpressure.small
         COMMAND "${EXPECT}" 0 --stdout "vs ref: bit-exact" -- $<TARGET_FILE:tessera> run gemm --mode rtl --config small
                 --dtype fp16 --m 20 --n 40 --k 40 --dram-backpressure --seed 5)
set_tests_properties(core.gemm.backpressure.small PROPERTIES LABELS rtl)
# A waveform window: FST readable by fst2vcd, the tensor engine's signals in it, only the window's
# cycles dumped; and a timeline that is valid trace-event JSON with a track per engine.
add_test(NAME core.waveform_and_timeline
         COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/cli/check_waveform.sh" $<TARGET_FILE:tessera> "${DEBIAN_PYTHON3}")
set_tests_properties(core.waveform_and_timeline PROPERTIES LABELS rtl)

tessera_cli_no_outputs(tlm_deadlock --deadlock --engine dma0 --engine dve --engine act
                       -- $<TARGET_FILE:tessera> exec "${DATA}/deadlock.tasm" --config tiny --mode tlm --out-dir <OUT>)
set_tests_properties(cli.tlm_deadlock PROPERTIES LABELS tlm)

# tessera bench: runs, every SPEC key present and a number (not null), the gemm bit-exact in
# both timed models (bench exits 3 otherwise), every kernel of `tessera list kernels` reported.
add_test(NAME cli.bench_tiny
         COMMAND "${DEBIAN_PYTHON3}" -c "import json,subprocess,sys,tempfile,os
d=tempfile.mkdtemp(); p=os.path.join(d,'b.json')
subprocess.run([sys.argv[1],'bench','--config','tiny','--json',p],check=True,stdout=subprocess.DEVNULL)
r=json.load(open(p))
for k in ('rtl_pe_cycles_per_s','rtl_core_cycles_per_s','tlm_speedup_vs_rtl','tlm_vs_native_gemm'):
    assert isinstance(r[k],float) and r[k]>0, (k,r[k])
g=r['gemm']; assert g['cycles']>0 and 0<g['mfu']<=1, g
names=[l.split()[0] for l in subprocess.run([sys.argv[1],'list','kernels'],check=True,stdout=subprocess.PIPE,text=True).stdout.splitlines()[1:] if l and not l[0].isspace()]
assert sorted(r['kernels'])==sorted(names), (sorted(r['kernels']),names)
for n,k in r['kernels'].items(): assert k['cycles']>0 and 0<=k['mfu']<=1, (n,k)
assert r['kernels']['gemm']['mfu']>0 and r['kernels']['mlp_step']['mfu']>0, r['kernels']
print('bench ok')" $<TARGET_FILE:tessera>)
set_tests_properties(cli.bench_tiny PROPERTIES LABELS rtl)
