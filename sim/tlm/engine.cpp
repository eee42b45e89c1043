#include "engine.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cosim/blocks.hpp"
#include "cosim/checker.hpp"

namespace tessera::tlm {

Engine::Engine(sc_core::sc_module_name name, const CoreConfig& config, const isa::Queue& queue, Semaphores& sems,
               uint64_t seed, RunRecord& record)
    : sc_module(name),
      config_(config),
      queue_(queue),
      sems_(sems),
      record_(record),
      exec_(config, seed),
      published_(queue.insts.size(), false) {
  // Only the tensor engine runs its queue in a thread of its own: the fabric's thread runs the
  // DMA and act/dve queues (and binds their memories), so their engines need no process, whose
  // coroutine stack and start-up would cost more than the whole of some of their runs.
  SC_HAS_PROCESS(Engine);
  if (isa::engine_class(queue.engine) == "pe") SC_THREAD(thread);
}

void Engine::connect_memories() {
  MemView mem;
  uint8_t* base[2] = {nullptr, nullptr};
  for (int m = 0; m < 2; ++m) {
    ::tlm::tlm_generic_payload tx;
    ::tlm::tlm_dmi dmi;
    tx.set_address(0);
    tx.set_command(::tlm::TLM_READ_COMMAND);
    if (!initiator_socket[m]->get_direct_mem_ptr(tx, dmi)) throw std::logic_error("on-chip memory without DMI");
    base[m] = dmi.get_dmi_ptr();
  }
  mem.sbuf = base[0];
  mem.psum = base[1];
  mem.sbuf_partition_bytes = config_.sbuf_bytes_per_partition;
  mem.psum_partition_bytes = config_.psum_banks * config_.psum_bank_bytes_per_partition();
  mem.dram = this;
  mem_ = mem;
  exec_.set_memories(mem);
  if (mem_blocks_) mem_blocks_->make(mem);
}

void MemBlocks::make(const ref::MemView& mem) {
  if (made) return;
  made = true;
  if (make_sbuf) blocks.push_back(make_sbuf(mem));
  if (make_psum) blocks.push_back(make_psum(mem));
}
MemBlocks::~MemBlocks() = default;

void Engine::run_numerics(const isa::Instruction& inst, uint64_t cycle) {
  numerics_cycle_ = cycle;
  if (!mem_blocks_ || mem_blocks_->blocks.empty()) {
    exec_.execute(inst);
    return;
  }
  isa::Instruction run = inst;
  for (auto& b : mem_blocks_->blocks) b->prepare(run, cycle);
  exec_.execute(run);
  for (auto& b : mem_blocks_->blocks) b->commit(inst, cycle);
}

void Engine::read(uint64_t addr, void* dst, uint64_t n) {
  ::tlm::tlm_generic_payload tx;
  tx.set_command(::tlm::TLM_READ_COMMAND);
  tx.set_address(addr);
  tx.set_data_ptr(static_cast<unsigned char*>(dst));
  tx.set_data_length(static_cast<unsigned>(n));
  initiator_socket[2]->transport_dbg(tx);
}

void Engine::write(uint64_t addr, const void* src, uint64_t n) {
  ::tlm::tlm_generic_payload tx;
  tx.set_command(::tlm::TLM_WRITE_COMMAND);
  tx.set_address(addr);
  tx.set_data_ptr(const_cast<unsigned char*>(static_cast<const unsigned char*>(src)));
  tx.set_data_length(static_cast<unsigned>(n));
  initiator_socket[2]->transport_dbg(tx);
}

uint8_t* Engine::direct(uint64_t addr, uint64_t n) {
  if (n == 0) return nullptr;
  const uint64_t last = addr + n - 1;
  const auto in = [&](const ::tlm::tlm_dmi& d) -> uint8_t* {  // d holds addr: all n bytes, or null
    return last <= d.get_end_address() ? d.get_dmi_ptr() + (addr - d.get_start_address()) : nullptr;
  };
  for (auto it = dram_dmi_.rbegin(); it != dram_dmi_.rend(); ++it)
    if (it->get_start_address() <= addr && addr <= it->get_end_address()) return in(*it);
  ::tlm::tlm_generic_payload tx;
  tx.set_command(::tlm::TLM_WRITE_COMMAND);  // read and write access
  tx.set_address(addr);
  ::tlm::tlm_dmi dmi;
  if (!initiator_socket[2]->get_direct_mem_ptr(tx, dmi) || !dmi.is_read_write_allowed() ||
      dmi.get_start_address() > addr || addr > dmi.get_end_address())
    return nullptr;
  dram_dmi_.push_back(dmi);
  return in(dmi);
}

void Engine::thread() {
  connect_memories();
  qk_.reset();
  if (run_queue()) finish();
}

void Engine::finish() {
  drained_ = true;
  // Counters: busy = cycles with something in flight, i.e. the union of (issue, done].
  kernels::EngineTiming& t = record_.engines[queue_.engine];
  std::sort(busy_.begin(), busy_.end());
  uint64_t covered = 0;
  for (const auto& [lo, hi] : busy_) {
    const uint64_t from = std::max(lo, covered);
    if (hi > from) t.busy_cycles += hi - from;
    covered = std::max(covered, hi);
  }
  t.instructions = queue_.insts.size();
}

uint64_t Engine::head_cycle(size_t i) const {
  const uint64_t fetched = 2 + i;
  return have_pop_ ? std::max(fetched, last_pop_ + 1) : fetched;
}

uint64_t Engine::resolve_wait(const isa::Instruction& inst, uint64_t head, uint64_t lower) {
  // The tensor engine's side of the handshake with the fabric (SharedTiming).
  uint64_t result = lower;
  if (inst.wait_en && sems_.known_time(inst.wait_sem, inst.wait_value) > lower) {
    before_block();
    blocked_ = true;
    shared_->pe_wait_sem = inst.wait_sem;
    shared_->pe_wait_value = inst.wait_value;
    shared_->pe_wait_lower = lower;
    shared_->pe_state = SharedTiming::PeState::kBlocked;
    for (;;) {
      const uint64_t known = sems_.known_time(inst.wait_sem, inst.wait_value);
      const uint64_t t = std::max(lower, known);
      // Signals still to come have cycles >= fabric_next, visible after it.
      if (known != kNever && t <= shared_->fabric_next) {
        result = t;
        break;
      }
      shared_->pe_progress.notify(sc_core::SC_ZERO_TIME);
      if (known == kNever && shared_->fabric_next == kNever) sc_core::wait(sems_.changed());  // deadlock: stays blocked
      else sc_core::wait(shared_->fabric_progress);
    }
    blocked_ = false;
    shared_->pe_state = SharedTiming::PeState::kRunning;
  }
  count_sem_stall(inst, head, result);
  return result;
}

void Engine::count_sem_stall(const isa::Instruction& inst, uint64_t head, uint64_t issue) {
  if (!inst.wait_en) return;
  const uint64_t sem_ok = std::max(head, sems_.known_time(inst.wait_sem, inst.wait_value));
  record_.engines[queue_.engine].sem_stall_cycles += std::min(sem_ok, issue) - head;
}

void Engine::run_nop(size_t i, uint64_t idle_from) {
  const isa::Instruction& inst = queue_.insts[i];
  const uint64_t head = head_cycle(i);
  const uint64_t t = resolve_wait(inst, head, std::max(head, idle_from));
  complete(i, t, t);
  last_pop_ = t;
  have_pop_ = true;
}

void Engine::publish(size_t i, uint64_t done) {
  if (published_[i]) return;
  published_[i] = true;
  const isa::Instruction& inst = queue_.insts[i];
  if (inst.signal_en) sems_.signal(inst.signal_sem, done);
}

void Engine::complete(size_t i, uint64_t issue, uint64_t done) {
  publish(i, done);
  record_.instructions.push_back({queue_.engine, static_cast<uint32_t>(i), issue, done});
  record_.last_done = std::max(record_.last_done, done);
  if (queue_.insts[i].op->engine != "any") busy_.push_back({issue, done});
}

void Engine::checked(size_t i, uint64_t cycle) {
  if (!checker_) return;
  checker_->set_real(mem_);  // the simulated memories: SBUF/PSUM by DMI, DRAM by this socket
  if (checker_->check(queue_.engine, i, queue_.insts[i], cycle)) return;
  // The first divergence: stop SystemC and never come back (run_tlm reports it).
  sc_core::sc_stop();
  sc_core::wait(sc_core::sc_max_time());
}

void Engine::keep_quantum(uint64_t local_cycle) {
  // The tensor engine runs ahead until it blocks; it only records how far it has published.
  shared_->pe_cycle = local_cycle;
}

std::string Engine::state() const {
  if (next_ >= queue_.insts.size()) return fmt::format("{}: done ({} instructions)", queue_.engine, queue_.insts.size());
  const isa::Instruction& inst = queue_.insts[next_];
  const uint64_t now = kNever;  // count every signal stored (SystemC time does not advance)
  if (inst.wait_en)
    return fmt::format("{}: instruction {} waits for s{} >= {} (s{} = {}): {}", queue_.engine, next_, inst.wait_sem,
                       inst.wait_value, inst.wait_sem, sems_.value_at(inst.wait_sem, now), isa::to_text(inst));
  return fmt::format("{}: instruction {}: {}", queue_.engine, next_, isa::to_text(inst));
}

}  // namespace tessera::tlm
