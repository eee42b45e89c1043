#include "softmax_xent.hpp"

#include <algorithm>
#include <cmath>

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
    Tile mx, nm, s, rs, xy, y, ey, num, den, q, l;
  } buf[2];
  for (Buf& B : buf) {
    for (Tile* t : {&B.x, &B.oh, &B.e}) *t = b.sbuf_tile(f32, rows, f);
    for (Tile* t : {&B.mx, &B.nm, &B.s, &B.rs, &B.xy, &B.y, &B.ey, &B.num, &B.den, &B.q, &B.l})
      *t = b.sbuf_tile(f32, rows, 1);
  }
  const Tile ones = b.sbuf_tile(f32, rows, 1);
  const Tile total = b.psum_bank(1, 1);
  const Tile lsum = b.sbuf_tile(f32, 1, 1);
  memset(b, ones.ap(), 1.0f);
  unsigned it = 0;
  for (uint64_t r0 = 0; r0 < batch; r0 += rows, ++it) {
    const auto bt = static_cast<uint32_t>(std::min<uint64_t>(rows, batch - r0));
    const Buf& B = buf[it % 2];
    auto ap = [&](const Tile& t) { return t.ap(0, bt, 0, static_cast<uint32_t>(t.free == 1 ? 1 : classes)); };
    const auto c = static_cast<uint32_t>(classes);
    b.dma(ap(B.x), x.rows(r0, bt, 0, c), 0);
    b.dma(ap(B.oh), oh.rows(r0, bt, 0, c), 1);
    reduce(b, "max", ap(B.mx), ap(B.x));                                          // m = max_c x
    ts(b, ap(B.nm), ap(B.mx), "mul", imm(-1.0f));                                 // -m
    const isa::Col s_col = col_addr(B.s);
    act(b, ActFunc::kExp, ap(B.e), ap(B.x), imm(1.0f), col_of(B.nm), &s_col);    // e = exp(x - m), s = sum e
    act(b, ActFunc::kReciprocal, ap(B.rs), ap(B.s));                              // 1 / s
    ts(b, ap(B.e), ap(B.e), "mul", col_of(B.rs));                                 // softmax
    tt(b, "sub", ap(B.e), ap(B.e), ap(B.oh));                                     // - onehot
    ts(b, ap(B.e), ap(B.e), "mul", imm(inv_b));                                   // / B
    b.dma(dl.rows(r0, bt, 0, c), ap(B.e), 0);
    // x_y = sum_c x * onehot (exact: one product is x_y, the others are zeros).
    tt(b, "mul", ap(B.oh), ap(B.oh), ap(B.x));
    reduce(b, "add", ap(B.xy), ap(B.oh));
    // y = ln s by Halley's iteration from y = 0.
    memset(b, ap(B.y), 0.0f);
    for (unsigned k = 0; k < iters; ++k) {
      act(b, ActFunc::kExp, ap(B.ey), ap(B.y));              // e^y
      tt(b, "sub", ap(B.num), ap(B.s), ap(B.ey));            // s - e^y
      tt(b, "add", ap(B.den), ap(B.s), ap(B.ey));            // s + e^y
      act(b, ActFunc::kReciprocal, ap(B.den), ap(B.den));    // 1 / (s + e^y)
      tt(b, "mul", ap(B.q), ap(B.num), ap(B.den));           // q
      ts(b, ap(B.q), ap(B.q), "mul", imm(2.0f));             // 2 q (exact)
      tt(b, "add", ap(B.y), ap(B.y), ap(B.q));               // y + 2 q
    }
    tt(b, "add", ap(B.l), ap(B.mx), ap(B.y));                // m + ln s
    tt(b, "sub", ap(B.l), ap(B.l), ap(B.xy));                // - x_y: this row's loss
    // Sum over the rows (partitions): ones^T . l, accumulated in PSUM over the row tiles.
    b.load_stationary(ones.ap(0, bt, 0, 1));
    b.multiply_moving(total.ap(0, 1, 0, 1), ap(B.l), r0 > 0);
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

Reference reference_softmax_xent(const Tensors& in) {
  const HostTensor& xt = in.at("logits");
  const uint64_t batch = xt.shape[0], classes = xt.shape[1];
  const std::vector<double> x = values(xt), oh = values(in.at("onehot"));
  const Ev inv_b = ev_const(1.0 / static_cast<double>(batch), static_cast<float>(1.0 / static_cast<double>(batch)));
  Reference ref;
  std::vector<Ev>& dl = ref["dlogits"];
  std::vector<Ev> losses;
  for (uint64_t r = 0; r < batch; ++r) {
    const double* row = &x[r * classes];
    const double m = *std::max_element(row, row + classes);
    double s = 0, xy = 0;
    for (uint64_t c = 0; c < classes; ++c) s += std::exp(row[c] - m), xy += row[c] * oh[r * classes + c];
    // Bounds: the kernel's sequence.
    std::vector<Ev> e(classes);
    Ev es{0, 0};
    for (uint64_t c = 0; c < classes; ++c) {
      e[c] = ev_act(ActFunc::kExp, ev_sub(ev_exact(row[c]), ev_exact(m)));
      es = c == 0 ? e[c] : ev_add(es, e[c]);  // left to right, from the first element
    }
    const Ev rs = ev_act(ActFunc::kReciprocal, es);
    for (uint64_t c = 0; c < classes; ++c) {
      const Ev d = ev_mul(ev_sub(ev_mul(e[c], rs), ev_exact(oh[r * classes + c])), inv_b);
      dl.push_back({(std::exp(row[c] - m) / s - oh[r * classes + c]) / static_cast<double>(batch), d.e});
    }
    // ln of the computed sum: the last Halley step's roundings at y = ln s, plus the exact
    // step's residual |d|^3 / 12 for |d| <= 2^-10, plus the sum's own error through ln.
    const Ev ls{std::log(s), 0}, se{s, 0};
    const Ev ey = ev_act(ActFunc::kExp, ls);
    const Ev q = ev_mul(ev_sub(se, ey), ev_act(ActFunc::kReciprocal, ev_add(se, ey)));
    const Ev y1 = ev_add(ls, ev_mul(q, ev_exact(2)));
    const double log_err = y1.e + kConverged * kConverged * kConverged / 12 + es.e / (s - es.e);
    const Ev l = ev_sub(ev_add(ev_exact(m), Ev{std::log(s), log_err}), ev_exact(xy));
    losses.push_back(l);
  }
  const Ev total = ev_sum(losses);
  const Ev mean = ev_mul(total, inv_b);
  double exact = 0;
  for (const Ev& l : losses) exact += l.v;
  ref["loss"] = {Ev{exact / static_cast<double>(batch), mean.e}};
  return ref;
}

}  // namespace tessera::kernels
