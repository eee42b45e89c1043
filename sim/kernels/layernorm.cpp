#include "layernorm.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/errors.hpp"

namespace tessera::kernels {

using fp::ActFunc;

namespace {

constexpr auto kF32 = fp::Format::kFp32;

uint32_t row_free(const CoreConfig& config, unsigned tiles, unsigned cols, uint64_t n, const char* kernel) {
  const uint32_t f = fit_free(config, tiles, cols, n, n, kernel);
  if (f < n)
    throw InputError(fmt::format("--n {} is too large for config {}: {} keeps a whole row in SBUF (at most {})", n,
                                 config.name, kernel, f));
  return f;
}

// Elements [e0, e0 + parts) of a vector, one per partition.
isa::Ap dram_col(const DramTensor& t, uint64_t e0, uint32_t parts) { return dram_block(t, e0, parts, 1); }

Ev cst(double real) { return ev_const(real, static_cast<float>(real)); }

}  // namespace

isa::Program build_layernorm(const CoreConfig& config, uint64_t m, uint64_t n, double eps) {
  KernelBuilder b(config);
  const DramTensor x = b.dram_tensor("x", kF32, {m, n}, isa::TensorIo::kIn);
  const DramTensor gamma = b.dram_tensor("gamma", kF32, {n}, isa::TensorIo::kIn);
  const DramTensor beta = b.dram_tensor("beta", kF32, {n}, isa::TensorIo::kIn);
  const DramTensor y = b.dram_tensor("y", kF32, {m, n}, isa::TensorIo::kOut);
  const DramTensor mean = b.dram_tensor("mean", kF32, {m}, isa::TensorIo::kOut);
  const DramTensor rstd = b.dram_tensor("rstd", kF32, {m}, isa::TensorIo::kOut);
  const auto rows = static_cast<uint32_t>(config.rows);
  const auto nn = static_cast<uint32_t>(row_free(config, 8, 12, n, "layernorm"));
  const Tile gb = b.sbuf_tile(kF32, rows, nn), bb = b.sbuf_tile(kF32, rows, nn);
  struct Buf {
    Tile x, xc, y, sum, nmean, ssq, var, rstd, mean;
  } buf[2];
  for (Buf& B : buf) {
    for (Tile* t : {&B.x, &B.xc, &B.y}) *t = b.sbuf_tile(kF32, rows, nn);
    for (Tile* t : {&B.sum, &B.nmean, &B.ssq, &B.var, &B.rstd, &B.mean}) *t = b.sbuf_tile(kF32, rows, 1);
  }
  const uint32_t bcast_rows = static_cast<uint32_t>(std::min<uint64_t>(rows, m));
  b.dma(gb.ap(0, bcast_rows, 0, nn), dram_bcast(gamma, 0, bcast_rows, n), 2);
  b.dma(bb.ap(0, bcast_rows, 0, nn), dram_bcast(beta, 0, bcast_rows, n), 3);
  const float inv_n = static_cast<float>(1.0 / static_cast<double>(n));
  unsigned it = 0;
  for (uint64_t m0 = 0; m0 < m; m0 += rows, ++it) {
    const auto mt = static_cast<uint32_t>(std::min<uint64_t>(rows, m - m0));
    const Buf& B = buf[it % 2];
    auto ap = [&](const Tile& t) { return t.ap(0, mt, 0, t.free); };
    b.dma(ap(B.x), x.rows(m0, mt, 0, n), 0);
    reduce(b, "add", ap(B.sum), ap(B.x));
    ts(b, ap(B.nmean), ap(B.sum), "mul", imm(-inv_n));
    act(b, ActFunc::kIdentity, ap(B.xc), ap(B.x), imm(1.0f), col_of(B.nmean));  // x - mean
    const isa::Col ssq = col_addr(B.ssq);
    act(b, ActFunc::kSquare, ap(B.y), ap(B.xc), imm(1.0f), imm(0.0f), &ssq);    // sum (x - mean)^2
    ts(b, ap(B.var), ap(B.ssq), "mul", imm(inv_n), "add", imm(static_cast<float>(eps)));
    act(b, ActFunc::kRsqrt, ap(B.rstd), ap(B.var));
    act(b, ActFunc::kIdentity, ap(B.y), ap(B.xc), col_of(B.rstd));             // xhat
    tt(b, "mul", ap(B.y), ap(B.y), gb.ap(0, mt, 0, nn));
    tt(b, "add", ap(B.y), ap(B.y), bb.ap(0, mt, 0, nn));
    ts(b, ap(B.mean), ap(B.nmean), "mul", imm(-1.0f));
    b.dma(y.rows(m0, mt, 0, n), ap(B.y), 1);
    b.dma(dram_col(mean, m0, mt), ap(B.mean), 2);
    b.dma(dram_col(rstd, m0, mt), ap(B.rstd), 3);
  }
  return b.finish();
}

isa::Program build_rmsnorm(const CoreConfig& config, uint64_t m, uint64_t n, double eps) {
  KernelBuilder b(config);
  const DramTensor x = b.dram_tensor("x", kF32, {m, n}, isa::TensorIo::kIn);
  const DramTensor gamma = b.dram_tensor("gamma", kF32, {n}, isa::TensorIo::kIn);
  const DramTensor y = b.dram_tensor("y", kF32, {m, n}, isa::TensorIo::kOut);
  const DramTensor rstd = b.dram_tensor("rstd", kF32, {m}, isa::TensorIo::kOut);
  const auto rows = static_cast<uint32_t>(config.rows);
  const auto nn = static_cast<uint32_t>(row_free(config, 5, 6, n, "rmsnorm"));
  const Tile gb = b.sbuf_tile(kF32, rows, nn);
  struct Buf {
    Tile x, y, ssq, ms, rstd;
  } buf[2];
  for (Buf& B : buf) {
    for (Tile* t : {&B.x, &B.y}) *t = b.sbuf_tile(kF32, rows, nn);
    for (Tile* t : {&B.ssq, &B.ms, &B.rstd}) *t = b.sbuf_tile(kF32, rows, 1);
  }
  const uint32_t bcast_rows = static_cast<uint32_t>(std::min<uint64_t>(rows, m));
  b.dma(gb.ap(0, bcast_rows, 0, nn), dram_bcast(gamma, 0, bcast_rows, n), 2);
  const float inv_n = static_cast<float>(1.0 / static_cast<double>(n));
  unsigned it = 0;
  for (uint64_t m0 = 0; m0 < m; m0 += rows, ++it) {
    const auto mt = static_cast<uint32_t>(std::min<uint64_t>(rows, m - m0));
    const Buf& B = buf[it % 2];
    auto ap = [&](const Tile& t) { return t.ap(0, mt, 0, t.free); };
    b.dma(ap(B.x), x.rows(m0, mt, 0, n), 0);
    const isa::Col ssq = col_addr(B.ssq);
    act(b, ActFunc::kSquare, ap(B.y), ap(B.x), imm(1.0f), imm(0.0f), &ssq);  // sum x^2
    ts(b, ap(B.ms), ap(B.ssq), "mul", imm(inv_n), "add", imm(static_cast<float>(eps)));
    act(b, ActFunc::kRsqrt, ap(B.rstd), ap(B.ms));
    act(b, ActFunc::kIdentity, ap(B.y), ap(B.x), col_of(B.rstd));
    tt(b, "mul", ap(B.y), ap(B.y), gb.ap(0, mt, 0, nn));
    b.dma(y.rows(m0, mt, 0, n), ap(B.y), 1);
    b.dma(dram_col(rstd, m0, mt), ap(B.rstd), 3);
  }
  return b.finish();
}

isa::Program build_layernorm_bwd(const CoreConfig& config, uint64_t m, uint64_t n) {
  KernelBuilder b(config);
  const DramTensor dy = b.dram_tensor("dy", kF32, {m, n}, isa::TensorIo::kIn);
  const DramTensor x = b.dram_tensor("x", kF32, {m, n}, isa::TensorIo::kIn);
  const DramTensor mean = b.dram_tensor("mean", kF32, {m}, isa::TensorIo::kIn);
  const DramTensor rstd = b.dram_tensor("rstd", kF32, {m}, isa::TensorIo::kIn);
  const DramTensor gamma = b.dram_tensor("gamma", kF32, {n}, isa::TensorIo::kIn);
  const DramTensor dx = b.dram_tensor("dx", kF32, {m, n}, isa::TensorIo::kOut);
  const DramTensor dgamma = b.dram_tensor("dgamma", kF32, {n}, isa::TensorIo::kOut);
  const DramTensor dbeta = b.dram_tensor("dbeta", kF32, {n}, isa::TensorIo::kOut);
  const auto rows = static_cast<uint32_t>(config.rows);
  // gamma broadcast + 2 x (dy, x, xhat, g, t) + accumulators (1 partition, counted as tiles).
  const auto nn = static_cast<uint32_t>(row_free(config, 13, 16, n, "layernorm_bwd"));
  const Tile gb = b.sbuf_tile(kF32, rows, nn);
  const Tile acc_g = b.sbuf_tile(kF32, 1, nn), acc_b = b.sbuf_tile(kF32, 1, nn);
  const Tile ones = b.sbuf_tile(kF32, rows, 1);
  struct Buf {
    Tile dy, x, xh, g, t, mean, rstd, sg, sgx, a, c;
  } buf[2];
  for (Buf& B : buf) {
    for (Tile* t : {&B.dy, &B.x, &B.xh, &B.g, &B.t}) *t = b.sbuf_tile(kF32, rows, nn);
    for (Tile* t : {&B.mean, &B.rstd, &B.sg, &B.sgx, &B.a, &B.c}) *t = b.sbuf_tile(kF32, rows, 1);
  }
  const auto maxn = static_cast<uint32_t>(config.moving_max_n);
  Tile bank[2] = {b.psum_bank(1, maxn), b.psum_bank(1, maxn)};
  const uint32_t bcast_rows = static_cast<uint32_t>(std::min<uint64_t>(rows, m));
  b.dma(gb.ap(0, bcast_rows, 0, nn), dram_bcast(gamma, 0, bcast_rows, n), 2);
  memset(b, ones.ap(), 1.0f);
  memset(b, acc_g.ap(), 0.0f);
  memset(b, acc_b.ap(), 0.0f);
  const float inv_n = static_cast<float>(1.0 / static_cast<double>(n));
  unsigned it = 0, mm = 0;
  for (uint64_t m0 = 0; m0 < m; m0 += rows, ++it) {
    const auto mt = static_cast<uint32_t>(std::min<uint64_t>(rows, m - m0));
    const Buf& B = buf[it % 2];
    auto ap = [&](const Tile& t) { return t.ap(0, mt, 0, t.free); };
    b.dma(ap(B.dy), dy.rows(m0, mt, 0, n), 0);
    b.dma(ap(B.x), x.rows(m0, mt, 0, n), 1);
    b.dma(ap(B.mean), dram_col(mean, m0, mt), 2);
    b.dma(ap(B.rstd), dram_col(rstd, m0, mt), 3);
    ts(b, ap(B.xh), ap(B.x), "sub", col_of(B.mean), "mul", col_of(B.rstd));  // xhat
    tt(b, "mul", ap(B.g), ap(B.dy), gb.ap(0, mt, 0, nn));                    // g = dy gamma
    reduce(b, "add", ap(B.sg), ap(B.g));
    tt(b, "mul", ap(B.t), ap(B.g), ap(B.xh));
    reduce(b, "add", ap(B.sgx), ap(B.t));
    ts(b, ap(B.a), ap(B.sg), "mul", imm(inv_n));                             // mean_n(g)
    ts(b, ap(B.c), ap(B.sgx), "mul", imm(inv_n));                            // mean_n(g xhat)
    ts(b, ap(B.t), ap(B.xh), "mul", col_of(B.c));                            // xhat c
    tt(b, "sub", ap(B.g), ap(B.g), ap(B.t));                                 // g - xhat c
    ts(b, ap(B.g), ap(B.g), "sub", col_of(B.a), "mul", col_of(B.rstd));      // dx
    b.dma(dx.rows(m0, mt, 0, n), ap(B.g), 0);
    // Column sums over the rows of this tile: ones^T . (dy xhat) and ones^T . dy.
    tt(b, "mul", ap(B.t), ap(B.dy), ap(B.xh));
    b.load_stationary(ones.ap(0, mt, 0, 1));
    for (uint32_t n0 = 0; n0 < n; n0 += maxn) {
      const uint32_t nc = std::min<uint32_t>(maxn, static_cast<uint32_t>(n) - n0);
      const Tile& bk = bank[mm++ % 2];
      b.multiply_moving(bk.ap(0, 1, 0, nc), B.t.ap(0, mt, n0, nc), false);
      tt(b, "add", acc_g.ap(0, 1, n0, nc), acc_g.ap(0, 1, n0, nc), bk.ap(0, 1, 0, nc));
      const Tile& bk2 = bank[mm++ % 2];
      b.multiply_moving(bk2.ap(0, 1, 0, nc), B.dy.ap(0, mt, n0, nc), false);
      tt(b, "add", acc_b.ap(0, 1, n0, nc), acc_b.ap(0, 1, n0, nc), bk2.ap(0, 1, 0, nc));
    }
  }
  b.dma(dram_block(dgamma, 0, 1, static_cast<uint32_t>(n)), acc_g.ap(), 2);
  b.dma(dram_block(dbeta, 0, 1, static_cast<uint32_t>(n)), acc_b.ap(), 3);
  return b.finish();
}

void prepare_layernorm_bwd(Tensors& in, double eps) {
  const HostTensor& xt = in.at("x");
  const uint64_t m = xt.shape[0], n = xt.shape[1];
  const std::vector<double> x = values(xt);
  for (uint64_t r = 0; r < m; ++r) {
    double mu = 0, var = 0;
    for (uint64_t c = 0; c < n; ++c) mu += x[r * n + c];
    mu /= static_cast<double>(n);
    for (uint64_t c = 0; c < n; ++c) var += (x[r * n + c] - mu) * (x[r * n + c] - mu);
    var /= static_cast<double>(n);
    in.at("mean").set_code(r, fp::bits_of(static_cast<float>(mu)));
    in.at("rstd").set_code(r, fp::bits_of(static_cast<float>(1 / std::sqrt(var + eps))));
  }
}

Reference reference_layernorm(const Tensors& in, double eps) {
  const HostTensor& xt = in.at("x");
  const uint64_t m = xt.shape[0], n = xt.shape[1];
  const std::vector<double> x = values(xt), gamma = values(in.at("gamma")), beta = values(in.at("beta"));
  const Ev inv_n = cst(1.0 / static_cast<double>(n)), ninv_n = cst(-1.0 / static_cast<double>(n)), e = cst(eps);
  Reference ref;
  for (uint64_t r = 0; r < m; ++r) {
    const double* row = &x[r * n];
    double mu = 0, var = 0;
    for (uint64_t c = 0; c < n; ++c) mu += row[c];
    mu /= static_cast<double>(n);
    for (uint64_t c = 0; c < n; ++c) var += (row[c] - mu) * (row[c] - mu);
    var /= static_cast<double>(n);
    const double rs = 1 / std::sqrt(var + eps);
    // The instruction sequence, for the bounds.
    std::vector<Ev> xs(n), sq(n), xc(n);
    for (uint64_t c = 0; c < n; ++c) xs[c] = ev_exact(row[c]);
    const Ev nmean = ev_mul(ev_sum(xs), ninv_n);
    for (uint64_t c = 0; c < n; ++c) xc[c] = ev_add(xs[c], nmean), sq[c] = ev_mul(xc[c], xc[c]);
    const Ev rstd = ev_act(ActFunc::kRsqrt, ev_add(ev_mul(ev_sum(sq), inv_n), e));
    for (uint64_t c = 0; c < n; ++c) {
      const Ev yv = ev_add(ev_mul(ev_mul(xc[c], rstd), ev_exact(gamma[c])), ev_exact(beta[c]));
      ref["y"].push_back({(row[c] - mu) * rs * gamma[c] + beta[c], yv.e});
    }
    ref["mean"].push_back({mu, nmean.e});
    ref["rstd"].push_back({rs, rstd.e});
  }
  return ref;
}

Reference reference_rmsnorm(const Tensors& in, double eps) {
  const HostTensor& xt = in.at("x");
  const uint64_t m = xt.shape[0], n = xt.shape[1];
  const std::vector<double> x = values(xt), gamma = values(in.at("gamma"));
  const Ev inv_n = cst(1.0 / static_cast<double>(n)), e = cst(eps);
  Reference ref;
  for (uint64_t r = 0; r < m; ++r) {
    const double* row = &x[r * n];
    double ms = 0;
    for (uint64_t c = 0; c < n; ++c) ms += row[c] * row[c];
    const double rs = 1 / std::sqrt(ms / static_cast<double>(n) + eps);
    std::vector<Ev> sq(n);
    for (uint64_t c = 0; c < n; ++c) sq[c] = ev_mul(ev_exact(row[c]), ev_exact(row[c]));
    const Ev rstd = ev_act(ActFunc::kRsqrt, ev_add(ev_mul(ev_sum(sq), inv_n), e));
    for (uint64_t c = 0; c < n; ++c) {
      const Ev yv = ev_mul(ev_mul(ev_exact(row[c]), rstd), ev_exact(gamma[c]));
      ref["y"].push_back({row[c] * rs * gamma[c], yv.e});
    }
    ref["rstd"].push_back({rs, rstd.e});
  }
  return ref;
}

Reference reference_layernorm_bwd(const Tensors& in) {
  const HostTensor& xt = in.at("x");
  const uint64_t m = xt.shape[0], n = xt.shape[1];
  const std::vector<double> x = values(xt), dy = values(in.at("dy")), mean = values(in.at("mean")),
                            rstd = values(in.at("rstd")), gamma = values(in.at("gamma"));
  const Ev inv_n = cst(1.0 / static_cast<double>(n));
  Reference ref;
  std::vector<std::vector<Ev>> gcols(n), bcols(n);
  for (uint64_t r = 0; r < m; ++r) {
    const double mu = mean[r], rs = rstd[r];
    double sg = 0, sgx = 0;
    for (uint64_t c = 0; c < n; ++c) {
      const double xh = (x[r * n + c] - mu) * rs, g = dy[r * n + c] * gamma[c];
      sg += g, sgx += g * xh;
    }
    const double a = sg / static_cast<double>(n), cc = sgx / static_cast<double>(n);
    std::vector<Ev> xh(n), g(n), gx(n);
    for (uint64_t c = 0; c < n; ++c) {
      xh[c] = ev_mul(ev_sub(ev_exact(x[r * n + c]), ev_exact(mu)), ev_exact(rs));
      g[c] = ev_mul(ev_exact(dy[r * n + c]), ev_exact(gamma[c]));
      gx[c] = ev_mul(g[c], xh[c]);
    }
    const Ev ea = ev_mul(ev_sum(g), inv_n), ec = ev_mul(ev_sum(gx), inv_n);
    for (uint64_t c = 0; c < n; ++c) {
      const Ev d = ev_mul(ev_sub(ev_sub(g[c], ev_mul(xh[c], ec)), ea), ev_exact(rs));
      const double xhv = (x[r * n + c] - mu) * rs;
      ref["dx"].push_back({rs * (dy[r * n + c] * gamma[c] - a - xhv * cc), d.e});
      const Ev p = ev_mul(ev_exact(dy[r * n + c]), xh[c]);
      gcols[c].push_back({dy[r * n + c] * xhv, p.e});
      bcols[c].push_back(ev_exact(dy[r * n + c]));
    }
  }
  for (uint64_t c = 0; c < n; ++c) {
    ref["dgamma"].push_back(ev_sum(gcols[c]));
    ref["dbeta"].push_back(ev_sum(bcols[c]));
  }
  return ref;
}

}  // namespace tessera::kernels
