// Deadlock detector (SPEC section 4, docs/seq.md): flags a run in which every unfinished queue
// waits on a semaphore while nothing is in flight anywhere, so no signal can ever come.
//
// The condition is evaluated each cycle from the sequencers' status (finished_i, blocked_i,
// inflight_i) and the engines' idle flag; it must hold in two consecutive cycles before
// deadlock_o rises (in the cycle after the second), which covers a signal applied at the edge
// between them. deadlock_o stays high until the next start_i. all_finished_o: every queue has
// finished (combinational from finished_i).
module deadlock #(
  parameter int unsigned Queues = 4
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              start_i,
  input  logic [Queues-1:0] finished_i,
  input  logic [Queues-1:0] blocked_i,
  input  logic [Queues-1:0] inflight_i,
  input  logic              engines_idle_i,
  output logic              deadlock_o,
  output logic              all_finished_o
);
  logic stuck, stuck_q, stuck_d, deadlock_q, deadlock_d;

  assign all_finished_o = &finished_i;
  assign stuck = !all_finished_o && engines_idle_i && inflight_i == '0 && &(finished_i | blocked_i);

  always_comb begin
    stuck_d    = stuck && !start_i;
    deadlock_d = (deadlock_q || (stuck && stuck_q)) && !start_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      stuck_q    <= 1'b0;
      deadlock_q <= 1'b0;
    end else begin
      stuck_q    <= stuck_d;
      deadlock_q <= deadlock_d;
    end
  end

  assign deadlock_o = deadlock_q;
endmodule
