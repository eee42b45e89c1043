// Testbench top (tb/vec/test_vec_convert.cpp): the vector engines' format conversions
// (vec_pkg::widen, vec_pkg::narrow), combinational, to compare them code by code with the
// reference numerics.
module vec_convert_probe
  import tessera_isa_pkg::*;
(
  input  logic [2:0]  dtype_i,   // dtype_e
  input  logic [31:0] word_i,    // widen: the word holding the element
  input  logic [1:0]  off_i,     // widen: the element's byte offset
  input  logic [31:0] x_i,       // narrow: the fp32 value
  input  logic        sr_i,
  input  logic [31:0] random_i,
  output logic [31:0] wide_o,
  output logic [31:0] narrow_o
);
  assign wide_o = vec_pkg::widen(dtype_e'(dtype_i), word_i, off_i);
  assign narrow_o = vec_pkg::narrow(dtype_e'(dtype_i), x_i, sr_i, random_i);
endmodule
