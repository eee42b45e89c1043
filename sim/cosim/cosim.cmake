# Co-simulation (docs/cosim.md); included by sim/CMakeLists.txt after the core.
# The lockstep checker and the RTL tensor engine's TLM engine belong to the TLM library; the
# verilated blocks (tensor engine, DMA engine, SBUF, PSUM, the sequencers alone and the act/dve engines, one set per preset in
# TESSERA_CORE_PRESETS, FST tracing compiled in for --trace-on-mismatch) to tessera_cosim.
target_sources(tessera_tlm PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/checker.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rtl_pe_engine.cpp)

add_library(tessera_cosim STATIC ${CMAKE_CURRENT_LIST_DIR}/blocks.cpp ${CMAKE_CURRENT_LIST_DIR}/core_cosim.cpp)
set(cosim_presets_inc "")
foreach(preset IN LISTS TESSERA_CORE_PRESETS)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/blocks_preset.cpp.in "${TESSERA_GEN_DIR}/cosim_blocks_${preset}.cpp" @ONLY)
  target_sources(tessera_cosim PRIVATE "${TESSERA_GEN_DIR}/cosim_blocks_${preset}.cpp")
  foreach(block pe dma sbuf psum seq vec)
    verilate(tessera_cosim
      SOURCES "${TESSERA_GEN_DIR}/rtl/${preset}/tessera_cfg_pkg.sv" ${TESSERA_CORE_SOURCES}
              "${CMAKE_CURRENT_LIST_DIR}/rtl/cosim_${block}.sv"
      TOP_MODULE cosim_${block}
      PREFIX Vcosim_${block}_${preset}
      DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/cosim_${block}_${preset}.verilated"
      TRACE_FST
      OPT_SLOW ${TESSERA_VERILATED_OPT_SLOW}
      VERILATOR_ARGS -Wall --x-initial unique --assert)
  endforeach()
  string(APPEND cosim_presets_inc "TESSERA_COSIM(${preset})\n")
endforeach()
file(CONFIGURE OUTPUT "${TESSERA_GEN_DIR}/cosim_presets.inc" CONTENT "${cosim_presets_inc}")
target_include_directories(tessera_cosim PUBLIC "${CMAKE_CURRENT_LIST_DIR}/.." PRIVATE "${TESSERA_GEN_DIR}")
target_link_libraries(tessera_cosim PUBLIC tessera_tlm tessera_rtl_core tessera_rtl_fpu tessera_core)
# Warnings for our sources only, not for the verilated ones.
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/blocks.cpp ${CMAKE_CURRENT_LIST_DIR}/core_cosim.cpp
                            PROPERTIES COMPILE_OPTIONS "${TESSERA_WARNINGS}")
