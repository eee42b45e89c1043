// The arithmetic of one processing element of the weight-stationary array
// (docs/tensor_engine.md): psum_o <= add32(psum_i, mul32(w, mov)). `pe_tile` applies it to
// every PE of a tile.
//
// The multiply and the add are the numerics contract's fp32 operations (docs/numerics.md:
// RNE, subnormals kept, not fused, any NaN result 0x7FC00000): bit for bit the reference's
// fp::mul32 and fp::add32 (tb/pe/test_pe.cpp checks them; mul32 is also the multiplier of
// rtl/fpu's fp_scalar_unit, behind `tessera fp f32_mul --mode rtl`). They are written as functions for simulation speed: called in the
// tile's clocked process, Verilator evaluates them once per rising edge and emits them once
// for all PEs of a tile, and they use 64-bit integer arithmetic only, with the short path for
// normal operands and results (docs/tensor_engine.md "Simulation speed").
package pe;
  localparam logic [31:0] CanonicalNan = tessera_fp_pkg::Fp32CanonicalNan;

  // Index of the leading one of a nonzero value (binary search).
  function automatic int msb_index(logic [63:0] v);
    int n;
    logic [63:0] x;
    n = 0;
    x = v;
    if (x[63:32] != '0) begin n = n + 32; x = x >> 32; end
    if (x[31:16] != '0) begin n = n + 16; x = x >> 16; end
    if (x[15:8] != '0) begin n = n + 8; x = x >> 8; end
    if (x[7:4] != '0) begin n = n + 4; x = x >> 4; end
    if (x[3:2] != '0) begin n = n + 2; x = x >> 2; end
    if (x[1]) n = n + 1;
    return n;
  endfunction

  // Rounds the nonzero magnitude r * 2^lsb_exp (r < 2^62, leading one at bit msb) to fp32
  // with RNE and packs it with the sign. The quantum is 2^(max(msb + lsb_exp, -126) - 23);
  // the packed code is (biased exponent - 1) * 2^23 + the rounded significand in quanta, so a
  // carry out of the significand moves into the exponent field, and past the largest finite
  // value into the infinity code 0x7F800000.
  function automatic logic [31:0] round_pack(logic sign, logic [63:0] r, int msb, int lsb_exp);
    int biased;   // exponent field if the result is normal
    int discard;  // bits of r below the quantum
    logic [30:0] base;
    logic [63:0] q;
    logic round_bit, sticky, up;
    biased = msb + lsb_exp + 127;
    if (biased >= 255) return {sign, 8'hFF, 23'h0};
    if (biased >= 1) begin
      discard = msb - 23;
      base = 31'(biased - 1) << 23;
    end else begin
      discard = -149 - lsb_exp;  // subnormal: the quantum is 2^-149
      base = '0;
    end
    if (discard <= 0) return {sign, base + 31'(r << (-discard))};  // exact
    if (discard > msb + 1) return {sign, 31'h0};  // below half the smallest subnormal
    q = r >> discard;
    round_bit = r[discard - 1];
    sticky = (r & ((64'd1 << (discard - 1)) - 64'd1)) != '0;
    up = round_bit & (sticky | q[0]);  // to nearest, ties to even
    q = q + 64'(up);
    return {sign, base + 31'(q)};
  endfunction

  // fp32 multiply (fp::mul32).
  function automatic logic [31:0] mul32(logic [31:0] a, logic [31:0] b);
    logic sign;
    logic [7:0] ea, eb;
    logic [63:0] r;
    int msb;
    sign = a[31] ^ b[31];
    ea = a[30:23];
    eb = b[30:23];
    if (ea == 8'hFF || eb == 8'hFF) begin
      if ((ea == 8'hFF && a[22:0] != '0) || (eb == 8'hFF && b[22:0] != '0)) return CanonicalNan;
      if (a[30:0] == '0 || b[30:0] == '0) return CanonicalNan;  // infinity times zero
      return {sign, 8'hFF, 23'h0};
    end
    if (a[30:0] == '0 || b[30:0] == '0) return {sign, 31'h0};
    // value = sig * 2^(exp - 150), exp 1 for subnormals
    r = 64'({ea != '0, a[22:0]}) * 64'({eb != '0, b[22:0]});
    msb = 46 + int'(r[47]);  // both normal: the product's leading one is bit 46 or 47
    if (r[47:46] == 2'b00) msb = msb_index(r);
    if (ea == '0) ea = 8'd1;
    if (eb == '0) eb = 8'd1;
    return round_pack(sign, r, msb, int'(ea) + int'(eb) - 300);
  endfunction

  // fp32 add (fp::add32). The smaller magnitude is aligned exactly in a 26-bit wider window;
  // when it is 26 or more binades below, it is under a quarter of the larger operand's unit in
  // the last place and the larger operand is the rounded sum.
  function automatic logic [31:0] add32(logic [31:0] a, logic [31:0] b);
    logic [31:0] hi, lo;
    logic [7:0] e_hi, e_lo;
    int distance;
    logic [63:0] x, y, r;
    int msb;
    if (a[30:23] == 8'hFF || b[30:23] == 8'hFF) begin
      if ((a[30:23] == 8'hFF && a[22:0] != '0) || (b[30:23] == 8'hFF && b[22:0] != '0)) return CanonicalNan;
      if (a[30:0] == b[30:0] && a[31] != b[31]) return CanonicalNan;  // inf - inf
      return (a[30:23] == 8'hFF) ? a : b;
    end
    hi = (a[30:0] >= b[30:0]) ? a : b;
    lo = (a[30:0] >= b[30:0]) ? b : a;
    if (lo[30:0] == '0) begin
      if (hi[30:0] == '0) return {a[31] & b[31], 31'h0};  // +0 unless both -0
      return hi;
    end
    e_hi = (hi[30:23] == '0) ? 8'd1 : hi[30:23];
    e_lo = (lo[30:23] == '0) ? 8'd1 : lo[30:23];
    distance = int'(e_hi) - int'(e_lo);
    if (distance >= 26) return hi;
    x = 64'({hi[30:23] != '0, hi[22:0]}) << 26;
    y = (64'({lo[30:23] != '0, lo[22:0]}) << 26) >> distance;
    if (hi[31] == lo[31]) begin
      r = x + y;
      msb = 49 + int'(r[50]);  // hi normal: the sum's leading one is bit 49 or 50
      if (r[50:49] == 2'b00) msb = msb_index(r);
    end else begin
      r = x - y;
      if (r == '0) return 32'h0;  // exact cancellation: +0
      msb = 49;
      if (!r[49]) msb = msb_index(r);
    end
    return round_pack(hi[31], r, msb, int'(e_hi) - 176);
  endfunction

endpackage
