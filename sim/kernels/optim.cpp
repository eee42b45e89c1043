#include "optim.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace tessera::kernels {

using fp::ActFunc;

AdamwConsts adamw_consts(const AdamwParams& h) {
  const double bc1 = 1 - std::pow(h.beta1, static_cast<double>(h.step));
  const double bc2 = 1 - std::pow(h.beta2, static_cast<double>(h.step));
  AdamwConsts k;
  k.b1 = static_cast<float>(h.beta1), k.omb1 = static_cast<float>(1 - h.beta1);
  k.b2 = static_cast<float>(h.beta2), k.omb2 = static_cast<float>(1 - h.beta2);
  k.inv_bc2 = static_cast<float>(1 / bc2), k.alpha = static_cast<float>(h.lr / bc1);
  k.decay = static_cast<float>(1 - h.lr * h.weight_decay), k.eps = static_cast<float>(h.eps);
  return k;
}

namespace {

// The optimizers' flat pieces through the split queues: loads on the first half, stores on the
// rest, each transfer split by partitions over its half.
void load_piece(KernelBuilder& b, SplitQueues& q, const Tile& t, const DramTensor& d, const FlatPiece& pc) {
  q.load(pc.parts, [&](uint32_t p0, uint32_t np, unsigned queue) {
    b.dma(t.ap(p0, np, 0, pc.f), dram_block(d, pc.e0 + uint64_t{p0} * pc.f, np, pc.f), queue);
  });
}
void store_piece(KernelBuilder& b, SplitQueues& q, const DramTensor& d, const Tile& t, const FlatPiece& pc) {
  q.store(pc.parts, [&](uint32_t p0, uint32_t np, unsigned queue) {
    b.dma(dram_block(d, pc.e0 + uint64_t{p0} * pc.f, np, pc.f), t.ap(p0, np, 0, pc.f), queue);
  });
}

}  // namespace

// Seven instructions on each engine, in an order that gives each engine work while the other
// computes what it waits for. An activation `identity` with bias -0 is an fp32 multiply by its
// scale, bit for bit (x + -0 = x for every x, -0 included); `reciprocal` with bias eps is
// 1 / (x + eps) with the same roundings as an add followed by the reciprocal.
void emit_adamw_scale_moments(KernelBuilder& b, const AdamwConsts& k, const isa::Ap& m, const isa::Ap& v) {
  act(b, ActFunc::kIdentity, m, m, imm(k.b1), imm(-0.0f));  // b1 m
  act(b, ActFunc::kIdentity, v, v, imm(k.b2), imm(-0.0f));  // b2 v
}

void emit_adamw_decay(KernelBuilder& b, const AdamwConsts& k, const isa::Ap& p) {
  act(b, ActFunc::kIdentity, p, p, imm(k.decay), imm(-0.0f));  // p (1 - lr wd)
}

void emit_adamw_moments(KernelBuilder& b, const AdamwConsts& k, const isa::Ap& m, const isa::Ap& v, const isa::Ap& g,
                        const isa::Ap& t, const isa::Ap& u, const std::function<void()>& after_m,
                        const std::function<void()>& after_v, bool scaled) {
  act(b, ActFunc::kIdentity, t, g, imm(k.omb1));             // (1 - b1) g
  if (!scaled) {
    ts(b, m, m, "mul", imm(k.b1));                           // b1 m
    act(b, ActFunc::kIdentity, v, v, imm(k.b2), imm(-0.0f));  // b2 v
  }
  tt(b, "add", m, m, t);                                     // m'
  if (after_m) after_m();
  act(b, ActFunc::kSquare, u, g);                          // g^2
  ts(b, u, u, "mul", imm(k.omb2));                         // (1 - b2) g^2
  tt(b, "add", v, v, u);                                   // v'
  if (after_v) after_v();
}

void emit_adamw_step(KernelBuilder& b, const AdamwConsts& k, const isa::Ap& p, const isa::Ap& m, const isa::Ap& v,
                     const isa::Ap& q, bool decayed) {
  act(b, ActFunc::kRsqrt, q, v, imm(k.inv_bc2));                  // 1 / sqrt(v' / bc2)
  if (!decayed) ts(b, p, p, "mul", imm(k.decay));                 // p (1 - lr wd)
  act(b, ActFunc::kReciprocal, q, q);                             // sqrt(v' / bc2)
  act(b, ActFunc::kReciprocal, q, q, imm(1.0f), imm(k.eps));      // 1 / (sqrt + eps)
  tt(b, "mul", q, q, m);                                          // m' / denom
  act(b, ActFunc::kIdentity, q, q, imm(k.alpha), imm(-0.0f));     // * lr / bc1
  tt(b, "sub", p, p, q);                                          // p'
}

void emit_adamw_update(KernelBuilder& b, const AdamwConsts& k, const isa::Ap& p, const isa::Ap& m, const isa::Ap& v,
                       const isa::Ap& g, const isa::Ap& t, const isa::Ap& u, const isa::Ap& q,
                       const std::function<void()>& after_m, const std::function<void()>& after_v) {
  emit_adamw_moments(b, k, m, v, g, t, u, after_m, after_v);
  emit_adamw_step(b, k, p, m, v, q);
}

isa::Program build_adamw(const CoreConfig& config, uint64_t n, const AdamwParams& h) {
  KernelBuilder b(config);
  const auto f32 = fp::Format::kFp32;
  const DramTensor p = b.dram_tensor("p", f32, {n}, isa::TensorIo::kInOut);
  const DramTensor m = b.dram_tensor("m", f32, {n}, isa::TensorIo::kInOut);
  const DramTensor v = b.dram_tensor("v", f32, {n}, isa::TensorIo::kInOut);
  const DramTensor g = b.dram_tensor("g", f32, {n}, isa::TensorIo::kIn);
  DramTensor pb;
  if (h.bf16_copy) pb = b.dram_tensor("p_bf16", fp::Format::kBf16, {n}, isa::TensorIo::kOut);
  const auto rows = static_cast<uint32_t>(config.rows);
  const uint64_t per_part = (n + rows - 1) / rows;
  const uint32_t f = fit_free(config, 2 * 7 + (h.bf16_copy ? 1 : 0), 0, per_part, 1024, "adamw");
  struct Buf {
    Tile p, m, v, g, t, u, q, pb;
  } buf[2];
  for (Buf& B : buf) {
    for (Tile* t : {&B.p, &B.m, &B.v, &B.g, &B.t, &B.u, &B.q}) *t = b.sbuf_tile(f32, rows, f);
    if (h.bf16_copy) B.pb = b.sbuf_tile(fp::Format::kBf16, rows, f);
  }
  const AdamwConsts k = adamw_consts(h);
  SplitQueues dq(b, config);
  unsigned it = 0;
  for (const FlatPiece& pc : flat_pieces(n, rows, f)) {
    const Buf& B = buf[it++ % 2];
    auto ap = [&](const Tile& t) { return t.ap(0, pc.parts, 0, pc.f); };
    load_piece(b, dq, B.g, g, pc);
    load_piece(b, dq, B.m, m, pc);
    load_piece(b, dq, B.v, v, pc);
    load_piece(b, dq, B.p, p, pc);
    emit_adamw_update(b, k, ap(B.p), ap(B.m), ap(B.v), ap(B.g), ap(B.t), ap(B.u), ap(B.q),
                      [&] { store_piece(b, dq, m, B.m, pc); }, [&] { store_piece(b, dq, v, B.v, pc); });
    store_piece(b, dq, p, B.p, pc);
    if (h.bf16_copy) {
      b.tensor_copy(ap(B.pb), ap(B.p), true);
      store_piece(b, dq, pb, B.pb, pc);
    }
  }
  return b.finish();
}

isa::Program build_sgd_momentum(const CoreConfig& config, uint64_t n, const SgdParams& h) {
  KernelBuilder b(config);
  const auto f32 = fp::Format::kFp32;
  const DramTensor p = b.dram_tensor("p", f32, {n}, isa::TensorIo::kInOut);
  const DramTensor bu = b.dram_tensor("buf", f32, {n}, isa::TensorIo::kInOut);
  const DramTensor g = b.dram_tensor("g", f32, {n}, isa::TensorIo::kIn);
  DramTensor pb;
  if (h.bf16_copy) pb = b.dram_tensor("p_bf16", fp::Format::kBf16, {n}, isa::TensorIo::kOut);
  const auto rows = static_cast<uint32_t>(config.rows);
  const uint64_t per_part = (n + rows - 1) / rows;
  const uint32_t f = fit_free(config, 2 * 4 + (h.bf16_copy ? 1 : 0), 0, per_part, 1024, "sgd_momentum");
  struct Buf {
    Tile p, bu, g, q, pb;
  } buf[2];
  for (Buf& B : buf) {
    for (Tile* t : {&B.p, &B.bu, &B.g, &B.q}) *t = b.sbuf_tile(f32, rows, f);
    if (h.bf16_copy) B.pb = b.sbuf_tile(fp::Format::kBf16, rows, f);
  }
  const float mu = static_cast<float>(h.momentum), lr = static_cast<float>(h.lr);
  SplitQueues dq(b, config);
  unsigned it = 0;
  for (const FlatPiece& pc : flat_pieces(n, rows, f)) {
    const Buf& B = buf[it++ % 2];
    auto ap = [&](const Tile& t) { return t.ap(0, pc.parts, 0, pc.f); };
    load_piece(b, dq, B.g, g, pc);
    load_piece(b, dq, B.bu, bu, pc);
    load_piece(b, dq, B.p, p, pc);
    ts(b, ap(B.bu), ap(B.bu), "mul", imm(mu));      // mu buf
    tt(b, "add", ap(B.bu), ap(B.bu), ap(B.g));      // + g
    store_piece(b, dq, bu, B.bu, pc);
    ts(b, ap(B.q), ap(B.bu), "mul", imm(lr));       // lr buf
    tt(b, "sub", ap(B.p), ap(B.p), ap(B.q));        // p - lr buf
    store_piece(b, dq, p, B.p, pc);
    if (h.bf16_copy) {
      b.tensor_copy(ap(B.pb), ap(B.p), true);
      store_piece(b, dq, pb, B.pb, pc);
    }
  }
  return b.finish();
}

std::vector<Ev> reference_sr_copy(const HostTensor& p) {
  std::vector<Ev> out(p.elements());
  for (uint64_t i = 0; i < out.size(); ++i) {
    const float x = p.value(i);
    // The bf16 values bracketing x: truncation towards zero and the next code away from zero.
    const uint32_t lo = fp::bits_of(x) & 0xFFFF0000u;
    const double down = fp::float_of(lo), up = fp::float_of(lo + 0x10000u);
    const double gap = std::fabs(up - down);
    // Any value within the open gap of x passes; the bracketing pair is the only such bf16 pair.
    out[i] = {static_cast<double>(x), (fp::bits_of(x) & 0xFFFFu) ? std::nextafter(gap, 0.0) : 0.0};
  }
  return out;
}

namespace {
// sqrt(x) as the kernel forms it, reciprocal(rsqrt(x)). Away from 0 the two functions' bounds
// compose; when x may be 0 (g = v = 0: rsqrt gives +inf, reciprocal +0) both the computed and
// the exact root lie in [0, sqrt(v + e) (1 + 16 * 2^-23)], plus subnormal slack. That interval
// holds everywhere, so it also caps the composed bound (whose derivative terms explode when
// [v - e, v + e] comes close to 0 without reaching it).
Ev ev_sqrt(Ev x) {
  const double hi = std::sqrt(std::max(0.0, x.v + x.e));
  const Ev direct{std::sqrt(std::max(0.0, x.v)), hi * (1 + 16 * 0x1p-23) + 0x1p-140};
  if (x.v - x.e > 0) {
    const Ev composed = ev_act(ActFunc::kReciprocal, ev_act(ActFunc::kRsqrt, x));
    if (std::isfinite(composed.e) && composed.e < direct.e) return composed;
  }
  return direct;
}
}  // namespace

AdamwElementRef adamw_element_reference(double p, double m, double v, Ev g, const AdamwParams& h) {
  const double bc1 = 1 - std::pow(h.beta1, static_cast<double>(h.step));
  const double bc2 = 1 - std::pow(h.beta2, static_cast<double>(h.step));
  auto c = [](double real) { return ev_const(real, static_cast<float>(real)); };
  const Ev b1 = c(h.beta1), omb1 = c(1 - h.beta1), b2 = c(h.beta2), omb2 = c(1 - h.beta2), inv_bc2 = c(1 / bc2),
           alpha = c(h.lr / bc1), decay = c(1 - h.lr * h.weight_decay), eps = c(h.eps);
  // Direct formulas (PyTorch AdamW) for the values ...
  const double m1 = h.beta1 * m + (1 - h.beta1) * g.v;
  const double v1 = h.beta2 * v + (1 - h.beta2) * g.v * g.v;
  const double p1 = p * (1 - h.lr * h.weight_decay) - h.lr / bc1 * m1 / (std::sqrt(v1 / bc2) + h.eps);
  // ... and the instruction sequence for the bounds. The kernel's sqrt(v_hat) is >= 0 and
  // fl(s + eps) >= fl(eps); the exact s + eps >= eps: the reciprocal's argument is >= the floor.
  const Ev em = ev_add(ev_mul(ev_exact(m), b1), ev_mul(g, omb1));
  const Ev ev = ev_add(ev_mul(ev_exact(v), b2), ev_mul(ev_mul(g, g), omb2));
  const Ev s = ev_sqrt(ev_mul(ev, inv_bc2));
  const double floor = std::min(h.eps, static_cast<double>(static_cast<float>(h.eps)));
  const Ev q = ev_mul(ev_mul(ev_reciprocal_floor(ev_add(s, eps), floor), em), alpha);
  const Ev ep = ev_sub(ev_mul(ev_exact(p), decay), q);
  return {{p1, ep.e}, {m1, em.e}, {v1, ev.e}};
}

Reference reference_adamw(const Tensors& in, const Tensors& out, const AdamwParams& h) {
  const std::vector<double> p = values(in.at("p")), m = values(in.at("m")), v = values(in.at("v")),
                            g = values(in.at("g"));
  Reference ref;
  std::vector<Ev>&rp = ref["p"], &rm = ref["m"], &rv = ref["v"];
  for (uint64_t i = 0; i < p.size(); ++i) {
    const AdamwElementRef r = adamw_element_reference(p[i], m[i], v[i], ev_exact(g[i]), h);
    rp.push_back(r.p);
    rm.push_back(r.m);
    rv.push_back(r.v);
  }
  if (h.bf16_copy) ref["p_bf16"] = reference_sr_copy(out.at("p"));
  return ref;
}

Reference reference_sgd_momentum(const Tensors& in, const Tensors& out, const SgdParams& h) {
  const std::vector<double> p = values(in.at("p")), bu = values(in.at("buf")), g = values(in.at("g"));
  const Ev mu = ev_const(h.momentum, static_cast<float>(h.momentum)), lr = ev_const(h.lr, static_cast<float>(h.lr));
  Reference ref;
  for (uint64_t i = 0; i < p.size(); ++i) {
    const double b1 = h.momentum * bu[i] + g[i];
    const Ev eb = ev_add(ev_mul(ev_exact(bu[i]), mu), ev_exact(g[i]));
    const Ev ep = ev_sub(ev_exact(p[i]), ev_mul(eb, lr));
    ref["buf"].push_back({b1, eb.e});
    ref["p"].push_back({p[i] - h.lr * b1, ep.e});
  }
  if (h.bf16_copy) ref["p_bf16"] = reference_sr_copy(out.at("p"));
  return ref;
}

}  // namespace tessera::kernels
