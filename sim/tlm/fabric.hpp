// The engines that share memory ports and the AXI DRAM, stepped together cycle by cycle in one
// SystemC thread (docs/tlm.md "Fabric"): every DMA queue (dma_channel + dma_engine's AR/AW/W
// registers + the AXI DRAM's token bucket and latencies) and the act/dve engines (their port
// requests, round robin between them, behind the tensor engine and the DMA in the SBUF's and
// PSUM's fixed priorities), together with the sequencers of their queues. The tensor engine
// runs in its own thread ahead of this one: its port schedule depends on no lower-priority
// requester, and it publishes the banks it uses per cycle (SharedTiming) and its completions.
// The two threads synchronise on semaphores with zero-time events (see SharedTiming).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cosim/blocks.hpp"
#include "engine.hpp"

namespace tessera::tlm {

// Co-simulation (--rtl dma): makes the verilated DMA engine over the on-chip memories and the
// TLM DRAM; the fabric then steps it in place of its own DMA and AXI DRAM models.
using DmaFactory = std::function<std::unique_ptr<cosim::DmaBlock>(const ref::MemView&, ref::DramAccess&)>;
// Co-simulation (--rtl seq): makes the verilated sequencers; the fabric then runs every engine,
// the tensor engine (`pe`) included, cycle by cycle on the instructions they offer.
using SeqFactory = std::function<std::unique_ptr<cosim::SeqBlock>()>;
// Co-simulation (--rtl act / dve): makes the verilated act and dve engines; the fabric then steps
// the engines of `rtl_vec` (bit 0 act, bit 1 dve) in place of its own VecTiming and numerics.
using VecFactory = std::function<std::unique_ptr<cosim::VecBlock>(const ref::MemView&)>;

class PeEngine;

class Fabric : public sc_core::sc_module {
 public:
  Fabric(sc_core::sc_module_name name, const CoreConfig& config, Semaphores& sems, SharedTiming& shared,
         std::vector<Engine*> dma, std::vector<Engine*> ext, DmaFactory rtl_dma = nullptr,
         SeqFactory rtl_seq = nullptr, PeEngine* pe = nullptr, VecFactory rtl_vec = nullptr, unsigned vec_engines = 0);
  ~Fabric() override;
  // The timeline's DRAM and SBUF counters over a run of `cycles` (after sc_start).
  std::vector<kernels::TrafficSample> traffic(uint64_t cycles) const;
  // --rtl seq: why the run stopped early (a deadlock the sequencers detected: SimError; an
  // issued word that is not the program's instruction: CheckError), if it did.
  struct Failure {
    bool check = false;
    std::string message;
  };
  const std::optional<Failure>& failure() const;

 private:
  void thread();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::tlm
