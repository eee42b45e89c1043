// The vector engine's ALU and reduction steps in fp32 (docs/isa.md), shared by the reference
// model and the C++ act/dve engines of the RTL core so both apply the same operations.
#pragma once

#include <cstdint>
#include <string_view>

namespace tessera::ref {

// The ISA's ALU operations (docs/isa.md), decoded once per instruction, not per element.
enum class AluOp : uint8_t { kBypass, kAdd, kSub, kRsub, kMul, kMax, kMin };

// The operation of an instruction's op/op0/op1 field ("bypass", "add", ...); another name is a
// std::logic_error (the ISA decoder admits only these).
AluOp parse_alu_op(std::string_view name);

// sub is x - s, rsub s - x. NaN in, canonical NaN out; max/min order -0 below +0.
uint32_t alu(AluOp op, uint32_t x, uint32_t s);

// tensor_reduce's step (add, mul, max, min): acc is the running value, x the next element.
uint32_t reduce_step(AluOp op, uint32_t acc, uint32_t x);

}  // namespace tessera::ref
