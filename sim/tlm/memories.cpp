#include "memories.hpp"

#include <algorithm>
#include <cstring>

namespace tessera::tlm {

OnChipMemory::OnChipMemory(sc_core::sc_module_name name, uint64_t rows, uint64_t partition_bytes, bool huge_pages)
    : sc_module(name), partition_bytes_(partition_bytes), bytes_(rows * partition_bytes, huge_pages) {
  target_socket.register_b_transport(this, &OnChipMemory::b_transport);
  target_socket.register_get_direct_mem_ptr(this, &OnChipMemory::get_direct_mem_ptr);
  target_socket.register_transport_dbg(this, &OnChipMemory::transport_dbg);
}

bool OnChipMemory::access(::tlm::tlm_generic_payload& tx) {
  const uint64_t addr = tx.get_address(), n = tx.get_data_length();
  if (addr + n > bytes_.size()) {
    tx.set_response_status(::tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  if (tx.is_write()) std::memcpy(bytes_.data() + addr, tx.get_data_ptr(), n);
  else if (tx.is_read()) std::memcpy(tx.get_data_ptr(), bytes_.data() + addr, n);
  tx.set_response_status(::tlm::TLM_OK_RESPONSE);
  return true;
}

void OnChipMemory::b_transport(int, ::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
  // One word row per cycle through one port (docs/sbuf.md); the engines' own timing models
  // account for their accesses, this path serves tools and tests.
  if (access(tx)) delay += cycle_time() * static_cast<double>((tx.get_data_length() + 3) / 4);
  tx.set_dmi_allowed(true);
}

bool OnChipMemory::get_direct_mem_ptr(int, ::tlm::tlm_generic_payload&, ::tlm::tlm_dmi& dmi) {
  dmi.set_dmi_ptr(bytes_.data());
  dmi.set_start_address(0);
  dmi.set_end_address(bytes_.size() - 1);
  dmi.allow_read_write();
  dmi.set_read_latency(cycle_time());
  dmi.set_write_latency(cycle_time());
  return true;
}

unsigned OnChipMemory::transport_dbg(int, ::tlm::tlm_generic_payload& tx) {
  return access(tx) ? tx.get_data_length() : 0;
}

DramMemory::DramMemory(sc_core::sc_module_name name, const CoreConfig& config, ref::Dram& dram)
    : sc_module(name),
      dram_(dram),
      latency_(config.dram_latency_cycles) {
  target_socket.register_b_transport(this, &DramMemory::b_transport);
  target_socket.register_get_direct_mem_ptr(this, &DramMemory::get_direct_mem_ptr);
  target_socket.register_transport_dbg(this, &DramMemory::transport_dbg);
}

bool DramMemory::get_direct_mem_ptr(int, ::tlm::tlm_generic_payload& tx, ::tlm::tlm_dmi& dmi) {
  const uint64_t addr = tx.get_address();
  if (addr >= dram_.size()) return false;
  const ref::Dram::Page page = dram_.page(addr);
  dmi.set_dmi_ptr(page.data);
  dmi.set_start_address(page.base);
  dmi.set_end_address(page.base + page.size - 1);
  dmi.allow_read_write();
  dmi.set_read_latency(cycle_time() * static_cast<double>(latency_));
  dmi.set_write_latency(cycle_time() * static_cast<double>(latency_));
  return true;
}

void DramMemory::b_transport(int, ::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
  transport_dbg(0, tx);
  delay += cycle_time() * static_cast<double>(latency_);
}

unsigned DramMemory::transport_dbg(int, ::tlm::tlm_generic_payload& tx) {
  const uint64_t addr = tx.get_address(), n = tx.get_data_length();
  if (addr + n > dram_.size()) {
    tx.set_response_status(::tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return 0;
  }
  if (tx.is_write()) dram_.write(addr, tx.get_data_ptr(), n);
  else if (tx.is_read()) dram_.read(addr, tx.get_data_ptr(), n);
  tx.set_response_status(::tlm::TLM_OK_RESPONSE);
  return static_cast<unsigned>(n);
}

}  // namespace tessera::tlm
