// The SystemVerilog package generated for a preset equals the C++ preset table: both come
// from configs/presets.json, and this catches either generator drifting.
#include <catch2/catch.hpp>
#include <memory>

#include "Vcfg_probe.h"
#include "config/core_config.hpp"
#include "verilated.h"

TEST_CASE("tessera_cfg_pkg matches the C++ preset", "[config][rtl]") {
  auto context = std::make_unique<VerilatedContext>();
  Vcfg_probe probe{context.get()};
  probe.eval();
  const tessera::CoreConfig& c = tessera::preset(TESSERA_PRESET);
  CHECK(probe.array_rows_o == c.rows);
  CHECK(probe.array_cols_o == c.cols);
  CHECK(probe.moving_max_n_o == c.moving_max_n);
  CHECK(probe.psum_banks_o == c.psum_banks);
  CHECK(probe.sbuf_bytes_per_partition_o == c.sbuf_bytes_per_partition);
  CHECK(probe.sbuf_banks_o == c.sbuf_banks);
  CHECK(probe.dma_queues_o == c.dma_queues);
  CHECK(probe.dram_bytes_o == c.dram_bytes);
  CHECK(probe.dram_bytes_per_cycle_o == c.dram_bytes_per_cycle);
  CHECK(probe.dram_latency_cycles_o == c.dram_latency_cycles);
  CHECK(probe.clock_mhz_o == c.clock_mhz);
  probe.final();
}
