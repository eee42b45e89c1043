#include "fp_ops.hpp"

#include "activation.hpp"

namespace tessera::fp {
namespace {

template <ActFunc F>
uint32_t act_op(const uint32_t* a) {
  return activate(F, a[0]);
}

}  // namespace

const std::vector<FpOp>& fp_ops() {
  using F = Format;
  static const std::vector<FpOp> ops = {
      {"f32_add", {F::kFp32, F::kFp32}, F::kFp32, [](const uint32_t* a) { return add32_bits(a[0], a[1]); }},
      {"f32_mul", {F::kFp32, F::kFp32}, F::kFp32, [](const uint32_t* a) { return mul32_bits(a[0], a[1]); }},
      {"f32_to_bf16", {F::kFp32}, F::kBf16, [](const uint32_t* a) { return narrow(F::kBf16, a[0]); }},
      {"f32_to_f16", {F::kFp32}, F::kFp16, [](const uint32_t* a) { return narrow(F::kFp16, a[0]); }},
      {"f32_to_e4m3", {F::kFp32}, F::kE4m3, [](const uint32_t* a) { return narrow(F::kE4m3, a[0]); }},
      {"f32_to_e5m2", {F::kFp32}, F::kE5m2, [](const uint32_t* a) { return narrow(F::kE5m2, a[0]); }},
      {"bf16_to_f32", {F::kBf16}, F::kFp32, [](const uint32_t* a) { return widen(F::kBf16, a[0]); }},
      {"f16_to_f32", {F::kFp16}, F::kFp32, [](const uint32_t* a) { return widen(F::kFp16, a[0]); }},
      {"e4m3_to_f32", {F::kE4m3}, F::kFp32, [](const uint32_t* a) { return widen(F::kE4m3, a[0]); }},
      {"e5m2_to_f32", {F::kE5m2}, F::kFp32, [](const uint32_t* a) { return widen(F::kE5m2, a[0]); }},
      // The activation engine's functions (activation.hpp), "act_" + fp::name(f).
      {"act_identity", {F::kFp32}, F::kFp32, act_op<ActFunc::kIdentity>},
      {"act_relu", {F::kFp32}, F::kFp32, act_op<ActFunc::kRelu>},
      {"act_exp", {F::kFp32}, F::kFp32, act_op<ActFunc::kExp>},
      {"act_tanh", {F::kFp32}, F::kFp32, act_op<ActFunc::kTanh>},
      {"act_sigmoid", {F::kFp32}, F::kFp32, act_op<ActFunc::kSigmoid>},
      {"act_gelu_tanh", {F::kFp32}, F::kFp32, act_op<ActFunc::kGeluTanh>},
      {"act_silu", {F::kFp32}, F::kFp32, act_op<ActFunc::kSilu>},
      {"act_reciprocal", {F::kFp32}, F::kFp32, act_op<ActFunc::kReciprocal>},
      {"act_rsqrt", {F::kFp32}, F::kFp32, act_op<ActFunc::kRsqrt>},
      {"act_square", {F::kFp32}, F::kFp32, act_op<ActFunc::kSquare>},
      {"act_gelu_tanh_dx", {F::kFp32}, F::kFp32, act_op<ActFunc::kGeluTanhDx>},
  };
  return ops;
}

const FpOp* find_fp_op(std::string_view name) {
  for (const FpOp& op : fp_ops())
    if (op.name == name) return &op;
  return nullptr;
}

}  // namespace tessera::fp
