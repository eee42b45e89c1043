#include "core_rtl.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "common/errors.hpp"
#include "ref/core_model.hpp"

namespace tessera::rtl {

// One verilated core per preset built (sim/CMakeLists.txt, TESSERA_CORE_PRESETS).
#define TESSERA_CORE(preset)                                                                             \
  CoreRunResult run_core_##preset(const CoreConfig&, const isa::Program&, ref::Dram&, uint64_t, \
                                  const CoreRunOptions&);
#include "core_presets.inc"
#undef TESSERA_CORE

namespace {

using RunFn = CoreRunResult (*)(const CoreConfig&, const isa::Program&, ref::Dram&, uint64_t, const CoreRunOptions&);

RunFn find(const std::string& config) {
#define TESSERA_CORE(preset) \
  if (config == #preset) return &run_core_##preset;
#include "core_presets.inc"
#undef TESSERA_CORE
  return nullptr;
}

std::string built() {
  std::string s;
#define TESSERA_CORE(preset) s += (s.empty() ? "" : ", ") + std::string(#preset);
#include "core_presets.inc"
#undef TESSERA_CORE
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool core_available(const std::string& config) { return find(config) != nullptr; }

CoreRunResult run_core(const CoreConfig& config, const isa::Program& program, ref::Dram& dram, uint64_t seed,
                       const CoreRunOptions& options) {
  const RunFn fn = find(config.name);
  if (!fn)
    throw InputError(fmt::format("no verilated core is built for config {} (built: {}); see docs/core.md", config.name,
                                 built()));
  if (options.trace_path.empty()) return fn(config, program, dram, seed, options);
  const bool vcd = ends_with(options.trace_path, ".vcd");
  if (!vcd && !ends_with(options.trace_path, ".fst"))
    throw InputError(fmt::format("--trace {}: the waveform file must end in .fst or .vcd", options.trace_path));
  // The waveform is written under a temporary name and renamed when the run succeeded. The
  // core is verilated with FST tracing; a VCD is the FST converted by fst2vcd (GTKWave).
  CoreRunOptions staged = options;
  staged.trace_path = options.trace_path + ".partial.fst";
  CoreRunResult r;
  try {
    r = fn(config, program, dram, seed, staged);
  } catch (const SimError& e) {
    // The waveform up to a deadlock, an assertion or a hang is what debugging needs: it stays,
    // under its staged name, and the diagnostics say where (docs/debugging.md).
    throw SimError(fmt::format("{}\n  waveform up to the failure: {}", e.what(), staged.trace_path));
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(staged.trace_path, ec);
    throw;
  }
  if (!vcd) {
    std::filesystem::rename(staged.trace_path, options.trace_path);
    return r;
  }
  const std::string cmd = fmt::format("fst2vcd -f '{}' -o '{}' >/dev/null 2>&1", staged.trace_path, options.trace_path);
  const int rc = std::system(cmd.c_str());
  std::filesystem::remove(staged.trace_path);
  if (rc != 0)
    throw InputError(fmt::format("--trace {}: converting FST to VCD needs fst2vcd (apt install gtkwave)", options.trace_path));
  return r;
}

kernels::RunResult run_rtl(const CoreConfig& config, const isa::Program& program,
                           const std::map<std::string, kernels::HostTensor>& inputs, uint64_t seed,
                           const CoreRunOptions& options) {
  // The core trusts its program (as hardware would): out-of-range patterns are InputError here.
  ref::validate(config, program);
  ref::Dram dram(config.dram_bytes);
  kernels::place_inputs(config, program, inputs, dram);
  return to_run_result(program, run_core(config, program, dram, seed, options), dram);
}

kernels::RunResult to_run_result(const isa::Program& program, const CoreRunResult& r, ref::Dram& dram) {
  kernels::RunResult result;
  result.outputs = kernels::read_outputs(program, dram);
  kernels::Timing timing;
  timing.cycles = r.cycles;
  timing.instructions = r.instructions;
  timing.traffic = r.traffic;
  for (const auto& [name, c] : r.engines) {
    // Only the queues the program uses, as in the reference model's counts.
    bool used = false;
    for (const isa::Queue& q : program.queues) used = used || q.engine == name;
    if (!used) continue;
    timing.engines[name] = {c.instructions, c.busy_cycles, c.sem_stall_cycles, c.mem_stall_cycles};
    result.stats.instructions[name] = c.instructions;
  }
  result.stats.dram_bytes = r.dram_bytes_read + r.dram_bytes_written;
  result.timing = timing;
  return result;
}

}  // namespace tessera::rtl
