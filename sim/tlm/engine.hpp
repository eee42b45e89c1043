// What every engine of the TLM model shares (docs/tlm.md): an initiator socket bound to SBUF
// [0], PSUM [1] and DRAM [2], an Executor for the numerics, the sequencer's timing helpers
// (fetch, head, semaphore wait, nop, issue) and, for engines that run their own queue (the
// tensor engine), a SystemC thread. The DMA and act/dve queues are run by the fabric
// (fabric.hpp), which calls the same helpers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "ref/executor.hpp"
#include "memories.hpp"
#include "kernels/runner.hpp"
#include "semaphores.hpp"

namespace tessera::cosim {
class Checker;
class MemBlock;
}

namespace tessera::tlm {

using ref::DramAccess;
using ref::Executor;
using ref::MemView;

// What the tensor engine's thread and the fabric's thread (fabric.hpp) share (docs/tlm.md
// "Time"). The tensor engine's port use per cycle: bits 0..15 the SBUF banks its moving and
// stationary ports hold (word address mod sbuf_banks; they come first in the SBUF's fixed
// priority), bit 17 the PSUM write port, which its accumulate writes block in the following cycle
// (psum.sv: wr_ready = !b_valid_q). Its schedule depends on no lower-priority requester.
//
// Synchronisation, without SystemC time: the tensor engine publishes every port use and
// completion of a cycle before it may be read. While it runs, everything before `pe_cycle`
// is published. When it blocks on a semaphore, it first publishes all of its in-flight work
// and then cannot act before max(lower, the cycle the semaphore's wait holds). The fabric
// steps cycle t only below that horizon; the tensor engine takes a wait's answer t as final
// once the fabric has stepped every cycle before t (`fabric_next` >= t). Both sides hand over
// with zero-time events.
struct SharedTiming {
  static constexpr unsigned kPsumRead = 16, kPsumWrite = 17;  // after the SBUF banks (<= 16)
  static constexpr uint32_t kSbufBankBits = 0xFFFFu;
  std::vector<uint32_t> pe_use;  // per cycle
  enum class PeState { kRunning, kBlocked, kDone } pe_state = PeState::kRunning;
  uint64_t pe_cycle = 0;
  unsigned pe_wait_sem = 0;
  uint32_t pe_wait_value = 0;
  uint64_t pe_wait_lower = 0;
  uint64_t fabric_next = 0;
  sc_core::sc_event pe_progress{"pe_progress"}, fabric_progress{"fabric_progress"};

  void pe_mark(uint64_t cycle, unsigned bit) {
    if (pe_use.size() <= cycle) pe_use.resize(2 * cycle + 1024, 0);
    pe_use[cycle] |= 1u << bit;
  }
  uint32_t pe_ports(uint64_t cycle) const { return cycle < pe_use.size() ? pe_use[cycle] : 0; }
};

// What the engines record; one per run.
struct RunRecord {
  std::vector<kernels::InstTiming> instructions;
  std::map<std::string, kernels::EngineTiming> engines;
  uint64_t last_done = 0;
};

class Fabric;

// --rtl sbuf / psum (cosim/blocks.hpp MemBlock): the verilated memories every engine's
// instructions pass through, made when the first engine has its DMI view of the memories.
struct MemBlocks {
  std::function<std::unique_ptr<cosim::MemBlock>(const ref::MemView&)> make_sbuf, make_psum;
  std::vector<std::unique_ptr<cosim::MemBlock>> blocks;
  bool made = false;
  void make(const ref::MemView& mem);
  ~MemBlocks();
};

class Engine : public sc_core::sc_module, public DramAccess {
  friend class Fabric;

 public:
  tlm_utils::multi_passthrough_initiator_socket<Engine> initiator_socket{"initiator_socket"};

  Engine(sc_core::sc_module_name name, const CoreConfig& config, const isa::Queue& queue, Semaphores& sems,
         uint64_t seed, RunRecord& record);

  // One line for a deadlock report: where the queue stands.
  std::string state() const;
  bool done() const { return next_ == queue_.insts.size() && drained_; }
  const Executor& executor() const { return exec_; }
  void set_shared(SharedTiming* shared) { shared_ = shared; }
  void set_checker(cosim::Checker* checker) { checker_ = checker; }
  void set_mem_blocks(MemBlocks* blocks) { mem_blocks_ = blocks; }
  const MemView& memories() const { return mem_; }

  // Binds the Executor to the memories (DMI); the fabric calls it for the queues it runs.
  void connect_memories();
  // Fills the engine's counters once its queue is done.
  void finish();

  void read(uint64_t addr, void* dst, uint64_t n) override;
  void write(uint64_t addr, const void* src, uint64_t n) override;
  // The DRAM's bytes in place, through DMI regions the DRAM target granted (kept: it never
  // revokes them); null when a target grants none covering all n bytes.
  uint8_t* direct(uint64_t addr, uint64_t n) override;

 protected:
  // Runs the queue; implemented per engine with the helpers below. Engines whose queue the
  // fabric runs have no thread (the constructor) and return false (passive).
  virtual bool run_queue() = 0;
  // Adds to the engine's semaphore stall count the cycles instruction `inst`, at the head of
  // its queue from cycle `head` and issued in cycle `issue`, waited for its semaphore.
  void count_sem_stall(const isa::Instruction& inst, uint64_t head, uint64_t issue);
  // Called before the thread blocks on a semaphore: publish every in-flight completion.
  virtual void before_block() {}

  // Cycle in which instruction `i` can first be at the sequencer's head: fetch of instruction
  // i returns in run cycle 1 + i at the earliest (one fetch per cycle, latency 1), and the head
  // advances the cycle after the previous one left it (FetchDepth 3 hides the fetch).
  uint64_t head_cycle(size_t i) const;
  // The first cycle >= lower in which the instruction's wait holds; synchronises with SystemC
  // time only when the stored signals do not already answer it. `head` feeds the
  // semaphore-stall counter.
  uint64_t resolve_wait(const isa::Instruction& inst, uint64_t head, uint64_t lower);
  // A nop: completes in the first cycle >= head where its wait holds and nothing of the
  // queue is in flight (`idle_from`: the cycle after the last completion).
  void run_nop(size_t i, uint64_t idle_from);
  // Records instruction i (issued in `issue`, done in `done`) and, unless `published` says it
  // already has been, stores its signal.
  void complete(size_t i, uint64_t issue, uint64_t done);
  void publish(size_t i, uint64_t done);
  // The instruction's numerics, at its accept in `cycle`: the executor on the memories, through
  // the RTL memory blocks when there are (MemBlock::prepare, the executor, MemBlock::commit).
  void run_numerics(const isa::Instruction& inst, uint64_t cycle);
  // Co-simulation: reports instruction i to the lockstep checker (cosim/checker.hpp) once its
  // writes are all in memory; on a mismatch the simulation stops here.
  void checked(size_t i, uint64_t cycle);
  // Lets SystemC time catch up when this engine is a quantum ahead.
  void keep_quantum(uint64_t local_cycle);

  CoreConfig config_;
  const isa::Queue& queue_;
  Semaphores& sems_;
  RunRecord& record_;
  Executor exec_;
  SharedTiming* shared_ = nullptr;
  cosim::Checker* checker_ = nullptr;
  MemBlocks* mem_blocks_ = nullptr;
  MemView mem_{};
  tlm_utils::tlm_quantumkeeper qk_;
  size_t next_ = 0;              // next instruction of the queue to issue
  uint64_t last_pop_ = 0;        // cycle the previous instruction left the head
  uint64_t numerics_cycle_ = 0;  // the cycle of the instruction run_numerics() executes
  bool have_pop_ = false;
  bool drained_ = false;
  bool blocked_ = false;         // waiting on a semaphore (deadlock report)
  std::vector<bool> published_;
  std::vector<std::pair<uint64_t, uint64_t>> busy_;  // (issue, done] per issued instruction

 private:
  void thread();
  std::vector<::tlm::tlm_dmi> dram_dmi_;  // granted DRAM regions, most recent last
};

}  // namespace tessera::tlm
