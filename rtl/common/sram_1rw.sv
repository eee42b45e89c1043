// Generic single-port SRAM with byte enables: one read or one write per cycle. Read data
// appears the cycle after the request. The array has no reset (its initial contents are
// undefined, randomised in simulation).
module sram_1rw #(
  parameter int unsigned Depth = 64,
  parameter int unsigned Width = 32,
  localparam int unsigned AddrWidth = $clog2(Depth),
  localparam int unsigned Bytes = Width / 8
) (
  input  logic                 clk_i,
  input  logic                 req_i,
  input  logic                 we_i,
  input  logic [AddrWidth-1:0] addr_i,
  input  logic [Bytes-1:0]     be_i,
  input  logic [Width-1:0]     wdata_i,
  output logic [Width-1:0]     rdata_o
);
  logic [Width-1:0] mem [Depth];
  logic [Width-1:0] rdata_q;

  always_ff @(posedge clk_i) begin
    if (req_i && we_i) begin
      for (int unsigned b = 0; b < Bytes; b++) begin
        if (be_i[b]) mem[addr_i][8*b +: 8] <= wdata_i[8*b +: 8];
      end
    end
    if (req_i && !we_i) rdata_q <= mem[addr_i];
  end

  assign rdata_o = rdata_q;
endmodule
