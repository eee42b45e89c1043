#include "bias_gelu.hpp"

#include <algorithm>
#include <cmath>

namespace tessera::kernels {

using fp::ActFunc;

namespace {

// b[n0, n0+nt) as one fp32 per partition.
isa::Ap dram_column(const DramTensor& t, uint64_t e0, uint32_t parts) { return dram_block(t, e0, parts, 1); }

}  // namespace

void emit_gelu_tanh_grad(KernelBuilder& b, const isa::Ap& x, isa::Scalar bias, const isa::Ap& g, const isa::Ap& dy,
                         const isa::Ap& dx) {
  act(b, ActFunc::kGeluTanhDx, g, x, imm(1.0f), bias);  // g = gelu_tanh'(x + bias)
  tt(b, "mul", dx, g, dy);                               // dx = dy g
}

Ev ev_gelu_tanh_grad(Ev u, Ev dy) {
  const Ev chain = ev_mul(ev_act(ActFunc::kGeluTanhDx, u), dy);
  return {dy.v * gelu_tanh_grad(u.v), chain.e};
}

isa::Program build_bias_gelu(const CoreConfig& config, uint64_t m, uint64_t n) {
  KernelBuilder b(config);
  const DramTensor x = b.dram_tensor("x", fp::Format::kFp32, {m, n}, isa::TensorIo::kIn);
  const DramTensor bias = b.dram_tensor("b", fp::Format::kFp32, {n}, isa::TensorIo::kIn);
  const DramTensor y = b.dram_tensor("y", fp::Format::kFp32, {m, n}, isa::TensorIo::kOut);
  const auto rows = static_cast<uint32_t>(config.rows);
  const uint32_t f = fit_free(config, 4, 2, m, 2048, "bias_gelu");
  Tile xt[2], yt[2], bc[2];
  for (int i = 0; i < 2; ++i) {
    xt[i] = b.sbuf_tile(fp::Format::kFp32, rows, f);
    yt[i] = b.sbuf_tile(fp::Format::kFp32, rows, f);
    bc[i] = b.sbuf_tile(fp::Format::kFp32, rows, 1);
  }
  unsigned it = 0, blk = 0;
  for (uint64_t n0 = 0; n0 < n; n0 += rows, ++blk) {
    const auto nt = static_cast<uint32_t>(std::min<uint64_t>(rows, n - n0));
    const Tile& bcol = bc[blk % 2];
    b.dma(bcol.ap(0, nt, 0, 1), dram_column(bias, n0, nt), 3);
    for (uint64_t m0 = 0; m0 < m; m0 += f, ++it) {
      const auto mt = static_cast<uint32_t>(std::min<uint64_t>(f, m - m0));
      const Tile &xi = xt[it % 2], &yi = yt[it % 2];
      b.dma(xi.ap(0, nt, 0, mt), x.cols(m0, mt, n0, nt), 0);  // x^T: n on partitions
      act(b, ActFunc::kGeluTanh, yi.ap(0, nt, 0, mt), xi.ap(0, nt, 0, mt), imm(1.0f), col_of(bcol));
      b.dma(y.cols(m0, mt, n0, nt), yi.ap(0, nt, 0, mt), 1);
    }
  }
  return b.finish();
}

isa::Program build_bias_gelu_bwd(const CoreConfig& config, uint64_t m, uint64_t n) {
  KernelBuilder b(config);
  const DramTensor dy = b.dram_tensor("dy", fp::Format::kFp32, {m, n}, isa::TensorIo::kIn);
  const DramTensor x = b.dram_tensor("x", fp::Format::kFp32, {m, n}, isa::TensorIo::kIn);
  const DramTensor bias = b.dram_tensor("b", fp::Format::kFp32, {n}, isa::TensorIo::kIn);
  const DramTensor dx = b.dram_tensor("dx", fp::Format::kFp32, {m, n}, isa::TensorIo::kOut);
  const DramTensor db = b.dram_tensor("db", fp::Format::kFp32, {n}, isa::TensorIo::kOut);
  const auto rows = static_cast<uint32_t>(config.rows);
  const uint32_t f = fit_free(config, 6, 8, m, 2048, "bias_gelu_bwd");
  struct Buf {
    Tile x, d, g;
  } buf[2];
  Tile bc[2], part[2], acc[2];
  for (int i = 0; i < 2; ++i) {
    for (Tile* t : {&buf[i].x, &buf[i].d, &buf[i].g})
      *t = b.sbuf_tile(fp::Format::kFp32, rows, f);
    bc[i] = b.sbuf_tile(fp::Format::kFp32, rows, 1);
    part[i] = b.sbuf_tile(fp::Format::kFp32, rows, 1);
    acc[i] = b.sbuf_tile(fp::Format::kFp32, rows, 1);
  }
  unsigned it = 0, blk = 0;
  for (uint64_t n0 = 0; n0 < n; n0 += rows, ++blk) {
    const auto nt = static_cast<uint32_t>(std::min<uint64_t>(rows, n - n0));
    const Tile &bcol = bc[blk % 2], &dba = acc[blk % 2];
    b.dma(bcol.ap(0, nt, 0, 1), dram_column(bias, n0, nt), 3);
    memset(b, dba.ap(0, nt, 0, 1), 0.0f);
    for (uint64_t m0 = 0; m0 < m; m0 += f, ++it) {
      const auto mt = static_cast<uint32_t>(std::min<uint64_t>(f, m - m0));
      const Buf& B = buf[it % 2];
      auto ap = [&](const Tile& t) { return t.ap(0, nt, 0, mt); };
      b.dma(ap(B.x), x.cols(m0, mt, n0, nt), 0);
      b.dma(ap(B.d), dy.cols(m0, mt, n0, nt), 2);
      emit_gelu_tanh_grad(b, ap(B.x), col_of(bcol), ap(B.g), ap(B.d), ap(B.g));  // dx = dy gelu'(x + b)
      reduce(b, "add", part[it % 2].ap(0, nt, 0, 1), ap(B.g));                // sum over this tile's rows
      tt(b, "add", dba.ap(0, nt, 0, 1), dba.ap(0, nt, 0, 1), part[it % 2].ap(0, nt, 0, 1));
      b.dma(dx.cols(m0, mt, n0, nt), ap(B.g), 1);
    }
    b.dma(dram_column(db, n0, nt), dba.ap(0, nt, 0, 1), 1);
  }
  return b.finish();
}

Reference reference_bias_gelu(const Tensors& in) {
  const HostTensor& xt = in.at("x");
  const uint64_t m = xt.shape[0], n = xt.shape[1];
  const std::vector<double> x = values(xt), bias = values(in.at("b"));
  std::vector<Ev> y(m * n);
  for (uint64_t i = 0; i < m * n; ++i) {
    const Ev chain = ev_act(ActFunc::kGeluTanh, ev_add(ev_exact(x[i]), ev_exact(bias[i % n])));
    y[i] = {gelu_tanh(x[i] + bias[i % n]), chain.e};
  }
  return {{"y", y}};
}

Reference reference_bias_gelu_bwd(const Tensors& in) {
  const HostTensor& xt = in.at("x");
  const uint64_t m = xt.shape[0], n = xt.shape[1];
  const std::vector<double> x = values(xt), bias = values(in.at("b")), dy = values(in.at("dy"));
  std::vector<Ev> dx(m * n);
  std::vector<std::vector<Ev>> cols(n);
  for (uint64_t i = 0; i < m * n; ++i) {
    // The kernel's instruction sequence, for the error bound.
    const Ev u = ev_add(ev_exact(x[i]), ev_exact(bias[i % n]));
    dx[i] = ev_gelu_tanh_grad(u, ev_exact(dy[i]));
    dx[i].v = dy[i] * gelu_tanh_grad(x[i] + bias[i % n]);
    cols[i % n].push_back(dx[i]);
  }
  std::vector<Ev> db(n);
  for (uint64_t j = 0; j < n; ++j) db[j] = ev_sum(cols[j]);
  return {{"dx", dx}, {"db", db}};
}

}  // namespace tessera::kernels
