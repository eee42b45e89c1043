// Test harness for the tensor engine: the engine with an SBUF (port 0 moving, port 1
// stationary, port 2 the testbench) and a PSUM (tensor-engine port from the engine, read and
// write ports to the testbench).
module te_top
  import tessera_isa_pkg::*;
#(
  parameter int unsigned Rows = 4,
  parameter int unsigned Cols = 4,
  parameter int unsigned TileRows = 2,
  parameter int unsigned TileCols = 2,
  parameter int unsigned SbufBytes = 4096,
  parameter int unsigned SbufBanks = 4,
  parameter int unsigned PsumDepth = 64,
  localparam int unsigned SbufWords = SbufBytes / 4,
  localparam int unsigned SbufAw = $clog2(SbufWords),
  localparam int unsigned PsumAw = $clog2(PsumDepth)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  inst_valid_i,
  output logic                  inst_ready_o,
  input  logic [WordBits-1:0]   inst_i,
  output logic [1:0]            done_o,
  input  logic                  sb_valid_i,
  output logic                  sb_ready_o,
  input  logic                  sb_we_i,
  input  logic [SbufAw-1:0]     sb_addr_i,
  input  logic [Rows-1:0][31:0] sb_wdata_i,
  output logic                  sb_rvalid_o,
  output logic [Rows-1:0][31:0] sb_rdata_o,
  input  logic                  ps_rd_valid_i,
  input  logic [PsumAw-1:0]     ps_rd_addr_i,
  output logic                  ps_rd_valid_o,
  output logic [Rows-1:0][31:0] ps_rd_data_o,
  input  logic                  ps_wr_valid_i,
  output logic                  ps_wr_ready_o,
  input  logic [PsumAw-1:0]     ps_wr_addr_i,
  input  logic [Rows-1:0][31:0] ps_wr_data_i,
  output logic [2:0][31:0]      sb_conflicts_o
);
  logic mv_req, mv_gnt, mv_rvalid, st_req, st_gnt, st_rvalid;
  logic [SbufAw-1:0] mv_addr, st_addr;
  logic [Rows-1:0] mv_mask, st_mask;
  logic [Rows-1:0][31:0] mv_rdata, st_rdata;
  logic pw_valid, pw_acc;
  logic [PsumAw-1:0] pw_addr;
  logic [Rows-1:0] pw_mask;
  logic [Rows-1:0][31:0] pw_data;
  logic [2:0] sb_ready, sb_rvalid;
  logic [2:0][Rows-1:0][31:0] sb_rdata, sb_rdata_hi;  // sb_rdata_hi: no wide port here
  logic [31:0] ps_conflicts;

  tensor_engine #(.Rows(Rows), .Cols(Cols), .TileRows(TileRows), .TileCols(TileCols), .SbufWords(SbufWords),
                  .PsumDepth(PsumDepth)) u_te (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .inst_valid_i(inst_valid_i),
    .inst_ready_o(inst_ready_o),
    .inst_i      (inst_i),
    .done_o      (done_o),
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

  sbuf #(.Partitions(Rows), .BytesPerPartition(SbufBytes), .Banks(SbufBanks), .Ports(3), .WholeBankPorts(2)) u_sbuf (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .valid_i    ({sb_valid_i, st_req, mv_req}),
    .ready_o    (sb_ready),
    .we_i       ({sb_we_i, 1'b0, 1'b0}),
    .addr_i     ({sb_addr_i, st_addr, mv_addr}),
    .mask_i     ({{Rows{1'b1}}, st_mask, mv_mask}),
    .be_i       ({4'hF, 4'h0, 4'h0}),
    .wdata_i    ({sb_wdata_i, {Rows{32'h0}}, {Rows{32'h0}}}),
    .wide_i     (3'b000),
    .be_hi_i    ('0),
    .wdata_hi_i ('0),
    .rvalid_o   (sb_rvalid),
    .rdata_o    (sb_rdata),
    .rdata_hi_o (sb_rdata_hi),
    .conflicts_o(sb_conflicts_o)
  );
  assign {sb_ready_o, st_gnt, mv_gnt} = sb_ready;
  assign {sb_rvalid_o, st_rvalid, mv_rvalid} = sb_rvalid;
  assign sb_rdata_o = sb_rdata[2];
  assign st_rdata = sb_rdata[1];
  assign mv_rdata = sb_rdata[0];

  psum #(.Partitions(Rows), .Depth(PsumDepth)) u_psum (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .te_valid_i    (pw_valid),
    .te_addr_i     (pw_addr),
    .te_mask_i     (pw_mask),
    .te_acc_i      (pw_acc),
    .te_data_i     (pw_data),
    .rd_valid_i    (ps_rd_valid_i),
    .rd_addr_i     (ps_rd_addr_i),
    .rd_valid_o    (ps_rd_valid_o),
    .rd_data_o     (ps_rd_data_o),
    .wr_valid_i    (ps_wr_valid_i),
    .wr_ready_o    (ps_wr_ready_o),
    .wr_addr_i     (ps_wr_addr_i),
    .wr_mask_i     ({Rows{1'b1}}),
    .wr_be_i       (4'hF),
    .wr_data_i     (ps_wr_data_i),
    .wr_conflicts_o(ps_conflicts)
  );

  logic unused;
  assign unused = ^{ps_conflicts, sb_rdata_hi};
endmodule
