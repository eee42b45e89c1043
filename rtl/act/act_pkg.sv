// The activation engine's function unit (docs/activation.md "RTL"): fp32 in, fp32 out, one of
// the eleven functions of fp::ActFunc, bit-exact with sim/numerics/activation.cpp.
//
// Every step is the numerics contract's: the rounding steps are the tensor array's add32 and
// mul32 (package pe: IEEE binary32, RNE, not fused, canonical NaN), everything else is exact
// (comparisons of bit patterns, sign and exponent fields, truncation of low mantissa bits,
// the seed tables, float <-> int of exactly representable values). The functions below follow
// activation.cpp step by step and carry its names, so the two read side by side.
//
// This is the datapath as one combinational function of the input (the longest path, gelu_tanh,
// is about 100 add32/mul32 steps). The act engine's lanes (vec_pkg::lane, rtl/vec/vec_pkg.sv,
// docs/vec_engines.md) compute with it.
package act_pkg;
  localparam logic [31:0] Sign = 32'h8000_0000;
  localparam logic [31:0] PosInf = 32'h7F80_0000;
  localparam logic [31:0] CanonicalNan = tessera_fp_pkg::Fp32CanonicalNan;
  localparam logic [31:0] One = 32'h3F80_0000;
  localparam logic [31:0] Two = 32'h4000_0000;
  localparam logic [31:0] Half = 32'h3F00_0000;
  localparam logic [31:0] TwoPow64 = 32'h5F80_0000;
  localparam logic [31:0] RoundMagic = 32'h4B40_0000;  // 1.5 * 2^23
  localparam logic [31:0] Log2e = 32'h3FB8_AA3B;
  localparam logic [31:0] Ln2Hi = 32'h3F31_7200;
  localparam logic [31:0] Ln2Lo = 32'h35BF_BE8E;
  localparam logic [4:0][31:0] ExpQ = {32'h3AB5_0DD9, 32'h3C09_1F82, 32'h3D2A_AC89, 32'h3E2A_AA45, 32'h3EFF_FFFE};
  localparam logic [31:0] TanhPolyLimit = 32'h3F10_0000;  // 0.5625
  localparam logic [31:0] TanhOneLimit = 32'h4120_0000;   // 10.0
  localparam logic [4:0][31:0] TanhH = {32'hBBD0_28E7, 32'h3CAD_48A8, 32'hBD5C_B193, 32'h3E08_878F, 32'hBEAA_AAAB};
  localparam logic [63:0][31:0] RecipSeed = {
    32'h3F00_8081, 32'h3F01_848E, 32'h3F02_8CC0, 32'h3F03_9930, 32'h3F04_A9FA, 32'h3F05_BF37, 32'h3F06_D905, 32'h3F07_F781,
    32'h3F09_1AC7, 32'h3F0A_42F8, 32'h3F0B_7034, 32'h3F0C_A29C, 32'h3F0D_DA52, 32'h3F0F_177A, 32'h3F10_5A38, 32'h3F11_A2B4,
    32'h3F12_F114, 32'h3F14_4581, 32'h3F15_A025, 32'h3F17_012E, 32'h3F18_68C8, 32'h3F19_D723, 32'h3F1B_4C70, 32'h3F1C_C8E1,
    32'h3F1E_4CAD, 32'h3F1F_D80A, 32'h3F21_6B31, 32'h3F23_065E, 32'h3F24_A9CF, 32'h3F26_55C4, 32'h3F28_0A81, 32'h3F29_C84A,
    32'h3F2B_8F6A, 32'h3F2D_602B, 32'h3F2F_3ADE, 32'h3F31_1FD4, 32'h3F33_0F63, 32'h3F35_09E7, 32'h3F37_0FBB, 32'h3F39_2144,
    32'h3F3B_3EE7, 32'h3F3D_6910, 32'h3F3F_A030, 32'h3F41_E4BC, 32'h3F44_3730, 32'h3F46_980C, 32'h3F49_07DA, 32'h3F4B_8728,
    32'h3F4E_168A, 32'h3F50_B6A0, 32'h3F53_680D, 32'h3F56_2B81, 32'h3F59_01B2, 32'h3F5B_EB62, 32'h3F5E_E95C, 32'h3F61_FC78,
    32'h3F65_2598, 32'h3F68_65AC, 32'h3F6B_BDB3, 32'h3F6F_2EB7, 32'h3F72_B9D6, 32'h3F76_603E, 32'h3F7A_232D, 32'h3F7E_03F8};
  localparam logic [63:0][31:0] RsqrtSeed = {
    32'h3F00_8103, 32'h3F01_8726, 32'h3F02_93A8, 32'h3F03_A6CC, 32'h3F04_C0D8, 32'h3F05_E217, 32'h3F07_0ADB, 32'h3F08_3B76,
    32'h3F09_7443, 32'h3F0A_B5A3, 32'h3F0B_FFFB, 32'h3F0D_53B8, 32'h3F0E_B14E, 32'h3F10_193A, 32'h3F11_8C00, 32'h3F13_0A2F,
    32'h3F14_9460, 32'h3F16_2B38, 32'h3F17_CF66, 32'h3F19_81AB, 32'h3F1B_42D4, 32'h3F1D_13C0, 32'h3F1E_F561, 32'h3F20_E8BE,
    32'h3F22_EEF3, 32'h3F25_0939, 32'h3F27_38E3, 32'h3F29_7F67, 32'h3F2B_DE5D, 32'h3F2E_5788, 32'h3F30_ECD9, 32'h3F33_A076,
    32'h3F35_BB66, 32'h3F37_2E1F, 32'h3F38_A9D9, 32'h3F3A_2EF4, 32'h3F3B_BDD4, 32'h3F3D_56E3, 32'h3F3E_FA92, 32'h3F40_A959,
    32'h3F42_63B8, 32'h3F44_2A36, 32'h3F45_FD63, 32'h3F47_DDDA, 32'h3F49_CC3E, 32'h3F4B_C93F, 32'h3F4D_D599, 32'h3F4F_F217,
    32'h3F52_1F8F, 32'h3F54_5EEB, 32'h3F56_B125, 32'h3F59_174B, 32'h3F5B_9281, 32'h3F5E_2400, 32'h3F60_CD21, 32'h3F63_8F55,
    32'h3F66_6C31, 32'h3F69_656C, 32'h3F6C_7CE9, 32'h3F6F_B4B5, 32'h3F73_0F15, 32'h3F76_8E84, 32'h3F7A_35C2, 32'h3F7E_07D9};
  localparam logic [31:0] ExpOverflow = 32'h42B2_0000;   // 89.0
  localparam logic [31:0] ExpUnderflow = 32'hC2D0_0000;  // -104.0
  localparam logic [31:0] SigmoidOne = 32'h4200_0000;    // 32.0
  localparam logic [31:0] SigmoidZero = 32'hC2D0_0000;   // -104.0
  localparam logic [31:0] SiluZero = 32'hC300_0000;      // -128.0
  localparam logic [31:0] GeluIdentity = 32'h4120_0000;  // 10.0
  localparam logic [31:0] GeluZero = 32'hC140_0000;      // -12.0
  localparam logic [31:0] Tiny25 = 32'h3300_0000;        // 2^-25
  localparam logic [31:0] Tiny12 = 32'h3980_0000;        // 2^-12
  localparam logic [31:0] C1Hi = 32'h3FCC_422A;
  localparam logic [31:0] C1Lo = 32'hB342_BC9B;
  localparam logic [31:0] C3Hi = 32'h3D92_2279;
  localparam logic [31:0] C3Lo = 32'h3124_D8B5;
  localparam logic [31:0] C3x3 = 32'h3E5B_33B6;  // 3 C3 (gelu_tanh_dx's w')

  // fp::ActFunc order
  typedef enum logic [3:0] {
    FnIdentity   = 4'd0,
    FnRelu       = 4'd1,
    FnExp        = 4'd2,
    FnTanh       = 4'd3,
    FnSigmoid    = 4'd4,
    FnGeluTanh   = 4'd5,
    FnSilu       = 4'd6,
    FnReciprocal = 4'd7,
    FnRsqrt      = 4'd8,
    FnSquare     = 4'd9,
    FnGeluTanhDx = 4'd10
  } act_fn_e;

  typedef struct packed {
    logic [31:0] hi;
    logic [31:0] lo;
  } pair_t;

  typedef struct packed {
    logic [31:0] p;
    int k;
  } exp_parts_t;

  typedef struct packed {
    logic [31:0] m_bits;
    int e;
  } reduced_t;

  // ---- exact helpers ----------------------------------------------------------------------
  function automatic logic [31:0] add(logic [31:0] x, logic [31:0] y);
    /* verilator no_inline_task */
    return pe::add32(x, y);
  endfunction
  function automatic logic [31:0] sub(logic [31:0] x, logic [31:0] y);
    /* verilator no_inline_task */
    return pe::add32(x, y ^ Sign);
  endfunction
  function automatic logic [31:0] mul(logic [31:0] x, logic [31:0] y);
    /* verilator no_inline_task */
    return pe::mul32(x, y);
  endfunction

  // 2^n for n in [-126, 127], built in the exponent field.
  function automatic logic [31:0] pow2(int n);
    return 32'(n + 127) << 23;
  endfunction

  // v * 2^n in two multiplies (activation.cpp: scale).
  function automatic logic [31:0] scale(logic [31:0] v, int n);
    int m, n1, n2;
    m = n < -252 ? -252 : (n > 254 ? 254 : n);
    n1 = (m - (m & 1)) / 2;
    n2 = m - n1;
    return mul(mul(v, pow2(n1)), pow2(n2));
  endfunction

  function automatic logic [31:0] hi12(logic [31:0] v);
    return v & 32'hFFFF_F000;
  endfunction

  function automatic pair_t two_prod(logic [31:0] x, logic [31:0] y);
    /* verilator no_inline_task */
    logic [31:0] p, xh, xl, yh, yl;
    p = mul(x, y);
    xh = hi12(x);
    xl = sub(x, xh);
    yh = hi12(y);
    yl = sub(y, yh);
    return '{hi: p, lo: add(add(add(sub(mul(xh, yh), p), mul(xh, yl)), mul(xl, yh)), mul(xl, yl))};
  endfunction

  function automatic pair_t two_sum(logic [31:0] x, logic [31:0] y);
    /* verilator no_inline_task */
    logic [31:0] s, yv, xv;
    s = add(x, y);
    yv = sub(s, x);
    xv = sub(s, yv);
    return '{hi: s, lo: add(sub(x, xv), sub(y, yv))};
  endfunction

  function automatic pair_t fast_two_sum(logic [31:0] x, logic [31:0] y);
    /* verilator no_inline_task */
    logic [31:0] s;
    s = add(x, y);
    return '{hi: s, lo: sub(y, sub(s, x))};
  endfunction

  function automatic logic [31:0] round_to_int(logic [31:0] v);
    return sub(add(v, RoundMagic), RoundMagic);
  endfunction

  // The integer value of an fp32 that holds one exactly, |v| < 2^23 (activation.cpp's
  // static_cast<int>(kf)).
  function automatic int to_int(logic [31:0] v);
    int e, mag;
    e = int'(v[30:23]) - 127;
    mag = e < 0 ? 0 : int'({8'd0, 1'b1, v[22:0]} >> (23 - e));
    return v[31] ? -mag : mag;
  endfunction

  // ---- building blocks --------------------------------------------------------------------
  function automatic logic [31:0] horner5(logic [4:0][31:0] coef, logic [31:0] t);
    logic [31:0] acc;
    acc = coef[4];
    for (int i = 3; i >= 0; i--) acc = add(mul(acc, t), coef[i]);
    return acc;
  endfunction

  function automatic exp_parts_t exp_parts(logic [31:0] ah, logic [31:0] al);
    logic [31:0] kf, rh, cl, q, s;
    pair_t r;
    kf = round_to_int(mul(ah, Log2e));
    rh = sub(ah, mul(kf, Ln2Hi));
    cl = sub(al, mul(kf, Ln2Lo));
    r = two_sum(rh, cl);
    q = horner5(ExpQ, r.hi);
    s = add(r.hi, add(r.lo, mul(mul(r.hi, r.hi), q)));
    return '{p: add(One, s), k: to_int(kf)};
  endfunction

  function automatic logic [31:0] recip_mant(logic [31:0] m, logic [31:0] ml);
    logic [31:0] y0, y1, res;
    pair_t p;
    y0 = RecipSeed[m[22:17]];
    y1 = add(y0, mul(y0, sub(One, mul(m, y0))));
    p = two_prod(m, y1);
    res = sub(sub(sub(One, p.hi), p.lo), mul(ml, y1));
    return add(y1, mul(y1, res));
  endfunction

  // dh: the magnitude bits of a positive value.
  function automatic logic [31:0] recip_pair(logic [30:0] dh, logic [31:0] dl);
    int e;
    logic [31:0] m, inv;
    e = int'(dh[30:23]) - 127;
    m = {9'b0, dh[22:0]} | One;
    inv = pow2(-e);
    return mul(recip_mant(m, mul(dl, inv)), inv);
  endfunction

  function automatic logic [31:0] v_times_sigmoid(logic [31:0] ah, logic [31:0] al, logic [31:0] v);
    logic neg;
    exp_parts_t ep;
    logic [31:0] e, y;
    pair_t d;
    neg = ah[31];
    ep = neg ? exp_parts(ah, al) : exp_parts(ah ^ Sign, al ^ Sign);
    e = scale(ep.p, ep.k);
    d = fast_two_sum(One, e);
    y = recip_pair(d.hi[30:0], d.lo);
    if (!neg) return mul(v, y);
    return scale(mul(v, mul(ep.p, y)), ep.k);
  endfunction

  // ---- the functions ----------------------------------------------------------------------
  function automatic logic [31:0] act_exp(logic [31:0] x);
    /* verilator no_inline_task */
    exp_parts_t ep;
    if (x[31] && x >= ExpUnderflow) return 32'h0;
    if (!x[31] && x >= ExpOverflow) return PosInf;
    if ((x & ~Sign) < Tiny25) return One;
    ep = exp_parts(x, 32'h0);
    return scale(ep.p, ep.k);
  endfunction

  function automatic logic [31:0] act_tanh(logic [31:0] x);
    /* verilator no_inline_task */
    logic [31:0] sign, ax, z, h, e, t;
    exp_parts_t ep;
    pair_t d;
    sign = x & Sign;
    ax = x & ~Sign;
    if (ax >= TanhOneLimit) return sign | One;
    if (ax < Tiny12) return x;
    if (ax < TanhPolyLimit) begin
      z = mul(ax, ax);
      h = horner5(TanhH, z);
      return sign | add(ax, mul(mul(ax, z), h));
    end
    ep = exp_parts(mul(Two, ax), 32'h0);
    e = scale(ep.p, ep.k);
    d = fast_two_sum(e, One);
    t = mul(Two, recip_pair(d.hi[30:0], d.lo));
    return sign | sub(One, t);
  endfunction

  function automatic logic [31:0] act_sigmoid(logic [31:0] x);
    /* verilator no_inline_task */
    if (!x[31] && x >= SigmoidOne) return One;
    if (x >= SigmoidZero) return 32'h0;
    if ((x & ~Sign) < Tiny25) return Half;
    return v_times_sigmoid(x, 32'h0, One);
  endfunction

  function automatic logic [31:0] act_silu(logic [31:0] x);
    /* verilator no_inline_task */
    if (!x[31] && x >= SigmoidOne) return x;
    if (x >= SiluZero) return Sign;
    if ((x & ~Sign) < Tiny25) return mul(x, Half);
    return v_times_sigmoid(x, 32'h0, x);
  endfunction

  // w = x (C1 + C3 x^2) as hi + lo, and x^2 rounded in `xsq` (activation.cpp: gelu_w).
  function automatic pair_t gelu_w(input logic [31:0] x, output logic [31:0] xsq);
    /* verilator no_inline_task */
    pair_t sq, t, u0, u, w;
    logic [31:0] tl;
    sq = two_prod(x, x);
    t = two_prod(C3Hi, sq.hi);
    tl = add(t.lo, add(mul(C3Hi, sq.lo), mul(C3Lo, sq.hi)));
    u0 = two_sum(C1Hi, t.hi);
    u = fast_two_sum(u0.hi, add(u0.lo, add(C1Lo, tl)));
    w = two_prod(x, u.hi);
    xsq = sq.hi;
    return '{hi: w.hi, lo: add(w.lo, mul(x, u.lo))};
  endfunction

  function automatic logic [31:0] act_gelu_tanh(logic [31:0] x);
    /* verilator no_inline_task */
    pair_t w;
    logic [31:0] xsq;  // gelu_tanh_dx's; unused here
    /* verilator lint_off UNUSEDSIGNAL */
    logic unused;
    /* verilator lint_on UNUSEDSIGNAL */
    if (!x[31] && x >= GeluIdentity) return x;
    if (x >= GeluZero) return Sign;
    if ((x & ~Sign) < Tiny25) return mul(x, Half);
    w = gelu_w(x, xsq);
    unused = ^xsq;
    return v_times_sigmoid(w.hi, w.lo, x);
  endfunction

  function automatic logic [31:0] act_gelu_tanh_dx(logic [31:0] x);
    /* verilator no_inline_task */
    pair_t w;
    logic [31:0] xsq, xwp, e, r;
    logic neg;
    exp_parts_t ep;
    pair_t d;
    if (!x[31] && x >= GeluIdentity) return One;
    if (x >= GeluZero) return Sign;
    if ((x & ~Sign) < Tiny25) return Half;
    w = gelu_w(x, xsq);
    xwp = mul(x, add(C1Hi, mul(C3x3, xsq)));
    neg = w.hi[31];
    ep = neg ? exp_parts(w.hi, w.lo) : exp_parts(w.hi ^ Sign, w.lo ^ Sign);
    e = scale(ep.p, ep.k);
    d = fast_two_sum(One, e);
    r = recip_pair(d.hi[30:0], d.lo);
    if (!neg) return mul(r, add(One, mul(xwp, mul(e, r))));
    return scale(mul(add(One, mul(xwp, r)), mul(ep.p, r)), ep.k);
  endfunction

  // |x| = m * 2^e, m in [1, 2), subnormals normalised by 2^64. ax: the magnitude bits.
  function automatic reduced_t reduce(logic [30:0] ax);
    logic [30:0] n;
    int adj;
    n = ax;
    adj = 0;
    if (ax[30:23] == 8'd0) begin
      n = 31'(mul({1'b0, ax}, TwoPow64));
      adj = 64;
    end
    return '{m_bits: {9'b0, n[22:0]} | One, e: int'(n[30:23]) - 127 - adj};
  endfunction

  function automatic logic [31:0] act_reciprocal(logic [31:0] x);
    /* verilator no_inline_task */
    logic [31:0] sign, ax;
    reduced_t r;
    int e;
    sign = x & Sign;
    ax = x & ~Sign;
    if (ax == 32'h0) return sign | PosInf;
    if (ax == PosInf) return sign;
    r = reduce(ax[30:0]);
    e = r.e;  // a plain int (signed) for the arithmetic below
    return sign | scale(recip_mant(r.m_bits, 32'h0), -e);
  endfunction

  function automatic logic [31:0] act_rsqrt(logic [31:0] x);
    /* verilator no_inline_task */
    reduced_t r;
    int e, odd;
    logic [31:0] m, y0, y1, res, y2;
    pair_t s, p;
    if (x == 32'h0) return PosInf;
    if (x == Sign) return Sign | PosInf;
    if (x[31]) return CanonicalNan;
    if (x == PosInf) return 32'h0;
    r = reduce(x[30:0]);
    e = r.e;  // a plain int (signed) for the arithmetic below
    odd = e & 1;
    m = r.m_bits + (32'(odd) << 23);
    y0 = RsqrtSeed[{odd[0], r.m_bits[22:18]}];
    y1 = add(y0, mul(mul(Half, y0), sub(One, mul(mul(m, y0), y0))));
    s = two_prod(y1, y1);
    p = two_prod(m, s.hi);
    res = sub(sub(sub(One, p.hi), p.lo), mul(m, s.lo));
    y2 = add(y1, mul(mul(Half, y1), res));
    return scale(y2, -((e - odd) / 2));
  endfunction

  function automatic logic [31:0] activate(act_fn_e fn, logic [31:0] x);
    /* verilator no_inline_task */
    if (x[30:23] == 8'hFF && x[22:0] != 23'd0) return CanonicalNan;
    unique case (fn)
      FnIdentity: return x;
      FnRelu: return x[31] ? 32'h0 : x;
      FnExp: return act_exp(x);
      FnTanh: return act_tanh(x);
      FnSigmoid: return act_sigmoid(x);
      FnGeluTanh: return act_gelu_tanh(x);
      FnSilu: return act_silu(x);
      FnReciprocal: return act_reciprocal(x);
      FnRsqrt: return act_rsqrt(x);
      FnSquare: return mul(x, x);
      FnGeluTanhDx: return act_gelu_tanh_dx(x);
      default: return CanonicalNan;
    endcase
  endfunction
endpackage
