// Number formats of the numerics contract (docs/numerics.md), as parameters for the FP units.
package tessera_fp_pkg;

  // Exponent bits, mantissa bits, bias, largest finite magnitude code, and whether the
  // format has infinities (IEEE-like) or saturates on overflow (fp8).
  localparam int unsigned Fp32ExpBits = 8;
  localparam int unsigned Fp32ManBits = 23;
  localparam int unsigned Fp32Bias = 127;
  localparam logic [30:0] Fp32MaxFinite = 31'h7F7F_FFFF;

  localparam int unsigned Bf16ExpBits = 8;
  localparam int unsigned Bf16ManBits = 7;
  localparam int unsigned Bf16Bias = 127;
  localparam logic [14:0] Bf16MaxFinite = 15'h7F7F;

  localparam int unsigned Fp16ExpBits = 5;
  localparam int unsigned Fp16ManBits = 10;
  localparam int unsigned Fp16Bias = 15;
  localparam logic [14:0] Fp16MaxFinite = 15'h7BFF;

  localparam int unsigned E4m3ExpBits = 4;
  localparam int unsigned E4m3ManBits = 3;
  localparam int unsigned E4m3Bias = 7;
  localparam logic [6:0] E4m3MaxFinite = 7'h7E;

  localparam int unsigned E5m2ExpBits = 5;
  localparam int unsigned E5m2ManBits = 2;
  localparam int unsigned E5m2Bias = 15;
  localparam logic [6:0] E5m2MaxFinite = 7'h7B;

  localparam logic [31:0] Fp32CanonicalNan = 32'h7FC0_0000;

  // Exponent of a significand's least significant bit, wide enough for every product,
  // sum and narrowing in the units (about -300 .. +260).
  typedef logic signed [11:0] lsb_exp_t;

endpackage
