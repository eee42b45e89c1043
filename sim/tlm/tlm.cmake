# The SystemC TLM-2.0 model of the core (docs/tlm.md); included by sim/CMakeLists.txt.
add_library(tessera_tlm STATIC
  ${CMAKE_CURRENT_LIST_DIR}/engine.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fabric.cpp
  ${CMAKE_CURRENT_LIST_DIR}/isolated.cpp
  ${CMAKE_CURRENT_LIST_DIR}/memories.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pe_engine.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tlm_run.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vec_timing.cpp)
target_include_directories(tessera_tlm PUBLIC "${CMAKE_CURRENT_LIST_DIR}/..")
target_link_libraries(tessera_tlm PUBLIC tessera_core PkgConfig::SYSTEMC)
target_compile_options(tessera_tlm PRIVATE ${TESSERA_WARNINGS})
