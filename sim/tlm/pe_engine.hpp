// The tensor engine (docs/tensor_engine.md, rtl/pe/tensor_engine.sv): a model of its control
// registers stepped cycle by cycle inside the engine's thread (no SystemC wait per cycle):
// loader (Cols - M zero shifts, then the stationary pattern backwards, one SBUF read per
// cycle), mover (one moving read per cycle, one idle cycle between matmuls), stationary banks
// and their drain, the systolic latency Rows + Cols - 1, the 4-entry output queue and the
// 8-entry in-order completion buffer (two retirements per cycle). SBUF bank conflicts between
// the moving (priority) and stationary reads are modelled; the DMA and the other engines sit
// below both in the SBUF's fixed priority, so they never delay the tensor engine.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "engine.hpp"

namespace tessera::tlm {

class PeControl {
 public:
  enum class Op { kNone, kLoad, kMatmul };
  PeControl(unsigned rows, unsigned cols) : rows_(rows), cols_(cols) {}

  uint64_t cycle() const { return t_; }
  bool can_accept(Op op) const;
  bool idle() const;
  bool rob_empty() const { return rob_.empty(); }
  // Instructions the next step() retires (0, 1 or 2): the engine's done output in this cycle.
  unsigned retiring() const { return !rob_.empty() && rob_[0].done ? (rob_.size() > 1 && rob_[1].done ? 2u : 1u) : 0u; }
  // One clock cycle; `accept` (with the instruction's index and SBUF banks) when the engine
  // takes an instruction in this cycle. `retired(index, cycle)` for each completion.
  struct Accepted {
    size_t index = 0;
    std::vector<uint8_t> banks;  // SBUF bank of each read, in read order
    uint32_t m = 0;              // load: stationary free size
  };
  void step(Op accept, const Accepted* inst, const std::function<void(size_t, uint64_t)>& retired);
  void skip_to(uint64_t cycle) { t_ = std::max(t_, cycle); }  // only when idle()
  uint64_t st_conflicts() const { return st_conflicts_; }
  void set_shared(SharedTiming* shared) { shared_ = shared; }

 private:
  struct Iter {
    bool busy = false;
    std::vector<uint8_t> banks;
    size_t pos = 0;
  };
  struct RobEntry {
    size_t index;
    bool done;
  };
  struct OutDesc {
    size_t index;
    uint64_t remaining;
  };
  bool ls_bank_free() const;

  unsigned rows_, cols_;
  uint64_t t_ = 0;
  bool ld_busy_ = false, ld_started_ = false;
  unsigned ld_bank_ = 1;
  uint32_t ld_zeros_ = 0;
  int ld_outstanding_ = 0;
  size_t ld_entry_ = 0;
  Iter ld_it_;
  bool st_rvalid_ = false;
  Iter mm_it_;
  unsigned mm_sel_ = 0;
  bool mv_rvalid_ = false, mv_last_ = false;
  unsigned mv_sel_ = 0;
  uint32_t drain_[2] = {0, 0};
  std::deque<uint64_t> out_times_;
  std::deque<OutDesc> fifo_;
  bool done_q_ = false;
  size_t done_index_ = 0;
  std::deque<RobEntry> rob_;
  uint64_t st_conflicts_ = 0;
  SharedTiming* shared_ = nullptr;  // publishes the moving / stationary banks and PSUM writes
};

class PeEngine : public Engine {
 public:
  using Engine::Engine;

  // --rtl seq (docs/cosim.md): the RTL sequencer offers the instructions and the fabric clocks
  // this engine's control in lockstep, one seq_cycle() per cycle from cycle 0; the engine's
  // own thread only connects the memories.
  void set_seq_mode() { seq_mode_ = true; }
  void seq_begin();
  unsigned seq_retiring() const { return ctl_->retiring(); }  // the done output of this cycle
  bool seq_ready(size_t i) const;                            // can instruction i be taken now
  void seq_cycle(const size_t* accept);                      // one cycle, taking *accept if given
  bool seq_idle() const { return ctl_->idle(); }
  void seq_end();

 protected:
  bool run_queue() override;
  void before_block() override;

 private:
  void advance_to(uint64_t cycle);
  PeControl::Accepted describe(size_t i) const;
  void on_retire(size_t index, uint64_t cycle);

  PeControl* ctl_ = nullptr;
  bool seq_mode_ = false;
  std::unique_ptr<PeControl> seq_ctl_;
  std::vector<uint64_t> issue_;
  uint64_t last_retire_ = 0;
  bool any_retired_ = false;
};

}  // namespace tessera::tlm
