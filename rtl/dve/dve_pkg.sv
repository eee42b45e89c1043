// The vector engine's ALU operation (docs/isa.md "ALU operations"): y = op(x, s) on fp32 bit
// patterns, bit-exact with ref::alu (sim/ref/core_model.cpp), which tensor_tensor,
// tensor_scalar and (as reduce_step: acc op x) tensor_reduce apply per element. The dve
// engine's lanes call alu() (rtl/vec/vec_pkg.sv); rtl/dve/dve_alu.sv is the unit alone, for the
// FP testbench and `tessera fp --mode rtl`.
//
// op in ref::AluOp order: bypass, add, sub, rsub, mul, max, min; 7 gives the canonical NaN.
// add, sub (x - s), rsub (s - x) and mul are the numerics contract's add32 / mul32 (package pe:
// IEEE binary32, RNE, not fused, canonical NaN); sub and rsub negate one operand by its sign
// bit. max and min: a NaN operand gives the canonical NaN; equal values (only +0 and -0 differ
// in bits) give x & s for max and x | s for min, so -0 orders below +0; otherwise the larger
// (smaller) operand, compared as sign-magnitude integers. bypass passes x unchanged, NaN payload
// included. alu() is not inlined: one C++ function for every lane (docs/vec_engines.md).
package dve_pkg;
  localparam logic [31:0] Sign = 32'h8000_0000;
  localparam logic [31:0] CanonicalNan = tessera_fp_pkg::Fp32CanonicalNan;

  function automatic logic is_nan(logic [30:0] v);  // magnitude bits
    return v[30:23] == 8'hFF && v[22:0] != 23'd0;
  endfunction
  function automatic logic [31:0] order_key(logic [31:0] v);  // total order of non-NaN values
    return v[31] ? ~v : (v | Sign);
  endfunction
  function automatic logic [31:0] max_min(logic max, logic [31:0] x, logic [31:0] s);
    if (is_nan(x[30:0]) || is_nan(s[30:0])) return CanonicalNan;
    if (x == s || ((x | s) & ~Sign) == 32'd0) return max ? (x & s) : (x | s);
    return (order_key(x) > order_key(s)) == max ? x : s;
  endfunction
  function automatic logic [31:0] alu(logic [2:0] op, logic [31:0] x, logic [31:0] s);
    /* verilator no_inline_task */
    unique case (op)
      3'd0: return x;
      3'd1: return pe::add32(x, s);
      3'd2: return pe::add32(x, s ^ Sign);
      3'd3: return pe::add32(s, x ^ Sign);
      3'd4: return pe::mul32(x, s);
      3'd5: return max_min(1'b1, x, s);
      3'd6: return max_min(1'b0, x, s);
      default: return CanonicalNan;
    endcase
  endfunction
endpackage
