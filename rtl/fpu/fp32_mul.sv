// IEEE binary32 multiply, round to nearest even, subnormals kept, canonical NaN (docs/numerics.md).
// Combinational.
module fp32_mul (
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  output logic [31:0] y_o
);
  import tessera_fp_pkg::*;

  logic a_nan, b_nan, a_inf, b_inf, a_zero, b_zero, sign;
  logic [23:0] sig_a, sig_b;
  logic [47:0] product;
  logic [7:0] exp_a, exp_b;  // subnormals share the smallest normal exponent
  lsb_exp_t lsb_exp;
  logic [31:0] rounded;

  always_comb begin
    a_nan = a_i[30:23] == 8'hFF && a_i[22:0] != '0;
    b_nan = b_i[30:23] == 8'hFF && b_i[22:0] != '0;
    a_inf = a_i[30:23] == 8'hFF && a_i[22:0] == '0;
    b_inf = b_i[30:23] == 8'hFF && b_i[22:0] == '0;
    a_zero = a_i[30:0] == '0;
    b_zero = b_i[30:0] == '0;
    sign = a_i[31] ^ b_i[31];
    // value = sig * 2^(exp - 150) with exp = 1 for subnormals
    sig_a = {a_i[30:23] != '0, a_i[22:0]};
    sig_b = {b_i[30:23] != '0, b_i[22:0]};
    product = 48'(sig_a) * 48'(sig_b);
    exp_a = (a_i[30:23] == '0) ? 8'd1 : a_i[30:23];
    exp_b = (b_i[30:23] == '0) ? 8'd1 : b_i[30:23];
    lsb_exp = lsb_exp_t'(exp_a) + lsb_exp_t'(exp_b) - lsb_exp_t'(300);
  end

  fp32_round #(.SigWidth(48)) u_round (
    .sign_i   (sign),
    .sig_i    (product),
    .lsb_exp_i(lsb_exp),
    .sticky_i (1'b0),
    .code_o   (rounded)
  );

  always_comb begin
    if (a_nan || b_nan || (a_inf && b_zero) || (a_zero && b_inf)) y_o = Fp32CanonicalNan;
    else if (a_inf || b_inf) y_o = {sign, 8'hFF, 23'h0};
    else if (a_zero || b_zero) y_o = {sign, 31'h0};
    else y_o = rounded;
  end
endmodule
