# Training kernels in ref mode against double precision, within the bounds derived in
# docs/kernels.md (label: kernel). Included from tests/CMakeLists.txt.
add_executable(test_kernels ${CMAKE_CURRENT_LIST_DIR}/test_kernels.cpp)
target_include_directories(test_kernels PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}")
target_link_libraries(test_kernels PRIVATE tessera_core tessera_catch_main Catch2::Catch2)
target_compile_options(test_kernels PRIVATE ${TESSERA_WARNINGS})
catch_discover_tests(test_kernels
  TEST_PREFIX "kernel: "
  PROPERTIES LABELS kernel)

# tessera train mlp against PyTorch fp32 within the derived bf16 bound (python3-torch, Debian's
# /usr/bin/python3: DEBIAN_PYTHON3 from tests/cli/programs.cmake), the tests that show the
# comparison can fail, and a short rtl run bit-exact with ref (docs/kernels.md).
set(TRAIN_VS_TORCH "${CMAKE_CURRENT_LIST_DIR}/train_vs_torch.py")
set(TRAIN_TINY --config tiny --batch 8 --in-features 8 --hidden 16 --classes 4)
foreach(opt adamw sgd)
  add_test(NAME kernel.train_vs_torch.small.${opt}
           COMMAND "${DEBIAN_PYTHON3}" "${TRAIN_VS_TORCH}" --tessera $<TARGET_FILE:tessera> --optimizer ${opt}
                   --config small --steps 20)
  add_test(NAME kernel.train_vs_torch.tiny.${opt}
           COMMAND "${DEBIAN_PYTHON3}" "${TRAIN_VS_TORCH}" --tessera $<TARGET_FILE:tessera> --optimizer ${opt}
                   ${TRAIN_TINY} --steps 20)
  foreach(perturb lr weight)
    add_test(NAME kernel.train_vs_torch.${perturb}_perturbed_fails.${opt}
             COMMAND "${DEBIAN_PYTHON3}" "${TRAIN_VS_TORCH}" --tessera $<TARGET_FILE:tessera> --optimizer ${opt}
                     --config small --steps 20 --perturb ${perturb} --expect-fail)
  endforeach()
  # the batch in passes (32 rows in passes of 12: two full, one of 8), gradients summed in SBUF
  add_test(NAME kernel.train_vs_torch.small_passes.${opt}
           COMMAND "${DEBIAN_PYTHON3}" "${TRAIN_VS_TORCH}" --tessera $<TARGET_FILE:tessera> --optimizer ${opt}
                   --config small --steps 20 --micro-batch 12)
  set_tests_properties(kernel.train_vs_torch.small.${opt} kernel.train_vs_torch.tiny.${opt}
                       kernel.train_vs_torch.small_passes.${opt}
                       kernel.train_vs_torch.lr_perturbed_fails.${opt} kernel.train_vs_torch.weight_perturbed_fails.${opt}
                       PROPERTIES LABELS kernel TIMEOUT 300)
endforeach()
foreach(opt adamw sgd)
  add_test(NAME kernel.train_rtl_bitexact.tiny.${opt}
           COMMAND "${DEBIAN_PYTHON3}" "${TRAIN_VS_TORCH}" --tessera $<TARGET_FILE:tessera> --mode bitexact
                   --optimizer ${opt} ${TRAIN_TINY} --steps 2)
  set_tests_properties(kernel.train_rtl_bitexact.tiny.${opt} PROPERTIES LABELS "kernel;rtl" TIMEOUT 600)
endforeach()
# The command line: outputs, report, bad inputs (exit 2, one line, nothing left behind).
add_test(NAME kernel.train_cli
         COMMAND "${DEBIAN_PYTHON3}" "${TRAIN_VS_TORCH}" --tessera $<TARGET_FILE:tessera> --mode cli)
set_tests_properties(kernel.train_cli PROPERTIES LABELS kernel TIMEOUT 300)

# Several TLM and co-simulation steps in one tessera process (each run in its own child
# process, docs/tlm.md): the same losses and final weights, byte for byte, as the ref and rtl
# runs; cycles only in the timed mode against ref, and equal (whole loss.csv) against rtl.
#   TRAIN_MODES_AGREE TESSERA STEPS "MODE A FLAGS" "MODE B FLAGS" SAME_CYCLES(0|1) [ARGS...]
set(TRAIN_MODES_AGREE "import os,shutil,subprocess,sys,tempfile
exe, steps, modes, same_cycles, args = sys.argv[1], sys.argv[2], sys.argv[3:5], sys.argv[5] == '1', sys.argv[6:]
tmp = tempfile.mkdtemp(prefix='tessera_train_modes_')
csv = []
for i, mode in enumerate(modes):
    out = os.path.join(tmp, str(i))
    subprocess.run([exe, 'train', 'mlp', '--steps', steps, '--out-dir', out] + mode.split() + args, check=True)
    csv.append([l.split(',') for l in open(os.path.join(out, 'loss.csv')).read().splitlines()])
    print(modes[i], 'loss.csv:', csv[i])
assert len(csv[0]) == int(steps) + 1, 'one row per step'
assert [r[:2] for r in csv[0]] == [r[:2] for r in csv[1]], 'the losses differ'
if same_cycles:
    assert csv[0] == csv[1], 'the cycles differ'
else:
    assert all(r[2] for r in csv[0][1:]) and not any(r[2] for r in csv[1][1:]), 'cycles: timed mode only'
for w in ('w1', 'b1', 'w2', 'b2'):
    a, b = (open(os.path.join(tmp, str(i), w + '.npy'), 'rb').read() for i in (0, 1))
    assert a == b, w + '.npy differs'
shutil.rmtree(tmp)
print('PASS')")
add_test(NAME kernel.train_tlm_vs_ref.tiny
         COMMAND "${DEBIAN_PYTHON3}" -c "${TRAIN_MODES_AGREE}" $<TARGET_FILE:tessera> 3 "--mode tlm" "--mode ref" 0 ${TRAIN_TINY})
set_tests_properties(kernel.train_tlm_vs_ref.tiny PROPERTIES LABELS "kernel;tlm" TIMEOUT 300)
add_test(NAME kernel.train_cosim_vs_rtl.tiny
         COMMAND "${DEBIAN_PYTHON3}" -c "${TRAIN_MODES_AGREE}" $<TARGET_FILE:tessera> 2 "--mode cosim --rtl all" "--mode rtl" 1
                 ${TRAIN_TINY})
add_test(NAME kernel.train_cosim_blocks_vs_rtl.tiny
         COMMAND "${DEBIAN_PYTHON3}" -c "${TRAIN_MODES_AGREE}" $<TARGET_FILE:tessera> 2 "--mode cosim --rtl pe,dma" "--mode rtl" 1
                 ${TRAIN_TINY})
set_tests_properties(kernel.train_cosim_vs_rtl.tiny kernel.train_cosim_blocks_vs_rtl.tiny
                     PROPERTIES LABELS "kernel;cosim" TIMEOUT 600)
# A lockstep mismatch in a step's child process ends the training with exit 1 and its message;
# --trace-on-mismatch (a re-run with --trace) is tessera run's only.
add_test(NAME kernel.train_cosim_fault
         COMMAND "${EXPECT}" 1 --stderr "lockstep mismatch at cycle" --stderr "[fault injected at cycle"
                 -- $<TARGET_FILE:tessera> train mlp --mode cosim --rtl pe,dma --inject-fault pe:0 --steps 2 ${TRAIN_TINY})
add_test(NAME kernel.train_cosim_no_trace_on_mismatch
         COMMAND "${EXPECT}" 2 --stderr "not supported by tessera train"
                 -- $<TARGET_FILE:tessera> train mlp --mode cosim --rtl pe --trace-on-mismatch m.fst ${TRAIN_TINY})
set_tests_properties(kernel.train_cosim_fault kernel.train_cosim_no_trace_on_mismatch PROPERTIES LABELS "kernel;cosim")
