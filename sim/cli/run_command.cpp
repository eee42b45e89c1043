// tessera run KERNEL: build a kernel, run it on the chosen model, check and report.
#include <fmt/format.h>

#include <memory>

#include "commands.hpp"
#include "common/errors.hpp"
#include "config/core_config.hpp"
#include "kernels/gemm.hpp"
#include "kernels/runner.hpp"
#include "report.hpp"
#include "run_common.hpp"

namespace tessera::cli {
namespace {

struct RunOptions {
  CommonRunOptions common;
  std::string kernel;
  std::string dtype = "bf16";
  int64_t m = 0, n = 0, k = 0;
  CLI::Option *m_opt = nullptr, *n_opt = nullptr, *k_opt = nullptr;
};

// A size from its flag, else from an input file's dimension, else `fallback`; flag and file
// must agree.
uint64_t resolve_size(const char* flag, const CLI::Option* opt, int64_t value, const InputFiles& files,
                      const std::string& tensor, size_t dim, uint64_t fallback) {
  const auto it = files.find(tensor);
  if (opt->count() && value < 1) throw InputError(fmt::format("{} must be at least 1, not {}", flag, value));
  if (it == files.end()) return opt->count() ? static_cast<uint64_t>(value) : fallback;
  const std::vector<uint64_t>& shape = it->second.array.shape;
  if (shape.size() != 2)
    throw InputError(fmt::format("{}: '{}' must be 2-D, has shape {}", it->second.path, tensor, kernels::shape_text(shape)));
  if (shape[dim] == 0) throw InputError(fmt::format("{}: '{}' has a zero dimension", it->second.path, tensor));
  if (opt->count() && shape[dim] != static_cast<uint64_t>(value))
    throw InputError(fmt::format("{}: '{}' has shape {} but {} is {}", it->second.path, tensor,
                                 kernels::shape_text(shape), flag, value));
  return shape[dim];
}

int run_gemm(const RunOptions& o) {
  const CoreConfig& config = preset(o.common.config);
  check_mode(o.common);
  const auto dtype = fp::parse_format(o.dtype);
  if (!dtype) throw InputError(fmt::format("unknown dtype '{}' (fp32, bf16, fp16, e4m3, e5m2)", o.dtype));
  const InputFiles files = load_input_files(o.common.ins);

  constexpr uint64_t kDefaultSize = 64;
  kernels::GemmShape shape;
  shape.m = resolve_size("--m", o.m_opt, o.m, files, "a", 0, kDefaultSize);
  // K from --k, else from whichever of a and b is given (they must agree), else the default.
  const uint64_t k_a = resolve_size("--k", o.k_opt, o.k, files, "a", 1, 0);
  const uint64_t k_b = resolve_size("--k", o.k_opt, o.k, files, "b", 0, 0);
  if (k_a && k_b && k_a != k_b)
    throw InputError(fmt::format("a is [{}, {}] but b is [{}, ..]: the contraction sizes differ", shape.m, k_a, k_b));
  shape.k = k_a ? k_a : k_b ? k_b : kDefaultSize;
  shape.n = resolve_size("--n", o.n_opt, o.n, files, "b", 1, kDefaultSize);

  const isa::Program program = kernels::build_gemm(config, shape, *dtype);
  const auto inputs = kernels::resolve_inputs(program, files, o.common.seed);
  const kernels::RunResult result = kernels::run_ref(config, program, inputs, o.common.seed);
  const Check check = kernels::check_gemm(inputs.at("a"), inputs.at("b"), result.outputs.at("c"));
  const nlohmann::json report = make_report("gemm", config, o.common.mode, result.stats, result.outputs, check);
  write_outputs(o.common, inputs, result.outputs, report);
  print_report(report);
  return check.pass ? kExitOk : kExitCheckFailed;
}

}  // namespace

Runner add_run_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("run", "Run a kernel on the simulated core");
  auto o = std::make_shared<RunOptions>();
  sub->add_option("KERNEL", o->kernel, "Kernel (tessera list kernels)")->required()->check(CLI::IsMember({"gemm"}));
  add_common_run_options(*sub, o->common);
  sub->add_option("--dtype", o->dtype, "Input dtype: bf16, fp16, e4m3, e5m2 (or fp32)")
      ->check(CLI::IsMember({"fp32", "bf16", "fp16", "e4m3", "e5m2"}));
  o->m_opt = sub->add_option("--m", o->m, "gemm: rows of A and C");
  o->n_opt = sub->add_option("--n", o->n, "gemm: columns of B and C");
  o->k_opt = sub->add_option("--k", o->k, "gemm: contraction size");
  return [o] { return run_gemm(*o); };
}

}  // namespace tessera::cli
