// Activation-engine functions of the numerics contract (SPEC section 3, docs/activation.md).
//
// Each function is one fixed sequence of fp32 operations of the contract (add32, mul32: IEEE
// binary32, RNE, not fused, canonical NaN) and exact operations (comparisons, sign-bit
// operations, selection, exponent-field extraction and insertion, truncation of low mantissa
// bits, small constant tables, conversions of exactly representable values). No host math
// library, no division, no square root, no double: the RTL implements the same steps and
// produces the same bits. docs/activation.md gives every step, constant and table, and the
// measured accuracy against double-precision libm.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tessera::fp {

enum class ActFunc : uint8_t {
  kIdentity,
  kRelu,
  kExp,
  kTanh,
  kSigmoid,
  kGeluTanh,  // PyTorch gelu(approximate='tanh')
  kSilu,
  kReciprocal,
  kRsqrt,
  kSquare,
  kGeluTanhDx,  // d/dx of gelu_tanh (PyTorch's GeluBackward with approximate='tanh')
};

inline constexpr int kActFuncCount = 11;

// "identity", "relu", "exp", "tanh", "sigmoid", "gelu_tanh", "silu", "reciprocal", "rsqrt",
// "square", "gelu_tanh_dx".
std::string_view name(ActFunc f);
std::optional<ActFunc> parse_act_func(std::string_view name);

// fp32 bits in, fp32 bits out. Any NaN input gives 0x7FC00000.
uint32_t activate(ActFunc f, uint32_t x);

}  // namespace tessera::fp
