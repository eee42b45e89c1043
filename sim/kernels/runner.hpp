// Running a program on a core model: placing its DRAM tensors, running, reading outputs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

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

// What a timed model (rtl, later tlm and cosim) measured, per engine queue.
struct EngineTiming {
  uint64_t instructions = 0;
  uint64_t busy_cycles = 0;       // cycles with at least one instruction in flight
  uint64_t sem_stall_cycles = 0;  // cycles the next instruction waited on a semaphore
  uint64_t mem_stall_cycles = 0;  // cycles the engine waited for SBUF, PSUM or DRAM
};
// One instruction's life in a timed model, in cycles from the first cycle after the start
// (cycle 0): `issue`, the cycle its engine accepted it (a nop, which the sequencer executes
// itself: the cycle it completed); `done`, the cycle its engine reported it complete.
struct InstTiming {
  std::string engine;
  uint32_t index = 0;  // position in the engine's queue
  uint64_t issue = 0, done = 0;
};

// Traffic over a window of cycles [cycle, cycle + window), for timeline counters.
struct TrafficSample {
  uint64_t cycle = 0, window = 0;
  uint64_t dram_read_bytes = 0, dram_write_bytes = 0;  // AXI beats x bus bytes / strobed bytes
  uint64_t sbuf_accesses = 0;                          // word-row accesses granted, all ports
};

struct Timing {
  uint64_t cycles = 0;
  std::map<std::string, EngineTiming> engines;
  std::vector<InstTiming> instructions;  // in completion order
  std::vector<TrafficSample> traffic;
};

struct RunResult {
  ref::RunStats stats;
  std::map<std::string, HostTensor> outputs;  // out and inout tensors after the run
  std::optional<Timing> timing;               // absent in ref mode
};

// Writes the program's input tensors into `dram` (InputError for a tensor outside it).
void place_inputs(const CoreConfig& config, const isa::Program& program,
                  const std::map<std::string, HostTensor>& inputs, ref::Dram& dram);
// The program's out and inout tensors as `dram` holds them.
std::map<std::string, HostTensor> read_outputs(const isa::Program& program, const ref::Dram& dram);

// The first element where two runs' outputs differ, as one line; empty when bit-identical.
std::string first_difference(const std::map<std::string, HostTensor>& expected,
                             const std::map<std::string, HostTensor>& actual);

// --mode ref: the reference model. `seed` also seeds stochastic rounding.
RunResult run_ref(const CoreConfig& config, const isa::Program& program,
                  const std::map<std::string, HostTensor>& inputs, uint64_t seed);

}  // namespace tessera::kernels
