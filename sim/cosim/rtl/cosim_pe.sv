// Co-simulation top (docs/cosim.md): the tensor engine alone, with the parameters the core
// gives it (rtl/core/tessera_core.sv), so a transactor can clock it inside the TLM model.
module cosim_pe
  import tessera_isa_pkg::*;
#(
  localparam int unsigned Rows = tessera_cfg_pkg::ArrayRows,
  localparam int unsigned Cols = tessera_cfg_pkg::ArrayCols,
  localparam int unsigned TileRows = Rows > 16 ? Rows : Rows / 2,  // as tessera_core
  localparam int unsigned TileCols = Cols > 16 ? Cols : Cols / 2,
  localparam int unsigned SbufWords = tessera_cfg_pkg::SbufBytesPerPartition / 4,
  localparam int unsigned PsumDepth = tessera_cfg_pkg::PsumBanks * tessera_cfg_pkg::MovingMaxN,
  localparam int unsigned SbufAw = $clog2(SbufWords),
  localparam int unsigned PsumAw = $clog2(PsumDepth)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  inst_valid_i,
  output logic                  inst_ready_o,
  input  logic [WordBits-1:0]   inst_i,
  output logic [1:0]            done_o,
  output logic                  mv_req_o,
  input  logic                  mv_gnt_i,
  output logic [SbufAw-1:0]     mv_addr_o,
  output logic [Rows-1:0]       mv_mask_o,
  input  logic                  mv_rvalid_i,
  input  logic [Rows-1:0][31:0] mv_rdata_i,
  output logic                  st_req_o,
  input  logic                  st_gnt_i,
  output logic [SbufAw-1:0]     st_addr_o,
  output logic [Rows-1:0]       st_mask_o,
  input  logic                  st_rvalid_i,
  input  logic [Rows-1:0][31:0] st_rdata_i,
  output logic                  pw_valid_o,
  output logic [PsumAw-1:0]     pw_addr_o,
  output logic [Rows-1:0]       pw_mask_o,
  output logic                  pw_acc_o,
  output logic [Rows-1:0][31:0] pw_data_o
);
  tensor_engine #(.Rows(Rows), .Cols(Cols), .TileRows(TileRows), .TileCols(TileCols), .SbufWords(SbufWords),
                  .PsumDepth(PsumDepth)) u_tensor_engine (.*);
endmodule
