// The weight-stationary systolic array (docs/tensor_engine.md): Rows x Cols PEs in tiles,
// input skew, output deskew.
//
// Moving data: one vector (element n of every row k) per cycle on mov_i with mov_sel_i naming
// the stationary bank; row k is delayed k cycles so that partial sums moving down meet their
// operands. Column m's sums leave the bottom m cycles after column 0's and are delayed
// Cols-1-m cycles, so out_o presents out[m][n] for all m in one cycle, Latency cycles after
// vector n entered. Stationary data: with w_shift_i set, every row's chain shifts one place
// right into bank w_bank_i; after Cols shifts PE(k, m) holds the value presented at shift
// Cols-1-m. All registers reset to zero.
module tensor_array #(
  parameter int unsigned Rows = 4,
  parameter int unsigned Cols = 4,
  parameter int unsigned TileRows = 2,
  parameter int unsigned TileCols = 2,
  localparam int unsigned Latency = Rows + Cols - 1
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  mov_valid_i,
  input  logic                  mov_sel_i,
  input  logic [Rows-1:0][31:0] mov_i,
  input  logic                  w_shift_i,
  input  logic                  w_bank_i,
  input  logic [Rows-1:0][31:0] w_i,
  output logic                  out_valid_o,
  output logic [Cols-1:0][31:0] out_o
);
  localparam int unsigned TilesDown = Rows / TileRows;
  localparam int unsigned TilesAcross = Cols / TileCols;

  // ---- input skew: row k delayed k cycles ----
  // Row k's delay line has k stages. The last stage of each line is the register the tiles
  // read (mov_skew_q); the others are variables of the clocked process, shifted in place (the
  // oldest first), so that Verilator runs one loop over the lines rather than shifting a wide
  // vector per row.
  logic [Rows-1:0][31:0] mov_skewed;
  logic [Rows-1:0]       sel_skewed;
  logic [Rows-1:1][31:0] mov_skew_q;
  logic [Rows-1:1]       sel_skew_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin : skew
    logic [31:0] mov_line [Rows][Rows];  // [k][j]: row k's stage j (0 the newest), j <= k - 2
    logic        sel_line [Rows][Rows];
    logic [Rows-1:1][31:0] mov_last;
    logic [Rows-1:1]       sel_last;
    mov_last = '0;
    sel_last = '0;
    if (!rst_ni) begin
      for (int k = 0; k < Rows; k++) begin
        for (int j = 0; j < Rows; j++) begin
          mov_line[k][j] = '0;
          sel_line[k][j] = 1'b0;
        end
      end
    end else begin
      mov_last[1] = mov_i[1];
      sel_last[1] = mov_sel_i;
      for (int k = 2; k < Rows; k++) begin
        mov_last[k] = mov_line[k][k-2];
        sel_last[k] = sel_line[k][k-2];
        for (int j = k - 2; j >= 1; j--) begin
          mov_line[k][j] = mov_line[k][j-1];
          sel_line[k][j] = sel_line[k][j-1];
        end
        mov_line[k][0] = mov_i[k];
        sel_line[k][0] = mov_sel_i;
      end
    end
    mov_skew_q <= mov_last;
    sel_skew_q <= sel_last;
  end
  assign mov_skewed = {mov_skew_q, mov_i[0]};
  assign sel_skewed = {sel_skew_q, mov_sel_i};

  // ---- the tiles ----
  // Horizontal nets: [tile row][tile column boundary]; vertical: [tile row boundary][tile column].
  logic [TileRows-1:0][31:0] mov_h [TilesDown][TilesAcross+1] /* verilator split_var */;
  logic [TileRows-1:0]       sel_h [TilesDown][TilesAcross+1] /* verilator split_var */;
  logic [TileRows-1:0][31:0] w_h [TilesDown][TilesAcross+1] /* verilator split_var */;
  logic [TileRows-1:0]       shift_h [TilesDown][TilesAcross+1] /* verilator split_var */;
  logic [TileRows-1:0]       bank_h [TilesDown][TilesAcross+1] /* verilator split_var */;
  logic [TileCols-1:0][31:0] psum_v [TilesDown+1][TilesAcross] /* verilator split_var */;

  for (genvar tr = 0; tr < TilesDown; tr++) begin : g_left
    for (genvar r = 0; r < TileRows; r++) begin : g_r
      assign mov_h[tr][0][r] = mov_skewed[tr*TileRows + r];
      assign sel_h[tr][0][r] = sel_skewed[tr*TileRows + r];
      assign w_h[tr][0][r] = w_i[tr*TileRows + r];
      assign shift_h[tr][0][r] = w_shift_i;
      assign bank_h[tr][0][r] = w_bank_i;
    end
  end
  for (genvar tc = 0; tc < TilesAcross; tc++) begin : g_top
    assign psum_v[0][tc] = '0;  // acc_0 = +0.0
  end

  for (genvar tr = 0; tr < TilesDown; tr++) begin : g_tile_row
    for (genvar tc = 0; tc < TilesAcross; tc++) begin : g_tile_col
      pe_tile #(.TileRows(TileRows), .TileCols(TileCols)) u_tile (
        .clk_i    (clk_i),
        .rst_ni   (rst_ni),
        .mov_sel_i(sel_h[tr][tc]),
        .mov_i    (mov_h[tr][tc]),
        .mov_sel_o(sel_h[tr][tc+1]),
        .mov_o    (mov_h[tr][tc+1]),
        .psum_i   (psum_v[tr][tc]),
        .psum_o   (psum_v[tr+1][tc]),
        .w_shift_i(shift_h[tr][tc]),
        .w_bank_i (bank_h[tr][tc]),
        .w_i      (w_h[tr][tc]),
        .w_shift_o(shift_h[tr][tc+1]),
        .w_bank_o (bank_h[tr][tc+1]),
        .w_o      (w_h[tr][tc+1])
      );
    end
  end

  // ---- output deskew: column m delayed Cols-1-m cycles ----
  // As the skew: the last stage of each line is a register (deskew_q), the others are
  // variables of the clocked process.
  logic [Cols-1:0][31:0] bottom;
  for (genvar m = 0; m < Cols; m++) begin : g_bottom
    assign bottom[m] = psum_v[TilesDown][m / TileCols][m % TileCols];
  end
  logic [Cols-2:0][31:0] deskew_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin : deskew
    logic [31:0] line [Cols][Cols];  // [m][j]: column m's stage j (0 the newest), j <= Cols - 3 - m
    logic [Cols-2:0][31:0] last;
    last = '0;
    if (!rst_ni) begin
      for (int m = 0; m < Cols; m++) begin
        for (int j = 0; j < Cols; j++) line[m][j] = '0;
      end
    end else begin
      last[Cols-2] = bottom[Cols-2];
      for (int m = 0; m + 2 < Cols; m++) begin
        last[m] = line[m][Cols-3-m];
        for (int j = Cols - 3 - m; j >= 1; j--) line[m][j] = line[m][j-1];
        line[m][0] = bottom[m];
      end
    end
    deskew_q <= last;
  end
  assign out_o = {bottom[Cols-1], deskew_q};

  // ---- valid: the moving vector's valid, delayed by the array latency ----
  logic [Latency-1:0] valid_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) valid_q <= '0;
    else valid_q <= {valid_q[Latency-2:0], mov_valid_i};
  end
  assign out_valid_o = valid_q[Latency-1];

  // The right-hand outputs of the last tile column lead nowhere.
  logic [TilesDown-1:0] unused_right;
  for (genvar tr = 0; tr < TilesDown; tr++) begin : g_unused
    assign unused_right[tr] = ^{mov_h[tr][TilesAcross], sel_h[tr][TilesAcross], w_h[tr][TilesAcross],
                                shift_h[tr][TilesAcross], bank_h[tr][TilesAcross]};
  end
endmodule
