// Burst former of a DMA channel (back-end side of the mid-end): turns the in-order stream of
// DRAM element addresses (with the element's code, for writes) into AXI beats and INCR bursts.
//
// Consecutive elements at contiguous byte addresses (address == previous + element size) join
// the open burst as long as it stays inside one 4 KiB page and at most MaxBurstBeats aligned
// AxiBytes windows; anything else closes the burst and opens a new one, so a transposing or
// strided pattern becomes short (often single-beat) bursts. Per beat it pushes one entry:
// the byte offset and count of its elements (read descriptors) and the beat's data and
// strobes (writes); per burst one entry (window-aligned address, len). An element is accepted
// only when both outputs have space. After the last element one more cycle closes the burst.
module dma_burst_former #(
  parameter int unsigned AxiBytes = 8,
  parameter int unsigned MaxBurstBeats = 16,
  localparam int unsigned OffW = $clog2(AxiBytes),
  localparam int unsigned BeatW = AxiBytes * 8
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic [1:0]          elem_shift_i,   // log2 element bytes (3: a channel's 8-byte unit), constant during a pattern
  input  logic                in_valid_i,
  output logic                in_ready_o,
  input  logic [39:0]         in_addr_i,
  input  logic [63:0]         in_code_i,      // right-aligned element code (writes)
  input  logic                in_last_i,
  input  logic                beat_space_i,
  output logic                beat_push_o,
  output logic [OffW-1:0]     beat_off_o,
  output logic [OffW:0]       beat_cnt_o,
  output logic [BeatW-1:0]    beat_data_o,
  output logic [AxiBytes-1:0] beat_strb_o,
  input  logic                burst_space_i,
  output logic                burst_push_o,
  output logic [39:0]         burst_addr_o,
  output logic [7:0]          burst_len_o,
  output logic                busy_o
);
  logic open_q, open_d, flush_q, flush_d;
  logic [39:0] first_q, first_d, win_q, win_d, end_q, end_d;
  logic [7:0] beats_q, beats_d;
  logic [OffW-1:0] off_q, off_d;
  logic [OffW:0] cnt_q, cnt_d;
  logic [BeatW-1:0] data_q, data_d;
  logic [AxiBytes-1:0] strb_q, strb_d;

  logic [39:0] in_win, elem_bytes;
  logic [OffW-1:0] in_lane;
  logic [63:0] code_masked;
  logic [7:0] elem_strb;
  logic [BeatW-1:0] elem_data;
  logic [AxiBytes-1:0] elem_strb_w;
  logic contig, same_beat, next_beat, fire;

  assign in_win = {in_addr_i[39:OffW], OffW'(0)};
  assign in_lane = in_addr_i[OffW-1:0];
  assign elem_bytes = 40'd1 << elem_shift_i;
  always_comb begin
    unique case (elem_shift_i)
      2'd0: begin code_masked = {56'h0, in_code_i[7:0]}; elem_strb = 8'h01; end
      2'd1: begin code_masked = {48'h0, in_code_i[15:0]}; elem_strb = 8'h03; end
      2'd2: begin code_masked = {32'h0, in_code_i[31:0]}; elem_strb = 8'h0F; end
      default: begin code_masked = in_code_i; elem_strb = 8'hFF; end
    endcase
  end
  assign elem_data = BeatW'(code_masked) << {in_lane, 3'b000};
  assign elem_strb_w = AxiBytes'(elem_strb) << in_lane;

  assign contig = open_q && in_addr_i == end_q && in_addr_i[39:12] == first_q[39:12];
  assign same_beat = contig && in_win == win_q;
  assign next_beat = contig && !same_beat && beats_q < 8'(MaxBurstBeats);
  assign in_ready_o = !flush_q && beat_space_i && burst_space_i;
  assign fire = in_valid_i && in_ready_o;

  always_comb begin
    open_d = open_q;
    flush_d = flush_q;
    first_d = first_q;
    win_d = win_q;
    end_d = end_q;
    beats_d = beats_q;
    off_d = off_q;
    cnt_d = cnt_q;
    data_d = data_q;
    strb_d = strb_q;
    beat_push_o = 1'b0;
    burst_push_o = 1'b0;
    if (flush_q) begin
      if (beat_space_i && burst_space_i) begin
        beat_push_o = 1'b1;
        burst_push_o = 1'b1;
        open_d = 1'b0;
        flush_d = 1'b0;
      end
    end else if (fire) begin
      end_d = in_addr_i + elem_bytes;
      flush_d = in_last_i;
      if (same_beat) begin
        cnt_d = cnt_q + 1'b1;
        data_d = data_q | elem_data;
        strb_d = strb_q | elem_strb_w;
      end else begin
        beat_push_o = open_q;
        burst_push_o = open_q && !next_beat;
        if (!next_beat) begin
          first_d = in_win;
          beats_d = 8'd1;
        end else begin
          beats_d = beats_q + 1'b1;
        end
        open_d = 1'b1;
        win_d = in_win;
        off_d = in_lane;
        cnt_d = (OffW + 1)'(1);
        data_d = elem_data;
        strb_d = elem_strb_w;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      open_q <= 1'b0;
      flush_q <= 1'b0;
      first_q <= '0;
      win_q <= '0;
      end_q <= '0;
      beats_q <= '0;
      off_q <= '0;
      cnt_q <= '0;
      data_q <= '0;
      strb_q <= '0;
    end else begin
      open_q <= open_d;
      flush_q <= flush_d;
      first_q <= first_d;
      win_q <= win_d;
      end_q <= end_d;
      beats_q <= beats_d;
      off_q <= off_d;
      cnt_q <= cnt_d;
      data_q <= data_d;
      strb_q <= strb_d;
    end
  end

  assign beat_off_o = off_q;
  assign beat_cnt_o = cnt_q;
  assign beat_data_o = data_q;
  assign beat_strb_o = strb_q;
  assign burst_addr_o = first_q;
  assign burst_len_o = beats_q - 1'b1;
  assign busy_o = open_q || flush_q;
endmodule
