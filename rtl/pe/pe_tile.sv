// A TileRows x TileCols block of PEs. Tiles are Verilator hierarchical blocks: with
// --hierarchical (the trn1 build) the tile is verilated and compiled once and every instance
// calls that model, instead of Verilator emitting code per PE instance. This is what keeps the
// trn1 build within its time and memory (docs/tensor_engine.md "Building trn1"). Without
// --hierarchical (tiny, small) the metacomment has no effect.
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
  /* verilator hier_block */

  // Separate nets per direction and position (no vector whose bits feed each other).
  logic [31:0] mov_h [TileRows][TileCols+1] /* verilator split_var */;
  logic        sel_h [TileRows][TileCols+1] /* verilator split_var */;
  logic [31:0] w_h [TileRows][TileCols+1] /* verilator split_var */;
  logic        shift_h [TileRows][TileCols+1] /* verilator split_var */;
  logic        bank_h [TileRows][TileCols+1] /* verilator split_var */;
  logic [31:0] psum_v [TileRows+1][TileCols] /* verilator split_var */;

  for (genvar r = 0; r < TileRows; r++) begin : g_row_io
    assign mov_h[r][0] = mov_i[r];
    assign sel_h[r][0] = mov_sel_i[r];
    assign w_h[r][0] = w_i[r];
    assign shift_h[r][0] = w_shift_i[r];
    assign bank_h[r][0] = w_bank_i[r];
    assign mov_o[r] = mov_h[r][TileCols];
    assign mov_sel_o[r] = sel_h[r][TileCols];
    assign w_o[r] = w_h[r][TileCols];
    assign w_shift_o[r] = shift_h[r][TileCols];
    assign w_bank_o[r] = bank_h[r][TileCols];
  end
  for (genvar c = 0; c < TileCols; c++) begin : g_col_io
    assign psum_v[0][c] = psum_i[c];
    assign psum_o[c] = psum_v[TileRows][c];
  end

  for (genvar r = 0; r < TileRows; r++) begin : g_row
    for (genvar c = 0; c < TileCols; c++) begin : g_col
      pe u_pe (
        .clk_i    (clk_i),
        .rst_ni   (rst_ni),
        .mov_sel_i(sel_h[r][c]),
        .mov_i    (mov_h[r][c]),
        .mov_sel_o(sel_h[r][c+1]),
        .mov_o    (mov_h[r][c+1]),
        .psum_i   (psum_v[r][c]),
        .psum_o   (psum_v[r+1][c]),
        .w_shift_i(shift_h[r][c]),
        .w_bank_i (bank_h[r][c]),
        .w_i      (w_h[r][c]),
        .w_shift_o(shift_h[r][c+1]),
        .w_bank_o (bank_h[r][c+1]),
        .w_o      (w_h[r][c+1])
      );
    end
  end
endmodule
