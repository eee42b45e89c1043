// Co-simulation top (docs/cosim.md): the sequencers, semaphores and deadlock detector alone
// (rtl/seq/seq_cluster.sv), with the core's queues (pe, act, dve, dma0..); the transactor
// serves their instruction fetches and plays the TLM engines' ready and done.
module cosim_seq
  import tessera_isa_pkg::*;
#(
  localparam int unsigned Queues = 3 + tessera_cfg_pkg::DmaQueues
) (
  input  logic                            clk_i,
  input  logic                            rst_ni,
  input  logic                            start_i,
  input  logic [Queues-1:0][31:0]         len_i,
  output logic                            finished_o,
  output logic                            deadlock_o,
  output logic [Queues-1:0]               fetch_valid_o,
  input  logic [Queues-1:0]               fetch_ready_i,
  output logic [Queues-1:0][31:0]         fetch_idx_o,
  input  logic [Queues-1:0]               fetch_rvalid_i,
  input  logic [Queues-1:0][WordBits-1:0] fetch_rdata_i,
  output logic [Queues-1:0]               inst_valid_o,
  input  logic [Queues-1:0]               inst_ready_i,
  output logic [Queues-1:0][WordBits-1:0] inst_o,
  input  logic [Queues-1:0][1:0]          done_i,
  output logic [Queues-1:0][31:0]         cnt_insts_o,
  output logic [Queues-1:0][31:0]         cnt_busy_o,
  output logic [Queues-1:0][31:0]         cnt_sem_stall_o
);
  seq_cluster #(.Queues(Queues)) u_seq (.*);
endmodule
