// Rounding of fp32 to the destination format for the vector engines' lanes
// (docs/vec_engines.md): RNE or stochastic with the converters of the numerics contract
// (rtl/fpu); fp32 passes the bits unchanged. Combinational.
module vec_narrow
  import tessera_fp_pkg::*;
  import tessera_isa_pkg::*;
(
  input  dtype_e      dtype_i,
  input  logic [31:0] x_i,
  input  logic        sr_i,
  input  logic [31:0] random_i,
  output logic [31:0] code_o   // right-aligned, upper bits zero
);
  logic [15:0] bf16_n, f16_n;
  logic [7:0] e4m3_n, e5m2_n;

  fp_narrow #(.ExpBits(Bf16ExpBits), .ManBits(Bf16ManBits), .Bias(Bf16Bias), .MaxFinite(Bf16MaxFinite),
              .Saturate(1'b0), .CanonicalNan(16'h7FC0))
    u_to_bf16 (.x_i(x_i), .sr_i(sr_i), .random_i(random_i), .y_o(bf16_n));
  fp_narrow #(.ExpBits(Fp16ExpBits), .ManBits(Fp16ManBits), .Bias(Fp16Bias), .MaxFinite(Fp16MaxFinite),
              .Saturate(1'b0), .CanonicalNan(16'h7E00))
    u_to_f16 (.x_i(x_i), .sr_i(sr_i), .random_i(random_i), .y_o(f16_n));
  fp_narrow #(.ExpBits(E4m3ExpBits), .ManBits(E4m3ManBits), .Bias(E4m3Bias), .MaxFinite(E4m3MaxFinite),
              .Saturate(1'b1), .CanonicalNan(8'h7F))
    u_to_e4m3 (.x_i(x_i), .sr_i(sr_i), .random_i(random_i), .y_o(e4m3_n));
  fp_narrow #(.ExpBits(E5m2ExpBits), .ManBits(E5m2ManBits), .Bias(E5m2Bias), .MaxFinite(E5m2MaxFinite),
              .Saturate(1'b1), .CanonicalNan(8'h7E))
    u_to_e5m2 (.x_i(x_i), .sr_i(sr_i), .random_i(random_i), .y_o(e5m2_n));

  always_comb begin
    unique case (dtype_i)
      DtypeBf16: code_o = {16'h0, bf16_n};
      DtypeFp16: code_o = {16'h0, f16_n};
      DtypeE4m3: code_o = {24'h0, e4m3_n};
      DtypeE5m2: code_o = {24'h0, e5m2_n};
      default:   code_o = x_i;
    endcase
  end
endmodule
