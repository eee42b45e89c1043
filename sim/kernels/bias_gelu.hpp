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
// the row tiles. gelu_tanh' is the activation function gelu_tanh_dx (docs/activation.md), which
// adds the bias as it reads x (docs/kernels.md).
isa::Program build_bias_gelu_bwd(const CoreConfig& config, uint64_t m, uint64_t n);
Reference reference_bias_gelu_bwd(const Tensors& inputs);

// The derivative part of the backward on fp32 patterns of one shape, for kernels that compose
// it: g = gelu_tanh_dx(x + bias) (the activation engine; bias an immediate or a column), then
// dx = dy * g (the vector engine). g is overwritten; dx may be g; dy may be in PSUM.
void emit_gelu_tanh_grad(KernelBuilder& b, const isa::Ap& x, isa::Scalar bias, const isa::Ap& g, const isa::Ap& dy,
                         const isa::Ap& dx);
// Its reference: value dy * gelu_tanh'(u) (PyTorch's formula), bound from the sequence (u the
// activation's argument, formed by the caller's model; u and dy carry their own errors).
Ev ev_gelu_tanh_grad(Ev u, Ev dy);

}  // namespace tessera::kernels
