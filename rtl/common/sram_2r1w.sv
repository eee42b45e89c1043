// Generic SRAM: two synchronous read ports, one write port with byte enables. Read data appears
// the cycle after the request; a read and a write of the same word at the same edge return the
// old word. The array has no reset (its initial contents are undefined, randomised in
// simulation).
module sram_2r1w #(
  parameter int unsigned Depth = 64,
  parameter int unsigned Width = 32,
  localparam int unsigned AddrWidth = $clog2(Depth)
) (
  input  logic                 clk_i,
  input  logic                 we_i,
  input  logic [AddrWidth-1:0] waddr_i,
  input  logic [Width/8-1:0]   wbe_i,
  input  logic [Width-1:0]     wdata_i,
  input  logic                 re0_i,
  input  logic [AddrWidth-1:0] raddr0_i,
  output logic [Width-1:0]     rdata0_o,
  input  logic                 re1_i,
  input  logic [AddrWidth-1:0] raddr1_i,
  output logic [Width-1:0]     rdata1_o
);
  logic [Width-1:0] mem [Depth];
  logic [Width-1:0] rdata0_q, rdata1_q;

  always_ff @(posedge clk_i) begin
    for (int unsigned b = 0; b < Width / 8; b++) begin
      if (we_i && wbe_i[b]) mem[waddr_i][8*b +: 8] <= wdata_i[8*b +: 8];
    end
    if (re0_i) rdata0_q <= mem[raddr0_i];
    if (re1_i) rdata1_q <= mem[raddr1_i];
  end

  assign rdata0_o = rdata0_q;
  assign rdata1_o = rdata1_q;
endmodule
