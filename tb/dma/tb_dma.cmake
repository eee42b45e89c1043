# The DMA engine (rtl/dma), per preset (tiny, small), against the reference model and the
# AXI4 DRAM model (sim/rtl/axi_dram.hpp). Included by tb/CMakeLists.txt.
set(TESSERA_DMA_SOURCES
  "${CMAKE_SOURCE_DIR}/rtl/lint/verilator_waivers.vlt"
  "${TESSERA_GEN_DIR}/rtl/tessera_isa_pkg.sv"
  "${CMAKE_SOURCE_DIR}/rtl/fpu/tessera_fp_pkg.sv"
  "${CMAKE_SOURCE_DIR}/rtl/fpu/fp_round.sv"
  "${CMAKE_SOURCE_DIR}/rtl/fpu/fp32_round.sv"
  "${CMAKE_SOURCE_DIR}/rtl/fpu/fp_widen.sv"
  "${CMAKE_SOURCE_DIR}/rtl/fpu/fp_narrow.sv"
  "${CMAKE_SOURCE_DIR}/rtl/common/ap_iter.sv"
  "${CMAKE_SOURCE_DIR}/rtl/dma/dma_fifo.sv"
  "${CMAKE_SOURCE_DIR}/rtl/dma/dma_convert.sv"
  "${CMAKE_SOURCE_DIR}/rtl/dma/dma_walk.sv"
  "${CMAKE_SOURCE_DIR}/rtl/dma/dma_burst_former.sv"
  "${CMAKE_SOURCE_DIR}/rtl/dma/dma_channel.sv"
  "${CMAKE_SOURCE_DIR}/rtl/dma/dma_engine.sv")

foreach(preset tiny small)
  set(rows ${TESSERA_PRESET_${preset}_rows})
  set(queues ${TESSERA_PRESET_${preset}_dma_queues})
  tessera_mem_aw(${preset} mem_aw)
  # AxiBytes = the power of two >= DRAM bytes per cycle, at least 8.
  set(axi_bytes 8)
  while(axi_bytes LESS TESSERA_PRESET_${preset}_dram_bytes_per_cycle)
    math(EXPR axi_bytes "${axi_bytes} * 2")
  endwhile()
  set(target tb_dma_${preset})
  add_executable(${target} dma/test_dma.cpp)
  verilate(${target}
    SOURCES ${TESSERA_DMA_SOURCES}
    TOP_MODULE dma_engine
    PREFIX Vdma_engine
    DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/${target}.verilated"
    OPT_SLOW ${TESSERA_VERILATED_OPT_SLOW}
    VERILATOR_ARGS -Wall -GRows=${rows} -GQueues=${queues} -GMemAw=${mem_aw} -GAxiBytes=${axi_bytes}
                   -GMaxBurstBeats=16 -GOutstandingReads=4 --x-initial unique --assert)
  target_compile_definitions(${target} PRIVATE TESSERA_PRESET="${preset}" TESSERA_DMA_AXI_BYTES=${axi_bytes})
  target_include_directories(${target} PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}")
  target_link_libraries(${target} PRIVATE tessera_core tessera_catch_main Catch2::Catch2)
  catch_discover_tests(${target} TEST_PREFIX "rtl.dma.${preset}: " PROPERTIES LABELS rtl)
endforeach()

add_test(NAME rtl.lint.dma
         COMMAND verilator --lint-only -Wall --top-module dma_engine ${TESSERA_DMA_SOURCES})
set_tests_properties(rtl.lint.dma PROPERTIES LABELS rtl)
