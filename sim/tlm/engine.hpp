// What every engine of the TLM model shares (docs/tlm.md): a SystemC thread that plays the
// engine's sequencer (rtl/seq/sequencer.sv timing: fetch, head, semaphore wait, nop, issue)
// and the engine itself, running ahead of SystemC time with a quantum keeper, an initiator
// socket bound to SBUF [0], PSUM [1] and DRAM [2], and an Executor for the numerics.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "executor.hpp"
#include "memories.hpp"
#include "kernels/runner.hpp"
#include "semaphores.hpp"

namespace tessera::tlm {

// What the engines record; one per run.
struct RunRecord {
  std::vector<kernels::InstTiming> instructions;
  std::map<std::string, kernels::EngineTiming> engines;
  uint64_t last_done = 0;
};

class Engine : public sc_core::sc_module, public DramAccess {
 public:
  tlm_utils::multi_passthrough_initiator_socket<Engine> initiator_socket{"initiator_socket"};

  Engine(sc_core::sc_module_name name, const CoreConfig& config, const isa::Queue& queue, Semaphores& sems,
         uint64_t seed, RunRecord& record);

  // One line for a deadlock report: where the queue stands.
  std::string state() const;
  bool done() const { return next_ == queue_.insts.size() && drained_; }
  const Executor& executor() const { return exec_; }

  void read(uint64_t addr, void* dst, uint64_t n) override;
  void write(uint64_t addr, const void* src, uint64_t n) override;

 protected:
  // Runs the queue; implemented per engine with the helpers below.
  virtual void run_queue() = 0;
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
  // Lets SystemC time catch up when this engine is a quantum ahead.
  void keep_quantum(uint64_t local_cycle);

  CoreConfig config_;
  const isa::Queue& queue_;
  Semaphores& sems_;
  RunRecord& record_;
  Executor exec_;
  tlm_utils::tlm_quantumkeeper qk_;
  size_t next_ = 0;              // next instruction of the queue to issue
  uint64_t last_pop_ = 0;        // cycle the previous instruction left the head
  bool have_pop_ = false;
  bool drained_ = false;
  bool blocked_ = false;         // waiting on a semaphore (deadlock report)
  std::vector<bool> published_;
  std::vector<std::pair<uint64_t, uint64_t>> busy_;  // (issue, done] per issued instruction

 private:
  void thread();
  void connect_memories();
};

}  // namespace tessera::tlm
