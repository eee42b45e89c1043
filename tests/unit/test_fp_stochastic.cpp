// Stochastic rounding: the rule, its exact expectation, and the per-lane generator.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <set>

#include "numerics/fp.hpp"
#include "numerics/xorshift32.hpp"
#include "support/fp_oracle.hpp"

using namespace tessera;

namespace {

struct Case {
  fp::Format format;
  const test::FormatSpec* spec;
  int discarded_bits;  // for a normal fp32 input landing in the target's normal range
};

const Case kCases[] = {{fp::Format::kBf16, &test::kBf16, 16},
                       {fp::Format::kFp16, &test::kFp16, 13},
                       {fp::Format::kE4m3, &test::kE4m3, 20},
                       {fp::Format::kE5m2, &test::kE5m2, 21}};

// A random fp32 in the target's normal range whose discarded bits are not all zero.
uint32_t random_normal_input(const test::Grid& grid, std::mt19937& rng) {
  std::uniform_real_distribution<double> log_mag(std::log2(grid.values[1]) + 12, std::log2(grid.max_value) - 1);
  for (;;) {
    const float v = static_cast<float>(std::exp2(log_mag(rng)));
    const uint32_t x = test::bits32(v);
    if (x & 0xFFu) return x | ((rng() & 1u) << 31);
  }
}

}  // namespace

TEST_CASE("SR with a zero addend truncates; with an all-ones addend it rounds away", "[fp][sr]") {
  std::mt19937 rng(Catch::rngSeed());
  for (const Case& c : kCases) {
    INFO(c.spec->name);
    const test::Grid grid(*c.spec);
    // Inputs from a quarter of the smallest subnormal up past the overflow point: at most 32
    // bits are discarded there, so an all-ones generator output is an all-ones addend.
    std::uniform_real_distribution<double> log_mag(std::log2(grid.values[1]) - 2, std::log2(grid.max_value) + 1);
    for (int i = 0; i < 200000; ++i) {
      const uint32_t x = test::bits32(static_cast<float>(std::exp2(log_mag(rng))));
      const double a = test::f32(x);
      INFO("x " << std::hex << x);
      const bool beyond = c.spec->saturates ? a > grid.max_value : a >= grid.max_value + grid.overflow_gap;
      const uint32_t down = beyond ? grid.overflow_code(0) : grid.floor(a);
      uint32_t up = 0;
      if (!grid.ceil(a, up)) up = grid.overflow_code(0);
      REQUIRE(fp::narrow(c.format, x, fp::Rounding::kStochastic, 0) == down);
      REQUIRE(fp::narrow(c.format, x, fp::Rounding::kStochastic, 0xFFFFFFFFu) == up);
    }
  }
}

TEST_CASE("SR rounds up for exactly the discarded part of all 2^d addends: unbiased", "[fp][sr]") {
  std::mt19937 rng(Catch::rngSeed());
  for (const Case& c : kCases) {
    INFO(c.spec->name);
    const test::Grid grid(*c.spec);
    const uint32_t addends = 1u << c.discarded_bits;
    for (int i = 0; i < 6; ++i) {
      const uint32_t x = random_normal_input(grid, rng);
      INFO("x " << std::hex << x);
      const uint32_t down = fp::narrow(c.format, x, fp::Rounding::kStochastic, 0);
      const uint32_t up = fp::narrow(c.format, x, fp::Rounding::kStochastic, 0xFFFFFFFFu);
      REQUIRE(up != down);
      // Every addend, plus generator bits above the discarded ones (which must be ignored).
      uint64_t ups = 0;
      for (uint32_t r = 0; r < addends; ++r) {
        const uint32_t got = fp::narrow(c.format, x, fp::Rounding::kStochastic, r | static_cast<uint32_t>(rng() << c.discarded_bits));
        REQUIRE((got == up || got == down));
        ups += got == up;
      }
      // The mean result equals x exactly: P(up) = (|x| - down) / (up - down).
      const double lo = std::fabs(test::decode(*c.spec, down)), hi = std::fabs(test::decode(*c.spec, up));
      const double discarded_fraction = (std::fabs(static_cast<double>(test::f32(x))) - lo) / (hi - lo);
      CHECK(static_cast<double>(ups) == discarded_fraction * addends);
    }
  }
}

TEST_CASE("SR driven by the lane generator is unbiased in expectation", "[fp][sr]") {
  // Mean of K draws of a two-point variable (down w.p. 1-p, up w.p. p): its standard error
  // is gap * sqrt(p(1-p)/K). Six standard errors bound the deviation for a generator whose
  // draws behave as independent uniforms; the seeds are fixed, so the test is deterministic.
  constexpr int kDraws = 20000;
  std::mt19937 rng(Catch::rngSeed());
  for (const Case& c : kCases) {
    INFO(c.spec->name);
    const test::Grid grid(*c.spec);
    for (uint32_t lane = 0; lane < 8; ++lane) {
      fp::Xorshift32 gen = fp::Xorshift32::for_lane(1234, lane);
      const uint32_t x = random_normal_input(grid, rng);
      const double target = test::f32(x);
      double sum = 0;
      double lo = 0, hi = 0;
      for (int k = 0; k < kDraws; ++k) {
        const double v = test::decode(*c.spec, fp::narrow(c.format, x, fp::Rounding::kStochastic, gen.next()));
        sum += v;
        lo = k ? std::min(lo, v) : v;
        hi = k ? std::max(hi, v) : v;
      }
      const double gap = std::fabs(test::decode(*c.spec, fp::narrow(c.format, x, fp::Rounding::kStochastic, ~0u)) -
                                   test::decode(*c.spec, fp::narrow(c.format, x, fp::Rounding::kStochastic, 0)));
      const double p = std::fabs(target - test::decode(*c.spec, fp::narrow(c.format, x, fp::Rounding::kStochastic, 0))) / gap;
      const double bound = 6 * gap * std::sqrt(p * (1 - p) / kDraws);
      INFO("lane " << lane << " x " << target << " p " << p);
      CHECK(std::fabs(sum / kDraws - target) <= bound);
      CHECK(hi - lo == gap);  // both neighbours occur
    }
  }
}

TEST_CASE("xorshift32 13-17-5 and the per-lane seeding", "[fp][sr][rng]") {
  // Marsaglia (2003), "Xorshift RNGs", section 3: from y = 2463534242 the first output is 723471715.
  fp::Xorshift32 g(2463534242u);
  CHECK(g.next() == 723471715u);

  // Reproducible: the same seed and lane give the same stream.
  fp::Xorshift32 a = fp::Xorshift32::for_lane(42, 7), b = fp::Xorshift32::for_lane(42, 7);
  for (int i = 0; i < 1000; ++i) REQUIRE(a.next() == b.next());

  // Every lane of a trn1 core starts from its own non-zero state, for several seeds.
  for (uint64_t seed : {uint64_t{0}, uint64_t{1}, uint64_t{0xFFFFFFFFull}, uint64_t{1} << 32}) {
    std::set<uint32_t> states;
    for (uint32_t lane = 0; lane < 128; ++lane) {
      const uint32_t s = fp::Xorshift32::for_lane(seed, lane).state();
      CHECK(s != 0);
      states.insert(s);
    }
    CHECK(states.size() == 128);
  }
  CHECK(fp::Xorshift32::for_lane(1, 0).state() != fp::Xorshift32::for_lane(1ull << 32 | 1, 0).state());
  CHECK(fp::Xorshift32(0).state() != 0);
}
