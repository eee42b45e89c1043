// Tensor engine: load_stationary and multiply_moving from an instruction stream, SBUF reads
// through access patterns, the systolic array, PSUM writes (docs/tensor_engine.md).
//
// A loader shifts each stationary into the array's free bank (far column first: the pattern is
// walked backwards, after Cols - M zero shifts) while the previous matmul streams; a mover
// streams the moving pattern, one vector per cycle, tagged with the stationary's bank; the
// output side writes each result row to PSUM at the destination pattern's next address,
// rotated to the destination partitions, overwriting or accumulating. Instructions are taken
// in order; a load waits until its bank has drained from the array, a matmul until its
// stationary is complete. Instructions complete in program order (a background load finishes
// before the matmul ahead of it, but is reported after it): done_o counts the instructions
// retired in a cycle, the count the engine's semaphore signals rely on.
module tensor_engine
  import tessera_isa_pkg::*, ap_pkg::*;  // ap_t, ap_at, elem_shift
#(
  parameter int unsigned Rows = 4,
  parameter int unsigned Cols = 4,
  parameter int unsigned TileRows = 2,
  parameter int unsigned TileCols = 2,
  parameter int unsigned SbufWords = 1024,
  parameter int unsigned PsumDepth = 64,
  localparam int unsigned SbufAw = $clog2(SbufWords),
  localparam int unsigned PsumAw = $clog2(PsumDepth)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  inst_valid_i,
  output logic                  inst_ready_o,
  input  logic [WordBits-1:0]   inst_i,
  output logic [1:0]            done_o,
  // SBUF port for the moving operand
  output logic                  mv_req_o,
  input  logic                  mv_gnt_i,
  output logic [SbufAw-1:0]     mv_addr_o,
  output logic [Rows-1:0]       mv_mask_o,
  input  logic                  mv_rvalid_i,
  input  logic [Rows-1:0][31:0] mv_rdata_i,
  // SBUF port for the stationary operand
  output logic                  st_req_o,
  input  logic                  st_gnt_i,
  output logic [SbufAw-1:0]     st_addr_o,
  output logic [Rows-1:0]       st_mask_o,
  input  logic                  st_rvalid_i,
  input  logic [Rows-1:0][31:0] st_rdata_i,
  // PSUM tensor-engine write
  output logic                  pw_valid_o,
  output logic [PsumAw-1:0]     pw_addr_o,
  output logic [Rows-1:0]       pw_mask_o,
  output logic                  pw_acc_o,
  output logic [Rows-1:0][31:0] pw_data_o
);
  function automatic logic [Rows-1:0] part_mask(logic [7:0] first, logic [8:0] count);
    logic [Rows-1:0] m;
    for (int unsigned p = 0; p < Rows; p++) m[p] = 32'(p) >= 32'(first) && 32'(p) < 32'(first) + 32'(count);
    return m;
  endfunction

  logic [7:0] opcode;
  assign opcode = inst_i[HdrOpcodeLsb +: HdrOpcodeBits];

  // ---------------- loader ----------------
  logic        ld_busy_q, ld_iter_started_q;
  logic        ld_bank_q;              // bank of the latest stationary; the next goes to the other
  logic [8:0]  ld_zeros_q;             // zero shifts still to do
  logic [1:0]  ld_outstanding_q;       // SBUF reads granted, data not yet back
  logic [2:0]  ld_dtype_q;
  logic [7:0]  ld_part_q, ld_parts_q;
  logic [1:0]  ld_byte_q;              // byte offset of the read in flight
  ap_t         ld_ap_q;
  logic        ld_iter_start, ld_iter_busy, ld_iter_valid, ld_iter_last;
  logic [39:0] ld_iter_addr, ld_rev_base;
  logic [2:0][27:0] ld_rev_stride;
  logic [Rows-1:0][31:0] ld_rows;

  // ---------------- mover ----------------
  // The moving pattern's iterator starts in the cycle its instruction is accepted, and the next
  // matmul is accepted as soon as the iterator has issued its last read: what the reads in
  // flight need travels with them (mv_meta_q), so consecutive matmuls stream back to back.
  typedef struct packed {
    logic [1:0] byte_off;
    logic [2:0] dtype;
    logic [7:0] part;
    logic [7:0] parts;
    logic       sel;
    logic       last;
  } mv_meta_t;
  logic        mm_sel_q;
  logic [2:0]  mm_dtype_q;
  logic [7:0]  mm_part_q, mm_parts_q;
  ap_t         mm_src;
  mv_meta_t    mv_meta_q;
  logic        mm_iter_busy, mm_iter_valid, mm_iter_last;
  logic [39:0] mm_iter_addr;
  logic [Rows-1:0][31:0] mm_rows;
  logic [1:0][8:0] drain_q;            // per bank: cycles until its last vector has left the array
  logic [1:0]  bank_streaming;

  // ---------------- output side ----------------
  localparam int unsigned FifoDepth = 4;
  typedef struct packed {
    ap_t        dst;
    logic       acc;
    logic [2:0] entry;  // its completion-buffer entry
  } out_desc_t;
  out_desc_t   fifo_q [FifoDepth];
  logic [1:0]  fifo_rd_q, fifo_wr_q;
  logic [2:0]  fifo_count_q;
  logic        out_iter_started_q, out_iter_start, out_iter_busy, out_iter_valid, out_iter_last;
  logic [39:0] out_iter_addr;
  logic        arr_out_valid;
  logic [Cols-1:0][31:0] arr_out;
  logic        done_q;
  logic [2:0]  done_entry_q;
  logic        ld_done;

  // ---------------- in-order completion ----------------
  localparam int unsigned RobDepth = 8;
  logic [RobDepth-1:0] rob_done_q;
  logic [2:0] rob_head_q, rob_tail_q;
  logic [3:0] rob_count_q;
  logic [2:0] ld_entry_q;             // the load in the loader
  logic [1:0] retire;
  logic       head_done, next_done;
  assign head_done = rob_count_q != '0 && rob_done_q[rob_head_q];
  assign next_done = rob_count_q > 4'd1 && rob_done_q[rob_head_q + 3'd1];
  assign retire = head_done ? (next_done ? 2'd2 : 2'd1) : 2'd0;

  // ---------------- dispatch ----------------
  logic accept_ls, accept_mm, accept_other, ls_bank_free;
  // A bank streams while its matmul issues reads or has one in flight (SBUF answers in one cycle).
  for (genvar b = 0; b < 2; b++) begin : g_streaming
    assign bank_streaming[b] = (mm_iter_busy && 32'(mm_sel_q) == b) || (mv_rvalid_i && 32'(mv_meta_q.sel) == b);
  end
  assign ls_bank_free = !bank_streaming[!ld_bank_q] && drain_q[!ld_bank_q] == '0;
  assign accept_ls = inst_valid_i && opcode == OpLoadStationary && !ld_busy_q && ls_bank_free &&
                     rob_count_q != 4'(RobDepth);
  assign accept_mm = inst_valid_i && opcode == OpMultiplyMoving && !mm_iter_busy && !ld_busy_q &&
                     fifo_count_q != 3'(FifoDepth) && rob_count_q != 4'(RobDepth);
  assign accept_other = inst_valid_i && opcode != OpLoadStationary && opcode != OpMultiplyMoving &&
                        rob_count_q != 4'(RobDepth);
  assign inst_ready_o = accept_ls || accept_mm || accept_other;

  // The stationary pattern walked backwards: base at its last element, strides negated.
  ap_t ls_src;
  assign ls_src = ap_at(inst_i, LoadStationarySrcLsb);
  always_comb begin
    logic signed [63:0] span;
    span = '0;
    for (int unsigned d = 0; d < 3; d++) begin
      span = span + (64'(ls_src.n[d]) - 64'sd1) * 64'(signed'(ls_src.s[d]));
      ld_rev_stride[d] = -ls_src.s[d];
    end
    ld_rev_base = ls_src.addr + 40'(span <<< elem_shift(ls_src.dtype));
  end

  // ---------------- loader ----------------
  assign ld_iter_start = ld_busy_q && !ld_iter_started_q && ld_zeros_q == '0;
  ap_iter #(.AddrWidth(40), .CountWidth(20), .StrideWidth(28)) u_ld_iter (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .start_i     (ld_iter_start),
    .base_i      (ld_ap_q.addr),
    .elem_shift_i(elem_shift(ld_ap_q.dtype)),
    .count_i     (ld_ap_q.n),
    .stride_i    (ld_ap_q.s),
    .busy_o      (ld_iter_busy),
    .valid_o     (ld_iter_valid),
    .ready_i     (st_gnt_i),
    .addr_o      (ld_iter_addr),
    .last_o      (ld_iter_last)
  );
  assign st_req_o = ld_iter_valid;
  assign st_addr_o = SbufAw'(ld_iter_addr >> 2);
  assign st_mask_o = part_mask(ld_part_q, {1'b0, ld_parts_q});

  te_operand #(.Rows(Rows)) u_ld_operand (
    .rdata_i(st_rdata_i), .byte_i(ld_byte_q), .dtype_i(ld_dtype_q), .first_i(ld_part_q),
    .count_i({1'b0, ld_parts_q}), .rows_o(ld_rows)
  );
  assign ld_done = ld_busy_q && ld_iter_started_q && !ld_iter_busy && ld_outstanding_q == '0 && !st_rvalid_i;

  // ---------------- mover ----------------
  assign mm_src = ap_at(inst_i, MultiplyMovingSrcLsb);
  ap_iter #(.AddrWidth(40), .CountWidth(20), .StrideWidth(28)) u_mm_iter (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .start_i     (accept_mm),
    .base_i      (mm_src.addr),
    .elem_shift_i(elem_shift(mm_src.dtype)),
    .count_i     (mm_src.n),
    .stride_i    (mm_src.s),
    .busy_o      (mm_iter_busy),
    .valid_o     (mm_iter_valid),
    .ready_i     (mv_gnt_i),
    .addr_o      (mm_iter_addr),
    .last_o      (mm_iter_last)
  );
  assign mv_req_o = mm_iter_valid;
  assign mv_addr_o = SbufAw'(mm_iter_addr >> 2);
  assign mv_mask_o = part_mask(mm_part_q, {1'b0, mm_parts_q});

  te_operand #(.Rows(Rows)) u_mm_operand (
    .rdata_i(mv_rdata_i), .byte_i(mv_meta_q.byte_off), .dtype_i(mv_meta_q.dtype), .first_i(mv_meta_q.part),
    .count_i({1'b0, mv_meta_q.parts}), .rows_o(mm_rows)
  );

  // ---------------- the array ----------------
  tensor_array #(.Rows(Rows), .Cols(Cols), .TileRows(TileRows), .TileCols(TileCols)) u_array (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .mov_valid_i(mv_rvalid_i),
    .mov_sel_i  (mv_meta_q.sel),
    .mov_i      (mm_rows),
    .w_shift_i  ((ld_busy_q && !ld_iter_started_q && ld_zeros_q != '0) || st_rvalid_i),
    .w_bank_i   (ld_bank_q),
    .w_i        (st_rvalid_i ? ld_rows : '0),
    .out_valid_o(arr_out_valid),
    .out_o      (arr_out)
  );

  // ---------------- output side ----------------
  out_desc_t head;
  assign head = fifo_q[fifo_rd_q];
  assign out_iter_start = fifo_count_q != '0 && !out_iter_started_q;
  ap_iter #(.AddrWidth(40), .CountWidth(20), .StrideWidth(28)) u_out_iter (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .start_i     (out_iter_start),
    .base_i      (head.dst.addr),
    .elem_shift_i(2'd2),
    .count_i     (head.dst.n),
    .stride_i    (head.dst.s),
    .busy_o      (out_iter_busy),
    .valid_o     (out_iter_valid),
    .ready_i     (arr_out_valid),
    .addr_o      (out_iter_addr),
    .last_o      (out_iter_last)
  );
  assign pw_valid_o = arr_out_valid;
  assign pw_addr_o = PsumAw'(out_iter_addr >> 2);
  assign pw_acc_o = head.acc;
  assign pw_mask_o = part_mask(head.dst.part, {1'b0, head.dst.parts});
  always_comb begin
    for (int unsigned p = 0; p < Rows; p++) begin
      pw_data_o[p] = '0;
      if (32'(p) >= 32'(head.dst.part) && 32'(p) - 32'(head.dst.part) < Cols)
        pw_data_o[p] = arr_out[32'(p) - 32'(head.dst.part)];
    end
  end

  // ---------------- state ----------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ld_busy_q <= 1'b0;
      ld_iter_started_q <= 1'b0;
      ld_bank_q <= 1'b1;  // so that the first stationary goes to bank 0
      ld_zeros_q <= '0;
      ld_outstanding_q <= '0;
      ld_dtype_q <= '0;
      ld_part_q <= '0;
      ld_parts_q <= '0;
      ld_byte_q <= '0;
      ld_ap_q <= '0;
      mm_sel_q <= 1'b0;
      mm_dtype_q <= '0;
      mm_part_q <= '0;
      mm_parts_q <= '0;
      mv_meta_q <= '0;
      drain_q <= '0;
      for (int unsigned i = 0; i < FifoDepth; i++) fifo_q[i] <= '0;
      fifo_rd_q <= '0;
      fifo_wr_q <= '0;
      fifo_count_q <= '0;
      out_iter_started_q <= 1'b0;
      done_q <= 1'b0;
      done_entry_q <= '0;
      rob_done_q <= '0;
      rob_head_q <= '0;
      rob_tail_q <= '0;
      rob_count_q <= '0;
      ld_entry_q <= '0;
    end else begin
      // loader
      if (accept_ls) begin
        ap_t a;
        logic [8:0] m;  // the stationary's free size M <= Cols
        a = ls_src;
        m = 9'(a.n[0] * a.n[1] * a.n[2]);
        ld_busy_q <= 1'b1;
        ld_iter_started_q <= 1'b0;
        ld_bank_q <= !ld_bank_q;
        ld_zeros_q <= 9'(Cols) - 9'(m);
        ld_dtype_q <= a.dtype;
        ld_part_q <= a.part;
        ld_parts_q <= a.parts;
        ld_ap_q <= a;
        ld_ap_q.addr <= ld_rev_base;
        ld_ap_q.s <= ld_rev_stride;
      end else if (ld_busy_q) begin
        if (!ld_iter_started_q && ld_zeros_q != '0) ld_zeros_q <= ld_zeros_q - 1'b1;
        if (ld_iter_start) ld_iter_started_q <= 1'b1;
        if (ld_done) ld_busy_q <= 1'b0;
      end
      ld_outstanding_q <= ld_outstanding_q + 2'(st_req_o && st_gnt_i) - 2'(st_rvalid_i);
      if (st_req_o && st_gnt_i) ld_byte_q <= ld_iter_addr[1:0];

      // mover
      if (accept_mm) begin
        mm_sel_q <= ld_bank_q;
        mm_dtype_q <= mm_src.dtype;
        mm_part_q <= mm_src.part;
        mm_parts_q <= mm_src.parts;
      end
      if (mv_req_o && mv_gnt_i)
        mv_meta_q <= '{byte_off: mm_iter_addr[1:0], dtype: mm_dtype_q, part: mm_part_q, parts: mm_parts_q,
                       sel: mm_sel_q, last: mm_iter_last};
      // A bank is drained Rows + Cols - 2 cycles after its last vector entered the array.
      for (int unsigned b = 0; b < 2; b++) begin
        if (mv_rvalid_i && mv_meta_q.last && 32'(mv_meta_q.sel) == b) drain_q[b] <= 9'(Rows + Cols - 2);
        else if (drain_q[b] != '0) drain_q[b] <= drain_q[b] - 1'b1;
      end

      // output descriptors
      if (accept_mm) begin
        fifo_q[fifo_wr_q] <= '{dst: ap_at(inst_i, MultiplyMovingDstLsb), acc: inst_i[MultiplyMovingAccLsb],
                               entry: rob_tail_q};
        fifo_wr_q <= fifo_wr_q + 1'b1;
      end
      if (out_iter_start) out_iter_started_q <= 1'b1;
      if (arr_out_valid && out_iter_last) begin
        fifo_rd_q <= fifo_rd_q + 1'b1;
        out_iter_started_q <= 1'b0;
      end
      fifo_count_q <= fifo_count_q + 3'(accept_mm) - 3'(arr_out_valid && out_iter_last);

      // Completion: loads when their last shift is done, matmuls the cycle after their last
      // PSUM write (when PSUM commits it), others at once; retired in program order.
      done_q <= arr_out_valid && out_iter_last;
      done_entry_q <= head.entry;
      if (accept_ls) ld_entry_q <= rob_tail_q;
      if (inst_ready_o) begin
        rob_done_q[rob_tail_q] <= accept_other;
        rob_tail_q <= rob_tail_q + 1'b1;
      end
      if (ld_done) rob_done_q[ld_entry_q] <= 1'b1;
      if (done_q) rob_done_q[done_entry_q] <= 1'b1;
      rob_head_q <= rob_head_q + 3'(retire);
      rob_count_q <= rob_count_q + 4'(inst_ready_o) - 4'(retire);
    end
  end
  assign done_o = retire;

`ifndef SYNTHESIS
  // Every result row finds its destination address ready (the output iterator restarts in the
  // idle cycle between matmuls). Checked with --assert.
  always_ff @(posedge clk_i) begin
    if (arr_out_valid) assert (out_iter_valid) else $error("tensor_engine: result row without a PSUM address");
  end
`endif

  logic unused;
  assign unused = ^{inst_i, out_iter_busy, out_iter_valid, ld_iter_last, mm_iter_addr[39:2], ld_iter_addr[39:2],
                    out_iter_addr[39:2], out_iter_addr[1:0], ld_ap_q.part, ld_ap_q.parts, ld_ap_q.dtype,
                    head.dst.dtype};
endmodule
