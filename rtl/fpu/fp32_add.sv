// IEEE binary32 add, round to nearest even, subnormals kept, canonical NaN (docs/numerics.md).
// The smaller operand is aligned with three extra bits and a sticky bit, which is enough for
// correct rounding: cancellation of more than one bit happens only when nothing was shifted
// out. Combinational.
module fp32_add (
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  output logic [31:0] y_o
);
  import tessera_fp_pkg::*;

  logic a_nan, b_nan, a_inf, b_inf;
  logic sign;
  logic [27:0] sum;   // 24-bit significands with 3 extra low bits, plus a carry bit
  logic sticky;
  lsb_exp_t lsb_exp;
  logic [31:0] rounded;

  always_comb begin
    logic [7:0] exp_a, exp_b, exp_big, exp_small;
    logic [23:0] sig_a, sig_b, sig_big, sig_small;
    logic sign_big, sign_small;
    logic [7:0] distance;
    logic [26:0] big_ext, small_ext, small_aligned;

    a_nan = a_i[30:23] == 8'hFF && a_i[22:0] != '0;
    b_nan = b_i[30:23] == 8'hFF && b_i[22:0] != '0;
    a_inf = a_i[30:23] == 8'hFF && a_i[22:0] == '0;
    b_inf = b_i[30:23] == 8'hFF && b_i[22:0] == '0;
    exp_a = (a_i[30:23] == '0) ? 8'd1 : a_i[30:23];
    exp_b = (b_i[30:23] == '0) ? 8'd1 : b_i[30:23];
    sig_a = {a_i[30:23] != '0, a_i[22:0]};
    sig_b = {b_i[30:23] != '0, b_i[22:0]};

    // Order by magnitude so the difference of significands is never negative.
    if (a_i[30:0] >= b_i[30:0]) begin
      exp_big = exp_a; sig_big = sig_a; sign_big = a_i[31];
      exp_small = exp_b; sig_small = sig_b; sign_small = b_i[31];
    end else begin
      exp_big = exp_b; sig_big = sig_b; sign_big = b_i[31];
      exp_small = exp_a; sig_small = sig_a; sign_small = a_i[31];
    end
    distance = exp_big - exp_small;
    big_ext = {sig_big, 3'b000};
    small_ext = {sig_small, 3'b000};
    if (distance >= 8'd27) begin
      small_aligned = '0;
      sticky = small_ext != '0;
    end else begin
      small_aligned = small_ext >> distance;
      sticky = (small_ext & ((27'd1 << distance) - 27'd1)) != '0;
    end
    if (sign_big == sign_small) begin
      sum = 28'(big_ext) + 28'(small_aligned);
    end else begin
      // A nonzero sticky means the true small operand is a little larger than aligned: borrow
      // one unit and keep the sticky, so the difference lies strictly inside (sum, sum + 1).
      sum = 28'(big_ext) - 28'(small_aligned) - 28'(sticky);
    end
    sign = sign_big;
    lsb_exp = lsb_exp_t'(exp_big) - lsb_exp_t'(153);  // 2^(exp - 150) per significand LSB, 3 extra bits
  end

  fp32_round #(.SigWidth(28)) u_round (
    .sign_i   (sign),
    .sig_i    (sum),
    .lsb_exp_i(lsb_exp),
    .sticky_i (sticky),
    .code_o   (rounded)
  );

  always_comb begin
    if (a_nan || b_nan || (a_inf && b_inf && a_i[31] != b_i[31])) y_o = Fp32CanonicalNan;
    else if (a_inf) y_o = a_i;
    else if (b_inf) y_o = b_i;
    else if (sum == '0 && !sticky) y_o = {a_i[31] & b_i[31], 31'h0};  // exact zero: +0 unless both -0
    else y_o = rounded;
  end
endmodule
