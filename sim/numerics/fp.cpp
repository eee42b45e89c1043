#include "fp.hpp"

#include <array>

namespace tessera::fp {
namespace {

constexpr std::array<FormatInfo, 5> kInfo = {{
    {"fp32", 32, 8, 23, 127, true, false, 0x7FC00000u, 0x7F7FFFFFu},
    {"bf16", 16, 8, 7, 127, true, false, 0x7FC0u, 0x7F7Fu},
    {"fp16", 16, 5, 10, 15, true, false, 0x7E00u, 0x7BFFu},
    {"e4m3", 8, 4, 3, 7, false, true, 0x7Fu, 0x7Eu},
    {"e5m2", 8, 5, 2, 15, true, true, 0x7Eu, 0x7Bu},
}};

int msb_index(uint64_t x) { return 63 - __builtin_clzll(x); }

}  // namespace

const FormatInfo& info(Format f) { return kInfo[static_cast<size_t>(f)]; }

std::optional<Format> parse_format(std::string_view name) {
  for (size_t i = 0; i < kInfo.size(); ++i)
    if (kInfo[i].name == name) return static_cast<Format>(i);
  return std::nullopt;
}

uint32_t widen(Format f, uint32_t code) {
  const FormatInfo& fi = info(f);
  const uint32_t sign = (code >> (fi.bits - 1)) & 1u;
  const uint32_t exp_field = (code >> fi.man_bits) & ((1u << fi.exp_bits) - 1);
  const uint32_t man = code & ((1u << fi.man_bits) - 1);
  const uint32_t exp_all_ones = (1u << fi.exp_bits) - 1;
  const uint32_t sign32 = sign << 31;

  if (fi.has_inf) {
    if (exp_field == exp_all_ones) return man ? kF32CanonicalNan : (sign32 | 0x7F800000u);
  } else if ((code & ((1u << (fi.bits - 1)) - 1)) == fi.canonical_nan) {
    return kF32CanonicalNan;  // E4M3FN: S.1111.111 is the only NaN
  }
  if (exp_field == 0 && man == 0) return sign32;

  // value = sig * 2^(e - man_bits) with sig holding the implicit bit for normal codes.
  const int emin = 1 - fi.bias;
  const uint32_t sig = exp_field ? (man | (1u << fi.man_bits)) : man;
  const int e = exp_field ? static_cast<int>(exp_field) - fi.bias : emin;
  const int msb = msb_index(sig);
  const int value_exp = e - static_cast<int>(fi.man_bits) + msb;  // floor(log2 |value|)
  if (value_exp >= -126) {
    const uint32_t man32 = (sig << (23 - msb)) & 0x7FFFFFu;
    return sign32 | (static_cast<uint32_t>(value_exp + 127) << 23) | man32;
  }
  // An fp32 subnormal (only bf16 subnormals land here): sig * 2^(e - man_bits) / 2^-149.
  return sign32 | (sig << (e - static_cast<int>(fi.man_bits) + 149));
}

uint32_t narrow(Format f, uint32_t x, Rounding rounding, uint32_t random) {
  const FormatInfo& fi = info(f);
  const uint32_t sign = (x >> 31) << (fi.bits - 1);
  const uint32_t exp32 = (x >> 23) & 0xFFu;
  const uint32_t man32 = x & 0x7FFFFFu;
  const uint32_t overflow_code = sign | (fi.saturates ? fi.max_finite : (fi.max_finite + 1));

  if (exp32 == 0xFF) return man32 ? fi.canonical_nan : overflow_code;
  if (exp32 == 0 && man32 == 0) return sign;

  // |x| = sig * 2^(e - 23); the target's quantum at |x| is 2^(max(floor log2|x|, emin) - m).
  const uint64_t sig = exp32 ? (man32 | 0x800000u) : man32;
  const int e = exp32 ? static_cast<int>(exp32) - 127 : -126;
  const int value_exp = e - 23 + msb_index(sig);
  const int emin = 1 - fi.bias;
  const int m = static_cast<int>(fi.man_bits);
  int quantum_exp = (value_exp > emin ? value_exp : emin) - m;
  const int shift = quantum_exp - (e - 23);  // discarded bits, >= 0 for every narrower format

  // sig < 2^24; once shift >= 57 not even an all-ones stochastic addend can carry into the
  // kept part, and RNE sees less than half a quantum, so the magnitude is zero either way.
  uint64_t q = 0;
  if (shift == 0) {
    q = sig;
  } else if (shift < 57) {
    const uint64_t mask = (uint64_t{1} << shift) - 1;
    if (rounding == Rounding::kRne) {
      const uint64_t rem = sig & mask;
      const uint64_t half = uint64_t{1} << (shift - 1);
      q = sig >> shift;
      if (rem > half || (rem == half && (q & 1))) ++q;
    } else {
      const uint64_t addend =
          shift <= 32 ? (random & mask) : (static_cast<uint64_t>(random) << (shift - 32));
      q = (sig + addend) >> shift;
    }
  }
  if (q == 0) return sign;

  // Rounding may carry into the next binade: q == 2^(m+1) becomes 2^m one exponent up.
  if (q >> (m + 1)) {
    q >>= 1;
    ++quantum_exp;
  }
  if (q < (uint64_t{1} << m)) return sign | static_cast<uint32_t>(q);  // subnormal

  const int exp_field = quantum_exp + m + fi.bias;
  const uint64_t code = (static_cast<uint64_t>(exp_field) << m) | (q - (uint64_t{1} << m));
  if (exp_field >= (1 << fi.exp_bits) || code > fi.max_finite) return overflow_code;
  return sign | static_cast<uint32_t>(code);
}

}  // namespace tessera::fp
