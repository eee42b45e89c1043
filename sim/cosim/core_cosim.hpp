// --mode cosim --rtl all (docs/cosim.md): the whole verilated core (tessera_core: sequencers,
// semaphores, tensor engine, SBUF, PSUM, DMA, act and dve engines, as in --mode rtl)
// inside a SystemC simulation, its AXI4 master reaching the TLM DRAM target through the AXI
// slave model, every instruction checked by the lockstep checker against a TLM-only shadow.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "blocks.hpp"
#include "config/core_config.hpp"
#include "isa/program.hpp"
#include "kernels/runner.hpp"
#include "rtl/core_rtl.hpp"

namespace tessera::cosim {

// `fault` (may be null): pe, psum, sbuf or dma; `options`: the waveform (trace_path, window).
// Throws CheckError on the first mismatch, SimError/InputError as --mode rtl. Once per process.
kernels::RunResult run_core_cosim(const CoreConfig& config, const isa::Program& program,
                                  const std::map<std::string, kernels::HostTensor>& inputs, uint64_t seed,
                                  Fault* fault, const rtl::CoreRunOptions& options);

}  // namespace tessera::cosim
