// Rounds and packs a magnitude into a floating-point format: the one rounding step of every
// FP unit (docs/numerics.md "Narrowing"), so RNE, stochastic rounding, gradual underflow and
// overflow behave identically wherever a result is produced.
//
// The value is (sig_i + a nonzero fraction below its LSB if sticky_i) * 2^lsb_exp_i. The
// quantum of the target at that value is 2^(max(floor(log2 value), 1 - Bias) - ManBits); the
// bits below it are discarded with round-to-nearest-even or, when sr_i, by adding the low
// bits of random_i (or random_i placed at the top of a discarded field wider than 32 bits)
// and truncating. Overflow gives infinity, or the largest finite value when Saturate.
// Purely combinational.
module fp_round #(
  parameter int unsigned SigWidth = 48,
  parameter int unsigned ExpBits = 8,
  parameter int unsigned ManBits = 23,
  parameter int unsigned Bias = 127,
  parameter logic [ExpBits+ManBits-1:0] MaxFinite = '1,
  parameter bit Saturate = 1'b0
) (
  input  logic                          sign_i,
  input  logic [SigWidth-1:0]           sig_i,
  input  tessera_fp_pkg::lsb_exp_t      lsb_exp_i,
  input  logic                          sticky_i,
  input  logic                          sr_i,
  input  logic [31:0]                   random_i,
  output logic [ExpBits+ManBits:0]      code_o
);
  localparam int unsigned SumWidth = 64;  // SR sum: sig (< 2^SigWidth) + addend (< 2^57)
  localparam logic signed [13:0] SrZeroShift = 14'sd57;  // from here on no addend carries

  // Index of the leading one (0 when sig_i is 0), searched from the top: products and sums
  // mostly have it in their top bits, so the search ends early in simulation.
  function automatic int unsigned msb_index(logic [SigWidth-1:0] v);
    for (int i = SigWidth - 1; i > 0; i--) begin
      if (v[i]) return i;
    end
    return 0;
  endfunction

  // Common width for shifting: the significand or the kept field, whichever is wider.
  localparam int unsigned Width = (SigWidth > ManBits + 2) ? SigWidth : ManBits + 2;

  logic [Width-1:0] shifted;         // sig_i >> shift; its high bits are zero by the choice of quantum
  logic [ManBits+1:0] q;             // kept magnitude in quanta, before the carry normalisation
  logic signed [13:0] quantum_exp;
  logic signed [13:0] shift;
  logic [ExpBits+ManBits-1:0] magnitude;
  logic overflow;

  always_comb begin
    logic signed [13:0] value_exp;
    logic signed [13:0] emin;
    logic [SigWidth-1:0] rem;
    logic [SigWidth-1:0] half;
    logic [SumWidth-1:0] addend;
    logic [31:0] low_bits;
    logic [SumWidth-1:0] sum;
    logic round_up;
    logic signed [14:0] exp_field;

    q = '0;
    magnitude = '0;
    overflow = 1'b0;
    round_up = 1'b0;
    shifted = '0;
    rem = '0;
    half = '0;
    addend = '0;
    low_bits = '0;
    sum = '0;
    exp_field = '0;

    value_exp = 14'(lsb_exp_i) + 14'(msb_index(sig_i));
    emin = 14'sd1 - 14'(Bias);
    quantum_exp = ((value_exp > emin) ? value_exp : emin) - 14'(ManBits);
    shift = quantum_exp - 14'(lsb_exp_i);

    if (shift <= 0) begin
      // Nothing is discarded: the value has fewer significant bits than the format keeps.
      q = ((ManBits + 2)'(sig_i)) << (-shift);
    end else if (sr_i) begin
      if (shift < SrZeroShift) begin
        if (shift <= 32) begin
          low_bits = (shift == 14'sd32) ? random_i : (random_i & ((32'd1 << shift) - 32'd1));
          addend = SumWidth'(low_bits);
        end else begin
          addend = SumWidth'(random_i) << (shift - 14'sd32);
        end
        sum = SumWidth'(sig_i) + addend;
        q = (ManBits + 2)'(sum >> shift);
      end
    end else if (shift <= 14'(SigWidth)) begin
      shifted = Width'(sig_i) >> shift;
      rem = sig_i & ((SigWidth'(1) << shift) - SigWidth'(1));
      if (shift == 14'(SigWidth)) rem = sig_i;
      half = SigWidth'(1) << (shift - 14'sd1);
      round_up = (rem > half) || (rem == half && (sticky_i || shifted[0]));
      q = shifted[ManBits+1:0] + (ManBits + 2)'(round_up);
    end

    // A carry into the next binade: 2^(ManBits+1) quanta become 2^ManBits one exponent up.
    if (q[ManBits+1]) begin
      q = q >> 1;
      quantum_exp = quantum_exp + 14'sd1;
    end

    if (q[ManBits]) begin
      exp_field = 15'(quantum_exp) + 15'(ManBits) + 15'(Bias);
      magnitude = {ExpBits'(exp_field), q[ManBits-1:0]};
      overflow = (exp_field >= 15'(1 << ExpBits)) || (magnitude > MaxFinite);
    end else begin
      magnitude = (ExpBits + ManBits)'(q);  // subnormal or zero
    end

    if (overflow) magnitude = Saturate ? MaxFinite : MaxFinite + 1'b1;
    code_o = {sign_i, magnitude};
  end

  logic unused_shifted;
  assign unused_shifted = ^shifted;  // only the low ManBits+2 bits can be nonzero
endmodule
