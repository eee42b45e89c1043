// The FP units of the core behind one operation select, for `tessera fp --mode rtl` and the
// FP testbench: the units the core computes with. fp32 multiply is the tensor array's
// pe::mul32 (rtl/pe/pe.sv, the core's only multiplier); fp32 add is fp32_add, the PSUM
// accumulator's adder (the array's pe::add32 is checked by tb/pe/test_pe.cpp); fp_widen /
// fp_narrow are the DMA's and the array's converters. Combinational.
module fp_scalar_unit (
  input  logic [3:0]  op_i,      // tessera::fp::FpOp order: see sim/numerics/fp_ops.cpp
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  input  logic        sr_i,      // narrowing ops: stochastic rounding with random_i
  input  logic [31:0] random_i,
  output logic [31:0] y_o
);
  import tessera_fp_pkg::*;

  typedef enum logic [3:0] {
    OpF32Add    = 4'd0,
    OpF32Mul    = 4'd1,
    OpF32ToBf16 = 4'd2,
    OpF32ToF16  = 4'd3,
    OpF32ToE4m3 = 4'd4,
    OpF32ToE5m2 = 4'd5,
    OpBf16ToF32 = 4'd6,
    OpF16ToF32  = 4'd7,
    OpE4m3ToF32 = 4'd8,
    OpE5m2ToF32 = 4'd9
  } fp_op_e;

  logic [31:0] add_y, mul_y, bf16_w, f16_w, e4m3_w, e5m2_w;
  logic [15:0] bf16_n, f16_n;
  logic [7:0] e4m3_n, e5m2_n;

  fp32_add u_add (.a_i(a_i), .b_i(b_i), .y_o(add_y));
  assign mul_y = pe::mul32(a_i, b_i);

  fp_narrow #(.ExpBits(Bf16ExpBits), .ManBits(Bf16ManBits), .Bias(Bf16Bias), .MaxFinite(Bf16MaxFinite),
              .Saturate(1'b0), .CanonicalNan(16'h7FC0))
    u_to_bf16 (.x_i(a_i), .sr_i(sr_i), .random_i(random_i), .y_o(bf16_n));
  fp_narrow #(.ExpBits(Fp16ExpBits), .ManBits(Fp16ManBits), .Bias(Fp16Bias), .MaxFinite(Fp16MaxFinite),
              .Saturate(1'b0), .CanonicalNan(16'h7E00))
    u_to_f16 (.x_i(a_i), .sr_i(sr_i), .random_i(random_i), .y_o(f16_n));
  fp_narrow #(.ExpBits(E4m3ExpBits), .ManBits(E4m3ManBits), .Bias(E4m3Bias), .MaxFinite(E4m3MaxFinite),
              .Saturate(1'b1), .CanonicalNan(8'h7F))
    u_to_e4m3 (.x_i(a_i), .sr_i(sr_i), .random_i(random_i), .y_o(e4m3_n));
  fp_narrow #(.ExpBits(E5m2ExpBits), .ManBits(E5m2ManBits), .Bias(E5m2Bias), .MaxFinite(E5m2MaxFinite),
              .Saturate(1'b1), .CanonicalNan(8'h7E))
    u_to_e5m2 (.x_i(a_i), .sr_i(sr_i), .random_i(random_i), .y_o(e5m2_n));

  fp_widen #(.ExpBits(Bf16ExpBits), .ManBits(Bf16ManBits), .Bias(Bf16Bias), .HasInf(1'b1))
    u_from_bf16 (.code_i(a_i[15:0]), .y_o(bf16_w));
  fp_widen #(.ExpBits(Fp16ExpBits), .ManBits(Fp16ManBits), .Bias(Fp16Bias), .HasInf(1'b1))
    u_from_f16 (.code_i(a_i[15:0]), .y_o(f16_w));
  fp_widen #(.ExpBits(E4m3ExpBits), .ManBits(E4m3ManBits), .Bias(E4m3Bias), .HasInf(1'b0))
    u_from_e4m3 (.code_i(a_i[7:0]), .y_o(e4m3_w));
  fp_widen #(.ExpBits(E5m2ExpBits), .ManBits(E5m2ManBits), .Bias(E5m2Bias), .HasInf(1'b1))
    u_from_e5m2 (.code_i(a_i[7:0]), .y_o(e5m2_w));

  always_comb begin
    unique case (fp_op_e'(op_i))
      OpF32Add:    y_o = add_y;
      OpF32Mul:    y_o = mul_y;
      OpF32ToBf16: y_o = {16'h0, bf16_n};
      OpF32ToF16:  y_o = {16'h0, f16_n};
      OpF32ToE4m3: y_o = {24'h0, e4m3_n};
      OpF32ToE5m2: y_o = {24'h0, e5m2_n};
      OpBf16ToF32: y_o = bf16_w;
      OpF16ToF32:  y_o = f16_w;
      OpE4m3ToF32: y_o = e4m3_w;
      OpE5m2ToF32: y_o = e5m2_w;
      default:     y_o = '0;
    endcase
  end
endmodule
