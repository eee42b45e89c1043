// Comparison of a kernel's result with a double-precision reference (SPEC section 9).
#pragma once

#include <cstdint>
#include <string>

namespace tessera::kernels {

struct Check {
  bool pass = true;
  double max_abs_err = 0, max_rel_err = 0;
  uint64_t max_ulp = 0;
  std::string vs;     // what was compared against, e.g. "fp64"
  std::string bound;  // the error bound that decides `pass` (docs/kernels.md)
};

// Distance in units in the last place between two fp32 values (0 for equal bits; NaNs are
// compared by bits only).
uint64_t ulp_distance(float a, float b);

}  // namespace tessera::kernels
