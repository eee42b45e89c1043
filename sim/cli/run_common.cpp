#include "run_common.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <tuple>

#include "common/errors.hpp"
#include "common/files.hpp"
#include "common/parse.hpp"
#include "io/output_dir.hpp"
#include "io/timeline.hpp"
#include "cosim/block_options.hpp"
#include "cosim/blocks.hpp"
#include "cosim/core_cosim.hpp"
#include "rtl/core_rtl.hpp"
#include "tlm/isolated.hpp"

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
  sub.add_option("--inject-fault", o.inject_fault,
                 "cosim: BLOCK:CYCLE flips a bit of the RTL block's first write at or after CYCLE");
  sub.add_option("--trace-on-mismatch", o.trace_on_mismatch,
                 "cosim: on a lockstep mismatch, re-run and write the RTL blocks' waveforms (FILE.fst -> FILE.<block>.fst) "
                 "of the cycles before it");
}

namespace {
std::vector<std::string> g_command_line;
}

void remember_command_line(int argc, char** argv) { g_command_line.assign(argv, argv + argc); }

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

namespace {

// The blocks that run as RTL in co-simulation (docs/cosim.md): any of the tensor engine, the
// DMA engine, the SBUF, the PSUM, the act engine and the dve engine inside the TLM model, the
// sequencers alone, or the whole core (all).
struct CosimBlocks {
  cosim::BlockSet rtl;  // inside the TLM model
  bool core = false;
};

CosimBlocks parse_rtl_blocks(const std::string& list) {
  CosimBlocks b;
  size_t pos = 0;
  while (pos <= list.size()) {
    const size_t comma = list.find(',', pos);
    const std::string name = list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (name == "pe") b.rtl.pe = true;
    else if (name == "dma") b.rtl.dma = true;
    else if (name == "sbuf") b.rtl.sbuf = true;
    else if (name == "psum") b.rtl.psum = true;
    else if (name == "act") b.rtl.act = true;
    else if (name == "dve") b.rtl.dve = true;
    else if (name == "all") b.core = true;
    else if (name == "seq") b.rtl.seq = true;
    else
      throw InputError(fmt::format("--rtl '{}': unknown block (pe, psum, sbuf, dma, act, dve, seq or all)", name));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  if (b.core && (b.rtl.pe || b.rtl.dma || b.rtl.sbuf || b.rtl.psum))
    throw InputError(fmt::format("--rtl {}: 'all' already includes every block", list));
  if (b.rtl.seq && (b.core || b.rtl.pe || b.rtl.dma || b.rtl.sbuf || b.rtl.psum || b.rtl.act || b.rtl.dve))
    throw InputError(fmt::format("--rtl {}: seq runs alone (the RTL sequencers drive every TLM engine) or within the "
                                 "whole core (all)",
                                 list));
  if (b.core && (b.rtl.act || b.rtl.dve))
    throw InputError(fmt::format("--rtl {}: 'all' already runs the act and dve engines (RTL, with their function unit "
                                 "and ALUs); act and dve combine with pe, dma, sbuf and psum",
                                 list));
  return b;
}

// --inject-fault BLOCK:CYCLE. The blocks a fault can be injected into: pe, dma, sbuf, psum, act,
// dve and seq as blocks, and in the whole core also the PSUM and SBUF arrays.
std::pair<std::string, uint64_t> parse_fault(const std::string& f, const CosimBlocks& blocks) {
  const size_t colon = f.find(':');
  const auto bad = [&] {
    return InputError(fmt::format("--inject-fault '{}' is not BLOCK:CYCLE (BLOCK pe, psum, sbuf, dma, act, dve or seq)", f));
  };
  if (colon == std::string::npos) throw bad();
  const std::string block = f.substr(0, colon);
  uint64_t cycle = 0;
  try {
    cycle = parse_uint(f.substr(colon + 1), "--inject-fault cycle");
  } catch (const InputError&) {
    throw bad();
  }
  if (block != "pe" && block != "dma" && block != "psum" && block != "sbuf" && block != "act" && block != "dve" &&
      block != "seq")
    throw bad();
  const cosim::BlockSet& r = blocks.rtl;
  if (block == "seq" && blocks.core)
    throw InputError(fmt::format("--inject-fault {}: a sequencer fault is injected with --rtl seq, not in the whole "
                                 "core (--rtl all)",
                                 f));
  if ((block == "act" || block == "dve") && blocks.core)
    throw InputError(fmt::format("--inject-fault {}: act and dve faults are injected with --rtl act or dve, not in the "
                                 "whole core (--rtl all)",
                                 f));
  const bool runs = blocks.core || (block == "pe" && r.pe) || (block == "dma" && r.dma) || (block == "sbuf" && r.sbuf) ||
                    (block == "psum" && r.psum) || (block == "act" && r.act) || (block == "dve" && r.dve) ||
                    (block == "seq" && r.seq);
  if (!runs) throw InputError(fmt::format("--inject-fault {}: block {} does not run as RTL (see --rtl)", f, block));
  return {block, cycle};
}

bool ends_with(const std::string& s, const char* ext) {
  const size_t n = std::char_traits<char>::length(ext);
  return s.size() >= n && s.compare(s.size() - n, n, ext) == 0;
}

void check_waveform_path(const std::string& path, const char* flag, bool fst_only) {
  if (path.empty()) return;
  if (!ends_with(path, ".fst") && (fst_only || !ends_with(path, ".vcd")))
    throw InputError(fmt::format("{} {}: the waveform file must end in {}", flag, path, fst_only ? ".fst" : ".fst or .vcd"));
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!dir.empty() && !std::filesystem::is_directory(dir))
    throw InputError(fmt::format("{} {}: directory {} does not exist", flag, path, dir.string()));
}

}  // namespace

void check_mode(const CommonRunOptions& o) {
  const bool cosim = o.mode == "cosim";
  if (o.mode != "ref" && o.mode != "rtl" && o.mode != "tlm" && !cosim)
    throw InputError(fmt::format("--mode {} is not available; use --mode ref, tlm, rtl or cosim", o.mode));
  if (!o.rtl.empty() && !cosim) throw InputError("--rtl applies to --mode cosim only");
  if (cosim && o.rtl.empty())
    throw InputError("--mode cosim needs --rtl BLOCKS (pe, dma, sbuf, psum, act, dve, seq or all)");
  if (o.mode != "rtl" && !cosim && (!o.trace.empty() || !o.trace_window.empty()))
    throw InputError(fmt::format("--trace needs --mode rtl or cosim ({} mode has no waveforms)", o.mode));
  if (!cosim && (!o.inject_fault.empty() || !o.trace_on_mismatch.empty()))
    throw InputError("--inject-fault and --trace-on-mismatch need --mode cosim");
  if (o.mode != "rtl" && o.dram_backpressure) throw InputError("--dram-backpressure needs --mode rtl");
  if (o.trace.empty() && (!o.trace_window.empty() || o.trace_depth))
    throw InputError("--trace-window and --trace-depth need --trace FILE");
  if (!o.trace_window.empty()) parse_window(o.trace_window);
  check_waveform_path(o.trace, "--trace", cosim);
  check_waveform_path(o.trace_on_mismatch, "--trace-on-mismatch", true);
  if (!o.timeline.empty() && o.mode == "ref")
    throw InputError("--timeline needs --mode tlm, rtl or cosim (ref mode has no cycles)");
  if (o.mode == "rtl" && !rtl::core_available(o.config))
    throw InputError(fmt::format("--mode rtl: no verilated core is built for config {} (see docs/core.md)", o.config));
  if (cosim) {
    const CosimBlocks blocks = parse_rtl_blocks(o.rtl);
    if (!o.inject_fault.empty()) parse_fault(o.inject_fault, blocks);
    // The verilated blocks are built per preset (TESSERA_CORE_PRESETS).
    if (!cosim::blocks_available(o.config))
      throw InputError(fmt::format("--mode cosim: no verilated blocks are built for config {} (see docs/cosim.md)", o.config));
  }
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

// `FILE.fst` -> `FILE.<block>.fst`: each verilated block writes its own waveform.
std::string block_waveform(const std::string& path, const char* block) {
  return path.substr(0, path.size() - 4) + "." + block + ".fst";
}

// Re-runs this command with --trace over `window` (and without --trace-on-mismatch), its
// output discarded; true when it wrote the waveforms.
bool rerun_with_trace(const std::string& path, uint64_t from, uint64_t to) {
  std::vector<std::string> args;
  for (size_t i = 0; i < g_command_line.size(); ++i) {
    const std::string& a = g_command_line[i];
    if (a == "--trace-on-mismatch" || a == "--trace" || a == "--trace-window") {
      ++i;
      continue;
    }
    if (a.rfind("--trace-on-mismatch=", 0) == 0 || a.rfind("--trace=", 0) == 0 || a.rfind("--trace-window=", 0) == 0)
      continue;
    args.push_back(a);
  }
  args.insert(args.end(), {"--trace", path, "--trace-window", fmt::format("{}:{}", from, to)});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, "/proc/self/exe", &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return false;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == kExitCheckFailed;
}

kernels::RunResult run_cosim_mode(const CommonRunOptions& o, const CoreConfig& config, const isa::Program& program,
                                  const std::map<std::string, kernels::HostTensor>& inputs) {
  const CosimBlocks blocks = parse_rtl_blocks(o.rtl);
  cosim::Fault fault;
  if (!o.inject_fault.empty()) std::tie(fault.block, fault.cycle) = parse_fault(o.inject_fault, blocks);
  cosim::BlockTraces traces;
  rtl::CoreRunOptions core_options;
  if (!o.trace.empty()) {
    traces.pe.path = block_waveform(o.trace, "pe");
    traces.dma.path = block_waveform(o.trace, "dma");
    traces.sbuf.path = block_waveform(o.trace, "sbuf");
    traces.psum.path = block_waveform(o.trace, "psum");
    traces.seq.path = block_waveform(o.trace, "seq");
    traces.vec.path = block_waveform(o.trace, "vec");
    core_options.trace_path = block_waveform(o.trace, "core");
    core_options.trace_depth = o.trace_depth;
    if (!o.trace_window.empty()) {
      const auto [from, to] = parse_window(o.trace_window);
      for (cosim::BlockTrace* t : {&traces.pe, &traces.dma, &traces.sbuf, &traces.psum, &traces.seq, &traces.vec})
        t->from = from, t->to = to;
      core_options.trace_from = from;
      core_options.trace_to = to;
    }
  }
  tlm::CosimOptions co;
  co.lockstep = true;
  co.fault = &fault;
  cosim::MemPorts ports;
  cosim::add_blocks(co, config, blocks.rtl, &fault, traces, o.seed, ports);
  try {
    // In a child process: SystemC elaborates once per process, and train runs many steps.
    kernels::RunResult r =
        blocks.core ? tlm::run_isolated(
                          [&] { return cosim::run_core_cosim(config, program, inputs, o.seed, &fault, core_options); },
                          &fault)
                    : tlm::run_tlm_isolated(config, program, inputs, o.seed, co, &fault);
    if (!fault.block.empty() && !fault.fired)
      throw InputError(fault.block == "seq"
                           ? fmt::format("--inject-fault {}: the sequencers fetched no instruction but nops at or "
                                         "after cycle {}",
                                         o.inject_fault, fault.cycle)
                           : fmt::format("--inject-fault {}: block {} wrote nothing at or after cycle {}",
                                         o.inject_fault, fault.block, fault.cycle));
    // The checker compares every instruction's writes: a fault that fired without a mismatch
    // was hidden before it reached the compared memory (a written word that a later write of
    // the same instruction replaced), so the run shows nothing; as above, bad input.
    if (fault.fired)
      throw InputError(fmt::format("--inject-fault {}: the fault fired at cycle {} ({}) but no written value changed; "
                                   "choose another cycle",
                                   o.inject_fault, fault.fired_cycle, fault.what));
    return r;
  } catch (const CheckError& e) {
    if (o.trace_on_mismatch.empty()) throw;
    // The run is deterministic: the re-run reaches the same mismatch, tracing the window before it.
    const std::string msg = e.what();
    const size_t at = msg.find("at cycle ");
    const uint64_t cycle = at == std::string::npos ? 0 : std::stoull(msg.substr(at + 9));
    constexpr uint64_t kWindow = 1000;
    const uint64_t from = cycle > kWindow ? cycle - kWindow : 0;
    std::string written;
    if (rerun_with_trace(o.trace_on_mismatch, from, cycle)) {
      for (const char* b : {"core", "pe", "dma", "sbuf", "psum", "seq", "vec"})
        if (std::filesystem::exists(block_waveform(o.trace_on_mismatch, b)))
          written += (written.empty() ? "" : ", ") + block_waveform(o.trace_on_mismatch, b);
    }
    throw CheckError(msg + (written.empty() ? std::string("; the re-run with a waveform failed")
                                             : fmt::format("; waveform of cycles {}..{}: {}", from, cycle, written)));
  }
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
    run.result = tlm::run_tlm_isolated(config, program, inputs, o.seed);
  } else if (o.mode == "cosim") {
    run.result = run_cosim_mode(o, config, program, inputs);
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
