// One lane (partition) of a vector engine (docs/vec_engines.md "Numerics"): the element the
// engine computes in this cycle, combinational. Operand words arrive already rotated to the
// destination's partitions; the lane widens its element(s), applies the instruction and rounds
// the result to the destination format. The running value (the activation's reduce sum, the
// tensor_reduce accumulator) is the engine's register acc_i / acc_o.
//
// IsAct: the activation engine (activation only: scale, bias, function unit, sum); otherwise the
// vector engine (tensor_tensor, tensor_scalar, tensor_reduce, tensor_copy, memset, transpose:
// two ALUs). Per element: act `y = f(x*scale + bias)`; tensor_tensor `op(a, b)`; tensor_scalar
// `op1(op0(x, s0), s1)`; tensor_reduce `first ? x : op(acc, x)`; tensor_copy `x`; memset the
// value; transpose the buffered value.
module vec_lane
  import tessera_isa_pkg::*;
#(
  parameter bit IsAct = 1'b0
) (
  input  opcode_e     op_i,
  input  logic [3:0]  func_i,      // act_func_e
  input  logic [2:0]  alu0_i,      // dve_alu codes (rtl/dve/dve_alu.sv): tensor_tensor op, op0, reduce op
  input  logic [2:0]  alu1_i,      // op1
  input  dtype_e      x_dtype_i,
  input  dtype_e      b_dtype_i,
  input  dtype_e      d_dtype_i,
  input  logic        sr_i,        // stochastic rounding (tensor_copy rounding=sr)
  input  logic [31:0] random_i,    // this element's generator output
  input  logic [31:0] x_word_i,
  input  logic [1:0]  x_off_i,
  input  logic [31:0] b_word_i,
  input  logic [1:0]  b_off_i,
  input  logic [31:0] s0_i,        // scale / s0 (fp32)
  input  logic [31:0] s1_i,        // bias / s1
  input  logic [31:0] value_i,     // memset
  input  logic        first_i,     // the first element of the instruction's pattern
  input  logic [31:0] acc_i,
  input  logic [31:0] tval_i,      // transpose: the buffered value
  output logic [31:0] x_o,         // the widened source element (transpose's buffer input)
  output logic [31:0] code_o,      // the destination code, right-aligned
  output logic [31:0] acc_o        // the running value after this element
);
  logic [31:0] xw, y;

  vec_widen u_wx (.dtype_i(x_dtype_i), .word_i(x_word_i), .off_i(x_off_i), .y_o(xw));
  assign x_o = xw;

  if (IsAct) begin : g_act
    logic [31:0] v;
    assign v = act_pkg::add(act_pkg::mul(xw, s0_i), s1_i);  // not inlined (docs/vec_engines.md "Build cost")
    act_func u_func (.fn_i(func_i), .x_i(v), .y_o(y));
    assign acc_o = first_i ? y : act_pkg::add(acc_i, y);
    // the vector engine's operands are not used here
    logic unused_dve;
    assign unused_dve = ^{op_i, alu0_i, alu1_i, b_dtype_i, b_word_i, b_off_i, value_i, tval_i};
  end else begin : g_dve
    logic [31:0] bw, a0_x, a0_s, a0_y, a1_y;
    vec_widen u_wb (.dtype_i(b_dtype_i), .word_i(b_word_i), .off_i(b_off_i), .y_o(bw));
    always_comb begin
      a0_x = xw;
      a0_s = s0_i;
      if (op_i == OpTensorTensor) a0_s = bw;
      if (op_i == OpTensorReduce) begin
        a0_x = acc_i;
        a0_s = xw;
      end
    end
    dve_alu u_alu0 (.op_i(alu0_i), .x_i(a0_x), .s_i(a0_s), .y_o(a0_y));
    dve_alu u_alu1 (.op_i(alu1_i), .x_i(a0_y), .s_i(s1_i), .y_o(a1_y));
    always_comb begin
      unique case (op_i)
        OpTensorTensor: y = a0_y;
        OpTensorScalar: y = a1_y;
        OpTensorReduce: y = first_i ? xw : a0_y;
        OpMemset:       y = value_i;
        OpTranspose:    y = tval_i;
        default:        y = xw;  // tensor_copy
      endcase
    end
    assign acc_o = y;
    logic unused_act;
    assign unused_act = ^func_i;
  end

  vec_narrow u_narrow (.dtype_i(d_dtype_i), .x_i(y), .sr_i(sr_i), .random_i(random_i), .code_o(code_o));
endmodule
