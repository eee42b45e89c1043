#include "gemm.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "builder.hpp"
#include "common/errors.hpp"

namespace tessera::kernels {

isa::Program build_gemm(const CoreConfig& config, GemmShape s, fp::Format dtype, fp::Format out) {
  if (out != fp::Format::kFp32 && out != fp::Format::kBf16)
    throw InputError(fmt::format("gemm: c must be fp32 or bf16, not {}", fp::info(out).name));
  if (config.psum_banks < 2)  // a tile's evacuation is emitted after the next tile's matmuls
    throw InputError(fmt::format("gemm needs 2 PSUM banks; config {} has {}", config.name, config.psum_banks));
  KernelBuilder b(config);
  const DramTensor a = b.dram_tensor("a", dtype, {s.m, s.k}, isa::TensorIo::kIn);
  const DramTensor bt = b.dram_tensor("b", dtype, {s.k, s.n}, isa::TensorIo::kIn);
  const DramTensor c = b.dram_tensor("c", out, {s.m, s.n}, isa::TensorIo::kOut);

  const auto rows = static_cast<uint32_t>(config.rows), cols = static_cast<uint32_t>(config.cols);
  const auto n_tile = static_cast<uint32_t>(std::min<uint64_t>(s.n, config.moving_max_n));
  const uint64_t k_chunks = (s.k + rows - 1) / rows, n_tiles = (s.n + n_tile - 1) / n_tile;
  const uint64_t es = fp::info(dtype).bits / 8, out_es = fp::info(out).bits / 8;

  // Every transfer is split by partitions over all DMA queues (KernelBuilder::dma_pieces).
  // SBUF plan, per partition. Fixed: two A blocks as stored ([m, k], rows contiguous in DRAM,
  // so the DMA reads whole bus beats: a transposing DRAM read would take one beat per element)
  // and two C staging tiles. A^T: one panel of every K chunk per M tile, two panels, so the
  // panel of one M tile serves all its N tiles (else two chunk tiles, reloaded per N tile). B:
  // all of it resident when it fits (loaded during the first M tile), else two chunk tiles.
  auto bytes = [](uint64_t v) { return KernelBuilder::tile_bytes(v); };
  const uint64_t budget = config.sbuf_bytes_per_partition;
  const uint64_t fixed = 2 * bytes(rows * es) + 2 * bytes(n_tile * out_es);
  const uint64_t panels = 2 * k_chunks * bytes(cols * es), b_all = k_chunks * n_tiles * bytes(n_tile * es);
  const uint64_t b_two = 2 * bytes(n_tile * es);
  const bool a_panels = fixed + panels + b_two <= budget;
  const bool b_resident = fixed + (a_panels ? panels : 2 * bytes(cols * es)) + b_all <= budget;
  // With panels, A is read once per M tile in K order, so one load brings two K chunks when the
  // plan above still fits: a DMA instruction pays the DRAM latency (about 300 cycles on trn1)
  // once per two chunks. Measured on trn1 2048^3: one chunk per load 969303 cycles, two 940226,
  // four 964278 (a longer load delays the first transposes).
  const uint64_t rest = (a_panels ? panels : 2 * bytes(cols * es)) + (b_resident ? b_all : b_two);
  const uint64_t group =
      a_panels && k_chunks >= 2 && 2 * bytes(2 * rows * es) + 2 * bytes(n_tile * out_es) + rest <= budget ? 2 : 1;

  const uint64_t m_tiles = (s.m + cols - 1) / cols;
  // Rows (columns) of M tile mi, K chunk ki, N tile ni: the last may be shorter.
  auto m_rows = [&](uint64_t mi) { return static_cast<uint32_t>(std::min<uint64_t>(cols, s.m - mi * cols)); };
  auto k_rows = [&](uint64_t ki) { return static_cast<uint32_t>(std::min<uint64_t>(rows, s.k - ki * rows)); };
  auto n_cols = [&](uint64_t ni) { return static_cast<uint32_t>(std::min<uint64_t>(n_tile, s.n - ni * n_tile)); };
  // Everything resident when it fits (the A^T panels of every M tile, all of B, kNat A blocks as
  // stored, `banks` C staging tiles): C tiles then go in any order, loads are emitted ahead.
  // C tiles rotate over `banks` PSUM banks (6, or all of tiny's 4) and each tile's store is
  // emitted up to banks - 2 tiles late (below): the vector engine's evacuation of a tile then
  // waits neither for the next tiles' matmuls nor for the transposes emitted with them, and the
  // array has two banks of slack before it needs the evacuated one again.
  constexpr uint64_t kNat = 8, kLook = 6;
  const uint64_t banks = std::min<uint64_t>(6, config.psum_banks), max_lag = banks > 2 ? banks - 2 : 1;
  const bool all_resident = kNat * bytes(s.k * es) + banks * bytes(n_tile * out_es) +
                                    m_tiles * k_chunks * bytes(cols * es) + bytes(k_chunks * n_tiles * n_tile * es) <=
                                budget;
  if (all_resident) {
    std::vector<Tile> at, nat, psum, c_buf;
    for (uint64_t i = 0; i < kNat; ++i) nat.push_back(b.sbuf_tile(dtype, cols, static_cast<uint32_t>(s.k)));
    for (uint64_t i = 0; i < m_tiles * k_chunks; ++i) at.push_back(b.sbuf_tile(dtype, rows, cols));
    // B: chunk (ki, ni) at free offset (ni k_chunks + ki) n_tile, so an N block's chunks are
    // one pattern per partition range.
    const Tile b_all = b.sbuf_tile(dtype, rows, static_cast<uint32_t>(k_chunks * n_tiles * n_tile));
    for (uint64_t i = 0; i < banks; ++i) {
      psum.push_back(b.psum_bank(cols, static_cast<uint32_t>(config.moving_max_n)));
      c_buf.push_back(b.sbuf_tile(out, cols, n_tile));
    }
    auto b_chunk = [&](uint64_t ki, uint64_t ni, uint32_t kt) {
      return b_all.ap(0, kt, static_cast<uint32_t>((ni * k_chunks + ki) * n_tile), n_cols(ni));
    };
    // Load order, then C tiles in the order their operands arrive (docs/kernels.md "gemm"). An
    // A block (cols x K) costs a quarter of an N block of B (K x n_tile) on trn1, and each
    // brings as many tiles as there are loaded blocks of the other operand. B_0 follows A_0 and
    // B_1 follows A_1 (with one B block each new A block brings one tile, less work than its
    // transposes take the vector engine); then B_j follows the first (j - 1) m_tiles / (n_tiles
    // - 1) A blocks: the other N blocks spread evenly over the A blocks. Until most of B is in,
    // the DMA is the limit; of the orders measured this starts the array's steady stream
    // earliest.
    std::vector<uint64_t> a_before(n_tiles);  // A blocks loaded before B block j
    for (uint64_t j = 0; j < n_tiles; ++j)
      a_before[j] = j < 2 ? std::min(m_tiles, j + 1) : std::min(m_tiles, (j - 1) * m_tiles / (n_tiles - 1));
    std::vector<std::pair<uint64_t, uint64_t>> order;  // (mi, ni)
    for (uint64_t la = 0, lb = 0; la < m_tiles || lb < n_tiles;) {
      if (lb < n_tiles && la >= a_before[lb]) {
        for (uint64_t mi = 0; mi < la; ++mi) order.push_back({mi, lb});
        ++lb;
      } else {
        for (uint64_t ni = 0; ni < lb; ++ni) order.push_back({la, ni});
        ++la;
      }
    }
    std::vector<int> new_a(order.size(), -1), new_b(order.size(), -1);
    {
      std::vector<bool> ha(m_tiles), hb(n_tiles);
      for (size_t i = 0; i < order.size(); ++i) {
        if (!ha[order[i].first]) ha[order[i].first] = true, new_a[i] = static_cast<int>(order[i].first);
        if (!hb[order[i].second]) hb[order[i].second] = true, new_b[i] = static_cast<int>(order[i].second);
      }
    }
    uint64_t nat_next = 0;
    std::vector<uint64_t> nat_of(m_tiles);
    const uint64_t k_full = s.k / rows;  // chunks of `rows` partitions
    auto emit_loads = [&](size_t i) {
      if (new_a[i] >= 0) {
        const auto mi = static_cast<uint64_t>(new_a[i]);
        nat_of[mi] = nat_next % kNat;
        const Tile& an = nat[nat_next++ % kNat];
        for (const auto& pc : b.dma_pieces(m_rows(mi)))
          b.dma(an.ap(pc.p0, pc.np, 0, static_cast<uint32_t>(s.k)), a.rows(mi * cols + pc.p0, pc.np, 0, s.k), b.next_dma_queue());
      }
      if (new_b[i] >= 0) {
        const auto ni = static_cast<uint64_t>(new_b[i]);
        if (k_full > 0)
          for (const auto& pc : b.dma_pieces(rows)) {
            isa::Ap d = b_chunk(0, ni, rows);
            d.part += pc.p0, d.parts = pc.np;
            d.dims[1] = d.dims[0];
            d.dims[0] = {static_cast<uint32_t>(k_full), static_cast<int32_t>(n_tile)};
            isa::Ap src = bt.rows(pc.p0, pc.np, ni * n_tile, n_cols(ni));
            src.dims[2] = src.dims[1];
            src.dims[1] = {static_cast<uint32_t>(k_full), static_cast<int32_t>(rows * s.n * es)};
            b.dma(d, src, b.next_dma_queue());
          }
        if (k_full < k_chunks)
          for (const auto& pc : b.dma_pieces(k_rows(k_full))) {
            isa::Ap d = b_chunk(k_full, ni, k_rows(k_full));
            d.part += pc.p0, d.parts = pc.np;
            b.dma(d, bt.rows(k_full * rows + pc.p0, pc.np, ni * n_tile, n_cols(ni)), b.next_dma_queue());
          }
      }
    };
    auto emit_transposes = [&](size_t i) {
      if (new_a[i] < 0) return;
      const auto mi = static_cast<uint64_t>(new_a[i]);
      for (uint64_t ki = 0; ki < k_chunks; ++ki)
        b.transpose(at[mi * k_chunks + ki], 0, nat[nat_of[mi]], static_cast<uint32_t>(ki * rows), m_rows(mi), k_rows(ki));
    };
    // Program order: the loads of tile i + kLook (one DMA instruction per queue for an A block
    // or an N block of B: one DRAM latency each), the transposes of tile i + 1's panel, tile i's
    // matmuls, the store of tile i - store_lag (DeferredStores). A queue executes in order, so
    // loads emitted ahead are not held behind stores that wait for their tiles. About one tile
    // of store lag per 16 tiles, at most banks - 2: with few tiles the stores held back pile up
    // behind the last matmuls (small 64^3: 3847 cycles at lag 1, 4093 at 2).
    const uint64_t store_lag = std::clamp<uint64_t>(order.size() / 16, 1, max_lag);
    DeferredStores stores(b, store_lag);
    for (size_t j = 0; j < std::min<size_t>(kLook, order.size()); ++j) emit_loads(j);
    emit_transposes(0);
    for (size_t i = 0; i < order.size(); ++i) {
      if (i + kLook < order.size()) emit_loads(i + kLook);
      if (i + 1 < order.size()) emit_transposes(i + 1);
      const auto [mi, ni] = order[i];
      const Tile& bank = psum[i % banks];
      for (uint64_t ki = 0; ki < k_chunks; ++ki) {
        b.load_stationary(at[mi * k_chunks + ki].ap(0, k_rows(ki), 0, m_rows(mi)));
        b.multiply_moving(bank.ap(0, m_rows(mi), 0, n_cols(ni)), b_chunk(ki, ni, k_rows(ki)), ki > 0);
      }
      stores.push({&c, mi * cols, ni * n_tile, m_rows(mi), n_cols(ni), bank, c_buf[i % banks]});
    }
    stores.finish();
    return b.finish();
  }

  Tile a_nat[2], psum[2], c_buf[2];
  std::vector<Tile> a_t, b_t;  // A^T: [panel][chunk] or [2]; B: [chunk][n tile] or [2]
  for (int i = 0; i < 2; ++i) a_nat[i] = b.sbuf_tile(dtype, cols, static_cast<uint32_t>(group * rows));
  for (uint64_t i = 0; i < (a_panels ? 2 * k_chunks : 2); ++i) a_t.push_back(b.sbuf_tile(dtype, rows, cols));
  for (uint64_t i = 0; i < (b_resident ? k_chunks * n_tiles : 2); ++i) b_t.push_back(b.sbuf_tile(dtype, rows, n_tile));
  for (int i = 0; i < 2; ++i) {
    psum[i] = b.psum_bank(cols, static_cast<uint32_t>(config.moving_max_n));
    c_buf[i] = b.sbuf_tile(out, cols, n_tile);
  }

  // Each tile's store is emitted after the next tile's loads and matmuls (DeferredStores).
  DeferredStores stores(b);
  unsigned chunk = 0, tile = 0, a_loads = 0;
  for (uint64_t m0 = 0, mi = 0; m0 < s.m; m0 += cols, ++mi) {
    const uint32_t mt = m_rows(mi);
    for (uint64_t n0 = 0, ni = 0; n0 < s.n; n0 += n_tile, ++ni, ++tile) {
      const uint32_t nt = n_cols(ni);
      const Tile& bank = psum[tile % 2];
      for (uint64_t k0 = 0, ki = 0; k0 < s.k; k0 += rows, ++ki, ++chunk) {
        const uint32_t kt = k_rows(ki);
        const Tile& at = a_panels ? a_t[(mi % 2) * k_chunks + ki] : a_t[chunk % 2];
        if (!a_panels || ni == 0) {
          // A block [mt, group chunks] as stored, then each chunk's A^T [kt, mt] (k on
          // partitions) on the vector engine
          if (ki % group == 0) {
            const auto kg = static_cast<uint32_t>(std::min<uint64_t>(group * rows, s.k - k0));
            const Tile& an = a_nat[a_loads++ % 2];
            for (const auto& pc : b.dma_pieces(mt))
              b.dma(an.ap(pc.p0, pc.np, 0, kg), a.rows(m0 + pc.p0, pc.np, k0, kg), b.next_dma_queue());
          }
          b.transpose(at, 0, a_nat[(a_loads - 1) % 2], static_cast<uint32_t>((ki % group) * rows), mt, kt);
        }
        const Tile& bb = b_resident ? b_t[ki * n_tiles + ni] : b_t[chunk % 2];
        if (!b_resident || mi == 0)
          for (const auto& pc : b.dma_pieces(kt))
            b.dma(bb.ap(pc.p0, pc.np, 0, nt), bt.rows(k0 + pc.p0, pc.np, n0, nt), b.next_dma_queue());
        b.load_stationary(at.ap(0, kt, 0, mt));
        b.multiply_moving(bank.ap(0, mt, 0, nt), bb.ap(0, kt, 0, nt), k0 > 0);
      }
      stores.push({&c, m0, n0, mt, nt, bank, c_buf[tile % 2]});
    }
  }
  stores.finish();
  return b.finish();
}

}  // namespace tessera::kernels

namespace tessera::kernels {

Check check_gemm(const HostTensor& a, const HostTensor& b, const HostTensor& c) {
  const uint64_t m_size = a.shape[0], k_size = a.shape[1], n_size = b.shape[1];
  const double u = 0x1p-24, n_u = static_cast<double>(k_size + 1) * u;
  const double gamma = n_u / (1 - n_u);
  const double underflow = static_cast<double>(k_size) * 0x1p-149;
  // A bf16 c is the fp32 sum c32 rounded to nearest even: |c - c32| <= 2^-8 |c32| + 2^-134 (half
  // the spacing of bf16's subnormals, which reach as low as fp32's exponents), and |c32| <= |C| + E.
  const bool c_bf16 = c.dtype == fp::Format::kBf16;
  const double u_c = c_bf16 ? 0x1p-8 : 0, eta_c = c_bf16 ? 0x1p-134 : 0;
  Check check;
  check.vs = "fp64";
  check.bound =
      c_bf16 ? fmt::format("|c - C| <= E + 2^-8 (|C| + E) + 2^-134, E = {:.3g} * sum|a*b| + K * 2^-149", gamma)
             : fmt::format("|c - C| <= {:.3g} * sum|a*b| + K * 2^-149", gamma);
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
      const double e32 = gamma * magnitude + underflow;
      if (!std::isfinite(exact) || !std::isfinite(got)) {
        bool same = fp::bits_of(got) == fp::bits_of(static_cast<float>(exact)) || (got != got && exact != exact);
        // A bf16 c overflows from a finite fp32 sum: c32 rounds to infinity at (2 - 2^-8) 2^127.
        if (c_bf16 && std::isinf(got) && std::isfinite(exact))
          same = (got > 0) == (exact > 0) && std::fabs(exact) + e32 >= (2 - 0x1p-8) * 0x1p127;
        check.pass = check.pass && same;
        continue;
      }
      const double err = std::fabs(static_cast<double>(got) - exact);
      check.pass = check.pass && err <= e32 + u_c * (std::fabs(exact) + e32) + eta_c;
      check.max_abs_err = std::max(check.max_abs_err, err);
      if (exact != 0) check.max_rel_err = std::max(check.max_rel_err, err / std::fabs(exact));
      check.max_ulp = std::max(check.max_ulp, ulp_distance(c.dtype, got, static_cast<float>(exact)));
    }
  }
  return check;
}

}  // namespace tessera::kernels
