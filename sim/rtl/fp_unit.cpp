#include "fp_unit.hpp"

#include <array>
#include <stdexcept>
#include <string>

#include "Vact_func.h"
#include "Vdve_alu.h"
#include "Vfp_scalar_unit.h"
#include "numerics/activation.hpp"
#include "verilated.h"

namespace tessera::rtl {
namespace {

// The op_i encoding of fp_scalar_unit (its fp_op_e).
constexpr std::array<std::string_view, 10> kOps = {"f32_add",     "f32_mul",     "f32_to_bf16", "f32_to_f16",
                                                   "f32_to_e4m3", "f32_to_e5m2", "bf16_to_f32", "f16_to_f32",
                                                   "e4m3_to_f32", "e5m2_to_f32"};

int op_code(std::string_view op) {
  for (size_t i = 0; i < kOps.size(); ++i)
    if (kOps[i] == op) return static_cast<int>(i);
  return -1;
}

// "act_" + an activation function's name: act_func's fn_i (fp::ActFunc order), else -1.
int act_code(std::string_view op) {
  constexpr std::string_view kPrefix = "act_";
  if (op.substr(0, kPrefix.size()) != kPrefix) return -1;
  const auto f = fp::parse_act_func(op.substr(kPrefix.size()));
  return f ? static_cast<int>(*f) : -1;
}

}  // namespace

FpUnit::FpUnit()
    : context_(std::make_unique<VerilatedContext>()),
      unit_(std::make_unique<Vfp_scalar_unit>(context_.get())),
      act_(std::make_unique<Vact_func>(context_.get())),
      alu_(std::make_unique<Vdve_alu>(context_.get())) {}

FpUnit::~FpUnit() {
  unit_->final();
  act_->final();
  alu_->final();
}

bool FpUnit::has(std::string_view op) { return op_code(op) >= 0 || act_code(op) >= 0; }

uint32_t FpUnit::eval(std::string_view op, uint32_t a, uint32_t b, bool stochastic, uint32_t random) {
  if (const int fn = act_code(op); fn >= 0) return activate(static_cast<fp::ActFunc>(fn), a);
  const int code = op_code(op);
  if (code < 0) throw std::logic_error("FP unit has no operation " + std::string(op));
  return run(code, a, b, stochastic, random);
}

uint32_t FpUnit::run(int code, uint32_t a, uint32_t b, bool stochastic, uint32_t random) {
  unit_->op_i = static_cast<uint8_t>(code);
  unit_->a_i = a;
  unit_->b_i = b;
  unit_->sr_i = stochastic;
  unit_->random_i = random;
  unit_->eval();
  return unit_->y_o;
}

uint32_t FpUnit::activate(fp::ActFunc f, uint32_t x) {
  act_->fn_i = static_cast<uint8_t>(f);
  act_->x_i = x;
  act_->eval();
  return act_->y_o;
}

uint32_t FpUnit::alu(ref::AluOp op, uint32_t x, uint32_t s) {
  alu_->op_i = static_cast<uint8_t>(op);
  alu_->x_i = x;
  alu_->s_i = s;
  alu_->eval();
  return alu_->y_o;
}

}  // namespace tessera::rtl
