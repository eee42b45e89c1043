// Co-simulation top (docs/cosim.md): the PSUM alone, with the core's geometry (partitions,
// banks x N max words; rtl/core/tessera_core.sv). The transactor drives its tensor-engine write
// port with the TLM tensor engine's matmul rows (PSUM accumulates them) and its engine read and
// write ports with the other engines' PSUM accesses.
module cosim_psum #(
  localparam int unsigned Rows = tessera_cfg_pkg::ArrayRows,
  localparam int unsigned Depth = tessera_cfg_pkg::PsumBanks * tessera_cfg_pkg::MovingMaxN,
  localparam int unsigned Aw = $clog2(Depth)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  te_valid_i,
  input  logic [Aw-1:0]         te_addr_i,
  input  logic [Rows-1:0]       te_mask_i,
  input  logic                  te_acc_i,
  input  logic [Rows-1:0][31:0] te_data_i,
  input  logic                  rd_valid_i,
  input  logic [Aw-1:0]         rd_addr_i,
  output logic                  rd_valid_o,
  output logic [Rows-1:0][31:0] rd_data_o,
  input  logic                  wr_valid_i,
  output logic                  wr_ready_o,
  input  logic [Aw-1:0]         wr_addr_i,
  input  logic [Rows-1:0]       wr_mask_i,
  input  logic [3:0]            wr_be_i,
  input  logic [Rows-1:0][31:0] wr_data_i
);
  logic [31:0] conflicts;
  psum #(.Partitions(Rows), .Depth(Depth)) u_psum (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .te_valid_i    (te_valid_i),
    .te_addr_i     (te_addr_i),
    .te_mask_i     (te_mask_i),
    .te_acc_i      (te_acc_i),
    .te_data_i     (te_data_i),
    .rd_valid_i    (rd_valid_i),
    .rd_addr_i     (rd_addr_i),
    .rd_valid_o    (rd_valid_o),
    .rd_data_o     (rd_data_o),
    .wr_valid_i    (wr_valid_i),
    .wr_ready_o    (wr_ready_o),
    .wr_addr_i     (wr_addr_i),
    .wr_mask_i     (wr_mask_i),
    .wr_be_i       (wr_be_i),
    .wr_data_i     (wr_data_i),
    .wr_conflicts_o(conflicts)
  );
  logic unused;
  assign unused = ^conflicts;
endmodule
