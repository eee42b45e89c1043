#include "executor.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>

#include "numerics/activation.hpp"
#include "core_model.hpp"
#include "vector_alu.hpp"

namespace tessera::ref {

using isa::Ap;
using isa::Instruction;
using isa::Space;

namespace {

unsigned elem_bytes(fp::Format f) { return fp::info(f).bits / 8; }

std::string_view enum_name(const Instruction& inst, std::string_view field) {
  const auto& f = inst.op->fields[static_cast<size_t>(inst.op->field_index(field))];
  return (*f.enum_values)[inst.u(field)];
}

// fp::widen of every code of an 8- or 16-bit format, computed once (the same function, so the
// same bits, without its per-element decoding).
const uint32_t* widen_table(fp::Format f) {
  static std::array<std::vector<uint32_t>, 16> tables;
  const unsigned bits = fp::info(f).bits;
  const size_t idx = static_cast<size_t>(f);
  if (bits > 16 || idx >= tables.size()) return nullptr;
  std::vector<uint32_t>& t = tables[idx];
  if (t.empty()) {
    t.resize(size_t{1} << bits);
    for (uint32_t c = 0; c < t.size(); ++c) t[c] = fp::widen(f, c);
  }
  return t.data();
}

// Matmul sums over blocks of 4 vectors of columns (GCC vector extensions: + and * are the
// element-wise IEEE operations): sums[m][n] = add32(..., mul32(st[k][m],
// mov[k][n])) for k increasing from +0, two rows m at a time with their 8 vector sums held in
// registers through the k loop; a block of columns (4 x 64 bytes x K at most) is copied into one
// contiguous buffer, L1-resident, and reused by every row before the next (in place, its rows
// n_size floats apart, it mapped onto a few L1 sets and was read from L2 for every row pair).
// `st_t`: the stationary transposed, [m][k], so each row's scalars are consecutive. The same
// IEEE binary32 operations in every instruction set (no FMA: -ffp-contract=off; MXCSR's
// defaults, no FTZ/DAZ), so each width gives the same bits; the widest one the host has is
// chosen at run time. Fills acc[m][n] for the columns from n0 and returns
// the first column not done (the rest is left to narrower loops).
#define TESSERA_MATMUL_BLOCKS(NAME, BYTES, TARGET)                                                   \
  TARGET size_t NAME(const float* st_t, uint32_t kk, uint32_t mm, const float* mov, size_t n_size,  \
                     float* acc, size_t n0) {                                                       \
    typedef float V __attribute__((vector_size(BYTES)));                                            \
    constexpr size_t L = (BYTES) / 4;                                                               \
    static thread_local std::vector<float> block; /* the columns' K rows, packed */                 \
    block.resize(size_t{kk} * 4 * L);                                                               \
    for (; n0 + 4 * L <= n_size; n0 += 4 * L) {                                                     \
      for (uint32_t k = 0; k < kk; ++k)                                                             \
        std::memcpy(block.data() + size_t{k} * 4 * L, mov + k * n_size + n0, 4 * BYTES);            \
      for (uint32_t m = 0; m < mm; m += 2) {                                                        \
        const bool pair = m + 1 < mm;                                                               \
        const float* s0 = st_t + size_t{m} * kk;                                                    \
        const float* s1 = pair ? s0 + kk : s0; /* a last odd row: computed twice, kept once */      \
        V a0{}, a1{}, a2{}, a3{}, b0{}, b1{}, b2{}, b3{};                                           \
        for (uint32_t k = 0; k < kk; ++k) {                                                         \
          const V s = s0[k] - V{}, u = s1[k] - V{}; /* broadcasts: x - (+0) is x, -0 included */    \
          const float* mv = block.data() + size_t{k} * 4 * L;                                       \
          V x0, x1, x2, x3;                                                                         \
          std::memcpy(&x0, mv, BYTES);                                                              \
          std::memcpy(&x1, mv + L, BYTES);                                                          \
          std::memcpy(&x2, mv + 2 * L, BYTES);                                                      \
          std::memcpy(&x3, mv + 3 * L, BYTES);                                                      \
          a0 = a0 + s * x0;                                                                         \
          a1 = a1 + s * x1;                                                                         \
          a2 = a2 + s * x2;                                                                         \
          a3 = a3 + s * x3;                                                                         \
          b0 = b0 + u * x0;                                                                         \
          b1 = b1 + u * x1;                                                                         \
          b2 = b2 + u * x2;                                                                         \
          b3 = b3 + u * x3;                                                                         \
        }                                                                                           \
        float* r0 = acc + size_t{m} * n_size + n0;                                                  \
        std::memcpy(r0, &a0, BYTES);                                                                \
        std::memcpy(r0 + L, &a1, BYTES);                                                            \
        std::memcpy(r0 + 2 * L, &a2, BYTES);                                                        \
        std::memcpy(r0 + 3 * L, &a3, BYTES);                                                        \
        if (!pair) continue;                                                                        \
        float* r1 = r0 + n_size;                                                                    \
        std::memcpy(r1, &b0, BYTES);                                                                \
        std::memcpy(r1 + L, &b1, BYTES);                                                            \
        std::memcpy(r1 + 2 * L, &b2, BYTES);                                                        \
        std::memcpy(r1 + 3 * L, &b3, BYTES);                                                        \
      }                                                                                             \
    }                                                                                               \
    return n0;                                                                                      \
  }
#if defined(__x86_64__) && defined(__GNUC__)
TESSERA_MATMUL_BLOCKS(matmul_blocks_avx512, 64, __attribute__((target("avx512f"))))
TESSERA_MATMUL_BLOCKS(matmul_blocks_avx2, 32, __attribute__((target("avx2"))))
#endif
TESSERA_MATMUL_BLOCKS(matmul_blocks_sse, 16, )
#undef TESSERA_MATMUL_BLOCKS

using MatmulBlocks = size_t (*)(const float*, uint32_t, uint32_t, const float*, size_t, float*, size_t);
unsigned g_vector_limit = 64;  // limit_matmul_vector_bytes()
MatmulBlocks matmul_blocks() {
#if defined(__x86_64__) && defined(__GNUC__)
  if (g_vector_limit >= 64 && __builtin_cpu_supports("avx512f")) return matmul_blocks_avx512;
  if (g_vector_limit >= 32 && __builtin_cpu_supports("avx2")) return matmul_blocks_avx2;
#endif
  return matmul_blocks_sse;
}

// Elements of `ap`'s free pattern that are consecutive in memory in blocks of this many
// (aligned at multiples of it in the pattern's order): the innermost dimensions of count > 1
// whose stride is the size of the block inside them. `unit`: an element's stride (1 on chip,
// the element's bytes in DRAM).
uint64_t contiguous_run(const Ap& ap, int64_t unit) {
  uint64_t run = 1;
  for (int d = 2; d >= 0; --d) {
    if (ap.dims[d].count == 1) continue;
    if (ap.dims[d].stride != static_cast<int64_t>(run) * unit) break;
    run *= ap.dims[d].count;
  }
  return run;
}

// The offsets of a DRAM pattern's runs of `step` elements, in the pattern's order, without a
// vector of every element's offset (a DMA's DRAM side holds all of its partitions' elements):
// the pattern's innermost contiguous block (contiguous_run(ap, unit) elements, which `step`
// divides) is walked flat, the dimensions outside it by counters. After the last run it starts
// over.
class DramRuns {
 public:
  DramRuns(const Ap& ap, int64_t unit, uint64_t step) : unit_(unit), step_(step) {
    int d = 2;
    for (; d >= 0; --d) {  // contiguous_run's loop: the block
      if (ap.dims[d].count == 1) continue;
      if (ap.dims[d].stride != static_cast<int64_t>(block_) * unit) break;
      block_ *= ap.dims[d].count;
    }
    for (unsigned n = 0; d >= 0; --d) {  // the rest, innermost first
      if (ap.dims[d].count == 1) continue;
      count_[n] = ap.dims[d].count;
      stride_[n] = ap.dims[d].stride;
      ++n;
    }
    if (step_ == 0 || block_ % step_ != 0) throw std::logic_error("DramRuns: a run must divide the contiguous block");
  }
  int64_t offset() const { return outer_ + static_cast<int64_t>(pos_) * unit_; }
  void next() {
    pos_ += step_;
    if (pos_ < block_) return;
    pos_ = 0;
    for (unsigned i = 0; i < 3; ++i) {
      outer_ += stride_[i];
      if (++idx_[i] < count_[i]) return;
      outer_ -= stride_[i] * count_[i];
      idx_[i] = 0;
    }
  }

 private:
  int64_t unit_;
  uint64_t step_, block_ = 1, pos_ = 0;
  uint32_t count_[3] = {1, 1, 1}, idx_[3] = {0, 0, 0};
  int64_t stride_[3] = {0, 0, 0};
  int64_t outer_ = 0;
};

// fp::narrow(f, fp::widen(f, c), RNE) of every code c of an 8- or 16-bit format, computed once.
const uint32_t* round_trip_table(fp::Format f) {
  static std::array<std::vector<uint32_t>, 16> tables;
  const size_t idx = static_cast<size_t>(f);
  const uint32_t* widened = widen_table(f);
  if (!widened) return nullptr;
  std::vector<uint32_t>& t = tables[idx];
  if (t.empty()) {
    t.resize(size_t{1} << fp::info(f).bits);
    for (uint32_t c = 0; c < t.size(); ++c) t[c] = fp::narrow(f, widened[c], fp::Rounding::kRne, 0);
  }
  return t.data();
}

// off[i] == off[0] + i for the n offsets: the elements are one ascending run in memory.
bool ascending_run(const int64_t* off, size_t n) {
  for (size_t i = 1; i < n; ++i)
    if (off[i] != off[0] + static_cast<int64_t>(i)) return false;
  return true;
}
bool ascending_run(const std::vector<int64_t>& off) { return ascending_run(off.data(), off.size()); }

// off[i] == off[0] - i: one run walked from its last element down.
bool descending_run(const std::vector<int64_t>& off) {
  for (size_t i = 1; i < off.size(); ++i)
    if (off[i] != off[0] - static_cast<int64_t>(i)) return false;
  return true;
}

}  // namespace

Executor::Executor(const CoreConfig& config, uint64_t seed) {
  for (uint32_t lane = 0; lane < config.rows; ++lane) lanes_.push_back(fp::Xorshift32::for_lane(seed, lane));
}

uint8_t* Executor::onchip(Space space, uint32_t partition, uint64_t offset) const {
  return space == Space::kSbuf ? mem_.sbuf + partition * mem_.sbuf_partition_bytes + offset
                               : mem_.psum + partition * mem_.psum_partition_bytes + offset;
}

uint32_t Executor::load(const Ap& ap, uint32_t partition, int64_t element) const {
  const unsigned es = elem_bytes(ap.dtype);
  uint32_t code = 0;
  if (ap.space == Space::kDram) mem_.dram->read(ap.addr + static_cast<uint64_t>(element), &code, es);
  else std::memcpy(&code, onchip(ap.space, partition, ap.addr + static_cast<uint64_t>(element * es)), es);
  if (ap.dtype == fp::Format::kFp32) return code;
  const uint32_t* table = widen_table(ap.dtype);
  return table ? table[code] : fp::widen(ap.dtype, code);
}

// load() of the n elements at `off` of partitions ap.part .. ap.part + rows - 1 as floats, row r
// at out + r * n, the format decoded once per call rather than per element (the tensor
// engine's operands: the TLM's hot loop). `ap` is on chip: validate() keeps the tensor engine's
// operands there.
void Executor::load_floats(const Ap& ap, uint32_t rows, const int64_t* off, size_t n, float* all) const {
  const uint32_t* table = widen_table(ap.dtype);
  const bool run_only = n > 0 && ascending_run(off, n);  // one run: no per-element offsets
  for (uint32_t r = 0; r < rows; ++r) {
    const uint8_t* base = onchip(ap.space, ap.part + r, ap.addr);
    float* const out = all + size_t{r} * n;
    if (run_only) {
      const uint8_t* run = base + off[0] * static_cast<int64_t>(elem_bytes(ap.dtype));
      switch (elem_bytes(ap.dtype)) {
        case 4:
          std::memcpy(out, run, n * 4);
          break;
        case 2:
          if (ap.dtype == fp::Format::kBf16) {  // the matmuls' usual operands: a vector loop
            for (size_t i = 0; i < n; ++i) {
              uint16_t code;
              std::memcpy(&code, run + i * 2, 2);
              out[i] = fp::float_of(fp::widen_bf16(code));
            }
            break;
          }
          for (size_t i = 0; i < n; ++i) {
            uint16_t code;
            std::memcpy(&code, run + i * 2, 2);
            out[i] = fp::float_of(table[code]);
          }
          break;
        default:
          for (size_t i = 0; i < n; ++i) out[i] = fp::float_of(table[run[i]]);
          break;
      }
      continue;
    }
    switch (elem_bytes(ap.dtype)) {
      case 4:
        for (size_t i = 0; i < n; ++i) std::memcpy(&out[i], base + off[i] * 4, 4);
        break;
      case 2:
        for (size_t i = 0; i < n; ++i) {
          uint16_t code;
          std::memcpy(&code, base + off[i] * 2, 2);
          out[i] = fp::float_of(table[code]);
        }
        break;
      default:
        for (size_t i = 0; i < n; ++i) out[i] = fp::float_of(table[base[off[i]]]);
        break;
    }
  }
}

void Executor::store(const Ap& ap, uint32_t partition, int64_t element, uint32_t f32, fp::Rounding rounding) {
  const unsigned es = elem_bytes(ap.dtype);
  uint32_t code = f32;
  if (ap.dtype != fp::Format::kFp32) {
    const uint32_t random = rounding == fp::Rounding::kStochastic ? lanes_[partition].next() : 0;
    code = fp::narrow(ap.dtype, f32, rounding, random);
  } else if (rounding == fp::Rounding::kStochastic) {
    lanes_[partition].next();  // the generator steps once per element whatever the format
  }
  if (ap.space == Space::kDram) mem_.dram->write(ap.addr + static_cast<uint64_t>(element), &code, es);
  else std::memcpy(onchip(ap.space, partition, ap.addr + static_cast<uint64_t>(element * es)), &code, es);
}

uint32_t Executor::scalar_value(const isa::Scalar& s, uint32_t partition) const {
  if (!s.is_col) return s.imm;
  uint32_t v;
  std::memcpy(&v, onchip(s.col.space, partition, s.col.addr), 4);
  return v;
}

void prepare_tables() {
  for (fp::Format f : {fp::Format::kBf16, fp::Format::kFp16, fp::Format::kE4m3, fp::Format::kE5m2}) round_trip_table(f);
}

unsigned matmul_vector_bytes() {
#if defined(__x86_64__) && defined(__GNUC__)
  const MatmulBlocks f = matmul_blocks();
  if (f == matmul_blocks_avx512) return 64;
  if (f == matmul_blocks_avx2) return 32;
#endif
  return 16;
}
void limit_matmul_vector_bytes(unsigned bytes) { g_vector_limit = bytes; }

void Executor::execute(const Instruction& inst) {
  const std::string& engine = inst.op->engine;
  if (engine == "any") return;
  const auto t0 = std::chrono::steady_clock::now();
  if (engine == "pe") exec_matmul(inst);
  else if (engine == "act") exec_activation(inst);
  else if (engine == "dve") exec_dve(inst);
  else exec_dma(inst);
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void Executor::exec_matmul(const Instruction& inst) {
  if (inst.op->name == "load_stationary") {
    const Ap& src = inst.ap("src");
    const std::vector<int64_t> off = free_offsets(src);
    stationary_k_ = src.parts;
    stationary_m_ = static_cast<uint32_t>(off.size());
    const uint32_t kk = stationary_k_, mm = stationary_m_;
    stationary_.resize(size_t{kk} * mm);
    load_floats(src, kk, off.data(), off.size(), stationary_.data());
    // The matmuls read it as [m][k]: transposed once here, in tiles (a plain loop's strided
    // stores cost more than the matmul's own work on small moving tiles).
    stationary_t_.resize(size_t{mm} * kk);
    constexpr uint32_t kTile = 16;
    for (uint32_t k0 = 0; k0 < kk; k0 += kTile)
      for (uint32_t m0 = 0; m0 < mm; m0 += kTile)
        for (uint32_t k = k0; k < std::min(kk, k0 + kTile); ++k)
          for (uint32_t m = m0; m < std::min(mm, m0 + kTile); ++m)
            stationary_t_[size_t{m} * kk + k] = stationary_[size_t{k} * mm + m];
    return;
  }
  const Ap& dst = inst.ap("dst");
  const Ap& src = inst.ap("src");
  std::vector<int64_t> src_off = free_offsets(src), dst_off = free_offsets(dst);
  // Each column is computed on its own, so walking both patterns in the opposite order gives
  // the same (moving column, PSUM column) pairs: the kernel builder emits every matmul with
  // both reversed (KernelBuilder::multiply_moving), which becomes the ascending runs below.
  if (descending_run(src_off) && descending_run(dst_off)) {
    std::reverse(src_off.begin(), src_off.end());
    std::reverse(dst_off.begin(), dst_off.end());
  }
  const size_t n_size = src_off.size();
  const bool accumulate = inst.u("acc");
  // dst is fp32 in PSUM (validate()); a contiguous row is updated in one vector pass.
  const bool contiguous = n_size > 0 && ascending_run(dst_off);
  const int64_t row_start = contiguous ? dst_off[0] * 4 : 0;  // bytes from dst.addr
  // Row m of the results: acc_{k+1} = add32(acc_k, mul32(stationary[k][m], moving[k][n])), k
  // increasing, from +0: the host's IEEE binary32 operations (no FMA contraction, no FTZ:
  // CMakeLists.txt), vectorized over n; only NaN payloads need canonicalising, below.
  // matmul_blocks' blocks of columns in the widest vectors, then 4-float vectors, then the last
  // columns one by one. Each column is its own sum, so the columns go kCols at a time: the
  // widened moving block and the sums stay small (a few fresh pages, not a quarter MiB each,
  // and cache-resident); a PSUM element two columns write is still written in column order.
  const uint32_t kk = stationary_k_, mm = stationary_m_;
  const float* const st_t = stationary_t_.data();  // [m][k] (load_stationary)
  constexpr size_t kCols = 128;
  for (size_t c0 = 0; c0 < n_size; c0 += kCols) {
    const size_t cn = std::min(kCols, n_size - c0);
    moving_.resize(size_t{kk} * cn);
    load_floats(src, kk, src_off.data() + c0, cn, moving_.data());
    const float* const mov = moving_.data();
    acc_.resize(size_t{mm} * cn);
    old_.resize(cn);
    size_t n0 = matmul_blocks()(st_t, kk, mm, mov, cn, acc_.data(), 0);
    n0 = matmul_blocks_sse(st_t, kk, mm, mov, cn, acc_.data(), n0);
    for (uint32_t m = 0; m < mm; ++m) {
      float* const acc = acc_.data() + size_t{m} * cn;
      std::fill(acc + n0, acc + cn, 0.0f);
      for (uint32_t k = 0; k < kk; ++k) {
        const float s = st_t[size_t{m} * kk + k];
        const float* mv = mov + k * cn;
        for (size_t n = n0; n < cn; ++n) acc[n] = acc[n] + s * mv[n];
      }
      uint8_t* base = onchip(dst.space, dst.part + m, dst.addr);
      // A contiguous row: add32 as below, vectorised (a NaN sum stays NaN, so canonicalising
      // once at the end is the same).
      if (contiguous) {
        base += row_start + static_cast<int64_t>(c0 * 4);
        if (accumulate) {
          std::memcpy(old_.data(), base, cn * 4);
          for (size_t n = 0; n < cn; ++n) acc[n] = old_[n] + acc[n];
        }
        const float canonical = fp::float_of(fp::kF32CanonicalNan);
        for (size_t n = 0; n < cn; ++n) acc[n] = acc[n] != acc[n] ? canonical : acc[n];
        std::memcpy(base, acc, cn * 4);
        continue;
      }
      for (size_t n = 0; n < cn; ++n) {
        uint8_t* p = base + dst_off[c0 + n] * 4;
        float v = fp::add32(acc[n], -0.0f);  // + (-0): the same value, NaN canonical
        if (accumulate) {
          float old;
          std::memcpy(&old, p, 4);
          v = fp::add32(old, v);
        }
        std::memcpy(p, &v, 4);
      }
    }
  }
  flops_ += 2ull * stationary_k_ * stationary_m_ * n_size;
}

void Executor::exec_activation(const Instruction& inst) {
  const Ap& dst = inst.ap("dst");
  const Ap& src = inst.ap("src");
  const auto func = fp::parse_act_func(enum_name(inst, "func"));
  if (!func) throw std::logic_error("isa.json act_func names and fp::ActFunc disagree");
  const std::vector<int64_t> so = free_offsets(src), dof = free_offsets(dst);
  const bool reduce = inst.u("reduce");
  for (uint32_t p = 0; p < dst.parts; ++p) {
    const uint32_t scale = scalar_value(inst.scalar("scale"), dst.part + p);
    const uint32_t bias = scalar_value(inst.scalar("bias"), dst.part + p);
    uint32_t sum = 0;
    for (size_t i = 0; i < so.size(); ++i) {
      const uint32_t x = load(src, src.part + p, so[i]);
      const uint32_t v = fp::add32_bits(fp::mul32_bits(x, scale), bias);
      const uint32_t y = fp::activate(*func, v);
      store(dst, dst.part + p, dof[i], y);
      sum = i == 0 ? y : fp::add32_bits(sum, y);  // left to right from the first element
    }
    if (reduce) std::memcpy(onchip(inst.col("reduce_dst").space, dst.part + p, inst.col("reduce_dst").addr), &sum, 4);
  }
}

void Executor::exec_dve(const Instruction& inst) {
  const std::string& name = inst.op->name;
  const Ap& dst = inst.ap("dst");
  const std::vector<int64_t> dof = free_offsets(dst);
  if (name == "memset") {
    const uint32_t v = static_cast<uint32_t>(inst.u("value"));
    for (uint32_t p = 0; p < dst.parts; ++p)
      for (int64_t o : dof) store(dst, dst.part + p, o, v);
    return;
  }
  const Ap& src = inst.ap(name == "tensor_tensor" ? "a" : "src");
  const std::vector<int64_t> so = free_offsets(src);
  if (name == "transpose" && src.dtype == dst.dtype) {
    // The same format: load (widen) then store (RNE narrow), as a table of the round trip per
    // code (NaNs become canonical, fp8 infinities saturate); fp32 load and store pass the bits.
    // Read the whole block before writing (source and destination may overlap).
    const unsigned es = elem_bytes(src.dtype);
    const uint32_t* table = round_trip_table(src.dtype);
    std::vector<uint32_t>& block = transpose_block_;
    block.resize(src.parts * so.size());
    std::vector<uint8_t*>& dst_rows = transpose_rows_;  // destination partition f's row
    dst_rows.resize(so.size());
    for (size_t f = 0; f < so.size(); ++f) dst_rows[f] = onchip(dst.space, dst.part + static_cast<uint32_t>(f), dst.addr);
    // Unit-stride rows on both sides (the kernels' blocks): no offset lookups.
    const bool rows = ascending_run(so) && ascending_run(dof);
    // Fixed-size element copies (no library call per element).
    const auto run = [&](auto elem) {
      using E = decltype(elem);
      for (uint32_t p = 0; p < src.parts; ++p) {
        const uint8_t* s = onchip(src.space, src.part + p, src.addr);
        uint32_t* out = block.data() + p * so.size();
        if (rows) {
          const uint8_t* sr = s + so[0] * static_cast<int64_t>(sizeof(E));
          for (size_t f = 0; f < so.size(); ++f) {
            E e;
            std::memcpy(&e, sr + f * sizeof(E), sizeof(E));
            out[f] = table ? table[e] : e;
          }
          continue;
        }
        for (size_t f = 0; f < so.size(); ++f) {
          E e;
          std::memcpy(&e, s + so[f] * sizeof(E), sizeof(E));
          out[f] = table ? table[e] : e;
        }
      }
      for (size_t f = 0; f < so.size(); ++f) {  // dst[f][p] = src[p][f]
        uint8_t* const d = dst_rows[f] + (rows ? dof[0] * static_cast<int64_t>(sizeof(E)) : 0);
        for (uint32_t p = 0; p < src.parts; ++p) {
          const E e = static_cast<E>(block[p * so.size() + f]);
          std::memcpy(rows ? d + p * sizeof(E) : dst_rows[f] + dof[p] * sizeof(E), &e, sizeof(E));
        }
      }
    };
    if (es == 4) run(uint32_t{});
    else if (es == 2) run(uint16_t{});
    else run(uint8_t{});
    return;
  }
  if (name == "transpose") {
    std::vector<uint32_t> block(src.parts * so.size());
    for (uint32_t p = 0; p < src.parts; ++p)
      for (size_t f = 0; f < so.size(); ++f) block[p * so.size() + f] = load(src, src.part + p, so[f]);
    for (uint32_t p = 0; p < dst.parts; ++p)  // dst[f][p] = src[p][f]
      for (size_t f = 0; f < dof.size(); ++f) store(dst, dst.part + p, dof[f], block[f * so.size() + p]);
    return;
  }
  if (name == "tensor_reduce") {
    const AluOp op = parse_alu_op(enum_name(inst, "op"));
    for (uint32_t p = 0; p < src.parts; ++p) {
      uint32_t acc = load(src, src.part + p, so[0]);
      // reduce_step(op, acc, x) is alu(op, acc, x) (vector_alu.hpp)
      for (size_t i = 1; i < so.size(); ++i) acc = alu(op, acc, load(src, src.part + p, so[i]));
      store(dst, dst.part + p, dof[0], acc);
    }
    return;
  }
  // The opcode, its operand b and its ALU operations, decoded once (not per element).
  const bool tensor_tensor = name == "tensor_tensor", tensor_scalar = name == "tensor_scalar";
  const Ap* b = tensor_tensor ? &inst.ap("b") : nullptr;
  std::vector<int64_t> bo;
  if (b) bo = free_offsets(*b);
  const AluOp op = tensor_tensor ? parse_alu_op(enum_name(inst, "op")) : AluOp::kBypass;
  const AluOp op0 = tensor_scalar ? parse_alu_op(enum_name(inst, "op0")) : AluOp::kBypass;
  const AluOp op1 = tensor_scalar ? parse_alu_op(enum_name(inst, "op1")) : AluOp::kBypass;
  const fp::Rounding rounding =
      name == "tensor_copy" && enum_name(inst, "rounding") == "sr" ? fp::Rounding::kStochastic : fp::Rounding::kRne;
  if (name == "tensor_copy" && rounding == fp::Rounding::kRne && src.dtype == dst.dtype) {
    // The same format with RNE: load then store is the round trip of each code (fp32: the
    // bits), element by element in the generic loop's order, so overlapping operands agree too.
    const unsigned es = elem_bytes(src.dtype);
    const uint32_t* table = round_trip_table(src.dtype);
    // fp32 rows contiguous on both sides: the bits move as one block per partition when the
    // two rows do not overlap.
    const size_t row = dof.size() * es;
    const bool rows = !table && contiguous_run(src, 1) == dof.size() && contiguous_run(dst, 1) == dof.size();
    for (uint32_t p = 0; p < dst.parts; ++p) {
      const uint8_t* s = onchip(src.space, src.part + p, src.addr);
      uint8_t* d = onchip(dst.space, dst.part + p, dst.addr);
      if (rows && (s + row <= d || d + row <= s)) {
        std::memcpy(d, s, row);
        continue;
      }
      for (size_t i = 0; i < dof.size(); ++i) {
        uint32_t code = 0;
        std::memcpy(&code, s + so[i] * es, es);
        if (table) code = table[code];
        std::memcpy(d + dof[i] * es, &code, es);
      }
    }
    return;
  }
  for (uint32_t p = 0; p < dst.parts; ++p) {
    uint32_t s0 = 0, s1 = 0;
    if (tensor_scalar) {
      s0 = scalar_value(inst.scalar("s0"), dst.part + p);
      s1 = scalar_value(inst.scalar("s1"), dst.part + p);
    }
    for (size_t i = 0; i < dof.size(); ++i) {
      const uint32_t x = load(src, src.part + p, so[i]);
      uint32_t y = x;
      if (tensor_tensor) y = alu(op, x, load(*b, b->part + p, bo[i]));
      else if (tensor_scalar) y = alu(op1, alu(op0, x, s0), s1);
      store(dst, dst.part + p, dof[i], y, rounding);
    }
  }
}

// A DMA between DRAM and on-chip memory: the DRAM side's byte span in place when the memory
// offers it (DramAccess::direct: the TLM's DMI, the reference's page), otherwise with few
// functional accesses (read; for a DRAM destination read, patched and written back, so bytes
// between the elements keep their values); the elements with direct copies. Same element order
// and conversions as the per-element loop below.
void Executor::exec_dma_span(const Instruction& inst) {
  const Ap& dst = inst.ap("dst");
  const Ap& src = inst.ap("src");
  const bool to_dram = dst.space == Space::kDram;
  const Ap& dram_ap = to_dram ? dst : src;
  const unsigned des = elem_bytes(dst.dtype), ses = elem_bytes(src.dtype);
  const unsigned dram_es = to_dram ? des : ses;
  const isa::Extent extent = isa::byte_extent(dram_ap);
  const int64_t lo = extent.lo - static_cast<int64_t>(dram_ap.addr);
  const uint64_t base = static_cast<uint64_t>(extent.lo);
  const auto span_size = static_cast<size_t>(extent.hi - extent.lo);
  const uint64_t dram_run = contiguous_run(dram_ap, dram_es);
  const uint64_t dram_n = dram_ap.elements();
  uint8_t* span = mem_.dram->direct(base, span_size);
  const bool staged = span == nullptr;
  // Staged: only the span's kSpanChunk-byte chunks that hold an element move (a strided pattern,
  // such as a transposing load, touches a small part of its span); runs of them as one access.
  constexpr uint64_t kSpanChunk = 64;
  auto each_run = [&](auto&& access) {
    for (size_t c = 0; c < touched_.size();) {
      if (!touched_[c]) {
        ++c;
        continue;
      }
      size_t e = c;
      while (e < touched_.size() && touched_[e]) ++e;
      const uint64_t from = c * kSpanChunk, to = std::min<uint64_t>(e * kSpanChunk, span_size);
      access(base + from, span + from, to - from);
      c = e;
    }
  };
  if (staged) {
    if (span_size > span_capacity_) span_.reset(new uint8_t[span_size]), span_capacity_ = span_size;  // not zeroed
    span = span_.get();
    touched_.assign((span_size + kSpanChunk - 1) / kSpanChunk, 0);
    // A store whose runs of elements each cover whole chunks writes every byte of the chunks it
    // writes back, so it needs no read of them (a C tile's rows: half the page faults of a fresh
    // DRAM page, which a read maps before the write copies it).
    bool whole_chunks = to_dram;
    DramRuns blocks(dram_ap, dram_es, dram_run);
    for (uint64_t i = 0; i < dram_n; i += dram_run, blocks.next()) {
      const uint64_t from = static_cast<uint64_t>(blocks.offset() - lo), to = from + dram_run * dram_es;
      for (uint64_t c = from / kSpanChunk; c <= (to - 1) / kSpanChunk; ++c) touched_[c] = 1;
      whole_chunks = whole_chunks && from % kSpanChunk == 0 && (to % kSpanChunk == 0 || to == span_size);
    }
    if (!whole_chunks) each_run([&](uint64_t addr, uint8_t* p, uint64_t n) { mem_.dram->read(addr, p, n); });
  }
  // Same format: the bits move (fp32 included); otherwise widen then narrow with RNE.
  const bool copy_bits = dst.dtype == src.dtype;
  const uint32_t* table = src.dtype == fp::Format::kFp32 ? nullptr : widen_table(src.dtype);
  const Ap& chip_ap = to_dram ? src : dst;
  const std::vector<int64_t> chip_off = free_offsets(chip_ap);  // one partition's
  const unsigned chip_es = to_dram ? ses : des;
  const size_t per = chip_off.size();
  // Runs of elements consecutive on both sides move as one copy (for a same-format copy the
  // order is immaterial: every element has its own bytes). The DRAM pattern holds every
  // element: its runs pair up with the partitions' in order.
  const uint64_t run = copy_bits ? std::gcd(contiguous_run(chip_ap, 1), dram_run) : 1;
  DramRuns runs(dram_ap, dram_es, run);
  for (uint32_t p = 0; p < chip_ap.parts; ++p) {
    uint8_t* chip = onchip(chip_ap.space, chip_ap.part + p, chip_ap.addr);
    for (size_t i = 0; i < per; i += run, runs.next()) {
      uint8_t* const chip_p = chip + chip_off[i] * chip_es;
      uint8_t* const dram_p = span + (runs.offset() - lo);
      const uint8_t* sp = to_dram ? chip_p : dram_p;
      uint8_t* dp = to_dram ? dram_p : chip_p;
      if (copy_bits) {
        switch (run * ses) {  // fixed-size copies for single elements: no library call
          case 4: std::memcpy(dp, sp, 4); break;
          case 2: std::memcpy(dp, sp, 2); break;
          case 1: *dp = *sp; break;
          default: std::memcpy(dp, sp, run * ses); break;
        }
        continue;
      }
      uint32_t code = 0;
      std::memcpy(&code, sp, ses);
      const uint32_t f32 = table ? table[code] : (src.dtype == fp::Format::kFp32 ? code : fp::widen(src.dtype, code));
      code = dst.dtype == fp::Format::kFp32 ? f32 : fp::narrow(dst.dtype, f32, fp::Rounding::kRne, 0);
      std::memcpy(dp, &code, des);
    }
  }
  if (to_dram && staged) each_run([&](uint64_t addr, const uint8_t* p, uint64_t n) { mem_.dram->write(addr, p, n); });
  if (to_dram) dram_bytes_ += dst.elements() * des;
  else dram_bytes_ += src.elements() * ses;
}

void Executor::exec_dma(const Instruction& inst) {
  const Ap& dst = inst.ap("dst");
  const Ap& src = inst.ap("src");
  // Elements pair up in order: on chip partition-major then the free pattern; DRAM by its dims.
  struct Cursor {
    std::vector<int64_t> off;
    uint32_t p = 0;
    size_t i = 0;
    explicit Cursor(const Ap& a) : off(free_offsets(a)) {}
    void next() {
      if (++i == off.size()) i = 0, ++p;
    }
  };
  if ((src.space == Space::kDram) != (dst.space == Space::kDram)) {
    exec_dma_span(inst);
    return;
  }
  Cursor d(dst), s(src);
  const bool same = dst.dtype == src.dtype;
  const unsigned es = elem_bytes(src.dtype);
  for (uint64_t n = 0; n < dst.elements(); ++n, d.next(), s.next()) {
    if (same && src.dtype != fp::Format::kFp32) {
      // A plain copy moves bits, NaN payloads included.
      uint32_t code = 0;
      if (src.space == Space::kDram) mem_.dram->read(src.addr + static_cast<uint64_t>(s.off[s.i]), &code, es);
      else std::memcpy(&code, onchip(src.space, src.part + s.p, src.addr + static_cast<uint64_t>(s.off[s.i] * es)), es);
      if (dst.space == Space::kDram) mem_.dram->write(dst.addr + static_cast<uint64_t>(d.off[d.i]), &code, es);
      else std::memcpy(onchip(dst.space, dst.part + d.p, dst.addr + static_cast<uint64_t>(d.off[d.i] * es)), &code, es);
    } else {
      store(dst, dst.part + d.p, d.off[d.i], load(src, src.part + s.p, s.off[s.i]));
    }
  }
  if (dst.space == Space::kDram) dram_bytes_ += dst.elements() * elem_bytes(dst.dtype);
  if (src.space == Space::kDram) dram_bytes_ += src.elements() * elem_bytes(src.dtype);
}

}  // namespace tessera::ref
