// The vector engine's ALU (docs/isa.md "ALU operations"): y = op(x, s) on fp32 bit patterns,
// bit-exact with ref::alu (sim/ref/core_model.cpp), which tensor_tensor, tensor_scalar and
// (as reduce_step: acc op x) tensor_reduce apply per element.
//
// add, sub (x - s), rsub (s - x) and mul are the numerics contract's add32 / mul32 (package pe:
// IEEE binary32, RNE, not fused, canonical NaN); sub and rsub negate one operand by its sign bit.
// max and min: a NaN operand gives the canonical NaN; equal values (only +0 and -0 differ in
// bits) give x & s for max and x | s for min, so -0 orders below +0; otherwise the larger
// (smaller) operand, compared as sign-magnitude integers. bypass passes x unchanged, NaN payload
// included. Combinational. The dve engine's lanes (rtl/vec/vec_lane.sv, docs/vec_engines.md)
// compute with two of it; --rtl dve co-simulates this unit alone (docs/cosim.md).
module dve_alu (
  input  logic [2:0]  op_i,  // ref::AluOp order: bypass, add, sub, rsub, mul, max, min; 7 gives the canonical NaN
  input  logic [31:0] x_i,
  input  logic [31:0] s_i,
  output logic [31:0] y_o
);
  localparam logic [31:0] Sign = 32'h8000_0000;
  localparam logic [31:0] CanonicalNan = tessera_fp_pkg::Fp32CanonicalNan;

  typedef enum logic [2:0] {
    OpBypass = 3'd0,
    OpAdd    = 3'd1,
    OpSub    = 3'd2,
    OpRsub   = 3'd3,
    OpMul    = 3'd4,
    OpMax    = 3'd5,
    OpMin    = 3'd6
  } alu_op_e;

  // fp32 add and multiply, not inlined: one C++ function shared by every lane instead of a
  // copy per instance in the verilated model (docs/vec_engines.md "Build cost").
  function automatic logic [31:0] add(logic [31:0] a, logic [31:0] b);
    /* verilator no_inline_task */
    return pe::add32(a, b);
  endfunction
  function automatic logic [31:0] mul(logic [31:0] a, logic [31:0] b);
    /* verilator no_inline_task */
    return pe::mul32(a, b);
  endfunction

  function automatic logic is_nan(logic [30:0] v);  // magnitude bits
    return v[30:23] == 8'hFF && v[22:0] != 23'd0;
  endfunction

  // Total order of the non-NaN values as unsigned keys (-0 just below +0).
  function automatic logic [31:0] order_key(logic [31:0] v);
    return v[31] ? ~v : (v | Sign);
  endfunction

  function automatic logic [31:0] max_min(logic max, logic [31:0] x, logic [31:0] s);
    if (is_nan(x[30:0]) || is_nan(s[30:0])) return CanonicalNan;
    if (x == s || ((x | s) & ~Sign) == 32'd0) return max ? (x & s) : (x | s);
    return (order_key(x) > order_key(s)) == max ? x : s;
  endfunction

  always_comb begin
    unique case (alu_op_e'(op_i))
      OpBypass: y_o = x_i;
      OpAdd: y_o = add(x_i, s_i);
      OpSub: y_o = add(x_i, s_i ^ Sign);
      OpRsub: y_o = add(s_i, x_i ^ Sign);
      OpMul: y_o = mul(x_i, s_i);
      OpMax: y_o = max_min(1'b1, x_i, s_i);
      OpMin: y_o = max_min(1'b0, x_i, s_i);
      default: y_o = CanonicalNan;
    endcase
  end
endmodule
