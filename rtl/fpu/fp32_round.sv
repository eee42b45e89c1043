// fp_round bound to fp32: the rounding and packing of every fp32 result (add, multiply, widen).
module fp32_round #(
  parameter int unsigned SigWidth = 48
) (
  input  logic                     sign_i,
  input  logic [SigWidth-1:0]      sig_i,
  input  tessera_fp_pkg::lsb_exp_t lsb_exp_i,
  input  logic                     sticky_i,
  output logic [31:0]              code_o
);
  import tessera_fp_pkg::*;

  fp_round #(
    .SigWidth (SigWidth),
    .ExpBits  (Fp32ExpBits),
    .ManBits  (Fp32ManBits),
    .Bias     (Fp32Bias),
    .MaxFinite(Fp32MaxFinite),
    .Saturate (1'b0)
  ) u_round (
    .sign_i   (sign_i),
    .sig_i    (sig_i),
    .lsb_exp_i(lsb_exp_i),
    .sticky_i (sticky_i),
    .sr_i     (1'b0),
    .random_i ('0),
    .code_o   (code_o)
  );
endmodule
