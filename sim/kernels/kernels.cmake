# The training kernels of SPEC section 9 and the kernel registry (docs/kernels.md); included by
# sim/CMakeLists.txt right after tessera_core is defined.
target_sources(tessera_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/train_util.cpp
  ${CMAKE_CURRENT_LIST_DIR}/linear_bwd.cpp
  ${CMAKE_CURRENT_LIST_DIR}/bias_gelu.cpp
  ${CMAKE_CURRENT_LIST_DIR}/optim.cpp
  ${CMAKE_CURRENT_LIST_DIR}/softmax_xent.cpp
  ${CMAKE_CURRENT_LIST_DIR}/layernorm.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mlp_step.cpp
  ${CMAKE_CURRENT_LIST_DIR}/registry.cpp)
