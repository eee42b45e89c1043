// Co-simulation top (docs/cosim.md): the SBUF alone, with the core's geometry (partitions, bytes
// per partition, banks; rtl/core/tessera_core.sv) and one port, the transactor's, through which
// the TLM engines' SBUF reads and writes pass.
module cosim_sbuf #(
  localparam int unsigned Rows = tessera_cfg_pkg::ArrayRows,
  localparam int unsigned Words = tessera_cfg_pkg::SbufBytesPerPartition / 4,
  localparam int unsigned Aw = $clog2(Words)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  valid_i,
  output logic                  ready_o,
  input  logic                  we_i,
  input  logic [Aw-1:0]         addr_i,
  input  logic [Rows-1:0]       mask_i,
  input  logic [3:0]            be_i,
  input  logic [Rows-1:0][31:0] wdata_i,
  output logic                  rvalid_o,
  output logic [Rows-1:0][31:0] rdata_o
);
  logic [0:0][31:0] conflicts;
  logic [0:0][Rows-1:0][31:0] rdata_hi;  // no wide port here
  sbuf #(.Partitions(Rows), .BytesPerPartition(tessera_cfg_pkg::SbufBytesPerPartition),
         .Banks(tessera_cfg_pkg::SbufBanks), .Ports(1)) u_sbuf (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .valid_i    (valid_i),
    .ready_o    (ready_o),
    .we_i       (we_i),
    .addr_i     (addr_i),
    .mask_i     (mask_i),
    .be_i       (be_i),
    .wdata_i    (wdata_i),
    .wide_i     (1'b0),
    .be_hi_i    (4'h0),
    .wdata_hi_i ('0),
    .rvalid_o   (rvalid_o),
    .rdata_o    (rdata_o),
    .rdata_hi_o (rdata_hi),
    .conflicts_o(conflicts)
  );
  logic unused;
  assign unused = ^{conflicts, rdata_hi};
endmodule
