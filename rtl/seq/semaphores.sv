// Semaphore block (SPEC section 4, docs/seq.md): Sems 32-bit counters shared by all engine
// queues, zero after clear_i, incremented by the sequencers' completion signals.
//
// Every queue may signal up to two semaphores per cycle (inc_valid_i/inc_sem_i); all
// increments of one cycle count, several of the same semaphore included, and take effect at
// the clock edge that ends the cycle. Each queue's wait check compares combinationally against
// the registered values, so an increment applied at edge t is seen by waits in cycle t+1 and
// not earlier. clear_i (start of a run) zeroes every counter and wins over increments of the
// same cycle. Counters only grow; wrapping past 2^32 - 1 is a protocol error (asserted).
module semaphores #(
  parameter int unsigned Queues = 4,
  parameter int unsigned Sems = 64,
  localparam int unsigned SemBits = $clog2(Sems),
  localparam int unsigned IncBits = $clog2(2 * Queues + 1)
) (
  input  logic                                  clk_i,
  input  logic                                  rst_ni,
  input  logic                                  clear_i,
  input  logic [Queues-1:0][1:0]                inc_valid_i,
  input  logic [Queues-1:0][1:0][SemBits-1:0]   inc_sem_i,
  input  logic [Queues-1:0][SemBits-1:0]        wait_sem_i,
  input  logic [Queues-1:0][31:0]               wait_value_i,
  output logic [Queues-1:0]                     wait_ok_o,
  output logic [Sems-1:0][31:0]                 value_o
);
  logic [Sems-1:0][31:0]      value_q, value_d;
  logic [Sems-1:0][IncBits-1:0] inc_count;

  // Increments per semaphore this cycle: a population count over every queue's two slots.
  always_comb begin
    inc_count = '0;
    for (int unsigned s = 0; s < Sems; s++) begin
      for (int unsigned q = 0; q < Queues; q++) begin
        for (int unsigned k = 0; k < 2; k++) begin
          if (inc_valid_i[q][k] && 32'(inc_sem_i[q][k]) == s) inc_count[s] = inc_count[s] + 1'b1;
        end
      end
    end
  end

  always_comb begin
    for (int unsigned s = 0; s < Sems; s++) begin
      value_d[s] = clear_i ? 32'd0 : value_q[s] + 32'(inc_count[s]);
    end
  end

  always_comb begin
    for (int unsigned q = 0; q < Queues; q++) begin
      wait_ok_o[q] = value_q[wait_sem_i[q]] >= wait_value_i[q];
    end
  end

  assign value_o = value_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      value_q <= '0;
    end else begin
`ifndef SYNTHESIS
      // A counter never wraps (a program signals one semaphore at most 2^32 - 1 times).
      for (int unsigned s = 0; s < Sems; s++) begin
        assert (clear_i || 33'(value_q[s]) + 33'(inc_count[s]) < 33'h1_0000_0000)
          else $error("semaphore %0d wraps past 2^32 - 1", s);
      end
`endif
      value_q <= value_d;
    end
  end
endmodule
