// Narrowing fp32 -> bf16/fp16/e4m3/e5m2 with RNE, against the grid-search oracle.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "numerics/fp.hpp"
#include "support/fp_oracle.hpp"

using namespace tessera;

namespace {

struct Case {
  fp::Format format;
  const test::FormatSpec* spec;
};

const Case kCases[] = {{fp::Format::kBf16, &test::kBf16},
                       {fp::Format::kFp16, &test::kFp16},
                       {fp::Format::kE4m3, &test::kE4m3},
                       {fp::Format::kE5m2, &test::kE5m2}};

void check_rne(const Case& c, const test::Grid& grid, uint32_t x) {
  const uint32_t got = fp::narrow(c.format, x, fp::Rounding::kRne);
  const uint32_t expect = grid.rne(x);
  if (got != expect) {
    FAIL_CHECK(c.spec->name << ": narrow(" << std::hex << x << " = " << test::f32(x) << ") = " << got
                            << ", expected " << expect);
  }
}

}  // namespace

TEST_CASE("RNE at every rounding midpoint and one fp32 ulp either side", "[fp][narrow]") {
  for (const Case& c : kCases) {
    const test::Grid grid(*c.spec);
    std::vector<double> midpoints;
    for (size_t i = 0; i + 1 < grid.values.size(); ++i)
      midpoints.push_back((grid.values[i] + grid.values[i + 1]) / 2);
    midpoints.push_back(grid.max_value + grid.overflow_gap / 2);  // the overflow threshold
    for (double mid : midpoints) {
      const float f = static_cast<float>(mid);
      REQUIRE(static_cast<double>(f) == mid);  // every midpoint is an fp32 value
      for (uint32_t sign : {0u, 0x80000000u}) {
        const uint32_t x = test::bits32(f) | sign;
        check_rne(c, grid, x);
        check_rne(c, grid, x + 1);
        if ((x & 0x7FFFFFFFu) != 0) check_rne(c, grid, x - 1);
      }
    }
  }
}

TEST_CASE("RNE on random fp32 inputs: uniform bits and within the format range", "[fp][narrow]") {
  const uint32_t seed = Catch::rngSeed();
  INFO("seed " << seed << " (rerun with --rng-seed " << seed << ")");
  std::mt19937 rng(seed);
  for (const Case& c : kCases) {
    const test::Grid grid(*c.spec);
    std::uniform_real_distribution<double> log_mag(std::log2(grid.values[1]) - 4, std::log2(grid.max_value) + 2);
    for (int i = 0; i < 400000; ++i) {
      check_rne(c, grid, static_cast<uint32_t>(rng()));
      const float v = static_cast<float>(std::exp2(log_mag(rng)));
      check_rne(c, grid, test::bits32(v) | ((rng() & 1) << 31));
    }
  }
}

TEST_CASE("specials: zeros; infinities; NaNs; fp32 subnormals; saturation", "[fp][narrow]") {
  for (const Case& c : kCases) {
    INFO(c.spec->name);
    const test::Grid grid(*c.spec);
    const uint32_t sb = test::sign_bit(*c.spec);
    CHECK(fp::narrow(c.format, 0x00000000u) == 0);
    CHECK(fp::narrow(c.format, 0x80000000u) == sb);
    for (uint32_t nan : {0x7FC00000u, 0xFFC00000u, 0x7F800001u, 0xFFBFFFFFu, 0x7FFFFFFFu}) {
      CHECK(fp::narrow(c.format, nan) == c.spec->nan);
      CHECK(fp::narrow(c.format, nan, fp::Rounding::kStochastic, 0x12345678u) == c.spec->nan);
    }
    CHECK(fp::narrow(c.format, 0x7F800000u) == grid.overflow_code(0));
    CHECK(fp::narrow(c.format, 0xFF800000u) == grid.overflow_code(sb));
    CHECK(fp::narrow(c.format, 0x7F7FFFFFu) == grid.overflow_code(0));
    for (uint32_t sub : {0x00000001u, 0x007FFFFFu, 0x00400000u, 0x80000001u})
      check_rne(c, grid, sub);
  }
  // Saturating formats: anything beyond the largest finite value saturates (infinities too).
  CHECK(fp::narrow(fp::Format::kE4m3, test::bits32(464.0f)) == 0x7E);
  CHECK(fp::narrow(fp::Format::kE4m3, test::bits32(-1e30f)) == 0xFE);
  CHECK(fp::narrow(fp::Format::kE5m2, test::bits32(61440.0f)) == 0x7B);
  CHECK(fp::narrow(fp::Format::kE5m2, 0xFF800000u) == 0xFB);
  // IEEE formats: the RNE overflow threshold is max + ulp/2 (a tie that rounds to even = inf).
  CHECK(fp::narrow(fp::Format::kFp16, test::bits32(65519.0f)) == 0x7BFF);
  CHECK(fp::narrow(fp::Format::kFp16, test::bits32(65520.0f)) == 0x7C00);
  CHECK(fp::narrow(fp::Format::kBf16, 0x7F7F7FFFu) == 0x7F7F);
  CHECK(fp::narrow(fp::Format::kBf16, 0x7F7F8000u) == 0x7F80);
  // bf16 keeps fp32's exponent range, so fp32 subnormals round into bf16 subnormals.
  CHECK(fp::narrow(fp::Format::kBf16, 0x00008000u) == 0x0000);  // tie, even
  CHECK(fp::narrow(fp::Format::kBf16, 0x00018000u) == 0x0002);  // tie, even
  CHECK(fp::narrow(fp::Format::kBf16, 0x00008001u) == 0x0001);
}
