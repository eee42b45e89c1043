// fp32 add and multiply: IEEE binary32 with RNE, subnormals kept, canonical NaNs.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>

#include "numerics/fp.hpp"
#include "support/fp_oracle.hpp"

using namespace tessera;
using test::bits32;
using test::f32;

namespace {

// Double rounding through binary64 is innocuous for +, -, * on binary32 operands because
// 53 >= 2*24 + 2 (Figueroa, "When is double rounding innocuous?", 1995): rounding the exact
// result to double and then to float equals rounding it to float once, subnormals included.
uint32_t oracle_add(uint32_t a, uint32_t b) {
  const double r = static_cast<double>(f32(a)) + static_cast<double>(f32(b));
  return std::isnan(r) ? 0x7FC00000u : bits32(static_cast<float>(r));
}
uint32_t oracle_mul(uint32_t a, uint32_t b) {
  const double r = static_cast<double>(f32(a)) * static_cast<double>(f32(b));
  return std::isnan(r) ? 0x7FC00000u : bits32(static_cast<float>(r));
}

}  // namespace

TEST_CASE("add32/mul32 agree with the binary64 oracle on random operands", "[fp][arith]") {
  const uint32_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  for (int i = 0; i < 2000000; ++i) {
    const uint32_t a = static_cast<uint32_t>(rng());
    // Half the pairs share a nearby exponent so that additions really round and cancel.
    uint32_t b = static_cast<uint32_t>(rng());
    if (i & 1) b = (b & 0x807FFFFFu) | (((a >> 23 & 0xFFu) + (b >> 23 & 7u) - 3u) & 0xFFu) << 23;
    INFO(std::hex << a << " " << b);
    REQUIRE(fp::add32_bits(a, b) == oracle_add(a, b));
    REQUIRE(fp::mul32_bits(a, b) == oracle_mul(a, b));
  }
}

TEST_CASE("add32/mul32 special cases", "[fp][arith]") {
  constexpr uint32_t kNan = 0x7FC00000u;
  CHECK(fp::add32_bits(0x7F800000u, 0xFF800000u) == kNan);  // inf - inf
  CHECK(fp::mul32_bits(0x00000000u, 0xFF800000u) == kNan);  // 0 * inf
  CHECK(fp::add32_bits(0xFFC12345u, 0x3F800000u) == kNan);  // payload and sign dropped
  CHECK(fp::mul32_bits(0x3F800000u, 0x7F800001u) == kNan);  // signalling NaN in
  CHECK(fp::add32_bits(0x80000000u, 0x80000000u) == 0x80000000u);  // -0 + -0 = -0
  CHECK(fp::add32_bits(0x3F800000u, 0xBF800000u) == 0x00000000u);  // x + -x = +0 under RNE
  CHECK(fp::mul32_bits(0x80000000u, 0x3F800000u) == 0x80000000u);
  // Subnormals are kept (no FTZ/DAZ): min normal minus its successor's gap, tiny products.
  CHECK(fp::add32_bits(0x00800000u, 0x80000001u) == 0x007FFFFFu);
  CHECK(fp::mul32_bits(0x00000001u, 0x3F800000u) == 0x00000001u);
  CHECK(fp::mul32_bits(0x00000001u, 0x3F000000u) == 0x00000000u);  // 2^-150: tie to even 0
  CHECK(fp::mul32_bits(0x00000003u, 0x3F000000u) == 0x00000002u);  // 1.5 quanta: tie to even 2
  CHECK(fp::mul32_bits(0x7F7FFFFFu, 0x40000000u) == 0x7F800000u);  // overflow to inf
  // Not fused: (1 + 2^-23)^2 - 1 rounds the product first.
  const float x = f32(0x3F800001u);
  CHECK(bits32(fp::add32(fp::mul32(x, x), -1.0f)) == 0x34800000u);  // 2^-22, not 2^-22 + 2^-46
}
