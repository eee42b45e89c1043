// Co-simulation (--rtl pe, docs/cosim.md): the tensor-engine queue of the TLM model with the
// verilated tensor engine in place of its register-level model. The engine's thread plays
// the sequencer (fetch, semaphore waits, at most 8 in flight) and clocks the RTL through its
// transactor (blocks.hpp), publishing the SBUF banks and PSUM writes of every cycle to the
// fabric exactly as the TLM tensor engine does.
//
// Synchronisation: the RTL cannot be copied ahead to publish its completions early, so while
// instructions are in flight and the head waits on a semaphore, the thread steps one cycle at
// a time, each after the fabric has stepped the cycle before (a semaphore read in cycle t is
// final once the fabric has passed t - 1). With nothing in flight it blocks like the TLM
// engine (Engine::resolve_wait), so deadlocks are reported the same way. The RTL is clocked
// through every cycle, idle ones included: a retired load may still be shifting its
// stationary into the array.
#pragma once

#include <deque>
#include <functional>
#include <memory>

#include "cosim/blocks.hpp"
#include "tlm/engine.hpp"

namespace tessera::cosim {

using PeFactory = std::function<std::unique_ptr<PeBlock>(const ref::MemView&)>;

class RtlPeEngine : public tlm::Engine {
 public:
  RtlPeEngine(sc_core::sc_module_name name, const CoreConfig& config, const isa::Queue& queue, tlm::Semaphores& sems,
              uint64_t seed, tlm::RunRecord& record, PeFactory factory);

 protected:
  bool run_queue() override;

 private:
  bool step(bool valid);      // one RTL cycle at t_; true when the offered instruction was accepted
  bool wait_holds_final();    // the head's wait in cycle t_, synchronising with the fabric if needed

  PeFactory factory_;
  std::unique_ptr<PeBlock> block_;
  std::vector<std::vector<uint8_t>> words_;
  std::vector<uint64_t> issue_;
  std::deque<size_t> inflight_;
  uint64_t t_ = 0;
  uint64_t last_retire_ = 0;
  bool any_retired_ = false;
  uint64_t st_conflicts_ = 0;
};

}  // namespace tessera::cosim
