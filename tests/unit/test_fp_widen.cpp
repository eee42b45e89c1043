// Widening to fp32 and round trips, exhaustive over every code of every narrow format.
#include <catch2/catch.hpp>

#include "numerics/fp.hpp"
#include "support/fp_oracle.hpp"

using namespace tessera;
using test::FormatSpec;

namespace {

struct Case {
  fp::Format format;
  const FormatSpec* spec;
};

const Case kCases[] = {{fp::Format::kBf16, &test::kBf16},
                       {fp::Format::kFp16, &test::kFp16},
                       {fp::Format::kE4m3, &test::kE4m3},
                       {fp::Format::kE5m2, &test::kE5m2}};

}  // namespace

TEST_CASE("widen_bf16 equals widen for every bf16 code", "[fp][widen]") {
  size_t nans = 0;
  for (uint32_t code = 0; code < 0x10000u; ++code) {
    INFO("code " << std::hex << code);
    REQUIRE(fp::widen_bf16(static_cast<uint16_t>(code)) == fp::widen(fp::Format::kBf16, code));
    nans += fp::widen_bf16(static_cast<uint16_t>(code)) == fp::kF32CanonicalNan;
  }
  REQUIRE(nans == 2 * 127);  // the NaNs: either sign, any of the 127 non-zero payloads
}

TEST_CASE("widening is exact for every code", "[fp][widen]") {
  for (const Case& c : kCases) {
    INFO(c.spec->name);
    size_t nans = 0, infs = 0;
    for (uint32_t code = 0; code < (1u << c.spec->bits); ++code) {
      INFO("code " << std::hex << code);
      const uint32_t got = fp::widen(c.format, code);
      const bool negative = code & test::sign_bit(*c.spec);
      switch (test::classify(*c.spec, code)) {
        case test::Kind::kNan:
          ++nans;
          REQUIRE(got == 0x7FC00000u);
          break;
        case test::Kind::kInf:
          ++infs;
          REQUIRE(got == (negative ? 0xFF800000u : 0x7F800000u));
          break;
        case test::Kind::kFinite: {
          const double v = test::decode(*c.spec, code);
          REQUIRE(static_cast<double>(test::f32(got)) == v);  // exact: no rounding happened
          REQUIRE((got >> 31) == (negative ? 1u : 0u));      // signed zeros keep their sign
          break;
        }
      }
    }
    // The special-value census of each format, from its definition.
    const size_t expected_nans = c.spec->ieee_specials ? 2 * ((1u << c.spec->man_bits) - 1) : 2;
    CHECK(nans == expected_nans);
    CHECK(infs == (c.spec->ieee_specials ? 2u : 0u));
  }
}

TEST_CASE("narrowing a widened code gives the code back and NaNs canonical", "[fp][widen][narrow]") {
  for (const Case& c : kCases) {
    INFO(c.spec->name);
    for (uint32_t code = 0; code < (1u << c.spec->bits); ++code) {
      INFO("code " << std::hex << code);
      const uint32_t wide = fp::widen(c.format, code);
      // Round trip, except: NaNs come back canonical, and e5m2 infinities saturate (fp8 has
      // no overflow to infinity, infinite inputs included).
      uint32_t expect = code;
      const test::Kind kind = test::classify(*c.spec, code);
      if (kind == test::Kind::kNan) expect = c.spec->nan;
      if (kind == test::Kind::kInf && c.spec->saturates)
        expect = test::Grid(*c.spec).overflow_code(code & test::sign_bit(*c.spec));
      REQUIRE(fp::narrow(c.format, wide, fp::Rounding::kRne) == expect);
      // Stochastic rounding of a representable value discards only zeros: no random bit matters.
      REQUIRE(fp::narrow(c.format, wide, fp::Rounding::kStochastic, 0xFFFFFFFFu) == expect);
    }
  }
}

TEST_CASE("format table matches the contract", "[fp]") {
  for (const Case& c : kCases) {
    const fp::FormatInfo& fi = fp::info(c.format);
    INFO(c.spec->name);
    CHECK(fi.name == c.spec->name);
    CHECK(fi.bits == c.spec->bits);
    CHECK(fi.canonical_nan == c.spec->nan);
    CHECK(fp::parse_format(c.spec->name) == c.format);
  }
  CHECK(test::decode(test::kE4m3, fp::info(fp::Format::kE4m3).max_finite) == 448.0);
  CHECK(test::decode(test::kE5m2, fp::info(fp::Format::kE5m2).max_finite) == 57344.0);
  CHECK(test::decode(test::kFp16, fp::info(fp::Format::kFp16).max_finite) == 65504.0);
  CHECK_FALSE(fp::parse_format("fp64").has_value());
}
