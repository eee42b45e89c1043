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
  // huge_pages: see ref::ZeroedBytes (PSUM, not the SBUF).
  OnChipMemory(sc_core::sc_module_name name, uint64_t rows, uint64_t partition_bytes, bool huge_pages);
  uint64_t partition_bytes() const { return partition_bytes_; }

 private:
  void b_transport(int id, ::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(int id, ::tlm::tlm_generic_payload& tx, ::tlm::tlm_dmi& dmi);
  unsigned transport_dbg(int id, ::tlm::tlm_generic_payload& tx);
  bool access(::tlm::tlm_generic_payload& tx);
  uint64_t partition_bytes_;
  ref::ZeroedBytes bytes_;
};

// DRAM: data in a ref::Dram, reached by transport_dbg, by b_transport (which adds the
// configured latency) and by DMI, one 2 MiB page of the ref::Dram per grant (the pages never
// move, so a grant is never revoked). Its bandwidth and timing are the fabric's (fabric.hpp),
// which steps the AXI DRAM model cycle by cycle.
class DramMemory : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<DramMemory> target_socket{"target_socket"};
  DramMemory(sc_core::sc_module_name name, const CoreConfig& config, ref::Dram& dram);

 private:
  void b_transport(int id, ::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(int id, ::tlm::tlm_generic_payload& tx, ::tlm::tlm_dmi& dmi);
  unsigned transport_dbg(int id, ::tlm::tlm_generic_payload& tx);
  ref::Dram& dram_;
  uint64_t latency_;
};

}  // namespace tessera::tlm
