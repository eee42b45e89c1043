// One DMA queue's channel: executes dma_copy instructions one at a time (docs/dma.md).
//
// Front-end: accepts an instruction when idle and registers both access patterns.
// Mid-end: two dma_walk walkers enumerate the source and destination patterns in the
// reference's element order (partition-major, then the free dims), one element per cycle.
// Back-end, source side: on-chip sources read one element per mem-port read (a 4-entry
// element FIFO covers the one-cycle read latency); DRAM sources go through the burst former
// (AR bursts + per-beat descriptors) and an R data buffer of ReadBufBeats beats, reserved per
// burst before its AR is issued, so the shared R channel never waits for this channel; an
// unpacker emits one element per cycle from the buffered beats.
// Convert: dma_convert (bit copy or widen + RNE narrow).
// 8-byte units: a same-format copy between DRAM and SBUF whose two patterns are runs of whole,
// 8-byte aligned units (decided at accept: unit_ok below, the same rule as the TLM's replica)
// moves as a copy of 8-byte elements: one unit per cycle, its SBUF request claiming the two
// neighbouring banks of one row (sbuf.sv's wide requests, mem_wide_o).
// Back-end, destination side: on-chip destinations pack consecutive elements of one word of
// one partition into a single masked write; DRAM destinations go through the burst former
// (AW bursts + W beats with strobes). The mem port request is a register (held until granted);
// a pending write has priority over the next read.
// Completion (done_o, one cycle): on chip after the last write is granted; DRAM after the B
// response of the last burst.
module dma_channel
  import tessera_isa_pkg::*;
#(
  parameter int unsigned Rows = 4,
  parameter int unsigned MemAw = 10,
  parameter int unsigned AxiBytes = 8,
  parameter int unsigned MaxBurstBeats = 16,
  parameter int unsigned OutstandingReads = 4,
  localparam int unsigned OffW = $clog2(AxiBytes),
  localparam int unsigned BeatW = AxiBytes * 8
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  // instruction
  input  logic                      inst_valid_i,
  output logic                      inst_ready_o,
  input  logic [WordBits-1:0]       inst_i,
  output logic                      done_o,
  output logic                      busy_o,
  output logic                      stall_o,
  // on-chip memory port (docs/core.md)
  output logic                      mem_req_o,
  input  logic                      mem_gnt_i,
  output logic                      mem_we_o,
  output logic                      mem_psum_o,
  output logic [MemAw-1:0]          mem_addr_o,
  output logic [Rows-1:0]           mem_mask_o,
  output logic [3:0]                mem_be_o,
  output logic [Rows-1:0][31:0]     mem_wdata_o,
  output logic                      mem_wide_o,     // 64 bits: the word pair at mem_addr_o (even), SBUF only
  output logic [3:0]                mem_be_hi_o,    // the pair's high word
  output logic [Rows-1:0][31:0]     mem_wdata_hi_o,
  input  logic                      mem_rvalid_i,
  input  logic [Rows-1:0][31:0]     mem_rdata_i,
  input  logic [Rows-1:0][31:0]     mem_rdata_hi_i,
  // bursts to the AR or AW arbiter (ar_valid_o for DRAM sources, aw_valid_o for destinations)
  output logic                      ar_valid_o,
  output logic                      aw_valid_o,
  input  logic                      burst_gnt_i,
  output logic [39:0]               burst_addr_o,
  output logic [7:0]                burst_len_o,
  // R beats of this queue's ID
  input  logic                      r_push_i,
  input  logic [BeatW-1:0]          r_data_i,
  // W beats, popped by the W mux in AW order
  output logic                      w_avail_o,
  input  logic                      w_pop_i,
  output logic [BeatW-1:0]          w_data_o,
  output logic [AxiBytes-1:0]       w_strb_o,
  // B responses of this queue's ID
  input  logic                      b_i
);
  localparam int unsigned ReadBufBeats = OutstandingReads * MaxBurstBeats;
  localparam int unsigned DescDepth = ReadBufBeats + MaxBurstBeats;
  localparam int unsigned WBufBeats = 2 * MaxBurstBeats;
  localparam int unsigned ElemDepth = 4;
  localparam int unsigned RbW = $clog2(ReadBufBeats + 1);
  localparam int unsigned DstLsb = DmaCopyDstLsb;
  localparam int unsigned SrcLsb = DmaCopySrcLsb;

  function automatic logic [1:0] elem_shift(dtype_e dt);
    unique case (dt)
      DtypeFp32: return 2'd2;
      DtypeBf16, DtypeFp16: return 2'd1;
      default: return 2'd0;
    endcase
  endfunction

  function automatic logic [63:0] mask_code(logic [63:0] code, logic [1:0] shift);
    unique case (shift)
      2'd0: return {56'h0, code[7:0]};
      2'd1: return {48'h0, code[15:0]};
      2'd2: return {32'h0, code[31:0]};
      default: return code;
    endcase
  endfunction

  // The innermost dimension with a count above 1 (3: none, a single element).
  function automatic logic [1:0] inner_dim(logic [2:0][19:0] n);
    if (n[2] > 20'd1) return 2'd2;
    if (n[1] > 20'd1) return 2'd1;
    if (n[0] > 20'd1) return 2'd0;
    return 2'd3;
  endfunction

  // A pattern of es-shift elements walks as 8-byte units: 8-byte aligned start, the innermost
  // moving dimension contiguous with a whole number of units, every outer moving stride a
  // multiple of 8 bytes (strides: bytes in DRAM, elements on chip).
  function automatic logic unit_ok(logic dram, logic [1:0] es, logic [2:0] addr_lo, logic [2:0][19:0] n,
                                   logic [2:0][27:0] s);
    logic [1:0] in_d, sc;
    logic ok;
    logic signed [31:0] sb;
    in_d = inner_dim(n);
    sc = dram ? 2'd0 : es;
    ok = addr_lo == 3'd0 && in_d != 2'd3;
    for (int unsigned d = 0; d < 3; d++) begin
      sb = 32'(signed'(s[d])) <<< sc;
      if (2'(d) == in_d) ok = ok && sb == (32'sd1 <<< es) && ((23'(n[d]) << es) & 23'd7) == 23'd0;
      else if (2'(d) < in_d && n[d] > 20'd1) ok = ok && sb[2:0] == 3'd0;
    end
    return ok;
  endfunction

  // The same pattern in 8-byte units (unit_ok holds).
  function automatic logic [2:0][19:0] unit_n(logic [1:0] es, logic [2:0][19:0] n);
    logic [2:0][19:0] r;
    r = n;
    for (int unsigned d = 0; d < 3; d++)
      if (2'(d) == inner_dim(n)) r[d] = 20'((23'(n[d]) << es) >> 3);
    return r;
  endfunction
  function automatic logic [2:0][27:0] unit_s(logic dram, logic [1:0] es, logic [2:0][19:0] n, logic [2:0][27:0] s);
    logic [2:0][27:0] r;
    logic [1:0] in_d;
    in_d = inner_dim(n);
    r = s;
    for (int unsigned d = 0; d < 3; d++) begin
      if (2'(d) == in_d) r[d] = dram ? 28'd8 : 28'd1;
      else if (2'(d) < in_d && n[d] > 20'd1 && !dram) r[d] = 28'((32'(signed'(s[d])) <<< es) >>> 3);
    end
    return r;
  endfunction

  // FIFO status outputs this channel does not need (credits bound the occupancy instead).
  logic [1:0] unused_burst_count;
  logic [$clog2(DescDepth + 1)-1:0] unused_desc_count;
  logic unused_rd_full, unused_oc_full;
  logic [$clog2(ReadBufBeats + 1)-1:0] unused_rd_count;
  logic [$clog2(WBufBeats + 1)-1:0] unused_wq_count;

  // ---------------------------------------------------------------------------------------
  // Front-end: the registered instruction.
  logic busy_q, busy_d, start_q, start_d, done_q, done_d;
  logic [1:0] src_space_q, dst_space_q;
  dtype_e src_dtype_q, dst_dtype_q;
  logic [7:0] src_part_q, dst_part_q, src_parts_q, dst_parts_q;
  logic [39:0] src_addr_q, dst_addr_q;
  logic [2:0][19:0] src_n_q, dst_n_q;
  logic signed [2:0][27:0] src_s_q, dst_s_q;
  logic src_dram, dst_dram, src_psum, dst_psum;
  logic [1:0] src_shift, dst_shift;
  logic accept;
  logic wide_q;  // this instruction moves 8-byte units
  // The instruction's fields as they arrive (registered at accept).
  logic [1:0] in_src_space, in_dst_space;
  dtype_e in_src_dtype, in_dst_dtype;
  logic [39:0] in_src_addr, in_dst_addr;
  logic [2:0][19:0] in_src_n, in_dst_n;
  logic [2:0][27:0] in_src_s, in_dst_s;
  logic in_src_dram, in_dst_dram, in_wide;

  assign inst_ready_o = !busy_q;
  assign accept = inst_valid_i && !busy_q;
  assign src_dram = src_space_q == SpaceDram;
  assign dst_dram = dst_space_q == SpaceDram;
  assign src_psum = src_space_q == SpacePsum;
  assign dst_psum = dst_space_q == SpacePsum;
  assign src_shift = wide_q ? 2'd3 : elem_shift(src_dtype_q);
  assign dst_shift = wide_q ? 2'd3 : elem_shift(dst_dtype_q);

  assign in_src_space = inst_i[SrcLsb + ApSpaceLsb +: ApSpaceBits];
  assign in_dst_space = inst_i[DstLsb + ApSpaceLsb +: ApSpaceBits];
  assign in_src_dtype = dtype_e'(inst_i[SrcLsb + ApDtypeLsb +: ApDtypeBits]);
  assign in_dst_dtype = dtype_e'(inst_i[DstLsb + ApDtypeLsb +: ApDtypeBits]);
  assign in_src_addr = inst_i[SrcLsb + ApAddrLsb +: ApAddrBits];
  assign in_dst_addr = inst_i[DstLsb + ApAddrLsb +: ApAddrBits];
  assign in_src_n = {inst_i[SrcLsb + ApN2Lsb +: ApN2Bits], inst_i[SrcLsb + ApN1Lsb +: ApN1Bits],
                     inst_i[SrcLsb + ApN0Lsb +: ApN0Bits]};
  assign in_dst_n = {inst_i[DstLsb + ApN2Lsb +: ApN2Bits], inst_i[DstLsb + ApN1Lsb +: ApN1Bits],
                     inst_i[DstLsb + ApN0Lsb +: ApN0Bits]};
  assign in_src_s = {inst_i[SrcLsb + ApS2Lsb +: ApS2Bits], inst_i[SrcLsb + ApS1Lsb +: ApS1Bits],
                     inst_i[SrcLsb + ApS0Lsb +: ApS0Bits]};
  assign in_dst_s = {inst_i[DstLsb + ApS2Lsb +: ApS2Bits], inst_i[DstLsb + ApS1Lsb +: ApS1Bits],
                     inst_i[DstLsb + ApS0Lsb +: ApS0Bits]};
  assign in_src_dram = in_src_space == SpaceDram;
  assign in_dst_dram = in_dst_space == SpaceDram;
  assign in_wide = in_src_dtype == in_dst_dtype && in_src_dram != in_dst_dram &&
                   (in_src_dram ? in_dst_space : in_src_space) == SpaceSbuf &&
                   unit_ok(in_src_dram, elem_shift(in_src_dtype), in_src_addr[2:0], in_src_n, in_src_s) &&
                   unit_ok(in_dst_dram, elem_shift(in_dst_dtype), in_dst_addr[2:0], in_dst_n, in_dst_s);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      src_space_q <= '0;
      dst_space_q <= '0;
      src_dtype_q <= DtypeFp32;
      dst_dtype_q <= DtypeFp32;
      src_part_q <= '0;
      dst_part_q <= '0;
      src_parts_q <= '0;
      dst_parts_q <= '0;
      src_addr_q <= '0;
      dst_addr_q <= '0;
      src_n_q <= '0;
      dst_n_q <= '0;
      src_s_q <= '0;
      dst_s_q <= '0;
      wide_q <= 1'b0;
    end else if (accept) begin
      src_space_q <= in_src_space;
      dst_space_q <= in_dst_space;
      src_dtype_q <= in_src_dtype;
      dst_dtype_q <= in_dst_dtype;
      src_part_q <= inst_i[SrcLsb + ApPartLsb +: ApPartBits];
      dst_part_q <= inst_i[DstLsb + ApPartLsb +: ApPartBits];
      src_parts_q <= inst_i[SrcLsb + ApPartsLsb +: ApPartsBits];
      dst_parts_q <= inst_i[DstLsb + ApPartsLsb +: ApPartsBits];
      src_addr_q <= in_src_addr;
      dst_addr_q <= in_dst_addr;
      wide_q <= in_wide;
      src_n_q <= in_wide ? unit_n(elem_shift(in_src_dtype), in_src_n) : in_src_n;
      dst_n_q <= in_wide ? unit_n(elem_shift(in_dst_dtype), in_dst_n) : in_dst_n;
      src_s_q <= in_wide ? unit_s(in_src_dram, elem_shift(in_src_dtype), in_src_n, in_src_s) : in_src_s;
      dst_s_q <= in_wide ? unit_s(in_dst_dram, elem_shift(in_dst_dtype), in_dst_n, in_dst_s) : in_dst_s;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Mid-end: source and destination walkers.
  logic sw_valid, sw_ready, sw_last, dw_valid, dw_ready, dw_last;
  logic [39:0] sw_addr, dw_addr;
  logic [7:0] sw_part, dw_part;

  dma_walk u_src_walk (
    .clk_i(clk_i),
    .rst_ni(rst_ni),
    .start_i(start_q),
    .parts_i(src_dram ? 8'd1 : src_parts_q),
    .base_i(src_addr_q),
    .elem_shift_i(src_dram ? 2'd0 : src_shift),
    .count_i(src_n_q),
    .stride_i(src_s_q),
    .valid_o(sw_valid),
    .ready_i(sw_ready),
    .addr_o(sw_addr),
    .part_o(sw_part),
    .last_o(sw_last)
  );

  dma_walk u_dst_walk (
    .clk_i(clk_i),
    .rst_ni(rst_ni),
    .start_i(start_q),
    .parts_i(dst_dram ? 8'd1 : dst_parts_q),
    .base_i(dst_addr_q),
    .elem_shift_i(dst_dram ? 2'd0 : dst_shift),
    .count_i(dst_n_q),
    .stride_i(dst_s_q),
    .valid_o(dw_valid),
    .ready_i(dw_ready),
    .addr_o(dw_addr),
    .part_o(dw_part),
    .last_o(dw_last)
  );

  // ---------------------------------------------------------------------------------------
  // Burst former (DRAM side of the instruction, if any) and its queues.
  logic bf_in_valid, bf_in_ready, bf_in_last, bf_beat_push, bf_burst_push, bf_busy;
  logic [39:0] bf_in_addr, bf_burst_addr;
  logic [63:0] bf_in_code;
  logic [OffW-1:0] bf_beat_off;
  logic [OffW:0] bf_beat_cnt;
  logic [BeatW-1:0] bf_beat_data;
  logic [AxiBytes-1:0] bf_beat_strb;
  logic [7:0] bf_burst_len;
  logic desc_full, wq_full, burst_full, burst_empty, beat_space;
  logic [63:0] cvt_code;
  logic [31:0] cvt_narrow;
  logic dst_fire;

  assign bf_in_valid = src_dram ? sw_valid : (dst_dram && dw_valid && el_valid);
  assign bf_in_addr = src_dram ? sw_addr : dw_addr;
  assign bf_in_code = cvt_code;
  assign bf_in_last = src_dram ? sw_last : dw_last;
  assign beat_space = src_dram ? !desc_full : !wq_full;

  dma_burst_former #(.AxiBytes(AxiBytes), .MaxBurstBeats(MaxBurstBeats)) u_former (
    .clk_i(clk_i),
    .rst_ni(rst_ni),
    .elem_shift_i(src_dram ? src_shift : dst_shift),
    .in_valid_i(bf_in_valid),
    .in_ready_o(bf_in_ready),
    .in_addr_i(bf_in_addr),
    .in_code_i(bf_in_code),
    .in_last_i(bf_in_last),
    .beat_space_i(beat_space),
    .beat_push_o(bf_beat_push),
    .beat_off_o(bf_beat_off),
    .beat_cnt_o(bf_beat_cnt),
    .beat_data_o(bf_beat_data),
    .beat_strb_o(bf_beat_strb),
    .burst_space_i(!burst_full),
    .burst_push_o(bf_burst_push),
    .burst_addr_o(bf_burst_addr),
    .burst_len_o(bf_burst_len),
    .busy_o(bf_busy)
  );

  // Bursts waiting for the AR / AW arbiter.
  logic [47:0] burst_head;
  dma_fifo #(.Width(48), .Depth(2)) u_burst_q (
    .clk_i(clk_i),
    .rst_ni(rst_ni),
    .push_i(bf_burst_push),
    .wdata_i({bf_burst_len, bf_burst_addr}),
    .pop_i(burst_gnt_i),
    .rdata_o(burst_head),
    .empty_o(burst_empty),
    .full_o(burst_full),
    .count_o(unused_burst_count)
  );
  assign burst_addr_o = burst_head[39:0];
  assign burst_len_o = burst_head[47:40];

  // Read buffer reservation: beats of issued ARs not yet unpacked.
  logic [RbW-1:0] rb_reserved_q, rb_reserved_d;
  logic rb_fits, un_pop;
  assign rb_fits = 32'(rb_reserved_q) + 32'(burst_len_o) + 1 <= ReadBufBeats;
  assign ar_valid_o = !burst_empty && src_dram && rb_fits;
  assign aw_valid_o = !burst_empty && !src_dram;

  always_comb begin
    rb_reserved_d = rb_reserved_q;
    if (burst_gnt_i && src_dram) rb_reserved_d = rb_reserved_d + RbW'(burst_len_o) + 1'b1;
    if (un_pop) rb_reserved_d = rb_reserved_d - 1'b1;
  end

  // Read side: per-beat descriptors, R data, unpacker.
  logic [2*OffW:0] desc_head;
  logic desc_empty, rd_empty;
  logic [BeatW-1:0] rd_head;
  logic [OffW:0] un_idx_q, un_idx_d;
  logic [OffW-1:0] un_off;
  logic [63:0] un_code;
  logic un_valid;

  dma_fifo #(.Width(2 * OffW + 1), .Depth(DescDepth)) u_desc_q (
    .clk_i(clk_i),
    .rst_ni(rst_ni),
    .push_i(bf_beat_push && src_dram),
    .wdata_i({bf_beat_cnt, bf_beat_off}),
    .pop_i(un_pop),
    .rdata_o(desc_head),
    .empty_o(desc_empty),
    .full_o(desc_full),
    .count_o(unused_desc_count)
  );

  dma_fifo #(.Width(BeatW), .Depth(ReadBufBeats)) u_rdata_q (
    .clk_i(clk_i),
    .rst_ni(rst_ni),
    .push_i(r_push_i),
    .wdata_i(r_data_i),
    .pop_i(un_pop),
    .rdata_o(rd_head),
    .empty_o(rd_empty),
    .full_o(unused_rd_full),
    .count_o(unused_rd_count)
  );

  assign un_valid = src_dram && !desc_empty && !rd_empty;
  assign un_off = desc_head[OffW-1:0] + OffW'(un_idx_q << src_shift);
  assign un_code = mask_code(64'(rd_head >> {un_off, 3'b000}), src_shift);

  // On-chip source: element FIFO behind the mem-port reads.
  logic [63:0] oc_head;
  logic oc_empty, oc_push;
  logic [$clog2(ElemDepth + 1)-1:0] oc_count;
  logic rm_valid_q, rm_valid_d;   // a granted read returns this cycle
  logic [7:0] rm_part_q, rm_part_d;
  logic [1:0] rm_lane_q, rm_lane_d;
  logic [63:0] oc_rword;

  assign oc_push = rm_valid_q;
  assign oc_rword = {mem_rdata_hi_i[rm_part_q[$clog2(Rows > 1 ? Rows : 2)-1:0]],
                     mem_rdata_i[rm_part_q[$clog2(Rows > 1 ? Rows : 2)-1:0]]} >> {rm_lane_q, 3'b000};

  // Source element stream and the conversion.
  logic el_valid, el_pop;
  logic [63:0] el_code;
  assign el_valid = src_dram ? un_valid : !oc_empty;
  assign el_code = src_dram ? un_code : oc_head;

  dma_fifo #(.Width(64), .Depth(ElemDepth)) u_oc_q (
    .clk_i(clk_i),
    .rst_ni(rst_ni),
    .push_i(oc_push),
    .wdata_i(mask_code(oc_rword, src_shift)),
    .pop_i(el_pop && !src_dram),
    .rdata_o(oc_head),
    .empty_o(oc_empty),
    .full_o(unused_oc_full),
    .count_o(oc_count)
  );

  dma_convert u_convert (
    .src_dtype_i(src_dtype_q),
    .dst_dtype_i(dst_dtype_q),
    .code_i(el_code[31:0]),
    .code_o(cvt_narrow)
  );
  // An 8-byte unit is a bit copy (equal dtypes): it bypasses the converter.
  assign cvt_code = wide_q ? el_code : {32'h0, cvt_narrow};

  // ---------------------------------------------------------------------------------------
  // Destination: on-chip packer and the mem request register.
  logic pk_valid_q, pk_valid_d, pk_last_q, pk_last_d;
  logic [7:0] pk_part_q, pk_part_d;
  logic [MemAw-1:0] pk_word_q, pk_word_d;
  logic [63:0] pk_data_q, pk_data_d;
  logic [7:0] pk_be_q, pk_be_d;
  logic [7:0] el_part;
  logic [MemAw-1:0] el_word;
  logic [1:0] el_lane;
  logic [7:0] el_be;
  logic [63:0] el_data;
  logic oc_in_valid, same_word, need_flush, flush_do, oc_accept;

  logic mr_valid_q, mr_valid_d, mr_we_q, mr_we_d, mr_psum_q, mr_psum_d;
  logic [MemAw-1:0] mr_addr_q, mr_addr_d;
  logic [7:0] mr_part_q, mr_part_d;
  logic [1:0] mr_lane_q, mr_lane_d;
  logic [7:0] mr_be_q, mr_be_d;
  logic [63:0] mr_data_q, mr_data_d;
  logic mr_can_load, rd_credit, rd_do;

  assign el_part = dst_part_q + dw_part;
  assign el_word = dw_addr[MemAw+1:2];
  assign el_lane = dw_addr[1:0];
  always_comb begin
    unique case (dst_shift)
      2'd0: el_be = 8'h01 << el_lane;
      2'd1: el_be = 8'h03 << el_lane;
      2'd2: el_be = 8'h0F;
      default: el_be = 8'hFF;  // an 8-byte unit at an even word
    endcase
  end
  assign el_data = cvt_code << {el_lane, 3'b000};

  assign mr_can_load = !mr_valid_q || mem_gnt_i;
  assign oc_in_valid = !dst_dram && busy_q && dw_valid && el_valid;
  assign same_word = pk_valid_q && pk_part_q == el_part && pk_word_q == el_word;
  assign need_flush = pk_valid_q && (pk_last_q || (oc_in_valid && !same_word));
  assign flush_do = need_flush && mr_can_load;
  assign oc_accept = oc_in_valid && (!pk_valid_q || same_word || flush_do);

  // Reads in flight (request register, returning, buffered) never exceed the element FIFO.
  assign rd_credit = 32'(mr_valid_q && !mr_we_q) + 32'(rm_valid_q) + 32'(oc_count) < ElemDepth;
  assign rd_do = !src_dram && sw_valid && mr_can_load && !flush_do && rd_credit;
  assign sw_ready = src_dram ? bf_in_ready : rd_do;

  assign dst_fire = dst_dram ? (bf_in_valid && bf_in_ready) : oc_accept;
  assign dw_ready = dst_fire;
  assign el_pop = dst_fire;

  always_comb begin
    pk_valid_d = pk_valid_q;
    pk_last_d = pk_last_q;
    pk_part_d = pk_part_q;
    pk_word_d = pk_word_q;
    pk_data_d = pk_data_q;
    pk_be_d = pk_be_q;
    if (flush_do) pk_valid_d = 1'b0;
    if (oc_accept) begin
      pk_valid_d = 1'b1;
      pk_last_d = dw_last;
      if (same_word) begin
        for (int b = 0; b < 8; b++) if (el_be[b]) pk_data_d[8*b +: 8] = el_data[8*b +: 8];
        pk_be_d = pk_be_q | el_be;
      end else begin
        pk_part_d = el_part;
        pk_word_d = el_word;
        pk_data_d = el_data;
        pk_be_d = el_be;
      end
    end
  end

  always_comb begin
    mr_valid_d = mr_valid_q && !mem_gnt_i;
    mr_we_d = mr_we_q;
    mr_psum_d = mr_psum_q;
    mr_addr_d = mr_addr_q;
    mr_part_d = mr_part_q;
    mr_lane_d = mr_lane_q;
    mr_be_d = mr_be_q;
    mr_data_d = mr_data_q;
    if (flush_do) begin
      mr_valid_d = 1'b1;
      mr_we_d = 1'b1;
      mr_psum_d = dst_psum;
      mr_addr_d = pk_word_q;
      mr_part_d = pk_part_q;
      mr_be_d = pk_be_q;
      mr_data_d = pk_data_q;
    end else if (rd_do) begin
      mr_valid_d = 1'b1;
      mr_we_d = 1'b0;
      mr_psum_d = src_psum;
      mr_addr_d = sw_addr[MemAw+1:2];
      mr_part_d = src_part_q + sw_part;
      mr_lane_d = sw_addr[1:0];
      mr_be_d = 8'h00;
    end
    rm_valid_d = mr_valid_q && mem_gnt_i && !mr_we_q;
    rm_part_d = mr_part_q;
    rm_lane_d = mr_lane_q;
  end

  assign mem_req_o = mr_valid_q;
  assign mem_we_o = mr_we_q;
  assign mem_psum_o = mr_psum_q;
  assign mem_addr_o = mr_addr_q;
  assign mem_mask_o = Rows'(1) << mr_part_q;
  assign mem_be_o = mr_be_q[3:0];
  assign mem_wdata_o = {Rows{mr_data_q[31:0]}};
  assign mem_wide_o = wide_q;
  assign mem_be_hi_o = mr_be_q[7:4];
  assign mem_wdata_hi_o = {Rows{mr_data_q[63:32]}};

  // ---------------------------------------------------------------------------------------
  // DRAM destination: W beats and outstanding bursts.
  logic [BeatW+AxiBytes-1:0] wq_head;
  logic wq_empty;
  dma_fifo #(.Width(BeatW + AxiBytes), .Depth(WBufBeats)) u_w_q (
    .clk_i(clk_i),
    .rst_ni(rst_ni),
    .push_i(bf_beat_push && !src_dram),
    .wdata_i({bf_beat_strb, bf_beat_data}),
    .pop_i(w_pop_i),
    .rdata_o(wq_head),
    .empty_o(wq_empty),
    .full_o(wq_full),
    .count_o(unused_wq_count)
  );
  assign w_avail_o = !wq_empty;
  assign w_data_o = wq_head[BeatW-1:0];
  assign w_strb_o = wq_head[BeatW +: AxiBytes];

  logic [15:0] b_pending_q, b_pending_d;
  always_comb begin
    b_pending_d = b_pending_q;
    if (bf_burst_push && dst_dram) b_pending_d = b_pending_d + 1'b1;
    if (b_i) b_pending_d = b_pending_d - 1'b1;
  end

  // ---------------------------------------------------------------------------------------
  // Unpacker index, completion, status.
  logic dst_last_q, dst_last_d, fin;
  always_comb begin
    un_idx_d = un_idx_q;
    un_pop = 1'b0;
    if (src_dram && el_pop) begin
      if (un_idx_q + 1'b1 == desc_head[2*OffW:OffW]) begin
        un_idx_d = '0;
        un_pop = 1'b1;
      end else begin
        un_idx_d = un_idx_q + 1'b1;
      end
    end
  end

  assign fin = busy_q && (dst_last_q || (dst_fire && dw_last)) &&
               (dst_dram ? (!bf_busy && b_pending_q == 0 && !(bf_in_valid && bf_in_ready))
                         : (!pk_valid_q && !oc_accept && (!mr_valid_q || mem_gnt_i)));

  always_comb begin
    busy_d = busy_q;
    start_d = 1'b0;
    done_d = 1'b0;
    dst_last_d = dst_last_q;
    if (accept) begin
      busy_d = 1'b1;
      start_d = 1'b1;
      dst_last_d = 1'b0;
    end else if (busy_q) begin
      if (dst_fire && dw_last) dst_last_d = 1'b1;
      if (fin) begin
        busy_d = 1'b0;
        done_d = 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      start_q <= 1'b0;
      done_q <= 1'b0;
      dst_last_q <= 1'b0;
      rb_reserved_q <= '0;
      un_idx_q <= '0;
      rm_valid_q <= 1'b0;
      rm_part_q <= '0;
      rm_lane_q <= '0;
      pk_valid_q <= 1'b0;
      pk_last_q <= 1'b0;
      pk_part_q <= '0;
      pk_word_q <= '0;
      pk_data_q <= '0;
      pk_be_q <= '0;
      mr_valid_q <= 1'b0;
      mr_we_q <= 1'b0;
      mr_psum_q <= 1'b0;
      mr_addr_q <= '0;
      mr_part_q <= '0;
      mr_lane_q <= '0;
      mr_be_q <= '0;
      mr_data_q <= '0;
      b_pending_q <= '0;
    end else begin
      busy_q <= busy_d;
      start_q <= start_d;
      done_q <= done_d;
      dst_last_q <= dst_last_d;
      rb_reserved_q <= rb_reserved_d;
      un_idx_q <= un_idx_d;
      rm_valid_q <= rm_valid_d;
      rm_part_q <= rm_part_d;
      rm_lane_q <= rm_lane_d;
      pk_valid_q <= pk_valid_d;
      pk_last_q <= pk_last_d;
      pk_part_q <= pk_part_d;
      pk_word_q <= pk_word_d;
      pk_data_q <= pk_data_d;
      pk_be_q <= pk_be_d;
      mr_valid_q <= mr_valid_d;
      mr_we_q <= mr_we_d;
      mr_psum_q <= mr_psum_d;
      mr_addr_q <= mr_addr_d;
      mr_part_q <= mr_part_d;
      mr_lane_q <= mr_lane_d;
      mr_be_q <= mr_be_d;
      mr_data_q <= mr_data_d;
      b_pending_q <= b_pending_d;
    end
  end

  assign done_o = done_q;
  assign busy_o = busy_q;
  assign stall_o = busy_q && !start_q && !dst_fire && !(mr_valid_q && mem_gnt_i) && !r_push_i && !b_i &&
                   !w_pop_i && !burst_gnt_i && !bf_beat_push;

  logic unused_ok;
  assign unused_ok = ^{mem_rvalid_i, sw_addr[39:MemAw+2], dw_addr[39:MemAw+2], rm_part_q,
                      inst_i[WordBits-1:SrcLsb+DmaCopySrcBits], inst_i[DstLsb-1:0]};

`ifndef SYNTHESIS
  // A beat holds at least one 8-byte unit (tessera_core: AxiBytes is at least 8).
  initial if (AxiBytes < 8) $fatal(1, "dma_channel: AxiBytes must be at least 8, not %0d", AxiBytes);
  // The mem request holds until granted; read data arrives exactly when expected.
  logic mr_held_q;
  logic [MemAw+81:0] mr_payload_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mr_held_q <= 1'b0;
    end else begin
      if (mr_held_q) assert (mem_req_o && mr_payload_q == {mr_we_q, mr_psum_q, mr_addr_q, mr_part_q, mr_be_q, mr_data_q})
                     else $error("dma_channel: mem request changed before it was granted");
      mr_held_q <= mem_req_o && !mem_gnt_i;
      assert (mem_rvalid_i == rm_valid_q) else $error("dma_channel: mem rvalid not one cycle after a granted read");
      assert (!(r_push_i && rb_reserved_q == '0)) else $error("dma_channel: R beat without a reservation");
    end
  end
  always_ff @(posedge clk_i) mr_payload_q <= {mr_we_q, mr_psum_q, mr_addr_q, mr_part_q, mr_be_q, mr_data_q};
`endif
endmodule
