// The reference core model (--mode ref): executes a program functionally with the exact
// numerics of SPEC section 3, engine by engine in program order, honouring semaphores.
// No timing: cycles are the TLM and RTL models' business.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/core_config.hpp"
#include "isa/program.hpp"
#include "executor.hpp"
#include "memory.hpp"
#include "numerics/xorshift32.hpp"

namespace tessera::ref {

struct RunStats {
  std::map<std::string, uint64_t> instructions;  // per engine queue
  uint64_t flops = 0;                            // 2 per multiply-accumulate of the tensor engine
  uint64_t dram_bytes = 0;                       // bytes the DMA read from or wrote to DRAM
  double numerics_seconds = 0;                   // tlm: wall time in the instructions' numerics
  double seconds = 0;                            // tlm: wall time of the whole run
};

// Checks every instruction against the configuration: engines exist, access patterns lie
// inside their memories, operand shapes agree, PSUM writes stay in one bank. Throws
// InputError naming the engine, the instruction index and the instruction. Allocates nothing
// (the timed models validate before they build their memories).
void validate(const CoreConfig& config, const isa::Program& program);
// Bytes of one SBUF or PSUM partition.
uint64_t partition_bytes(const CoreConfig& config, isa::Space space);

class CoreModel {
 public:
  // `seed` seeds the per-lane stochastic-rounding generators (docs/numerics.md).
  CoreModel(const CoreConfig& config, uint64_t seed);
  CoreModel(const CoreModel&) = delete;  // the executor points into this object's memories
  CoreModel& operator=(const CoreModel&) = delete;

  const CoreConfig& config() const { return config_; }
  Dram& dram() { return dram_; }

  // ref::validate with this model's configuration.
  void validate(const isa::Program& program) const;

  // Validates, then runs to completion. Throws SimError on deadlock, with each engine's state.
  RunStats run(const isa::Program& program);

  // One on-chip element's bytes (tests and debugging).
  uint8_t* onchip(isa::Space space, uint32_t partition, uint64_t offset);
  const uint8_t* onchip(isa::Space space, uint32_t partition, uint64_t offset) const;
  uint64_t partition_bytes(isa::Space space) const;

 private:
  CoreConfig config_;
  Dram dram_;
  ZeroedBytes sbuf_;
  ZeroedBytes psum_;
  DramPort dram_access_;
  Executor executor_;  // the numerics of every instruction (executor.hpp)
};

// Element offsets of an access pattern's free dimensions, in iteration order (outermost
// dimension first), in the pattern's stride units.
std::vector<int64_t> free_offsets(const isa::Ap& ap);

}  // namespace tessera::ref
