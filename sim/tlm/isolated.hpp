// Simulations in a child process, so that one process can run any number of TLM and
// co-simulation runs (SystemC elaborates once per process; docs/tlm.md).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "tlm_run.hpp"

namespace tessera::tlm {

// Calls `run` in a fork()ed child and returns the RunResult it returned; the parent never
// enters SystemC. The child's InputError, SimError and CheckError are rethrown with the same
// message (any other exception as std::runtime_error). A child that dies by a signal or exits
// without a result is a SimError. The child prints to the same stdout and stderr.
//
// `fault`: the Fault the co-simulation's RTL blocks update (the one the run's options point
// to). The child updates only its own copy, so its final state (fired, fired_cycle, what) is
// copied back here, also when the run throws.
kernels::RunResult run_isolated(const std::function<kernels::RunResult()>& run, cosim::Fault* fault = nullptr);

// run_isolated of run_tlm(config, program, inputs, seed, cosim).
kernels::RunResult run_tlm_isolated(const CoreConfig& config, const isa::Program& program,
                                    const std::map<std::string, kernels::HostTensor>& inputs, uint64_t seed,
                                    const CosimOptions& cosim = {}, cosim::Fault* fault = nullptr);

}  // namespace tessera::tlm
