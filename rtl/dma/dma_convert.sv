// Element converter of a DMA channel (combinational): equal dtypes pass the code's bits
// unchanged (NaN payloads included); different dtypes widen the source to fp32 (exact) and
// narrow it to the destination with RNE (fp32 destination: the widened value). The same
// fp_widen / fp_narrow instances the FP units use (rtl/fpu), so the rounding is the reference's.
module dma_convert
  import tessera_fp_pkg::*;
  import tessera_isa_pkg::*;
(
  input  dtype_e      src_dtype_i,
  input  dtype_e      dst_dtype_i,
  input  logic [31:0] code_i,     // source element code, right-aligned, upper bits zero
  output logic [31:0] code_o      // destination element code, right-aligned, upper bits zero
);
  logic [31:0] bf16_w, f16_w, e4m3_w, e5m2_w, wide;
  logic [15:0] bf16_n, f16_n;
  logic [7:0] e4m3_n, e5m2_n;

  fp_widen #(.ExpBits(Bf16ExpBits), .ManBits(Bf16ManBits), .Bias(Bf16Bias), .HasInf(1'b1))
    u_from_bf16 (.code_i(code_i[15:0]), .y_o(bf16_w));
  fp_widen #(.ExpBits(Fp16ExpBits), .ManBits(Fp16ManBits), .Bias(Fp16Bias), .HasInf(1'b1))
    u_from_f16 (.code_i(code_i[15:0]), .y_o(f16_w));
  fp_widen #(.ExpBits(E4m3ExpBits), .ManBits(E4m3ManBits), .Bias(E4m3Bias), .HasInf(1'b0))
    u_from_e4m3 (.code_i(code_i[7:0]), .y_o(e4m3_w));
  fp_widen #(.ExpBits(E5m2ExpBits), .ManBits(E5m2ManBits), .Bias(E5m2Bias), .HasInf(1'b1))
    u_from_e5m2 (.code_i(code_i[7:0]), .y_o(e5m2_w));

  always_comb begin
    unique case (src_dtype_i)
      DtypeBf16: wide = bf16_w;
      DtypeFp16: wide = f16_w;
      DtypeE4m3: wide = e4m3_w;
      DtypeE5m2: wide = e5m2_w;
      default:   wide = code_i;
    endcase
  end

  fp_narrow #(.ExpBits(Bf16ExpBits), .ManBits(Bf16ManBits), .Bias(Bf16Bias), .MaxFinite(Bf16MaxFinite),
              .Saturate(1'b0), .CanonicalNan(16'h7FC0))
    u_to_bf16 (.x_i(wide), .sr_i(1'b0), .random_i(32'h0), .y_o(bf16_n));
  fp_narrow #(.ExpBits(Fp16ExpBits), .ManBits(Fp16ManBits), .Bias(Fp16Bias), .MaxFinite(Fp16MaxFinite),
              .Saturate(1'b0), .CanonicalNan(16'h7E00))
    u_to_f16 (.x_i(wide), .sr_i(1'b0), .random_i(32'h0), .y_o(f16_n));
  fp_narrow #(.ExpBits(E4m3ExpBits), .ManBits(E4m3ManBits), .Bias(E4m3Bias), .MaxFinite(E4m3MaxFinite),
              .Saturate(1'b1), .CanonicalNan(8'h7F))
    u_to_e4m3 (.x_i(wide), .sr_i(1'b0), .random_i(32'h0), .y_o(e4m3_n));
  fp_narrow #(.ExpBits(E5m2ExpBits), .ManBits(E5m2ManBits), .Bias(E5m2Bias), .MaxFinite(E5m2MaxFinite),
              .Saturate(1'b1), .CanonicalNan(8'h7E))
    u_to_e5m2 (.x_i(wide), .sr_i(1'b0), .random_i(32'h0), .y_o(e5m2_n));

  always_comb begin
    if (src_dtype_i == dst_dtype_i) begin
      code_o = code_i;
    end else begin
      unique case (dst_dtype_i)
        DtypeBf16: code_o = {16'h0, bf16_n};
        DtypeFp16: code_o = {16'h0, f16_n};
        DtypeE4m3: code_o = {24'h0, e4m3_n};
        DtypeE5m2: code_o = {24'h0, e5m2_n};
        default:   code_o = wide;
      endcase
    end
  end
endmodule
