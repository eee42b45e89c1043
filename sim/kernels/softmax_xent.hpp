// softmax_xent (SPEC section 9): mean cross-entropy loss of logits against labels, and dlogits.
#pragma once

#include <cstdint>
#include <vector>

#include "config/core_config.hpp"
#include "isa/program.hpp"
#include "registry.hpp"
#include "train_util.hpp"

namespace tessera::kernels {

// Inputs logits [B,C] fp32 and onehot [B,C] fp32 (the host builds it from integer labels: one
// 1.0 per row, zeros elsewhere); outputs loss [1] = mean_b (m_b + ln s_b - x_{b,y_b}) and
// dlogits [B,C] = (softmax - onehot) / B. Rows b on partitions, classes along the free
// dimension (a whole row per tile: C is bounded by the SBUF). ln s is computed on chip by
// Halley's iteration y <- y + 2 (s - e^y) / (s + e^y) from y = 0 (the ISA has no log);
// the iteration count is fixed at build time from C (docs/kernels.md). The per-row losses
// are summed across partitions by the tensor engine (a ones stationary), accumulated in PSUM
// over the row tiles.
isa::Program build_softmax_xent(const CoreConfig& config, uint64_t batch, uint64_t classes);
// Halley iterations used for classes C.
unsigned softmax_log_iterations(uint64_t classes);
// The one-hot [B, C] fp32 tensor of integer labels (from a '<i4'/'<i8' labels file, SPEC
// section 7); InputError naming the row for a label outside [0, C).
HostTensor onehot_from_labels(const std::vector<int64_t>& labels, uint64_t classes);
// Turns random `onehot` into a one-hot tensor of reproducible labels (label_b from `seed`).
void prepare_softmax_xent(Tensors& inputs, uint64_t seed);
Reference reference_softmax_xent(const Tensors& inputs);

}  // namespace tessera::kernels
