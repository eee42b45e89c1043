// tessera run KERNEL: build a kernel, run it on the chosen model, check and report.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <memory>

#include "commands.hpp"
#include "common/errors.hpp"
#include "config/core_config.hpp"
#include "kernels/registry.hpp"
#include "common/parse.hpp"
#include "kernels/runner.hpp"
#include "report.hpp"
#include "run_common.hpp"

namespace tessera::cli {
namespace {

struct RunOptions {
  CommonRunOptions common;
  std::string kernel;
  std::string dtype;
  // Every kernel's flags, as given (CLI11 needs them declared before the kernel is known).
  std::map<std::string, std::string> flag_text;
  std::map<std::string, CLI::Option*> flag_opts;
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

// The kernel's flag values: defaults, overridden by the flags given; integer flags >= 1.
kernels::FlagValues parse_flags(const RunOptions& o, const kernels::KernelSpec& spec) {
  kernels::FlagValues given;
  for (const auto& [name, text] : o.flag_text) {
    if (!o.flag_opts.at(name)->count()) continue;
    const kernels::KernelFlag* f = nullptr;
    for (const kernels::KernelFlag& k : spec.flags) f = k.name == name ? &k : f;
    if (!f) throw InputError(fmt::format("--{} does not apply to kernel {}", name, spec.name));
    if (f->integer) {
      const int64_t v = parse_int(text, "--" + name);
      if (v < 1) throw InputError(fmt::format("--{} must be at least 1, not {}", name, v));
      given[name] = static_cast<double>(v);
    } else {
      size_t used = 0;
      double v = 0;
      try {
        v = std::stod(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != text.size() || text.empty()) throw InputError(fmt::format("--{} '{}' is not a number", name, text));
      given[name] = v;
    }
  }
  return kernels::flag_values(spec, given);
}

int run_kernel(const RunOptions& o) {
  const kernels::KernelSpec* spec = kernels::find_kernel(o.kernel);
  if (!spec) throw InputError(fmt::format("unknown kernel '{}' (tessera list kernels)", o.kernel));
  const CoreConfig& config = preset(o.common.config);
  check_mode(o.common);
  const std::string dtype_name = o.dtype.empty() ? spec->dtypes.front() : o.dtype;
  if (std::find(spec->dtypes.begin(), spec->dtypes.end(), dtype_name) == spec->dtypes.end())
    throw InputError(fmt::format("kernel {} does not take --dtype {} ({})", spec->name, dtype_name,
                                 fmt::join(spec->dtypes, ", ")));
  const auto dtype = fp::parse_format(dtype_name);
  if (!dtype) throw InputError(fmt::format("unknown dtype '{}' (fp32, bf16, fp16, e4m3, e5m2)", dtype_name));
  const InputFiles files = load_input_files(o.common.ins);
  kernels::FlagValues flags = parse_flags(o, *spec);

  if (spec->name == "gemm") {
    // gemm's sizes may also come from the input files: M and K from a, K and N from b.
    auto size = [&](const char* name, const std::string& tensor, size_t dim, uint64_t fallback) {
      const CLI::Option* opt = o.flag_opts.at(name);
      const int64_t v = opt->count() ? static_cast<int64_t>(flags.at(name)) : 0;
      return resolve_size(fmt::format("--{}", name).c_str(), opt, v, files, tensor, dim, fallback);
    };
    const auto def = [&](const char* name) { return static_cast<uint64_t>(flags.at(name)); };
    const uint64_t m = size("m", "a", 0, def("m"));
    const uint64_t k_a = size("k", "a", 1, 0), k_b = size("k", "b", 0, 0);
    if (k_a && k_b && k_a != k_b)
      throw InputError(fmt::format("a is [{}, {}] but b is [{}, ..]: the contraction sizes differ", m, k_a, k_b));
    flags["m"] = static_cast<double>(m);
    flags["k"] = static_cast<double>(k_a ? k_a : k_b ? k_b : def("k"));
    flags["n"] = static_cast<double>(size("n", "b", 1, def("n")));
  }

  const isa::Program program = spec->build(config, flags, *dtype);
  auto inputs = kernels::resolve_inputs(program, files, o.common.seed);
  kernels::prepare_inputs(*spec, inputs, flags, o.common.seed, files);
  const ModeRun run = run_mode(o.common, config, program, inputs);
  const Check check = spec->check(inputs, run.result.outputs, flags);
  const nlohmann::json report =
      make_report(spec->name, config, o.common.mode, run.result, check, run.divergence,
                  kernels::model_flops_of(*spec, flags));
  const nlohmann::json timeline = timeline_of(o.common, config, program, run.result, spec->name);
  write_outputs(o.common, inputs, run.result.outputs, report, &timeline);
  print_report(report);
  const bool same = !run.divergence || run.divergence->empty();
  return check.pass && same ? kExitOk : kExitCheckFailed;
}

}  // namespace

Runner add_run_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("run", "Run a kernel on the simulated core");
  auto o = std::make_shared<RunOptions>();
  sub->add_option("KERNEL", o->kernel, "Kernel (tessera list kernels)")->required();
  add_common_run_options(*sub, o->common);
  sub->add_option("--dtype", o->dtype, "Input dtype (the kernel's first when omitted; tessera list kernels)")
      ->check(CLI::IsMember({"fp32", "bf16", "fp16", "e4m3", "e5m2"}));
  // Kernel flags: the union over the registry; each kernel takes only its own.
  std::map<std::string, std::string> help;
  for (const kernels::KernelSpec& k : kernels::kernel_registry())
    for (const kernels::KernelFlag& f : k.flags)
      help[f.name] += fmt::format("{}{}: {} (default {})", help[f.name].empty() ? "" : "; ", k.name, f.help, f.default_value);
  for (const auto& [name, text] : help) {
    o->flag_text[name];
    o->flag_opts[name] = sub->add_option("--" + name, o->flag_text[name], text);
  }
  return [o] { return run_kernel(*o); };
}

}  // namespace tessera::cli
