// Decodes an instruction word with the generated tessera_isa_pkg's field positions, so that a
// testbench can check the SystemVerilog package against the C++ encoder (both from isa.json).
module isa_probe
  import tessera_isa_pkg::*;
(
  input  logic [WordBits-1:0] word_i,
  output logic [7:0]  opcode_o,
  output logic        wait_en_o,
  output logic [5:0]  wait_sem_o,
  output logic [31:0] wait_value_o,
  output logic        signal_en_o,
  output logic [5:0]  signal_sem_o,
  // multiply_moving
  output logic        mm_acc_o,
  output logic [39:0] mm_dst_addr_o,
  output logic [7:0]  mm_dst_part_o,
  output logic [7:0]  mm_dst_parts_o,
  output logic [19:0] mm_src_n0_o,
  output logic [27:0] mm_src_s0_o,
  // activation
  output logic [3:0]  act_func_o,
  output logic [31:0] act_scale_imm_o,
  output logic        act_bias_is_col_o,
  output logic [23:0] act_reduce_dst_addr_o,
  // dma_copy
  output logic [2:0]  dma_src_dtype_o,
  output logic [1:0]  dma_dst_space_o,
  output logic [19:0] dma_src_n2_o,
  output logic [27:0] dma_src_s2_o,
  // tensor_copy, memset
  output logic        copy_rounding_o,
  output logic [31:0] memset_value_o
);
  assign opcode_o = word_i[HdrOpcodeLsb +: HdrOpcodeBits];
  assign wait_en_o = word_i[HdrWaitEnLsb +: HdrWaitEnBits];
  assign wait_sem_o = word_i[HdrWaitSemLsb +: HdrWaitSemBits];
  assign wait_value_o = word_i[HdrWaitValueLsb +: HdrWaitValueBits];
  assign signal_en_o = word_i[HdrSignalEnLsb +: HdrSignalEnBits];
  assign signal_sem_o = word_i[HdrSignalSemLsb +: HdrSignalSemBits];

  assign mm_acc_o = word_i[MultiplyMovingAccLsb +: MultiplyMovingAccBits];
  assign mm_dst_addr_o = word_i[MultiplyMovingDstLsb + ApAddrLsb +: ApAddrBits];
  assign mm_dst_part_o = word_i[MultiplyMovingDstLsb + ApPartLsb +: ApPartBits];
  assign mm_dst_parts_o = word_i[MultiplyMovingDstLsb + ApPartsLsb +: ApPartsBits];
  assign mm_src_n0_o = word_i[MultiplyMovingSrcLsb + ApN0Lsb +: ApN0Bits];
  assign mm_src_s0_o = word_i[MultiplyMovingSrcLsb + ApS0Lsb +: ApS0Bits];

  assign act_func_o = word_i[ActivationFuncLsb +: ActivationFuncBits];
  assign act_scale_imm_o = word_i[ActivationScaleLsb + ScalarImmLsb +: ScalarImmBits];
  assign act_bias_is_col_o = word_i[ActivationBiasLsb + ScalarIsColLsb +: ScalarIsColBits];
  assign act_reduce_dst_addr_o = word_i[ActivationReduceDstLsb + ColAddrLsb +: ColAddrBits];

  assign dma_src_dtype_o = word_i[DmaCopySrcLsb + ApDtypeLsb +: ApDtypeBits];
  assign dma_dst_space_o = word_i[DmaCopyDstLsb + ApSpaceLsb +: ApSpaceBits];
  assign dma_src_n2_o = word_i[DmaCopySrcLsb + ApN2Lsb +: ApN2Bits];
  assign dma_src_s2_o = word_i[DmaCopySrcLsb + ApS2Lsb +: ApS2Bits];

  assign copy_rounding_o = word_i[TensorCopyRoundingLsb +: TensorCopyRoundingBits];
  assign memset_value_o = word_i[MemsetValueLsb +: MemsetValueBits];

  logic unused_word;
  assign unused_word = ^word_i;  // the probe looks at a sample of the fields only
endmodule
