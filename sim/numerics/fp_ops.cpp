#include "fp_ops.hpp"

namespace tessera::fp {

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
  };
  return ops;
}

const FpOp* find_fp_op(std::string_view name) {
  for (const FpOp& op : fp_ops())
    if (op.name == name) return &op;
  return nullptr;
}

}  // namespace tessera::fp
