# Sequencers, semaphores and deadlock detector (docs/seq.md), included by tb/CMakeLists.txt.
set(TESSERA_SEQ_TB_SOURCES
  "${CMAKE_SOURCE_DIR}/rtl/lint/verilator_waivers.vlt"
  "${TESSERA_GEN_DIR}/rtl/tessera_isa_pkg.sv"
  "${CMAKE_SOURCE_DIR}/rtl/seq/semaphores.sv"
  "${CMAKE_SOURCE_DIR}/rtl/seq/deadlock.sv"
  "${CMAKE_SOURCE_DIR}/rtl/seq/sequencer.sv")

# Two shapes: the default (4 queues, FetchDepth 3, InflightDepth 8) and a tight one (3 queues,
# FetchDepth 2, InflightDepth 2) that keeps the prefetch buffer and the in-flight table full.
foreach(variant "default;4;3;8" "tight;3;2;2")
  list(GET variant 0 name)
  list(GET variant 1 queues)
  list(GET variant 2 fetch_depth)
  list(GET variant 3 inflight_depth)
  set(target tb_seq_${name})
  add_executable(${target} seq/test_seq.cpp)
  verilate(${target}
    SOURCES ${TESSERA_SEQ_TB_SOURCES} "${CMAKE_CURRENT_SOURCE_DIR}/seq/seq_top.sv"
    TOP_MODULE seq_top
    PREFIX Vseq_top
    DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/${target}.verilated"
    OPT_SLOW ${TESSERA_VERILATED_OPT_SLOW}
    VERILATOR_ARGS -Wall -GQueues=${queues} -GFetchDepth=${fetch_depth} -GInflightDepth=${inflight_depth}
                   --x-initial unique --assert)
  target_compile_definitions(${target} PRIVATE SEQ_QUEUES=${queues} SEQ_FETCH_DEPTH=${fetch_depth}
                                               SEQ_INFLIGHT_DEPTH=${inflight_depth})
  target_include_directories(${target} PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}")
  target_link_libraries(${target} PRIVATE tessera_core tessera_catch_main Catch2::Catch2)
  catch_discover_tests(${target} TEST_PREFIX "rtl.seq.${name}: " PROPERTIES LABELS rtl)
endforeach()

add_test(NAME rtl.lint.sequencer
         COMMAND verilator --lint-only -Wall --top-module sequencer "${CMAKE_SOURCE_DIR}/rtl/lint/verilator_waivers.vlt"
                 "${TESSERA_GEN_DIR}/rtl/tessera_isa_pkg.sv" "${CMAKE_SOURCE_DIR}/rtl/seq/sequencer.sv")
set_tests_properties(rtl.lint.sequencer PROPERTIES LABELS rtl)
add_test(NAME rtl.lint.semaphores
         COMMAND verilator --lint-only -Wall --top-module semaphores "${CMAKE_SOURCE_DIR}/rtl/lint/verilator_waivers.vlt"
                 "${CMAKE_SOURCE_DIR}/rtl/seq/semaphores.sv")
set_tests_properties(rtl.lint.semaphores PROPERTIES LABELS rtl)
add_test(NAME rtl.lint.deadlock
         COMMAND verilator --lint-only -Wall --top-module deadlock "${CMAKE_SOURCE_DIR}/rtl/lint/verilator_waivers.vlt"
                 "${CMAKE_SOURCE_DIR}/rtl/seq/deadlock.sv")
set_tests_properties(rtl.lint.deadlock PROPERTIES LABELS rtl)
add_test(NAME rtl.lint.seq_cluster
         COMMAND verilator --lint-only -Wall --top-module seq_cluster "${CMAKE_SOURCE_DIR}/rtl/lint/verilator_waivers.vlt"
                 "${TESSERA_GEN_DIR}/rtl/tessera_isa_pkg.sv" "${CMAKE_SOURCE_DIR}/rtl/seq/semaphores.sv"
                 "${CMAKE_SOURCE_DIR}/rtl/seq/deadlock.sv" "${CMAKE_SOURCE_DIR}/rtl/seq/sequencer.sv"
                 "${CMAKE_SOURCE_DIR}/rtl/seq/seq_cluster.sv")
set_tests_properties(rtl.lint.seq_cluster PROPERTIES LABELS rtl)
