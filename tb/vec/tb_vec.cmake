# The activation and vector engines (rtl/vec), per preset (tiny, small, trn1), against the reference
# model and, cycle by cycle, the TLM's timing model (sim/tlm/vec_timing.*). Included by
# tb/CMakeLists.txt.
set(TESSERA_VEC_SOURCES
  "${CMAKE_SOURCE_DIR}/rtl/lint/verilator_waivers.vlt"
  "${TESSERA_GEN_DIR}/rtl/tessera_isa_pkg.sv"
  "${CMAKE_SOURCE_DIR}/rtl/common/ap_pkg.sv"
  "${CMAKE_SOURCE_DIR}/rtl/fpu/tessera_fp_pkg.sv"
  "${CMAKE_SOURCE_DIR}/rtl/fpu/fp_round.sv"
  "${CMAKE_SOURCE_DIR}/rtl/fpu/fp32_round.sv"
  "${CMAKE_SOURCE_DIR}/rtl/fpu/fp_widen.sv"
  "${CMAKE_SOURCE_DIR}/rtl/fpu/fp_narrow.sv"
  "${CMAKE_SOURCE_DIR}/rtl/pe/pe.sv"
  "${CMAKE_SOURCE_DIR}/rtl/act/act_pkg.sv"
  "${CMAKE_SOURCE_DIR}/rtl/dve/dve_pkg.sv"
  "${CMAKE_SOURCE_DIR}/rtl/vec/vec_pkg.sv"
  "${CMAKE_SOURCE_DIR}/rtl/vec/vec_walk.sv"
  "${CMAKE_SOURCE_DIR}/rtl/vec/vec_engine.sv"
  "${CMAKE_SOURCE_DIR}/rtl/vec/vec_engines.sv")

foreach(preset tiny small trn1)  # trn1: 128 lanes, transpose blocks narrower than the partitions
  set(rows ${TESSERA_PRESET_${preset}_rows})
  tessera_mem_aw(${preset} mem_aw)
  set(target tb_vec_${preset})
  add_executable(${target} vec/test_vec_engines.cpp "${CMAKE_SOURCE_DIR}/sim/tlm/vec_timing.cpp")
  verilate(${target}
    SOURCES ${TESSERA_VEC_SOURCES}
    TOP_MODULE vec_engines
    PREFIX Vvec_engines
    DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/${target}.verilated"
    OPT_SLOW ${TESSERA_VERILATED_OPT_SLOW}
    VERILATOR_ARGS -Wall -GRows=${rows} -GMemAw=${mem_aw} --x-initial unique --assert)
  target_compile_definitions(${target} PRIVATE TESSERA_PRESET="${preset}")
  target_include_directories(${target} PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}")
  target_link_libraries(${target} PRIVATE tessera_core tessera_catch_main Catch2::Catch2)
  catch_discover_tests(${target} TEST_PREFIX "rtl.vec.${preset}: " PROPERTIES LABELS rtl)
endforeach()

add_test(NAME rtl.lint.vec
         COMMAND verilator --lint-only -Wall --top-module vec_engines ${TESSERA_VEC_SOURCES})
set_tests_properties(rtl.lint.vec PROPERTIES LABELS rtl)

# vec_pkg's widen / narrow against the reference numerics, code by code.
add_executable(tb_vec_convert vec/test_vec_convert.cpp)
verilate(tb_vec_convert
  SOURCES "${CMAKE_SOURCE_DIR}/rtl/lint/verilator_waivers.vlt" "${TESSERA_GEN_DIR}/rtl/tessera_isa_pkg.sv"
          "${CMAKE_SOURCE_DIR}/rtl/fpu/tessera_fp_pkg.sv" "${CMAKE_SOURCE_DIR}/rtl/pe/pe.sv"
          "${CMAKE_SOURCE_DIR}/rtl/act/act_pkg.sv" "${CMAKE_SOURCE_DIR}/rtl/dve/dve_pkg.sv"
          "${CMAKE_SOURCE_DIR}/rtl/vec/vec_pkg.sv" "${CMAKE_CURRENT_SOURCE_DIR}/vec/vec_convert_probe.sv"
  TOP_MODULE vec_convert_probe
  PREFIX Vvec_convert_probe
  DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/tb_vec_convert.verilated"
  OPT_SLOW ${TESSERA_VERILATED_OPT_SLOW}
  VERILATOR_ARGS -Wall)
target_include_directories(tb_vec_convert PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}")
target_link_libraries(tb_vec_convert PRIVATE tessera_core tessera_catch_main Catch2::Catch2)
catch_discover_tests(tb_vec_convert TEST_PREFIX "rtl.vec_convert: " PROPERTIES LABELS rtl)
