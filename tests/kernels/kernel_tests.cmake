# Training kernels in ref mode against double precision, within the bounds derived in
# docs/kernels.md (label: kernel). Included from tests/CMakeLists.txt.
add_executable(test_kernels ${CMAKE_CURRENT_LIST_DIR}/test_kernels.cpp)
target_include_directories(test_kernels PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}")
target_link_libraries(test_kernels PRIVATE tessera_core tessera_catch_main Catch2::Catch2)
target_compile_options(test_kernels PRIVATE ${TESSERA_WARNINGS})
catch_discover_tests(test_kernels
  TEST_PREFIX "kernel: "
  PROPERTIES LABELS kernel)

# tessera train mlp against PyTorch fp32 within the derived bf16 bound (python3-torch, Debian's
# /usr/bin/python3: DEBIAN_PYTHON3 from tests/cli/programs.cmake), the tests that show the
# comparison can fail, and a short rtl run bit-exact with ref (docs/kernels.md).
set(TRAIN_VS_TORCH "${CMAKE_CURRENT_LIST_DIR}/train_vs_torch.py")
set(TRAIN_TINY --config tiny --batch 8 --in-features 8 --hidden 16 --classes 4)
foreach(opt adamw sgd)
  add_test(NAME kernel.train_vs_torch.small.${opt}
           COMMAND "${DEBIAN_PYTHON3}" "${TRAIN_VS_TORCH}" --tessera $<TARGET_FILE:tessera> --optimizer ${opt}
                   --config small --steps 20)
  add_test(NAME kernel.train_vs_torch.tiny.${opt}
           COMMAND "${DEBIAN_PYTHON3}" "${TRAIN_VS_TORCH}" --tessera $<TARGET_FILE:tessera> --optimizer ${opt}
                   ${TRAIN_TINY} --steps 20)
  foreach(perturb lr weight)
    add_test(NAME kernel.train_vs_torch.${perturb}_perturbed_fails.${opt}
             COMMAND "${DEBIAN_PYTHON3}" "${TRAIN_VS_TORCH}" --tessera $<TARGET_FILE:tessera> --optimizer ${opt}
                     --config small --steps 20 --perturb ${perturb} --expect-fail)
  endforeach()
  set_tests_properties(kernel.train_vs_torch.small.${opt} kernel.train_vs_torch.tiny.${opt}
                       kernel.train_vs_torch.lr_perturbed_fails.${opt} kernel.train_vs_torch.weight_perturbed_fails.${opt}
                       PROPERTIES LABELS kernel TIMEOUT 300)
endforeach()
foreach(opt adamw sgd)
  add_test(NAME kernel.train_rtl_bitexact.tiny.${opt}
           COMMAND "${DEBIAN_PYTHON3}" "${TRAIN_VS_TORCH}" --tessera $<TARGET_FILE:tessera> --mode bitexact
                   --optimizer ${opt} ${TRAIN_TINY} --steps 2)
  set_tests_properties(kernel.train_rtl_bitexact.tiny.${opt} PROPERTIES LABELS "kernel;rtl" TIMEOUT 600)
endforeach()
# The command line: outputs, report, bad inputs (exit 2, one line, nothing left behind).
add_test(NAME kernel.train_cli
         COMMAND "${DEBIAN_PYTHON3}" "${TRAIN_VS_TORCH}" --tessera $<TARGET_FILE:tessera> --mode cli)
set_tests_properties(kernel.train_cli PROPERTIES LABELS kernel TIMEOUT 300)
