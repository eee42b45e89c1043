#include "runner.hpp"

#include <fmt/format.h>

#include <cstring>

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

void place_inputs(const CoreConfig& config, const isa::Program& program,
                  const std::map<std::string, HostTensor>& inputs, ref::Dram& dram) {
  for (const isa::TensorDecl& t : program.tensors) {
    if (t.addr + t.bytes() > config.dram_bytes)
      throw InputError(fmt::format("tensor '{}' at 0x{:x} ({} bytes) lies outside the {}-byte DRAM", t.name, t.addr,
                                   t.bytes(), config.dram_bytes));
    if (const auto it = inputs.find(t.name); it != inputs.end())
      dram.write(t.addr, it->second.bytes.data(), it->second.bytes.size());
  }
}

std::map<std::string, HostTensor> read_outputs(const isa::Program& program, const ref::Dram& dram) {
  std::map<std::string, HostTensor> outputs;
  for (const isa::TensorDecl& t : program.tensors) {
    if (t.io != isa::TensorIo::kOut && t.io != isa::TensorIo::kInOut) continue;
    HostTensor h{t.dtype, t.shape, std::vector<uint8_t>(t.bytes())};
    dram.read(t.addr, h.bytes.data(), h.bytes.size());
    outputs[t.name] = std::move(h);
  }
  return outputs;
}

std::string first_difference(const std::map<std::string, HostTensor>& expected,
                             const std::map<std::string, HostTensor>& actual) {
  for (const auto& [name, e] : expected) {
    const auto it = actual.find(name);
    if (it == actual.end()) return fmt::format("output '{}' is missing", name);
    const HostTensor& a = it->second;
    const size_t es = fp::info(e.dtype).bits / 8;
    for (size_t i = 0; i < e.bytes.size(); i += es) {
      if (std::memcmp(&e.bytes[i], &a.bytes[i], es) == 0) continue;
      uint64_t ev = 0, av = 0;
      std::memcpy(&ev, &e.bytes[i], es);
      std::memcpy(&av, &a.bytes[i], es);
      std::string index;  // row-major coordinates of element i / es
      uint64_t flat = i / es;
      for (size_t d = e.shape.size(); d-- > 0;) {
        index = fmt::format("{}{}", flat % e.shape[d], index.empty() ? "" : ", " + index);
        flat /= e.shape[d];
      }
      return fmt::format("{}[{}]: expected 0x{:0{}x}, got 0x{:0{}x}", name, index, ev, 2 * es, av, 2 * es);
    }
  }
  return {};
}

RunResult run_ref(const CoreConfig& config, const isa::Program& program,
                  const std::map<std::string, HostTensor>& inputs, uint64_t seed) {
  ref::CoreModel model(config, seed);
  place_inputs(config, program, inputs, model.dram());
  RunResult result;
  result.stats = model.run(program);
  result.outputs = read_outputs(program, model.dram());
  return result;
}

}  // namespace tessera::kernels
