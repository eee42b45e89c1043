// PSUM: Partitions x Depth fp32 words (Depth = banks x N max), one sram_2r1w per partition
// (docs/psum.md).
//
// Tensor-engine writes (one row of up to Partitions words per cycle, never stalled) overwrite
// or accumulate: dst = acc ? add32(dst, data) : data, the contract's PSUM write. An accumulate
// reads the old word in the cycle it is accepted and writes the sum the next cycle; the word
// written at the previous edge is forwarded, so back-to-back accumulates to one address see
// each other. Engines read (data the next cycle) and write PSUM as plain memory; an engine
// write waits while a tensor-engine write is committing, and the waiting cycles are counted.
module psum #(
  parameter int unsigned Partitions = 4,
  parameter int unsigned Depth = 64,
  localparam int unsigned AddrWidth = $clog2(Depth)
) (
  input  logic                           clk_i,
  input  logic                           rst_ni,
  // tensor-engine write
  input  logic                           te_valid_i,
  input  logic [AddrWidth-1:0]           te_addr_i,
  input  logic [Partitions-1:0]          te_mask_i,
  input  logic                           te_acc_i,
  input  logic [Partitions-1:0][31:0]    te_data_i,
  // engine read
  input  logic                           rd_valid_i,
  input  logic [AddrWidth-1:0]           rd_addr_i,
  output logic                           rd_valid_o,
  output logic [Partitions-1:0][31:0]    rd_data_o,
  // engine write
  input  logic                           wr_valid_i,
  output logic                           wr_ready_o,
  input  logic [AddrWidth-1:0]           wr_addr_i,
  input  logic [Partitions-1:0]          wr_mask_i,
  input  logic [3:0]                     wr_be_i,     // byte enables (narrow dtypes)
  input  logic [Partitions-1:0][31:0]    wr_data_i,
  output logic [31:0]                    wr_conflicts_o
);
  // Stage B: the tensor-engine write accepted last cycle, committing this cycle.
  logic                        b_valid_q, b_acc_q;
  logic [AddrWidth-1:0]        b_addr_q;
  logic [Partitions-1:0]       b_mask_q;
  logic [Partitions-1:0][31:0] b_data_q;
  // The write committed at the previous edge, for forwarding.
  logic                        f_valid_q;
  logic [AddrWidth-1:0]        f_addr_q;
  logic [Partitions-1:0]       f_mask_q;
  logic [3:0]                  f_be_q;
  logic [Partitions-1:0][31:0] f_data_q;
  logic                        rd_valid_q;
  logic [31:0]                 conflicts_q;

  // The write of this cycle: stage B has priority over the engine port.
  logic                        we;
  logic [AddrWidth-1:0]        waddr;
  logic [Partitions-1:0]       wmask;
  logic [3:0]                  wbe;
  logic [Partitions-1:0][31:0] wdata;
  logic [Partitions-1:0][31:0] old_data, sum, acc_rdata;

  assign wr_ready_o = !b_valid_q;

  for (genvar p = 0; p < Partitions; p++) begin : g_part
    // Forwarding is per byte: an engine write may have written only some bytes of the word.
    for (genvar b = 0; b < 4; b++) begin : g_byte
      assign old_data[p][8*b +: 8] = (f_valid_q && f_addr_q == b_addr_q && f_mask_q[p] && f_be_q[b])
                                     ? f_data_q[p][8*b +: 8] : acc_rdata[p][8*b +: 8];
    end
    fp32_add u_add (.a_i(old_data[p]), .b_i(b_data_q[p]), .y_o(sum[p]));

    sram_2r1w #(.Depth(Depth), .Width(32)) u_sram (
      .clk_i   (clk_i),
      .we_i    (we && wmask[p]),
      .waddr_i (waddr),
      .wbe_i   (wbe),
      .wdata_i (wdata[p]),
      .re0_i   (rd_valid_i),
      .raddr0_i(rd_addr_i),
      .rdata0_o(rd_data_o[p]),
      .re1_i   (te_valid_i),
      .raddr1_i(te_addr_i),
      .rdata1_o(acc_rdata[p])
    );
  end

  always_comb begin
    we = 1'b0;
    waddr = wr_addr_i;
    wmask = wr_mask_i;
    wbe = wr_be_i;
    wdata = wr_data_i;
    if (b_valid_q) begin
      we = 1'b1;
      waddr = b_addr_q;
      wmask = b_mask_q;
      wbe = 4'hF;
      for (int unsigned p = 0; p < Partitions; p++) wdata[p] = b_acc_q ? sum[p] : b_data_q[p];
    end else if (wr_valid_i) begin
      we = 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      b_valid_q <= 1'b0;
      b_acc_q <= 1'b0;
      b_addr_q <= '0;
      b_mask_q <= '0;
      b_data_q <= '0;
      f_valid_q <= 1'b0;
      f_addr_q <= '0;
      f_mask_q <= '0;
      f_be_q <= '0;
      f_data_q <= '0;
      rd_valid_q <= 1'b0;
      conflicts_q <= '0;
    end else begin
      b_valid_q <= te_valid_i;
      b_acc_q <= te_acc_i;
      b_addr_q <= te_addr_i;
      b_mask_q <= te_mask_i;
      b_data_q <= te_data_i;
      f_valid_q <= we;
      f_be_q <= wbe;
      f_addr_q <= waddr;
      f_mask_q <= wmask;
      f_data_q <= wdata;
      rd_valid_q <= rd_valid_i;
      if (wr_valid_i && b_valid_q) conflicts_q <= conflicts_q + 1'b1;
    end
  end

  assign rd_valid_o = rd_valid_q;
  assign wr_conflicts_o = conflicts_q;
endmodule
