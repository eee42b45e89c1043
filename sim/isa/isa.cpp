#include "isa.hpp"

#include <fmt/format.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/errors.hpp"

namespace tessera::isa {
namespace {

const char kIsaJson[] =
#include "isa_json.inc"
    ;

// Little-endian bit packing into one instruction word.
class BitWriter {
 public:
  explicit BitWriter(unsigned bytes) : word_(bytes, 0) {}
  void put(unsigned bits, uint64_t value) {
    const uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    if (pos_ + bits > word_.size() * 8) throw InputError("instruction does not fit its word");
    for (unsigned i = 0; i < bits; ++i, ++pos_)
      if ((value & mask) >> i & 1) word_[pos_ / 8] |= static_cast<uint8_t>(1u << (pos_ % 8));
  }
  std::vector<uint8_t> take() { return std::move(word_); }

 private:
  std::vector<uint8_t> word_;
  unsigned pos_ = 0;
};

class BitReader {
 public:
  explicit BitReader(const uint8_t* word) : word_(word) {}
  uint64_t get(unsigned bits, bool is_signed) {
    uint64_t v = 0;
    for (unsigned i = 0; i < bits; ++i, ++pos_) v |= uint64_t{(word_[pos_ / 8] >> (pos_ % 8)) & 1u} << i;
    if (is_signed && bits < 64 && (v >> (bits - 1) & 1)) v |= ~uint64_t{0} << bits;
    return v;
  }

 private:
  const uint8_t* word_;
  unsigned pos_ = 0;
};

// Checks that `v` fits a field of `bits` (two's complement when signed).
void check_fits(const std::string& name, unsigned bits, bool is_signed, uint64_t v) {
  if (bits >= 64) return;
  const bool ok = is_signed ? (static_cast<int64_t>(v) >= -(int64_t{1} << (bits - 1)) &&
                               static_cast<int64_t>(v) < (int64_t{1} << (bits - 1)))
                            : v >> bits == 0;
  if (!ok)
    throw InputError(fmt::format("field '{}' = {} does not fit its {} bits", name,
                                 is_signed ? fmt::format("{}", static_cast<int64_t>(v)) : fmt::format("{}", v),
                                 bits));
}

uint64_t ap_get(const Ap& ap, const std::string& leaf) {
  if (leaf == "space") return static_cast<uint64_t>(ap.space);
  if (leaf == "dtype") return static_cast<uint64_t>(ap.dtype);
  if (leaf == "part") return ap.part;
  if (leaf == "parts") return ap.parts;
  if (leaf == "addr") return ap.addr;
  if (leaf.size() == 2 && (leaf[0] == 'n' || leaf[0] == 's') && leaf[1] >= '0' && leaf[1] <= '2') {
    const Dim& d = ap.dims[static_cast<size_t>(leaf[1] - '0')];
    return leaf[0] == 'n' ? d.count : static_cast<uint64_t>(static_cast<int64_t>(d.stride));
  }
  throw std::logic_error("isa.json: unknown ap field " + leaf);
}

void ap_set(Ap& ap, const std::string& leaf, uint64_t v) {
  if (leaf == "space") ap.space = static_cast<Space>(v);
  else if (leaf == "dtype") ap.dtype = static_cast<fp::Format>(v);
  else if (leaf == "part") ap.part = static_cast<uint32_t>(v);
  else if (leaf == "parts") ap.parts = static_cast<uint32_t>(v);
  else if (leaf == "addr") ap.addr = v;
  else if (leaf.size() == 2 && (leaf[0] == 'n' || leaf[0] == 's') && leaf[1] >= '0' && leaf[1] <= '2') {
    Dim& d = ap.dims[static_cast<size_t>(leaf[1] - '0')];
    if (leaf[0] == 'n') d.count = static_cast<uint32_t>(v);
    else d.stride = static_cast<int32_t>(static_cast<int64_t>(v));
  } else {
    throw std::logic_error("isa.json: unknown ap field " + leaf);
  }
}

uint64_t col_get(const Col& c, const std::string& leaf) {
  if (leaf == "space") return static_cast<uint64_t>(c.space);
  if (leaf == "addr") return c.addr;
  throw std::logic_error("isa.json: unknown col field " + leaf);
}

void col_set(Col& c, const std::string& leaf, uint64_t v) {
  if (leaf == "space") c.space = static_cast<Space>(v);
  else if (leaf == "addr") c.addr = static_cast<uint32_t>(v);
  else throw std::logic_error("isa.json: unknown col field " + leaf);
}

}  // namespace

std::string_view space_name(Space s) {
  return Isa::get().enum_values("space").at(static_cast<size_t>(s));
}

Extent byte_extent(const Ap& ap) {
  const int64_t es = fp::info(ap.dtype).bits / 8;
  const int64_t unit = ap.space == Space::kDram ? 1 : es;
  int64_t lo = 0, hi = 0;
  for (const Dim& d : ap.dims) {
    const int64_t span = (static_cast<int64_t>(d.count) - 1) * d.stride * unit;
    (span < 0 ? lo : hi) += span;
  }
  return {static_cast<int64_t>(ap.addr) + lo, static_cast<int64_t>(ap.addr) + hi + es};
}

bool Ap::operator==(const Ap& o) const {
  if (space != o.space || dtype != o.dtype || part != o.part || parts != o.parts || addr != o.addr) return false;
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i].count != o.dims[i].count || dims[i].stride != o.dims[i].stride) return false;
  return true;
}

int OpcodeDef::field_index(std::string_view n) const {
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == n) return static_cast<int>(i);
  return -1;
}

namespace {
template <typename T>
const T& arg_as(const Instruction& inst, std::string_view field) {
  const int i = inst.op->field_index(field);
  if (i < 0) throw std::logic_error(fmt::format("{} has no field '{}'", inst.op->name, field));
  return std::get<T>(inst.args[static_cast<size_t>(i)]);
}
}  // namespace

const Ap& Instruction::ap(std::string_view f) const { return arg_as<Ap>(*this, f); }
const Col& Instruction::col(std::string_view f) const { return arg_as<Col>(*this, f); }
const Scalar& Instruction::scalar(std::string_view f) const { return arg_as<Scalar>(*this, f); }
uint64_t Instruction::u(std::string_view f) const { return arg_as<uint64_t>(*this, f); }

void Instruction::set(std::string_view f, Value v) {
  const int i = op->field_index(f);
  if (i < 0) throw std::logic_error(fmt::format("{} has no field '{}'", op->name, f));
  if (v.index() != args[static_cast<size_t>(i)].index())
    throw std::logic_error(fmt::format("{}.{}: wrong value kind", op->name, f));
  args[static_cast<size_t>(i)] = std::move(v);
}

bool Instruction::operator==(const Instruction& o) const {
  return op == o.op && wait_en == o.wait_en && (!wait_en || (wait_sem == o.wait_sem && wait_value == o.wait_value)) &&
         signal_en == o.signal_en && (!signal_en || signal_sem == o.signal_sem) && args == o.args;
}

const Isa& Isa::get() {
  static const Isa isa;
  return isa;
}

Isa::Isa() {
  const nlohmann::json j = nlohmann::json::parse(kIsaJson);
  word_bytes_ = j.at("word_bytes").get<unsigned>();
  semaphores_ = j.at("semaphores").get<unsigned>();
  for (const auto& [name, values] : j.at("enums").items())
    enums_.emplace_back(name, values.get<std::vector<std::string>>());
  auto field_of = [this](const nlohmann::json& f) {
    FieldDef d;
    d.name = f.at("name").get<std::string>();
    d.type = f.at("type").get<std::string>();
    if (f.contains("bits")) d.bits = f.at("bits").get<unsigned>();
    if (d.type.rfind("enum:", 0) == 0) d.enum_values = &enum_values(d.type.substr(5));
    return d;
  };
  for (const auto& [name, fields] : j.at("types").items()) {
    std::vector<FieldDef> defs;
    for (const auto& f : fields) defs.push_back(field_of(f));
    types_.emplace_back(name, std::move(defs));
  }
  for (const auto& f : j.at("header")) header_.push_back(field_of(f));
  for (const auto& o : j.at("opcodes")) {
    OpcodeDef def;
    def.name = o.at("name").get<std::string>();
    def.code = o.at("code").get<unsigned>();
    def.engine = o.at("engine").get<std::string>();
    for (const auto& f : o.at("fields")) def.fields.push_back(field_of(f));
    opcodes_.push_back(std::move(def));
  }
}

const OpcodeDef* Isa::find(std::string_view name) const {
  for (const OpcodeDef& o : opcodes_)
    if (o.name == name) return &o;
  return nullptr;
}

const OpcodeDef* Isa::by_code(unsigned code) const {
  for (const OpcodeDef& o : opcodes_)
    if (o.code == code) return &o;
  return nullptr;
}

const std::vector<std::string>& Isa::enum_values(const std::string& name) const {
  for (const auto& [n, values] : enums_)
    if (n == name) return values;
  throw std::logic_error("isa.json: no enum " + name);
}

bool Isa::is_composite(const std::string& type) const {
  for (const auto& [n, fields] : types_)
    if (n == type) return true;
  return false;
}

const std::vector<FieldDef>& Isa::composite(const std::string& type) const {
  for (const auto& [n, fields] : types_)
    if (n == type) return fields;
  throw std::logic_error("isa.json: no type " + type);
}

Instruction Isa::make(std::string_view opcode) const {
  Instruction inst;
  inst.op = find(opcode);
  if (!inst.op) throw std::logic_error(fmt::format("no opcode {}", opcode));
  for (const FieldDef& f : inst.op->fields) {
    if (f.type == "ap") inst.args.emplace_back(Ap{});
    else if (f.type == "col") inst.args.emplace_back(Col{});
    else if (f.type == "scalar") inst.args.emplace_back(Scalar{});
    else inst.args.emplace_back(uint64_t{0});
  }
  return inst;
}

std::vector<uint8_t> Isa::encode(const Instruction& inst) const {
  BitWriter w(word_bytes_);
  auto leaf = [&](const FieldDef& f, uint64_t v, const std::string& path) {
    const bool is_signed = f.type == "s";
    check_fits(path, f.bits, is_signed, v);
    w.put(f.bits, v);
  };
  std::function<void(const FieldDef&, const Value&, const std::string&)> put =
      [&](const FieldDef& f, const Value& v, const std::string& path) {
        if (f.type == "ap") {
          for (const FieldDef& l : composite("ap")) leaf(l, ap_get(std::get<Ap>(v), l.name), path + "." + l.name);
        } else if (f.type == "col") {
          for (const FieldDef& l : composite("col")) leaf(l, col_get(std::get<Col>(v), l.name), path + "." + l.name);
        } else if (f.type == "scalar") {
          const Scalar& s = std::get<Scalar>(v);
          for (const FieldDef& l : composite("scalar")) {
            if (l.name == "is_col") leaf(l, s.is_col, path + ".is_col");
            else if (l.name == "imm") leaf(l, s.is_col ? 0 : s.imm, path + ".imm");
            else put(l, Value(s.is_col ? s.col : Col{Space::kDram, 0}), path + "." + l.name);
          }
        } else {
          leaf(f, std::get<uint64_t>(v), path);
        }
      };
  for (const FieldDef& h : header_) {
    uint64_t v = 0;
    if (h.name == "opcode") v = inst.op->code;
    else if (h.name == "wait_en") v = inst.wait_en;
    else if (h.name == "wait_sem") v = inst.wait_en ? inst.wait_sem : 0;
    else if (h.name == "wait_value") v = inst.wait_en ? inst.wait_value : 0;
    else if (h.name == "signal_en") v = inst.signal_en;
    else if (h.name == "signal_sem") v = inst.signal_en ? inst.signal_sem : 0;
    else throw std::logic_error("isa.json: unknown header field " + h.name);
    leaf(h, v, h.name);
  }
  for (size_t i = 0; i < inst.op->fields.size(); ++i) put(inst.op->fields[i], inst.args[i], inst.op->fields[i].name);
  return w.take();
}

Instruction Isa::decode(const uint8_t* word) const {
  BitReader r(word);
  Instruction inst;
  for (const FieldDef& h : header_) {
    const uint64_t v = r.get(h.bits, false);
    if (h.name == "opcode") {
      inst.op = by_code(static_cast<unsigned>(v));
      if (!inst.op) throw InputError(fmt::format("unknown opcode {}", v));
    } else if (h.name == "wait_en") inst.wait_en = v;
    else if (h.name == "wait_sem") inst.wait_sem = static_cast<unsigned>(v);
    else if (h.name == "wait_value") inst.wait_value = static_cast<uint32_t>(v);
    else if (h.name == "signal_en") inst.signal_en = v;
    else if (h.name == "signal_sem") inst.signal_sem = static_cast<unsigned>(v);
  }
  auto leaf = [&](const FieldDef& f) {
    const uint64_t v = r.get(f.bits, f.type == "s");
    if (f.enum_values && v >= f.enum_values->size())
      throw InputError(fmt::format("{}: field '{}' = {} is not a valid {}", inst.op->name, f.name, v, f.type.substr(5)));
    return v;
  };
  std::function<Value(const FieldDef&)> get = [&](const FieldDef& f) -> Value {
    if (f.type == "ap") {
      Ap ap;
      for (const FieldDef& l : composite("ap")) ap_set(ap, l.name, leaf(l));
      for (const Dim& d : ap.dims)
        if (d.count == 0) throw InputError(fmt::format("{}: field '{}' has a dimension count of 0", inst.op->name, f.name));
      return ap;
    }
    if (f.type == "col") {
      Col c;
      for (const FieldDef& l : composite("col")) col_set(c, l.name, leaf(l));
      return c;
    }
    if (f.type == "scalar") {
      Scalar s;
      for (const FieldDef& l : composite("scalar")) {
        if (l.name == "is_col") s.is_col = leaf(l);
        else if (l.name == "imm") s.imm = static_cast<uint32_t>(leaf(l));
        else s.col = std::get<Col>(get(l));
      }
      return s;
    }
    return leaf(f);
  };
  for (const FieldDef& f : inst.op->fields) inst.args.push_back(get(f));
  return inst;
}

}  // namespace tessera::isa
