// A TileRows x TileCols block of PEs (docs/tensor_engine.md).
//
// PE(r, c) holds two stationary values (banks); the moving value from its left selects the
// bank it multiplies with, so the next stationary can be shifted into the other bank while the
// current one is in use. Each cycle every PE does
//   psum(r, c) <= add32(psum from above, mul32(w(r, c)[sel from the left], mov from the left)),
//   mov(r, c) <= mov from the left, sel(r, c) <= sel from the left,
// and where w_shift_i[r] is set, row r's stationary chain shifts one PE to the right through
// bank w_bank_i[r] (a row-wide enable and bank, passed through the tile unregistered). Column 0
// takes the moving values and the chain from the tile's left inputs, row 0 the partial sums
// from psum_i; the right-hand column and the bottom row drive the outputs.
//
// Written for simulation speed (docs/tensor_engine.md "Simulation speed"): the PEs' registers
// are arrays that belong to the clocked process, and one loop updates them in place, from the
// bottom-right PE to the top-left one so that every PE reads its neighbours' values from before
// the edge. Verilator emits the loop body once per tile (not per PE) and evaluates it once per
// rising edge. The registers that other processes read (the right-hand column's and the bottom
// row's) are copied to the module's output registers with nonblocking assignments.
module pe_tile #(
  parameter int unsigned TileRows = 4,
  parameter int unsigned TileCols = 4
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [TileRows-1:0]       mov_sel_i,
  input  logic [TileRows-1:0][31:0] mov_i,
  output logic [TileRows-1:0]       mov_sel_o,
  output logic [TileRows-1:0][31:0] mov_o,
  input  logic [TileCols-1:0][31:0] psum_i,
  output logic [TileCols-1:0][31:0] psum_o,
  input  logic [TileRows-1:0]       w_shift_i,
  input  logic [TileRows-1:0]       w_bank_i,
  input  logic [TileRows-1:0][31:0] w_i,
  output logic [TileRows-1:0]       w_shift_o,
  output logic [TileRows-1:0]       w_bank_o,
  output logic [TileRows-1:0][31:0] w_o
);
  // Array extents rounded up to powers of two, so that Verilator masks the indices instead of
  // checking them.
  localparam int unsigned RowSpan = 2 ** $clog2(TileRows + 1);
  localparam int unsigned ColSpan = 2 ** $clog2(TileCols + 1);

  logic [TileRows-1:0][1:0][31:0] w_edge_q;  // both banks of the right-hand column

  always_ff @(posedge clk_i or negedge rst_ni) begin : step
    // PE(r, c)'s registers are element [r][c+1] of mov, sel and w, and [r+1][c] of psum.
    // Column 0 and row 0 hold the tile's inputs of this edge.
    logic [31:0] mov [TileRows][ColSpan];
    logic        sel [TileRows][ColSpan];
    logic [31:0] w [TileRows][ColSpan][2];
    logic [31:0] psum [RowSpan][TileCols];
    logic [TileRows-1:0]       sel_edge;
    logic [TileRows-1:0][31:0] mov_edge;
    logic [TileRows-1:0][1:0][31:0] w_edge;
    logic [TileCols-1:0][31:0] psum_edge;
    // The PE loop's bounds are variables so that Verilator keeps it a loop for any tile size
    // (it unrolls loops with constant bounds of up to 64 iterations): one copy of the
    // arithmetic per tile in the generated C++ rather than one per PE.
    int unsigned rows, cols;
    rows = TileRows;
    cols = TileCols;
    if (!rst_ni) begin
      for (int r = 0; r < TileRows; r++) begin
        for (int c = 0; c <= TileCols; c++) begin
          mov[r][c] = '0;
          sel[r][c] = 1'b0;
          w[r][c][0] = '0;
          w[r][c][1] = '0;
        end
      end
      for (int r = 0; r <= TileRows; r++) begin
        for (int c = 0; c < TileCols; c++) psum[r][c] = '0;
      end
    end else begin
      for (int r = 0; r < TileRows; r++) begin
        mov[r][0] = mov_i[r];
        sel[r][0] = mov_sel_i[r];
        w[r][0][w_bank_i[r]] = w_i[r];
      end
      for (int c = 0; c < TileCols; c++) psum[0][c] = psum_i[c];
      for (int r = rows; r >= 1; r--) begin
        for (int c = cols; c >= 1; c--) begin  // PE(r-1, c-1)
          psum[r][c-1] = pe::add32(psum[r-1][c-1], pe::mul32(w[r-1][c][sel[r-1][c-1]], mov[r-1][c-1]));
          mov[r-1][c] = mov[r-1][c-1];
          sel[r-1][c] = sel[r-1][c-1];
          if (w_shift_i[r-1]) w[r-1][c][w_bank_i[r-1]] = w[r-1][c-1][w_bank_i[r-1]];
        end
      end
    end
    for (int r = 0; r < TileRows; r++) begin
      sel_edge[r] = sel[r][TileCols];
      mov_edge[r] = mov[r][TileCols];
      w_edge[r][0] = w[r][TileCols][0];
      w_edge[r][1] = w[r][TileCols][1];
    end
    for (int c = 0; c < TileCols; c++) psum_edge[c] = psum[TileRows][c];
    mov_sel_o <= sel_edge;
    mov_o <= mov_edge;
    w_edge_q <= w_edge;
    psum_o <= psum_edge;
  end

  // The stationary chain leaves through the bank being shifted.
  for (genvar r = 0; r < TileRows; r++) begin : g_w_out
    assign w_o[r] = w_edge_q[r][w_bank_i[r]];
  end
  assign w_shift_o = w_shift_i;
  assign w_bank_o = w_bank_i;
endmodule
