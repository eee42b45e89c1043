// Co-simulation top (docs/cosim.md): the act and dve engines (rtl/vec/vec_engine.sv) with the
// parameters the core gives them (rtl/core/tessera_core.sv), each with its own mem port: the
// fabric arbitrates between them (and the TLM engines) as rtl/vec/vec_engines.sv does.
module cosim_vec
  import tessera_isa_pkg::*;
#(
  localparam int unsigned Rows = tessera_cfg_pkg::ArrayRows,
  localparam int unsigned SbufAw = $clog2(tessera_cfg_pkg::SbufBytesPerPartition / 4),
  localparam int unsigned PsumAw = $clog2(tessera_cfg_pkg::PsumBanks * tessera_cfg_pkg::MovingMaxN),
  localparam int unsigned MemAw = SbufAw > PsumAw ? SbufAw : PsumAw
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  input  logic [63:0]                   sr_seed_i,
  input  logic [1:0]                    inst_valid_i,
  output logic [1:0]                    inst_ready_o,
  input  logic [1:0][WordBits-1:0]      inst_i,
  output logic [1:0]                    done_o,
  output logic [1:0]                    busy_o,
  output logic [1:0]                    stall_o,
  output logic [1:0]                    mem_req_o,
  input  logic [1:0]                    mem_gnt_i,
  output logic [1:0]                    mem_we_o,
  output logic [1:0]                    mem_psum_o,
  output logic [1:0][MemAw-1:0]         mem_addr_o,
  output logic [1:0][Rows-1:0]          mem_mask_o,
  output logic [1:0][3:0]               mem_be_o,
  output logic [1:0][Rows-1:0][31:0]    mem_wdata_o,
  input  logic [1:0]                    mem_rvalid_i,
  input  logic [1:0][Rows-1:0][31:0]    mem_rdata_i
);
  for (genvar e = 0; e < 2; e++) begin : g_eng
    vec_engine #(.Rows(Rows), .MemAw(MemAw), .IsAct(e == 0)) u_eng (
      .clk_i, .rst_ni, .sr_seed_i,
      .inst_valid_i(inst_valid_i[e]), .inst_ready_o(inst_ready_o[e]), .inst_i(inst_i[e]),
      .done_o(done_o[e]), .busy_o(busy_o[e]), .stall_o(stall_o[e]),
      .req_o(mem_req_o[e]), .gnt_i(mem_gnt_i[e]), .we_o(mem_we_o[e]), .psum_o(mem_psum_o[e]),
      .addr_o(mem_addr_o[e]), .mask_o(mem_mask_o[e]), .be_o(mem_be_o[e]), .wdata_o(mem_wdata_o[e]),
      .rvalid_i(mem_rvalid_i[e]), .rdata_i(mem_rdata_i[e]));
  end
endmodule
