# The TLM model against the RTL (label tlm): tests/tlm/tlm_vs_rtl.cpp, one process per test
# (SystemC elaborates once per process). Every test requires bit-identical outputs.
#
# Tolerances, measured 2026 on this tree (docs/tlm.md "Measured agreement"):
# total cycles: the SPEC's 1% contract. Measured: gemm small +0.20%, gemm tiny +0.43%,
# act.tasm tiny -0.79%, dve.tasm tiny -0.84%. Per-instruction exactness is not asserted: the
# DMA model is not cycle exact (SBUF bank conflicts with the tensor engine, DRAM arbitration),
# and every pe/act/dve instruction waits on some DMA transfer.
if(TARGET tessera_tlm AND TARGET tessera_rtl_core)
  add_executable(tlm_vs_rtl ${CMAKE_CURRENT_LIST_DIR}/tlm_vs_rtl.cpp)
  target_link_libraries(tlm_vs_rtl PRIVATE tessera_tlm tessera_rtl_core tessera_core)
  target_compile_options(tlm_vs_rtl PRIVATE ${TESSERA_WARNINGS})

  set(tlm_programs "${CMAKE_CURRENT_LIST_DIR}/../programs")
  add_test(NAME "tlm.vs_rtl.gemm_small" COMMAND tlm_vs_rtl --config small --kernel gemm --max-cycles-error 1)
  add_test(NAME "tlm.vs_rtl.gemm_tiny" COMMAND tlm_vs_rtl --config tiny --kernel gemm --max-cycles-error 1)
  add_test(NAME "tlm.vs_rtl.act_program" COMMAND tlm_vs_rtl --config tiny --program "${tlm_programs}/act.tasm"
                                                 --max-cycles-error 1)
  add_test(NAME "tlm.vs_rtl.dve_program" COMMAND tlm_vs_rtl --config tiny --program "${tlm_programs}/dve.tasm"
                                                 --max-cycles-error 1)
  set_tests_properties("tlm.vs_rtl.gemm_small" "tlm.vs_rtl.gemm_tiny" "tlm.vs_rtl.act_program"
                       "tlm.vs_rtl.dve_program" PROPERTIES LABELS tlm)
endif()
