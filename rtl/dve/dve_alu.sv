// The vector engine's ALU as a unit (docs/fpu.md): y = dve_pkg::alu(op, x, s), combinational
// (rtl/dve/dve_pkg.sv). The dve engine's lanes call the same function (rtl/vec/vec_pkg.sv).
module dve_alu (
  input  logic [2:0]  op_i,  // ref::AluOp order: bypass, add, sub, rsub, mul, max, min; 7 gives the canonical NaN
  input  logic [31:0] x_i,
  input  logic [31:0] s_i,
  output logic [31:0] y_o
);
  assign y_o = dve_pkg::alu(op_i, x_i, s_i);
endmodule
