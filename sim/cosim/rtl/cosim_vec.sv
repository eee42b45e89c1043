// Co-simulation top (docs/cosim.md): the act and dve engines (rtl/vec/vec_engines.sv) with the
// parameters the core gives them (rtl/core/tessera_core.sv), three mem ports each: the fabric
// arbitrates them with the TLM's requesters as the core does.
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
  vec_engines #(.Rows(Rows), .MemAw(MemAw)) u_vec (.*);
endmodule
