#include "check.hpp"

#include "numerics/fp.hpp"

namespace tessera::kernels {

uint64_t ulp_distance(fp::Format f, float a, float b) {
  const unsigned sign_shift = fp::info(f).bits - 1;
  auto ordered = [&](float x) {
    const uint32_t c = f == fp::Format::kFp32 ? fp::bits_of(x) : fp::narrow(f, fp::bits_of(x));
    const int64_t mag = c & ((uint32_t{1} << sign_shift) - 1);
    return (c >> sign_shift & 1u) ? -mag : mag;
  };
  if (a != a || b != b) return fp::bits_of(a) == fp::bits_of(b) ? 0 : UINT32_MAX;
  const int64_t d = ordered(a) - ordered(b);
  return static_cast<uint64_t>(d < 0 ? -d : d);
}

}  // namespace tessera::kernels
