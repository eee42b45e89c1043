// The RTL FP units (rtl/fpu) against the reference numerics, bit for bit: exhaustive widening,
// random and boundary narrowing with RNE and stochastic rounding, random fp32 add and multiply.
// Random stimulus is replayable with --rng-seed.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <random>
#include <string>

#include "numerics/activation.hpp"
#include "numerics/fp.hpp"
#include "ref/vector_alu.hpp"
#include "rtl/fp_unit.hpp"

using namespace tessera;

namespace {

struct Narrow {
  const char* op;
  fp::Format format;
};
const Narrow kNarrow[] = {{"f32_to_bf16", fp::Format::kBf16},
                          {"f32_to_f16", fp::Format::kFp16},
                          {"f32_to_e4m3", fp::Format::kE4m3},
                          {"f32_to_e5m2", fp::Format::kE5m2}};
const Narrow kWiden[] = {{"bf16_to_f32", fp::Format::kBf16},
                         {"f16_to_f32", fp::Format::kFp16},
                         {"e4m3_to_f32", fp::Format::kE4m3},
                         {"e5m2_to_f32", fp::Format::kE5m2}};

// fp32 patterns that stress rounding: random bits, and values near the target's codes.
uint32_t stimulus(std::mt19937& rng, fp::Format f) {
  switch (rng() % 4) {
    case 0: return static_cast<uint32_t>(rng());
    case 1: {  // a target code widened, nudged by a few fp32 ulps
      const uint32_t code = static_cast<uint32_t>(rng()) & ((1u << fp::info(f).bits) - 1);
      const uint32_t w = fp::widen(f, code);
      return fp::is_nan32(w) ? w : w + static_cast<uint32_t>(rng() % 9) - 4u;
    }
    case 2: {  // a midpoint between a code and its successor
      const uint32_t code = static_cast<uint32_t>(rng()) & ((1u << (fp::info(f).bits - 1)) - 1);
      const float lo = fp::float_of(fp::widen(f, code)), hi = fp::float_of(fp::widen(f, code + 1));
      return fp::bits_of(lo + (hi - lo) / 2);
    }
    default: return static_cast<uint32_t>(rng()) & 0x807FFFFFu;  // fp32 subnormals and zeros
  }
}

}  // namespace

TEST_CASE("RTL widening equals the reference for every code", "[rtl][fpu]") {
  rtl::FpUnit unit;
  for (const Narrow& w : kWiden) {
    INFO(w.op);
    for (uint32_t code = 0; code < (1u << fp::info(w.format).bits); ++code) {
      INFO("code " << std::hex << code);
      REQUIRE(unit.eval(w.op, code, 0) == fp::widen(w.format, code));
    }
  }
}

TEST_CASE("RTL narrowing equals the reference with RNE and stochastic rounding", "[rtl][fpu]") {
  const uint32_t seed = Catch::rngSeed();
  INFO("seed " << seed << " (replay with --rng-seed " << seed << ")");
  std::mt19937 rng(seed);
  rtl::FpUnit unit;
  for (const Narrow& n : kNarrow) {
    INFO(n.op);
    for (int i = 0; i < 300000; ++i) {
      const uint32_t x = stimulus(rng, n.format);
      const auto random = static_cast<uint32_t>(rng());
      INFO("x " << std::hex << x << " random " << random);
      REQUIRE(unit.eval(n.op, x, 0) == fp::narrow(n.format, x));
      REQUIRE(unit.eval(n.op, x, 0, true, random) == fp::narrow(n.format, x, fp::Rounding::kStochastic, random));
    }
  }
}

TEST_CASE("RTL fp32 add and multiply equal the reference", "[rtl][fpu]") {
  const uint32_t seed = Catch::rngSeed();
  INFO("seed " << seed << " (replay with --rng-seed " << seed << ")");
  std::mt19937 rng(seed);
  rtl::FpUnit unit;
  const uint32_t specials[] = {0x00000000u, 0x80000000u, 0x00000001u, 0x807FFFFFu, 0x00800000u, 0x7F7FFFFFu,
                               0xFF7FFFFFu, 0x7F800000u, 0xFF800000u, 0x7FC00000u, 0xFF800001u, 0x3F800000u,
                               0xBF800000u, 0x3F800001u, 0x34000000u, 0x4B800000u};
  for (uint32_t a : specials)
    for (uint32_t b : specials) {
      INFO(std::hex << a << " " << b);
      REQUIRE(unit.eval("f32_add", a, b) == fp::add32_bits(a, b));
      REQUIRE(unit.eval("f32_mul", a, b) == fp::mul32_bits(a, b));
    }
  for (int i = 0; i < 1000000; ++i) {
    const auto a = static_cast<uint32_t>(rng());
    auto b = static_cast<uint32_t>(rng());
    // Half the pairs have exponents within +-26 so that additions align, round and cancel.
    if (i & 1) b = (b & 0x807FFFFFu) | ((((a >> 23) & 0xFFu) + (b >> 23) % 53u - 26u) & 0xFFu) << 23;
    INFO(std::hex << a << " " << b);
    REQUIRE(unit.eval("f32_add", a, b) == fp::add32_bits(a, b));
    REQUIRE(unit.eval("f32_mul", a, b) == fp::mul32_bits(a, b));
  }
}

namespace {

// Inputs for the activation functions: random bits (mostly far outside every interesting range),
// values with an exponent in [2^-30, 2^10) (where the general paths run), and every threshold
// of activation.cpp (clamps, small-argument shortcuts, the tanh polynomial's limit) nudged by up
// to 8 ulps either way, with either sign.
uint32_t act_stimulus(std::mt19937& rng) {
  static const uint32_t kEdges[] = {0x42B20000u, 0xC2D00000u, 0x42000000u, 0xC3000000u, 0x41200000u,
                                    0xC1400000u, 0x33000000u, 0x39800000u, 0x3F100000u, 0x00800000u,
                                    0x3F800000u, 0x00000000u, 0x7F800000u, 0x7F7FFFFFu};
  const auto r = static_cast<uint32_t>(rng());
  switch (rng() % 4) {
    case 0: return r;
    case 1: return (r & 0x807FFFFFu) | ((97u + (r >> 23) % 40u) << 23);
    case 2: {
      const uint32_t edge = kEdges[rng() % (sizeof kEdges / sizeof kEdges[0])] & 0x7FFFFFFFu;
      const uint32_t mag = edge + (r % 17u) - 8u;  // wraps below +0 into the sign bit: fine
      return (mag & 0x7FFFFFFFu) | (r & 0x80000000u);
    }
    default: return r & 0x807FFFFFu;  // subnormals and zeros
  }
}

}  // namespace

TEST_CASE("RTL activation function unit equals the reference for every function", "[rtl][fpu][act]") {
  const uint32_t seed = Catch::rngSeed();
  INFO("seed " << seed << " (replay with --rng-seed " << seed << ")");
  std::mt19937 rng(seed);
  rtl::FpUnit unit;
  const uint32_t specials[] = {0x00000000u, 0x80000000u, 0x00000001u, 0x807FFFFFu, 0x7F800000u, 0xFF800000u,
                               0x7FC00000u, 0xFFC00001u, 0x7F800001u, 0x3F800000u, 0xBF800000u, 0x7F7FFFFFu};
  for (int f = 0; f < fp::kActFuncCount; ++f) {
    const auto func = static_cast<fp::ActFunc>(f);
    const std::string op = "act_" + std::string(fp::name(func));
    INFO(op);
    REQUIRE(rtl::FpUnit::has(op));
    for (uint32_t x : specials) {
      INFO("x " << std::hex << x);
      REQUIRE(unit.eval(op, x, 0) == fp::activate(func, x));
    }
    for (int i = 0; i < 200000; ++i) {
      const uint32_t x = act_stimulus(rng);
      INFO("x " << std::hex << x);
      REQUIRE(unit.eval(op, x, 0) == fp::activate(func, x));
    }
  }
}

// Every fp32 input of the functions named in TESSERA_ACT_EXHAUSTIVE (comma-separated, e.g.
// "gelu_tanh,exp"; all of them when it is "all"). Hidden: 1 to 20 minutes per function on one
// core, so not part of the suite; run with `tb/tb_fpu "[act-exhaustive]"`.
TEST_CASE("RTL activation function unit equals the reference on every input", "[.][act-exhaustive]") {
  const char* env = std::getenv("TESSERA_ACT_EXHAUSTIVE");
  const std::string list = env ? env : "";
  if (list.empty()) FAIL("set TESSERA_ACT_EXHAUSTIVE to a comma-separated list of functions, or all");
  rtl::FpUnit unit;
  for (int f = 0; f < fp::kActFuncCount; ++f) {
    const auto func = static_cast<fp::ActFunc>(f);
    const std::string name(fp::name(func));
    if (list != "all" && ("," + list + ",").find("," + name + ",") == std::string::npos) continue;
    const std::string op = "act_" + name;
    uint64_t mismatches = 0;
    uint32_t first = 0;
    for (uint64_t x = 0; x <= 0xFFFFFFFFull; ++x) {
      const auto v = static_cast<uint32_t>(x);
      if (unit.eval(op, v, 0) != fp::activate(func, v) && mismatches++ == 0) first = v;
    }
    INFO(op << ": first mismatch at x " << std::hex << first);
    CHECK(mismatches == 0);
    WARN(op << ": all 2^32 inputs checked, " << mismatches << " mismatches");
  }
}

TEST_CASE("RTL vector-engine ALU equals the reference for every operation", "[rtl][fpu][dve]") {
  const uint32_t seed = Catch::rngSeed();
  INFO("seed " << seed << " (replay with --rng-seed " << seed << ")");
  std::mt19937 rng(seed);
  rtl::FpUnit unit;
  const uint32_t specials[] = {0x00000000u, 0x80000000u, 0x00000001u, 0x80000001u, 0x007FFFFFu, 0x7F7FFFFFu,
                               0xFF7FFFFFu, 0x7F800000u, 0xFF800000u, 0x7FC00000u, 0xFFC00001u, 0x7F800001u,
                               0x3F800000u, 0xBF800000u, 0x3F800001u, 0x4B800000u};
  const ref::AluOp ops[] = {ref::AluOp::kBypass, ref::AluOp::kAdd, ref::AluOp::kSub, ref::AluOp::kRsub,
                            ref::AluOp::kMul,    ref::AluOp::kMax, ref::AluOp::kMin};
  for (ref::AluOp op : ops) {
    INFO("op " << static_cast<int>(op));
    for (uint32_t x : specials)
      for (uint32_t s : specials) {
        INFO(std::hex << x << " " << s);
        REQUIRE(unit.alu(op, x, s) == ref::alu(op, x, s));
      }
    for (int i = 0; i < 200000; ++i) {
      const auto x = static_cast<uint32_t>(rng());
      auto s = static_cast<uint32_t>(rng());
      // A quarter of the pairs have close exponents (additions that cancel), a quarter are x
      // itself with its sign or a low bit flipped (max/min of equal and nearly equal values).
      if (i % 4 == 1) s = (s & 0x807FFFFFu) | ((((x >> 23) & 0xFFu) + (s >> 23) % 53u - 26u) & 0xFFu) << 23;
      if (i % 4 == 2) s = x ^ (s & 1u ? 0x80000000u : 0x00000001u);
      INFO(std::hex << x << " " << s);
      REQUIRE(unit.alu(op, x, s) == ref::alu(op, x, s));
    }
  }
}
