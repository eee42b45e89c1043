// An independent oracle for the number formats, for tests only.
//
// It shares no code with sim/numerics: each format is restated from SPEC section 3, every
// finite code is decoded with ldexp in double precision (exact for these formats), and
// rounding is a search for the nearest grid value, not bit manipulation.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace tessera::test {

struct FormatSpec {
  const char* name;
  unsigned bits, exp_bits, man_bits;
  int bias;
  bool ieee_specials;  // exponent all ones = inf/NaN; false: E4M3FN, where only S.1111.111 is NaN
  bool saturates;
  uint32_t nan;        // canonical NaN code
};

inline const FormatSpec kBf16{"bf16", 16, 8, 7, 127, true, false, 0x7FC0};
inline const FormatSpec kFp16{"fp16", 16, 5, 10, 15, true, false, 0x7E00};
inline const FormatSpec kE4m3{"e4m3", 8, 4, 3, 7, false, true, 0x7F};
inline const FormatSpec kE5m2{"e5m2", 8, 5, 2, 15, true, true, 0x7E};

inline uint32_t sign_bit(const FormatSpec& s) { return 1u << (s.bits - 1); }

enum class Kind { kFinite, kInf, kNan };

inline Kind classify(const FormatSpec& s, uint32_t code) {
  const uint32_t mag = code & (sign_bit(s) - 1);
  const uint32_t exp_field = mag >> s.man_bits;
  const uint32_t man = mag & ((1u << s.man_bits) - 1);
  if (s.ieee_specials) {
    if (exp_field == (1u << s.exp_bits) - 1) return man ? Kind::kNan : Kind::kInf;
    return Kind::kFinite;
  }
  return mag == sign_bit(s) - 1 ? Kind::kNan : Kind::kFinite;
}

// Value of a finite code, straight from the definition.
inline double decode(const FormatSpec& s, uint32_t code) {
  const uint32_t mag = code & (sign_bit(s) - 1);
  const int exp_field = static_cast<int>(mag >> s.man_bits);
  const double man = static_cast<double>(mag & ((1u << s.man_bits) - 1));
  const int m = static_cast<int>(s.man_bits);
  const double v = exp_field == 0 ? std::ldexp(man, 1 - s.bias - m)
                                  : std::ldexp(std::ldexp(1.0, m) + man, exp_field - s.bias - m);
  return (code & sign_bit(s)) ? -v : v;
}

inline float f32(uint32_t b) { float x; std::memcpy(&x, &b, 4); return x; }
inline uint32_t bits32(float x) { uint32_t b; std::memcpy(&b, &x, 4); return b; }

// The non-negative finite codes in increasing order of value, with their values.
struct Grid {
  const FormatSpec& spec;
  std::vector<uint32_t> codes;
  std::vector<double> values;
  double max_value;
  double overflow_gap;  // distance from the largest finite value to 2^(emax+1)

  explicit Grid(const FormatSpec& s) : spec(s) {
    for (uint32_t c = 0; c < sign_bit(s); ++c) {
      if (classify(s, c) != Kind::kFinite) continue;
      codes.push_back(c);
      values.push_back(decode(s, c));
    }
    max_value = values.back();
    overflow_gap = std::ldexp(1.0, static_cast<int>(std::floor(std::log2(max_value))) + 1) - max_value;
  }
  uint32_t max_code() const { return codes.back(); }
  uint32_t overflow_code(uint32_t sign) const {
    return sign | (spec.saturates ? max_code() : (((1u << spec.exp_bits) - 1) << spec.man_bits));
  }

  // Round-to-nearest-even of |x| (finite, positive, at most max_value) on the grid.
  uint32_t nearest_even(double a) const {
    const size_t hi = static_cast<size_t>(std::lower_bound(values.begin(), values.end(), a) - values.begin());
    if (hi == values.size()) return max_code();
    if (values[hi] == a || hi == 0) return codes[hi];
    const double below = a - values[hi - 1], above = values[hi] - a;
    if (below < above) return codes[hi - 1];
    if (above < below) return codes[hi];
    return (codes[hi] & 1) ? codes[hi - 1] : codes[hi];
  }
  uint32_t floor(double a) const {
    return codes[static_cast<size_t>(std::upper_bound(values.begin(), values.end(), a) - values.begin()) - 1];
  }
  // Smallest grid value >= a, or none (returns false) when a > max_value.
  bool ceil(double a, uint32_t& code) const {
    const auto it = std::lower_bound(values.begin(), values.end(), a);
    if (it == values.end()) return false;
    code = codes[static_cast<size_t>(it - values.begin())];
    return true;
  }

  // Narrowing fp32 -> format with RNE, per the contract.
  uint32_t rne(uint32_t x_bits) const {
    const float x = f32(x_bits);
    const uint32_t sign = (x_bits >> 31) ? sign_bit(spec) : 0;
    if (std::isnan(x)) return spec.nan;
    const double a = std::fabs(static_cast<double>(x));
    if (std::isinf(x)) return overflow_code(sign);
    if (spec.saturates ? a > max_value : a >= max_value + overflow_gap / 2) return overflow_code(sign);
    return sign | nearest_even(a);
  }
};

}  // namespace tessera::test
