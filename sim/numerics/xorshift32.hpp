// The stochastic-rounding generator of the numerics contract (SPEC section 3): one
// xorshift32 (13, 17, 5) state per partition lane, stepped once per element.
#pragma once

#include <cstdint>

namespace tessera::fp {

class Xorshift32 {
 public:
  explicit Xorshift32(uint32_t state) : state_(state ? state : kZeroSubstitute) {}

  // The lane's initial state: two rounds of the murmur3 finaliser over the kernel seed and
  // the lane index (docs/numerics.md). A zero state (which xorshift never leaves) is replaced.
  static Xorshift32 for_lane(uint64_t seed, uint32_t lane) {
    const uint32_t lo = static_cast<uint32_t>(seed);
    const uint32_t hi = static_cast<uint32_t>(seed >> 32);
    return Xorshift32(fmix32(fmix32(lo ^ (kGolden * (lane + 1u))) ^ hi));
  }

  // Steps the state and returns the new state: the random bits for one element.
  uint32_t next() {
    uint32_t x = state_;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    state_ = x;
    return x;
  }

  uint32_t state() const { return state_; }

  static constexpr uint32_t fmix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
  }

 private:
  static constexpr uint32_t kGolden = 0x9E3779B9u;
  static constexpr uint32_t kZeroSubstitute = kGolden;
  uint32_t state_;
};

}  // namespace tessera::fp
