#include "softmax_xent.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "common/errors.hpp"

namespace tessera::kernels {

using fp::ActFunc;

namespace {
constexpr double kConverged = 0x1p-10;  // |y - ln s| before the last iteration (docs/kernels.md)
}

unsigned softmax_log_iterations(uint64_t classes) {
  // Exact Halley steps map the error d = y - ln s to d - 2 tanh(d / 2); the slowest start is
  // d = -ln C (s = C, every logit equal). Count steps until |d| <= 2^-10, then one more.
  double d = -std::log(static_cast<double>(classes));
  unsigned n = 0;
  while (std::fabs(d) > kConverged) d -= 2 * std::tanh(d / 2), ++n;
  return n + 1;
}

SoftmaxCols softmax_cols(KernelBuilder& b) {
  SoftmaxCols c;
  const auto rows = static_cast<uint32_t>(b.config().rows);
  for (Tile* t : {&c.mx, &c.nm, &c.s, &c.rs, &c.xy, &c.y, &c.ey, &c.num, &c.den, &c.q, &c.l})
    *t = b.sbuf_tile(fp::Format::kFp32, rows, 1);
  return c;
}

void emit_row_loss_sum(KernelBuilder& b, const Tile& ones, const Tile& total, const isa::Ap& l, bool accumulate) {
  b.load_stationary(ones.ap(0, l.parts, 0, 1));
  b.multiply_moving(total.ap(0, 1, 0, 1), l, accumulate);
}

void emit_softmax_dlogits(KernelBuilder& b, const isa::Ap& x, const isa::Ap& oh, const isa::Ap& e, const SoftmaxCols& C,
                          float inv_b) {
  const uint32_t bt = x.parts;
  auto ap = [&](const Tile& t) { return t.ap(0, bt, 0, 1); };
  reduce(b, "max", ap(C.mx), x);                                                // m = max_c x
  ts(b, ap(C.nm), ap(C.mx), "mul", imm(-1.0f));                                 // -m
  const isa::Col s_col = col_addr(C.s);
  act(b, ActFunc::kExp, e, x, imm(1.0f), col_of(C.nm), &s_col);                 // e = exp(x - m), s = sum e
  act(b, ActFunc::kReciprocal, ap(C.rs), ap(C.s));                              // 1 / s
  ts(b, e, e, "mul", col_of(C.rs));                                             // softmax
  tt(b, "sub", e, e, oh);                                                       // - onehot
  ts(b, e, e, "mul", imm(inv_b));                                               // / B
}

void emit_softmax_xy(KernelBuilder& b, const isa::Ap& x, const isa::Ap& oh, const isa::Ap& xy) {
  // x_y = sum_c x * onehot (exact: one product is x_y, the others are zeros).
  tt(b, "mul", oh, oh, x);
  reduce(b, "add", xy, oh);
}

void emit_softmax_ln_losses(KernelBuilder& b, const SoftmaxCols& C, uint32_t rows, uint32_t width, unsigned iters) {
  auto ap = [&](const Tile& t) { return t.ap(0, rows, 0, width); };
  // y = ln s by Halley's iteration from y = 0.
  memset(b, ap(C.y), 0.0f);
  for (unsigned k = 0; k < iters; ++k) {
    act(b, ActFunc::kExp, ap(C.ey), ap(C.y));              // e^y
    tt(b, "sub", ap(C.num), ap(C.s), ap(C.ey));            // s - e^y
    tt(b, "add", ap(C.den), ap(C.s), ap(C.ey));            // s + e^y
    act(b, ActFunc::kReciprocal, ap(C.den), ap(C.den));    // 1 / (s + e^y)
    tt(b, "mul", ap(C.q), ap(C.num), ap(C.den));           // q
    ts(b, ap(C.q), ap(C.q), "mul", imm(2.0f));             // 2 q (exact)
    tt(b, "add", ap(C.y), ap(C.y), ap(C.q));               // y + 2 q
  }
  tt(b, "add", ap(C.l), ap(C.mx), ap(C.y));                // m + ln s
  tt(b, "sub", ap(C.l), ap(C.l), ap(C.xy));                // - x_y: the rows' losses
}

void emit_softmax_xent_rows(KernelBuilder& b, const isa::Ap& x, const isa::Ap& oh, const isa::Ap& e,
                            const SoftmaxCols& C, unsigned iters, float inv_b, const Tile& ones, const Tile& total,
                            bool accumulate, const std::function<void()>& after_dlogits) {
  emit_softmax_dlogits(b, x, oh, e, C, inv_b);
  if (after_dlogits) after_dlogits();
  emit_softmax_xy(b, x, oh, C.xy.ap(0, x.parts, 0, 1));
  emit_softmax_ln_losses(b, C, x.parts, 1, iters);
  // Sum over the rows (partitions): ones^T . l, accumulated in PSUM over the row tiles.
  emit_row_loss_sum(b, ones, total, C.l.ap(0, x.parts, 0, 1), accumulate);
}

isa::Program build_softmax_xent(const CoreConfig& config, uint64_t batch, uint64_t classes) {
  KernelBuilder b(config);
  const auto f32 = fp::Format::kFp32;
  const DramTensor x = b.dram_tensor("logits", f32, {batch, classes}, isa::TensorIo::kIn);
  const DramTensor oh = b.dram_tensor("onehot", f32, {batch, classes}, isa::TensorIo::kIn);
  const DramTensor loss = b.dram_tensor("loss", f32, {1}, isa::TensorIo::kOut);
  const DramTensor dl = b.dram_tensor("dlogits", f32, {batch, classes}, isa::TensorIo::kOut);
  const auto rows = static_cast<uint32_t>(config.rows);
  const uint32_t f = fit_free(config, 6, 24, classes, classes, "softmax_xent");
  if (f < classes)
    throw InputError(fmt::format("--c {} is too large for config {}: softmax_xent keeps a whole row in SBUF (at most {})",
                                 classes, config.name, f));
  const unsigned iters = softmax_log_iterations(classes);
  const float inv_b = static_cast<float>(1.0 / static_cast<double>(batch));
  struct Buf {
    Tile x, oh, e;
    SoftmaxCols c;
  } buf[2];
  for (Buf& B : buf) {
    for (Tile* t : {&B.x, &B.oh, &B.e}) *t = b.sbuf_tile(f32, rows, f);
    B.c = softmax_cols(b);
  }
  const Tile ones = b.sbuf_tile(f32, rows, 1);
  const Tile total = b.psum_bank(1, 1);
  const Tile lsum = b.sbuf_tile(f32, 1, 1);
  memset(b, ones.ap(), 1.0f);
  unsigned it = 0;
  for (uint64_t r0 = 0; r0 < batch; r0 += rows, ++it) {
    const auto bt = static_cast<uint32_t>(std::min<uint64_t>(rows, batch - r0));
    const Buf& B = buf[it % 2];
    const auto c = static_cast<uint32_t>(classes);
    const isa::Ap xa = B.x.ap(0, bt, 0, c), oha = B.oh.ap(0, bt, 0, c), ea = B.e.ap(0, bt, 0, c);
    b.dma(xa, x.rows(r0, bt, 0, c), 0);
    b.dma(oha, oh.rows(r0, bt, 0, c), 1);
    emit_softmax_xent_rows(b, xa, oha, ea, B.c, iters, inv_b, ones, total, r0 > 0,
                           [&] { b.dma(dl.rows(r0, bt, 0, c), ea, 0); });
  }
  act(b, ActFunc::kIdentity, lsum.ap(), total.ap(0, 1, 0, 1), imm(inv_b));  // mean
  b.dma(dram_block(loss, 0, 1, 1), lsum.ap(), 1);
  return b.finish();
}

HostTensor onehot_from_labels(const std::vector<int64_t>& labels, uint64_t classes) {
  HostTensor t{fp::Format::kFp32, {labels.size(), classes}, std::vector<uint8_t>(labels.size() * classes * 4, 0)};
  for (uint64_t r = 0; r < labels.size(); ++r) {
    if (labels[r] < 0 || static_cast<uint64_t>(labels[r]) >= classes)
      throw InputError(fmt::format("label {} of row {} is outside [0, {})", labels[r], r, classes));
    t.set_code(r * classes + static_cast<uint64_t>(labels[r]), fp::bits_of(1.0f));
  }
  return t;
}

void prepare_softmax_xent(Tensors& inputs, uint64_t seed) {
  HostTensor& oh = inputs.at("onehot");
  const uint64_t batch = oh.shape[0], classes = oh.shape[1];
  uint64_t state = seed ^ 0x6C6162656C73ull;  // "labels"
  for (uint64_t r = 0; r < batch; ++r) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const uint64_t label = (state >> 33) % classes;
    for (uint64_t c = 0; c < classes; ++c) oh.set_code(r * classes + c, fp::bits_of(c == label ? 1.0f : 0.0f));
  }
}

SoftmaxRowRef softmax_xent_row_reference(const std::vector<Ev>& logits, const double* onehot, Ev inv_b) {
  const size_t classes = logits.size();
  SoftmaxRowRef out;
  Ev m = logits[0];
  for (const Ev& l : logits) m = ev_max(m, l);  // |max of computed - max of exact| <= max e
  double s = 0;
  Ev xy{0, 0};
  for (size_t c = 0; c < classes; ++c) {
    s += std::exp(logits[c].v - m.v);
    xy.v += logits[c].v * onehot[c];
    xy.e += logits[c].e * std::fabs(onehot[c]);  // exact products and sums (one-hot rows)
  }
  // Bounds: the kernel's sequence.
  std::vector<Ev> e(classes);
  Ev es{0, 0};
  for (size_t c = 0; c < classes; ++c) {
    e[c] = ev_exp_nonpositive(ev_sub(logits[c], m));  // x - max x <= 0, computed and exact
    es = c == 0 ? e[c] : ev_add(es, e[c]);  // left to right, from the first element
  }
  const Ev rs = ev_reciprocal_floor(es, 1.0);  // s >= 1, computed and exact (the max contributes 1)
  for (size_t c = 0; c < classes; ++c) {
    const Ev d = ev_mul(ev_sub(ev_mul(e[c], rs), ev_exact(onehot[c])), inv_b);
    out.dl.push_back({(std::exp(logits[c].v - m.v) / s - onehot[c]) * inv_b.v, d.e});
  }
  // ln of the computed sum: the last Halley step's roundings at y = ln s, plus the exact
  // step's residual |d|^3 / 12 for |d| <= 2^-10, plus the sum's own error through ln.
  const Ev ls{std::log(s), 0}, se{s, 0};
  const Ev ey = ev_act(ActFunc::kExp, ls);
  const Ev q = ev_mul(ev_sub(se, ey), ev_act(ActFunc::kReciprocal, ev_add(se, ey)));
  const Ev y1 = ev_add(ls, ev_mul(q, ev_exact(2)));
  const double log_err = y1.e + kConverged * kConverged * kConverged / 12 + es.e / std::max(1.0, s - es.e);
  out.loss = ev_sub(ev_add(m, Ev{std::log(s), log_err}), xy);
  return out;
}

Reference reference_softmax_xent(const Tensors& in) {
  const HostTensor& xt = in.at("logits");
  const uint64_t batch = xt.shape[0], classes = xt.shape[1];
  const std::vector<double> x = values(xt), oh = values(in.at("onehot"));
  const Ev inv_b = ev_const(1.0 / static_cast<double>(batch), static_cast<float>(1.0 / static_cast<double>(batch)));
  Reference ref;
  std::vector<Ev>& dl = ref["dlogits"];
  std::vector<Ev> losses;
  for (uint64_t r = 0; r < batch; ++r) {
    std::vector<Ev> row(classes);
    for (uint64_t c = 0; c < classes; ++c) row[c] = ev_exact(x[r * classes + c]);
    SoftmaxRowRef rr = softmax_xent_row_reference(row, &oh[r * classes], inv_b);
    dl.insert(dl.end(), rr.dl.begin(), rr.dl.end());
    losses.push_back(rr.loss);
  }
  ref["loss"] = {softmax_mean_loss(losses, inv_b)};
  return ref;
}

Ev softmax_mean_loss(const std::vector<Ev>& losses, Ev inv_b) {
  const Ev total = ev_sum(losses);
  const Ev mean = ev_mul(total, inv_b);
  double exact = 0;
  for (const Ev& l : losses) exact += l.v;
  return Ev{exact * inv_b.v, mean.e};
}

}  // namespace tessera::kernels
