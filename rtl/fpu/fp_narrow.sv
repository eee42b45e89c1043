// Narrowing of fp32 to a narrow format with RNE or stochastic rounding (docs/numerics.md):
// overflow to infinity (bf16, fp16) or saturation (fp8, infinite inputs too), canonical NaN,
// signed zeros for underflow. Combinational.
module fp_narrow #(
  parameter int unsigned ExpBits = 8,
  parameter int unsigned ManBits = 7,
  parameter int unsigned Bias = 127,
  parameter logic [ExpBits+ManBits-1:0] MaxFinite = '1,
  parameter bit Saturate = 1'b0,
  parameter logic [ExpBits+ManBits:0] CanonicalNan = '1
) (
  input  logic [31:0]              x_i,
  input  logic                     sr_i,      // stochastic rounding instead of RNE
  input  logic [31:0]              random_i,  // one generator output (used when sr_i)
  output logic [ExpBits+ManBits:0] y_o
);
  import tessera_fp_pkg::*;

  localparam logic [ExpBits+ManBits-1:0] Overflow = Saturate ? MaxFinite : MaxFinite + 1'b1;

  logic [ExpBits+ManBits:0] rounded;
  lsb_exp_t lsb_exp;

  logic [7:0] exp_eff;  // subnormals share the smallest normal exponent
  assign exp_eff = (x_i[30:23] == '0) ? 8'd1 : x_i[30:23];
  assign lsb_exp = lsb_exp_t'(exp_eff) - lsb_exp_t'(150);

  fp_round #(
    .SigWidth (24),
    .ExpBits  (ExpBits),
    .ManBits  (ManBits),
    .Bias     (Bias),
    .MaxFinite(MaxFinite),
    .Saturate (Saturate)
  ) u_round (
    .sign_i   (x_i[31]),
    .sig_i    ({x_i[30:23] != '0, x_i[22:0]}),
    .lsb_exp_i(lsb_exp),
    .sticky_i (1'b0),
    .sr_i     (sr_i),
    .random_i (random_i),
    .code_o   (rounded)
  );

  always_comb begin
    if (x_i[30:23] == 8'hFF && x_i[22:0] != '0) y_o = CanonicalNan;
    else if (x_i[30:23] == 8'hFF) y_o = {x_i[31], Overflow};
    else if (x_i[30:0] == '0) y_o = {x_i[31], {(ExpBits + ManBits){1'b0}}};
    else y_o = rounded;
  end
endmodule
