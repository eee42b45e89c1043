#include "linear_bwd.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace tessera::kernels {

namespace {

// out[I, J] (fp32 DRAM) = sum_c S[c][i] * V[c][j], c in chunks of `rows` accumulated in PSUM in
// increasing order (the gemm schedule). stat(c0, ct, i0, it) is the DRAM pattern of the
// stationary chunk with c on partitions, or with `stat_stored` its transpose as stored ([it,
// ct], i on partitions: rows contiguous in DRAM), transposed on chip by the vector engine (a
// transposing DRAM read costs a bus beat per element, docs/kernels.md "gemm").
// mov(c0, ct, j0, jt) is the DRAM pattern of the moving chunk. Every transfer is split over
// all DMA queues.
using ChunkAp = std::function<isa::Ap(uint64_t c0, uint32_t ct, uint64_t x0, uint32_t xt)>;

struct MatmulTiles {
  Tile stat[2], stored[2], mov[2], psum[2], out[2];
  uint32_t n_tile = 0;
  unsigned chunk = 0, tile = 0;  // running counters: buffers alternate across calls
};

MatmulTiles matmul_tiles(KernelBuilder& b, fp::Format dtype, uint64_t max_j) {
  const CoreConfig& cfg = b.config();
  MatmulTiles t;
  t.n_tile = static_cast<uint32_t>(std::min<uint64_t>(max_j, cfg.moving_max_n));
  for (int i = 0; i < 2; ++i) {
    t.stat[i] = b.sbuf_tile(dtype, static_cast<uint32_t>(cfg.rows), static_cast<uint32_t>(cfg.cols));
    t.stored[i] = b.sbuf_tile(dtype, static_cast<uint32_t>(cfg.cols), static_cast<uint32_t>(cfg.rows));
    t.mov[i] = b.sbuf_tile(dtype, static_cast<uint32_t>(cfg.rows), t.n_tile);
    t.psum[i] = b.psum_bank(static_cast<uint32_t>(cfg.cols), static_cast<uint32_t>(cfg.moving_max_n));
    t.out[i] = b.sbuf_tile(fp::Format::kFp32, static_cast<uint32_t>(cfg.cols), t.n_tile);
  }
  return t;
}

void emit_matmul(KernelBuilder& b, MatmulTiles& t, uint64_t size_i, uint64_t size_j, uint64_t size_c,
                 const ChunkAp& stat, bool stat_stored, const ChunkAp& mov, const DramTensor& out) {
  const auto rows = static_cast<uint32_t>(b.config().rows), cols = static_cast<uint32_t>(b.config().cols);
  DeferredStores stores(b);  // each tile's store after the next tile's loads and matmuls, as gemm
  for (uint64_t i0 = 0; i0 < size_i; i0 += cols) {
    const auto it = static_cast<uint32_t>(std::min<uint64_t>(cols, size_i - i0));
    for (uint64_t j0 = 0; j0 < size_j; j0 += t.n_tile, ++t.tile) {
      const auto jt = static_cast<uint32_t>(std::min<uint64_t>(t.n_tile, size_j - j0));
      const Tile& bank = t.psum[t.tile % 2];
      for (uint64_t c0 = 0; c0 < size_c; c0 += rows, ++t.chunk) {
        const auto ct = static_cast<uint32_t>(std::min<uint64_t>(rows, size_c - c0));
        const Tile& st = t.stat[t.chunk % 2];
        const Tile& mv = t.mov[t.chunk % 2];
        if (stat_stored) {
          const Tile& sd = t.stored[t.chunk % 2];
          for (const auto& pc : b.dma_pieces(it))
            b.dma(sd.ap(pc.p0, pc.np, 0, ct), stat(c0, ct, i0 + pc.p0, pc.np), b.next_dma_queue());
          b.transpose(st, 0, sd, 0, it, ct);
        } else {
          for (const auto& pc : b.dma_pieces(ct))
            b.dma(st.ap(pc.p0, pc.np, 0, it), stat(c0 + pc.p0, pc.np, i0, it), b.next_dma_queue());
        }
        for (const auto& pc : b.dma_pieces(ct))
          b.dma(mv.ap(pc.p0, pc.np, 0, jt), mov(c0 + pc.p0, pc.np, j0, jt), b.next_dma_queue());
        b.load_stationary(st.ap(0, ct, 0, it));
        b.multiply_moving(bank.ap(0, it, 0, jt), mv.ap(0, ct, 0, jt), c0 > 0);
      }
      stores.push({&out, i0, j0, it, jt, bank, t.out[t.tile % 2]});
    }
  }
  stores.finish();
}

}  // namespace

isa::Program build_linear_bwd(const CoreConfig& config, LinearBwdShape s, fp::Format dtype) {
  KernelBuilder b(config);
  const DramTensor dy = b.dram_tensor("dy", dtype, {s.m, s.n}, isa::TensorIo::kIn);
  const DramTensor w = b.dram_tensor("w", dtype, {s.n, s.k}, isa::TensorIo::kIn);
  const DramTensor x = b.dram_tensor("x", dtype, {s.m, s.k}, isa::TensorIo::kIn);
  const DramTensor dx = b.dram_tensor("dx", fp::Format::kFp32, {s.m, s.k}, isa::TensorIo::kOut);
  const DramTensor dw = b.dram_tensor("dw", fp::Format::kFp32, {s.n, s.k}, isa::TensorIo::kOut);
  MatmulTiles t = matmul_tiles(b, dtype, s.k);
  // dX[m][k] = sum_n dY[m][n] W[n][k]: stationary dY^T (n on partitions), from dY as stored.
  emit_matmul(
      b, t, s.m, s.k, s.n, [&](uint64_t c0, uint32_t ct, uint64_t i0, uint32_t it) { return dy.rows(i0, it, c0, ct); },
      true, [&](uint64_t c0, uint32_t ct, uint64_t j0, uint32_t jt) { return w.rows(c0, ct, j0, jt); }, dx);
  // dW[n][k] = sum_m dY[m][n] X[m][k]: stationary dY as stored (m on partitions).
  emit_matmul(
      b, t, s.n, s.k, s.m, [&](uint64_t c0, uint32_t ct, uint64_t i0, uint32_t it) { return dy.rows(c0, ct, i0, it); },
      false, [&](uint64_t c0, uint32_t ct, uint64_t j0, uint32_t jt) { return x.rows(c0, ct, j0, jt); }, dw);
  return b.finish();
}

namespace {
// out[i][j] = sum_c a(c, i) * bv(c, j) with the gemm bound.
std::vector<Ev> matmul_reference(uint64_t size_i, uint64_t size_j, uint64_t size_c,
                                 const std::function<double(uint64_t c, uint64_t i)>& a,
                                 const std::function<double(uint64_t c, uint64_t j)>& bv) {
  const double nu = static_cast<double>(size_c + 1) * kU, gamma = nu / (1 - nu);
  std::vector<Ev> out(size_i * size_j);
  for (uint64_t i = 0; i < size_i; ++i)
    for (uint64_t j = 0; j < size_j; ++j) {
      double sum = 0, mag = 0;
      for (uint64_t c = 0; c < size_c; ++c) {
        const double p = a(c, i) * bv(c, j);  // exact in double (two fp32 values)
        sum += p;
        mag += std::fabs(p);
      }
      out[i * size_j + j] = {sum, gamma * mag + static_cast<double>(size_c) * 0x1p-149};
    }
  return out;
}
}  // namespace

Reference reference_linear_bwd(const Tensors& in) {
  const HostTensor &dyt = in.at("dy"), &wt = in.at("w"), &xt = in.at("x");
  const uint64_t m = dyt.shape[0], n = dyt.shape[1], k = wt.shape[1];
  const std::vector<double> dy = values(dyt), w = values(wt), x = values(xt);
  Reference ref;
  ref["dx"] = matmul_reference(m, k, n, [&](uint64_t c, uint64_t i) { return dy[i * n + c]; },
                               [&](uint64_t c, uint64_t j) { return w[c * k + j]; });
  ref["dw"] = matmul_reference(n, k, m, [&](uint64_t c, uint64_t i) { return dy[c * n + i]; },
                               [&](uint64_t c, uint64_t j) { return x[c * k + j]; });
  return ref;
}

}  // namespace tessera::kernels
