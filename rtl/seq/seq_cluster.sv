// The core's sequencing (docs/seq.md): one sequencer per engine queue, the semaphores they wait
// on and signal, and the deadlock detector. tessera_core instantiates it between its fetch
// port and the engines; the co-simulation top sim/cosim/rtl/cosim_seq.sv runs it alone, the
// engines being the TLM's (--rtl seq, docs/cosim.md).
module seq_cluster
  import tessera_isa_pkg::*;
#(
  parameter int unsigned Queues = 5,
  localparam int unsigned SemBits = $clog2(Semaphores)
) (
  input  logic                            clk_i,
  input  logic                            rst_ni,
  input  logic                            start_i,
  input  logic [Queues-1:0][31:0]         len_i,
  output logic                            finished_o,
  output logic                            deadlock_o,
  // instruction fetch, per queue (the harness's instruction memories)
  output logic [Queues-1:0]               fetch_valid_o,
  input  logic [Queues-1:0]               fetch_ready_i,
  output logic [Queues-1:0][31:0]         fetch_idx_o,
  input  logic [Queues-1:0]               fetch_rvalid_i,
  input  logic [Queues-1:0][WordBits-1:0] fetch_rdata_i,
  // issue and completion, per queue
  output logic [Queues-1:0]               inst_valid_o,
  input  logic [Queues-1:0]               inst_ready_i,
  output logic [Queues-1:0][WordBits-1:0] inst_o,
  input  logic [Queues-1:0][1:0]          done_i,
  // counters, per queue
  output logic [Queues-1:0][31:0]         cnt_insts_o,
  output logic [Queues-1:0][31:0]         cnt_busy_o,
  output logic [Queues-1:0][31:0]         cnt_sem_stall_o
);
  logic [Queues-1:0]                   seq_finished, seq_blocked, seq_inflight;
  logic [Queues-1:0]                   wait_en, wait_ok, wait_ok_sem;
  logic [Queues-1:0][SemBits-1:0]      wait_sem;
  logic [Queues-1:0][31:0]             wait_value;
  logic [Queues-1:0][1:0]              sig_valid;
  logic [Queues-1:0][1:0][SemBits-1:0] sig_sem;
  logic [Queues-1:0][31:0]             issue_stall;
  logic [Semaphores-1:0][31:0]         sem_value;

  for (genvar q = 0; q < Queues; q++) begin : g_seq
    sequencer u_seq (
      .clk_i               (clk_i),
      .rst_ni              (rst_ni),
      .start_i             (start_i),
      .len_i               (len_i[q]),
      .fetch_valid_o       (fetch_valid_o[q]),
      .fetch_ready_i       (fetch_ready_i[q]),
      .fetch_idx_o         (fetch_idx_o[q]),
      .fetch_rvalid_i      (fetch_rvalid_i[q]),
      .fetch_rdata_i       (fetch_rdata_i[q]),
      .wait_en_o           (wait_en[q]),
      .wait_sem_o          (wait_sem[q]),
      .wait_value_o        (wait_value[q]),
      .wait_ok_i           (wait_ok[q]),
      .inst_valid_o        (inst_valid_o[q]),
      .inst_ready_i        (inst_ready_i[q]),
      .inst_o              (inst_o[q]),
      .done_i              (done_i[q]),
      .sig_valid_o         (sig_valid[q]),
      .sig_sem_o           (sig_sem[q]),
      .finished_o          (seq_finished[q]),
      .blocked_o           (seq_blocked[q]),
      .inflight_o          (seq_inflight[q]),
      .insts_o             (cnt_insts_o[q]),
      .busy_cycles_o       (cnt_busy_o[q]),
      .sem_stall_cycles_o  (cnt_sem_stall_o[q]),
      .issue_stall_cycles_o(issue_stall[q])
    );
    assign wait_ok[q] = !wait_en[q] || wait_ok_sem[q];
  end

  semaphores #(.Queues(Queues), .Sems(Semaphores)) u_semaphores (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (start_i),
    .inc_valid_i (sig_valid),
    .inc_sem_i   (sig_sem),
    .wait_sem_i  (wait_sem),
    .wait_value_i(wait_value),
    .wait_ok_o   (wait_ok_sem),
    .value_o     (sem_value)
  );

  deadlock #(.Queues(Queues)) u_deadlock (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .start_i       (start_i),
    .finished_i    (seq_finished),
    .blocked_i     (seq_blocked),
    .inflight_i    (seq_inflight),
    .engines_idle_i(1'b1),  // every engine's work in flight is an issued, uncompleted instruction
    .deadlock_o    (deadlock_o),
    .all_finished_o(finished_o)
  );

  logic unused;
  assign unused = ^{issue_stall, sem_value};
endmodule
