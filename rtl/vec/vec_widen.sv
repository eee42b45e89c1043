// Widening of one element of a 32-bit word to fp32 for the vector engines' lanes
// (docs/vec_engines.md), exact, with the converters of the numerics contract (rtl/fpu).
// Combinational.
module vec_widen
  import tessera_fp_pkg::*;
  import tessera_isa_pkg::*;
(
  input  dtype_e      dtype_i,
  input  logic [31:0] word_i,
  input  logic [1:0]  off_i,   // byte offset of the element in the word
  output logic [31:0] y_o
);
  logic [31:0] code;
  logic [15:0] unused_code_hi;
  assign unused_code_hi = code[31:16];  // an element is at most 16 bits below fp32
  logic [31:0] bf16_w, f16_w, e4m3_w, e5m2_w;

  assign code = word_i >> {off_i, 3'b000};

  fp_widen #(.ExpBits(Bf16ExpBits), .ManBits(Bf16ManBits), .Bias(Bf16Bias), .HasInf(1'b1))
    u_from_bf16 (.code_i(code[15:0]), .y_o(bf16_w));
  fp_widen #(.ExpBits(Fp16ExpBits), .ManBits(Fp16ManBits), .Bias(Fp16Bias), .HasInf(1'b1))
    u_from_f16 (.code_i(code[15:0]), .y_o(f16_w));
  fp_widen #(.ExpBits(E4m3ExpBits), .ManBits(E4m3ManBits), .Bias(E4m3Bias), .HasInf(1'b0))
    u_from_e4m3 (.code_i(code[7:0]), .y_o(e4m3_w));
  fp_widen #(.ExpBits(E5m2ExpBits), .ManBits(E5m2ManBits), .Bias(E5m2Bias), .HasInf(1'b1))
    u_from_e5m2 (.code_i(code[7:0]), .y_o(e5m2_w));

  always_comb begin
    unique case (dtype_i)
      DtypeBf16: y_o = bf16_w;
      DtypeFp16: y_o = f16_w;
      DtypeE4m3: y_o = e4m3_w;
      DtypeE5m2: y_o = e5m2_w;
      default:   y_o = word_i;
    endcase
  end
endmodule
