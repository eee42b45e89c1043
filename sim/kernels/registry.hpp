// The kernel registry: every kernel `tessera run` can build, with its flags, dtypes, input
// preparation and double-precision check (SPEC sections 8 and 9, docs/kernels.md).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "config/core_config.hpp"
#include "host_tensor.hpp"
#include "isa/program.hpp"
#include "runner.hpp"

namespace tessera::kernels {

struct KernelFlag {
  std::string name;      // without the leading "--", e.g. "m", "lr", "weight-decay"
  std::string help;
  double default_value;
  bool integer;          // integer flags must be >= 1 (validated by the CLI)
};

using FlagValues = std::map<std::string, double>;  // every flag of the kernel, defaults filled in
using Tensors = std::map<std::string, HostTensor>;

struct KernelSpec {
  std::string name, summary;              // summary: one line for `tessera list kernels`
  std::vector<KernelFlag> flags;          // shape flags and hyperparameters
  std::vector<std::string> dtypes;        // allowed --dtype values, first = default
  // InputError (one line naming the flag) for combinations that cannot work.
  std::function<isa::Program(const CoreConfig&, const FlagValues&, fp::Format dtype)> build;
  // Optional: adjusts the random inputs before the run (e.g. v >= 0, one-hot labels, layernorm
  // statistics computed from x). It may rewrite any input: call it through prepare_inputs(),
  // which puts back every input the user gave with --in (files always win).
  std::function<void(Tensors& inputs, const FlagValues&, uint64_t seed)> prepare;
  // outputs against a double-precision reference of the inputs, within the bound of docs/kernels.md.
  std::function<Check(const Tensors& inputs, const Tensors& outputs, const FlagValues&)> check;
  // Optional: the model's FLOPs (2 per multiply-accumulate of the computation the kernel
  // stands for), when the program also runs matmuls that are not model work (transposes
  // through the tensor engine, bias sums by a ones column). MFU counts these; without it, the
  // tensor engine's executed multiply-accumulates.
  std::function<uint64_t(const FlagValues&)> model_flops;
};

// spec.model_flops(flags) when the kernel defines it (MFU then counts these instead of the
// tensor engine's executed FLOPs).
std::optional<uint64_t> model_flops_of(const KernelSpec& spec, const FlagValues& flags);

const std::vector<KernelSpec>& kernel_registry();
const KernelSpec* find_kernel(std::string_view name);

// Runs spec.prepare (if any) on `inputs` (from resolve_inputs), then restores the inputs that
// came from `files` unchanged.
void prepare_inputs(const KernelSpec& spec, Tensors& inputs, const FlagValues& flags, uint64_t seed,
                    const InputFiles& files = {});

// The flags of `spec` at their defaults, overridden by `given` (unknown names: std::logic_error).
FlagValues flag_values(const KernelSpec& spec, const FlagValues& given = {});

}  // namespace tessera::kernels
