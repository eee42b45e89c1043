// Testbench top of the sequencer tests (docs/seq.md): Queues sequencers sharing one semaphore
// block and the deadlock detector, wired as in the core; fetch, engines and completions are
// driven by the C++ harness (tb/seq/test_seq.cpp).
module seq_top
  import tessera_isa_pkg::*;
#(
  parameter int unsigned Queues = 4,
  parameter int unsigned FetchDepth = 3,
  parameter int unsigned InflightDepth = 8,
  localparam int unsigned SemBits = HdrWaitSemBits
) (
  input  logic                              clk_i,
  input  logic                              rst_ni,
  input  logic                              start_i,
  input  logic [Queues-1:0][31:0]           len_i,
  output logic [Queues-1:0]                 fetch_valid_o,
  input  logic [Queues-1:0]                 fetch_ready_i,
  output logic [Queues-1:0][31:0]           fetch_idx_o,
  input  logic [Queues-1:0]                 fetch_rvalid_i,
  input  logic [Queues-1:0][WordBits-1:0]   fetch_rdata_i,
  output logic [Queues-1:0]                 inst_valid_o,
  input  logic [Queues-1:0]                 inst_ready_i,
  output logic [Queues-1:0][WordBits-1:0]   inst_o,
  input  logic [Queues-1:0][1:0]            done_i,
  input  logic                              engines_idle_i,
  output logic [Queues-1:0]                 finished_o,
  output logic [Queues-1:0]                 blocked_o,
  output logic [Queues-1:0]                 inflight_o,
  output logic [Queues-1:0][31:0]           insts_o,
  output logic [Queues-1:0][31:0]           busy_cycles_o,
  output logic [Queues-1:0][31:0]           sem_stall_cycles_o,
  output logic [Queues-1:0][31:0]           issue_stall_cycles_o,
  output logic [Semaphores-1:0][31:0]       sem_value_o,
  output logic                              deadlock_o,
  output logic                              all_finished_o
);
  logic [Queues-1:0]               wait_en, wait_ok;
  logic [Queues-1:0][SemBits-1:0]  wait_sem;
  logic [Queues-1:0][31:0]         wait_value, wait_value_gated;
  logic [Queues-1:0][1:0]          sig_valid;
  logic [Queues-1:0][1:0][SemBits-1:0] sig_sem;

  for (genvar q = 0; q < Queues; q++) begin : g_queue
    sequencer #(
      .FetchDepth(FetchDepth),
      .InflightDepth(InflightDepth)
    ) u_seq (
      .clk_i(clk_i),
      .rst_ni(rst_ni),
      .start_i(start_i),
      .len_i(len_i[q]),
      .fetch_valid_o(fetch_valid_o[q]),
      .fetch_ready_i(fetch_ready_i[q]),
      .fetch_idx_o(fetch_idx_o[q]),
      .fetch_rvalid_i(fetch_rvalid_i[q]),
      .fetch_rdata_i(fetch_rdata_i[q]),
      .wait_en_o(wait_en[q]),
      .wait_sem_o(wait_sem[q]),
      .wait_value_o(wait_value[q]),
      .wait_ok_i(wait_ok[q]),
      .inst_valid_o(inst_valid_o[q]),
      .inst_ready_i(inst_ready_i[q]),
      .inst_o(inst_o[q]),
      .done_i(done_i[q]),
      .sig_valid_o(sig_valid[q]),
      .sig_sem_o(sig_sem[q]),
      .finished_o(finished_o[q]),
      .blocked_o(blocked_o[q]),
      .inflight_o(inflight_o[q]),
      .insts_o(insts_o[q]),
      .busy_cycles_o(busy_cycles_o[q]),
      .sem_stall_cycles_o(sem_stall_cycles_o[q]),
      .issue_stall_cycles_o(issue_stall_cycles_o[q])
    );
    // A disabled wait compares against 0, which always holds (the sequencer ignores it anyway).
    assign wait_value_gated[q] = wait_en[q] ? wait_value[q] : 32'd0;
  end

  semaphores #(
    .Queues(Queues),
    .Sems(Semaphores)
  ) u_sems (
    .clk_i(clk_i),
    .rst_ni(rst_ni),
    .clear_i(start_i),
    .inc_valid_i(sig_valid),
    .inc_sem_i(sig_sem),
    .wait_sem_i(wait_sem),
    .wait_value_i(wait_value_gated),
    .wait_ok_o(wait_ok),
    .value_o(sem_value_o)
  );

  deadlock #(
    .Queues(Queues)
  ) u_deadlock (
    .clk_i(clk_i),
    .rst_ni(rst_ni),
    .start_i(start_i),
    .finished_i(finished_o),
    .blocked_i(blocked_o),
    .inflight_i(inflight_o),
    .engines_idle_i(engines_idle_i),
    .deadlock_o(deadlock_o),
    .all_finished_o(all_finished_o)
  );
endmodule
