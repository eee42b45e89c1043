#include "program.hpp"

#include <fmt/format.h>

#include <cstring>
#include <set>
#include <sstream>

#include "common/errors.hpp"
#include "common/parse.hpp"

namespace tessera::isa {
namespace {

constexpr char kMagic[8] = {'T', 'E', 'S', 'S', 'P', 'R', 'G', '1'};
constexpr std::string_view kIoNames[] = {"in", "out", "inout", "scratch"};

std::string io_name(TensorIo io) { return std::string(kIoNames[static_cast<size_t>(io)]); }

// An instruction may sit on a queue of its engine class; nop on any queue.
void check_placement(const std::string& engine, const Instruction& inst) {
  if (inst.op->engine != "any" && inst.op->engine != engine_class(engine))
    throw InputError(fmt::format("{} is a {} instruction, not for engine {}", inst.op->name, inst.op->engine, engine));
}

TensorDecl parse_tensor(const std::vector<std::string_view>& tok) {
  // .tensor NAME dram@ADDR:DTYPE[D0,D1,...] in|out|inout|scratch
  if (tok.size() != 4) throw InputError(".tensor is '.tensor NAME dram@ADDR:DTYPE[D0,D1,..] in|out|inout|scratch'");
  TensorDecl t;
  t.name = std::string(tok[1]);
  const std::string_view spec = tok[2];
  if (spec.rfind("dram@", 0) != 0) throw InputError(fmt::format("tensor '{}' must live in dram (dram@ADDR:DTYPE[shape])", t.name));
  const size_t colon = spec.find(':'), open = spec.find('[');
  if (colon == std::string_view::npos || open == std::string_view::npos || open < colon || spec.back() != ']')
    throw InputError(fmt::format("tensor '{}': '{}' is not dram@ADDR:DTYPE[D0,D1,..]", t.name, spec));
  t.addr = parse_uint(spec.substr(5, colon - 5), "tensor address");
  const auto dtype = fp::parse_format(spec.substr(colon + 1, open - colon - 1));
  if (!dtype) throw InputError(fmt::format("tensor '{}': unknown dtype '{}'", t.name, spec.substr(colon + 1, open - colon - 1)));
  t.dtype = *dtype;
  std::string_view dims = spec.substr(open + 1, spec.size() - open - 2);
  while (!dims.empty()) {
    const size_t comma = dims.find(',');
    const uint64_t d = parse_uint(dims.substr(0, comma), "tensor dimension");
    if (d == 0) throw InputError(fmt::format("tensor '{}' has a zero dimension", t.name));
    t.shape.push_back(d);
    if (comma == std::string_view::npos) break;
    dims.remove_prefix(comma + 1);
  }
  if (t.shape.empty()) throw InputError(fmt::format("tensor '{}' has no shape", t.name));
  bool known = false;
  for (size_t i = 0; i < std::size(kIoNames); ++i)
    if (tok[3] == kIoNames[i]) t.io = static_cast<TensorIo>(i), known = true;
  if (!known) throw InputError(fmt::format("tensor '{}': '{}' is not in, out, inout or scratch", t.name, tok[3]));
  return t;
}

// Little-endian writers and a bounds-checked reader for the binary form.
void put_u(std::vector<uint8_t>& b, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_s(std::vector<uint8_t>& b, const std::string& s) {
  put_u(b, s.size(), 2);
  b.insert(b.end(), s.begin(), s.end());
}

class Reader {
 public:
  Reader(const std::vector<uint8_t>& b, const std::string& origin) : b_(b), origin_(origin) {}
  const uint8_t* take(size_t n) {
    if (b_.size() - pos_ < n) throw InputError(fmt::format("{}: truncated program binary", origin_));
    const uint8_t* p = b_.data() + pos_;
    pos_ += n;
    return p;
  }
  uint64_t u(int bytes) {
    const uint8_t* p = take(static_cast<size_t>(bytes));
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint64_t{p[i]} << (8 * i);
    return v;
  }
  std::string s() {
    const size_t n = u(2);
    const uint8_t* p = take(n);
    return std::string(reinterpret_cast<const char*>(p), n);
  }
  bool done() const { return pos_ == b_.size(); }

 private:
  const std::vector<uint8_t>& b_;
  const std::string& origin_;
  size_t pos_ = 0;
};

void check_unique_tensor(const Program& p, const std::string& name) {
  if (p.tensor(name)) throw InputError(fmt::format("tensor '{}' declared twice", name));
}

}  // namespace

uint64_t TensorDecl::elements() const {
  uint64_t n = 1;
  for (uint64_t d : shape) n *= d;
  return n;
}

namespace {
// Tensors larger than any DRAM are malformed; this also keeps elements() and bytes() exact.
void check_tensor_size(const TensorDecl& t) {
  constexpr uint64_t kMaxBytes = uint64_t{1} << 48;
  uint64_t bytes = fp::info(t.dtype).bits / 8;
  for (uint64_t d : t.shape) {
    if (d == 0 || bytes > kMaxBytes / d) throw InputError(fmt::format("tensor '{}' is larger than 2^48 bytes", t.name));
    bytes *= d;
  }
}
}  // namespace

Queue& Program::queue(const std::string& engine) {
  for (Queue& q : queues)
    if (q.engine == engine) return q;
  queues.push_back(Queue{engine, {}});
  return queues.back();
}

const TensorDecl* Program::tensor(const std::string& name) const {
  for (const TensorDecl& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

size_t Program::instruction_count() const {
  size_t n = 0;
  for (const Queue& q : queues) n += q.insts.size();
  return n;
}

std::string engine_class(const std::string& engine) {
  if (engine == "pe" || engine == "act" || engine == "dve") return engine;
  if (engine.size() > 3 && engine.rfind("dma", 0) == 0 &&
      engine.find_first_not_of("0123456789", 3) == std::string::npos && (engine.size() == 4 || engine[3] != '0'))
    return "dma";
  return "";
}

Program parse_tasm(const std::string& text, const std::string& origin) {
  Program p;
  std::istringstream in(text);
  std::string line;
  Queue* current = nullptr;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const std::vector<std::string_view> tok = split_ws(line);
    if (tok.empty()) continue;
    try {
      if (tok[0] == ".engine") {
        if (tok.size() != 2 || engine_class(std::string(tok[1])).empty())
          throw InputError(".engine takes one engine name: pe, act, dve, dma0, dma1, ...");
        current = &p.queue(std::string(tok[1]));
      } else if (tok[0] == ".tensor") {
        TensorDecl t = parse_tensor(tok);
        check_tensor_size(t);
        check_unique_tensor(p, t.name);
        p.tensors.push_back(std::move(t));
      } else if (tok[0][0] == '.') {
        throw InputError(fmt::format("unknown directive '{}'", tok[0]));
      } else {
        if (!current) throw InputError("instruction before any .engine line");
        Instruction inst = parse_instruction(line);
        check_placement(current->engine, inst);
        current->insts.push_back(std::move(inst));
      }
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}:{}: {}", origin, n, e.what()));
    }
  }
  if (p.instruction_count() == 0) throw InputError(fmt::format("{}: holds no instructions", origin));
  return p;
}

std::string to_tasm(const Program& p) {
  std::string s;
  for (const TensorDecl& t : p.tensors) {
    std::string shape;
    for (uint64_t d : t.shape) shape += (shape.empty() ? "" : ",") + std::to_string(d);
    s += fmt::format(".tensor {} dram@0x{:x}:{}[{}] {}\n", t.name, t.addr, fp::info(t.dtype).name, shape, io_name(t.io));
  }
  for (const Queue& q : p.queues) {
    s += fmt::format(".engine {}\n", q.engine);
    for (const Instruction& i : q.insts) s += to_text(i) + "\n";
  }
  return s;
}

bool is_program_binary(const std::vector<uint8_t>& bytes) {
  return bytes.size() >= sizeof kMagic && std::memcmp(bytes.data(), kMagic, sizeof kMagic) == 0;
}

std::vector<uint8_t> to_binary(const Program& p) {
  const Isa& isa = Isa::get();
  std::vector<uint8_t> b(std::begin(kMagic), std::end(kMagic));
  put_u(b, p.tensors.size(), 4);
  for (const TensorDecl& t : p.tensors) {
    put_s(b, t.name);
    put_u(b, t.addr, 8);
    put_u(b, static_cast<uint64_t>(t.dtype), 1);
    put_u(b, static_cast<uint64_t>(t.io), 1);
    put_u(b, t.shape.size(), 1);
    for (uint64_t d : t.shape) put_u(b, d, 8);
  }
  put_u(b, p.queues.size(), 4);
  for (const Queue& q : p.queues) {
    put_s(b, q.engine);
    put_u(b, q.insts.size(), 4);
    for (const Instruction& i : q.insts) {
      const std::vector<uint8_t> w = isa.encode(i);
      b.insert(b.end(), w.begin(), w.end());
    }
  }
  return b;
}

Program from_binary(const std::vector<uint8_t>& bytes, const std::string& origin) {
  const Isa& isa = Isa::get();
  Reader r(bytes, origin);
  if (std::memcmp(r.take(sizeof kMagic), kMagic, sizeof kMagic) != 0)
    throw InputError(fmt::format("{}: not a Tessera program binary (bad magic)", origin));
  Program p;
  const uint64_t ntensors = r.u(4);
  for (uint64_t i = 0; i < ntensors; ++i) {
    TensorDecl t;
    t.name = r.s();
    t.addr = r.u(8);
    const uint64_t dtype = r.u(1), io = r.u(1), rank = r.u(1);
    if (dtype > static_cast<uint64_t>(fp::Format::kE5m2) || io >= std::size(kIoNames) || rank == 0)
      throw InputError(fmt::format("{}: corrupt tensor record '{}'", origin, t.name));
    t.dtype = static_cast<fp::Format>(dtype);
    t.io = static_cast<TensorIo>(io);
    for (uint64_t d = 0; d < rank; ++d) t.shape.push_back(r.u(8));
    try {
      check_tensor_size(t);
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: {}", origin, e.what()));
    }
    check_unique_tensor(p, t.name);
    p.tensors.push_back(std::move(t));
  }
  const uint64_t nqueues = r.u(4);
  for (uint64_t q = 0; q < nqueues; ++q) {
    const std::string engine = r.s();
    if (engine_class(engine).empty()) throw InputError(fmt::format("{}: unknown engine '{}'", origin, engine));
    Queue& queue = p.queue(engine);
    const uint64_t count = r.u(4);
    for (uint64_t i = 0; i < count; ++i) {
      const uint8_t* word = r.take(isa.word_bytes());
      try {
        Instruction inst = isa.decode(word);
        check_placement(engine, inst);
        queue.insts.push_back(std::move(inst));
      } catch (const InputError& e) {
        throw InputError(fmt::format("{}: {} instruction {}: {}", origin, engine, i, e.what()));
      }
    }
  }
  if (!r.done()) throw InputError(fmt::format("{}: trailing bytes after the program", origin));
  if (p.instruction_count() == 0) throw InputError(fmt::format("{}: holds no instructions", origin));
  return p;
}

}  // namespace tessera::isa
