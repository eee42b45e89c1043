// Running a program on a core model: placing its DRAM tensors, running, reading outputs.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "config/core_config.hpp"
#include "host_tensor.hpp"
#include "isa/program.hpp"
#include "ref/core_model.hpp"

namespace tessera::kernels {

// An input tensor file, read: NAME -> {path, contents}.
struct InputFile {
  std::string path;
  io::NpyArray array;
};
using InputFiles = std::map<std::string, InputFile>;

// The program's input tensors (in, inout): from `files` where given, otherwise random from
// `seed`. InputError for names that are not inputs, wrong dtypes and wrong shapes.
std::map<std::string, HostTensor> resolve_inputs(const isa::Program& program, const InputFiles& files, uint64_t seed);

struct RunResult {
  ref::RunStats stats;
  std::map<std::string, HostTensor> outputs;  // out and inout tensors after the run
};

// --mode ref: the reference model. `seed` also seeds stochastic rounding.
RunResult run_ref(const CoreConfig& config, const isa::Program& program,
                  const std::map<std::string, HostTensor>& inputs, uint64_t seed);

}  // namespace tessera::kernels
