// Exact widening of a narrow format to fp32 (docs/numerics.md). NaN gives the canonical fp32
// NaN; E4M3FN (HasInf = 0) has no infinities and only S.1111.111 as NaN. Combinational.
module fp_widen #(
  parameter int unsigned ExpBits = 8,
  parameter int unsigned ManBits = 7,
  parameter int unsigned Bias = 127,
  parameter bit HasInf = 1'b1
) (
  input  logic [ExpBits+ManBits:0] code_i,
  output logic [31:0]              y_o
);
  import tessera_fp_pkg::*;

  logic [ExpBits-1:0] exp_field;
  logic [ManBits-1:0] man;
  logic is_nan, is_inf;
  logic [ExpBits-1:0] exp_eff;  // subnormals share the smallest normal exponent
  lsb_exp_t lsb_exp;
  logic [31:0] rounded;

  always_comb begin
    exp_field = code_i[ExpBits+ManBits-1:ManBits];
    man = code_i[ManBits-1:0];
    if (HasInf) begin
      is_nan = exp_field == '1 && man != '0;
      is_inf = exp_field == '1 && man == '0;
    end else begin
      is_nan = exp_field == '1 && man == '1;
      is_inf = 1'b0;
    end
    // value = {implicit, man} * 2^(max(exp_field, 1) - Bias - ManBits)
    exp_eff = (exp_field == '0) ? ExpBits'(1) : exp_field;
    lsb_exp = lsb_exp_t'(exp_eff) - lsb_exp_t'(Bias + ManBits);
  end

  fp32_round #(.SigWidth(ManBits + 1)) u_round (
    .sign_i   (code_i[ExpBits+ManBits]),
    .sig_i    ({exp_field != '0, man}),
    .lsb_exp_i(lsb_exp),
    .sticky_i (1'b0),
    .code_o   (rounded)
  );

  always_comb begin
    if (is_nan) y_o = Fp32CanonicalNan;
    else if (is_inf) y_o = {code_i[ExpBits+ManBits], 8'hFF, 23'h0};
    else if (exp_field == '0 && man == '0) y_o = {code_i[ExpBits+ManBits], 31'h0};
    else y_o = rounded;  // exact: every narrow value is an fp32 value
  end
endmodule
