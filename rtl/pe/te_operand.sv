// Tensor-engine operand path: one element per partition from SBUF read data (32-bit words),
// selected by byte offset and dtype, widened to fp32, and rotated so that row k carries
// partition first_i + k; rows at or beyond count_i carry +0.
module te_operand #(
  parameter int unsigned Rows = 4
) (
  input  logic [Rows-1:0][31:0] rdata_i,
  input  logic [1:0]            byte_i,
  input  logic [2:0]            dtype_i,   // tessera_isa_pkg::dtype_e
  input  logic [7:0]            first_i,
  input  logic [8:0]            count_i,
  output logic [Rows-1:0][31:0] rows_o
);
  import tessera_fp_pkg::*;
  import tessera_isa_pkg::*;

  logic [Rows-1:0][31:0] wide;
  for (genvar p = 0; p < Rows; p++) begin : g_part
    logic [31:0] word, bf16_w, f16_w, e4m3_w, e5m2_w;
    logic [15:0] shifted;  // the element's bytes at the bottom (16 bits cover every narrow dtype)
    assign word = rdata_i[p];
    assign shifted = 16'(word >> {byte_i, 3'b000});
    fp_widen #(.ExpBits(Bf16ExpBits), .ManBits(Bf16ManBits), .Bias(Bf16Bias), .HasInf(1'b1))
      u_bf16 (.code_i(shifted[15:0]), .y_o(bf16_w));
    fp_widen #(.ExpBits(Fp16ExpBits), .ManBits(Fp16ManBits), .Bias(Fp16Bias), .HasInf(1'b1))
      u_f16 (.code_i(shifted[15:0]), .y_o(f16_w));
    fp_widen #(.ExpBits(E4m3ExpBits), .ManBits(E4m3ManBits), .Bias(E4m3Bias), .HasInf(1'b0))
      u_e4m3 (.code_i(shifted[7:0]), .y_o(e4m3_w));
    fp_widen #(.ExpBits(E5m2ExpBits), .ManBits(E5m2ManBits), .Bias(E5m2Bias), .HasInf(1'b1))
      u_e5m2 (.code_i(shifted[7:0]), .y_o(e5m2_w));
    always_comb begin
      unique case (dtype_e'(dtype_i))
        DtypeBf16: wide[p] = bf16_w;
        DtypeFp16: wide[p] = f16_w;
        DtypeE4m3: wide[p] = e4m3_w;
        DtypeE5m2: wide[p] = e5m2_w;
        default:   wide[p] = word;  // fp32
      endcase
    end
  end

  always_comb begin
    for (int unsigned k = 0; k < Rows; k++) begin
      rows_o[k] = '0;
      if (9'(k) < count_i && 32'(first_i) + k < Rows) rows_o[k] = wide[32'(first_i) + k];
    end
  end
endmodule
