// The .tasm text form of instructions (grammar in docs/isa.md).
#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <map>

#include "common/errors.hpp"
#include "isa.hpp"
#include "common/parse.hpp"

namespace tessera::isa {
namespace {

std::string f32_text(uint32_t bits) {
  const float f = fp::float_of(bits);
  if (f != f || f - f != 0.0f) return fmt::format("0x{:08x}", bits);  // NaN and infinities as bits
  return fmt::format("{}", f);                                         // shortest round-trip form
}

uint32_t parse_f32(std::string_view t) {
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    const uint64_t v = parse_uint(t, "fp32 bits");
    if (v >> 32) throw InputError(fmt::format("'{}' is more than 32 bits", t));
    return static_cast<uint32_t>(v);
  }
  const std::string s(t);
  char* end = nullptr;
  errno = 0;
  const float f = std::strtof(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) throw InputError(fmt::format("'{}' is not a number", t));
  return fp::bits_of(f);
}

Space parse_space(std::string_view t) {
  const auto& names = Isa::get().enum_values("space");
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == t) return static_cast<Space>(i);
  throw InputError(fmt::format("'{}' is not a memory (dram, sbuf or psum)", t));
}

fp::Format parse_dtype(std::string_view t) {
  if (auto f = fp::parse_format(t)) return *f;
  throw InputError(fmt::format("'{}' is not a dtype (fp32, bf16, fp16, e4m3, e5m2)", t));
}

Col parse_col(std::string_view t) {
  const size_t at = t.find('@');
  if (at == std::string_view::npos) throw InputError(fmt::format("'{}' is not a column (like sbuf@0x40)", t));
  Col c;
  c.space = parse_space(t.substr(0, at));
  const uint64_t addr = parse_uint(t.substr(at + 1), "column address");
  if (addr >> 32) throw InputError(fmt::format("column address '{}' is too large", t.substr(at + 1)));
  c.addr = static_cast<uint32_t>(addr);
  return c;
}

std::string col_text(const Col& c) { return fmt::format("{}@0x{:x}", space_name(c.space), c.addr); }

std::string value_text(const FieldDef& f, const Value& v) {
  if (f.type == "ap") return ap_to_text(std::get<Ap>(v));
  if (f.type == "col") return col_text(std::get<Col>(v));
  if (f.type == "scalar") {
    const Scalar& s = std::get<Scalar>(v);
    return s.is_col ? col_text(s.col) : f32_text(s.imm);
  }
  const uint64_t u = std::get<uint64_t>(v);
  if (f.enum_values) return f.enum_values->at(u);
  if (f.type == "f32") return f32_text(static_cast<uint32_t>(u));
  if (f.type == "s") return fmt::format("{}", static_cast<int64_t>(u));
  return fmt::format("{}", u);
}

Value parse_value(const FieldDef& f, std::string_view t) {
  if (f.type == "ap") return parse_ap(t);
  if (f.type == "col") return parse_col(t);
  if (f.type == "scalar") {
    Scalar s;
    if (t.find('@') != std::string_view::npos) {
      s.is_col = true;
      s.col = parse_col(t);
    } else {
      s.imm = parse_f32(t);
    }
    return s;
  }
  if (f.enum_values) {
    for (size_t i = 0; i < f.enum_values->size(); ++i)
      if ((*f.enum_values)[i] == t) return uint64_t{i};
    std::string known;
    for (const auto& n : *f.enum_values) known += (known.empty() ? "" : ", ") + n;
    throw InputError(fmt::format("'{}' is not a valid {} (one of {})", t, f.name, known));
  }
  if (f.type == "f32") return uint64_t{parse_f32(t)};
  if (f.type == "s") return static_cast<uint64_t>(parse_int(t, f.name));
  return parse_uint(t, f.name);
}

// Fields a program may leave out: they default to zero (acc=0, rounding=rne, op1=bypass...).
bool optional_field(const FieldDef& f) { return f.type != "ap" && f.type != "scalar"; }

}  // namespace

std::string ap_to_text(const Ap& ap) {
  std::string s(space_name(ap.space));
  if (ap.space != Space::kDram) s += fmt::format("[{}:{}]", ap.part, ap.part + ap.parts);
  s += fmt::format("@0x{:x}:{}[", ap.addr, fp::info(ap.dtype).name);
  size_t used = ap.dims.size();
  while (used > 0 && ap.dims[used - 1].count == 1 && ap.dims[used - 1].stride == 0) --used;
  for (size_t i = 0; i < used; ++i) s += fmt::format("{}{}x{}", i ? "," : "", ap.dims[i].count, ap.dims[i].stride);
  return s + "]";
}

Ap parse_ap(std::string_view t) {
  const std::string_view orig = t;
  auto bad = [&](const char* why) {
    return InputError(fmt::format("bad access pattern '{}': {} (like sbuf[0:16]@0x0:bf16[4x32,32x1])", orig, why));
  };
  Ap ap;
  const size_t name_end = t.find_first_of("[@");
  if (name_end == std::string_view::npos) throw bad("no '@address'");
  ap.space = parse_space(t.substr(0, name_end));
  t.remove_prefix(name_end);
  if (ap.space != Space::kDram) {
    if (t.empty() || t[0] != '[') throw bad("on-chip patterns name their partitions [first:end]");
    const size_t colon = t.find(':'), close = t.find(']');
    if (colon == std::string_view::npos || close == std::string_view::npos || colon > close) throw bad("partitions are [first:end]");
    const uint64_t first = parse_uint(t.substr(1, colon - 1), "first partition");
    const uint64_t end = parse_uint(t.substr(colon + 1, close - colon - 1), "end partition");
    if (end <= first) throw bad("partition range is empty");
    if (end > 256) throw bad("partition range beyond 256");
    ap.part = static_cast<uint32_t>(first);
    ap.parts = static_cast<uint32_t>(end - first);
    t.remove_prefix(close + 1);
  } else {
    ap.parts = 0;
    if (!t.empty() && t[0] == '[') throw bad("DRAM patterns have no partitions");
  }
  if (t.empty() || t[0] != '@') throw bad("no '@address'");
  const size_t colon = t.find(':');
  if (colon == std::string_view::npos) throw bad("no ':dtype'");
  ap.addr = parse_uint(t.substr(1, colon - 1), "address");
  t.remove_prefix(colon + 1);
  const size_t open = t.find('[');
  if (open == std::string_view::npos || t.back() != ']') throw bad("no [dims]");
  ap.dtype = parse_dtype(t.substr(0, open));
  std::string_view dims = t.substr(open + 1, t.size() - open - 2);
  size_t n = 0;
  while (!dims.empty()) {
    if (n == ap.dims.size()) throw bad("more than 3 dimensions");
    const size_t comma = dims.find(',');
    const std::string_view d = dims.substr(0, comma);
    const size_t x = d.find('x');
    if (x == std::string_view::npos) throw bad("a dimension is COUNTxSTRIDE");
    const uint64_t count = parse_uint(d.substr(0, x), "dimension count");
    if (count == 0) throw bad("a dimension count is 0");
    if (count > 0xFFFFFFFFu) throw bad("a dimension count is too large");
    const int64_t stride = parse_int(d.substr(x + 1), "dimension stride");
    if (stride < INT32_MIN || stride > INT32_MAX) throw bad("a stride is too large");
    ap.dims[n++] = Dim{static_cast<uint32_t>(count), static_cast<int32_t>(stride)};
    if (comma == std::string_view::npos) break;
    dims.remove_prefix(comma + 1);
    if (dims.empty()) throw bad("empty dimension");
  }
  return ap;
}

std::string to_text(const Instruction& inst) {
  std::string s(inst.op->name);
  for (size_t i = 0; i < inst.op->fields.size(); ++i)
    s += fmt::format(" {}={}", inst.op->fields[i].name, value_text(inst.op->fields[i], inst.args[i]));
  if (inst.wait_en) s += fmt::format(" wait=s{}>={}", inst.wait_sem, inst.wait_value);
  if (inst.signal_en) s += fmt::format(" signal=s{}", inst.signal_sem);
  return s;
}

Instruction parse_instruction(std::string_view line) {
  const std::vector<std::string_view> tokens = split_ws(line);
  if (tokens.empty()) throw InputError("empty instruction");
  const Isa& isa = Isa::get();
  if (!isa.find(tokens[0])) throw InputError(fmt::format("unknown instruction '{}'", tokens[0]));
  Instruction inst = isa.make(tokens[0]);
  std::vector<bool> given(inst.op->fields.size(), false);
  auto sem_index = [&](std::string_view t) {
    if (t.size() < 2 || t[0] != 's') throw InputError(fmt::format("'{}' is not a semaphore (s0..s{})", t, isa.semaphores() - 1));
    const uint64_t v = parse_uint(t.substr(1), "semaphore");
    if (v >= isa.semaphores()) throw InputError(fmt::format("semaphore '{}' beyond s{}", t, isa.semaphores() - 1));
    return static_cast<unsigned>(v);
  };
  for (size_t i = 1; i < tokens.size(); ++i) {
    const std::string_view tok = tokens[i];
    const size_t eq = tok.find('=');
    if (eq == std::string_view::npos) throw InputError(fmt::format("'{}' is not name=value", tok));
    const std::string_view key = tok.substr(0, eq), value = tok.substr(eq + 1);
    if ((key == "wait" && inst.wait_en) || (key == "signal" && inst.signal_en))
      throw InputError(fmt::format("'{}' given twice (one wait and one signal per instruction)", key));
    if (key == "wait") {
      const size_t ge = value.find(">=");
      if (ge == std::string_view::npos) throw InputError(fmt::format("wait is wait=sN>=VALUE, not '{}'", value));
      inst.wait_en = true;
      inst.wait_sem = sem_index(value.substr(0, ge));
      const uint64_t v = parse_uint(value.substr(ge + 2), "wait value");
      if (v >> 32) throw InputError("wait value beyond 32 bits");
      inst.wait_value = static_cast<uint32_t>(v);
      continue;
    }
    if (key == "signal") {
      inst.signal_en = true;
      inst.signal_sem = sem_index(value);
      continue;
    }
    const int fi = inst.op->field_index(key);
    if (fi < 0) throw InputError(fmt::format("{} has no operand '{}'", inst.op->name, key));
    if (given[static_cast<size_t>(fi)]) throw InputError(fmt::format("operand '{}' given twice", key));
    given[static_cast<size_t>(fi)] = true;
    inst.args[static_cast<size_t>(fi)] = parse_value(inst.op->fields[static_cast<size_t>(fi)], value);
  }
  for (size_t i = 0; i < given.size(); ++i)
    if (!given[i] && !optional_field(inst.op->fields[i]))
      throw InputError(fmt::format("{} needs operand '{}'", inst.op->name, inst.op->fields[i].name));
  isa.encode(inst);  // every value must fit its field
  return inst;
}

}  // namespace tessera::isa
