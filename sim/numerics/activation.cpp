// Activation functions: one fixed algorithm each, in contract fp32 steps (docs/activation.md).
//
// Rules that keep this bit-exact with the RTL: every rounding arithmetic step is add32 or
// mul32 (fp.hpp); everything else is exact (comparisons, sign bit, selection, exponent field,
// truncating low mantissa bits, table lookups, int <-> float of exactly representable values).
// No <cmath>, no double, no '/', no sqrt. Constants are fp32 bit patterns.
#include "activation.hpp"

#include <array>

#include "fp.hpp"

namespace tessera::fp {
namespace {

// ---- exact helpers -------------------------------------------------------------------------

constexpr uint32_t kSign = 0x80000000u;
constexpr uint32_t kPosInf = 0x7F800000u;

float c(uint32_t bits) { return float_of(bits); }
uint32_t b(float x) { return bits_of(x); }

float add(float x, float y) { return add32(x, y); }
float sub(float x, float y) { return add32(x, float_of(bits_of(y) ^ kSign)); }  // x + (-y)
float mul(float x, float y) { return mul32(x, y); }

// 2^n for n in [-126, 127], built in the exponent field.
float pow2(int n) { return float_of(static_cast<uint32_t>(n + 127) << 23); }

// v * 2^n with one rounding: the first multiply keeps the value normal (exact), the second
// rounds (into the subnormal range, to zero, or to infinity as the value requires).
// Precondition: v * 2^floor(n/2) is normal, true wherever it is used (|n| <= 217, and
// |v| in [2^-4, 2^5] whenever n != 0, except gelu_tanh_dx's w < 0 branch: |v| in [2^-27,
// 2^10] with n in [-205, 0]). n is clamped to [-252, 254] as a safeguard.
float scale(float v, int n) {
  if (n < -252) n = -252;
  if (n > 254) n = 254;
  const int n1 = (n - (n & 1)) / 2;  // floor(n / 2)
  const int n2 = n - n1;
  return mul(mul(v, pow2(n1)), pow2(n2));
}

// The upper 12 significant bits of a value (low 12 mantissa bits cleared; exact truncation).
float hi12(float v) { return float_of(bits_of(v) & 0xFFFFF000u); }

struct Pair {
  float hi, lo;  // value = hi + lo exactly (or to the stated precision)
};

// Exact product: hi = mul32(x, y), lo = x*y - hi exactly (Dekker's mul12 with a 12+12-bit
// split by truncation; exact for normal operands whose product error is not subnormal).
Pair two_prod(float x, float y) {
  const float p = mul(x, y);
  const float xh = hi12(x), xl = sub(x, xh);
  const float yh = hi12(y), yl = sub(y, yh);
  const float e = add(add(add(sub(mul(xh, yh), p), mul(xh, yl)), mul(xl, yh)), mul(xl, yl));
  return {p, e};
}

// Exact sum (Knuth's TwoSum, no precondition on magnitudes).
Pair two_sum(float x, float y) {
  const float s = add(x, y);
  const float yv = sub(s, x);
  const float xv = sub(s, yv);
  return {s, add(sub(x, xv), sub(y, yv))};
}

// Exact sum when |x| >= |y| (Dekker's Fast2Sum).
Pair fast_two_sum(float x, float y) {
  const float s = add(x, y);
  return {s, sub(y, sub(s, x))};
}

// Round to the nearest integer, ties to even, for |v| < 2^22: add and subtract 1.5 * 2^23.
constexpr uint32_t kRoundMagic = 0x4B400000u;  // 12582912.0
float round_to_int(float v) { return sub(add(v, c(kRoundMagic)), c(kRoundMagic)); }

// ---- constants -------------------------------------------------------------------------------

constexpr uint32_t kOne = 0x3F800000u;       // 1.0
constexpr uint32_t kTwo = 0x40000000u;       // 2.0
constexpr uint32_t kHalf = 0x3F000000u;      // 0.5
constexpr uint32_t kTwoPow64 = 0x5F800000u;  // 2^64 (normalises subnormal inputs)

// exp range reduction: x = k*ln2 + r, ln2 = kLn2Hi + kLn2Lo, kLn2Hi has 15 significant bits
// so k * kLn2Hi is exact for |k| < 512.
constexpr uint32_t kLog2e = 0x3FB8AA3Bu;  // 1.44269502162933349609375
constexpr uint32_t kLn2Hi = 0x3F317200u;  // 0.693145751953125
constexpr uint32_t kLn2Lo = 0x35BFBE8Eu;  // 1.428606765330187045037746429443359375e-6

// exp(r) = 1 + r + r^2 * Q(r), |r| <= 0.3496, Q(r) = q0 + q1 r + q2 r^2 + q3 r^3 + q4 r^4
// (weighted minimax for the relative error of exp).
constexpr std::array<uint32_t, 5> kExpQ = {
    0x3EFFFFFEu,  // q0 = 0.4999999403953552
    0x3E2AAA45u,  // q1 = 0.16666515171527863
    0x3D2AAC89u,  // q2 = 0.041668448597192764
    0x3C091F82u,  // q3 = 0.008369328454136848
    0x3AB50DD9u,  // q4 = 0.0013813331024721265
};

// tanh(x) = x + x^3 * H(x^2), |x| < 0.5625, H(z) = h0 + h1 z + h2 z^2 + h3 z^3 + h4 z^4
// (weighted minimax for the relative error of tanh).
constexpr uint32_t kTanhPolyLimit = 0x3F100000u;  // 0.5625
constexpr uint32_t kTanhOneLimit = 0x41200000u;   // 10.0: tanh rounds to +-1 beyond
constexpr std::array<uint32_t, 5> kTanhH = {
    0xBEAAAAABu,  // h0 = -0.3333333432674408
    0x3E08878Fu,  // h1 = 0.1333296149969101
    0xBD5CB193u,  // h2 = -0.05388028547167778
    0x3CAD48A8u,  // h3 = 0.021152809262275696
    0xBBD028E7u,  // h4 = -0.006352532189339399
};

// Reciprocal seed: entry i (top 6 mantissa bits of m in [1, 2)) = RN_fp32(128 / (129 + 2i)),
// the reciprocal of the midpoint of [1 + i/64, 1 + (i+1)/64); relative error < 2^-7.
constexpr std::array<uint32_t, 64> kRecipSeed = {
    0x3F7E03F8, 0x3F7A232D, 0x3F76603E, 0x3F72B9D6, 0x3F6F2EB7, 0x3F6BBDB3, 0x3F6865AC, 0x3F652598,
    0x3F61FC78, 0x3F5EE95C, 0x3F5BEB62, 0x3F5901B2, 0x3F562B81, 0x3F53680D, 0x3F50B6A0, 0x3F4E168A,
    0x3F4B8728, 0x3F4907DA, 0x3F46980C, 0x3F443730, 0x3F41E4BC, 0x3F3FA030, 0x3F3D6910, 0x3F3B3EE7,
    0x3F392144, 0x3F370FBB, 0x3F3509E7, 0x3F330F63, 0x3F311FD4, 0x3F2F3ADE, 0x3F2D602B, 0x3F2B8F6A,
    0x3F29C84A, 0x3F280A81, 0x3F2655C4, 0x3F24A9CF, 0x3F23065E, 0x3F216B31, 0x3F1FD80A, 0x3F1E4CAD,
    0x3F1CC8E1, 0x3F1B4C70, 0x3F19D723, 0x3F1868C8, 0x3F17012E, 0x3F15A025, 0x3F144581, 0x3F12F114,
    0x3F11A2B4, 0x3F105A38, 0x3F0F177A, 0x3F0DDA52, 0x3F0CA29C, 0x3F0B7034, 0x3F0A42F8, 0x3F091AC7,
    0x3F07F781, 0x3F06D905, 0x3F05BF37, 0x3F04A9FA, 0x3F039930, 0x3F028CC0, 0x3F01848E, 0x3F008081,
};

// Reciprocal-square-root seed: index = 32 * p + j for m' = m * 2^p in [1, 4) (p = exponent
// parity) and j = top 5 mantissa bits; the interval is [a, b) = 2^p * [1 + j/32, 1 + (j+1)/32)
// and the entry is RN_fp32(2 / (sqrt(a) + sqrt(b))); relative error < 2^-7.
constexpr std::array<uint32_t, 64> kRsqrtSeed = {
    0x3F7E07D9, 0x3F7A35C2, 0x3F768E84, 0x3F730F15, 0x3F6FB4B5, 0x3F6C7CE9, 0x3F69656C, 0x3F666C31,
    0x3F638F55, 0x3F60CD21, 0x3F5E2400, 0x3F5B9281, 0x3F59174B, 0x3F56B125, 0x3F545EEB, 0x3F521F8F,
    0x3F4FF217, 0x3F4DD599, 0x3F4BC93F, 0x3F49CC3E, 0x3F47DDDA, 0x3F45FD63, 0x3F442A36, 0x3F4263B8,
    0x3F40A959, 0x3F3EFA92, 0x3F3D56E3, 0x3F3BBDD4, 0x3F3A2EF4, 0x3F38A9D9, 0x3F372E1F, 0x3F35BB66,
    0x3F33A076, 0x3F30ECD9, 0x3F2E5788, 0x3F2BDE5D, 0x3F297F67, 0x3F2738E3, 0x3F250939, 0x3F22EEF3,
    0x3F20E8BE, 0x3F1EF561, 0x3F1D13C0, 0x3F1B42D4, 0x3F1981AB, 0x3F17CF66, 0x3F162B38, 0x3F149460,
    0x3F130A2F, 0x3F118C00, 0x3F10193A, 0x3F0EB14E, 0x3F0D53B8, 0x3F0BFFFB, 0x3F0AB5A3, 0x3F097443,
    0x3F083B76, 0x3F070ADB, 0x3F05E217, 0x3F04C0D8, 0x3F03A6CC, 0x3F0293A8, 0x3F018726, 0x3F008103,
};

// Clamps (exact comparisons) beyond which the result is a known constant.
constexpr uint32_t kExpOverflow = 0x42B20000u;   // 89.0: exp(x) = +inf for x >= 89
constexpr uint32_t kExpUnderflow = 0xC2D00000u;  // -104.0: exp(x) = +0 for x <= -104
constexpr uint32_t kSigmoidOne = 0x42000000u;    // 32.0: sigmoid(x) = 1, silu(x) = x beyond
constexpr uint32_t kSigmoidZero = 0xC2D00000u;   // -104.0: sigmoid(x) = +0 for x <= -104
constexpr uint32_t kSiluZero = 0xC3000000u;      // -128.0: silu(x) = -0 for x <= -128
constexpr uint32_t kGeluIdentity = 0x41200000u;  // 10.0: gelu(x) = x for x >= 10
constexpr uint32_t kGeluZero = 0xC1400000u;      // -12.0: gelu(x) = -0 for x <= -12
// Small-argument shortcuts (|x| below these, compared on the magnitude bits): the result is
// the correctly rounded one or within 1 ulp of it (docs/activation.md), and no intermediate
// of the general path goes subnormal for the arguments that remain.
constexpr uint32_t kTiny25 = 0x33000000u;  // 2^-25: exp = 1, sigmoid = 1/2, silu, gelu = x/2
constexpr uint32_t kTiny12 = 0x39800000u;  // 2^-12: tanh(x) = x

// gelu_tanh: w = 2 * sqrt(2/pi) * (x + 0.044715 x^3) = x * (C1 + C3 x^2), each constant as an
// unevaluated sum hi + lo of two fp32 values.
// C1 = 2 sqrt(2/pi) = 1.59576912160573071175...
constexpr uint32_t kC1Hi = 0x3FCC422Au;  // 1.5957691669464111328125
constexpr uint32_t kC1Lo = 0xB342BC9Bu;  // -4.5340680543404232594184577465057373046875e-8
// C3 = 0.044715 * C1 = 0.07135481627260025...
constexpr uint32_t kC3Hi = 0x3D922279u;  // 0.071354813873767852783203125
constexpr uint32_t kC3Lo = 0x3124D8B5u;  // 2.3988324659995896581676788628101348876953125e-9
// gelu_tanh_dx: w' = dw/dx = C1 + 3 C3 x^2; 3 C3 = 0.21406444881780073... as one fp32 value.
constexpr uint32_t kC3x3 = 0x3E5B33B6u;  // 0.2140644490718841552734375

// ---- building blocks -------------------------------------------------------------------------

// coef[0] + coef[1] t + ... + coef[n-1] t^(n-1), Horner's scheme from the top coefficient.
float horner(const uint32_t* coef, int n, float t) {
  float acc = c(coef[n - 1]);
  for (int i = n - 2; i >= 0; --i) acc = add(mul(acc, t), c(coef[i]));
  return acc;
}

// exp(ah + al) = p * 2^k, p in about [0.70, 1.42]. Precondition |ah| <= 150, |al| <= 2^-10.
struct ExpParts {
  float p;
  int k;
};
ExpParts exp_parts(float ah, float al) {
  const float kf = round_to_int(mul(ah, c(kLog2e)));  // k = RNE(RN(ah * log2 e))
  // Exact: k * ln2_hi is exact (|k| < 512) and both terms are multiples of
  // min(ulp(ah), 2^-15) with |difference| < 0.5, so the difference fits 24 bits.
  const float rh = sub(ah, mul(kf, c(kLn2Hi)));
  const float cl = sub(al, mul(kf, c(kLn2Lo)));  // small correction, |cl| < 2^-11
  const Pair r = two_sum(rh, cl);                // rh + cl exactly as hi + lo
  const float q = horner(kExpQ.data(), 5, r.hi);
  const float s = add(r.hi, add(r.lo, mul(mul(r.hi, r.hi), q)));
  return {add(c(kOne), s), static_cast<int>(kf)};
}

// 1 / (m + ml) for m in [1, 2), |ml| <= 2^-20: table seed, one Newton step in plain fp32, one
// Newton step with the residual 1 - (m + ml) * y1 computed (almost) exactly. Result in (0.5, 1].
float recip_mant(float m, float ml) {
  const float y0 = c(kRecipSeed[(b(m) >> 17) & 63u]);
  const float y1 = add(y0, mul(y0, sub(c(kOne), mul(m, y0))));
  const Pair p = two_prod(m, y1);
  const float res = sub(sub(sub(c(kOne), p.hi), p.lo), mul(ml, y1));
  return add(y1, mul(y1, res));
}

// 1 / (dh + dl) for a positive normal dh in [1, 2^30) and |dl| <= ulp(dh).
float recip_pair(float dh, float dl) {
  const int e = static_cast<int>((b(dh) >> 23) & 0xFFu) - 127;
  const float m = float_of((b(dh) & 0x007FFFFFu) | kOne);
  const float inv = pow2(-e);
  return mul(recip_mant(m, mul(dl, inv)), inv);
}

// v * sigmoid(ah + al) = v / (1 + exp(-(ah + al))). Precondition |ah| <= 150, and v * 2^(k/2)
// normal (see scale). With a = ah + al and e = exp(-|a|) = p * 2^k (k <= 0):
//   a >= 0: v * 1 / (1 + e);   a < 0: (v * (p * 1/(1 + e))) * 2^k, one final rounding.
float v_times_sigmoid(float ah, float al, float v) {
  const bool neg = (b(ah) & kSign) != 0;
  const ExpParts ep =
      neg ? exp_parts(ah, al) : exp_parts(float_of(b(ah) ^ kSign), float_of(b(al) ^ kSign));
  const float e = scale(ep.p, ep.k);
  const Pair d = fast_two_sum(c(kOne), e);  // 1 + e exactly, e <= ~1.42
  const float y = recip_pair(d.hi, d.lo);
  if (!neg) return mul(v, y);
  return scale(mul(v, mul(ep.p, y)), ep.k);
}

// ---- the functions ---------------------------------------------------------------------------

uint32_t act_exp(uint32_t x) {
  // Bit patterns of negative values order by magnitude, so these are exact comparisons.
  if ((x & kSign) && x >= kExpUnderflow) return 0;        // x <= -104 (incl. -inf): +0
  if (!(x & kSign) && x >= kExpOverflow) return kPosInf;  // x >= 89 (incl. +inf)
  if ((x & ~kSign) < kTiny25) return kOne;                // |x| < 2^-25
  const ExpParts ep = exp_parts(c(x), 0.0f);
  return b(scale(ep.p, ep.k));
}

uint32_t act_tanh(uint32_t x) {
  const uint32_t sign = x & kSign;
  const uint32_t ax = x & ~kSign;
  if (ax >= kTanhOneLimit) return sign | kOne;
  if (ax < kTiny12) return x;
  const float a = c(ax);
  if (ax < kTanhPolyLimit) {
    const float z = mul(a, a);
    const float h = horner(kTanhH.data(), 5, z);
    return sign | b(add(a, mul(mul(a, z), h)));
  }
  // tanh(a) = 1 - 2 / (exp(2a) + 1), a in [0.5625, 10)
  const ExpParts ep = exp_parts(mul(c(kTwo), a), 0.0f);
  const float e = scale(ep.p, ep.k);
  const Pair d = fast_two_sum(e, c(kOne));  // e >= 3
  const float t = mul(c(kTwo), recip_pair(d.hi, d.lo));
  return sign | b(sub(c(kOne), t));
}

uint32_t act_sigmoid(uint32_t x) {
  if (!(x & kSign) && x >= kSigmoidOne) return kOne;  // x >= 32 (incl. +inf)
  if (x >= kSigmoidZero) return 0;                    // x <= -104 (incl. -inf)
  if ((x & ~kSign) < kTiny25) return kHalf;           // |x| < 2^-25
  return b(v_times_sigmoid(c(x), 0.0f, c(kOne)));
}

uint32_t act_silu(uint32_t x) {
  if (!(x & kSign) && x >= kSigmoidOne) return x;           // x >= 32 (incl. +inf): x
  if (x >= kSiluZero) return kSign;                         // x <= -128 (incl. -inf): -0
  if ((x & ~kSign) < kTiny25) return mul32_bits(x, kHalf);  // |x| < 2^-25: x/2
  return b(v_times_sigmoid(c(x), 0.0f, c(x)));
}

// w = x * (C1 + C3 x^2) as hi + lo, and x^2 rounded (gelu_tanh, gelu_tanh_dx).
struct GeluW {
  float hi, lo, sq;
};
GeluW gelu_w(float xf) {
  const Pair sq = two_prod(xf, xf);
  const Pair t = two_prod(c(kC3Hi), sq.hi);
  const float tl = add(t.lo, add(mul(c(kC3Hi), sq.lo), mul(c(kC3Lo), sq.hi)));
  const Pair u0 = two_sum(c(kC1Hi), t.hi);
  const Pair u = fast_two_sum(u0.hi, add(u0.lo, add(c(kC1Lo), tl)));
  const Pair w = two_prod(xf, u.hi);
  return {w.hi, add(w.lo, mul(xf, u.lo)), sq.hi};
}

uint32_t act_gelu_tanh(uint32_t x) {
  if (!(x & kSign) && x >= kGeluIdentity) return x;         // x >= 10 (incl. +inf): x
  if (x >= kGeluZero) return kSign;                         // x <= -12 (incl. -inf): -0
  if ((x & ~kSign) < kTiny25) return mul32_bits(x, kHalf);  // |x| < 2^-25: x/2
  // 0.5 x (1 + tanh(w/2)) = x * sigmoid(w).
  const GeluW w = gelu_w(c(x));
  return b(v_times_sigmoid(w.hi, w.lo, c(x)));
}

// d/dx gelu_tanh = s + x w' s (1 - s), s = sigmoid(w), w as in gelu_tanh, w' = C1 + 3 C3 x^2.
// With e = exp(-|w|) = p * 2^k and r = 1 / (1 + e): for w >= 0, s = r and 1 - s = e r, so the
// result is r (1 + x w' e r) (every term >= 0); for w < 0, s = e r and 1 - s = r, so it is
// (1 + x w' r) * (p r) * 2^k with one final rounding (the factor 1 + x w' r cancels at the
// derivative's zero, x = -0.75246...).
uint32_t act_gelu_tanh_dx(uint32_t x) {
  if (!(x & kSign) && x >= kGeluIdentity) return kOne;  // x >= 10 (incl. +inf): 1
  if (x >= kGeluZero) return kSign;                     // x <= -12 (incl. -inf): -0
  if ((x & ~kSign) < kTiny25) return kHalf;             // |x| < 2^-25: 1/2 (within 0.8 ulp)
  const float xf = c(x);
  const GeluW w = gelu_w(xf);
  const float xwp = mul(xf, add(c(kC1Hi), mul(c(kC3x3), w.sq)));  // x w'
  const bool neg = (b(w.hi) & kSign) != 0;
  const ExpParts ep =
      neg ? exp_parts(w.hi, w.lo) : exp_parts(float_of(b(w.hi) ^ kSign), float_of(b(w.lo) ^ kSign));
  const float e = scale(ep.p, ep.k);
  const Pair d = fast_two_sum(c(kOne), e);  // 1 + e exactly, e <= 1
  const float r = recip_pair(d.hi, d.lo);
  if (!neg) return b(mul(r, add(c(kOne), mul(xwp, mul(e, r)))));
  return b(scale(mul(add(c(kOne), mul(xwp, r)), mul(ep.p, r)), ep.k));
}

// Reduce a finite non-zero |x| to m * 2^e, m in [1, 2) (subnormals normalised by 2^64).
struct Reduced {
  uint32_t m_bits;  // bits of m (exponent field 127)
  int e;
};
Reduced reduce(uint32_t ax) {
  int adj = 0;
  if ((ax >> 23) == 0) {  // subnormal: scale by 2^64 (exact)
    ax = b(mul(c(ax), c(kTwoPow64)));
    adj = 64;
  }
  return {(ax & 0x007FFFFFu) | kOne, static_cast<int>(ax >> 23) - 127 - adj};
}

uint32_t act_reciprocal(uint32_t x) {
  const uint32_t sign = x & kSign;
  const uint32_t ax = x & ~kSign;
  if (ax == 0) return sign | kPosInf;
  if (ax == kPosInf) return sign;
  const Reduced r = reduce(ax);
  return sign | b(scale(recip_mant(c(r.m_bits), 0.0f), -r.e));
}

uint32_t act_rsqrt(uint32_t x) {
  if (x == 0) return kPosInf;
  if (x == kSign) return kSign | kPosInf;  // rsqrt(-0) = -inf (IEEE 754-2019 rSqrt)
  if (x & kSign) return kF32CanonicalNan;  // negative, incl. -inf
  if (x == kPosInf) return 0;
  const Reduced r = reduce(x);
  const uint32_t odd = static_cast<uint32_t>(r.e) & 1u;  // m' = m * 2^odd in [1, 4)
  const float m = c(r.m_bits + (odd << 23));
  const float y0 = c(kRsqrtSeed[(odd << 5) | ((r.m_bits >> 18) & 31u)]);
  // Newton: y' = y + (y/2) * (1 - m y^2); first step in plain fp32, second with the residual
  // computed exactly (two exact products).
  const float y1 = add(y0, mul(mul(c(kHalf), y0), sub(c(kOne), mul(mul(m, y0), y0))));
  const Pair s = two_prod(y1, y1);
  const Pair p = two_prod(m, s.hi);
  const float res = sub(sub(sub(c(kOne), p.hi), p.lo), mul(m, s.lo));
  const float y2 = add(y1, mul(mul(c(kHalf), y1), res));
  return b(scale(y2, -((r.e - static_cast<int>(odd)) / 2)));  // exact: r.e - odd is even
}

constexpr std::array<std::string_view, 11> kNames = {"identity", "relu",      "exp",  "tanh",
                                                     "sigmoid",  "gelu_tanh", "silu", "reciprocal",
                                                     "rsqrt",    "square",    "gelu_tanh_dx"};

}  // namespace

std::string_view name(ActFunc f) { return kNames[static_cast<size_t>(f)]; }

std::optional<ActFunc> parse_act_func(std::string_view n) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == n) return static_cast<ActFunc>(i);
  return std::nullopt;
}

uint32_t activate(ActFunc f, uint32_t x) {
  if (is_nan32(x)) return kF32CanonicalNan;
  switch (f) {
    case ActFunc::kIdentity:
      return x;
    case ActFunc::kRelu:
      return (x & kSign) ? 0u : x;  // negatives and -0 give +0
    case ActFunc::kExp:
      return act_exp(x);
    case ActFunc::kTanh:
      return act_tanh(x);
    case ActFunc::kSigmoid:
      return act_sigmoid(x);
    case ActFunc::kGeluTanh:
      return act_gelu_tanh(x);
    case ActFunc::kSilu:
      return act_silu(x);
    case ActFunc::kReciprocal:
      return act_reciprocal(x);
    case ActFunc::kRsqrt:
      return act_rsqrt(x);
    case ActFunc::kSquare:
      return mul32_bits(x, x);
    case ActFunc::kGeluTanhDx:
      return act_gelu_tanh_dx(x);
  }
  return kF32CanonicalNan;
}

}  // namespace tessera::fp
