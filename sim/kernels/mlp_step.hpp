// mlp_step (SPEC sections 8 and 9): one whole training step of the two-layer MLP of
// `tessera train mlp` on the core: forward, mean cross-entropy loss, backward and the optimizer
// update, as one program (the builder overlaps the engines).
//
//   h = x @ w1.T + b1;  a = gelu(h, approximate='tanh');  logits = a @ w2.T + b2
//   loss = cross_entropy(logits, y) (mean);  backward;  AdamW or plain SGD on fp32 master weights
//
// Matmul operands are bf16 (RNE), everything else fp32 (docs/kernels.md "mlp_step").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/core_config.hpp"
#include "isa/program.hpp"
#include "optim.hpp"
#include "registry.hpp"
#include "train_util.hpp"

namespace tessera::kernels {

struct MlpShape {
  uint64_t batch = 32, in = 32, hidden = 64, classes = 10;  // B, D, H, C
  // Rows per pass: a larger batch runs in passes whose weight gradients are summed in SBUF
  // (gradient accumulation inside the one step; same step, other fp32 summation order).
  uint64_t micro_batch = 256;
};

struct MlpStepParams {
  bool sgd = false;  // plain SGD p -= lr g (no momentum, no weight decay) instead of AdamW
  // lr (both optimizers), betas, eps, weight decay and the step t (AdamW's bias corrections).
  AdamwParams h;
};

// DRAM tensors (fp32, PyTorch layouts): in x [B,D], onehot [B,C] (one 1.0 per row, from the
// integer labels); inout w1 [H,D], b1 [H], w2 [C,H], b2 [C] and, for AdamW, their moments
// w1_m, w1_v, b1_m, b1_v, w2_m, w2_v, b2_m, b2_v (same shapes); out loss [1] (the forward's
// mean loss, before the update). InputError when the shape does not fit the SBUF or PSUM.
isa::Program build_mlp_step(const CoreConfig& config, const MlpShape& shape, const MlpStepParams& params);

// The parameter names, in order: w1, b1, w2, b2.
const std::vector<std::string>& mlp_param_names();

// Multiply-adds x 2 of the model's five matmuls (forward 2, backward 3; no dx):
// 2 B (2 D H + 3 H C). The basis of the MFU of `tessera train mlp`.
uint64_t mlp_step_model_flops(const MlpShape& shape);

// The whole step in double precision from the same inputs (PyTorch's formulas, no rounding at
// all: not even the bf16 operands), and per output element a bound on the kernel's error
// derived from its instruction sequence with the running error analysis of docs/kernels.md,
// each bf16 operand rounding counted as |bf16(z) - z| <= 2^-8 |z| + 2^-134.
Reference reference_mlp_step(const Tensors& inputs, const MlpShape& shape, const MlpStepParams& params);

// |bf16(z) - z| for the value the kernel rounds: exact for an input value ...
Ev ev_bf16_of_input(double x);
// ... and the bound for a computed one: e + 2^-8 (|v| + e) + 2^-134.
Ev ev_bf16(Ev x);

}  // namespace tessera::kernels
