// The vector engines' lane arithmetic as functions (docs/vec_engines.md "Build cost"): one lane
// (partition) of the element the engine computes in a cycle. vec_engine.sv calls lane() for
// every partition in one loop, so the verilated model holds one copy of the arithmetic, not one
// per lane instance (Verilator 5.006 emits per-instance code for module instances, as it did for
// the PEs: docs/tensor_engine.md "Building trn1"). The functions are not inlined.
//
// widen() and narrow() are the format conversions of the numerics contract (docs/numerics.md),
// bit-exact with rtl/fpu/fp_widen.sv and fp_narrow.sv (fp_round.sv with a 24-bit significand),
// with the format's fields given by the dtype at run time instead of parameters; the ALU is
// dve_pkg::alu, the activation act_pkg::activate.
package vec_pkg;
  import tessera_isa_pkg::*;

  localparam logic [31:0] CanonicalNan = tessera_fp_pkg::Fp32CanonicalNan;

  // A narrow format's fields (docs/numerics.md): exponent and mantissa bits, bias, the largest
  // finite magnitude code; IEEE-like (bf16, fp16, e5m2: an all-ones exponent is infinity or NaN)
  // or e4m3's (only the all-ones code is NaN); overflow saturates (fp8) or gives infinity; the
  // canonical NaN code.
  function automatic int exp_bits(dtype_e dt);
    return dt == DtypeBf16 ? 8 : dt == DtypeE4m3 ? 4 : 5;
  endfunction
  function automatic int man_bits(dtype_e dt);
    return dt == DtypeBf16 ? 7 : dt == DtypeFp16 ? 10 : dt == DtypeE4m3 ? 3 : 2;
  endfunction
  function automatic int bias(dtype_e dt);
    return dt == DtypeBf16 ? 127 : dt == DtypeE4m3 ? 7 : 15;
  endfunction
  function automatic logic [31:0] max_finite(dtype_e dt);
    return dt == DtypeBf16 ? 32'h7F7F : dt == DtypeFp16 ? 32'h7BFF : dt == DtypeE4m3 ? 32'h7E : 32'h7B;
  endfunction
  function automatic logic has_inf(dtype_e dt);
    return dt != DtypeE4m3;
  endfunction
  function automatic logic saturates(dtype_e dt);
    return dt == DtypeE4m3 || dt == DtypeE5m2;
  endfunction
  function automatic logic [31:0] canonical_nan(dtype_e dt);
    return dt == DtypeBf16 ? 32'h7FC0 : dt == DtypeFp16 ? 32'h7E00 : dt == DtypeE4m3 ? 32'h7F : 32'h7E;
  endfunction

  // The element at byte `off` of `word`, widened exactly to fp32.
  function automatic logic [31:0] widen(dtype_e dt, logic [31:0] word, logic [1:0] off);
    /* verilator no_inline_task */
    logic [31:0] code, e, m, all_ones, man_mask;
    logic sign;
    logic [7:0] exp8;
    int eb, mb, p;
    if (dt == DtypeFp32) return word;
    eb = exp_bits(dt);
    mb = man_bits(dt);
    code = word >> {off, 3'b000};
    man_mask = (32'd1 << mb) - 32'd1;
    all_ones = (32'd1 << eb) - 32'd1;
    sign = code[eb + mb];
    e = (code >> mb) & all_ones;
    m = code & man_mask;
    if (has_inf(dt) ? (e == all_ones && m != 0) : (e == all_ones && m == man_mask)) return CanonicalNan;
    if (has_inf(dt) && e == all_ones) return {sign, 8'hFF, 23'h0};
    if (e == 0 && m == 0) return {sign, 31'h0};
    if (e != 0) begin
      exp8 = 8'(e - 32'(bias(dt)) + 32'd127);
      return {sign, exp8, 23'(m << (23 - mb))};
    end
    // A subnormal: m * 2^(1 - bias - mb); bf16's are fp32 subnormals (the same exponent range).
    if (eb == 8) return {sign, 8'h00, 23'(m << 16)};
    p = 0;
    for (int i = 0; i < 10; i++)
      if (m[i]) p = i;
    exp8 = 8'(p + 1 - bias(dt) - mb + 127);
    return {sign, exp8, 23'((m << (23 - p)) & 32'h007F_FFFF)};
  endfunction

  // fp32 rounded to dt (RNE, or stochastic with `random`), right-aligned; fp32 passes the bits.
  function automatic logic [31:0] narrow(dtype_e dt, logic [31:0] x, logic sr, logic [31:0] random);
    /* verilator no_inline_task */
    logic [23:0] sig, rem, half;
    logic [63:0] sum, addend;
    logic [31:0] q, shifted, magnitude, overflow_code, low_bits, sign;
    int lsb_exp, msb, value_exp, emin, quantum_exp, shift, mb, eb, exp_field;
    logic round_up, overflow;
    if (dt == DtypeFp32) return x;
    mb = man_bits(dt);
    eb = exp_bits(dt);
    sign = 32'(x[31]) << (eb + mb);
    overflow_code = max_finite(dt) + (saturates(dt) ? 32'd0 : 32'd1);
    if (x[30:23] == 8'hFF && x[22:0] != 0) return canonical_nan(dt);
    if (x[30:23] == 8'hFF) return sign | overflow_code;
    if (x[30:0] == 0) return sign;
    // fp_round with a 24-bit significand: the value is sig * 2^lsb_exp
    sig = {x[30:23] != 0, x[22:0]};
    lsb_exp = (x[30:23] == 0 ? 1 : 32'(x[30:23])) - 150;
    msb = 0;
    for (int i = 1; i < 24; i++)
      if (sig[i]) msb = i;
    value_exp = lsb_exp + msb;
    emin = 1 - bias(dt);
    quantum_exp = (value_exp > emin ? value_exp : emin) - mb;
    shift = quantum_exp - lsb_exp;
    q = 0;
    if (shift <= 0) begin
      q = 32'(sig) << (-shift);
    end else if (sr) begin
      if (shift < 57) begin
        if (shift <= 32) begin
          low_bits = (shift == 32) ? random : (random & ((32'd1 << shift) - 32'd1));
          addend = 64'(low_bits);
        end else begin
          addend = 64'(random) << (shift - 32);
        end
        sum = 64'(sig) + addend;
        q = 32'(sum >> shift);
      end
    end else if (shift <= 24) begin
      shifted = 32'(sig) >> shift;
      rem = (shift == 24) ? sig : (sig & ((24'd1 << shift) - 24'd1));
      half = 24'd1 << (shift - 1);
      round_up = (rem > half) || (rem == half && shifted[0]);
      q = shifted + 32'(round_up);
    end
    q = q & ((32'd1 << (mb + 2)) - 32'd1);  // the kept field: mb + 2 bits
    if (q[mb + 1]) begin  // a carry into the next binade
      q = q >> 1;
      quantum_exp = quantum_exp + 1;
    end
    overflow = 1'b0;
    if (q[mb]) begin
      exp_field = quantum_exp + mb + bias(dt);
      magnitude = (32'(exp_field) << mb) | (q & ((32'd1 << mb) - 32'd1));
      overflow = exp_field >= (1 << eb) || magnitude > max_finite(dt);
    end else begin
      magnitude = q;  // subnormal or zero
    end
    if (overflow) magnitude = overflow_code;
    return sign | magnitude;
  endfunction

  // One lane's element (docs/vec_engines.md "Numerics"): x_word, b_word the lane's source words
  // (already in the destination's partitions) and the elements' byte offsets; s0, s1 the
  // scale/bias or s0/s1 values; acc the running value (the activation's reduce sum,
  // tensor_reduce's accumulator); tval the transpose buffer's value. Out: the destination code
  // (right-aligned), the widened source element (the transpose buffer's input) and the running
  // value after this element.
  function automatic void lane(input logic is_act, input opcode_e op, input logic [3:0] func,
                               input logic [2:0] alu0, input logic [2:0] alu1, input dtype_e x_dt,
                               input dtype_e b_dt, input dtype_e d_dt, input logic sr, input logic [31:0] random,
                               input logic [31:0] x_word, input logic [1:0] x_off, input logic [31:0] b_word,
                               input logic [1:0] b_off, input logic [31:0] s0, input logic [31:0] s1,
                               input logic [31:0] value, input logic first, input logic [31:0] acc,
                               input logic [31:0] tval, output logic [31:0] code_o, output logic [31:0] x_o,
                               output logic [31:0] acc_o);
    /* verilator no_inline_task */
    logic [31:0] xw, y;
    xw = widen(x_dt, x_word, x_off);
    x_o = xw;
    if (is_act) begin
      y = act_pkg::activate(act_pkg::act_fn_e'(func), act_pkg::add(act_pkg::mul(xw, s0), s1));
      acc_o = first ? y : act_pkg::add(acc, y);
    end else begin
      unique case (op)
        OpTensorTensor: y = dve_pkg::alu(alu0, xw, widen(b_dt, b_word, b_off));
        OpTensorScalar: y = dve_pkg::alu(alu1, dve_pkg::alu(alu0, xw, s0), s1);
        OpTensorReduce: y = first ? xw : dve_pkg::alu(alu0, acc, xw);
        OpMemset: y = value;
        OpTranspose: y = tval;
        default: y = xw;  // tensor_copy
      endcase
      acc_o = y;
    end
    code_o = narrow(d_dt, y, sr, random);
  endfunction
endpackage
