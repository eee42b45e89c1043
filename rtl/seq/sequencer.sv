// Sequencer of one engine queue (SPEC section 4, docs/seq.md): fetches the queue's
// instructions in order, holds each at the head until its semaphore wait is satisfied, issues
// it to the engine, and turns the engine's in-order completions into semaphore signals.
//
// start_i (one cycle) samples len_i, sets the fetch index to 0 and clears the counters; the
// queue is finished once len_i instructions have completed (at once for len_i = 0). Fetch
// requests run ahead of the head into a FetchDepth-entry prefetch buffer, with at most
// FetchDepth words buffered or requested at a time; responses come back in request order after
// any latency >= 1 cycle and are never refused. The head instruction's wait goes to the
// semaphore block (wait_en_o/wait_sem_o/wait_value_o), which answers combinationally from its
// registered counters (wait_ok_i). A head whose wait is satisfied issues to the engine
// (valid/ready; the payload is the head word and holds until accepted) while fewer than
// InflightDepth issued instructions are uncompleted; the signal fields of issued instructions
// wait in a small in-order table until done_i retires them, and each retired instruction with
// signal_en raises sig_valid_o/sig_sem_o in the same cycle as its done_i (slot 0 = the older).
// A nop never reaches the engine: once its wait is satisfied and nothing of this queue is in
// flight it completes in the sequencer, its signal on slot 0 (done_i is 0 in that cycle).
//
// Timing: with a 1-cycle fetch latency and FetchDepth >= 3 the head advances every cycle, so an
// always-ready engine receives one instruction per cycle; the first instruction issues in the
// third cycle after start_i. A wait reads the counters of the cycle, so a signal raised in cycle
// t is seen by waits in cycle t+1.
module sequencer
  import tessera_isa_pkg::*;
#(
  parameter int unsigned FetchDepth = 3,
  parameter int unsigned InflightDepth = 8,       // a power of two
  parameter int unsigned CounterBits = 32,        // width of the cycle counters
  localparam int unsigned SemBits = HdrWaitSemBits,
  localparam int unsigned FetchCntBits = $clog2(FetchDepth + 1),
  localparam int unsigned FetchPtrBits = FetchDepth > 1 ? $clog2(FetchDepth) : 1,
  localparam int unsigned InflightPtrBits = InflightDepth > 1 ? $clog2(InflightDepth) : 1,
  localparam int unsigned InflightCntBits = $clog2(InflightDepth + 1)
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  input  logic                       start_i,
  input  logic [31:0]                len_i,
  // instruction fetch
  output logic                       fetch_valid_o,
  input  logic                       fetch_ready_i,
  output logic [31:0]                fetch_idx_o,
  input  logic                       fetch_rvalid_i,
  input  logic [WordBits-1:0]        fetch_rdata_i,
  // semaphore check of the head instruction
  output logic                       wait_en_o,
  output logic [SemBits-1:0]         wait_sem_o,
  output logic [31:0]                wait_value_o,
  input  logic                       wait_ok_i,
  // issue to the engine
  output logic                       inst_valid_o,
  input  logic                       inst_ready_i,
  output logic [WordBits-1:0]        inst_o,
  // completion and signals
  input  logic [1:0]                 done_i,
  output logic [1:0]                 sig_valid_o,
  output logic [1:0][SemBits-1:0]    sig_sem_o,
  // status and counters
  output logic                       finished_o,
  output logic                       blocked_o,
  output logic                       inflight_o,
  output logic [31:0]                insts_o,
  output logic [CounterBits-1:0]     busy_cycles_o,
  output logic [CounterBits-1:0]     sem_stall_cycles_o,
  output logic [CounterBits-1:0]     issue_stall_cycles_o
);
  typedef struct packed {
    logic               en;
    logic [SemBits-1:0] sem;
  } sig_t;

  // Run state
  logic                     started_q, started_d;
  logic [31:0]              len_q, len_d;
  logic [31:0]              fetch_idx_q, fetch_idx_d;
  logic [31:0]              completed_q, completed_d;
  // Prefetch buffer: a ring of FetchDepth words, plus the requests whose words are still to come
  logic [FetchDepth-1:0][WordBits-1:0] buf_q, buf_d;
  logic [FetchPtrBits-1:0]  buf_rd_q, buf_rd_d, buf_wr_q, buf_wr_d;
  logic [FetchCntBits-1:0]  buf_cnt_q, buf_cnt_d;
  logic [FetchCntBits-1:0]  pending_q, pending_d;   // requested, response not yet back
  logic [FetchCntBits-1:0]  discard_q, discard_d;   // of those, requested before the last start
  // Issued, not yet completed: their signal fields, oldest first
  logic [InflightDepth-1:0][$bits(sig_t)-1:0] inflight_q, inflight_d;
  logic [InflightPtrBits-1:0] inf_rd_q, inf_rd_d, inf_wr_q, inf_wr_d, inf_rd1;
  logic [InflightCntBits-1:0] inf_cnt_q, inf_cnt_d;
  // Counters
  logic [CounterBits-1:0]   busy_q, busy_d, sem_stall_q, sem_stall_d, issue_stall_q, issue_stall_d;

  logic                     fetch_req, fetch_rsp, buf_push;
  logic                     head_valid, head_nop, wait_sat, issue, nop_fire, pop;
  logic [WordBits-1:0]      head;
  sig_t                     head_sig, sig0, sig1;

  function automatic logic [FetchPtrBits-1:0] buf_next(logic [FetchPtrBits-1:0] p);
    return 32'(p) == FetchDepth - 1 ? '0 : p + 1'b1;
  endfunction

  // ---------------- head instruction ----------------
  assign head       = buf_q[buf_rd_q];
  assign head_valid = started_q && buf_cnt_q != '0;
  assign head_nop   = head[HdrOpcodeLsb +: HdrOpcodeBits] == OpNop;
  assign head_sig   = '{en: head[HdrSignalEnLsb], sem: head[HdrSignalSemLsb +: HdrSignalSemBits]};

  assign wait_en_o    = head_valid && head[HdrWaitEnLsb];
  assign wait_sem_o   = head[HdrWaitSemLsb +: HdrWaitSemBits];
  assign wait_value_o = head[HdrWaitValueLsb +: HdrWaitValueBits];
  assign wait_sat     = !head[HdrWaitEnLsb] || wait_ok_i;

  assign inst_valid_o = head_valid && !head_nop && wait_sat && 32'(inf_cnt_q) < InflightDepth && !start_i;
  assign inst_o       = head;
  assign issue        = inst_valid_o && inst_ready_i;
  assign nop_fire     = head_valid && head_nop && wait_sat && inf_cnt_q == '0 && !start_i;
  assign pop          = issue || nop_fire;

  // ---------------- fetch ----------------
  assign fetch_valid_o = started_q && fetch_idx_q < len_q && 32'(buf_cnt_q) + 32'(pending_q) < FetchDepth;
  assign fetch_idx_o   = fetch_idx_q;
  assign fetch_req     = fetch_valid_o && fetch_ready_i;
  assign fetch_rsp     = fetch_rvalid_i;
  assign buf_push      = fetch_rsp && discard_q == '0 && !start_i;

  // ---------------- completions and signals ----------------
  assign sig0 = sig_t'(inflight_q[inf_rd_q]);
  assign inf_rd1 = inf_rd_q + 1'b1;
  assign sig1 = sig_t'(inflight_q[inf_rd1]);
  always_comb begin
    sig_valid_o = '0;
    sig_sem_o   = '0;
    if (nop_fire) begin
      sig_valid_o[0] = head_sig.en;
      sig_sem_o[0]   = head_sig.sem;
    end else if (done_i != 2'd0) begin
      sig_valid_o[0] = sig0.en;
      sig_sem_o[0]   = sig0.sem;
      sig_valid_o[1] = done_i == 2'd2 && sig1.en;
      sig_sem_o[1]   = sig1.sem;
    end
  end

  // ---------------- next state ----------------
  always_comb begin
    started_d     = started_q;
    len_d         = len_q;
    fetch_idx_d   = fetch_idx_q + 32'(fetch_req);
    completed_d   = completed_q + 32'(done_i) + 32'(nop_fire);
    buf_d         = buf_q;
    buf_rd_d      = pop ? buf_next(buf_rd_q) : buf_rd_q;
    buf_wr_d      = buf_push ? buf_next(buf_wr_q) : buf_wr_q;
    buf_cnt_d     = buf_cnt_q + FetchCntBits'(buf_push) - FetchCntBits'(pop);
    pending_d     = pending_q + FetchCntBits'(fetch_req) - FetchCntBits'(fetch_rsp);
    discard_d     = discard_q - FetchCntBits'(fetch_rsp && discard_q != '0);
    inflight_d    = inflight_q;
    inf_rd_d      = inf_rd_q + InflightPtrBits'(done_i);
    inf_wr_d      = issue ? inf_wr_q + 1'b1 : inf_wr_q;
    inf_cnt_d     = inf_cnt_q + InflightCntBits'(issue) - InflightCntBits'(done_i);
    busy_d        = busy_q + CounterBits'(inf_cnt_q != '0);
    sem_stall_d   = sem_stall_q + CounterBits'(blocked_o);
    issue_stall_d = issue_stall_q + CounterBits'(head_valid && !head_nop && wait_sat && !issue);
    if (buf_push) buf_d[buf_wr_q] = fetch_rdata_i;
    if (issue) inflight_d[inf_wr_q] = head_sig;
    if (start_i) begin
      // Responses to requests made before (or in) this cycle belong to the previous run.
      started_d     = 1'b1;
      len_d         = len_i;
      fetch_idx_d   = '0;
      completed_d   = '0;
      buf_rd_d      = '0;
      buf_wr_d      = '0;
      buf_cnt_d     = '0;
      discard_d     = pending_d;
      inf_rd_d      = '0;
      inf_wr_d      = '0;
      inf_cnt_d     = '0;
      busy_d        = '0;
      sem_stall_d   = '0;
      issue_stall_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      started_q     <= 1'b0;
      len_q         <= '0;
      fetch_idx_q   <= '0;
      completed_q   <= '0;
      buf_rd_q      <= '0;
      buf_wr_q      <= '0;
      buf_cnt_q     <= '0;
      pending_q     <= '0;
      discard_q     <= '0;
      inf_rd_q      <= '0;
      inf_wr_q      <= '0;
      inf_cnt_q     <= '0;
      busy_q        <= '0;
      sem_stall_q   <= '0;
      issue_stall_q <= '0;
    end else begin
      started_q     <= started_d;
      len_q         <= len_d;
      fetch_idx_q   <= fetch_idx_d;
      completed_q   <= completed_d;
      buf_rd_q      <= buf_rd_d;
      buf_wr_q      <= buf_wr_d;
      buf_cnt_q     <= buf_cnt_d;
      pending_q     <= pending_d;
      discard_q     <= discard_d;
      inf_rd_q      <= inf_rd_d;
      inf_wr_q      <= inf_wr_d;
      inf_cnt_q     <= inf_cnt_d;
      busy_q        <= busy_d;
      sem_stall_q   <= sem_stall_d;
      issue_stall_q <= issue_stall_d;
    end
  end

  // Data storage without reset: only entries marked valid by the pointers above are read.
  always_ff @(posedge clk_i) begin
    buf_q      <= buf_d;
    inflight_q <= inflight_d;
  end

  // ---------------- status ----------------
  assign finished_o           = started_q && completed_q == len_q;
  assign blocked_o            = head_valid && head[HdrWaitEnLsb] && !wait_ok_i;
  assign inflight_o           = inf_cnt_q != '0;
  assign insts_o              = completed_q;
  assign busy_cycles_o        = busy_q;
  assign sem_stall_cycles_o   = sem_stall_q;
  assign issue_stall_cycles_o = issue_stall_q;

`ifndef SYNTHESIS
  // Parameters
  initial begin
    assert (FetchDepth >= 1) else $fatal(1, "FetchDepth must be at least 1");
    assert (InflightDepth >= 2 && (InflightDepth & (InflightDepth - 1)) == 0)
      else $fatal(1, "InflightDepth must be a power of two >= 2");
  end

  // Protocol: an offered instruction holds (valid and payload) until accepted, except that a
  // start abandons it; the engine completes only what it was given; the harness answers only
  // what was asked; start only while nothing is in flight.
  logic                inst_held_q;
  logic [WordBits-1:0] inst_prev_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      inst_held_q <= 1'b0;
    end else begin
      if (inst_held_q && !start_i) begin
        assert (inst_valid_o) else $error("inst_valid_o dropped before the instruction was accepted");
        assert (inst_o == inst_prev_q) else $error("inst_o changed before the instruction was accepted");
      end
      assert (32'(done_i) <= 32'(inf_cnt_q)) else $error("done_i = %0d with %0d in flight", done_i, inf_cnt_q);
      assert (!fetch_rsp || pending_q != '0) else $error("fetch response without a request");
      assert (!start_i || inf_cnt_q == '0) else $error("start_i while instructions are in flight");
      assert (!(issue && nop_fire)) else $error("issue and nop completion in one cycle");
      inst_held_q <= inst_valid_o && !inst_ready_i && !start_i;
    end
  end
  always_ff @(posedge clk_i) inst_prev_q <= inst_o;
`endif
endmodule
