// The lockstep checker of the co-simulation (docs/cosim.md): a TLM-only shadow (one
// ref::Executor on a private copy of every memory) runs each instruction when the simulation
// reports it, and compares the bytes the instruction writes (its `dst` pattern, and the
// reduction column of an activation) with the simulated memories. The first difference stops
// the run with the cycle, the engine, the instruction as text, the element's coordinates and
// both values.
//
// When an instruction is reported: a TLM engine right after it executed (atomically, at its
// accept); an RTL block when it completes (its writes have all landed, and nothing ordered
// after it has run yet). That order respects every semaphore and every queue's program order,
// so the shadow computes what a correct core must have written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/core_config.hpp"
#include "isa/isa.hpp"
#include "ref/executor.hpp"
#include "ref/memory.hpp"
#include "rtl/core_rtl.hpp"

namespace tessera::cosim {

struct Fault;

class Checker {
 public:
  // `shadow_dram`: the DRAM as the run starts (inputs placed); `real`: the simulation's
  // memories (SBUF/PSUM by DMI, DRAM through its socket).
  Checker(const CoreConfig& config, uint64_t seed, ref::Dram& shadow_dram, const Fault* fault);
  void set_real(const ref::MemView& real) { real_ = real; }
  // The whole verilated core (--rtl all): its SRAMs by backdoor, the DRAM through `dram`. The
  // shadow's SBUF and PSUM start from the core's (random) initial contents.
  void set_real(rtl::OnChipAccess& onchip, ref::DramAccess& dram);

  // Runs `inst` on the shadow and compares its writes. Returns false on the first difference
  // (then `mismatch()` describes it); later calls do nothing.
  bool check(const std::string& engine, size_t index, const isa::Instruction& inst, uint64_t cycle);
  const std::optional<std::string>& mismatch() const { return mismatch_; }
  uint64_t mismatch_cycle() const { return mismatch_cycle_; }
  uint64_t checked() const { return checked_; }
  const ref::Executor& shadow() const { return exec_; }

 private:
  std::optional<std::string> compare_ap(const isa::Ap& ap) const;
  std::optional<std::string> compare_col(const isa::Col& col, const isa::Ap& rows) const;
  std::optional<std::string> compare(isa::Space space, uint32_t partition, uint64_t offset, unsigned bytes) const;
  void read_real(isa::Space space, uint32_t partition, uint64_t offset, unsigned bytes, uint8_t* out) const;

  ref::DramPort shadow_port_;
  std::vector<uint8_t> sbuf_, psum_;
  ref::Executor exec_;
  ref::MemView shadow_{}, real_{};
  rtl::OnChipAccess* onchip_ = nullptr;  // instead of real_'s SBUF/PSUM
  const Fault* fault_;
  std::optional<std::string> mismatch_;
  uint64_t mismatch_cycle_ = 0;
  uint64_t checked_ = 0;
};

}  // namespace tessera::cosim
