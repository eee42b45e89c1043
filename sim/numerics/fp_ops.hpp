// The scalar operations that `tessera fp` checks against vector files (SPEC section 8).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "fp.hpp"

namespace tessera::fp {

struct FpOp {
  std::string_view name;
  std::vector<Format> operands;  // one or two
  Format result;
  uint32_t (*eval)(const uint32_t* operands);  // reference semantics
};

const std::vector<FpOp>& fp_ops();
const FpOp* find_fp_op(std::string_view name);

}  // namespace tessera::fp
