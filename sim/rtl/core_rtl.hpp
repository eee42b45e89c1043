// --mode rtl: a program run on the verilated core (rtl/core/tessera_core.sv). The harness
// serves instruction fetches from the program and DRAM through an AXI4 slave model
// (axi_dram.hpp); it runs to completion and reads the core's performance counters.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/core_config.hpp"
#include "isa/program.hpp"
#include "kernels/runner.hpp"
#include "ref/memory.hpp"

namespace tessera::rtl {

struct AxiMasterOut;

// The core's SBUF and PSUM words by backdoor (the SRAM arrays are public in the verilated
// models: sim/cosim/rtl/public_memories.vlt), for co-simulation's lockstep checker.
class OnChipAccess {
 public:
  virtual ~OnChipAccess() = default;
  virtual uint32_t read_word(isa::Space space, uint32_t partition, uint32_t word) = 0;
  virtual void write_word(isa::Space space, uint32_t partition, uint32_t word, uint32_t value) = 0;
};

// Co-simulation hooks (docs/cosim.md, --rtl all).
struct CoreHooks {
  std::function<void(OnChipAccess&)> start;  // after reset, before the start pulse
  // After the rising edge at which instruction `index` of `engine` completed (cycle = its done).
  std::function<void(const std::string& engine, uint32_t index, uint64_t cycle, OnChipAccess&)> complete;
  std::function<void(uint64_t cycle, AxiMasterOut& out)> axi;  // may alter the master's outputs
};

struct CoreRunOptions {
  std::string trace_path;              // .fst or .vcd; empty: no waveform
  uint64_t trace_from = 0;             // first cycle dumped
  uint64_t trace_to = UINT64_MAX;      // last cycle dumped
  int trace_depth = 0;                 // hierarchy levels dumped, 0 = all
  bool dram_backpressure = false;      // random ready/valid gaps on the AXI slave
  uint64_t watchdog_cycles = 1000000;  // no instruction completing for this long is a hang
  const CoreHooks* hooks = nullptr;    // co-simulation
  ref::DramAccess* dram_port = nullptr;  // the AXI slave's data through this port, not `dram`
};

struct EngineCounters {
  uint64_t instructions = 0;
  uint64_t busy_cycles = 0;       // cycles with at least one instruction in flight
  uint64_t sem_stall_cycles = 0;  // cycles the next instruction waited on a semaphore
  uint64_t mem_stall_cycles = 0;  // cycles the engine waited for SBUF, PSUM or DRAM
};

using kernels::InstTiming;

constexpr uint64_t kTrafficWindow = 64;  // cycles per timeline counter sample

struct CoreRunResult {
  uint64_t cycles = 0;  // from the start pulse to the cycle every queue has finished
  std::map<std::string, EngineCounters> engines;
  std::vector<InstTiming> instructions;  // in completion order
  std::vector<kernels::TrafficSample> traffic;  // every kTrafficWindow cycles
  uint64_t dram_bytes_read = 0, dram_bytes_written = 0;
};

// Whether a verilated core is built for this configuration.
bool core_available(const std::string& config);

// The stack a SystemC thread that evaluates a verilated core gets (cosim/core_cosim.cpp):
// Verilator keeps an evaluation function's temporaries in its frame, up to about 150 KiB on
// trn1 (objdump of the built model), more than SystemC's default thread stack is meant for.
constexpr uint64_t kCoreStackBytes = uint64_t{16} << 20;

// Runs `program` (validated by the caller) with `dram` as the DRAM contents, in place.
// `seed` seeds stochastic rounding (as in the reference) and the randomised initial state.
// Throws SimError on deadlock, an RTL assertion, a DMA error response or a hang; InputError
// when no core is built for the configuration.
CoreRunResult run_core(const CoreConfig& config, const isa::Program& program, ref::Dram& dram, uint64_t seed,
                       const CoreRunOptions& options);

}  // namespace tessera::rtl

namespace tessera::rtl {

// A program with its input tensors on the verilated core: validates it like the reference
// (InputError), places the inputs in a fresh DRAM, runs, reads the outputs. `stats` holds the RTL's instruction counts and DRAM bytes; flops
// are the caller's (the reference model counts them).
kernels::RunResult run_rtl(const CoreConfig& config, const isa::Program& program,
                           const std::map<std::string, kernels::HostTensor>& inputs, uint64_t seed,
                           const CoreRunOptions& options);

// The RunResult of a finished core run: outputs read from `dram`, timing and counters of the
// queues the program uses.
kernels::RunResult to_run_result(const isa::Program& program, const CoreRunResult& r, ref::Dram& dram);

}  // namespace tessera::rtl
