// Element walker of a vector engine operand (docs/vec_engines.md): the byte address inside the
// partition of the current element of an access pattern and of the next one, in enumeration
// order (dims[0] outermost, docs/isa.md). The engine looks one element ahead (fetch and "last
// of a word"), so both are outputs; adv_i moves to the next element at the edge.
//
// addr = base + ((i0*s0 + i1*s1 + i2*s2) << shift), kept incrementally: one running address per
// dimension (no multipliers), as rtl/common/ap_iter.sv.
module vec_walk (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  logic                      load_i,   // start a pattern at element 0 (wins over adv_i)
  input  logic [31:0]               base_i,
  input  logic [1:0]                shift_i,  // log2 of the element bytes
  input  logic [2:0][19:0]          count_i,  // each >= 1
  input  logic signed [2:0][27:0]   stride_i, // in elements
  input  logic                      adv_i,
  output logic [31:0]               cur_o,
  output logic [31:0]               nxt_o,    // meaningful when !last_o
  output logic                      last_o
);
  logic [2:0][19:0] count_q, index_q, index_d;
  logic [2:0][31:0] step_q;
  logic [31:0] addr0_q, addr1_q, addr_q, addr0_d, addr1_d, addr_d;
  logic end0, end1, end2;

  assign end0 = index_q[0] == count_q[0] - 20'd1;
  assign end1 = index_q[1] == count_q[1] - 20'd1;
  assign end2 = index_q[2] == count_q[2] - 20'd1;
  assign last_o = end0 && end1 && end2;
  assign cur_o = addr_q;
  assign nxt_o = addr_d;

  // The next element's indices and running addresses.
  always_comb begin
    index_d = index_q;
    addr0_d = addr0_q;
    addr1_d = addr1_q;
    addr_d = addr_q + step_q[2];
    index_d[2] = index_q[2] + 20'd1;
    if (end2) begin
      index_d[2] = '0;
      index_d[1] = index_q[1] + 20'd1;
      addr1_d = addr1_q + step_q[1];
      addr_d = addr1_d;
      if (end1) begin
        index_d[1] = '0;
        index_d[0] = index_q[0] + 20'd1;
        addr0_d = addr0_q + step_q[0];
        addr1_d = addr0_d;
        addr_d = addr0_d;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      count_q <= '0;
      index_q <= '0;
      step_q <= '0;
      addr0_q <= '0;
      addr1_q <= '0;
      addr_q <= '0;
    end else if (load_i) begin
      count_q <= count_i;
      index_q <= '0;
      for (int unsigned d = 0; d < 3; d++) step_q[d] <= 32'(signed'(stride_i[d])) << shift_i;
      addr0_q <= base_i;
      addr1_q <= base_i;
      addr_q <= base_i;
    end else if (adv_i && !last_o) begin
      index_q <= index_d;
      addr0_q <= addr0_d;
      addr1_q <= addr1_d;
      addr_q <= addr_d;
    end
  end
endmodule
