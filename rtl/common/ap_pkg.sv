// Access-pattern fields of an instruction word (docs/isa.md "Access patterns"), decoded for the
// engines that walk on-chip patterns (rtl/pe/tensor_engine.sv, rtl/vec/vec_engine.sv).
package ap_pkg;
  import tessera_isa_pkg::*;

  // An on-chip pattern without its space: partitions [part, part + parts), byte address, and
  // three dimensions n x s (strides in elements), dims[0] outermost.
  typedef struct packed {
    logic [2:0]            dtype;
    logic [7:0]            part;
    logic [7:0]            parts;
    logic [39:0]           addr;
    logic [2:0][19:0]      n;
    logic [2:0][27:0]      s;
  } ap_t;

  // The pattern field at bit `lsb` of an instruction word.
  function automatic ap_t ap_at(logic [WordBits-1:0] w, int unsigned lsb);
    ap_t a;
    a.dtype = w[lsb + ApDtypeLsb +: ApDtypeBits];
    a.part = w[lsb + ApPartLsb +: ApPartBits];
    a.parts = w[lsb + ApPartsLsb +: ApPartsBits];
    a.addr = w[lsb + ApAddrLsb +: ApAddrBits];
    a.n[0] = w[lsb + ApN0Lsb +: ApN0Bits];
    a.n[1] = w[lsb + ApN1Lsb +: ApN1Bits];
    a.n[2] = w[lsb + ApN2Lsb +: ApN2Bits];
    a.s[0] = w[lsb + ApS0Lsb +: ApS0Bits];
    a.s[1] = w[lsb + ApS1Lsb +: ApS1Bits];
    a.s[2] = w[lsb + ApS2Lsb +: ApS2Bits];
    return a;
  endfunction

  // Whether the pattern field at bit `lsb` is in PSUM. (The space is the field's lowest bits, so
  // only lsb's low bits index the word.)
  /* verilator lint_off UNUSEDSIGNAL */
  function automatic logic psum_at(logic [WordBits-1:0] w, int unsigned lsb);
    return w[lsb + ApSpaceLsb +: ApSpaceBits] == SpacePsum;
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  // log2 of a dtype's element bytes.
  function automatic logic [1:0] elem_shift(logic [2:0] dtype);
    unique case (dtype_e'(dtype))
      DtypeFp32: return 2'd2;
      DtypeBf16, DtypeFp16: return 2'd1;
      default: return 2'd0;
    endcase
  endfunction
endpackage
