// Access-pattern address generator (docs/isa.md "Access patterns"): walks up to three
// dimensions, dims[0] outermost, and streams one byte address per accepted beat.
//
// addr = base + ((i0*s0 + i1*s1 + i2*s2) << ElemShift) for i0 < n0, i1 < n1, i2 < n2, in that
// order, with strides in elements (on chip, elem_shift_i = log2 element bytes) or bytes (DRAM,
// elem_shift_i = 0). The address is kept incrementally (no multipliers): one running address
// per dimension. A pattern starts with start_i while idle; addr_o is a valid/ready stream whose
// last beat carries last_o, and the payload holds while valid_o && !ready_i.
module ap_iter #(
  parameter int unsigned AddrWidth = 40,
  parameter int unsigned CountWidth = 20,
  parameter int unsigned StrideWidth = 28
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  input  logic                          start_i,
  input  logic [AddrWidth-1:0]          base_i,
  input  logic [1:0]                    elem_shift_i,
  input  logic [2:0][CountWidth-1:0]    count_i,   // each >= 1
  input  logic signed [2:0][StrideWidth-1:0] stride_i,
  output logic                          busy_o,
  output logic                          valid_o,
  input  logic                          ready_i,
  output logic [AddrWidth-1:0]          addr_o,
  output logic                          last_o
);
  logic busy_q, busy_d;
  logic [2:0][CountWidth-1:0] count_q, count_d, index_q, index_d;
  logic [2:0][AddrWidth-1:0] step_q, step_d;       // stride in bytes, as an address increment
  logic [AddrWidth-1:0] addr0_q, addr0_d;          // start of the current i0 iteration
  logic [AddrWidth-1:0] addr1_q, addr1_d;          // start of the current i1 iteration
  logic [AddrWidth-1:0] addr_q, addr_d;            // current address
  logic at_end0, at_end1, at_end2;

  assign at_end0 = index_q[0] == count_q[0] - 1'b1;
  assign at_end1 = index_q[1] == count_q[1] - 1'b1;
  assign at_end2 = index_q[2] == count_q[2] - 1'b1;

  always_comb begin
    busy_d = busy_q;
    count_d = count_q;
    index_d = index_q;
    step_d = step_q;
    addr0_d = addr0_q;
    addr1_d = addr1_q;
    addr_d = addr_q;
    if (!busy_q) begin
      if (start_i) begin
        busy_d = 1'b1;
        count_d = count_i;
        index_d = '0;
        for (int unsigned d = 0; d < 3; d++) begin
          // Sign-extend the stride, then scale it to bytes (two's complement wraps correctly).
          step_d[d] = AddrWidth'(signed'(stride_i[d])) << elem_shift_i;
        end
        addr0_d = base_i;
        addr1_d = base_i;
        addr_d = base_i;
      end
    end else if (ready_i) begin
      if (!at_end2) begin
        index_d[2] = index_q[2] + 1'b1;
        addr_d = addr_q + step_q[2];
      end else if (!at_end1) begin
        index_d[2] = '0;
        index_d[1] = index_q[1] + 1'b1;
        addr1_d = addr1_q + step_q[1];
        addr_d = addr1_d;
      end else if (!at_end0) begin
        index_d[2] = '0;
        index_d[1] = '0;
        index_d[0] = index_q[0] + 1'b1;
        addr0_d = addr0_q + step_q[0];
        addr1_d = addr0_d;
        addr_d = addr0_d;
      end else begin
        busy_d = 1'b0;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      count_q <= '0;
      index_q <= '0;
      step_q <= '0;
      addr0_q <= '0;
      addr1_q <= '0;
      addr_q <= '0;
    end else begin
      busy_q <= busy_d;
      count_q <= count_d;
      index_q <= index_d;
      step_q <= step_d;
      addr0_q <= addr0_d;
      addr1_q <= addr1_d;
      addr_q <= addr_d;
    end
  end

  assign busy_o = busy_q;
  assign valid_o = busy_q;
  assign addr_o = addr_q;
  assign last_o = busy_q && at_end0 && at_end1 && at_end2;

`ifndef SYNTHESIS
  // The stream's payload holds while it is not accepted. Checked with --assert.
  logic held_q;
  logic [AddrWidth-1:0] held_addr_q;
  logic held_last_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      held_q <= 1'b0;
    end else begin
      if (held_q) assert (valid_o && addr_o == held_addr_q && last_o == held_last_q)
                  else $error("ap_iter: payload changed before it was accepted");
      held_q <= valid_o && !ready_i;
    end
  end
  always_ff @(posedge clk_i) begin
    held_addr_q <= addr_o;
    held_last_q <= last_o;
  end
`endif
endmodule
