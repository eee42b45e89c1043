// The TLM model's memories (docs/tlm.md): SBUF and PSUM as byte arrays behind a target socket
// that grants DMI for the whole array (the engines compute on them directly), and the DRAM,
// whose b_transport models the AXI DRAM's bandwidth and latency for DMA bursts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "config/core_config.hpp"
#include "ref/memory.hpp"

namespace tessera::tlm {

// One core cycle of simulated time (docs/tlm.md: cycles, not the preset's clock period).
inline sc_core::sc_time cycle_time() { return sc_core::sc_time(1, sc_core::SC_NS); }
inline uint64_t to_cycles(const sc_core::sc_time& t) { return t.value() / cycle_time().value(); }

// SBUF or PSUM: `rows` partitions of `partition_bytes`, partition-major.
class OnChipMemory : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<OnChipMemory> target_socket{"target_socket"};
  OnChipMemory(sc_core::sc_module_name name, uint64_t rows, uint64_t partition_bytes);
  uint64_t partition_bytes() const { return partition_bytes_; }

 private:
  void b_transport(int id, ::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(int id, ::tlm::tlm_generic_payload& tx, ::tlm::tlm_dmi& dmi);
  unsigned transport_dbg(int id, ::tlm::tlm_generic_payload& tx);
  bool access(::tlm::tlm_generic_payload& tx);
  uint64_t partition_bytes_;
  std::vector<uint8_t> bytes_;
};

// Marks a DRAM b_transport as a timing-only burst: the DMA moves the data with transport_dbg
// when it executes the instruction, and asks the DRAM only when each burst's beats are on the
// bus. On return: `first_beat` and `last_beat` cycles; delay ends at the last beat (reads) or
// at the B response (writes).
struct DramBurst : ::tlm::tlm_extension<DramBurst> {
  uint64_t beats = 0;
  uint64_t first_beat = 0, last_beat = 0;
  ::tlm::tlm_extension_base* clone() const override { return new DramBurst(*this); }
  void copy_from(const ::tlm::tlm_extension_base& other) override { *this = static_cast<const DramBurst&>(other); }
};

// DRAM: functional data in a ref::Dram (transport_dbg and plain b_transport), and a bandwidth
// calendar for DramBurst transactions: the bus is cut into beat slots of AxiBytes /
// bytes_per_cycle cycles (the AXI DRAM model's token bucket in steady state); each beat takes
// the first free slot at or after its earliest cycle (a read's first beat `latency` cycles after
// its request, the next beats after it), so engines that run ahead of SystemC time can reserve
// out of time order without pushing earlier requests back. A write's B response comes
// `latency` cycles after its last beat.
class DramMemory : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<DramMemory> target_socket{"target_socket"};
  DramMemory(sc_core::sc_module_name name, const CoreConfig& config, ref::Dram& dram);
  static unsigned axi_bytes(const CoreConfig& config);
  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  void b_transport(int id, ::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
  unsigned transport_dbg(int id, ::tlm::tlm_generic_payload& tx);
  ref::Dram& dram_;
  unsigned axi_bytes_;
  double beat_cycles_;
  uint64_t latency_;
  std::vector<bool> slot_used_;  // beat slots of the bus calendar
  uint64_t bytes_read_ = 0, bytes_written_ = 0;
};

}  // namespace tessera::tlm
