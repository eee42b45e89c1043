#include "mlp_step.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <tuple>

#include "bias_gelu.hpp"
#include "common/errors.hpp"
#include "isa/isa.hpp"
#include "softmax_xent.hpp"

namespace tessera::kernels {

using fp::ActFunc;

namespace {

uint64_t blocks(uint64_t n, uint32_t t) { return (n + t - 1) / t; }
uint32_t part_of(uint64_t n, uint32_t t, uint64_t i) { return static_cast<uint32_t>(std::min<uint64_t>(t, n - i * t)); }

struct Param {
  DramTensor p, m, v;
  bool vector = false;  // 1-D (a bias): one partition of up to N max elements per piece
  // The DRAM pattern of rows [r0, r0+nr) x columns [c0, c0+nc) (a bias: elements [c0, c0+nc)).
  isa::Ap at(const DramTensor& t, uint64_t r0, uint32_t nr, uint64_t c0, uint32_t nc) const {
    if (vector && (r0 != 0 || nr != 1)) throw std::logic_error("mlp_step: a bias piece is rows [0, 1)");
    return vector ? dram_block(t, c0, 1, nc) : t.rows(r0, nr, c0, nc);
  }
};

// dst = src^T through the tensor engine: source rows [0, np) (np <= T) x columns [sf, sf + nf)
// of tile `src`; column block i (T columns, the last one shorter) lands in dst partitions
// [0, its width) at free offset df + i * dstride, np elements wide. Per block a load_stationary
// of the block and a multiply_moving of the identity [np, np] (out[m][n] = sum_k src[k][m] I[k][n]
// = src[n][m]: exact, except that -0 becomes +0 and an infinity or NaN makes its whole output
// column NaN); the blocks of one width sit side by side in a PSUM bank, which one activation
// (identity, rounded to dst's dtype with RNE) copies to dst. The vector engine's transposes move
// one 32 x 32 block per instruction, about 8.8 port cycles per element and lane against 1.5
// for the copy here (docs/kernels.md "mlp_step").
struct PeTranspose {
  KernelBuilder& b;
  uint32_t T, NM;
  Tile ident;  // bf16 [T, T] identity
  std::function<const Tile&()> bank;
  void operator()(const Tile& dst, uint64_t df, uint64_t dstride, const Tile& src, uint64_t sf, uint32_t np,
                  uint64_t nf) const {
    const uint64_t per_bank = std::max<uint32_t>(1, NM / np);
    for (uint64_t i0 = 0; i0 * T < nf;) {
      const auto width = [&](uint64_t i) { return static_cast<uint32_t>(std::min<uint64_t>(T, nf - i * T)); };
      const uint32_t ft = width(i0);
      uint64_t n = 1;
      while (n < per_bank && (i0 + n) * T < nf && width(i0 + n) == ft) ++n;
      const Tile& ps = bank();
      for (uint64_t k = 0; k < n; ++k) {
        b.load_stationary(src.ap(0, np, static_cast<uint32_t>(sf + (i0 + k) * T), ft));
        b.multiply_moving(ps.ap(0, ft, static_cast<uint32_t>(k * np), np), ident.ap(0, np, 0, np), false);
      }
      isa::Ap d = dst.ap(0, ft, static_cast<uint32_t>(df + i0 * dstride), np);
      d.dims[0] = {static_cast<uint32_t>(n), static_cast<int32_t>(dstride)};
      d.dims[1] = {np, 1};
      act(b, ActFunc::kIdentity, d, ps.ap(0, ft, 0, static_cast<uint32_t>(n * np)));
      i0 += n;
    }
  }
};

}  // namespace

const std::vector<std::string>& mlp_param_names() {
  static const std::vector<std::string> names = {"w1", "b1", "w2", "b2"};
  return names;
}

uint64_t mlp_step_model_flops(const MlpShape& s) {
  return 2 * s.batch * (2 * s.in * s.hidden + 3 * s.hidden * s.classes);
}

isa::Program build_mlp_step(const CoreConfig& config, const MlpShape& s, const MlpStepParams& hp) {
  KernelBuilder b(config);
  b.set_bank_skew(true);  // operands of the vector engines in different banks (builder.hpp)
  const auto f32 = fp::Format::kFp32, bf = fp::Format::kBf16;
  const uint64_t B = s.batch, D = s.in, H = s.hidden, C = s.classes;
  for (const auto& [v, name] : {std::pair{B, "batch"}, {D, "in-features"}, {H, "hidden"}, {C, "classes"},
                                {s.micro_batch, "micro-batch"}})
    if (v < 1 || v > (1u << 20)) throw InputError(fmt::format("--{} must be in [1, 2^20], not {}", name, v));

  const DramTensor x = b.dram_tensor("x", f32, {B, D}, isa::TensorIo::kIn);
  const DramTensor oh = b.dram_tensor("onehot", f32, {B, C}, isa::TensorIo::kIn);
  Param w1, b1, w2, b2;
  const std::vector<std::pair<Param*, std::vector<uint64_t>>> params = {
      {&w1, {H, D}}, {&b1, {H}}, {&w2, {C, H}}, {&b2, {C}}};
  for (size_t i = 0; i < params.size(); ++i) {
    Param& P = *params[i].first;
    const std::string& name = mlp_param_names()[i];
    P.vector = params[i].second.size() == 1;
    P.p = b.dram_tensor(name, f32, params[i].second, isa::TensorIo::kInOut);
    if (!hp.sgd) {
      P.m = b.dram_tensor(name + "_m", f32, params[i].second, isa::TensorIo::kInOut);
      P.v = b.dram_tensor(name + "_v", f32, params[i].second, isa::TensorIo::kInOut);
    }
  }
  const DramTensor loss = b.dram_tensor("loss", f32, {1}, isa::TensorIo::kOut);

  // T: the partition tile (contraction chunk, stationary width and row tile alike).
  const auto T = static_cast<uint32_t>(std::min(config.rows, config.cols));
  const auto NM = static_cast<uint32_t>(config.moving_max_n);
  const uint64_t nD = blocks(D, T), nH = blocks(H, T), nC = blocks(C, T);
  if (config.psum_banks < 3)
    throw InputError(fmt::format("mlp_step needs 3 PSUM banks; config {} has {}", config.name, config.psum_banks));

  // --- passes ----------------------------------------------------------------------------------
  // The batch runs in passes of at most `micro_batch` rows (the last one shorter): each pass
  // keeps its rows' activations resident, and with more than one pass the weight gradients are
  // accumulated in SBUF across them (gradient accumulation inside the step); the update runs
  // once, in the last pass.
  const uint64_t Bp = std::min(B, s.micro_batch), nPass = blocks(B, static_cast<uint32_t>(Bp)), nBp = blocks(Bp, T);
  const bool accumulate = nPass > 1;

  // --- on-chip buffers --------------------------------------------------------------------------
  // A matrix used with dimension X on partitions is kept as blocks of T partitions placed side
  // by side along the free dimension: block i of X^T [X, Y] at free offset i * Y.
  auto fits = [&](uint64_t free) {
    if (free > (1u << 24)) throw InputError("mlp_step: the shape is too large");
    return static_cast<uint32_t>(free);
  };
  struct Work {
    Tile lg, oh;           // logits, onehot rows [T, C]
    Tile om, ov, ot, ou, oq;  // optimizer tiles [T, NM]
  } work[2];
  Tile w1f, w2f;  // the fp32 master weights, resident from their load to their update
  Tile xT[2], xr[2];  // per pass; two of each with more than one pass (the next pass's x loads early)
  Tile w1T, w2T, w2r, ident, b1r, b2bc, gp, a, aT, d, dbf, dT, dh, dhb, ones, onesrow, lsum, total;
  Tile gw1, gw2, gb1, gb2;  // gradient accumulators (more than one pass), laid out as the weights
  std::vector<Tile> ring;  // PSUM banks used in turn by the matmuls
  // The rows' losses: softmax_xent's per-row columns m, s, x_y of every row block g (global:
  // pass q, block j -> q nBp + j) in column g mod nLc of `lc`, with the log's temporaries;
  // the losses of nLc blocks at a time are one sequence of [T, nLc] instructions (per row
  // block, their serial sequence held the in-order engines about 3 k cycles, trn1).
  // nLc is a whole number of passes' blocks (the sequence runs at the end of a pass), at most
  // 16 unless one pass has more: the tile stays under 1 KiB per partition (unskewed), which
  // trn1 D 512, H 1024, C 256 in passes of 256 needs for m and v to stay resident.
  const uint64_t nBlk = nPass * nBp;
  const auto nLc = static_cast<uint32_t>(std::min<uint64_t>(nBlk, std::max<uint64_t>(nBp, 16 / nBp * nBp)));
  Tile lc;
  // Column group i (0 m, 1 s, 2 x_y, 3 y, 4 e^y, 5 num, 6 den, 7 q, 8 l, 9 -m, 10 1 / s), columns
  // [c0, c0 + w).
  auto lc_cols = [&](unsigned i, uint32_t c0, uint32_t w) {
    return Tile{lc.space, f32, 0, T, lc.addr + 4ull * (uint64_t{i} * nLc + c0), w};
  };
  try {
    for (int i = 0; i < (accumulate ? 2 : 1); ++i) {
      xT[i] = b.sbuf_tile(bf, T, fits(nD * Bp));  // x^T   [D, Bp]  (d on partitions)
      xr[i] = b.sbuf_tile(bf, T, fits(nBp * D));  // x     [Bp, D]
    }
    if (!accumulate) xT[1] = xT[0], xr[1] = xr[0];
    w1T = b.sbuf_tile(bf, T, fits(nD * H));  // w1^T  [D, H]
    w1f = b.sbuf_tile(f32, T, fits(nH * D));  // w1   [H, D], fp32
    w2f = b.sbuf_tile(f32, T, fits(nC * H));  // w2   [C, H], fp32
    w2T = b.sbuf_tile(bf, T, fits(nH * C));  // w2^T  [H, C]
    w2r = b.sbuf_tile(bf, T, fits(nC * H));  // w2    [C, H]
    b1r = b.sbuf_tile(f32, 1, fits(H));      // b1 in partition 0 (added by the array)
    b2bc = b.sbuf_tile(f32, T, fits(C));
    gp = b.sbuf_tile(f32, T, fits(nBp * H));  // gelu_tanh'(u) [Bp, H], u the pre-activation
    a = b.sbuf_tile(bf, T, fits(nBp * H));    // gelu(u) [Bp, H]
    aT = b.sbuf_tile(bf, T, fits(nH * Bp));   // a^T [H, Bp]
    d = b.sbuf_tile(f32, T, fits(nBp * C));   // dlogits [Bp, C]
    dbf = b.sbuf_tile(bf, T, fits(nBp * C));
    dT = b.sbuf_tile(bf, T, fits(nC * Bp));   // dlogits^T [C, Bp]
    dh = b.sbuf_tile(f32, T, fits(nBp * H));  // dL/du [Bp, H]
    dhb = b.sbuf_tile(bf, T, fits(nBp * H));
    if (accumulate) {
      gw1 = b.sbuf_tile(f32, T, fits(nH * D));
      gw2 = b.sbuf_tile(f32, T, fits(nC * H));
      gb1 = b.sbuf_tile(f32, 1, fits(H));
      gb2 = b.sbuf_tile(f32, 1, fits(C));
    }
    ident = b.sbuf_tile(bf, T, T);           // the identity [T, T] of the transposes
    onesrow = b.sbuf_tile(f32, 1, T);        // 1.0 in [1, T]: b1 added to every row by the array
    ones = b.sbuf_tile(f32, T, 2);  // column 0: 1.0 (bias gradients, loss sum); [0, 1]: the loss
    lsum = Tile{ones.space, f32, 0, 1, ones.addr + 4, 1};
    ones.free = 1;
    for (Work& W : work) {
      W.lg = b.sbuf_tile(f32, T, fits(C));
      W.oh = b.sbuf_tile(f32, T, fits(C));
      for (Tile* t : {&W.ot, &W.ou, &W.oq}) *t = b.sbuf_tile(f32, T, NM);
    }
    lc = b.sbuf_tile(f32, T, 11 * nLc);  // one tile: a 64-byte slot per column group is too much for tiny
    total = b.psum_bank(1, 1);
    for (uint64_t k = 1; k < config.psum_banks; ++k) ring.push_back(b.psum_bank(T, NM));
  } catch (const InputError& e) {
    throw InputError(fmt::format(
        "mlp_step --batch {} --in-features {} --hidden {} --classes {} --micro-batch {} does not fit config {}: {}", B, D,
        H, C, s.micro_batch, config.name, e.what()));
  }
  // AdamW's m and v resident too when they fit (loaded while the forward runs, when the DMA is
  // otherwise idle; the update then only stores): else each update tile loads them into W.om,
  // W.ov (8 KiB per partition on trn1, allocated only then).
  struct Resident {
    Tile p, m, v;  // m.free == 0: m and v not resident
  };
  Resident r_w1{w1f, {}, {}}, r_w2{w2f, {}, {}}, r_b1{b1r, {}, {}}, r_b2{b2bc, {}, {}};
  auto mv = [](const Resident& r) { return uint64_t{r.p.free} * 4; };  // bytes per partition
  const uint64_t mv_bytes = b.sbuf_cost({mv(r_w1), mv(r_w1), mv(r_w2), mv(r_w2), mv(r_b1), mv(r_b1), mv(r_b2), mv(r_b2)});
  if (!hp.sgd && mv_bytes <= b.sbuf_free()) {
    for (Resident* r : {&r_w1, &r_w2}) r->m = b.sbuf_tile(f32, T, r->p.free), r->v = b.sbuf_tile(f32, T, r->p.free);
    for (Resident* r : {&r_b1, &r_b2}) r->m = b.sbuf_tile(f32, 1, r->p.free), r->v = b.sbuf_tile(f32, 1, r->p.free);
  }
  const bool mv_resident = r_w1.m.free != 0;
  try {
    if (!hp.sgd && !mv_resident)
      for (Work& W : work)
        for (Tile* t : {&W.om, &W.ov}) *t = b.sbuf_tile(f32, T, NM);
  } catch (const InputError& e) {
    throw InputError(fmt::format(
        "mlp_step --batch {} --in-features {} --hidden {} --classes {} --micro-batch {} does not fit config {}: {}", B, D,
        H, C, s.micro_batch, config.name, e.what()));
  }
  unsigned bank_next = 0, opt_next = 0;
  // DMA queues: the operand loads at the start use them all in turn; later, loads and stores
  // get separate queues (SplitQueues). Shares: an update that loads m and v and stores p, m
  // and v gets 4 tenths of the queues for loads; with m and v resident (or SGD) it only stores,
  // and the loads left are the forward's onehot rows: one tenth (at least one queue). Measured
  // before the casts moved next to the transposes, trn1 B 256: 624340 cycles at half, 616349 at
  // 4 tenths (m, v loaded per tile); resident m, v 599574 at 4 tenths, 548721 at one; SGD
  // 374509 at half, 330723 at one.
  SplitQueues sq(b, config, mv_resident || hp.sgd ? 1 : 4);
  auto bank = [&]() -> const Tile& { return ring[bank_next++ % ring.size()]; };
  // A PSUM accumulation chain: dst = the sum over i < n of stationary(i)^T moving(i), where
  // term(i) gives the pair; one load_stationary and one multiply_moving per term, the first
  // overwriting dst.
  auto chain = [&](const isa::Ap& dst, uint64_t n, const std::function<std::pair<isa::Ap, isa::Ap>(uint64_t)>& term) {
    for (uint64_t i = 0; i < n; ++i) {
      const auto [st, mv] = term(i);
      b.load_stationary(st);
      b.multiply_moving(dst, mv, i > 0);
    }
  };

  // --- loads: x cast to bf16 (RNE) by the DMA; w1, w2 in fp32 -------------------------------
  // x, w1 and w2 are read as stored (each partition one contiguous row, so the DMA reads whole
  // bus beats; a transposing DRAM read costs a beat per element, docs/kernels.md "gemm") and
  // transposed on chip by the tensor engine (PeTranspose) into the stationary/moving layouts
  // x^T, w1^T, w2^T. x and w2 as stored also serve the backward pass. The fp32 master weights
  // stay in SBUF (w1f, w2f; the biases in partition 0 of b1r and b2bc) until their update,
  // which therefore loads only m and v; w1^T and w2^T are rounded to bf16 (RNE, as the DMA's
  // cast) by the copies out of PSUM, and the vector engine casts w2 to bf16.
  // Rows [r0, r0 + rows) of a 2-D tensor into tile t (block i of T rows at free offset i *
  // cols), each block split by partitions into pieces of about kPieceBytes, on the store
  // queues in turn (they carry no store before the last pass's updates): x of the first pass,
  // then w1, then w2 arrive in that order at the DRAM's rate. (One DMA per block on all the
  // queues in turn left x, cast to bf16 by the DMA at one element per cycle and queue, on four
  // queues for 67 k cycles at trn1 B 2048 while w1, w2 and m, v shared the DRAM; blocks split
  // over all the queues held the forward's onehot rows behind the pieces on the load queue;
  // small blocks stay whole, a DMA's latency would dominate their pieces.)
  constexpr uint64_t kPieceBytes = 32 << 10;
  auto pieces = [&](uint64_t bytes) { return (bytes + kPieceBytes - 1) / kPieceBytes; };
  auto load_rows = [&](const Tile& t, const DramTensor& d, uint64_t r0, uint64_t rows, uint64_t cols) {
    for (uint64_t i = 0; i < blocks(rows, T); ++i) {
      const uint32_t pt = part_of(rows, T, i);
      sq.store(pt, [&](uint32_t p0, uint32_t np, unsigned q) {
        b.dma(t.ap(p0, np, fits(i * cols), fits(cols)), d.rows(r0 + i * T + p0, np, 0, cols), q);
      }, pieces(uint64_t{pt} * cols * d.elem_bytes()));
    }
  };
  // A bias on every partition (a stride-0 DRAM read), split the same way by the bytes it
  // writes: on one queue, b1's 128 x 1024 words took 65 k cycles.
  auto load_bcast = [&](const Tile& t, const DramTensor& d, uint64_t n) {
    sq.store(T, [&](uint32_t p0, uint32_t np, unsigned q) { b.dma(t.ap(p0, np, 0, fits(n)), dram_bcast(d, 0, np, n), q); },
             pieces(uint64_t{T} * n * 4));
  };
  load_rows(xr[0], x, 0, Bp, D);
  b.dma(b1r.ap(0, 1, 0, fits(H)), dram_block(b1.p, 0, 1, fits(H)), sq.store_queue());
  load_rows(w1f, w1.p, 0, H, D);
  load_rows(w2f, w2.p, 0, C, H);
  load_bcast(b2bc, b2.p, C);
  // Resident m and v: on the store queues, behind the operand loads there (the onehot loads
  // of the forward use the load queues; the first stores come with the updates); with more
  // than one pass, behind the second pass's x too, which would otherwise wait for them (trn1
  // B 4096 in passes of 256: the array half idle for the first 100 k cycles).
  auto load_moments = [&] {
    if (!mv_resident) return;
    auto load_tiles = [&](const Tile& t, const Param& P, const DramTensor& d, uint64_t rows, uint64_t cols) {
      for (uint64_t i = 0; i < blocks(rows, T); ++i)
        sq.store(part_of(rows, T, i), [&](uint32_t p0, uint32_t np, unsigned q) {
          b.dma(t.ap(p0, np, fits(i * cols), fits(cols)), P.at(d, i * T + p0, np, 0, fits(cols)), q);
        });
    };
    for (const auto& [r, P, rows, cols] : {std::tuple{&r_w1, &w1, H, D}, {&r_w2, &w2, C, H}}) {
      load_tiles(r->m, *P, P->m, rows, cols);
      load_tiles(r->v, *P, P->v, rows, cols);
    }
    for (const auto& [r, P, n] : {std::tuple{&r_b1, &b1, H}, {&r_b2, &b2, C}}) {
      b.dma(r->m.ap(0, 1, 0, fits(n)), P->at(P->m, 0, 1, 0, fits(n)), sq.store_queue());
      b.dma(r->v.ap(0, 1, 0, fits(n)), P->at(P->v, 0, 1, 0, fits(n)), sq.store_queue());
    }
  };
  if (nPass == 1) load_moments();
  // x^T, w1^T (from the fp32 master: the activation that copies the transpose out of PSUM
  // rounds it to bf16) and, after layer 1 of the first row block, w2^T, by the tensor engine.
  memset(b, ident.ap(), 0.0f);
  for (uint32_t p = 0; p < T; ++p) memset(b, ident.ap(p, 1, p, 1), 1.0f);
  const PeTranspose pe_t{b, T, NM, ident, bank};
  auto x_t = [&](uint64_t q) {  // x^T [D, Bp] of pass q
    const uint64_t rows = std::min(Bp, B - q * Bp);
    for (uint64_t j = 0; j < blocks(rows, T); ++j)
      pe_t(xT[q % 2], j * T, Bp, xr[q % 2], j * D, part_of(rows, T, j), D);
  };
  x_t(0);
  for (uint64_t h = 0; h < nH; ++h) pe_t(w1T, h * T, H, w1f, h * D, part_of(H, T, h), D);  // w1^T [D, H]
  memset(b, ones.ap(), 1.0f);
  memset(b, onesrow.ap(), 1.0f);
  memset(b, lc.ap(), 0.0f);  // defined values in the partitions a short row block leaves out

  const unsigned iters = softmax_log_iterations(C);
  const float inv_b = static_cast<float>(1.0 / static_cast<double>(B));

  // --- optimizer on one gradient tile ----------------------------------------------------------
  const AdamwConsts k = adamw_consts(hp.h);
  const float lr = static_cast<float>(hp.h.lr);
  // The parameter's rows r0.. and columns c0.. (at free offset `off` of its resident tiles),
  // updated in place in R.p (and R.m, R.v when resident), from the gradient g. AdamW runs in
  // two stages (optim.hpp), pipelined over the tiles when m and v are resident: a tile's
  // moments, then the previous tile's step (`pending`, flushed after the last tile), so that
  // act and dve each have one tile's instructions while they wait for the other's (trn1
  // B 2048 in passes of 256: 626827 -> 612793 cycles).
  std::function<void()> pending;
  // The update's tiles of a parameter [rows, cols] (a bias: rows 1): row blocks of T by column
  // chunks of N max, in that order; fn(ri, rt, n0, nt) for rows [ri T, ri T + rt), columns
  // [n0, n0 + nt).
  auto param_tiles = [&](uint64_t rows, uint64_t cols, const std::function<void(uint64_t, uint32_t, uint64_t, uint32_t)>& fn) {
    for (uint64_t ri = 0; ri < blocks(rows, T); ++ri)
      for (uint64_t n0 = 0; n0 < cols; n0 += NM)
        fn(ri, part_of(rows, T, ri), n0, static_cast<uint32_t>(std::min<uint64_t>(NM, cols - n0)));
  };
  // AdamW's steps that do not need g (b1 m and b2 v of every parameter, the decay of w1 and w2;
  // not of b1 and b2, which every pass's forward reads) run earlier, on the activation engine,
  // spread over the passes 1 .. nPass - 2 after their da chains, when act is otherwise idle
  // (m and v must be resident: they load during pass 0; w1 and w2 are last read there, by
  // their transposes and casts). The update then leaves them out (the same products: the
  // same bits). Tiles as the update's (param_tiles).
  const bool early = !hp.sgd && mv_resident && nPass >= 3;
  struct EarlyTile {
    const Resident* r;
    uint64_t off;
    uint32_t pt, ft;
    bool weight;
  };
  std::vector<EarlyTile> early_tiles;
  if (early)
    for (const auto& [r, rows, cols] : {std::tuple{&r_w2, C, H}, {&r_w1, H, D}, {&r_b2, uint64_t{1}, C},
                                         {&r_b1, uint64_t{1}, H}})
      param_tiles(rows, cols, [&, r = r, rows = rows, cols = cols](uint64_t ri, uint32_t rt, uint64_t n0, uint32_t nt) {
        early_tiles.push_back({r, ri * cols + n0, rt, nt, rows > 1});
      });
  auto early_steps = [&](uint64_t q) {  // pass q's share
    if (!early || q == 0 || q + 1 >= nPass) return;
    const uint64_t n = early_tiles.size(), passes = nPass - 2;
    for (uint64_t i = (q - 1) * n / passes; i < q * n / passes; ++i) {
      const EarlyTile& e = early_tiles[i];
      emit_adamw_scale_moments(b, k, e.r->m.ap(0, e.pt, fits(e.off), e.ft), e.r->v.ap(0, e.pt, fits(e.off), e.ft));
      if (e.weight) emit_adamw_decay(b, k, e.r->p.ap(0, e.pt, fits(e.off), e.ft));
    }
  };
  auto update = [&](const Param& P, const Resident& R, uint64_t off, uint64_t r0, uint32_t pt, uint64_t c0,
                    uint32_t ft, const isa::Ap& g) {
    const Work& W = work[opt_next++ % 2];
    auto ap = [&](const Tile& t) { return t.ap(0, pt, 0, ft); };
    const isa::Ap p = R.p.ap(0, pt, fits(off), ft);
    // p, m and v move split by partitions over the load (store) queues (one instruction per
    // tensor kept one queue busy for the whole tile while the others idled). A bias (1-D) is
    // one partition, so one piece at p0 = 0, which P.at() needs.
    auto load = [&](const Tile& t, const DramTensor& dt) {
      sq.load(pt, [&](uint32_t p0, uint32_t np, unsigned q) {
        b.dma(t.ap(p0, np, 0, ft), P.at(dt, r0 + p0, np, c0, ft), q);
      });
    };
    auto store = [&b, &sq, &P, r0, pt, c0, ft](const isa::Ap& t, const DramTensor& dt) {
      sq.store(pt, [&](uint32_t p0, uint32_t np, unsigned q) {
        isa::Ap src = t;
        src.part += p0, src.parts = np;
        b.dma(P.at(dt, r0 + p0, np, c0, ft), src, q);
      });
    };
    if (hp.sgd) {
      ts(b, ap(W.oq), g, "mul", imm(lr));  // lr g
      tt(b, "sub", p, p, ap(W.oq));        // p - lr g
      store(p, P.p);
      return;
    }
    isa::Ap m = ap(W.om), v = ap(W.ov);
    if (mv_resident) {
      m = R.m.ap(0, pt, fits(off), ft), v = R.v.ap(0, pt, fits(off), ft);
    } else {
      load(W.om, P.m);
      load(W.ov, P.v);
    }
    emit_adamw_moments(b, k, m, v, g, ap(W.ot), ap(W.ou), [&] { store(m, P.m); }, [&] { store(v, P.v); }, early);
    const bool decayed = early && !P.vector;
    std::function<void()> step = [&b, &k, store, p, m, v, q = ap(W.oq), &P, decayed] {
      emit_adamw_step(b, k, p, m, v, q, decayed);
      store(p, P.p);
    };
    // (With m and v loaded per tile into W.om, W.ov the next-but-one tile's loads would wait
    // for this step: measured slower, so that path steps at once.)
    if (!mv_resident) return step();
    if (pending) pending();
    pending = std::move(step);
  };
  // A gradient tile of pass q in PSUM (`ps`): with one pass the update reads it there; with
  // more, the first pass copies it to the accumulator `acc` (at free offset `off`, as the
  // parameter's resident tile), the others add it there, and the last one updates from `acc`.
  auto gradient = [&](uint64_t q, const Param& P, const Resident& R, const Tile& acc, uint64_t off, uint64_t r0,
                      uint32_t pt, uint64_t c0, uint32_t ft, const isa::Ap& ps) {
    if (!accumulate) return update(P, R, off, r0, pt, c0, ft, ps);
    const isa::Ap g = acc.ap(0, pt, fits(off), ft);
    if (q == 0) return act(b, ActFunc::kIdentity, g, ps);
    tt(b, "add", g, g, ps);
    if (q + 1 == nPass) update(P, R, off, r0, pt, c0, ft, g);
  };

  for (uint64_t q = 0; q < nPass; ++q) {
    const uint64_t r0 = q * Bp, Bq = std::min(Bp, B - r0), nBq = blocks(Bq, T);
    const Tile &xq = xr[q % 2], &xTq = xT[q % 2];
    if (q > 0) x_t(q);

    // --- forward -----------------------------------------------------------------------------
    // Layer 1, row block j: u[Bp rows, H] = x w1^T + b1 in PSUM (stationary x^T: rows on the
    // PSUM partitions; b1 by one more matmul, K = 1, of a row of ones and b1: the same fp32 add
    // as a vector-engine add of b1, without its 3 port word cycles per element), then from
    // PSUM a = gelu_tanh(u) in bf16 and gelu_tanh'(u) for the backward (u itself is not kept).
    auto layer1 = [&](uint64_t j) {
      const uint32_t bt = part_of(Bq, T, j);
      const Work& W = work[j % 2];
      b.dma(W.oh.ap(0, bt, 0, fits(C)), oh.rows(r0 + j * T, bt, 0, C), sq.load_queue());
      for (uint64_t n0 = 0; n0 < H; n0 += NM) {
        const auto nt = static_cast<uint32_t>(std::min<uint64_t>(NM, H - n0));
        const Tile& ps = bank();
        chain(ps.ap(0, bt, 0, nt), nD, [&](uint64_t i) {
          const uint32_t dt = part_of(D, T, i);
          return std::pair{xTq.ap(0, dt, fits(i * Bp + j * T), bt), w1T.ap(0, dt, fits(i * H + n0), nt)};
        });
        // u = h + b1 in PSUM: a matmul of K = 1 (1.0 x b1) accumulated on the chain
        b.load_stationary(onesrow.ap(0, 1, 0, bt));
        b.multiply_moving(ps.ap(0, bt, 0, nt), b1r.ap(0, 1, fits(n0), nt), true);
        act(b, ActFunc::kGeluTanh, a.ap(0, bt, fits(j * H + n0), nt), ps.ap(0, bt, 0, nt));     // a = gelu(u), bf16
        act(b, ActFunc::kGeluTanhDx, gp.ap(0, bt, fits(j * H + n0), nt), ps.ap(0, bt, 0, nt));  // gelu'(u)
      }
    };
    // Layer 2 and the loss, row block j: logits = a w2^T + b2 (stationary a^T), softmax_xent's
    // row sequence -> dlogits d (fp32) and the row losses summed in `total`; d in bf16.
    auto layer2 = [&](uint64_t j) {
      const uint32_t bt = part_of(Bq, T, j);
      const Work& W = work[j % 2];
      for (uint64_t c0 = 0; c0 < C; c0 += NM) {
        const auto ct = static_cast<uint32_t>(std::min<uint64_t>(NM, C - c0));
        const Tile& ps = bank();
        chain(ps.ap(0, bt, 0, ct), nH, [&](uint64_t i) {
          const uint32_t ht = part_of(H, T, i);
          return std::pair{aT.ap(0, ht, fits(i * Bp + j * T), bt), w2T.ap(0, ht, fits(i * C + c0), ct)};
        });
        tt(b, "add", W.lg.ap(0, bt, fits(c0), ct), ps.ap(0, bt, 0, ct), b2bc.ap(0, bt, fits(c0), ct));
      }
      const isa::Ap da = d.ap(0, bt, fits(j * C), fits(C));
      const uint32_t c = static_cast<uint32_t>((q * nBp + j) % nLc);
      SoftmaxCols sc;
      sc.mx = lc_cols(0, c, 1), sc.s = lc_cols(1, c, 1), sc.nm = lc_cols(9, c, 1), sc.rs = lc_cols(10, c, 1);
      emit_softmax_dlogits(b, W.lg.ap(0, bt, 0, fits(C)), W.oh.ap(0, bt, 0, fits(C)), da, sc, inv_b);
      b.tensor_copy(dbf.ap(0, bt, fits(j * C), fits(C)), da);
      emit_softmax_xy(b, W.lg.ap(0, bt, 0, fits(C)), W.oh.ap(0, bt, 0, fits(C)), lc_cols(2, c, 1).ap(0, bt, 0, 1));
    };
    // The row losses of the blocks in `lc` (after the pass's da chains, when the last block of
    // the step or the last column of `lc` has been filled), summed into `total` block by block
    // in order (so the loss is the same bits as softmax_xent's per block sums).
    const uint64_t g_end = q * nBp + nBq;  // row blocks done after this pass
    const bool loss_now = g_end % nLc == 0 || q + 1 == nPass;
    const uint64_t g0 = (g_end - 1) / nLc * nLc;  // the first block in `lc`
    auto losses = [&] {
      if (!loss_now) return;
      const auto w = static_cast<uint32_t>(g_end - g0);
      SoftmaxCols sc;
      Tile* const group[9] = {&sc.mx, &sc.s, &sc.xy, &sc.y, &sc.ey, &sc.num, &sc.den, &sc.q, &sc.l};
      for (unsigned i = 0; i < 9; ++i) *group[i] = lc_cols(i, 0, w);
      emit_softmax_ln_losses(b, sc, T, w, iters);
    };
    auto loss_sums = [&] {  // after the pass's matmuls, so that the array does not wait for them
      if (!loss_now) return;
      for (uint64_t g = g0; g < g_end; ++g) {
        const uint64_t qg = g / nBp, jg = g % nBp;  // the block's pass and index in it
        const uint32_t bt = part_of(std::min(Bp, B - qg * Bp), T, jg);
        emit_row_loss_sum(b, ones, total, lc_cols(8, static_cast<uint32_t>(g - g0), 1).ap(0, bt, 0, 1), g > 0);
      }
    };
    // Software pipelined: the array computes layer 1 of block j while the other engines finish
    // block j - 1's layer 1 (a^T is transposed after that, so the array's in-order queue does
    // not wait for the activation) for its layer 2.
    auto a_t = [&](uint64_t j) { pe_t(aT, j * T, Bp, a, j * H, part_of(Bq, T, j), H); };  // a^T [H, Bp]
    for (uint64_t j = 0; j < nBq; ++j) {
      layer1(j);
      if (q == 0 && j == 0)
        for (uint64_t c = 0; c < nC; ++c) pe_t(w2T, c * T, C, w2f, c * H, part_of(C, T, c), H);  // w2^T [H, C]
      if (j > 0) a_t(j - 1), layer2(j - 1);
    }
    a_t(nBq - 1);
    layer2(nBq - 1);
    if (q + 1 < nPass) {
      load_rows(xr[(q + 1) % 2], x, r0 + Bp, std::min(Bp, B - r0 - Bp), D);  // the next pass's rows
      if (q == 0) load_moments();
    }

    // --- backward ------------------------------------------------------------------------------
    // w2 in bf16 for da = d w2, cast by the vector engine after the first forward (emitted
    // earlier, the in-order engine held the first layer-1 sums until w2 arrived).
    if (q == 0)
      for (uint64_t i = 0; i < nC; ++i)
        b.tensor_copy(w2r.ap(0, part_of(C, T, i), fits(i * H), fits(H)),
                      w2f.ap(0, part_of(C, T, i), fits(i * H), fits(H)));
    // da = d w2 (stationary d^T), then dL/du = gelu_tanh'(u) * da (da read from PSUM).
    for (uint64_t j = 0; j < nBq; ++j) {
      const uint32_t bt = part_of(Bq, T, j);
      pe_t(dT, j * T, Bp, dbf, j * C, bt, C);  // d^T [C, Bp] of this row block
      for (uint64_t n0 = 0; n0 < H; n0 += NM) {
        const auto nt = static_cast<uint32_t>(std::min<uint64_t>(NM, H - n0));
        const Tile& ps = bank();
        chain(ps.ap(0, bt, 0, nt), nC, [&](uint64_t i) {
          const uint32_t ct = part_of(C, T, i);
          return std::pair{dT.ap(0, ct, fits(i * Bp + j * T), bt), w2r.ap(0, ct, fits(i * H + n0), nt)};
        });
        const isa::Ap dha = dh.ap(0, bt, fits(j * H + n0), nt);
        tt(b, "mul", dha, gp.ap(0, bt, fits(j * H + n0), nt), ps.ap(0, bt, 0, nt));  // dL/du = gelu'(u) da
        b.tensor_copy(dhb.ap(0, bt, fits(j * H + n0), nt), dha);
      }
    }
    losses();
    early_steps(q);
    // A weight gradient [rows, cols] = st^T mv summed over the pass's row blocks, tile by tile:
    // the stationary st holds the rows side (row block j at free offset j * st_stride), the
    // moving mv the cols side (at j * mv_stride).
    auto weight_grad = [&](const Param& P, const Resident& R, const Tile& acc, const Tile& st, uint64_t st_stride,
                           uint64_t rows, const Tile& mv, uint64_t mv_stride, uint64_t cols) {
      param_tiles(rows, cols, [&](uint64_t ri, uint32_t rt, uint64_t n0, uint32_t nt) {
        const Tile& ps = bank();
        chain(ps.ap(0, rt, 0, nt), nBq, [&](uint64_t j) {
          const uint32_t bt = part_of(Bq, T, j);
          return std::pair{st.ap(0, bt, fits(j * st_stride + ri * T), rt), mv.ap(0, bt, fits(j * mv_stride + n0), nt)};
        });
        gradient(q, P, R, acc, ri * cols + n0, ri * T, rt, n0, nt, ps.ap(0, rt, 0, nt));
      });
    };
    weight_grad(w2, r_w2, gw2, dbf, C, C, a, H, H);  // dW2 = d^T a (stationary d in bf16)
    // Bias gradients: column sums over the rows by the array (ones stationary, fp32 d and dL/du).
    auto bias_grad = [&](const Param& P, const Resident& R, const Tile& acc, const Tile& src, uint64_t width) {
      param_tiles(1, width, [&](uint64_t, uint32_t, uint64_t n0, uint32_t nt) {
        const Tile& ps = bank();
        chain(ps.ap(0, 1, 0, nt), nBq, [&](uint64_t j) {
          const uint32_t bt = part_of(Bq, T, j);
          return std::pair{ones.ap(0, bt, 0, 1), src.ap(0, bt, fits(j * width + n0), nt)};
        });
        gradient(q, P, R, acc, n0, 0, 1, n0, nt, ps.ap(0, 1, 0, nt));
      });
    };
    bias_grad(b2, r_b2, gb2, d, C);
    bias_grad(b1, r_b1, gb1, dh, H);
    weight_grad(w1, r_w1, gw1, dhb, H, H, xq, D, D);  // dW1 = (dL/du)^T x (stationary dL/du in bf16)
    loss_sums();
    if (q + 1 == nPass) {
      act(b, ActFunc::kIdentity, lsum.ap(), total.ap(0, 1, 0, 1), imm(inv_b));  // mean
      b.dma(dram_block(loss, 0, 1, 1), lsum.ap(), sq.store_queue());
    }
  }
  if (pending) pending();  // the last tile's AdamW step
  return b.finish();
}

// --- double-precision reference ---------------------------------------------------------------

Ev ev_bf16_of_input(double x) {
  const float f = static_cast<float>(x);
  const float r = fp::float_of(fp::widen(fp::Format::kBf16, fp::narrow(fp::Format::kBf16, fp::bits_of(f))));
  return {x, std::fabs(static_cast<double>(r) - x)};
}

Ev ev_bf16(Ev x) { return {x.v, x.e + 0x1p-8 * (std::fabs(x.v) + x.e) + 0x1p-134}; }

namespace {

// sum_k a(k) b(k) on the array: products of two bf16 values (exact in fp32 but for underflow,
// < 2^-149 each) summed by n - 1 fp32 additions in some order (chunks, then PSUM accumulation).
template <class A, class Bv>
Ev ev_dot(uint64_t n, const A& a, const Bv& bv) {
  double v = 0, e = 0, mag = 0;
  for (uint64_t k = 0; k < n; ++k) {
    const Ev x = a(k), y = bv(k);
    const double p = x.v * y.v;
    const double pe = std::fabs(x.v) * y.e + std::fabs(y.v) * x.e + x.e * y.e + 0x1p-149;
    v += p;
    e += pe;
    mag += std::fabs(p) + pe;
  }
  const double nu = static_cast<double>(n - 1) * kU, gamma = nu / (1 - nu);
  return {v, e + gamma * mag + static_cast<double>(n) * (0x1p-150 + 0x1p-50 * mag)};
}

}  // namespace

Reference reference_mlp_step(const Tensors& in, const MlpShape& s, const MlpStepParams& hp) {
  const uint64_t B = s.batch, D = s.in, H = s.hidden, C = s.classes;
  const std::vector<double> X = values(in.at("x")), OH = values(in.at("onehot")), W1 = values(in.at("w1")),
                            B1 = values(in.at("b1")), W2 = values(in.at("w2")), B2 = values(in.at("b2"));
  std::vector<Ev> xb(B * D), w1b(H * D), w2b(C * H);
  for (uint64_t i = 0; i < xb.size(); ++i) xb[i] = ev_bf16_of_input(X[i]);
  for (uint64_t i = 0; i < w1b.size(); ++i) w1b[i] = ev_bf16_of_input(W1[i]);
  for (uint64_t i = 0; i < w2b.size(); ++i) w2b[i] = ev_bf16_of_input(W2[i]);

  // Forward.
  std::vector<Ev> u(B * H), ab(B * H), lg(B * C);
  for (uint64_t r = 0; r < B; ++r)
    for (uint64_t h = 0; h < H; ++h) {
      const Ev hm = ev_dot(D, [&](uint64_t k) { return xb[r * D + k]; }, [&](uint64_t k) { return w1b[h * D + k]; });
      u[r * H + h] = ev_add(hm, ev_exact(B1[h]));
      Ev a = ev_act(ActFunc::kGeluTanh, u[r * H + h]);
      a.v = gelu_tanh(u[r * H + h].v);
      ab[r * H + h] = ev_bf16(a);
    }
  for (uint64_t r = 0; r < B; ++r)
    for (uint64_t c = 0; c < C; ++c)
      lg[r * C + c] = ev_add(ev_dot(H, [&](uint64_t k) { return ab[r * H + k]; }, [&](uint64_t k) { return w2b[c * H + k]; }),
                             ev_exact(B2[c]));
  const Ev inv_b = ev_const(1.0 / static_cast<double>(B), static_cast<float>(1.0 / static_cast<double>(B)));
  std::vector<Ev> dl(B * C), losses;
  for (uint64_t r = 0; r < B; ++r) {
    const SoftmaxRowRef rr =
        softmax_xent_row_reference(std::vector<Ev>(lg.begin() + static_cast<long>(r * C), lg.begin() + static_cast<long>((r + 1) * C)),
                                   &OH[r * C], inv_b);
    std::copy(rr.dl.begin(), rr.dl.end(), dl.begin() + static_cast<long>(r * C));
    losses.push_back(rr.loss);
  }
  Reference ref;
  ref["loss"] = {softmax_mean_loss(losses, inv_b)};

  // Backward.
  std::vector<Ev> dlb(B * C), dh(B * H), dhb(B * H);
  for (uint64_t i = 0; i < dl.size(); ++i) dlb[i] = ev_bf16(dl[i]);
  std::vector<Ev> g_w2(C * H), g_b2(C), g_w1(H * D), g_b1(H);
  for (uint64_t c = 0; c < C; ++c)
    for (uint64_t h = 0; h < H; ++h)
      g_w2[c * H + h] = ev_dot(B, [&](uint64_t r) { return dlb[r * C + c]; }, [&](uint64_t r) { return ab[r * H + h]; });
  for (uint64_t c = 0; c < C; ++c) {
    std::vector<Ev> col(B);
    for (uint64_t r = 0; r < B; ++r) col[r] = dl[r * C + c];  // products with 1.0: exact
    g_b2[c] = ev_sum(col);
  }
  for (uint64_t r = 0; r < B; ++r)
    for (uint64_t h = 0; h < H; ++h) {
      const Ev da = ev_dot(C, [&](uint64_t k) { return dlb[r * C + k]; }, [&](uint64_t k) { return w2b[k * H + h]; });
      dh[r * H + h] = ev_gelu_tanh_grad(u[r * H + h], da);
      dhb[r * H + h] = ev_bf16(dh[r * H + h]);
    }
  for (uint64_t h = 0; h < H; ++h) {
    std::vector<Ev> col(B);
    for (uint64_t r = 0; r < B; ++r) col[r] = dh[r * H + h];
    g_b1[h] = ev_sum(col);
  }
  for (uint64_t h = 0; h < H; ++h)
    for (uint64_t k = 0; k < D; ++k)
      g_w1[h * D + k] = ev_dot(B, [&](uint64_t r) { return dhb[r * H + h]; }, [&](uint64_t r) { return xb[r * D + k]; });

  // Updates.
  const std::vector<std::pair<std::string, const std::vector<Ev>*>> grads = {
      {"w1", &g_w1}, {"b1", &g_b1}, {"w2", &g_w2}, {"b2", &g_b2}};
  const Ev lr = ev_const(hp.h.lr, static_cast<float>(hp.h.lr));
  for (const auto& [name, g] : grads) {
    const std::vector<double> p = values(in.at(name));
    std::vector<Ev>& rp = ref[name];
    if (hp.sgd) {
      for (uint64_t i = 0; i < p.size(); ++i) {
        const Ev e = ev_sub(ev_exact(p[i]), ev_mul((*g)[i], lr));
        rp.push_back({p[i] - hp.h.lr * (*g)[i].v, e.e});
      }
      continue;
    }
    const std::vector<double> m = values(in.at(name + "_m")), v = values(in.at(name + "_v"));
    std::vector<Ev>&rm = ref[name + "_m"], &rv = ref[name + "_v"];
    for (uint64_t i = 0; i < p.size(); ++i) {
      const AdamwElementRef r = adamw_element_reference(p[i], m[i], v[i], (*g)[i], hp.h);
      rp.push_back(r.p);
      rm.push_back(r.m);
      rv.push_back(r.v);
    }
  }
  return ref;
}

}  // namespace tessera::kernels
