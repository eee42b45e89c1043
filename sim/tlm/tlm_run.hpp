// --mode tlm: a program on the SystemC TLM-2.0 model of the core (docs/tlm.md).
//
// SystemC elaborates once per process: run_tlm may be called at most once per process (a
// second call throws std::logic_error). The CLI runs one simulation per process; tests that
// use it run one process each.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "config/core_config.hpp"
#include "isa/program.hpp"
#include "kernels/runner.hpp"
#include "ref/executor.hpp"

namespace tessera::cosim {
class PeBlock;
class DmaBlock;
class MemBlock;
class VecBlock;
class SeqBlock;
struct Fault;
}  // namespace tessera::cosim

namespace tessera::tlm {

// Co-simulation (docs/cosim.md): blocks that run as verilated RTL inside the model, and the
// lockstep checker. Default: pure TLM.
struct CosimOptions {
  std::function<std::unique_ptr<cosim::PeBlock>(const ref::MemView&)> rtl_pe;
  std::function<std::unique_ptr<cosim::DmaBlock>(const ref::MemView&, ref::DramAccess&)> rtl_dma;
  // --rtl sbuf / psum: the memories every TLM engine's instructions pass through (MemBlock).
  std::function<std::unique_ptr<cosim::MemBlock>(const ref::MemView&)> rtl_sbuf, rtl_psum;
  // --rtl act / dve: the verilated act and dve engines (VecBlock), in place of the TLM's for the
  // engines flagged.
  std::function<std::unique_ptr<cosim::VecBlock>(const ref::MemView&)> rtl_vec;
  bool rtl_act = false, rtl_dve = false;
  // --rtl seq: the verilated sequencers drive every TLM engine (alone: no other block).
  std::function<std::unique_ptr<cosim::SeqBlock>()> rtl_seq;
  bool lockstep = false;          // shadow every instruction and compare its writes
  const cosim::Fault* fault = nullptr;  // for the mismatch report
};

// Validates the program like the reference (InputError), places the inputs in a fresh DRAM,
// simulates, reads the outputs. `timing` uses the RTL harness's cycle definitions
// (kernels::InstTiming): cycle 0 is the first cycle after the start pulse. Throws SimError on a
// deadlock, with each engine's state. `seed` seeds stochastic rounding, as in the reference.
// With the lockstep checker, the first mismatch throws CheckError (exit 1) naming the cycle,
// engine, instruction, element and both values.
kernels::RunResult run_tlm(const CoreConfig& config, const isa::Program& program,
                           const std::map<std::string, kernels::HostTensor>& inputs, uint64_t seed,
                           const CosimOptions& cosim = {});

}  // namespace tessera::tlm
