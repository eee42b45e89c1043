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
  logic [Rows-1:0][31:0] mov_skewed;
  logic [Rows-1:0]       sel_skewed;
  for (genvar k = 0; k < Rows; k++) begin : g_skew
    if (k == 0) begin : g_direct
      assign mov_skewed[k] = mov_i[k];
      assign sel_skewed[k] = mov_sel_i;
    end else begin : g_delay
      // A k-deep shift register as one packed vector: element 0 is the newest.
      logic [k-1:0][32:0] line_q;
      logic [k-1:0][32:0] line_d;
      if (k == 1) begin : g_one
        assign line_d = {mov_sel_i, mov_i[k]};
      end else begin : g_many
        assign line_d = {line_q[k-2:0], {mov_sel_i, mov_i[k]}};
      end
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) line_q <= '0;
        else line_q <= line_d;
      end
      assign {sel_skewed[k], mov_skewed[k]} = line_q[k-1];
    end
  end

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
  for (genvar m = 0; m < Cols; m++) begin : g_deskew
    localparam int unsigned Delay = Cols - 1 - m;
    logic [31:0] bottom;
    assign bottom = psum_v[TilesDown][m / TileCols][m % TileCols];
    if (Delay == 0) begin : g_direct
      assign out_o[m] = bottom;
    end else begin : g_delay
      logic [Delay-1:0][31:0] line_q;  // element 0 is the newest
      logic [Delay-1:0][31:0] line_d;
      if (Delay == 1) begin : g_one
        assign line_d = bottom;
      end else begin : g_many
        assign line_d = {line_q[Delay-2:0], bottom};
      end
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) line_q <= '0;
        else line_q <= line_d;
      end
      assign out_o[m] = line_q[Delay-1];
    end
  end

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
