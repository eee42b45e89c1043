// DMA engine (docs/dma.md): Queues independent channels (dma_channel), one per dma queue,
// each with its own on-chip memory port, sharing one AXI4 master.
//
// AR and AW: round-robin arbiters over the channels' burst queues into registered AXI
// outputs (held until ready). ID = queue index. A channel offers an AR only when its read
// buffer has room for the whole burst, so R (and B) are always ready and are routed by ID.
// W: an AW handshake enqueues (id, len) in AW order; the W mux then streams that burst's beats
// from the channel's W buffer into a registered W output, so W never leads its AW (the first
// beat is on the bus at the earliest the cycle after the AW handshake). Non-OKAY R/B
// responses set the sticky error_o.
module dma_engine
  import tessera_isa_pkg::*;
#(
  parameter int unsigned Rows = 4,
  parameter int unsigned Queues = 2,
  parameter int unsigned MemAw = 10,
  parameter int unsigned AxiBytes = 8,
  parameter int unsigned MaxBurstBeats = 16,
  parameter int unsigned OutstandingReads = 4,
  localparam int unsigned IdW = Queues > 1 ? $clog2(Queues) : 1,
  localparam int unsigned BeatW = AxiBytes * 8
) (
  input  logic                              clk_i,
  input  logic                              rst_ni,
  // instructions, per queue
  input  logic [Queues-1:0]                 inst_valid_i,
  output logic [Queues-1:0]                 inst_ready_o,
  input  logic [Queues-1:0][WordBits-1:0]   inst_i,
  output logic [Queues-1:0]                 done_o,
  output logic [Queues-1:0]                 busy_o,
  output logic [Queues-1:0]                 stall_o,
  output logic                              error_o,
  // on-chip memory ports, per queue (docs/core.md)
  output logic [Queues-1:0]                 mem_req_o,
  input  logic [Queues-1:0]                 mem_gnt_i,
  output logic [Queues-1:0]                 mem_we_o,
  output logic [Queues-1:0]                 mem_psum_o,
  output logic [Queues-1:0][MemAw-1:0]      mem_addr_o,
  output logic [Queues-1:0][Rows-1:0]       mem_mask_o,
  output logic [Queues-1:0][3:0]            mem_be_o,
  output logic [Queues-1:0][Rows-1:0][31:0] mem_wdata_o,
  output logic [Queues-1:0]                 mem_wide_o,      // 8-byte units: the word pair (SBUF)
  output logic [Queues-1:0][3:0]            mem_be_hi_o,
  output logic [Queues-1:0][Rows-1:0][31:0] mem_wdata_hi_o,
  input  logic [Queues-1:0]                 mem_rvalid_i,
  input  logic [Queues-1:0][Rows-1:0][31:0] mem_rdata_i,
  input  logic [Queues-1:0][Rows-1:0][31:0] mem_rdata_hi_i,
  // AXI4 master
  output logic                              axi_ar_valid_o,
  input  logic                              axi_ar_ready_i,
  output logic [IdW-1:0]                    axi_ar_id_o,
  output logic [63:0]                       axi_ar_addr_o,
  output logic [7:0]                        axi_ar_len_o,
  output logic [2:0]                        axi_ar_size_o,
  output logic [1:0]                        axi_ar_burst_o,
  input  logic                              axi_r_valid_i,
  output logic                              axi_r_ready_o,
  input  logic [IdW-1:0]                    axi_r_id_i,
  input  logic [BeatW-1:0]                  axi_r_data_i,
  input  logic [1:0]                        axi_r_resp_i,
  input  logic                              axi_r_last_i,
  output logic                              axi_aw_valid_o,
  input  logic                              axi_aw_ready_i,
  output logic [IdW-1:0]                    axi_aw_id_o,
  output logic [63:0]                       axi_aw_addr_o,
  output logic [7:0]                        axi_aw_len_o,
  output logic [2:0]                        axi_aw_size_o,
  output logic [1:0]                        axi_aw_burst_o,
  output logic                              axi_w_valid_o,
  input  logic                              axi_w_ready_i,
  output logic [BeatW-1:0]                  axi_w_data_o,
  output logic [AxiBytes-1:0]               axi_w_strb_o,
  output logic                              axi_w_last_o,
  input  logic                              axi_b_valid_i,
  output logic                              axi_b_ready_o,
  input  logic [IdW-1:0]                    axi_b_id_i,
  input  logic [1:0]                        axi_b_resp_i
);
  localparam logic [2:0] AxiSize = 3'($clog2(AxiBytes));

  logic [Queues-1:0] ar_req, aw_req, ar_gnt, aw_gnt, r_push, w_avail, w_pop, b_hit;
  logic [Queues-1:0][39:0] burst_addr;
  logic [Queues-1:0][7:0] burst_len;
  logic [Queues-1:0][BeatW-1:0] w_data;
  logic [Queues-1:0][AxiBytes-1:0] w_strb;

  for (genvar q = 0; q < Queues; q++) begin : g_chan
    dma_channel #(
      .Rows(Rows),
      .MemAw(MemAw),
      .AxiBytes(AxiBytes),
      .MaxBurstBeats(MaxBurstBeats),
      .OutstandingReads(OutstandingReads)
    ) u_chan (
      .clk_i(clk_i),
      .rst_ni(rst_ni),
      .inst_valid_i(inst_valid_i[q]),
      .inst_ready_o(inst_ready_o[q]),
      .inst_i(inst_i[q]),
      .done_o(done_o[q]),
      .busy_o(busy_o[q]),
      .stall_o(stall_o[q]),
      .mem_req_o(mem_req_o[q]),
      .mem_gnt_i(mem_gnt_i[q]),
      .mem_we_o(mem_we_o[q]),
      .mem_psum_o(mem_psum_o[q]),
      .mem_addr_o(mem_addr_o[q]),
      .mem_mask_o(mem_mask_o[q]),
      .mem_be_o(mem_be_o[q]),
      .mem_wdata_o(mem_wdata_o[q]),
      .mem_wide_o(mem_wide_o[q]),
      .mem_be_hi_o(mem_be_hi_o[q]),
      .mem_wdata_hi_o(mem_wdata_hi_o[q]),
      .mem_rvalid_i(mem_rvalid_i[q]),
      .mem_rdata_i(mem_rdata_i[q]),
      .mem_rdata_hi_i(mem_rdata_hi_i[q]),
      .ar_valid_o(ar_req[q]),
      .aw_valid_o(aw_req[q]),
      .burst_gnt_i(ar_gnt[q] || aw_gnt[q]),
      .burst_addr_o(burst_addr[q]),
      .burst_len_o(burst_len[q]),
      .r_push_i(r_push[q]),
      .r_data_i(axi_r_data_i),
      .w_avail_o(w_avail[q]),
      .w_pop_i(w_pop[q]),
      .w_data_o(w_data[q]),
      .w_strb_o(w_strb[q]),
      .b_i(b_hit[q])
    );
    assign r_push[q] = axi_r_valid_i && axi_r_id_i == IdW'(q);
    assign b_hit[q] = axi_b_valid_i && axi_b_id_i == IdW'(q);
  end

  // Round-robin pick: the first requester at or after the pointer.
  function automatic logic [IdW-1:0] rr_pick(logic [Queues-1:0] req, logic [IdW-1:0] ptr);
    logic [IdW-1:0] pick = ptr;
    for (int i = Queues - 1; i >= 0; i--) begin
      logic [IdW-1:0] cand;
      cand = IdW'((32'(ptr) + 32'(i)) % Queues);
      if (req[cand]) pick = cand;
    end
    return pick;
  endfunction

  // AR.
  logic ar_valid_q, ar_valid_d, ar_load;
  logic [IdW-1:0] ar_id_q, ar_id_d, ar_ptr_q, ar_ptr_d, ar_pick;
  logic [39:0] ar_addr_q, ar_addr_d;
  logic [7:0] ar_len_q, ar_len_d;
  assign ar_pick = rr_pick(ar_req, ar_ptr_q);
  assign ar_load = (!ar_valid_q || axi_ar_ready_i) && |ar_req;
  always_comb begin
    ar_valid_d = ar_valid_q && !axi_ar_ready_i;
    ar_id_d = ar_id_q;
    ar_addr_d = ar_addr_q;
    ar_len_d = ar_len_q;
    ar_ptr_d = ar_ptr_q;
    ar_gnt = '0;
    if (ar_load) begin
      ar_valid_d = 1'b1;
      ar_id_d = ar_pick;
      ar_addr_d = burst_addr[ar_pick];
      ar_len_d = burst_len[ar_pick];
      ar_ptr_d = (32'(ar_pick) == Queues - 1) ? '0 : ar_pick + 1'b1;
      ar_gnt[ar_pick] = 1'b1;
    end
  end

  // AW.
  logic [$clog2(2 * Queues + 1)-1:0] wo_count;
  logic aw_valid_q, aw_valid_d, aw_load;
  logic [IdW-1:0] aw_id_q, aw_id_d, aw_ptr_q, aw_ptr_d, aw_pick;
  logic [39:0] aw_addr_q, aw_addr_d;
  logic [7:0] aw_len_q, aw_len_d;
  assign aw_pick = rr_pick(aw_req, aw_ptr_q);
  // A new AW only when the W order queue will have room for it as well as for the held one.
  assign aw_load = (!aw_valid_q || axi_aw_ready_i) && |aw_req &&
                   32'(wo_count) + 32'(aw_valid_q) + 1 <= 2 * Queues;
  always_comb begin
    aw_valid_d = aw_valid_q && !axi_aw_ready_i;
    aw_id_d = aw_id_q;
    aw_addr_d = aw_addr_q;
    aw_len_d = aw_len_q;
    aw_ptr_d = aw_ptr_q;
    aw_gnt = '0;
    if (aw_load) begin
      aw_valid_d = 1'b1;
      aw_id_d = aw_pick;
      aw_addr_d = burst_addr[aw_pick];
      aw_len_d = burst_len[aw_pick];
      aw_ptr_d = (32'(aw_pick) == Queues - 1) ? '0 : aw_pick + 1'b1;
      aw_gnt[aw_pick] = 1'b1;
    end
  end

  // W: bursts in AW handshake order.
  logic wo_empty, wo_pop, w_load, unused_wo_full;
  logic [IdW+7:0] wo_head;
  logic [IdW-1:0] wo_id;
  logic [7:0] wo_len, w_beat_q, w_beat_d;
  logic w_valid_q, w_valid_d, w_last_q, w_last_d;
  logic [BeatW-1:0] w_data_q, w_data_d;
  logic [AxiBytes-1:0] w_strb_q, w_strb_d;

  dma_fifo #(.Width(IdW + 8), .Depth(2 * Queues)) u_w_order (
    .clk_i(clk_i),
    .rst_ni(rst_ni),
    .push_i(axi_aw_valid_o && axi_aw_ready_i),
    .wdata_i({aw_len_q, aw_id_q}),
    .pop_i(wo_pop),
    .rdata_o(wo_head),
    .empty_o(wo_empty),
    .full_o(unused_wo_full),
    .count_o(wo_count)
  );
  assign wo_id = wo_head[IdW-1:0];
  assign wo_len = wo_head[IdW +: 8];
  assign w_load = (!w_valid_q || axi_w_ready_i) && !wo_empty && w_avail[wo_id];
  assign wo_pop = w_load && w_beat_q == wo_len;

  always_comb begin
    w_valid_d = w_valid_q && !axi_w_ready_i;
    w_last_d = w_last_q;
    w_data_d = w_data_q;
    w_strb_d = w_strb_q;
    w_beat_d = w_beat_q;
    w_pop = '0;
    if (w_load) begin
      w_valid_d = 1'b1;
      w_data_d = w_data[wo_id];
      w_strb_d = w_strb[wo_id];
      w_last_d = w_beat_q == wo_len;
      w_beat_d = (w_beat_q == wo_len) ? 8'd0 : w_beat_q + 1'b1;
      w_pop[wo_id] = 1'b1;
    end
  end

  // Sticky error on any non-OKAY response.
  logic error_q, error_d;
  assign error_d = error_q || (axi_r_valid_i && axi_r_resp_i != 2'b00) || (axi_b_valid_i && axi_b_resp_i != 2'b00);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ar_valid_q <= 1'b0;
      ar_id_q <= '0;
      ar_addr_q <= '0;
      ar_len_q <= '0;
      ar_ptr_q <= '0;
      aw_valid_q <= 1'b0;
      aw_id_q <= '0;
      aw_addr_q <= '0;
      aw_len_q <= '0;
      aw_ptr_q <= '0;
      w_valid_q <= 1'b0;
      w_last_q <= 1'b0;
      w_data_q <= '0;
      w_strb_q <= '0;
      w_beat_q <= '0;
      error_q <= 1'b0;
    end else begin
      ar_valid_q <= ar_valid_d;
      ar_id_q <= ar_id_d;
      ar_addr_q <= ar_addr_d;
      ar_len_q <= ar_len_d;
      ar_ptr_q <= ar_ptr_d;
      aw_valid_q <= aw_valid_d;
      aw_id_q <= aw_id_d;
      aw_addr_q <= aw_addr_d;
      aw_len_q <= aw_len_d;
      aw_ptr_q <= aw_ptr_d;
      w_valid_q <= w_valid_d;
      w_last_q <= w_last_d;
      w_data_q <= w_data_d;
      w_strb_q <= w_strb_d;
      w_beat_q <= w_beat_d;
      error_q <= error_d;
    end
  end

  assign axi_ar_valid_o = ar_valid_q;
  assign axi_ar_id_o = ar_id_q;
  assign axi_ar_addr_o = {24'h0, ar_addr_q};
  assign axi_ar_len_o = ar_len_q;
  assign axi_ar_size_o = AxiSize;
  assign axi_ar_burst_o = 2'b01;
  assign axi_r_ready_o = 1'b1;
  assign axi_aw_valid_o = aw_valid_q;
  assign axi_aw_id_o = aw_id_q;
  assign axi_aw_addr_o = {24'h0, aw_addr_q};
  assign axi_aw_len_o = aw_len_q;
  assign axi_aw_size_o = AxiSize;
  assign axi_aw_burst_o = 2'b01;
  assign axi_w_valid_o = w_valid_q;
  assign axi_w_data_o = w_data_q;
  assign axi_w_strb_o = w_strb_q;
  assign axi_w_last_o = w_last_q;
  assign axi_b_ready_o = 1'b1;
  assign error_o = error_q;

  logic unused_ok;
  assign unused_ok = axi_r_last_i;

`ifndef SYNTHESIS
  // AXI masters hold valid and payload until ready; bursts stay inside 4 KiB and 16 beats.
  logic ar_held_q, aw_held_q, w_held_q;
  logic [IdW+47:0] ar_prev_q, aw_prev_q;
  logic [BeatW+AxiBytes:0] w_prev_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ar_held_q <= 1'b0;
      aw_held_q <= 1'b0;
      w_held_q <= 1'b0;
    end else begin
      if (ar_held_q) assert (axi_ar_valid_o && ar_prev_q == {ar_id_q, ar_len_q, ar_addr_q})
                     else $error("dma_engine: AR changed before ready");
      if (aw_held_q) assert (axi_aw_valid_o && aw_prev_q == {aw_id_q, aw_len_q, aw_addr_q})
                     else $error("dma_engine: AW changed before ready");
      if (w_held_q) assert (axi_w_valid_o && w_prev_q == {w_last_q, w_strb_q, w_data_q})
                    else $error("dma_engine: W changed before ready");
      if (axi_ar_valid_o) begin
        assert (32'(axi_ar_len_o) <= MaxBurstBeats - 1) else $error("dma_engine: AR len too long");
        assert ((axi_ar_addr_o[11:0] + ((13'(axi_ar_len_o) + 1) << AxiSize)) <= 13'h1000)
          else $error("dma_engine: AR crosses 4 KiB");
      end
      if (axi_aw_valid_o) begin
        assert (32'(axi_aw_len_o) <= MaxBurstBeats - 1) else $error("dma_engine: AW len too long");
        assert ((axi_aw_addr_o[11:0] + ((13'(axi_aw_len_o) + 1) << AxiSize)) <= 13'h1000)
          else $error("dma_engine: AW crosses 4 KiB");
      end
      ar_held_q <= axi_ar_valid_o && !axi_ar_ready_i;
      aw_held_q <= axi_aw_valid_o && !axi_aw_ready_i;
      w_held_q <= axi_w_valid_o && !axi_w_ready_i;
    end
  end
  always_ff @(posedge clk_i) begin
    ar_prev_q <= {ar_id_q, ar_len_q, ar_addr_q};
    aw_prev_q <= {aw_id_q, aw_len_q, aw_addr_q};
    w_prev_q <= {w_last_q, w_strb_q, w_data_q};
  end
`endif
endmodule
