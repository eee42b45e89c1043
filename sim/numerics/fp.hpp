// Number formats of the numerics contract (SPEC section 3, docs/numerics.md).
//
// Values travel as raw bit patterns (uint32_t holding the format's code in its low bits), so
// that every level (reference, TLM, RTL testbenches) compares bits, not host floats.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace tessera::fp {

enum class Format : uint8_t { kFp32, kBf16, kFp16, kE4m3, kE5m2 };

struct FormatInfo {
  std::string_view name;
  unsigned bits;
  unsigned exp_bits;
  unsigned man_bits;
  int bias;
  bool has_inf;          // false for e4m3 (OCP E4M3FN)
  bool saturates;        // narrowing overflow goes to the largest finite value (fp8)
  uint32_t canonical_nan;
  uint32_t max_finite;   // positive largest finite code
};

const FormatInfo& info(Format f);
std::optional<Format> parse_format(std::string_view name);

enum class Rounding : uint8_t { kRne, kStochastic };

// Exact widening of a `f` code to fp32 bits; NaN -> 0x7FC00000.
uint32_t widen(Format f, uint32_t code);

// Narrowing of fp32 bits to `f`. With kStochastic, `random` is one generator output; its low
// bits (as many as are discarded) are added to the discarded part before truncation.
uint32_t narrow(Format f, uint32_t f32_bits, Rounding rounding = Rounding::kRne,
                uint32_t random = 0);

inline uint32_t bits_of(float x) {
  uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
inline float float_of(uint32_t b) {
  float x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

constexpr uint32_t kF32CanonicalNan = 0x7FC00000u;

inline bool is_nan32(uint32_t b) { return (b & 0x7FFFFFFFu) > 0x7F800000u; }

// widen(Format::kBf16, code) without a table or branches (compilers vectorise a loop of it):
// bf16 is fp32's upper half, so every code but a NaN widens by the shift.
inline uint32_t widen_bf16(uint16_t code) {
  const uint32_t b = uint32_t{code} << 16;
  return is_nan32(b) ? kF32CanonicalNan : b;
}

// IEEE binary32 add and multiply with RNE, subnormals kept, canonical NaN results. The host's
// SSE arithmetic provides IEEE semantics (the build forbids FMA contraction and fast-math and
// the process never sets FTZ/DAZ); only the NaN payload needs canonicalising.
inline float add32(float a, float b) {
  float r = a + b;
  return r != r ? float_of(kF32CanonicalNan) : r;
}
inline float mul32(float a, float b) {
  float r = a * b;
  return r != r ? float_of(kF32CanonicalNan) : r;
}
inline uint32_t add32_bits(uint32_t a, uint32_t b) { return bits_of(add32(float_of(a), float_of(b))); }
inline uint32_t mul32_bits(uint32_t a, uint32_t b) { return bits_of(mul32(float_of(a), float_of(b))); }

}  // namespace tessera::fp
