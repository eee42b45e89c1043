#include "gemm.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "builder.hpp"

namespace tessera::kernels {

isa::Program build_gemm(const CoreConfig& config, GemmShape s, fp::Format dtype) {
  KernelBuilder b(config);
  const DramTensor a = b.dram_tensor("a", dtype, {s.m, s.k}, isa::TensorIo::kIn);
  const DramTensor bt = b.dram_tensor("b", dtype, {s.k, s.n}, isa::TensorIo::kIn);
  const DramTensor c = b.dram_tensor("c", fp::Format::kFp32, {s.m, s.n}, isa::TensorIo::kOut);

  const auto rows = static_cast<uint32_t>(config.rows), cols = static_cast<uint32_t>(config.cols);
  const auto n_tile = static_cast<uint32_t>(std::min<uint64_t>(s.n, config.moving_max_n));
  // Two of everything: while the array works on one buffer the DMA fills the other, and the
  // vector engine drains one PSUM bank while the array accumulates into the other.
  Tile a_t[2], b_buf[2], psum[2], c_buf[2];
  for (int i = 0; i < 2; ++i) {
    a_t[i] = b.sbuf_tile(dtype, rows, cols);
    b_buf[i] = b.sbuf_tile(dtype, rows, n_tile);
    psum[i] = b.psum_bank(cols, static_cast<uint32_t>(config.moving_max_n));
    c_buf[i] = b.sbuf_tile(fp::Format::kFp32, cols, n_tile);
  }

  unsigned chunk = 0, tile = 0;
  for (uint64_t m0 = 0; m0 < s.m; m0 += cols) {
    const auto mt = static_cast<uint32_t>(std::min<uint64_t>(cols, s.m - m0));
    for (uint64_t n0 = 0; n0 < s.n; n0 += n_tile, ++tile) {
      const auto nt = static_cast<uint32_t>(std::min<uint64_t>(n_tile, s.n - n0));
      const Tile& bank = psum[tile % 2];
      for (uint64_t k0 = 0; k0 < s.k; k0 += rows, ++chunk) {
        const auto kt = static_cast<uint32_t>(std::min<uint64_t>(rows, s.k - k0));
        const Tile& at = a_t[chunk % 2];
        const Tile& bb = b_buf[chunk % 2];
        b.dma(at.ap(0, kt, 0, mt), a.cols(m0, mt, k0, kt), 0);  // A^T: k on partitions
        b.dma(bb.ap(0, kt, 0, nt), bt.rows(k0, kt, n0, nt), 1);
        b.load_stationary(at.ap(0, kt, 0, mt));
        b.multiply_moving(bank.ap(0, mt, 0, nt), bb.ap(0, kt, 0, nt), k0 > 0);
      }
      const Tile& cb = c_buf[tile % 2];
      b.tensor_copy(cb.ap(0, mt, 0, nt), bank.ap(0, mt, 0, nt));
      b.dma(c.rows(m0, mt, n0, nt), cb.ap(0, mt, 0, nt), 2);
    }
  }
  return b.finish();
}

}  // namespace tessera::kernels

namespace tessera::kernels {

Check check_gemm(const HostTensor& a, const HostTensor& b, const HostTensor& c) {
  const uint64_t m_size = a.shape[0], k_size = a.shape[1], n_size = b.shape[1];
  const double u = 0x1p-24, n_u = static_cast<double>(k_size + 1) * u;
  const double gamma = n_u / (1 - n_u);
  const double underflow = static_cast<double>(k_size) * 0x1p-149;
  Check check;
  check.vs = "fp64";
  check.bound = fmt::format("|c - C| <= {:.3g} * sum|a*b| + K * 2^-149", gamma);
  std::vector<double> av(m_size * k_size), bv(k_size * n_size);
  for (uint64_t i = 0; i < av.size(); ++i) av[i] = a.value(i);
  for (uint64_t i = 0; i < bv.size(); ++i) bv[i] = b.value(i);
  for (uint64_t m = 0; m < m_size; ++m) {
    for (uint64_t n = 0; n < n_size; ++n) {
      double exact = 0, magnitude = 0;
      for (uint64_t k = 0; k < k_size; ++k) {
        const double p = av[m * k_size + k] * bv[k * n_size + n];  // exact: fp32 inputs, 48-bit product
        exact += p;
        magnitude += std::fabs(p);
      }
      const float got = c.value(m * n_size + n);
      if (!std::isfinite(exact) || !std::isfinite(got)) {
        const bool same = fp::bits_of(got) == fp::bits_of(static_cast<float>(exact)) || (got != got && exact != exact);
        check.pass = check.pass && same;
        continue;
      }
      const double err = std::fabs(static_cast<double>(got) - exact);
      check.pass = check.pass && err <= gamma * magnitude + underflow;
      check.max_abs_err = std::max(check.max_abs_err, err);
      if (exact != 0) check.max_rel_err = std::max(check.max_rel_err, err / std::fabs(exact));
      check.max_ulp = std::max(check.max_ulp, ulp_distance(got, static_cast<float>(exact)));
    }
  }
  return check;
}

}  // namespace tessera::kernels
