// The vector engines' format conversions (rtl/vec/vec_pkg.sv widen / narrow, which repeat
// rtl/fpu's fp_widen / fp_narrow as functions of the dtype) against the reference numerics
// (sim/numerics/fp.hpp): every code of every narrow format widened at every byte offset it can
// sit at, and fp32 values narrowed to every format with RNE and stochastic rounding: every
// value whose low 16 bits are one of a set of patterns that straddle each format's rounding
// boundaries, plus random values and random generator outputs.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>

#include "Vvec_convert_probe.h"
#include "numerics/fp.hpp"
#include "verilated.h"

using namespace tessera;

namespace {

struct Probe {
  VerilatedContext ctx;
  Vvec_convert_probe m{&ctx};
  uint32_t widen(fp::Format f, uint32_t word, unsigned off) {
    m.dtype_i = static_cast<uint8_t>(f);
    m.word_i = word;
    m.off_i = static_cast<uint8_t>(off);
    m.eval();
    return m.wide_o;
  }
  uint32_t narrow(fp::Format f, uint32_t x, bool sr, uint32_t random) {
    m.dtype_i = static_cast<uint8_t>(f);
    m.x_i = x;
    m.sr_i = sr;
    m.random_i = random;
    m.eval();
    return m.narrow_o;
  }
};

constexpr fp::Format kNarrow[] = {fp::Format::kBf16, fp::Format::kFp16, fp::Format::kE4m3, fp::Format::kE5m2};

}  // namespace

TEST_CASE("vec_pkg::widen equals fp::widen for every code at every offset", "[vec]") {
  Probe p;
  for (fp::Format f : kNarrow) {
    const unsigned bytes = fp::info(f).bits / 8;
    for (uint32_t code = 0; code < (1u << (8 * bytes)); ++code)
      for (unsigned off = 0; off < 4; off += bytes) {
        INFO(fp::info(f).name << " code 0x" << std::hex << code << " offset " << off);
        const uint32_t word = (code << (8 * off)) | (0xA5A5A5A5u & ~(((1u << (8 * bytes)) - 1u) << (8 * off)));
        REQUIRE(p.widen(f, word, off) == fp::widen(f, code));
      }
  }
  CHECK(p.widen(fp::Format::kFp32, 0x7FC01234u, 0) == 0x7FC01234u);  // fp32: the bits
}

TEST_CASE("vec_pkg::narrow equals fp::narrow with RNE and stochastic rounding", "[vec]") {
  Probe p;
  // Low halves around the rounding points of every format: bf16 keeps 7 mantissa bits (the
  // boundary at bit 15), fp16 10 (bit 12), the fp8 formats 3 and 2 (bits 19, 20).
  const uint32_t lows[] = {0x0000, 0x0001, 0x7FFF, 0x8000, 0x8001, 0xFFFF, 0x0FFF, 0x1000, 0x1001, 0x2000, 0x3000};
  std::mt19937_64 rng(0x7e55e7a);
  for (fp::Format f : kNarrow) {
    for (uint32_t hi = 0; hi < 0x10000; ++hi)
      for (uint32_t lo : lows) {
        const uint32_t x = hi << 16 | lo;
        INFO(fp::info(f).name << " x 0x" << std::hex << x);
        REQUIRE(p.narrow(f, x, false, 0) == fp::narrow(f, x, fp::Rounding::kRne, 0));
        const auto r = static_cast<uint32_t>(rng());
        REQUIRE(p.narrow(f, x, true, r) == fp::narrow(f, x, fp::Rounding::kStochastic, r));
      }
    for (int i = 0; i < 200000; ++i) {
      const auto x = static_cast<uint32_t>(rng()), r = static_cast<uint32_t>(rng());
      INFO(fp::info(f).name << " x 0x" << std::hex << x << " random 0x" << r);
      REQUIRE(p.narrow(f, x, false, 0) == fp::narrow(f, x, fp::Rounding::kRne, 0));
      REQUIRE(p.narrow(f, x, true, r) == fp::narrow(f, x, fp::Rounding::kStochastic, r));
    }
  }
  CHECK(p.narrow(fp::Format::kFp32, 0x7F801234u, true, 5) == 0x7F801234u);  // fp32: the bits
}
