#include "pe_engine.hpp"

#include <algorithm>
#include <memory>

#include "ref/core_model.hpp"

namespace tessera::tlm {

namespace {
constexpr size_t kRobDepth = 8, kOutQueueDepth = 4;
// The SBUF bank of a byte offset: banks are word-interleaved (sbuf.sv), sbuf_banks of them.
uint8_t bank_of(uint64_t byte_addr, uint64_t banks) { return static_cast<uint8_t>((byte_addr >> 2) % banks); }
}  // namespace

bool PeControl::ls_bank_free() const {
  const unsigned b = ld_bank_ ^ 1u;
  const bool streaming = (mm_it_.busy && mm_sel_ == b) || (mv_rvalid_ && mv_sel_ == b);
  return !streaming && drain_[b] == 0;
}

bool PeControl::can_accept(Op op) const {
  const bool rob_full = rob_.size() == kRobDepth;
  if (op == Op::kLoad) return !ld_busy_ && ls_bank_free() && !rob_full;
  if (op == Op::kMatmul) return !mm_it_.busy && !ld_busy_ && fifo_.size() != kOutQueueDepth && !rob_full;
  return false;
}

bool PeControl::idle() const {
  return !ld_busy_ && !ld_it_.busy && !mm_it_.busy && !mv_rvalid_ && !st_rvalid_ && drain_[0] == 0 &&
         drain_[1] == 0 && out_times_.empty() && fifo_.empty() && !done_q_ && rob_.empty();
}

void PeControl::step(Op accept, const Accepted* inst, const std::function<void(size_t, uint64_t)>& retired) {
  // This cycle's combinational view (registers as they are during cycle t_).
  const bool mv_req = mm_it_.busy;
  const bool st_req = ld_it_.busy;
  const bool st_gnt = st_req && !(mv_req && ld_it_.banks[ld_it_.pos] == mm_it_.banks[mm_it_.pos]);
  if (st_req && !st_gnt) ++st_conflicts_;
  if (shared_) {
    if (mv_req) shared_->pe_mark(t_, mm_it_.banks[mm_it_.pos]);
    if (st_gnt) shared_->pe_mark(t_, ld_it_.banks[ld_it_.pos]);
  }
  const bool ld_iter_start = ld_busy_ && !ld_started_ && ld_zeros_ == 0;
  const bool ld_done = ld_busy_ && ld_started_ && !ld_it_.busy && ld_outstanding_ == 0 && !st_rvalid_;
  const bool arr_out = !out_times_.empty() && out_times_.front() == t_;
  unsigned retire = 0;
  if (!rob_.empty() && rob_[0].done) retire = rob_.size() > 1 && rob_[1].done ? 2 : 1;

  // The rising edge.
  for (unsigned r = 0; r < retire; ++r) {
    retired(rob_.front().index, t_);
    rob_.pop_front();
  }
  auto mark_done = [&](size_t index) {
    for (RobEntry& e : rob_)
      if (e.index == index) e.done = true;
  };
  if (ld_done) mark_done(ld_entry_);
  if (done_q_) mark_done(done_index_);

  // loader
  if (ld_it_.busy && st_gnt && ++ld_it_.pos == ld_it_.banks.size()) ld_it_.busy = false;
  ld_outstanding_ += (st_gnt ? 1 : 0) - (st_rvalid_ ? 1 : 0);
  st_rvalid_ = st_gnt;
  if (accept == Op::kLoad) {
    ld_busy_ = true;
    ld_started_ = false;
    ld_bank_ ^= 1u;
    ld_zeros_ = cols_ - inst->m;
    ld_entry_ = inst->index;
    ld_it_.banks.assign(inst->banks.rbegin(), inst->banks.rend());  // walked backwards
    ld_it_.pos = 0;
  } else if (ld_busy_) {
    if (!ld_started_ && ld_zeros_ != 0) --ld_zeros_;
    if (ld_iter_start) {
      ld_started_ = true;
      ld_it_.busy = true;
      ld_it_.pos = 0;
    }
    if (ld_done) ld_busy_ = false;
  }

  // mover and array
  for (unsigned b = 0; b < 2; ++b) {
    if (mv_rvalid_ && mv_last_ && mv_sel_ == b) drain_[b] = rows_ + cols_ - 2;
    else if (drain_[b] != 0) --drain_[b];
  }
  mv_rvalid_ = mv_req;
  if (mv_req) {
    mv_sel_ = mm_sel_;
    mv_last_ = mm_it_.pos + 1 == mm_it_.banks.size();
    out_times_.push_back(t_ + 1 + rows_ + cols_ - 1);  // presented next cycle, out L cycles later
    if (++mm_it_.pos == mm_it_.banks.size()) mm_it_.busy = false;
  }

  // output side: a matmul completes the cycle after its last PSUM write
  bool out_last = false;
  size_t out_index = 0;
  if (arr_out) {
    if (shared_) shared_->pe_mark(t_ + 1, SharedTiming::kPsumWrite);  // psum wr_ready = !b_valid_q
    out_times_.pop_front();
    if (--fifo_.front().remaining == 0) {
      out_last = true;
      out_index = fifo_.front().index;
      fifo_.pop_front();
    }
  }
  done_q_ = out_last;
  done_index_ = out_index;

  if (accept == Op::kMatmul) {
    mm_sel_ = ld_bank_;
    mm_it_.busy = true;
    mm_it_.banks = inst->banks;
    mm_it_.pos = 0;
    fifo_.push_back({inst->index, inst->banks.size()});
  }
  if (accept != Op::kNone) rob_.push_back({inst->index, false});
  ++t_;
}

PeControl::Accepted PeEngine::describe(size_t i) const {
  const isa::Instruction& inst = queue_.insts[i];
  const isa::Ap& src = inst.ap("src");
  PeControl::Accepted a;
  a.index = i;
  const unsigned es = fp::info(src.dtype).bits / 8;
  for (int64_t o : ref::free_offsets(src)) a.banks.push_back(bank_of(src.addr + static_cast<uint64_t>(o * es), config_.sbuf_banks));
  a.m = static_cast<uint32_t>(a.banks.size());
  return a;
}

void PeEngine::on_retire(size_t index, uint64_t cycle) {
  complete(index, issue_[index], cycle);
  last_retire_ = cycle;
  any_retired_ = true;
}

void PeEngine::advance_to(uint64_t cycle) {
  auto retired = [this](size_t i, uint64_t c) { on_retire(i, c); };
  while (ctl_->cycle() < cycle) {
    if (ctl_->idle()) {
      ctl_->skip_to(cycle);
      break;
    }
    ctl_->step(PeControl::Op::kNone, nullptr, retired);
  }
}

void PeEngine::before_block() {
  // Publish the completions of everything in flight: run a copy of the control to empty.
  // Later instructions cannot change them (a matmul is only taken when no load is running,
  // and the stationary port never delays the moving one).
  PeControl ahead = *ctl_;
  auto publish_only = [this](size_t i, uint64_t c) { publish(i, c); };
  while (!ahead.rob_empty()) ahead.step(PeControl::Op::kNone, nullptr, publish_only);
}

namespace {
PeControl::Op op_of(const isa::Instruction& inst) {
  return inst.op->name == "load_stationary" ? PeControl::Op::kLoad : PeControl::Op::kMatmul;
}
}  // namespace

void PeEngine::seq_begin() {
  connect_memories();  // the thread may not have run yet
  seq_ctl_ = std::make_unique<PeControl>(static_cast<unsigned>(config_.rows), static_cast<unsigned>(config_.cols));
  seq_ctl_->set_shared(shared_);
  ctl_ = seq_ctl_.get();
  issue_.assign(queue_.insts.size(), 0);
}

bool PeEngine::seq_ready(size_t i) const { return ctl_->can_accept(op_of(queue_.insts[i])); }

void PeEngine::seq_cycle(const size_t* accept) {
  auto retired = [this](size_t i, uint64_t c) { on_retire(i, c); };
  if (!accept) {
    ctl_->step(PeControl::Op::kNone, nullptr, retired);
    return;
  }
  const size_t i = *accept;
  const isa::Instruction& inst = queue_.insts[i];
  const uint64_t t = ctl_->cycle();
  const PeControl::Accepted desc = describe(i);
  issue_[i] = t;
  last_pop_ = t;
  have_pop_ = true;
  next_ = i + 1;
  run_numerics(inst, t);
  checked(i, t);
  ctl_->step(op_of(inst), &desc, retired);
}

void PeEngine::seq_end() {
  record_.engines[queue_.engine].mem_stall_cycles = ctl_->st_conflicts();
  next_ = queue_.insts.size();
  ctl_ = nullptr;
  finish();
}

bool PeEngine::run_queue() {
  if (seq_mode_) return false;  // the fabric runs it (seq_*)
  PeControl ctl(static_cast<unsigned>(config_.rows), static_cast<unsigned>(config_.cols));
  ctl.set_shared(shared_);
  ctl_ = &ctl;
  issue_.assign(queue_.insts.size(), 0);
  auto retired = [this](size_t i, uint64_t c) { on_retire(i, c); };
  for (next_ = 0; next_ < queue_.insts.size(); ++next_) {
    const isa::Instruction& inst = queue_.insts[next_];
    if (inst.op->engine == "any") {
      // The nop waits for the registered in-flight count to reach 0.
      while (!ctl.rob_empty()) ctl.step(PeControl::Op::kNone, nullptr, retired);
      run_nop(next_, any_retired_ ? last_retire_ + 1 : 0);
      continue;
    }
    const uint64_t head = head_cycle(next_);
    const uint64_t lower = resolve_wait(inst, head, head);
    advance_to(lower);
    const PeControl::Op op = op_of(inst);
    while (!ctl.can_accept(op)) ctl.step(PeControl::Op::kNone, nullptr, retired);
    const PeControl::Accepted desc = describe(next_);
    issue_[next_] = ctl.cycle();
    last_pop_ = ctl.cycle();
    have_pop_ = true;
    run_numerics(inst, ctl.cycle());
    checked(next_, ctl.cycle());
    ctl.step(op, &desc, retired);
    keep_quantum(ctl.cycle());
  }
  while (!ctl.rob_empty()) ctl.step(PeControl::Op::kNone, nullptr, retired);
  record_.engines[queue_.engine].mem_stall_cycles = ctl.st_conflicts();
  ctl_ = nullptr;
  shared_->pe_state = SharedTiming::PeState::kDone;
  shared_->pe_progress.notify(sc_core::SC_ZERO_TIME);
  return true;
}

}  // namespace tessera::tlm
