// The instruction set (SPEC section 4, docs/isa.md), driven by the one definition in
// sim/isa/isa.json: field order and widths, opcodes, enums and word size all come from it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "numerics/fp.hpp"

namespace tessera::isa {

enum class Space : uint8_t { kDram, kSbuf, kPsum };
std::string_view space_name(Space s);

struct Dim {
  uint32_t count = 1;
  int32_t stride = 0;  // elements on chip, bytes in DRAM
};

// An access pattern. On chip: partitions [part, part+parts), byte offset `addr` in each, and
// the same free pattern in every partition. DRAM: byte address `addr`, `part`/`parts` zero.
// dims[0] is the outermost dimension; unused dims are {1, 0}.
struct Ap {
  Space space = Space::kSbuf;
  fp::Format dtype = fp::Format::kFp32;
  uint32_t part = 0;
  uint32_t parts = 1;
  uint64_t addr = 0;
  std::array<Dim, 3> dims{};

  uint64_t free_size() const { return uint64_t{dims[0].count} * dims[1].count * dims[2].count; }
  uint64_t elements() const { return (space == Space::kDram ? 1 : parts) * free_size(); }
  bool operator==(const Ap& o) const;
};

// Bytes [lo, hi) an access pattern touches: within each of its partitions on chip, of DRAM
// for DRAM patterns (strides may be negative, so lo may precede addr).
struct Extent {
  int64_t lo, hi;
};
Extent byte_extent(const Ap& ap);

// A per-partition fp32 column: the element at byte `addr` of each partition of an
// instruction's destination partitions.
struct Col {
  Space space = Space::kSbuf;
  uint32_t addr = 0;
  bool operator==(const Col& o) const { return space == o.space && addr == o.addr; }
};

// An immediate fp32 or a per-partition column.
struct Scalar {
  bool is_col = false;
  uint32_t imm = 0;  // fp32 bits
  Col col{};
  bool operator==(const Scalar& o) const {
    return is_col == o.is_col && (is_col ? col == o.col : imm == o.imm);
  }
};

// Scalar fields (u, s, enum, f32) travel as uint64_t (signed fields sign-extended).
using Value = std::variant<uint64_t, Ap, Col, Scalar>;

struct FieldDef {
  std::string name;
  std::string type;       // "u", "s", "f32", "enum:<name>", or a composite type name
  unsigned bits = 0;      // leaf width; composites take their width from their type
  const std::vector<std::string>* enum_values = nullptr;
};

struct OpcodeDef {
  std::string name;
  unsigned code = 0;
  std::string engine;     // "pe", "act", "dve", "dma" or "any"
  std::vector<FieldDef> fields;
  int field_index(std::string_view name) const;
};

struct Instruction {
  const OpcodeDef* op = nullptr;
  bool wait_en = false;
  unsigned wait_sem = 0;
  uint32_t wait_value = 0;
  bool signal_en = false;
  unsigned signal_sem = 0;
  std::vector<Value> args;  // parallel to op->fields

  const Ap& ap(std::string_view field) const;
  const Col& col(std::string_view field) const;
  const Scalar& scalar(std::string_view field) const;
  uint64_t u(std::string_view field) const;
  void set(std::string_view field, Value v);
  bool operator==(const Instruction& o) const;
};

class Isa {
 public:
  static const Isa& get();

  unsigned word_bytes() const { return word_bytes_; }
  unsigned semaphores() const { return semaphores_; }
  const std::vector<OpcodeDef>& opcodes() const { return opcodes_; }
  const OpcodeDef* find(std::string_view name) const;
  const OpcodeDef* by_code(unsigned code) const;
  const std::vector<std::string>& enum_values(const std::string& name) const;
  const std::vector<FieldDef>& header() const { return header_; }
  const std::vector<FieldDef>& composite(const std::string& type) const;
  bool is_composite(const std::string& type) const;

  // A new instruction of `opcode` with every field at its default (aps/cols/scalars zero).
  Instruction make(std::string_view opcode) const;

  std::vector<uint8_t> encode(const Instruction& inst) const;
  Instruction decode(const uint8_t* word) const;  // throws InputError for an unknown opcode

 private:
  Isa();
  unsigned word_bytes_ = 0;
  unsigned semaphores_ = 0;
  std::vector<FieldDef> header_;
  std::vector<std::pair<std::string, std::vector<FieldDef>>> types_;
  std::vector<std::pair<std::string, std::vector<std::string>>> enums_;
  std::vector<OpcodeDef> opcodes_;
};

// Text form (.tasm) of one instruction and its parser; docs/isa.md has the grammar.
std::string to_text(const Instruction& inst);
Instruction parse_instruction(std::string_view line);  // throws InputError (without position)

std::string ap_to_text(const Ap& ap);
Ap parse_ap(std::string_view text);

}  // namespace tessera::isa
