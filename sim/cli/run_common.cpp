#include "run_common.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <optional>
#include <tuple>

#include "common/errors.hpp"
#include "common/files.hpp"
#include "common/parse.hpp"
#include "io/output_dir.hpp"
#include "io/timeline.hpp"
#include "rtl/core_rtl.hpp"
#include "tlm/tlm_run.hpp"

namespace tessera::cli {

void add_common_run_options(CLI::App& sub, CommonRunOptions& o) {
  sub.add_option("--config", o.config, "Configuration preset (tessera list configs)");
  sub.add_option("--mode", o.mode, "Simulation level")->check(CLI::IsMember({"ref", "tlm", "rtl", "cosim"}));
  sub.add_option("--rtl", o.rtl, "cosim: blocks run as RTL (pe,psum,sbuf,dma,act,dve,seq or all)");
  const CLI::Validator non_negative(
      [](std::string& v) { return !v.empty() && v[0] == '-' ? std::string("must not be negative") : std::string(); },
      "UINT64");
  sub.add_option("--seed", o.seed, "Seed of random inputs and of stochastic rounding")->check(non_negative);
  sub.add_option("--in", o.ins, "Input tensor NAME=FILE.npy (repeatable)");
  sub.add_option("--out-dir", o.out_dir, "Directory for the inputs as used and the outputs (.npy)");
  sub.add_option("--report", o.report, "Write the JSON report here");
  sub.add_option("--trace", o.trace, "Waveform file (.fst or .vcd; rtl and cosim modes)");
  sub.add_option("--trace-window", o.trace_window, "Cycles A:B to trace");
  sub.add_option("--trace-depth", o.trace_depth, "Hierarchy levels in the waveform (0: all)")->check(CLI::NonNegativeNumber);
  sub.add_flag("--dram-backpressure", o.dram_backpressure,
               "rtl: the DRAM model drops ready/valid at random (seeded by --seed); results must not change");
  sub.add_option("--timeline", o.timeline, "Perfetto trace-event JSON (tlm, rtl and cosim modes)");
}

namespace {

// --trace-window A:B (cycles, A <= B).
std::pair<uint64_t, uint64_t> parse_window(const std::string& w) {
  const size_t colon = w.find(':');
  const auto bad = [&] { return InputError(fmt::format("--trace-window '{}' is not A:B in cycles with A <= B", w)); };
  if (colon == std::string::npos) throw bad();
  uint64_t a = 0, b = 0;
  try {
    a = parse_uint(w.substr(0, colon), "--trace-window start");
    b = parse_uint(w.substr(colon + 1), "--trace-window end");
  } catch (const InputError&) {
    throw bad();
  }
  if (a > b) throw bad();
  return {a, b};
}

}  // namespace

void check_mode(const CommonRunOptions& o) {
  if (o.mode != "ref" && o.mode != "rtl" && o.mode != "tlm")
    throw InputError(fmt::format("--mode {} is not available in this build yet; use --mode ref, tlm or rtl", o.mode));
  if (!o.rtl.empty()) throw InputError("--rtl applies to --mode cosim only");
  if (o.mode != "rtl" && (!o.trace.empty() || !o.trace_window.empty()))
    throw InputError(fmt::format("--trace needs --mode rtl or cosim ({} mode has no waveforms)", o.mode));
  const auto ends = [&](const char* ext) { return o.trace.size() >= 4 && o.trace.compare(o.trace.size() - 4, 4, ext) == 0; };
  if (!o.trace.empty() && !ends(".fst") && !ends(".vcd"))
    throw InputError(fmt::format("--trace {}: the waveform file must end in .fst or .vcd", o.trace));
  if (o.mode != "rtl" && o.dram_backpressure) throw InputError("--dram-backpressure needs --mode rtl");
  if (o.trace.empty() && (!o.trace_window.empty() || o.trace_depth))
    throw InputError("--trace-window and --trace-depth need --trace FILE");
  if (!o.trace_window.empty()) parse_window(o.trace_window);
  if (!o.trace.empty()) {
    const std::filesystem::path dir = std::filesystem::path(o.trace).parent_path();
    if (!dir.empty() && !std::filesystem::is_directory(dir))
      throw InputError(fmt::format("--trace {}: directory {} does not exist", o.trace, dir.string()));
  }
  if (!o.timeline.empty() && o.mode == "ref")
    throw InputError("--timeline needs --mode tlm, rtl or cosim (ref mode has no cycles)");
  if (o.mode == "rtl" && !rtl::core_available(o.config))
    throw InputError(fmt::format("--mode rtl: no verilated core is built for config {} (see docs/core.md)", o.config));
}

namespace {

kernels::RunResult run_rtl_mode(const CommonRunOptions& o, const CoreConfig& config, const isa::Program& program,
                                const std::map<std::string, kernels::HostTensor>& inputs) {
  rtl::CoreRunOptions ro;
  ro.trace_path = o.trace;
  ro.trace_depth = o.trace_depth;
  ro.dram_backpressure = o.dram_backpressure;
  if (!o.trace_window.empty()) std::tie(ro.trace_from, ro.trace_to) = parse_window(o.trace_window);
  return rtl::run_rtl(config, program, inputs, o.seed, ro);
}

}  // namespace

ModeRun run_mode(const CommonRunOptions& o, const CoreConfig& config, const isa::Program& program,
                 const std::map<std::string, kernels::HostTensor>& inputs) {
  ModeRun run;
  if (o.mode == "ref") {
    run.result = kernels::run_ref(config, program, inputs, o.seed);
    return run;
  }
  // The timed model runs first (it validates the program like the reference), so that its own
  // diagnostics (a deadlock detected by the RTL, an assertion) are what the user sees.
  if (o.mode == "tlm") {
    run.result = tlm::run_tlm(config, program, inputs, o.seed);
  } else {
    run.result = run_rtl_mode(o, config, program, inputs);
  }
  const kernels::RunResult ref = kernels::run_ref(config, program, inputs, o.seed);
  run.result.stats.flops = ref.stats.flops;
  run.result.stats.dram_bytes = ref.stats.dram_bytes;
  run.divergence = kernels::first_difference(ref.outputs, run.result.outputs);
  return run;
}


nlohmann::json timeline_of(const CommonRunOptions& o, const CoreConfig& config, const isa::Program& program,
                           const kernels::RunResult& run, const std::string& kernel) {
  if (!run.timing) return nullptr;
  return io::timeline_json(config, program, *run.timing, kernel, o.mode);
}

InputFiles load_input_files(const std::vector<std::string>& ins) {
  InputFiles files;
  for (const std::string& in : ins) {
    const size_t eq = in.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == in.size())
      throw InputError(fmt::format("--in '{}' is not NAME=FILE.npy", in));
    const std::string name = in.substr(0, eq), path = in.substr(eq + 1);
    if (files.count(name)) throw InputError(fmt::format("--in {} given twice", name));
    files[name] = kernels::InputFile{path, io::read_npy(path)};
  }
  return files;
}

void write_outputs(const CommonRunOptions& o, const std::map<std::string, kernels::HostTensor>& inputs,
                   const std::map<std::string, kernels::HostTensor>& outputs, const nlohmann::json& report,
                   const nlohmann::json* timeline) {
  std::optional<io::OutputDir> out;
  if (!o.out_dir.empty()) {
    out.emplace(o.out_dir);
    for (const auto& [name, t] : inputs) io::write_npy_staged(*out, name + ".npy", kernels::to_npy(t));
    for (const auto& [name, t] : outputs) io::write_npy_staged(*out, name + ".npy", kernels::to_npy(t));
  }
  if (!o.report.empty()) write_file_atomic(o.report, report.dump(2) + "\n");
  if (!o.timeline.empty() && timeline) write_file_atomic(o.timeline, timeline->dump() + "\n");
  if (out) out->commit();
}

}  // namespace tessera::cli
