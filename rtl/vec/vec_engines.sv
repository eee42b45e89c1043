// The core's activation (`act`, engine 0) and vector (`dve`, engine 1) engines
// (docs/vec_engines.md), each with its own three mem ports: port 3 e + p is port p (0, 1 read,
// 2 write) of engine e. The core arbitrates them with the other SBUF and PSUM requesters in
// that order (docs/core.md).
module vec_engines
  import tessera_isa_pkg::*;
#(
  parameter int unsigned Rows = 4,
  parameter int unsigned MemAw = 12
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
  output logic [5:0]                    mem_req_o,
  input  logic [5:0]                    mem_gnt_i,
  output logic [5:0]                    mem_we_o,
  output logic [5:0]                    mem_psum_o,
  output logic [5:0][MemAw-1:0]         mem_addr_o,
  output logic [5:0][Rows-1:0]          mem_mask_o,
  output logic [5:0][3:0]               mem_be_o,
  output logic [5:0][Rows-1:0][31:0]    mem_wdata_o,
  input  logic [5:0]                    mem_rvalid_i,
  input  logic [5:0][Rows-1:0][31:0]    mem_rdata_i
);
  for (genvar e = 0; e < 2; e++) begin : g_eng
    vec_engine #(.Rows(Rows), .MemAw(MemAw), .IsAct(e == 0)) u_eng (
      .clk_i, .rst_ni, .sr_seed_i,
      .inst_valid_i(inst_valid_i[e]), .inst_ready_o(inst_ready_o[e]), .inst_i(inst_i[e]),
      .done_o(done_o[e]), .busy_o(busy_o[e]), .stall_o(stall_o[e]),
      .req_o(mem_req_o[3*e +: 3]), .gnt_i(mem_gnt_i[3*e +: 3]), .we_o(mem_we_o[3*e +: 3]),
      .psum_o(mem_psum_o[3*e +: 3]), .addr_o(mem_addr_o[3*e +: 3]), .mask_o(mem_mask_o[3*e +: 3]),
      .be_o(mem_be_o[3*e +: 3]), .wdata_o(mem_wdata_o[3*e +: 3]),
      .rvalid_i(mem_rvalid_i[3*e +: 3]), .rdata_i(mem_rdata_i[3*e +: 3]));
  end

endmodule
