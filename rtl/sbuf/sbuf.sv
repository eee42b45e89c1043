// SBUF: Partitions x BytesPerPartition, each partition Banks single-port SRAMs interleaved by
// 32-bit word (docs/sbuf.md). Ports requests reach every partition of their mask at one word
// address, the access pattern of the engines (the same free pattern in every partition).
//
// Arbitration is per SRAM, i.e. per (bank, partition): in port order (fixed priority: the
// integrator orders the ports, tensor engine first), a port is granted when none of the SRAMs
// it claims was taken by a port before it. A port claims its bank in the partitions of its
// mask; ports below WholeBankPorts claim their bank in every partition (the tensor engine,
// whose rows move together). So requests of one partition each (the DMA queues) share a bank
// in one cycle. A port that is not granted keeps its request (valid/ready) and its wait is
// counted in conflicts_o. Reads return data the cycle after the grant (rvalid_o); only the
// partitions of the port's mask are meaningful.
module sbuf #(
  parameter int unsigned Partitions = 4,
  parameter int unsigned BytesPerPartition = 4096,
  parameter int unsigned Banks = 4,
  parameter int unsigned Ports = 4,
  parameter int unsigned WholeBankPorts = 0,
  localparam int unsigned Words = BytesPerPartition / 4,
  localparam int unsigned WordAddrWidth = $clog2(Words),
  localparam int unsigned BankBits = $clog2(Banks),
  localparam int unsigned RowWidth = WordAddrWidth - BankBits,
  localparam int unsigned PortBits = Ports > 1 ? $clog2(Ports) : 1,
  localparam logic [Ports-1:0] WholeBank = Ports'((65'(1) << WholeBankPorts) - 65'(1))
) (
  input  logic                                   clk_i,
  input  logic                                   rst_ni,
  input  logic [Ports-1:0]                       valid_i,
  output logic [Ports-1:0]                       ready_o,
  input  logic [Ports-1:0]                       we_i,
  input  logic [Ports-1:0][WordAddrWidth-1:0]    addr_i,   // 32-bit word address in a partition
  input  logic [Ports-1:0][Partitions-1:0]       mask_i,   // partitions taking part
  input  logic [Ports-1:0][3:0]                  be_i,     // byte enables of a write
  input  logic [Ports-1:0][Partitions-1:0][31:0] wdata_i,
  output logic [Ports-1:0]                       rvalid_o,
  output logic [Ports-1:0][Partitions-1:0][31:0] rdata_o,
  output logic [Ports-1:0][31:0]                 conflicts_o
);
  logic [Ports-1:0] grant;
  logic [Ports-1:0][BankBits-1:0] bank_of;
  // Per bank and partition: the SRAMs claimed by the ports granted so far (arbitration), then
  // whether a granted port accesses the SRAM and which one.
  // (Unpacked: Verilator indexes them by a variable bank without wide shifts.)
  logic [Partitions-1:0] taken [Banks];
  logic [Partitions-1:0] sram_req [Banks];
  logic [PortBits-1:0]   sram_port [Banks][Partitions];
  // The bank each port's read was granted on (its data arrive the next cycle).
  logic [Ports-1:0][BankBits-1:0]  rbank_q;
  logic [Ports-1:0]                rvalid_q;
  logic [Ports-1:0][31:0]          conflicts_q;
  // Unpacked: one word per SRAM. As a packed vector Verilator assembled it from the SRAM outputs
  // through one wide temporary per SRAM (trn1: 2048 of them, megabytes copied per evaluation).
  logic [31:0] bank_rdata [Partitions][Banks];

  // Fixed-priority arbitration per (bank, partition).
  always_comb begin
    logic [Partitions-1:0] claim;
    grant = '0;
    for (int unsigned b = 0; b < Banks; b++) begin
      taken[b] = '0;
      sram_req[b] = '0;
      for (int unsigned part = 0; part < Partitions; part++) sram_port[b][part] = '0;
    end
    for (int unsigned p = 0; p < Ports; p++) begin
      bank_of[p] = addr_i[p][BankBits-1:0];
      claim = mask_i[p] | {Partitions{WholeBank[p]}};
      if (valid_i[p] && (taken[bank_of[p]] & claim) == '0) begin
        taken[bank_of[p]] = taken[bank_of[p]] | claim;
        grant[p] = 1'b1;
        for (int unsigned part = 0; part < Partitions; part++) begin
          if (mask_i[p][part]) begin
            sram_req[bank_of[p]][part] = 1'b1;
            sram_port[bank_of[p]][part] = PortBits'(p);
          end
        end
      end
    end
  end
  assign ready_o = grant;

  for (genvar part = 0; part < Partitions; part++) begin : g_part
    for (genvar b = 0; b < Banks; b++) begin : g_bank
      logic [PortBits-1:0] who;
      assign who = sram_port[b][part];
      sram_1rw #(.Depth(Words / Banks), .Width(32)) u_sram (
        .clk_i  (clk_i),
        .req_i  (sram_req[b][part]),
        .we_i   (we_i[who]),
        .addr_i (RowWidth'(addr_i[who] >> BankBits)),
        .be_i   (be_i[who]),
        .wdata_i(wdata_i[who][part]),
        .rdata_o(bank_rdata[part][b])
      );
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rbank_q <= '0;
      rvalid_q <= '0;
      conflicts_q <= '0;
    end else begin
      rvalid_q <= grant & ~we_i;
      rbank_q <= bank_of;
      for (int unsigned p = 0; p < Ports; p++) begin
        if (valid_i[p] && !grant[p]) conflicts_q[p] <= conflicts_q[p] + 1'b1;
      end
    end
  end

  // Each port's read data: every partition's word of the bank it read (a port reads one bank
  // per cycle), a per-port mux. Written as one loop: one continuous assignment per (port,
  // partition) word made Verilator build the Ports x Partitions x 32-bit vector through one wide
  // temporary per word (trn1: 2432 of them, 10 MiB of stack, 4x slower evaluation).
  always_comb begin
    for (int unsigned p = 0; p < Ports; p++) begin
      for (int unsigned part = 0; part < Partitions; part++) begin
        rdata_o[p][part] = rvalid_q[p] ? bank_rdata[part][rbank_q[p]] : 32'h0;
      end
    end
  end

  assign rvalid_o = rvalid_q;
  assign conflicts_o = conflicts_q;

`ifndef SYNTHESIS
  // Word-interleaved banks: at least two (BankBits >= 1).
  initial if (Banks < 2) $fatal(1, "sbuf: Banks must be at least 2, not %0d", Banks);
  // A refused request must be presented again unchanged (valid/ready). Checked with --assert.
  logic [Ports-1:0]                       refused_q;
  logic [Ports-1:0]                       we_q;
  logic [Ports-1:0][WordAddrWidth-1:0]    addr_q;
  logic [Ports-1:0][Partitions-1:0]       mask_q;
  logic [Ports-1:0][3:0]                  be_q;
  logic [Ports-1:0][Partitions-1:0][31:0] wdata_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      refused_q <= '0;
    end else begin
      for (int unsigned p = 0; p < Ports; p++) begin
        // A port after the whole-bank ports claims the partitions of its mask: an empty mask
        // would be granted on any bank (the TLM's replica refuses it on a bank the tensor
        // engine holds). No engine sends one (ISA: at least one partition; DMA: one-hot).
        if (valid_i[p] && !WholeBank[p])
          assert (mask_i[p] != '0) else $error("sbuf: port %0d requests with an empty partition mask", p);
        if (refused_q[p]) begin
          assert (valid_i[p] && we_i[p] == we_q[p] && addr_i[p] == addr_q[p] && mask_i[p] == mask_q[p] &&
                  (!we_i[p] || (be_i[p] == be_q[p] && wdata_i[p] == wdata_q[p])))
          else $error("sbuf: port %0d changed or dropped a refused request", p);
        end
      end
      refused_q <= valid_i & ~grant;
    end
  end
  always_ff @(posedge clk_i) begin
    we_q <= we_i;
    addr_q <= addr_i;
    mask_q <= mask_i;
    be_q <= be_i;
    wdata_q <= wdata_i;
  end
`endif
endmodule
