// The AXI4 master ports of a verilated model (tessera_core, or dma_engine alone in
// co-simulation) to and from the AxiDram slave's structs. Generic over the model class: the
// port names are the same in both tops.
#pragma once

#include <cstring>

#include "axi_dram.hpp"
#include "port_bits.hpp"

namespace tessera::rtl {

template <class Model>
void apply_axi(Model& m, const AxiMasterIn& s) {
  m.axi_ar_ready_i = s.ar_ready;
  m.axi_r_valid_i = s.r_valid;
  m.axi_r_id_i = s.r_id;
  m.axi_r_resp_i = s.r_resp;
  m.axi_r_last_i = s.r_last;
  for (unsigned i = 0; i < s.r_data.size(); i += 4) {
    uint32_t v = 0;
    std::memcpy(&v, s.r_data.data() + i, 4);
    set_word(m.axi_r_data_i, 8 * i, v);
  }
  m.axi_aw_ready_i = s.aw_ready;
  m.axi_w_ready_i = s.w_ready;
  m.axi_b_valid_i = s.b_valid;
  m.axi_b_id_i = s.b_id;
  m.axi_b_resp_i = s.b_resp;
}

template <class Model>
void sample_axi(Model& m, unsigned axi_bytes, AxiMasterOut& o) {
  o.ar_valid = m.axi_ar_valid_o;
  o.ar_id = m.axi_ar_id_o;
  o.ar_addr = m.axi_ar_addr_o;
  o.ar_len = m.axi_ar_len_o;
  o.ar_size = m.axi_ar_size_o;
  o.ar_burst = m.axi_ar_burst_o;
  o.r_ready = m.axi_r_ready_o;
  o.aw_valid = m.axi_aw_valid_o;
  o.aw_id = m.axi_aw_id_o;
  o.aw_addr = m.axi_aw_addr_o;
  o.aw_len = m.axi_aw_len_o;
  o.aw_size = m.axi_aw_size_o;
  o.aw_burst = m.axi_aw_burst_o;
  o.w_valid = m.axi_w_valid_o;
  o.w_last = m.axi_w_last_o;
  o.b_ready = m.axi_b_ready_o;
  o.w_data.resize(axi_bytes);
  o.w_strb.resize(axi_bytes);
  if (o.w_valid) {
    for (unsigned i = 0; i < axi_bytes; i += 4) {
      const uint32_t v = get_word(m.axi_w_data_o, 8 * i);
      std::memcpy(o.w_data.data() + i, &v, 4);
    }
    for (unsigned i = 0; i < axi_bytes; ++i) o.w_strb[i] = static_cast<uint8_t>(get_bits(m.axi_w_strb_o, i, 1));
  }
}

}  // namespace tessera::rtl
