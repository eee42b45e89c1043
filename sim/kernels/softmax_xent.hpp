// softmax_xent (SPEC section 9): mean cross-entropy loss of logits against labels, and dlogits.
#pragma once

#include <cstdint>
#include <functional>
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

// The per-row [rows, 1] fp32 columns of the sequence below (one set per buffer).
struct SoftmaxCols {
  Tile mx, nm, s, rs, xy, y, ey, num, den, q, l;
};
SoftmaxCols softmax_cols(KernelBuilder& b);
// The body of softmax_xent for one row tile (for kernels that compose it, e.g. mlp_step): logits
// `x`, `onehot` (overwritten with onehot * x) and `e` are [bt, C] fp32 patterns of whole rows;
// `e` receives dlogits = (softmax - onehot) * inv_b (`after_dlogits` runs right after its last
// instruction, e.g. to store it), and ones^T . (row losses) goes to total[0, 0] (PSUM,
// accumulating when `accumulate`). `ones` is an fp32 [>= bt, 1] tile of 1.0. It is the four
// parts below in order; a kernel may emit them apart (the row losses are a long serial sequence
// of [bt, 1] instructions that the in-order engines would otherwise run before later work).
void emit_softmax_xent_rows(KernelBuilder& b, const isa::Ap& x, const isa::Ap& onehot, const isa::Ap& e,
                            const SoftmaxCols& cols, unsigned iters, float inv_b, const Tile& ones, const Tile& total,
                            bool accumulate, const std::function<void()>& after_dlogits = {});
// e = dlogits (and cols.mx, cols.s: the row max and sum of exponentials).
void emit_softmax_dlogits(KernelBuilder& b, const isa::Ap& x, const isa::Ap& onehot, const isa::Ap& e,
                          const SoftmaxCols& cols, float inv_b);
// xy [bt, 1] = the logit of each row's class, from x and onehot (overwritten with onehot * x).
void emit_softmax_xy(KernelBuilder& b, const isa::Ap& x, const isa::Ap& onehot, const isa::Ap& xy);
// cols.l = the rows' losses m + ln s - x_y from cols.mx, cols.s and cols.xy, on `width` columns
// of `rows` partitions at once (each column a row tile's; the other columns of cols are the
// sequence's temporaries).
void emit_softmax_ln_losses(KernelBuilder& b, const SoftmaxCols& cols, uint32_t rows, uint32_t width, unsigned iters);
// ones^T . l into total[0, 0] (PSUM, accumulating when `accumulate`): the rows' losses l [bt, 1]
// summed over the partitions.
void emit_row_loss_sum(KernelBuilder& b, const Tile& ones, const Tile& total, const isa::Ap& l, bool accumulate);
// Halley iterations used for classes C.
unsigned softmax_log_iterations(uint64_t classes);
// The one-hot [B, C] fp32 tensor of integer labels (from a '<i4'/'<i8' labels file, SPEC
// section 7); InputError naming the row for a label outside [0, C).
HostTensor onehot_from_labels(const std::vector<int64_t>& labels, uint64_t classes);
// Turns random `onehot` into a one-hot tensor of reproducible labels (label_b from `seed`).
void prepare_softmax_xent(Tensors& inputs, uint64_t seed);
Reference reference_softmax_xent(const Tensors& inputs);

// One row of the reference with logits that carry errors (Ev, e.g. computed by an earlier
// stage): dlogits (values from the exact formula, bounds from the kernel's sequence) and the
// row's loss m + ln s - x_y. inv_b: fl(1/B) as a constant.
struct SoftmaxRowRef {
  std::vector<Ev> dl;
  Ev loss;
};
SoftmaxRowRef softmax_xent_row_reference(const std::vector<Ev>& logits, const double* onehot, Ev inv_b);
// The mean of the row losses as the kernel forms it: a sum (any order) times fl(1/B).
Ev softmax_mean_loss(const std::vector<Ev>& losses, Ev inv_b);

}  // namespace tessera::kernels
