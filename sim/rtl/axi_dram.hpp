// Cycle-level AXI4 slave over the reference DRAM (docs/dma.md "DRAM model"): the memory
// behind the verilated DMA engine. Token-bucket bandwidth, fixed read and write-response
// latency, optional seeded random back-pressure, SLVERR for addresses outside the DRAM.
//
// Two-phase use per clock cycle, correct for a verilated master:
//   const AxiMasterIn& in = dram.drive();   // slave outputs, from state only; apply them
//   ... eval the master, sample its outputs into `out` (the values at the rising edge) ...
//   ... clock edge ...
//   dram.commit(out);                       // handshakes = valid && ready of that cycle
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <vector>

#include "config/core_config.hpp"
#include "ref/memory.hpp"

namespace tessera::rtl {

// The core's AXI data width in bytes (docs/core.md): the smallest power of two >= the
// configured DRAM bytes per cycle, at least 8.
unsigned axi_bytes(const CoreConfig& config);

struct AxiMasterOut {
  bool ar_valid = false;
  uint32_t ar_id = 0;
  uint64_t ar_addr = 0;
  uint8_t ar_len = 0, ar_size = 0, ar_burst = 1;
  bool r_ready = false;
  bool aw_valid = false;
  uint32_t aw_id = 0;
  uint64_t aw_addr = 0;
  uint8_t aw_len = 0, aw_size = 0, aw_burst = 1;
  bool w_valid = false;
  std::vector<uint8_t> w_data;  // axi_bytes
  std::vector<uint8_t> w_strb;  // axi_bytes, 0 or 1 per byte
  bool w_last = false;
  bool b_ready = false;
};

struct AxiMasterIn {
  bool ar_ready = false;
  bool r_valid = false;
  uint32_t r_id = 0;
  std::vector<uint8_t> r_data;  // axi_bytes
  uint8_t r_resp = 0;
  bool r_last = false;
  bool aw_ready = false;
  bool w_ready = false;
  bool b_valid = false;
  uint32_t b_id = 0;
  uint8_t b_resp = 0;
};

struct AxiDramStats {
  uint64_t cycles = 0;
  uint64_t busy_cycles = 0;  // cycles with a transaction accepted and not yet finished
  uint64_t bytes_read = 0;   // R beats x axi_bytes
  uint64_t bytes_written = 0;  // W bytes with their strobe set
  uint64_t r_beats = 0, w_beats = 0;
  uint64_t ar_bursts = 0, aw_bursts = 0;
  uint64_t errors = 0;           // SLVERR responses given
  uint64_t protocol_errors = 0;  // W last mismatches, unsupported size/burst
};

class AxiDram {
 public:
  // bytes_per_cycle may be fractional; latency_cycles >= 1. backpressure_seed 0 = none, else
  // each ready/valid of the slave drops with probability backpressure_prob per cycle.
  AxiDram(ref::Dram& dram, unsigned axi_bytes, double bytes_per_cycle, unsigned latency_cycles,
          uint64_t backpressure_seed = 0, double backpressure_prob = 0.0);
  // The same over any DRAM store of `size` bytes (co-simulation: the TLM DRAM's socket).
  AxiDram(ref::DramAccess& mem, uint64_t size, unsigned axi_bytes, double bytes_per_cycle, unsigned latency_cycles,
          uint64_t backpressure_seed = 0, double backpressure_prob = 0.0);

  const AxiMasterIn& drive();
  void commit(const AxiMasterOut& out);

  const AxiDramStats& stats() const { return stats_; }
  uint64_t cycle() const { return cycle_; }
  bool idle() const { return reads_.empty() && writes_.empty() && bresps_.empty(); }

 private:
  AxiDram(std::unique_ptr<ref::DramPort> own, ref::DramAccess* mem, uint64_t size, unsigned axi_bytes,
          double bytes_per_cycle, unsigned latency_cycles, uint64_t backpressure_seed, double backpressure_prob);
  struct Burst {
    uint32_t id;
    uint64_t addr;
    unsigned beats;
    unsigned done = 0;
    uint64_t ready_cycle;  // reads: first beat not before this cycle
    bool error = false;
  };
  struct BResp {
    uint32_t id;
    uint64_t cycle;
    bool error;
  };
  bool in_range(uint64_t addr, unsigned beats) const;
  bool drop();

  std::unique_ptr<ref::DramPort> own_port_;  // when built over a ref::Dram
  ref::DramAccess& dram_;
  uint64_t size_;
  unsigned axi_bytes_;
  double rate_, capacity_, tokens_;
  unsigned latency_;
  std::mt19937_64 rng_;
  double prob_;
  bool random_;
  uint64_t cycle_ = 0;
  std::deque<Burst> reads_, writes_;
  std::deque<BResp> bresps_;
  AxiMasterIn in_;
  AxiDramStats stats_;
  static constexpr size_t kMaxOutstanding = 64;
};

}  // namespace tessera::rtl
