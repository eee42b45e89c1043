// The Tessera core (docs/core.md): one sequencer per engine queue on a shared semaphore block,
// the tensor engine with SBUF and PSUM, the DMA engine with its AXI4 master toward DRAM, and
// the activation and vector engines (rtl/vec, docs/vec_engines.md).
//
// Queues are numbered 0 pe, 1 act, 2 dve, 3 + q dma<q>. The host loads each queue's length,
// pulses start_i, serves instruction fetches, and waits for finished_o or deadlock_o.
//
// SBUF ports, in priority order: tensor-engine moving (0), stationary (1), DMA queues
// (2 .. 1 + DmaQueues), act/dve engines (last). PSUM: the tensor engine's write port; one
// engine read and one engine write per cycle, granted to the lowest-numbered requester among
// the DMA queues, then the act/dve engines.
module tessera_core
  import tessera_isa_pkg::*;
#(
  parameter int unsigned Rows = tessera_cfg_pkg::ArrayRows,
  parameter int unsigned Cols = tessera_cfg_pkg::ArrayCols,
  // Above 16 rows (trn1) the array is one tile: the PE loop stays one loop in the generated C++
  // (docs/tensor_engine.md "Building trn1"); tiny and small keep 2x2 tiles so the tiling is tested.
  parameter int unsigned TileRows = Rows > 16 ? Rows : Rows / 2,
  parameter int unsigned TileCols = Cols > 16 ? Cols : Cols / 2,
  parameter int unsigned SbufBytes = tessera_cfg_pkg::SbufBytesPerPartition,
  parameter int unsigned SbufBanks = tessera_cfg_pkg::SbufBanks,  // word-interleaved, per partition
  parameter int unsigned PsumDepth = tessera_cfg_pkg::PsumBanks * tessera_cfg_pkg::MovingMaxN,
  parameter int unsigned DmaQueues = tessera_cfg_pkg::DmaQueues,
  parameter int unsigned AxiBytes = tessera_cfg_pkg::DramBytesPerCycle <= 8 ? 8
                                    : 1 << $clog2(tessera_cfg_pkg::DramBytesPerCycle),
  localparam int unsigned Queues = 3 + DmaQueues,
  localparam int unsigned SbufWords = SbufBytes / 4,
  localparam int unsigned SbufAw = $clog2(SbufWords),
  localparam int unsigned PsumAw = $clog2(PsumDepth),
  localparam int unsigned MemAw = SbufAw > PsumAw ? SbufAw : PsumAw,
  localparam int unsigned AxiIdBits = DmaQueues > 1 ? $clog2(DmaQueues) : 1
) (
  input  logic                                clk_i,
  input  logic                                rst_ni,
  // host control
  input  logic                                start_i,
  input  logic [Queues-1:0][31:0]             len_i,
  output logic                                finished_o,
  output logic                                deadlock_o,
  output logic                                dma_error_o,
  // instruction fetch, one port per queue (served by the host)
  output logic [Queues-1:0]                   fetch_valid_o,
  input  logic [Queues-1:0]                   fetch_ready_i,
  output logic [Queues-1:0][31:0]             fetch_idx_o,
  input  logic [Queues-1:0]                   fetch_rvalid_i,
  input  logic [Queues-1:0][WordBits-1:0]     fetch_rdata_i,
  // the kernel seed of the stochastic-rounding generators (docs/numerics.md), sampled in reset
  input  logic [63:0]                         sr_seed_i,
  // AXI4 master toward DRAM
  output logic                                axi_ar_valid_o,
  input  logic                                axi_ar_ready_i,
  output logic [AxiIdBits-1:0]                axi_ar_id_o,
  output logic [63:0]                         axi_ar_addr_o,
  output logic [7:0]                          axi_ar_len_o,
  output logic [2:0]                          axi_ar_size_o,
  output logic [1:0]                          axi_ar_burst_o,
  input  logic                                axi_r_valid_i,
  output logic                                axi_r_ready_o,
  input  logic [AxiIdBits-1:0]                axi_r_id_i,
  input  logic [AxiBytes*8-1:0]               axi_r_data_i,
  input  logic [1:0]                          axi_r_resp_i,
  input  logic                                axi_r_last_i,
  output logic                                axi_aw_valid_o,
  input  logic                                axi_aw_ready_i,
  output logic [AxiIdBits-1:0]                axi_aw_id_o,
  output logic [63:0]                         axi_aw_addr_o,
  output logic [7:0]                          axi_aw_len_o,
  output logic [2:0]                          axi_aw_size_o,
  output logic [1:0]                          axi_aw_burst_o,
  output logic                                axi_w_valid_o,
  input  logic                                axi_w_ready_i,
  output logic [AxiBytes*8-1:0]               axi_w_data_o,
  output logic [AxiBytes-1:0]                 axi_w_strb_o,
  output logic                                axi_w_last_o,
  input  logic                                axi_b_valid_i,
  output logic                                axi_b_ready_o,
  input  logic [AxiIdBits-1:0]                axi_b_id_i,
  input  logic [1:0]                          axi_b_resp_i,
  // performance counters per queue, cleared by start_i
  output logic [Queues-1:0][31:0]             cnt_insts_o,
  output logic [Queues-1:0][31:0]             cnt_busy_o,
  output logic [Queues-1:0][31:0]             cnt_sem_stall_o,
  output logic [Queues-1:0][31:0]             cnt_mem_stall_o,
  output logic [63:0]                         cnt_cycles_o,
  // per queue: an instruction issued to its engine this cycle (timelines, TLM comparison)
  output logic [Queues-1:0]                   ev_issue_o,
  // SBUF accesses granted this cycle, per port (timeline bandwidth counters)
  output logic [1 + DmaQueues + 6:0]          ev_sbuf_grant_o
);
  localparam int unsigned Requesters = DmaQueues + 6;  // on-chip memory ports: DMA queues, act's three, dve's three
  localparam int unsigned SbufPorts = 2 + Requesters;
  localparam int unsigned ReqBits = Requesters > 1 ? $clog2(Requesters) : 1;

  // ---------------- sequencers and semaphores ----------------
  logic [Queues-1:0]                 seq_valid, seq_ready;
  logic [Queues-1:0][WordBits-1:0]   seq_inst;
  logic [Queues-1:0][1:0]            seq_done;

  seq_cluster #(.Queues(Queues)) u_seq (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .start_i        (start_i),
    .len_i          (len_i),
    .finished_o     (finished_o),
    .deadlock_o     (deadlock_o),
    .fetch_valid_o  (fetch_valid_o),
    .fetch_ready_i  (fetch_ready_i),
    .fetch_idx_o    (fetch_idx_o),
    .fetch_rvalid_i (fetch_rvalid_i),
    .fetch_rdata_i  (fetch_rdata_i),
    .inst_valid_o   (seq_valid),
    .inst_ready_i   (seq_ready),
    .inst_o         (seq_inst),
    .done_i         (seq_done),
    .cnt_insts_o    (cnt_insts_o),
    .cnt_busy_o     (cnt_busy_o),
    .cnt_sem_stall_o(cnt_sem_stall_o)
  );

  // ---------------- tensor engine ----------------
  logic                  mv_req, mv_gnt, mv_rvalid, st_req, st_gnt, st_rvalid;
  logic [SbufAw-1:0]     mv_addr, st_addr;
  logic [Rows-1:0]       mv_mask, st_mask;
  logic [Rows-1:0][31:0] mv_rdata, st_rdata;
  logic                  pw_valid, pw_acc;
  logic [PsumAw-1:0]     pw_addr;
  logic [Rows-1:0]       pw_mask;
  logic [Rows-1:0][31:0] pw_data;

  tensor_engine #(.Rows(Rows), .Cols(Cols), .TileRows(TileRows), .TileCols(TileCols), .SbufWords(SbufWords),
                  .PsumDepth(PsumDepth)) u_tensor_engine (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .inst_valid_i(seq_valid[0]),
    .inst_ready_o(seq_ready[0]),
    .inst_i      (seq_inst[0]),
    .done_o      (seq_done[0]),
    .mv_req_o    (mv_req),
    .mv_gnt_i    (mv_gnt),
    .mv_addr_o   (mv_addr),
    .mv_mask_o   (mv_mask),
    .mv_rvalid_i (mv_rvalid),
    .mv_rdata_i  (mv_rdata),
    .st_req_o    (st_req),
    .st_gnt_i    (st_gnt),
    .st_addr_o   (st_addr),
    .st_mask_o   (st_mask),
    .st_rvalid_i (st_rvalid),
    .st_rdata_i  (st_rdata),
    .pw_valid_o  (pw_valid),
    .pw_addr_o   (pw_addr),
    .pw_mask_o   (pw_mask),
    .pw_acc_o    (pw_acc),
    .pw_data_o   (pw_data)
  );

  // ---------------- activation and vector engines (act, dve) ----------------
  // Instantiated below the DMA: the last six on-chip memory requesters, three per engine.
  logic [1:0] vec_done, vec_busy, vec_stall;
  for (genvar e = 0; e < 2; e++) begin : g_vec_done
    assign seq_done[1 + e] = {1'b0, vec_done[e]};
  end

  // ---------------- DMA ----------------
  // On-chip memory requesters: r < DmaQueues is dma<r>, r = DmaQueues + 3 e + p port p (0, 1
  // read, 2 write) of engine e (act, dve).
  logic [Requesters-1:0]                 m_req, m_gnt, m_we, m_psum, m_rvalid;
  logic [Requesters-1:0][MemAw-1:0]      m_addr;
  logic [Requesters-1:0][Rows-1:0]       m_mask;
  logic [Requesters-1:0][3:0]            m_be;
  logic [Requesters-1:0][Rows-1:0][31:0] m_wdata, m_rdata;
  // 8-byte units of the DMA queues (SBUF only; the act/dve ports are never wide).
  logic [Requesters-1:0]                 m_wide;
  logic [Requesters-1:0][3:0]            m_be_hi;
  logic [Requesters-1:0][Rows-1:0][31:0] m_wdata_hi, m_rdata_hi;
  logic [DmaQueues-1:0]                  dma_done, dma_busy, dma_stall;

  dma_engine #(.Rows(Rows), .Queues(DmaQueues), .MemAw(MemAw), .AxiBytes(AxiBytes)) u_dma (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .inst_valid_i  (seq_valid[Queues-1:3]),
    .inst_ready_o  (seq_ready[Queues-1:3]),
    .inst_i        (seq_inst[Queues-1:3]),
    .done_o        (dma_done),
    .busy_o        (dma_busy),
    .stall_o       (dma_stall),
    .error_o       (dma_error_o),
    .mem_req_o     (m_req[DmaQueues-1:0]),
    .mem_gnt_i     (m_gnt[DmaQueues-1:0]),
    .mem_we_o      (m_we[DmaQueues-1:0]),
    .mem_psum_o    (m_psum[DmaQueues-1:0]),
    .mem_addr_o    (m_addr[DmaQueues-1:0]),
    .mem_mask_o    (m_mask[DmaQueues-1:0]),
    .mem_be_o      (m_be[DmaQueues-1:0]),
    .mem_wdata_o   (m_wdata[DmaQueues-1:0]),
    .mem_wide_o    (m_wide[DmaQueues-1:0]),
    .mem_be_hi_o   (m_be_hi[DmaQueues-1:0]),
    .mem_wdata_hi_o(m_wdata_hi[DmaQueues-1:0]),
    .mem_rvalid_i  (m_rvalid[DmaQueues-1:0]),
    .mem_rdata_i   (m_rdata[DmaQueues-1:0]),
    .mem_rdata_hi_i(m_rdata_hi[DmaQueues-1:0]),
    .axi_ar_valid_o(axi_ar_valid_o),
    .axi_ar_ready_i(axi_ar_ready_i),
    .axi_ar_id_o   (axi_ar_id_o),
    .axi_ar_addr_o (axi_ar_addr_o),
    .axi_ar_len_o  (axi_ar_len_o),
    .axi_ar_size_o (axi_ar_size_o),
    .axi_ar_burst_o(axi_ar_burst_o),
    .axi_r_valid_i (axi_r_valid_i),
    .axi_r_ready_o (axi_r_ready_o),
    .axi_r_id_i    (axi_r_id_i),
    .axi_r_data_i  (axi_r_data_i),
    .axi_r_resp_i  (axi_r_resp_i),
    .axi_r_last_i  (axi_r_last_i),
    .axi_aw_valid_o(axi_aw_valid_o),
    .axi_aw_ready_i(axi_aw_ready_i),
    .axi_aw_id_o   (axi_aw_id_o),
    .axi_aw_addr_o (axi_aw_addr_o),
    .axi_aw_len_o  (axi_aw_len_o),
    .axi_aw_size_o (axi_aw_size_o),
    .axi_aw_burst_o(axi_aw_burst_o),
    .axi_w_valid_o (axi_w_valid_o),
    .axi_w_ready_i (axi_w_ready_i),
    .axi_w_data_o  (axi_w_data_o),
    .axi_w_strb_o  (axi_w_strb_o),
    .axi_w_last_o  (axi_w_last_o),
    .axi_b_valid_i (axi_b_valid_i),
    .axi_b_ready_o (axi_b_ready_o),
    .axi_b_id_i    (axi_b_id_i),
    .axi_b_resp_i  (axi_b_resp_i)
  );
  for (genvar q = 0; q < DmaQueues; q++) begin : g_dma_done
    assign seq_done[3 + q] = {1'b0, dma_done[q]};
  end

  vec_engines #(.Rows(Rows), .MemAw(MemAw)) u_vec (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .sr_seed_i    (sr_seed_i),
    .inst_valid_i (seq_valid[2:1]),
    .inst_ready_o (seq_ready[2:1]),
    .inst_i       (seq_inst[2:1]),
    .done_o       (vec_done),
    .busy_o       (vec_busy),
    .stall_o      (vec_stall),
    .mem_req_o    (m_req[DmaQueues +: 6]),
    .mem_gnt_i    (m_gnt[DmaQueues +: 6]),
    .mem_we_o     (m_we[DmaQueues +: 6]),
    .mem_psum_o   (m_psum[DmaQueues +: 6]),
    .mem_addr_o   (m_addr[DmaQueues +: 6]),
    .mem_mask_o   (m_mask[DmaQueues +: 6]),
    .mem_be_o     (m_be[DmaQueues +: 6]),
    .mem_wdata_o  (m_wdata[DmaQueues +: 6]),
    .mem_rvalid_i (m_rvalid[DmaQueues +: 6]),
    .mem_rdata_i  (m_rdata[DmaQueues +: 6])
  );
  assign m_wide[DmaQueues +: 6] = '0;
  assign m_be_hi[DmaQueues +: 6] = '0;
  assign m_wdata_hi[DmaQueues +: 6] = '0;

  // ---------------- SBUF ----------------
  logic [SbufPorts-1:0]                 sb_valid, sb_ready, sb_we, sb_rvalid;
  logic [SbufPorts-1:0][SbufAw-1:0]     sb_addr;
  logic [SbufPorts-1:0][Rows-1:0]       sb_mask;
  logic [SbufPorts-1:0][3:0]            sb_be;
  logic [SbufPorts-1:0][Rows-1:0][31:0] sb_wdata, sb_rdata;
  logic [SbufPorts-1:0]                 sb_wide;
  logic [SbufPorts-1:0][3:0]            sb_be_hi;
  logic [SbufPorts-1:0][Rows-1:0][31:0] sb_wdata_hi, sb_rdata_hi;
  logic [SbufPorts-1:0][31:0]           sb_conflicts;
  // The ports that can be wide: the DMA queues' (2 .. 1 + DmaQueues).
  localparam logic [SbufPorts-1:0] SbufWide = SbufPorts'(((65'(1) << DmaQueues) - 65'(1)) << 2);

  always_comb begin
    sb_valid = '0;
    sb_we = '0;
    sb_addr = '0;
    sb_mask = '0;
    sb_be = '0;
    sb_wdata = '0;
    sb_wide = '0;
    sb_be_hi = '0;
    sb_wdata_hi = '0;
    sb_valid[0] = mv_req;
    sb_addr[0] = mv_addr;
    sb_mask[0] = mv_mask;
    sb_valid[1] = st_req;
    sb_addr[1] = st_addr;
    sb_mask[1] = st_mask;
    for (int unsigned r = 0; r < Requesters; r++) begin
      sb_valid[2 + r] = m_req[r] && !m_psum[r];
      sb_we[2 + r] = m_we[r];
      sb_addr[2 + r] = SbufAw'(m_addr[r]);
      sb_mask[2 + r] = m_mask[r];
      sb_be[2 + r] = m_be[r];
      sb_wdata[2 + r] = m_wdata[r];
      sb_wide[2 + r] = m_wide[r];
      sb_be_hi[2 + r] = m_be_hi[r];
      sb_wdata_hi[2 + r] = m_wdata_hi[r];
    end
  end
  assign mv_gnt = sb_ready[0];
  assign st_gnt = sb_ready[1];
  assign mv_rvalid = sb_rvalid[0];
  assign st_rvalid = sb_rvalid[1];
  assign mv_rdata = sb_rdata[0];
  assign st_rdata = sb_rdata[1];

  sbuf #(.Partitions(Rows), .BytesPerPartition(SbufBytes), .Banks(SbufBanks), .Ports(SbufPorts),
         .WholeBankPorts(2), .WideMask(SbufWide)) u_sbuf (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .valid_i    (sb_valid),
    .ready_o    (sb_ready),
    .we_i       (sb_we),
    .addr_i     (sb_addr),
    .mask_i     (sb_mask),
    .be_i       (sb_be),
    .wdata_i    (sb_wdata),
    .wide_i     (sb_wide),
    .be_hi_i    (sb_be_hi),
    .wdata_hi_i (sb_wdata_hi),
    .rvalid_o   (sb_rvalid),
    .rdata_o    (sb_rdata),
    .rdata_hi_o (sb_rdata_hi),
    .conflicts_o(sb_conflicts)
  );

  // ---------------- PSUM ----------------
  logic                  ps_rd_valid, ps_rd_valid_q, ps_rd_valid_out, ps_wr_valid, ps_wr_ready;
  logic [PsumAw-1:0]     ps_rd_addr, ps_wr_addr;
  logic [Rows-1:0]       ps_wr_mask;
  logic [3:0]            ps_wr_be;
  logic [Rows-1:0][31:0] ps_wr_data, ps_rd_data;
  logic [ReqBits-1:0]    ps_rd_who, ps_rd_who_q, ps_wr_who;
  logic [31:0]           ps_conflicts;
  logic [Requesters-1:0] ps_gnt;

  // One read and one write per cycle, lowest-numbered requester first.
  always_comb begin
    ps_rd_valid = 1'b0;
    ps_rd_who = '0;
    ps_wr_valid = 1'b0;
    ps_wr_who = '0;
    for (int r = Requesters - 1; r >= 0; r--) begin
      if (m_req[r] && m_psum[r] && !m_we[r]) begin
        ps_rd_valid = 1'b1;
        ps_rd_who = ReqBits'(r);
      end
      if (m_req[r] && m_psum[r] && m_we[r]) begin
        ps_wr_valid = 1'b1;
        ps_wr_who = ReqBits'(r);
      end
    end
    ps_rd_addr = PsumAw'(m_addr[ps_rd_who]);
    ps_wr_addr = PsumAw'(m_addr[ps_wr_who]);
    ps_wr_mask = m_mask[ps_wr_who];
    ps_wr_be = m_be[ps_wr_who];
    ps_wr_data = m_wdata[ps_wr_who];
    ps_gnt = '0;
    if (ps_rd_valid) ps_gnt[ps_rd_who] = 1'b1;
    if (ps_wr_valid && ps_wr_ready) ps_gnt[ps_wr_who] = 1'b1;
  end

  psum #(.Partitions(Rows), .Depth(PsumDepth)) u_psum (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .te_valid_i    (pw_valid),
    .te_addr_i     (pw_addr),
    .te_mask_i     (pw_mask),
    .te_acc_i      (pw_acc),
    .te_data_i     (pw_data),
    .rd_valid_i    (ps_rd_valid),
    .rd_addr_i     (ps_rd_addr),
    .rd_valid_o    (ps_rd_valid_out),
    .rd_data_o     (ps_rd_data),
    .wr_valid_i    (ps_wr_valid),
    .wr_ready_o    (ps_wr_ready),
    .wr_addr_i     (ps_wr_addr),
    .wr_mask_i     (ps_wr_mask),
    .wr_be_i       (ps_wr_be),
    .wr_data_i     (ps_wr_data),
    .wr_conflicts_o(ps_conflicts)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ps_rd_valid_q <= 1'b0;
      ps_rd_who_q <= '0;
    end else begin
      ps_rd_valid_q <= ps_rd_valid;
      ps_rd_who_q <= ps_rd_who;
    end
  end

  // Grants and read data back to the requesters.
  always_comb begin
    for (int unsigned r = 0; r < Requesters; r++) begin
      m_gnt[r] = m_psum[r] ? ps_gnt[r] : sb_ready[2 + r];
      m_rvalid[r] = sb_rvalid[2 + r] || (ps_rd_valid_q && ps_rd_who_q == ReqBits'(r));
      m_rdata[r] = (ps_rd_valid_q && ps_rd_who_q == ReqBits'(r)) ? ps_rd_data : sb_rdata[2 + r];
      m_rdata_hi[r] = sb_rdata_hi[2 + r];  // zero unless a wide SBUF read returns (PSUM reads are never wide)
    end
  end

  // ---------------- events ----------------
  assign ev_issue_o = seq_valid & seq_ready;
  assign ev_sbuf_grant_o = sb_valid & sb_ready;

  // ---------------- counters ----------------
  logic [Queues-1:0] mem_stall;
  logic              running_q;
  logic [Queues-1:0][31:0] mem_stall_q;
  logic [63:0]       cycles_q;
  always_comb begin
    mem_stall = '0;
    mem_stall[0] = (mv_req && !mv_gnt) || (st_req && !st_gnt);
    mem_stall[1] = vec_stall[0];
    mem_stall[2] = vec_stall[1];
    for (int unsigned q = 0; q < DmaQueues; q++) mem_stall[3 + q] = dma_stall[q];
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      running_q <= 1'b0;
      mem_stall_q <= '0;
      cycles_q <= '0;
    end else if (start_i) begin
      running_q <= 1'b1;
      mem_stall_q <= '0;
      cycles_q <= '0;
    end else if (running_q) begin
      if (finished_o || deadlock_o) running_q <= 1'b0;
      cycles_q <= cycles_q + 1'b1;
      for (int unsigned q = 0; q < Queues; q++) mem_stall_q[q] <= mem_stall_q[q] + 32'(mem_stall[q]);
    end
  end
  assign cnt_mem_stall_o = mem_stall_q;
  assign cnt_cycles_o = cycles_q;

  logic unused;
  assign unused = ^{dma_busy, vec_busy, sb_conflicts, ps_conflicts, ps_rd_valid_out,
                    sb_rdata_hi[1:0], m_rdata_hi[DmaQueues +: 6]};
endmodule
