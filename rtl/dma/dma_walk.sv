// Access-pattern walker of a DMA channel (mid-end): the partition loop around ap_iter.
// Streams one element address per accepted beat, partition-major (p = 0..parts-1), then the
// free pattern in ap_iter's order. A DRAM pattern is walked with parts_i = 1. Between two
// partitions ap_iter restarts, which costs one cycle without a beat.
module dma_walk (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  input  logic                    start_i,      // while idle
  input  logic [7:0]              parts_i,      // >= 1
  input  logic [39:0]             base_i,
  input  logic [1:0]              elem_shift_i,
  input  logic [2:0][19:0]        count_i,
  input  logic signed [2:0][27:0] stride_i,
  output logic                    valid_o,
  input  logic                    ready_i,
  output logic [39:0]             addr_o,
  output logic [7:0]              part_o,       // partition index relative to the first
  output logic                    last_o
);
  logic [7:0] part_q, part_d, parts_q, parts_d;
  logic restart_q, restart_d;
  logic it_valid, it_last, unused_busy;

  ap_iter #(.AddrWidth(40), .CountWidth(20), .StrideWidth(28)) u_iter (
    .clk_i(clk_i),
    .rst_ni(rst_ni),
    .start_i(start_i || restart_q),
    .base_i(base_i),
    .elem_shift_i(elem_shift_i),
    .count_i(count_i),
    .stride_i(stride_i),
    .busy_o(unused_busy),
    .valid_o(it_valid),
    .ready_i(ready_i),
    .addr_o(addr_o),
    .last_o(it_last)
  );

  always_comb begin
    part_d = part_q;
    parts_d = parts_q;
    restart_d = 1'b0;
    if (start_i) begin
      part_d = '0;
      parts_d = parts_i;
    end else if (it_valid && ready_i && it_last && part_q != parts_q - 1'b1) begin
      part_d = part_q + 1'b1;
      restart_d = 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      part_q <= '0;
      parts_q <= 8'd1;
      restart_q <= 1'b0;
    end else begin
      part_q <= part_d;
      parts_q <= parts_d;
      restart_q <= restart_d;
    end
  end

  assign valid_o = it_valid;
  assign part_o = part_q;
  assign last_o = it_last && part_q == parts_q - 1'b1;
endmodule
