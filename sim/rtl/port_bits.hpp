// Bit-field access to Verilator ports: plain integers for narrow ports, 32-bit words (VlWide)
// for wide ones. Used by the core's harness and the testbenches.
#pragma once

#include <cstdint>
#include <type_traits>

namespace tessera::rtl {

template <typename Port>
void set_bits(Port& port, unsigned lsb, unsigned width, uint64_t value) {
  for (unsigned i = 0; i < width; ++i) {
    const unsigned bit = lsb + i;
    if constexpr (std::is_integral_v<Port>) {
      const auto m = static_cast<Port>(Port{1} << bit);
      port = static_cast<Port>(((value >> i) & 1) ? (port | m) : (port & ~m));
    } else {
      const uint32_t m = 1u << (bit % 32);
      port[bit / 32] = ((value >> i) & 1) ? (port[bit / 32] | m) : (port[bit / 32] & ~m);
    }
  }
}

template <typename Port>
uint64_t get_bits(const Port& port, unsigned lsb, unsigned width) {
  uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) {
    const unsigned bit = lsb + i;
    if constexpr (std::is_integral_v<Port>) v |= uint64_t{(port >> bit) & 1u} << i;
    else v |= uint64_t{(port[bit / 32] >> (bit % 32)) & 1u} << i;
  }
  return v;
}

// Whole 32-bit words of a port (lsb a multiple of 32).
template <typename Port>
void set_word(Port& port, unsigned lsb, uint32_t w) {
  if constexpr (std::is_integral_v<Port>) set_bits(port, lsb, 32, w);
  else port[lsb / 32] = w;
}
template <typename Port>
uint32_t get_word(const Port& port, unsigned lsb) {
  if constexpr (std::is_integral_v<Port>) return static_cast<uint32_t>(get_bits(port, lsb, 32));
  else return port[lsb / 32];
}

}  // namespace tessera::rtl
