// The vector engine's ALU and reduction steps in fp32 (docs/isa.md), shared by the reference
// model and the C++ act/dve engines of the RTL core so both apply the same operations.
#pragma once

#include <cstdint>
#include <string_view>

namespace tessera::ref {

// op: bypass, add, sub (x - s), rsub (s - x), mul, max, min. NaN in, canonical NaN out;
// max/min order -0 below +0.
uint32_t alu(std::string_view op, uint32_t x, uint32_t s);

// op: add, mul, max, min; acc is the running value, x the next element.
uint32_t reduce_step(std::string_view op, uint32_t acc, uint32_t x);

}  // namespace tessera::ref
