// bias_gelu forward and backward (SPEC section 9): y = gelu_tanh(x + b), and its gradients.
#pragma once

#include <cstdint>

#include "config/core_config.hpp"
#include "isa/program.hpp"
#include "registry.hpp"
#include "train_util.hpp"

namespace tessera::kernels {

// Inputs x [M,N] fp32 and b [N] fp32; output y [M,N] fp32. Transposed layout: features n on
// partitions, rows m along the free dimension (transposing DMA loads and stores), so b is a
// per-partition column and the whole kernel is one activation per tile:
// y^T = gelu_tanh(x^T * 1 + b).
isa::Program build_bias_gelu(const CoreConfig& config, uint64_t m, uint64_t n);
Reference reference_bias_gelu(const Tensors& inputs);

// Inputs dy [M,N], x [M,N], b [N] fp32; outputs dx [M,N] = dy * gelu_tanh'(x + b) and
// db [N] = sum_m dx. Same layout; db is a free-dimension reduction per tile accumulated over
// the row tiles. gelu_tanh'(u) = s (1 + u w' (1 - s)), s = sigmoid(w), w = u (C1 + C3 u^2),
// w' = C1 + 3 C3 u^2, C1 = 2 sqrt(2/pi), C3 = 0.044715 C1 (docs/kernels.md).
isa::Program build_bias_gelu_bwd(const CoreConfig& config, uint64_t m, uint64_t n);
Reference reference_bias_gelu_bwd(const Tensors& inputs);

// The derivative part of the backward on fp32 patterns of one shape, for kernels that compose
// it: given u (the pre-activation) and v = u^2, dx = dy * gelu_tanh'(u) by the sequence above
// (v, t, s are overwritten; dx may be v; dy may be in PSUM).
void emit_gelu_tanh_grad(KernelBuilder& b, const isa::Ap& u, const isa::Ap& v, const isa::Ap& t, const isa::Ap& s,
                         const isa::Ap& dy, const isa::Ap& dx);
// Its reference: value dy * gelu_tanh'(u) (PyTorch's formula), bound from the sequence with
// v = u^2 formed by one rounding; u and dy carry their own errors.
Ev ev_gelu_tanh_grad(Ev u, Ev dy);

}  // namespace tessera::kernels
