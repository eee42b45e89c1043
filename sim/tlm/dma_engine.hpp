// One DMA queue (docs/dma.md): one dma_copy at a time, the next accepted in the done cycle.
// The transfer's completion comes from an element pipeline (docs/tlm.md "DMA"): walkers at
// one element per cycle with a bubble per on-chip partition, DRAM bursts formed like
// dma_burst_former and timed by the DRAM's b_transport (latency, shared bandwidth), writes
// complete at the B response; on-chip to on-chip copies share the queue's one memory port.
#pragma once

#include "engine.hpp"

namespace tessera::tlm {

class DmaEngine : public Engine {
 public:
  using Engine::Engine;

 protected:
  void run_queue() override;

 private:
  uint64_t transfer_done(const isa::Instruction& inst, uint64_t accept);
  // The DRAM's answer for a burst of `beats` requested in cycle `request`.
  struct BurstTime {
    uint64_t first_beat, last_beat, end;
  };
  BurstTime dram_burst(bool write, uint64_t addr, uint64_t beats, uint64_t request);
};

}  // namespace tessera::tlm
