// --mode tlm: a program on the SystemC TLM-2.0 model of the core (docs/tlm.md).
//
// SystemC elaborates once per process: run_tlm may be called at most once per process (a
// second call throws std::logic_error). The CLI runs one simulation per process; tests that
// use it run one process each.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "config/core_config.hpp"
#include "isa/program.hpp"
#include "kernels/runner.hpp"

namespace tessera::tlm {

// Validates the program like the reference (InputError), places the inputs in a fresh DRAM,
// simulates, reads the outputs. `timing` uses the RTL harness's cycle definitions
// (kernels::InstTiming): cycle 0 is the first cycle after the start pulse. Throws SimError on a
// deadlock, with each engine's state. `seed` seeds stochastic rounding, as in the reference.
kernels::RunResult run_tlm(const CoreConfig& config, const isa::Program& program,
                           const std::map<std::string, kernels::HostTensor>& inputs, uint64_t seed);

}  // namespace tessera::tlm
