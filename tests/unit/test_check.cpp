// ulp_distance (sim/kernels/check.hpp): the `max_ulp` of kernel reports, in units of each
// output's own dtype.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

#include "kernels/check.hpp"
#include "numerics/fp.hpp"

using tessera::fp::Format;
using tessera::kernels::ulp_distance;

namespace {
float f32(uint32_t bits) { return tessera::fp::float_of(bits); }
}  // namespace

TEST_CASE("ulp_distance counts codes of the given format") {
  // fp32: neighbouring codes, across a binade, across zero, and +0 against -0.
  CHECK(ulp_distance(Format::kFp32, 1.0f, 1.0f) == 0);
  CHECK(ulp_distance(Format::kFp32, f32(0x3F800001u), 1.0f) == 1);
  CHECK(ulp_distance(Format::kFp32, f32(0x3F7FFFFFu), f32(0x3F800001u)) == 2);
  CHECK(ulp_distance(Format::kFp32, f32(0x00000001u), f32(0x80000001u)) == 2);
  CHECK(ulp_distance(Format::kFp32, 0.0f, -0.0f) == 0);
  // bf16: a neighbouring bf16 value is one ulp (2^16 fp32 ulps apart).
  CHECK(ulp_distance(Format::kBf16, f32(0x3F810000u), 1.0f) == 1);
  CHECK(ulp_distance(Format::kBf16, f32(0x3F800000u), f32(0xBF800000u)) == 2 * 0x3F80u);
  // The reference value is rounded to the format first (RNE): 1 + 2^-8 is a tie, down to 1;
  // just above it rounds up to 1 + 2^-7, one bf16 ulp from 1.
  CHECK(ulp_distance(Format::kBf16, 1.0f, f32(0x3F808000u)) == 0);
  CHECK(ulp_distance(Format::kBf16, 1.0f, f32(0x3F808001u)) == 1);
  // fp16 and fp8 the same way.
  CHECK(ulp_distance(Format::kFp16, 1.0f, 1.0f + 0x1p-10f) == 1);
  CHECK(ulp_distance(Format::kE4m3, 1.0f, 1.125f) == 1);
  // NaNs: by bits only.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  CHECK(ulp_distance(Format::kBf16, nan, nan) == 0);
  CHECK(ulp_distance(Format::kBf16, nan, 1.0f) == UINT32_MAX);
}
