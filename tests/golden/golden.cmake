# Cycle baselines (docs/kernels.md, "Cycle baselines"): a test per case of tests/golden/CONFIG.json,
# golden.CONFIG.NAME, so that a failure names the kernel; each runs one tessera process. Included
# from tests/CMakeLists.txt (Python3_EXECUTABLE; the checker needs only the standard library).
set(GOLDEN_DIR "${CMAKE_CURRENT_LIST_DIR}")
set(GOLDEN_CHECK "${Python3_EXECUTABLE}" "${GOLDEN_DIR}/check_golden.py" --tessera $<TARGET_FILE:tessera>)
set(GOLDEN_LABELS_small "kernel;golden")
set(GOLDEN_LABELS_trn1 "kernel;golden;slow")  # trn1 needs no verilated core: tlm mode

foreach(config small trn1)
  set(file "${GOLDEN_DIR}/${config}.json")
  # The test list comes from the file: a case added there is a test after the next build.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${file}")
  file(READ "${file}" json_${config})
  string(JSON count LENGTH "${json_${config}}" cases)
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    string(JSON name GET "${json_${config}}" cases ${i} name)
    add_test(NAME "golden.${config}.${name}" COMMAND ${GOLDEN_CHECK} "${file}" "${name}")
    set_tests_properties("golden.${config}.${name}" PROPERTIES LABELS "${GOLDEN_LABELS_${config}}" TIMEOUT 300)
  endforeach()
endforeach()

# Every kernel of `tessera list kernels` has a baseline on small.
add_test(NAME golden.small.all_kernels COMMAND ${GOLDEN_CHECK} --all-kernels "${GOLDEN_DIR}/small.json")
# The check can fail: the first small case against a copy of its baseline with cycles + 1.
string(JSON first GET "${json_small}" cases 0 name)
add_test(NAME golden.small.can_fail
         COMMAND "${Python3_EXECUTABLE}" "${GOLDEN_DIR}/golden_can_fail.py" --tessera $<TARGET_FILE:tessera>
                 "${GOLDEN_DIR}/small.json" "${first}")
set_tests_properties(golden.small.all_kernels golden.small.can_fail PROPERTIES LABELS "kernel;golden")
