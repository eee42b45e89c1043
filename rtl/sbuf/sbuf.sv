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
//
// Wide requests (wide_i, ports of WideMask only: the DMA queues): 64 bits at an even word
// address, i.e. the two neighbouring banks of one row (word-interleaved banks: words 2j and
// 2j+1 lie in banks 2b and 2b+1). The request claims both SRAMs in its partitions and is granted
// only when both are free; the high word goes through be_hi_i / wdata_hi_i / rdata_hi_o.
module sbuf #(
  parameter int unsigned Partitions = 4,
  parameter int unsigned BytesPerPartition = 4096,
  parameter int unsigned Banks = 4,
  parameter int unsigned Ports = 4,
  parameter int unsigned WholeBankPorts = 0,
  parameter logic [Ports-1:0] WideMask = '0,
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
  input  logic [Ports-1:0]                       wide_i,     // 64 bits at an even address (WideMask ports)
  input  logic [Ports-1:0][3:0]                  be_hi_i,    // the high word's byte enables
  input  logic [Ports-1:0][Partitions-1:0][31:0] wdata_hi_i, // the high word (address + 1)
  output logic [Ports-1:0]                       rvalid_o,
  output logic [Ports-1:0][Partitions-1:0][31:0] rdata_o,
  output logic [Ports-1:0][Partitions-1:0][31:0] rdata_hi_o, // a wide read's high word, else 0
  output logic [Ports-1:0][31:0]                 conflicts_o
);
  logic [Ports-1:0] grant, wide;
  logic [Ports-1:0][BankBits-1:0] bank_of, bank_hi;
  // Per bank and partition: the SRAMs claimed by the ports granted so far (arbitration), then
  // whether a granted port accesses the SRAM and which one.
  // (Unpacked: Verilator indexes them by a variable bank without wide shifts.)
  logic [Partitions-1:0] taken [Banks];
  logic [Partitions-1:0] sram_req [Banks];
  logic [PortBits-1:0]   sram_port [Banks][Partitions];
  logic                  sram_hi [Banks][Partitions];  // the access is a wide port's high word
  // The bank each port's read was granted on (its data arrive the next cycle).
  logic [Ports-1:0][BankBits-1:0]  rbank_q;
  logic [Ports-1:0]                rvalid_q, rwide_q;
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
      for (int unsigned part = 0; part < Partitions; part++) begin
        sram_port[b][part] = '0;
        sram_hi[b][part] = 1'b0;
      end
    end
    for (int unsigned p = 0; p < Ports; p++) begin
      wide[p] = wide_i[p] && WideMask[p];
      bank_of[p] = addr_i[p][BankBits-1:0];
      bank_hi[p] = bank_of[p] | BankBits'(1);  // the odd bank of a wide request's pair
      claim = mask_i[p] | {Partitions{WholeBank[p]}};
      if (valid_i[p] && (taken[bank_of[p]] & claim) == '0 && (!wide[p] || (taken[bank_hi[p]] & claim) == '0)) begin
        taken[bank_of[p]] = taken[bank_of[p]] | claim;
        if (wide[p]) taken[bank_hi[p]] = taken[bank_hi[p]] | claim;
        grant[p] = 1'b1;
        for (int unsigned part = 0; part < Partitions; part++) begin
          if (mask_i[p][part]) begin
            sram_req[bank_of[p]][part] = 1'b1;
            sram_port[bank_of[p]][part] = PortBits'(p);
            if (wide[p]) begin
              sram_req[bank_hi[p]][part] = 1'b1;
              sram_port[bank_hi[p]][part] = PortBits'(p);
              sram_hi[bank_hi[p]][part] = 1'b1;
            end
          end
        end
      end
    end
  end
  assign ready_o = grant;

  for (genvar part = 0; part < Partitions; part++) begin : g_part
    for (genvar b = 0; b < Banks; b++) begin : g_bank
      logic [PortBits-1:0] who;
      logic hi;
      assign who = sram_port[b][part];
      assign hi = sram_hi[b][part];
      // A wide pair's two words share a row: the address's bank bit 0 is all that differs.
      sram_1rw #(.Depth(Words / Banks), .Width(32)) u_sram (
        .clk_i  (clk_i),
        .req_i  (sram_req[b][part]),
        .we_i   (we_i[who]),
        .addr_i (RowWidth'(addr_i[who] >> BankBits)),
        .be_i   (hi ? be_hi_i[who] : be_i[who]),
        .wdata_i(hi ? wdata_hi_i[who][part] : wdata_i[who][part]),
        .rdata_o(bank_rdata[part][b])
      );
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rbank_q <= '0;
      rvalid_q <= '0;
      rwide_q <= '0;
      conflicts_q <= '0;
    end else begin
      rvalid_q <= grant & ~we_i;
      rwide_q <= grant & ~we_i & wide;
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
  // The high words, for the ports that can be wide only (a loop over every port would double
  // the read mux).
  always_comb begin
    for (int unsigned p = 0; p < Ports; p++) begin
      for (int unsigned part = 0; part < Partitions; part++) begin
        rdata_hi_o[p][part] = WideMask[p] && rwide_q[p] ? bank_rdata[part][rbank_q[p] | BankBits'(1)] : 32'h0;
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
  logic [Ports-1:0]                       wide_q;
  logic [Ports-1:0][3:0]                  be_hi_q;
  logic [Ports-1:0][Partitions-1:0][31:0] wdata_hi_q;
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
        if (valid_i[p] && wide[p])
          assert (!addr_i[p][0]) else $error("sbuf: port %0d requests 64 bits at an odd word address", p);
        if (valid_i[p] && !WideMask[p])
          assert (!wide_i[p]) else $error("sbuf: port %0d is not wide (WideMask) and requests 64 bits", p);
        if (refused_q[p]) begin
          assert (valid_i[p] && we_i[p] == we_q[p] && addr_i[p] == addr_q[p] && mask_i[p] == mask_q[p] &&
                  wide[p] == wide_q[p] &&
                  (!we_i[p] || (be_i[p] == be_q[p] && wdata_i[p] == wdata_q[p] &&
                                (!wide[p] || (be_hi_i[p] == be_hi_q[p] && wdata_hi_i[p] == wdata_hi_q[p])))))
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
    wide_q <= wide;
    be_hi_q <= be_hi_i;
    wdata_hi_q <= wdata_hi_i;
  end
`endif
endmodule
