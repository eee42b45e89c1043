// A program: one instruction queue per engine plus the DRAM tensors it reads and writes.
// Text form .tasm and binary form (docs/isa.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "isa.hpp"

namespace tessera::isa {

enum class TensorIo : uint8_t { kIn, kOut, kInOut, kScratch };

struct TensorDecl {
  std::string name;
  uint64_t addr = 0;
  fp::Format dtype = fp::Format::kFp32;
  std::vector<uint64_t> shape;
  TensorIo io = TensorIo::kIn;

  uint64_t elements() const;
  uint64_t bytes() const { return elements() * (fp::info(dtype).bits / 8); }
};

struct Queue {
  std::string engine;  // pe, act, dve, dma0, dma1, ...
  std::vector<Instruction> insts;
};

struct Program {
  std::vector<TensorDecl> tensors;
  std::vector<Queue> queues;

  Queue& queue(const std::string& engine);  // created on first use
  const TensorDecl* tensor(const std::string& name) const;
  size_t instruction_count() const;
};

// The engine class of a queue name ("dma3" -> "dma"); empty when the name is not an engine.
std::string engine_class(const std::string& engine);

// Parsing throws InputError with "<origin>:<line>: ..." for malformed text.
Program parse_tasm(const std::string& text, const std::string& origin);
std::string to_tasm(const Program& program);

std::vector<uint8_t> to_binary(const Program& program);
// Whether `bytes` start with the binary form's magic.
bool is_program_binary(const std::vector<uint8_t>& bytes);
Program from_binary(const std::vector<uint8_t>& bytes, const std::string& origin);

}  // namespace tessera::isa
