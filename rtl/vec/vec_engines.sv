// The core's activation (`act`, engine 0) and vector (`dve`, engine 1) engines on their one
// shared `mem` port (docs/vec_engines.md): round robin when both request (the engine not granted
// last wins, a grant passes the priority on); a request the core refused is presented again, by
// the same engine, until granted. Read data goes to both engines; the one whose read was
// granted takes it.
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
  output logic                          mem_req_o,
  input  logic                          mem_gnt_i,
  output logic                          mem_we_o,
  output logic                          mem_psum_o,
  output logic [MemAw-1:0]              mem_addr_o,
  output logic [Rows-1:0]               mem_mask_o,
  output logic [3:0]                    mem_be_o,
  output logic [Rows-1:0][31:0]         mem_wdata_o,
  input  logic                          mem_rvalid_i,
  input  logic [Rows-1:0][31:0]         mem_rdata_i
);
  logic [1:0] req, gnt, we, psum;
  logic [1:0][MemAw-1:0] addr;
  logic [1:0][Rows-1:0] mask;
  logic [1:0][3:0] be;
  logic [1:0][Rows-1:0][31:0] wdata;

  for (genvar e = 0; e < 2; e++) begin : g_eng
    vec_engine #(.Rows(Rows), .MemAw(MemAw), .IsAct(e == 0)) u_eng (
      .clk_i, .rst_ni, .sr_seed_i,
      .inst_valid_i(inst_valid_i[e]), .inst_ready_o(inst_ready_o[e]), .inst_i(inst_i[e]),
      .done_o(done_o[e]), .busy_o(busy_o[e]), .stall_o(stall_o[e]),
      .req_o(req[e]), .gnt_i(gnt[e]), .we_o(we[e]), .psum_o(psum[e]), .addr_o(addr[e]), .mask_o(mask[e]),
      .be_o(be[e]), .wdata_o(wdata[e]), .rvalid_i(mem_rvalid_i), .rdata_i(mem_rdata_i));
  end

  logic held_q, held_e_q, prio_q;  // a refused request of engine held_e_q; round-robin priority
  logic sel;
  always_comb begin
    if (held_q) sel = held_e_q;
    else if (req[0] && req[1]) sel = prio_q;
    else sel = req[1];
  end
  assign mem_req_o = req[sel];
  assign mem_we_o = we[sel];
  assign mem_psum_o = psum[sel];
  assign mem_addr_o = addr[sel];
  assign mem_mask_o = mask[sel];
  assign mem_be_o = be[sel];
  assign mem_wdata_o = wdata[sel];
  assign gnt[0] = mem_gnt_i && !sel;
  assign gnt[1] = mem_gnt_i && sel;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      held_q <= 1'b0;
      held_e_q <= 1'b0;
      prio_q <= 1'b0;
    end else begin
      held_q <= mem_req_o && !mem_gnt_i;
`ifndef SYNTHESIS
      assert (!mem_gnt_i || mem_req_o) else $error("vec_engines: grant without a request");
`endif
      held_e_q <= sel;
      if (mem_req_o && mem_gnt_i) prio_q <= !sel;
    end
  end
endmodule
