// linear_bwd (SPEC section 9): the backward pass of a PyTorch Linear layer y = x W^T.
#pragma once

#include <cstdint>

#include "config/core_config.hpp"
#include "isa/program.hpp"
#include "registry.hpp"
#include "train_util.hpp"

namespace tessera::kernels {

struct LinearBwdShape {
  uint64_t m, n, k;  // dY [M,N], W [N,K] (out x in features), X [M,K]
};

// Inputs dy [M,N], w [N,K], x [M,K] in `dtype`; outputs dx = dY.W [M,K] and dw = dY^T.X [N,K],
// fp32. Both are gemms accumulating chunks of `rows` of the contraction in PSUM in increasing
// order; dY^T reaches the array as the stationary of dX through a transposing DMA, and dY
// itself (no transpose) is the stationary of dW.
isa::Program build_linear_bwd(const CoreConfig& config, LinearBwdShape shape, fp::Format dtype);

// Per element: the exact sum C and |c - C| <= g(L+1) sum |products| + L 2^-149, L the
// contraction length (N for dx, M for dw), g(n) = n u / (1 - n u) (as gemm).
Reference reference_linear_bwd(const Tensors& inputs);

}  // namespace tessera::kernels
