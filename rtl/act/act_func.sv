// The activation engine's function unit: y = act_pkg::activate(fn, x), combinational
// (rtl/act/act_pkg.sv, docs/activation.md "RTL").
module act_func
  import act_pkg::*;
(
  input  logic [3:0]  fn_i,  // fp::ActFunc order; codes 10..15 give the canonical NaN
  input  logic [31:0] x_i,
  output logic [31:0] y_o
);
  assign y_o = activate(act_fn_e'(fn_i), x_i);
endmodule
