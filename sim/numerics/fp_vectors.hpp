// Vector files for `tessera fp`: one vector per line, the operands in hex then the expected
// result in hex; further fields are ignored; '#' starts a comment (SPEC section 8).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "fp_ops.hpp"

namespace tessera::fp {

struct FpVector {
  size_t line;
  std::array<uint32_t, 2> operands;
  uint32_t expected;
};

// Reads and validates every vector of `path` for `op`. Throws InputError with "path:line:"
// on the first malformed line, on an unreadable file and on a file holding no vectors.
std::vector<FpVector> read_fp_vectors(const std::string& path, const FpOp& op);

}  // namespace tessera::fp
