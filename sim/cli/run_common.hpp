// Options and steps shared by `tessera run` and `tessera exec`.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/core_config.hpp"
#include "io/npy.hpp"
#include "kernels/host_tensor.hpp"
#include "kernels/runner.hpp"

namespace tessera::cli {

struct CommonRunOptions {
  std::string config = "small";
  std::string mode = "ref";
  std::string rtl;
  uint64_t seed = 1;
  std::vector<std::string> ins;  // NAME=FILE.npy
  std::string out_dir;
  std::string report;
  std::string trace, trace_window, timeline;
  int trace_depth = 0;
  bool dram_backpressure = false;
  std::string inject_fault;       // cosim: BLOCK:CYCLE
  std::string trace_on_mismatch;  // cosim: waveform of the window before a lockstep mismatch
};

// The command line as given, for the co-simulation's re-run with a waveform
// (--trace-on-mismatch).
void remember_command_line(int argc, char** argv);

void add_common_run_options(CLI::App& sub, CommonRunOptions& o);

// Rejects modes and flags this build cannot honour yet, with one clear line.
void check_mode(const CommonRunOptions& o);

using kernels::InputFiles;

// A run in the chosen mode. In rtl mode the reference model runs too: its flops and DRAM
// bytes go in the stats, and `divergence` names the first output element where the RTL
// differs from it (empty when bit-identical).
struct ModeRun {
  kernels::RunResult result;
  std::optional<std::string> divergence;  // absent in ref mode
};
ModeRun run_mode(const CommonRunOptions& o, const CoreConfig& config, const isa::Program& program,
                 const std::map<std::string, kernels::HostTensor>& inputs);

// Parses every --in NAME=FILE and reads the files.
InputFiles load_input_files(const std::vector<std::string>& ins);

// Writes the inputs as used and the outputs to --out-dir and the report to --report, all
// staged and renamed only when everything was written.
void write_outputs(const CommonRunOptions& o, const std::map<std::string, kernels::HostTensor>& inputs,
                   const std::map<std::string, kernels::HostTensor>& outputs, const nlohmann::json& report,
                   const nlohmann::json* timeline = nullptr);

// The --timeline JSON of a timed run (null in ref mode).
nlohmann::json timeline_of(const CommonRunOptions& o, const CoreConfig& config, const isa::Program& program,
                           const kernels::RunResult& run, const std::string& kernel);

}  // namespace tessera::cli
