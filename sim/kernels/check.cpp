#include "check.hpp"

#include "numerics/fp.hpp"

namespace tessera::kernels {

uint64_t ulp_distance(float a, float b) {
  auto ordered = [](float f) {
    const uint32_t u = fp::bits_of(f);
    return (u & 0x80000000u) ? int64_t{0x80000000} - int64_t{u & 0x7FFFFFFFu} : int64_t{0x80000000} + int64_t{u};
  };
  if (a != a || b != b) return fp::bits_of(a) == fp::bits_of(b) ? 0 : UINT32_MAX;
  const int64_t d = ordered(a) - ordered(b);
  return static_cast<uint64_t>(d < 0 ? -d : d);
}

}  // namespace tessera::kernels
