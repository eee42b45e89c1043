// The executor's fast paths (sim/ref/executor.cpp: the matmul's register-blocked columns and
// vectorised PSUM row update, the DMA's contiguous runs and chunked DRAM span) against
// element-by-element oracles written from SPEC section 3 and the DMA's element order, on
// random operands with special values, every tail length and strided (slow-path) patterns.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstring>
#include <random>
#include <vector>

#include "config/core_config.hpp"
#include "isa/program.hpp"
#include "numerics/fp.hpp"
#include "ref/core_model.hpp"
#include "ref/executor.hpp"

using namespace tessera;
using isa::Space;

namespace {

uint32_t to_f32(fp::Format f, uint32_t code) { return f == fp::Format::kFp32 ? code : fp::widen(f, code); }

// A random code of `f`: mostly moderate finite values, about 1 in 64 a special (NaN with a
// payload, infinity, zero of either sign, subnormal, largest finite).
uint32_t random_code(fp::Format f, std::mt19937& rng) {
  const unsigned bits = fp::info(f).bits;
  const uint32_t mask = bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1;
  if (rng() % 64 == 0) return rng() & mask;  // anything, NaNs and infinities included
  if (f == fp::Format::kFp32) {
    const uint32_t sign = (rng() & 1u) << 31, exp = 110 + rng() % 36;  // 2^-17 .. 2^18
    return sign | exp << 23 | (rng() & 0x7FFFFFu);
  }
  // Narrow formats: widen the fp32 value of a random code that is finite.
  for (;;) {
    const uint32_t c = rng() & mask;
    const uint32_t w = to_f32(f, c);
    if ((w & 0x7F800000u) != 0x7F800000u) return c;
  }
}

void put_code(uint8_t* p, fp::Format f, uint32_t code) { std::memcpy(p, &code, fp::info(f).bits / 8); }
uint32_t get_code(const uint8_t* p, fp::Format f) {
  uint32_t c = 0;
  std::memcpy(&c, p, fp::info(f).bits / 8);
  return c;
}

isa::Program program(const std::string& text) { return isa::parse_tasm(text, "test.tasm"); }

}  // namespace

TEST_CASE("matmul fast paths equal the element-by-element formula, specials and tails included", "[ref][executor]") {
  // small: K = 16 partitions, M <= 16, N <= 128; trn1: N up to 512, a matmul longer than the
  // executor's passes of 128 columns (ragged ones included).
  struct Shapes {
    const char* config;
    std::vector<uint32_t> n;
  };
  const Shapes shapes[] = {{"small", {1u, 5u, 15u, 16u, 17u, 31u, 33u, 64u, 80u, 97u, 128u}},
                           {"trn1", {129u, 200u, 257u, 512u}}};
  std::mt19937 rng(20261124);
  const fp::Format formats[] = {fp::Format::kFp32, fp::Format::kBf16, fp::Format::kFp16, fp::Format::kE4m3};
  // Every vector width the host has (AVX-512, AVX2, SSE: blocks of 64, 32 and 16 columns, then
  // the narrower loops); at least SSE runs.
  unsigned widths_run = 0;
  for (unsigned width : {64u, 32u, 16u}) {
    ref::limit_matmul_vector_bytes(width);
    if (ref::matmul_vector_bytes() != width) continue;
    ++widths_run;
    for (fp::Format f : formats) {
      const unsigned es = fp::info(f).bits / 8;
      for (const Shapes& shape : shapes) {
        const CoreConfig& config = preset(shape.config);
        const uint64_t bank_floats = config.psum_bank_bytes_per_partition() / 4;
        for (uint32_t n : shape.n) {
          for (uint32_t dstride : {1u, 2u, 3u}) {  // 1: contiguous PSUM row (vector path)
            if (n * dstride > bank_floats) continue;  // one PSUM bank (small: 128 fp32 per partition)
            for (int acc = 0; acc < 2; ++acc) {
              CAPTURE(width, fp::info(f).name, shape.config, n, dstride, acc);
              const uint32_t k_size = 1 + rng() % 16, m_size = 1 + rng() % 16;
              ref::CoreModel m(config, 1);
              std::vector<uint32_t> st(k_size * m_size), mv(k_size * n), old(m_size * n);
              for (uint32_t k = 0; k < k_size; ++k) {
                for (uint32_t j = 0; j < m_size; ++j)
                  put_code(m.onchip(Space::kSbuf, k, j * es), f, st[k * m_size + j] = random_code(f, rng));
                for (uint32_t j = 0; j < n; ++j)
                  put_code(m.onchip(Space::kSbuf, k, 0x800 + j * es), f, mv[k * n + j] = random_code(f, rng));
              }
              for (uint32_t j = 0; j < m_size; ++j)
                for (uint32_t i = 0; i < n; ++i)
                  put_code(m.onchip(Space::kPsum, j, i * dstride * 4), fp::Format::kFp32,
                           old[j * n + i] = random_code(fp::Format::kFp32, rng));
              const std::string name(fp::info(f).name);
              m.run(program(fmt::format(".engine pe\nload_stationary src=sbuf[0:{}]@0x0:{}[{}x1]\n"
                                        "multiply_moving dst=psum[0:{}]@0x0:fp32[{}x{}] src=sbuf[0:{}]@0x800:{}[{}x1] acc={}\n",
                                        k_size, name, m_size, m_size, n, dstride, k_size, name, n, acc)));
              for (uint32_t j = 0; j < m_size; ++j)
                for (uint32_t i = 0; i < n; ++i) {
                  // acc_{k+1} = add32(acc_k, mul32(stationary[k][m], moving[k][n])) from +0 (SPEC 3)
                  uint32_t a = 0;
                  for (uint32_t k = 0; k < k_size; ++k)
                    a = fp::add32_bits(a, fp::mul32_bits(to_f32(f, st[k * m_size + j]), to_f32(f, mv[k * n + i])));
                  if (acc) a = fp::add32_bits(old[j * n + i], a);
                  const uint32_t got = get_code(m.onchip(Space::kPsum, j, i * dstride * 4), fp::Format::kFp32);
                  CAPTURE(j, i, k_size, m_size);
                  REQUIRE(fmt::format("{:08x}", got) == fmt::format("{:08x}", a));
                }
              // the strided row's gaps are untouched
              if (dstride > 1) {
                for (uint32_t i = 0; i + 1 < n; ++i)
                  REQUIRE(get_code(m.onchip(Space::kPsum, 0, (i * dstride + 1) * 4), fp::Format::kFp32) == 0);
              }
            }
          }
        }
      }
    }
  }
  ref::limit_matmul_vector_bytes(64);
  REQUIRE(widths_run >= 1);
}

namespace {

// One DRAM<->SBUF dma_copy run on the reference model and by an oracle: element n of the
// on-chip side is partition n / F, free index n % F; of the DRAM side, the n-th offset of its
// pattern. Bytes the copy does not write keep their values (random beforehand). The DRAM
// addresses in `dst_fmt`/`src_fmt` are {a0}, {a2} and {a100}: dram_lo, + 2 and + 0x100.
void check_dma(const std::string& dst_fmt, const std::string& src_fmt, bool to_dram, uint64_t dram_lo) {
  const auto at = [&](const std::string& f) {
    return fmt::format(fmt::runtime(f), fmt::arg("a0", fmt::format("{:#x}", dram_lo)),
                       fmt::arg("a2", fmt::format("{:#x}", dram_lo + 2)),
                       fmt::arg("a100", fmt::format("{:#x}", dram_lo + 0x100)));
  };
  const std::string dst = at(dst_fmt), src = at(src_fmt);
  CAPTURE(dst, src);
  const CoreConfig& config = preset("small");
  ref::CoreModel m(config, 1);
  std::mt19937 rng(7);
  const uint64_t dram_bytes = 0x8000;
  std::vector<uint8_t> dram(dram_bytes), sbuf(config.rows * config.sbuf_bytes_per_partition);
  for (auto& b : dram) b = static_cast<uint8_t>(rng());
  for (auto& b : sbuf) b = static_cast<uint8_t>(rng());
  m.dram().write(dram_lo, dram.data(), dram.size());
  std::memcpy(m.onchip(Space::kSbuf, 0, 0), sbuf.data(), sbuf.size());

  const isa::Program p = program(".engine dma0\ndma_copy dst=" + dst + " src=" + src + "\n");
  const isa::Instruction& inst = p.queues.at(0).insts.at(0);
  const isa::Ap& d = inst.ap("dst");
  const isa::Ap& s = inst.ap("src");
  const isa::Ap& chip = to_dram ? s : d;
  const isa::Ap& far = to_dram ? d : s;
  const std::vector<int64_t> chip_off = ref::free_offsets(chip), far_off = ref::free_offsets(far);
  const unsigned ses = fp::info(s.dtype).bits / 8, des = fp::info(d.dtype).bits / 8;
  const unsigned chip_es = to_dram ? ses : des;
  std::vector<uint8_t> want_dram = dram, want_sbuf = sbuf;
  for (size_t n = 0; n < far_off.size(); ++n) {
    const size_t part = chip.part + n / chip_off.size();
    uint8_t* cp = (to_dram ? sbuf.data() : want_sbuf.data()) + part * config.sbuf_bytes_per_partition + chip.addr +
                  chip_off[n % chip_off.size()] * chip_es;
    uint8_t* fp_ = (to_dram ? want_dram.data() : dram.data()) + (far.addr + far_off[n] - dram_lo);
    const uint8_t* from = to_dram ? cp : fp_;
    uint8_t* to = to_dram ? fp_ : cp;
    uint32_t code = get_code(from, s.dtype);
    if (s.dtype != d.dtype) {
      const uint32_t f32 = to_f32(s.dtype, code);
      code = d.dtype == fp::Format::kFp32 ? f32 : fp::narrow(d.dtype, f32, fp::Rounding::kRne, 0);
    }
    put_code(to, d.dtype, code);
  }
  m.run(p);
  std::vector<uint8_t> got_dram(dram_bytes);
  m.dram().read(dram_lo, got_dram.data(), got_dram.size());
  REQUIRE(got_dram == want_dram);
  REQUIRE(std::memcmp(m.onchip(Space::kSbuf, 0, 0), want_sbuf.data(), want_sbuf.size()) == 0);
}

}  // namespace

TEST_CASE("DMA fast paths equal the element-by-element copy", "[ref][executor]") {
  // Spans inside one DRAM page (copied in place, DramAccess::direct), then spans across the
  // first 2 MiB page boundary (staged through the executor's buffer; every case but the {a100}
  // one crosses it).
  for (const uint64_t lo : {uint64_t{0x10000}, uint64_t{0x200000 - 0x40}}) {
    CAPTURE(lo);
    // rows into partitions (runs of 40 on both sides; of 8 against a 2x8 on-chip pattern)
    check_dma("sbuf[0:16]@0x100:bf16[40x1]", "dram@{a0}:bf16[16x80,40x2]", false, lo);
    check_dma("sbuf[2:5]@0x40:bf16[5x16,8x1]", "dram@{a0}:bf16[3x400,40x2]", false, lo);
    // a transposing load (DRAM side strided: single elements) and a negative on-chip stride
    check_dma("sbuf[0:16]@0x0:bf16[12x1]", "dram@{a0}:bf16[16x2,12x64]", false, lo);
    check_dma("sbuf[0:4]@0x80:fp32[8x-1]", "dram@{a0}:fp32[4x32,8x4]", false, lo);
    // casts (no runs), both ways
    check_dma("sbuf[0:8]@0x0:bf16[24x1]", "dram@{a0}:fp32[8x96,24x4]", false, lo);
    check_dma("dram@{a100}:e4m3[6x40,24x1]", "sbuf[0:6]@0x0:fp32[24x1]", true, lo);
    check_dma("dram@{a0}:e4m3[6x40,24x1]", "sbuf[0:6]@0x0:fp32[24x1]", true, lo);
    // a store of whole 64-byte chunks (staged: written without reading them first)
    check_dma("dram@{a0}:fp32[4x64,16x4]", "sbuf[0:4]@0x0:fp32[16x1]", true, lo);
    // stores with gaps between rows and between elements (bytes in between keep their values)
    check_dma("dram@{a0}:bf16[16x100,40x2]", "sbuf[0:16]@0x100:bf16[40x1]", true, lo);
    check_dma("dram@{a2}:fp16[7x256,10x6]", "sbuf[1:8]@0x20:fp16[10x1]", true, lo);
    check_dma("dram@{a0}:fp32[3x4,16x48]", "sbuf[0:3]@0x0:fp32[16x1]", true, lo);
    // fp8 rows, 3 dimensions
    check_dma("sbuf[0:4]@0x0:e5m2[2x64,3x16,16x1]", "dram@{a0}:e5m2[4x512,2x128,48x1]", false, lo);
  }
}

TEST_CASE("vector-engine transpose and copy of one format move every code, NaNs canonical", "[ref][executor]") {
  // Every code of the 8- and 16-bit formats, random fp32 codes (NaN payloads included), in 32 x 32
  // blocks on trn1: transpose dst[f][p] = narrow(widen(src[p][f])) with RNE, the load-then-store
  // definition, and tensor_copy (RNE) dst[p][f] = the same (sim/ref/executor.cpp has
  // bit-moving fast paths for both).
  const CoreConfig& config = preset("trn1");
  std::mt19937 rng(5);
  for (fp::Format f : {fp::Format::kBf16, fp::Format::kFp16, fp::Format::kE4m3, fp::Format::kE5m2, fp::Format::kFp32}) {
    const unsigned es = fp::info(f).bits / 8;
    const uint64_t codes = f == fp::Format::kFp32 ? 65536 : uint64_t{1} << fp::info(f).bits;
    const uint64_t blocks = (codes + 1023) / 1024, dst0 = blocks * 32 * es, copy0 = 2 * dst0;
    CAPTURE(fp::info(f).name);
    ref::CoreModel m(config, 1);
    std::vector<uint32_t> src(blocks * 1024);
    for (uint64_t i = 0; i < src.size(); ++i) {
      uint32_t c = f == fp::Format::kFp32 ? static_cast<uint32_t>(rng()) : static_cast<uint32_t>(i % codes);
      if (f == fp::Format::kFp32 && i % 7 == 0) c |= 0x7F800000u;  // infinities and NaNs with payloads
      src[i] = c;
      const uint64_t b = i / 1024, p = i % 1024 / 32, e = i % 32;  // block, partition, element
      put_code(m.onchip(Space::kSbuf, static_cast<uint32_t>(p), (b * 32 + e) * es), f, c);
    }
    std::string text = ".engine dve\n";
    const std::string name(fp::info(f).name);
    for (uint64_t b = 0; b < blocks; ++b)
      text += fmt::format("transpose dst=sbuf[0:32]@0x{:x}:{}[32x1] src=sbuf[0:32]@0x{:x}:{}[32x1]\n"
                          "tensor_copy dst=sbuf[0:32]@0x{:x}:{}[32x1] src=sbuf[0:32]@0x{:x}:{}[32x1] rounding=rne\n",
                          dst0 + b * 32 * es, name, b * 32 * es, name, copy0 + b * 32 * es, name, b * 32 * es, name);
    m.run(program(text));
    for (uint64_t i = 0; i < src.size(); ++i) {
      const uint64_t b = i / 1024, p = i % 1024 / 32, e = i % 32;
      const uint32_t want =
          f == fp::Format::kFp32 ? src[i] : fp::narrow(f, to_f32(f, src[i]), fp::Rounding::kRne, 0);
      const uint32_t got = get_code(m.onchip(Space::kSbuf, static_cast<uint32_t>(e), dst0 + (b * 32 + p) * es), f);
      CAPTURE(i, src[i]);
      REQUIRE(got == want);
      REQUIRE(get_code(m.onchip(Space::kSbuf, static_cast<uint32_t>(p), copy0 + (b * 32 + e) * es), f) == want);
    }
  }
}

TEST_CASE("tensor_copy of overlapping fp32 rows keeps the element order", "[ref][executor]") {
  // Whole fp32 rows move as one block only when source and destination do not overlap; an
  // overlapping copy is the element loop: with dst one element above src, every store lands on
  // the next element before it is read, so the first element spreads along the row.
  const CoreConfig& config = preset("small");
  ref::CoreModel m(config, 1);
  for (uint32_t p = 0; p < 2; ++p)
    for (uint32_t i = 0; i < 9; ++i) put_code(m.onchip(Space::kSbuf, p, 4 * i), fp::Format::kFp32, 0x3F800000u + 16 * p + i);
  m.run(program(".engine dve\ntensor_copy dst=sbuf[0:2]@0x4:fp32[8x1] src=sbuf[0:2]@0x0:fp32[8x1] rounding=rne\n"));
  for (uint32_t p = 0; p < 2; ++p)
    for (uint32_t i = 0; i < 9; ++i) {
      CAPTURE(p, i);
      REQUIRE(get_code(m.onchip(Space::kSbuf, p, 4 * i), fp::Format::kFp32) == 0x3F800000u + 16 * p);
    }
}
