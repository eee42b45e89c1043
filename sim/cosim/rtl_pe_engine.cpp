#include "rtl_pe_engine.hpp"

#include <algorithm>

namespace tessera::cosim {

namespace {
constexpr size_t kMaxInFlight = 8;  // the sequencer's in-flight limit (docs/seq.md)
}

RtlPeEngine::RtlPeEngine(sc_core::sc_module_name name, const CoreConfig& config, const isa::Queue& queue,
                         tlm::Semaphores& sems, uint64_t seed, tlm::RunRecord& record, PeFactory factory)
    : Engine(name, config, queue, sems, seed, record), factory_(std::move(factory)) {}

bool RtlPeEngine::step(bool valid) {
  static const std::vector<uint8_t> kNoWord;
  const PeBlock::Cycle c = block_->step(t_, valid, valid ? words_[next_] : kNoWord);
  for (unsigned b = 0; b < 16; ++b)
    if (c.sbuf_banks >> b & 1u) shared_->pe_mark(t_, b);
  if (c.psum_write) shared_->pe_mark(t_ + 1, tlm::SharedTiming::kPsumWrite);  // psum.sv: wr_ready = !b_valid_q
  if (c.st_stalled) ++st_conflicts_;
  for (unsigned k = 0; k < c.done; ++k) {
    const size_t i = inflight_.front();
    inflight_.pop_front();
    complete(i, issue_[i], t_);
    last_retire_ = t_;
    any_retired_ = true;
    checked(i, t_);
  }
  if (c.accepted) {
    issue_[next_] = t_;
    last_pop_ = t_;
    have_pop_ = true;
    inflight_.push_back(next_);
  }
  ++t_;
  shared_->pe_cycle = t_;  // every port use before t_ is published
  return c.accepted;
}

bool RtlPeEngine::wait_holds_final() {
  const isa::Instruction& inst = queue_.insts[next_];
  if (!inst.wait_en) return true;
  for (;;) {
    if (sems_.known_time(inst.wait_sem, inst.wait_value) <= t_) return true;
    // Signals still to come have cycles >= fabric_next.
    if (shared_->fabric_next >= t_) return false;
    shared_->pe_cycle = t_;
    shared_->pe_progress.notify(sc_core::SC_ZERO_TIME);
    sc_core::wait(shared_->fabric_progress);
  }
}

bool RtlPeEngine::run_queue() {
  block_ = factory_(mem_);
  const isa::Isa& isa = isa::Isa::get();
  for (const isa::Instruction& inst : queue_.insts) words_.push_back(isa.encode(inst));
  issue_.assign(queue_.insts.size(), 0);
  for (next_ = 0; next_ < queue_.insts.size(); ++next_) {
    const isa::Instruction& inst = queue_.insts[next_];
    if (inst.op->engine == "any") {
      while (!inflight_.empty()) step(false);
      run_nop(next_, any_retired_ ? last_retire_ + 1 : 0);
      while (t_ <= last_pop_) step(false);  // the RTL is clocked through every cycle, idle or not
      continue;
    }
    const uint64_t head = head_cycle(next_);
    while (t_ < head) step(false);
    // The wait: cycle by cycle while the RTL has work in flight, blocking once it has none.
    bool resolved = false;
    while (!wait_holds_final()) {
      if (inflight_.empty()) {
        // Nothing in flight: no port use until the wait holds; block, then clock the idle cycles.
        const uint64_t ready = resolve_wait(inst, head, t_);
        while (t_ < ready) step(false);
        resolved = true;
        break;
      }
      step(false);
    }
    if (!resolved) count_sem_stall(inst, head, t_);
    while (inflight_.size() >= kMaxInFlight) step(false);
    while (!step(true)) {
    }
  }
  while (!inflight_.empty()) step(false);
  record_.engines[queue_.engine].mem_stall_cycles = st_conflicts_;
  shared_->pe_state = tlm::SharedTiming::PeState::kDone;
  shared_->pe_progress.notify(sc_core::SC_ZERO_TIME);
  return true;
}

}  // namespace tessera::cosim
