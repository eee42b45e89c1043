#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "common/errors.hpp"
#include "numerics/fp_ops.hpp"
#include "numerics/fp_vectors.hpp"
#include "rtl/fp_unit.hpp"

namespace tessera::cli {
namespace {

constexpr size_t kMismatchesShown = 10;

struct FpOptions {
  std::string op;
  std::string vectors;
  std::string mode = "ref";
};

std::string hex(fp::Format f, uint32_t code) {
  return fmt::format("{:0{}x}", code, fp::info(f).bits / 4);
}

int run_fp(const FpOptions& o) {
  const fp::FpOp* op = fp::find_fp_op(o.op);  // IsMember already vetted the name
  const std::vector<fp::FpVector> vectors = fp::read_fp_vectors(o.vectors, *op);

  // --mode rtl: the verilated units of rtl/fpu that perform the operation in the core.
  std::unique_ptr<rtl::FpUnit> unit;
  if (o.mode == "rtl") unit = std::make_unique<rtl::FpUnit>();
  size_t failed = 0;
  for (const fp::FpVector& v : vectors) {
    const uint32_t actual = unit ? unit->eval(op->name, v.operands[0], v.operands[1]) : op->eval(v.operands.data());
    if (actual == v.expected) continue;
    if (++failed <= kMismatchesShown) {
      std::string args;
      for (size_t i = 0; i < op->operands.size(); ++i)
        args += (i ? ", " : "") + hex(op->operands[i], v.operands[i]);
      fmt::print("mismatch {}:{}: {}({}) = {}, expected {}\n", o.vectors, v.line, op->name, args,
                 hex(op->result, actual), hex(op->result, v.expected));
    }
  }
  fmt::print("{} passed, {} failed\n", vectors.size() - failed, failed);
  return failed ? kExitCheckFailed : kExitOk;
}

}  // namespace

Runner add_fp_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("fp", "Check a number-format operation against a vector file");
  auto o = std::make_shared<FpOptions>();
  std::vector<std::string> names;
  for (const fp::FpOp& op : fp::fp_ops()) names.emplace_back(op.name);
  sub->add_option("OP", o->op, "Operation")->required()->check(CLI::IsMember(names));
  sub->add_option("--vectors", o->vectors, "Vector file: hex operands then the expected hex result per line")
      ->required();
  sub->add_option("--mode", o->mode, "Which implementation computes the results")
      ->check(CLI::IsMember({"ref", "rtl"}));
  return [o] { return run_fp(*o); };
}

}  // namespace tessera::cli
