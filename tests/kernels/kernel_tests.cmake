# Training kernels in ref mode against double precision, within the bounds derived in
# docs/kernels.md (label: kernel). Included from tests/CMakeLists.txt.
add_executable(test_kernels ${CMAKE_CURRENT_LIST_DIR}/test_kernels.cpp)
target_include_directories(test_kernels PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}")
target_link_libraries(test_kernels PRIVATE tessera_core tessera_catch_main Catch2::Catch2)
target_compile_options(test_kernels PRIVATE ${TESSERA_WARNINGS})
catch_discover_tests(test_kernels
  TEST_PREFIX "kernel: "
  PROPERTIES LABELS kernel)
