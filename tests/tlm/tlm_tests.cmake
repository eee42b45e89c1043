# The TLM model against the RTL (label tlm): tests/tlm/tlm_vs_rtl.cpp, one process per test
# (SystemC elaborates once per process). Every test requires bit-identical outputs.
#
# Tolerances. SPEC section 5 asks for pe/act/dve issue and done cycles identical to the RTL,
# each DMA completion within 2% and total cycles within 1%. The model is register-level for
# every block (docs/tlm.md "Timing per block") and, measured on every case below and on every
# registry kernel, it matches the RTL exactly: every instruction of every engine (DMA
# included) has the RTL's issue and done cycle, and the total cycles are equal. So the tests
# assert that, with no tolerance (--exact pe,act,dve,dma, --max-dma-error 0,
# --max-cycles-error 0): any difference is a modelling bug or an RTL change the TLM has not
# followed, and the first differing instruction is printed (rerun with --verbose for all).
# The measurements are in docs/tlm.md "Measured agreement".
if(TARGET tessera_tlm AND TARGET tessera_rtl_core)
  add_executable(tlm_vs_rtl ${CMAKE_CURRENT_LIST_DIR}/tlm_vs_rtl.cpp)
  target_link_libraries(tlm_vs_rtl PRIVATE tessera_tlm tessera_cosim tessera_rtl_core tessera_core)
  target_compile_options(tlm_vs_rtl PRIVATE ${TESSERA_WARNINGS})

  set(tlm_programs "${CMAKE_CURRENT_LIST_DIR}/../programs")
  set(tlm_exact --exact pe,act,dve,dma --max-dma-error 0 --max-cycles-error 0 --exact-traffic)
  set(tlm_tests)
  function(tlm_test name)
    add_test(NAME "tlm.vs_rtl.${name}" COMMAND tlm_vs_rtl ${ARGN} ${tlm_exact})
    set(tlm_tests ${tlm_tests} "tlm.vs_rtl.${name}" PARENT_SCOPE)
  endfunction()

  # gemm: two configs, several shapes (edge tiles included), dtypes and seeds.
  tlm_test(gemm_small --config small --kernel gemm)
  tlm_test(gemm_small_fp32_32x128x64 --config small --kernel gemm --dtype fp32 --flag m=32 --flag n=128 --flag k=64 --seed 2)
  tlm_test(gemm_small_e4m3_48x80x96 --config small --kernel gemm --dtype e4m3 --flag m=48 --flag n=80 --flag k=96 --seed 4)
  tlm_test(gemm_small_bf16_out_37x200x70 --config small --kernel gemm --flag m=37 --flag n=200 --flag k=70
           --flag bf16-out=1 --seed 3)
  tlm_test(gemm_tiny --config tiny --kernel gemm)
  # 64 C tiles: the stores lag two tiles behind the matmuls (the other gemms here lag one).
  tlm_test(gemm_tiny_bf16_out_32x128x8 --config tiny --kernel gemm --flag m=32 --flag n=128 --flag k=8
           --flag bf16-out=1 --seed 9)
  tlm_test(gemm_tiny_fp32_16x24x12 --config tiny --kernel gemm --dtype fp32 --flag m=16 --flag n=24 --flag k=12 --seed 5)
  tlm_test(gemm_tiny_e5m2_32x16x32 --config tiny --kernel gemm --dtype e5m2 --flag m=32 --flag n=16 --flag k=32 --seed 6)
  # the example programs
  foreach(p act dve pe dma dma_units)
    tlm_test(${p}_program --config tiny --program "${tlm_programs}/${p}.tasm")
  endforeach()
  # training kernels (every engine, PSUM traffic, act/dve port contention)
  tlm_test(softmax_xent_small --config small --kernel softmax_xent)
  tlm_test(softmax_xent_tiny --config tiny --kernel softmax_xent)
  tlm_test(bias_gelu_bwd_small --config small --kernel bias_gelu_bwd)
  tlm_test(layernorm_bwd_small --config small --kernel layernorm_bwd)
  tlm_test(mlp_step_small --config small --kernel mlp_step)
  # mlp_step's other paths: SGD, and tiny's default shape, whose AdamW m and v do not fit beside
  # the step and stream through the update (sim/kernels/mlp_step.cpp).
  tlm_test(mlp_step_small_sgd --config small --kernel mlp_step --flag sgd=1)
  tlm_test(mlp_step_tiny --config tiny --kernel mlp_step)
  # and the batch in passes, gradients accumulated in SBUF (--micro-batch)
  tlm_test(mlp_step_small_passes --config small --kernel mlp_step --flag batch=40 --flag micro-batch=16)
  # TESSERA_FABRIC_CHECK: the TLM's DMA streaming fast paths are also checked against its
  # register model of the channel, cycle by cycle (sim/tlm/fabric.cpp, docs/tlm.md).
  set_tests_properties(${tlm_tests} PROPERTIES LABELS tlm ENVIRONMENT TESSERA_FABRIC_CHECK=1)

  # trn1 (label slow; only in a build whose TESSERA_CORE_PRESETS has trn1, docs/bench.md): 128
  # partitions, so the SBUF's per-(bank, partition) arbitration of the DMA and act/dve requests
  # covers the whole of the fabric's per-partition bank masks. About 30 s and 60 s of RTL.
  if("trn1" IN_LIST TESSERA_CORE_PRESETS)
    set(tlm_tests)
    tlm_test(gemm_trn1_256x1024x256 --config trn1 --kernel gemm --flag m=256 --flag n=1024 --flag k=256)
    tlm_test(mlp_step_trn1_64x128x256x32 --config trn1 --kernel mlp_step --flag batch=64 --flag in-features=128
             --flag hidden=256 --flag classes=32)
    set_tests_properties(${tlm_tests} PROPERTIES LABELS "tlm;slow" ENVIRONMENT TESSERA_FABRIC_CHECK=1)
  endif()

  # Co-simulation (docs/cosim.md): the verilated tensor engine and/or DMA engine inside the TLM
  # model, lockstep-checked, against the whole verilated core; same exactness.
  set(tlm_tests)
  tlm_test(cosim_pe_dma_gemm_small --config small --kernel gemm --cosim pe,dma)
  tlm_test(cosim_pe_dma_gemm_small_e4m3_48x80x96 --config small --kernel gemm --dtype e4m3 --flag m=48 --flag n=80
           --flag k=96 --seed 4 --cosim pe,dma)
  tlm_test(cosim_pe_gemm_tiny_fp16_40x24x20 --config tiny --kernel gemm --dtype fp16 --flag m=40 --flag n=24 --flag k=20
           --seed 7 --cosim pe)
  tlm_test(cosim_dma_gemm_tiny_fp32_16x24x12 --config tiny --kernel gemm --dtype fp32 --flag m=16 --flag n=24 --flag k=12
           --seed 5 --cosim dma)
  tlm_test(cosim_pe_dma_dma_program --config tiny --program "${tlm_programs}/dma.tasm" --cosim pe,dma)
  # 8-byte units and their edge cases through the RTL DMA and the RTL SBUF (wide requests as two
  # word accesses of the SBUF block's port).
  tlm_test(cosim_dma_sbuf_dma_units_program --config tiny --program "${tlm_programs}/dma_units.tasm" --cosim dma,sbuf)
  tlm_test(cosim_pe_dma_softmax_xent_tiny --config tiny --kernel softmax_xent --cosim pe,dma)
  tlm_test(cosim_pe_dma_mlp_step_small --config small --kernel mlp_step --cosim pe,dma)
  # With the RTL SBUF and PSUM too (behind the TLM engines, and with every RTL block): the same
  # cycles, instruction by instruction.
  tlm_test(cosim_all_blocks_gemm_small --config small --kernel gemm --cosim pe,dma,sbuf,psum)
  tlm_test(cosim_all_blocks_gemm_small_bf16_out_40x300x70 --config small --kernel gemm --flag m=40 --flag n=300
           --flag k=70 --flag bf16-out=1 --seed 8 --cosim pe,dma,sbuf,psum)
  tlm_test(cosim_sbuf_psum_softmax_xent_tiny --config tiny --kernel softmax_xent --cosim sbuf,psum)
  tlm_test(cosim_all_blocks_mlp_step_small --config small --kernel mlp_step --cosim pe,dma,sbuf,psum)
  # The RTL sequencers driving every TLM engine (--rtl seq): the same cycles, instruction by
  # instruction, as the whole verilated core; programs with nops, semaphores and every engine.
  foreach(case "tiny;gemm" "small;gemm" "tiny;softmax_xent" "small;layernorm_bwd" "small;bias_gelu_bwd" "small;adamw"
               "tiny;mlp_step" "small;mlp_step")
    list(GET case 0 cfg)
    list(GET case 1 kernel)
    tlm_test(cosim_seq_${kernel}_${cfg} --config ${cfg} --kernel ${kernel} --cosim seq)
  endforeach()
  foreach(p act dve pe dma dma_units)
    tlm_test(cosim_seq_${p}_program --config tiny --program "${tlm_programs}/${p}.tasm" --cosim seq)
  endforeach()
  # TLM DMA channels run in the cosim tests without `dma` in --cosim: check their fast paths there too.
  set_tests_properties(${tlm_tests} PROPERTIES LABELS "tlm;cosim" ENVIRONMENT TESSERA_FABRIC_CHECK=1)

  # The comparison can fail: one TLM completion moved by one cycle (--perturb) must fail the
  # exactness requirements; and an unknown engine class is an error, not a vacuous pass.
  add_test(NAME "tlm.vs_rtl.detects_one_cycle" COMMAND tlm_vs_rtl --config tiny --program "${tlm_programs}/pe.tasm"
                                                      --perturb ${tlm_exact})
  add_test(NAME "tlm.vs_rtl.rejects_unknown_class" COMMAND tlm_vs_rtl --config tiny --program "${tlm_programs}/pe.tasm"
                                                            --exact pe,tensor)
  set_tests_properties("tlm.vs_rtl.detects_one_cycle" "tlm.vs_rtl.rejects_unknown_class" PROPERTIES LABELS tlm
                       WILL_FAIL TRUE)
endif()
