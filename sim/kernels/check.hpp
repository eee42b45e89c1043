// Comparison of a kernel's result with a double-precision reference (SPEC section 9).
#pragma once

#include <cstdint>
#include <string>

#include "numerics/fp.hpp"

namespace tessera::kernels {

struct Check {
  bool pass = true;
  double max_abs_err = 0, max_rel_err = 0;
  uint64_t max_ulp = 0;  // in units of each output's own dtype (a bf16 output: bf16 ulps)
  std::string vs;     // what was compared against, e.g. "fp64"
  std::string bound;  // the error bound that decides `pass` (docs/kernels.md)
};

// Distance in units in the last place of format `f` between two fp32 values, each first rounded
// to `f` (RNE; a value already in `f`, such as a kernel output of that dtype, is unchanged): the
// number of steps between their `f` codes, counting across zero (-0 and +0 are the same
// point, so the two smallest subnormals of opposite signs are two apart). NaNs are
// compared by bits only (UINT32_MAX when they differ).
uint64_t ulp_distance(fp::Format f, float a, float b);

}  // namespace tessera::kernels
