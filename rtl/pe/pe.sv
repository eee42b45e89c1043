// One processing element of the weight-stationary array (docs/tensor_engine.md).
//
// Holds two stationary values (banks); moving data from the left selects the bank it
// multiplies with, so the next stationary can be shifted into the other bank while the
// current one is in use. Each cycle: psum_o <= add32(psum_i, mul32(w[mov_sel_i], mov_i)),
// mov_o <= mov_i. The stationary chain shifts right through the selected bank when
// w_shift_i is set (a row-wide enable, passed through unregistered).
module pe (
  input  logic        clk_i,
  input  logic        rst_ni,
  // moving data from the left neighbour (registered there)
  input  logic        mov_sel_i,
  input  logic [31:0] mov_i,
  output logic        mov_sel_o,
  output logic [31:0] mov_o,
  // partial sum from the PE above (registered there)
  input  logic [31:0] psum_i,
  output logic [31:0] psum_o,
  // stationary shift chain
  input  logic        w_shift_i,
  input  logic        w_bank_i,
  input  logic [31:0] w_i,
  output logic        w_shift_o,
  output logic        w_bank_o,
  output logic [31:0] w_o
);
  logic [31:0] w_q [2];
  logic [31:0] mov_q, psum_q, product, sum;
  logic mov_sel_q;

  fp32_mul u_mul (.a_i(w_q[mov_sel_i]), .b_i(mov_i), .y_o(product));
  fp32_add u_add (.a_i(psum_i), .b_i(product), .y_o(sum));

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_q[0] <= '0;
      w_q[1] <= '0;
      mov_q <= '0;
      mov_sel_q <= 1'b0;
      psum_q <= '0;
    end else begin
      if (w_shift_i) w_q[w_bank_i] <= w_i;
      mov_q <= mov_i;
      mov_sel_q <= mov_sel_i;
      psum_q <= sum;
    end
  end

  assign mov_o = mov_q;
  assign mov_sel_o = mov_sel_q;
  assign psum_o = psum_q;
  assign w_shift_o = w_shift_i;
  assign w_bank_o = w_bank_i;
  assign w_o = w_q[w_bank_i];
endmodule
