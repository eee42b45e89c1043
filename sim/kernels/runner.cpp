#include "runner.hpp"

#include <fmt/format.h>

#include "common/errors.hpp"

namespace tessera::kernels {

std::map<std::string, HostTensor> resolve_inputs(const isa::Program& program, const InputFiles& files, uint64_t seed) {
  for (const auto& [name, file] : files) {
    const std::string& path = file.path;
    const isa::TensorDecl* t = program.tensor(name);
    if (!t || t->io == isa::TensorIo::kOut || t->io == isa::TensorIo::kScratch) {
      std::string known;
      for (const isa::TensorDecl& d : program.tensors)
        if (d.io == isa::TensorIo::kIn || d.io == isa::TensorIo::kInOut) known += (known.empty() ? "" : ", ") + d.name;
      throw InputError(fmt::format("--in {}={}: '{}' is not an input (inputs: {})", name, path, name, known));
    }
  }
  std::map<std::string, HostTensor> inputs;
  for (const isa::TensorDecl& t : program.tensors) {
    if (t.io != isa::TensorIo::kIn && t.io != isa::TensorIo::kInOut) continue;
    const auto it = files.find(t.name);
    if (it == files.end()) {
      inputs[t.name] = random_tensor(t.dtype, t.shape, seed, t.name);
      continue;
    }
    HostTensor h = from_npy(it->second.array, t.dtype, it->second.path);
    if (h.shape != t.shape)
      throw InputError(fmt::format("{}: shape {} but input '{}' is {}", it->second.path, shape_text(h.shape), t.name,
                                   shape_text(t.shape)));
    inputs[t.name] = std::move(h);
  }
  return inputs;
}

RunResult run_ref(const CoreConfig& config, const isa::Program& program,
                  const std::map<std::string, HostTensor>& inputs, uint64_t seed) {
  ref::CoreModel model(config, seed);
  for (const isa::TensorDecl& t : program.tensors) {
    if (t.addr + t.bytes() > config.dram_bytes)
      throw InputError(fmt::format("tensor '{}' at 0x{:x} ({} bytes) lies outside the {}-byte DRAM", t.name, t.addr,
                                   t.bytes(), config.dram_bytes));
    if (const auto it = inputs.find(t.name); it != inputs.end())
      model.dram().write(t.addr, it->second.bytes.data(), it->second.bytes.size());
  }
  RunResult result;
  result.stats = model.run(program);
  for (const isa::TensorDecl& t : program.tensors) {
    if (t.io != isa::TensorIo::kOut && t.io != isa::TensorIo::kInOut) continue;
    HostTensor h{t.dtype, t.shape, std::vector<uint8_t>(t.bytes())};
    model.dram().read(t.addr, h.bytes.data(), h.bytes.size());
    result.outputs[t.name] = std::move(h);
  }
  return result;
}

}  // namespace tessera::kernels
