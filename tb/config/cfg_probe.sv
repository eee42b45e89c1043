// Exposes every parameter of tessera_cfg_pkg on output ports, so that a testbench can check
// that the package generated for a preset says what the C++ preset table says.
module cfg_probe
  import tessera_cfg_pkg::*;
(
  output logic [31:0] array_rows_o,
  output logic [31:0] array_cols_o,
  output logic [31:0] moving_max_n_o,
  output logic [31:0] psum_banks_o,
  output logic [31:0] sbuf_bytes_per_partition_o,
  output logic [31:0] sbuf_banks_o,
  output logic [31:0] dma_queues_o,
  output logic [63:0] dram_bytes_o,
  output logic [31:0] dram_bytes_per_cycle_o,
  output logic [31:0] dram_latency_cycles_o,
  output logic [31:0] clock_mhz_o
);
  assign array_rows_o               = ArrayRows;
  assign array_cols_o               = ArrayCols;
  assign moving_max_n_o             = MovingMaxN;
  assign psum_banks_o               = PsumBanks;
  assign sbuf_bytes_per_partition_o = SbufBytesPerPartition;
  assign sbuf_banks_o               = SbufBanks;
  assign dma_queues_o               = DmaQueues;
  assign dram_bytes_o               = DramBytes;
  assign dram_bytes_per_cycle_o     = DramBytesPerCycle;
  assign dram_latency_cycles_o      = DramLatencyCycles;
  assign clock_mhz_o                = ClockMhz;
endmodule
