// The verilated FP units (rtl/fpu/fp_scalar_unit.sv), the activation function unit
// (rtl/act/act_func.sv) and the vector engine's ALU (rtl/dve/dve_alu.sv): one scalar operation
// at a time, for `tessera fp --mode rtl` and the
// FP testbench.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "numerics/activation.hpp"
#include "numerics/fp.hpp"
#include "ref/vector_alu.hpp"

class VerilatedContext;
class Vfp_scalar_unit;
class Vact_func;
class Vdve_alu;

namespace tessera::rtl {

class FpUnit {
 public:
  FpUnit();
  ~FpUnit();
  FpUnit(const FpUnit&) = delete;
  FpUnit& operator=(const FpUnit&) = delete;

  // `op` is a tessera fp operation name (f32_add, f32_to_bf16, ..., act_gelu_tanh); returns
  // false if the unit has no such operation.
  static bool has(std::string_view op);
  // Operands and result as in fp::FpOp (codes in the low bits). Narrowing operations round
  // stochastically with `random` when `stochastic`.
  uint32_t eval(std::string_view op, uint32_t a, uint32_t b, bool stochastic = false, uint32_t random = 0);
  // act_func (rtl/act/act_func.sv): y = f(x).
  uint32_t activate(fp::ActFunc f, uint32_t x);
  // dve_alu (rtl/dve/dve_alu.sv): y = op(x, s), as ref::alu.
  uint32_t alu(ref::AluOp op, uint32_t x, uint32_t s);

 private:
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Vfp_scalar_unit> unit_;
  std::unique_ptr<Vact_func> act_;
  std::unique_ptr<Vdve_alu> alu_;
  uint32_t run(int code, uint32_t a, uint32_t b, bool stochastic, uint32_t random);
};

}  // namespace tessera::rtl
