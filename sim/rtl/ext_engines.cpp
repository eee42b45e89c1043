#include "ext_engines.hpp"

#include <fmt/format.h>

#include <map>
#include <set>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "common/errors.hpp"
#include "fp_unit.hpp"
#include "numerics/activation.hpp"
#include "ref/core_model.hpp"
#include "ref/vector_alu.hpp"

namespace tessera::rtl {

using isa::Ap;
using isa::Instruction;
using isa::Space;

namespace {

unsigned elem_bytes(fp::Format f) { return fp::info(f).bits / 8; }

std::string_view enum_name(const Instruction& inst, std::string_view field) {
  const auto& f = inst.op->fields[static_cast<size_t>(inst.op->field_index(field))];
  return (*f.enum_values)[inst.u(field)];
}

uint64_t word_key(Space space, uint32_t word) { return (uint64_t{static_cast<uint8_t>(space)} << 32) | word; }

// The words an instruction reads and writes. Every operand moves all its partitions together,
// so one (space, word) access covers a partition range; scalar and reduce columns sit in the
// destination's partitions. `be` is the union of the bytes the operand's elements cover.
struct WordUse {
  Space space;
  uint32_t word;
  uint8_t be;
  uint32_t part, parts;
};

template <typename Fn>
void for_each_ap_word(const Ap& ap, Fn&& fn) {
  const unsigned es = elem_bytes(ap.dtype);
  for (int64_t off : ref::free_offsets(ap)) {
    const uint64_t byte = ap.addr + static_cast<uint64_t>(off * es);
    const uint8_t be = static_cast<uint8_t>(((1u << es) - 1u) << (byte % 4));
    fn(WordUse{ap.space, static_cast<uint32_t>(byte / 4), be, ap.part, ap.parts});
  }
}

template <typename Fn>
void for_each_col_word(const isa::Col& col, const Ap& dst, Fn&& fn) {
  fn(WordUse{col.space, col.addr / 4, 0xF, dst.part, dst.parts});
}

template <typename Fn>
void for_each_read(const Instruction& inst, Fn&& fn) {
  const std::string& name = inst.op->name;
  if (name == "nop" || name == "memset") return;
  const Ap& dst = inst.ap("dst");
  if (name == "tensor_tensor") {
    for_each_ap_word(inst.ap("a"), fn);
    for_each_ap_word(inst.ap("b"), fn);
    return;
  }
  for_each_ap_word(inst.ap("src"), fn);
  const char* scalars[2] = {nullptr, nullptr};
  if (name == "activation") scalars[0] = "scale", scalars[1] = "bias";
  if (name == "tensor_scalar") scalars[0] = "s0", scalars[1] = "s1";
  for (const char* s : scalars)
    if (s && inst.scalar(s).is_col) for_each_col_word(inst.scalar(s).col, dst, fn);
}

template <typename Fn>
void for_each_write(const Instruction& inst, Fn&& fn) {
  const std::string& name = inst.op->name;
  if (name == "nop") return;
  const Ap& dst = inst.ap("dst");
  for_each_ap_word(dst, fn);
  if (name == "activation" && inst.u("reduce")) for_each_col_word(inst.col("reduce_dst"), dst, fn);
}

// One port access of a job: a word in every partition of `mask`.
struct Access {
  Space space;
  uint32_t word;
  uint8_t be = 0;
  std::vector<uint8_t> mask;
  std::vector<uint32_t> data;  // write data, filled when the job computes
};

// Accesses in (space, word) order, partition masks and byte enables merged.
std::vector<Access> plan(uint64_t rows, bool writes, const Instruction& inst) {
  std::map<uint64_t, Access> by_word;
  auto add = [&](const WordUse& u) {
    auto [it, fresh] = by_word.try_emplace(word_key(u.space, u.word));
    Access& a = it->second;
    if (fresh) {
      a.space = u.space;
      a.word = u.word;
      a.mask.assign(rows, 0);
    }
    if (writes) a.be |= u.be;
    for (uint32_t p = u.part; p < u.part + u.parts; ++p) a.mask[p] = 1;
  };
  if (writes) for_each_write(inst, add);
  else for_each_read(inst, add);
  std::vector<Access> out;
  out.reserve(by_word.size());
  for (auto& [key, a] : by_word) {
    if (writes) a.data.assign(rows, 0);
    out.push_back(std::move(a));
  }
  return out;
}

enum class Phase { kIdle, kRead, kCompute, kWrite };

}  // namespace

ExtAccessCount ext_access_count(const Instruction& inst) {
  std::set<uint64_t> reads, writes;
  for_each_read(inst, [&](const WordUse& u) { reads.insert(word_key(u.space, u.word)); });
  for_each_write(inst, [&](const WordUse& u) { writes.insert(word_key(u.space, u.word)); });
  return {reads.size(), writes.size()};
}

uint64_t ext_instruction_cycles(const Instruction& inst) {
  if (inst.op->name == "nop") return 1;
  const ExtAccessCount n = ext_access_count(inst);
  return n.reads + kExtComputeCycles + n.writes + 1;
}

// One engine: its instruction, the words it reads and writes, and a local image of every word
// it has read (per partition), on which it executes the instruction in the reference's element
// order. Stores update the image, so a later element that reads what an earlier one wrote
// (in-place patterns that overlap with a shift) sees the same value as in the reference.
struct ExtEngines::Job {
  Phase phase = Phase::kIdle;
  Instruction inst;
  std::vector<Access> reads, writes;
  size_t next = 0;         // next read or write to request
  unsigned countdown = 0;  // compute cycles left
  std::unordered_map<uint64_t, uint32_t> image;  // (space, partition, word) -> word
  FpUnit* units = nullptr;                        // the verilated units (execute())

  static uint64_t key(Space space, uint32_t partition, uint32_t word) {
    return (uint64_t{static_cast<uint8_t>(space)} << 40) | (uint64_t{partition} << 32) | word;
  }
  bool requesting() const { return phase == Phase::kRead || phase == Phase::kWrite; }

  uint32_t load_word(Space space, uint32_t partition, uint32_t word) const {
    const auto it = image.find(key(space, partition, word));
    if (it == image.end())
      throw std::logic_error(fmt::format("ext engine: word {} of partition {} was not read", word, partition));
    return it->second;
  }
  uint32_t load(const Ap& ap, uint32_t partition, int64_t element) const {
    const unsigned es = elem_bytes(ap.dtype);
    const uint64_t byte = ap.addr + static_cast<uint64_t>(element * es);
    const uint32_t w = load_word(ap.space, partition, static_cast<uint32_t>(byte / 4));
    const uint32_t code = es == 4 ? w : (w >> (8 * (byte % 4))) & ((1u << (8 * es)) - 1u);
    return ap.dtype == fp::Format::kFp32 ? code : units->widen(ap.dtype, code);
  }
  void store_code(Space space, uint32_t partition, uint64_t byte, unsigned es, uint32_t code) {
    uint32_t& w = image[key(space, partition, static_cast<uint32_t>(byte / 4))];
    const uint32_t field = es == 4 ? 0xFFFFFFFFu : ((1u << (8 * es)) - 1u) << (8 * (byte % 4));
    w = (w & ~field) | ((code << (8 * (byte % 4))) & field);
  }
  // As ref::CoreModel::store: the generator of the partition steps once per element under SR.
  void store(const Ap& ap, uint32_t partition, int64_t element, uint32_t f32, fp::Rounding rounding,
             std::vector<fp::Xorshift32>& lanes) {
    uint32_t code = f32;
    if (ap.dtype != fp::Format::kFp32) {
      const uint32_t random = rounding == fp::Rounding::kStochastic ? lanes[partition].next() : 0;
      code = units->narrow(ap.dtype, f32, rounding == fp::Rounding::kStochastic, random);
    } else if (rounding == fp::Rounding::kStochastic) {
      lanes[partition].next();
    }
    const unsigned es = elem_bytes(ap.dtype);
    store_code(ap.space, partition, ap.addr + static_cast<uint64_t>(element * es), es, code);
  }
  uint32_t scalar(const isa::Scalar& s, uint32_t partition) const {
    return s.is_col ? load_word(s.col.space, partition, s.col.addr / 4) : s.imm;
  }

  // ref::CoreModel::exec_activation / exec_dve over the image, element order unchanged. Every
  // arithmetic step is computed by a verilated unit: the activation functions by act_func, the
  // ALU operations by dve_alu, the activation's scale and bias, its sum and every format
  // conversion by fp_scalar_unit (rtl/act, rtl/dve, rtl/fpu); this code moves the bits.
  void execute(std::vector<fp::Xorshift32>& lanes, FpUnit& unit) {
    units = &unit;
    const std::string& name = inst.op->name;
    const Ap& dst = inst.ap("dst");
    const std::vector<int64_t> dof = ref::free_offsets(dst);
    const fp::Rounding rne = fp::Rounding::kRne;
    if (name == "activation") {
      const Ap& src = inst.ap("src");
      const auto func = fp::parse_act_func(enum_name(inst, "func"));
      if (!func) throw std::logic_error("isa.json act_func names and fp::ActFunc disagree");
      const std::vector<int64_t> so = ref::free_offsets(src);
      for (uint32_t p = 0; p < dst.parts; ++p) {
        const uint32_t scale = scalar(inst.scalar("scale"), dst.part + p);
        const uint32_t bias = scalar(inst.scalar("bias"), dst.part + p);
        uint32_t sum = 0;
        for (size_t i = 0; i < so.size(); ++i) {
          const uint32_t x = load(src, src.part + p, so[i]);
          const uint32_t y = unit.activate(*func, unit.add32(unit.mul32(x, scale), bias));
          store(dst, dst.part + p, dof[i], y, rne, lanes);
          sum = i == 0 ? y : unit.add32(sum, y);
        }
        if (inst.u("reduce")) store_code(inst.col("reduce_dst").space, dst.part + p, inst.col("reduce_dst").addr, 4, sum);
      }
    } else if (name == "memset") {
      const uint32_t v = static_cast<uint32_t>(inst.u("value"));
      for (uint32_t p = 0; p < dst.parts; ++p)
        for (int64_t o : dof) store(dst, dst.part + p, o, v, rne, lanes);
    } else if (name == "transpose") {
      const Ap& src = inst.ap("src");
      const std::vector<int64_t> so = ref::free_offsets(src);
      std::vector<uint32_t> block(src.parts * so.size());
      for (uint32_t p = 0; p < src.parts; ++p)
        for (size_t f = 0; f < so.size(); ++f) block[p * so.size() + f] = load(src, src.part + p, so[f]);
      for (uint32_t p = 0; p < dst.parts; ++p)
        for (size_t f = 0; f < dof.size(); ++f) store(dst, dst.part + p, dof[f], block[f * so.size() + p], rne, lanes);
    } else if (name == "tensor_reduce") {
      const Ap& src = inst.ap("src");
      const std::vector<int64_t> so = ref::free_offsets(src);
      const ref::AluOp op = ref::parse_alu_op(enum_name(inst, "op"));
      for (uint32_t p = 0; p < src.parts; ++p) {
        uint32_t acc = load(src, src.part + p, so[0]);
        // reduce_step(op, acc, x) is alu(op, acc, x) (vector_alu.hpp)
        for (size_t i = 1; i < so.size(); ++i) acc = unit.alu(op, acc, load(src, src.part + p, so[i]));
        store(dst, dst.part + p, dof[0], acc, rne, lanes);
      }
    } else {  // tensor_tensor, tensor_scalar, tensor_copy
      const Ap& src = inst.ap(name == "tensor_tensor" ? "a" : "src");
      const std::vector<int64_t> so = ref::free_offsets(src);
      const bool tensor_tensor = name == "tensor_tensor", tensor_scalar = name == "tensor_scalar";
      const Ap* b = tensor_tensor ? &inst.ap("b") : nullptr;
      std::vector<int64_t> bo;
      if (b) bo = ref::free_offsets(*b);
      // decoded once, not per element
      const ref::AluOp op = tensor_tensor ? ref::parse_alu_op(enum_name(inst, "op")) : ref::AluOp::kBypass;
      const ref::AluOp op0 = tensor_scalar ? ref::parse_alu_op(enum_name(inst, "op0")) : ref::AluOp::kBypass;
      const ref::AluOp op1 = tensor_scalar ? ref::parse_alu_op(enum_name(inst, "op1")) : ref::AluOp::kBypass;
      const fp::Rounding rounding =
          name == "tensor_copy" && enum_name(inst, "rounding") == "sr" ? fp::Rounding::kStochastic : rne;
      for (uint32_t p = 0; p < dst.parts; ++p) {
        uint32_t s0 = 0, s1 = 0;
        if (tensor_scalar) {
          s0 = scalar(inst.scalar("s0"), dst.part + p);
          s1 = scalar(inst.scalar("s1"), dst.part + p);
        }
        for (size_t i = 0; i < dof.size(); ++i) {
          const uint32_t x = load(src, src.part + p, so[i]);
          uint32_t y = x;
          if (tensor_tensor) y = unit.alu(op, x, load(*b, b->part + p, bo[i]));
          else if (tensor_scalar) y = unit.alu(op1, unit.alu(op0, x, s0), s1);
          store(dst, dst.part + p, dof[i], y, rounding, lanes);
        }
      }
    }
    // Every partition of a write's mask stored the same bytes of the word (same free pattern),
    // so the image holds all bytes that `be` enables.
    for (Access& a : writes)
      for (uint32_t p = 0; p < a.mask.size(); ++p)
        if (a.mask[p]) a.data[p] = image.at(key(a.space, p, a.word));
  }
};

ExtEngines::ExtEngines(const CoreConfig& config, uint64_t seed)
    : config_(config), seed_(seed), units_(std::make_unique<FpUnit>()) {
  if (isa::Isa::get().word_bytes() != kExtInstBytes)
    throw std::logic_error("isa.json word_bytes differs from kExtInstBytes");
  for (auto& j : jobs_) j = std::make_unique<Job>();
  reset();
}

ExtEngines::~ExtEngines() = default;

void ExtEngines::reset() {
  lanes_.clear();
  for (uint32_t lane = 0; lane < config_.rows; ++lane) lanes_.push_back(fp::Xorshift32::for_lane(seed_, lane));
  for (auto& j : jobs_) *j = Job{};
  done_ = {};
  stall_ = {};
  priority_ = kExtAct;
  held_ = -1;
  read_owner_ = -1;
  read_index_ = 0;
}

int ExtEngines::selected() const {
  if (held_ >= 0) return held_;  // the port's request holds until granted
  const bool act = jobs_[kExtAct]->requesting(), dve = jobs_[kExtDve]->requesting();
  if (act && dve) return static_cast<int>(priority_);
  if (act) return kExtAct;
  if (dve) return kExtDve;
  return -1;
}

void ExtEngines::drive(ExtOutputs& out) const {
  for (unsigned e = 0; e < kExtEngines; ++e) {
    out.inst_ready[e] = jobs_[e]->phase == Phase::kIdle;
    out.done[e] = done_[e];
    out.busy[e] = jobs_[e]->phase != Phase::kIdle;
    out.stall[e] = stall_[e];
  }
  out.mask.assign(config_.rows, 0);
  out.wdata.assign(config_.rows, 0);
  const int sel = selected();
  out.req = sel >= 0;
  out.we = false;
  out.psum = false;
  out.addr = 0;
  out.be = 0;
  if (sel < 0) return;
  const Job& j = *jobs_[static_cast<unsigned>(sel)];
  const bool write = j.phase == Phase::kWrite;
  const Access& a = write ? j.writes[j.next] : j.reads[j.next];
  out.we = write;
  out.psum = a.space == Space::kPsum;
  out.addr = a.word;
  out.mask = a.mask;
  if (write) {
    out.be = a.be;
    out.wdata = a.data;
  }
}

void ExtEngines::accept(unsigned engine, const uint8_t* word) {
  Job& j = *jobs_[engine];
  j.inst = isa::Isa::get().decode(word);
  const std::string& cls = j.inst.op->engine;
  if (cls != "any" && cls != (engine == kExtAct ? "act" : "dve"))
    throw SimError(fmt::format("{} engine model received {}", engine == kExtAct ? "act" : "dve", isa::to_text(j.inst)));
  if (cls == "any") {  // nop: nothing to move, done in the next cycle
    done_[engine] = true;
    return;
  }
  j.reads = plan(config_.rows, false, j.inst);
  j.writes = plan(config_.rows, true, j.inst);
  j.image.clear();
  j.next = 0;
  j.countdown = kExtComputeCycles;
  j.phase = j.reads.empty() ? Phase::kCompute : Phase::kRead;
}

void ExtEngines::commit(const ExtInputs& in) {
  const int sel = selected();
  if (in.rvalid) {
    if (read_owner_ < 0) throw SimError("ext engines: rvalid without a read granted in the previous cycle");
    if (in.rdata.size() < config_.rows) throw std::logic_error("ext engines: rdata narrower than rows");
    Job& j = *jobs_[static_cast<unsigned>(read_owner_)];
    const Access& a = j.reads[read_index_];
    for (uint32_t p = 0; p < config_.rows; ++p)
      if (a.mask[p]) j.image[Job::key(a.space, p, a.word)] = in.rdata[p];
  } else if (read_owner_ >= 0) {
    throw SimError("ext engines: no rvalid one cycle after a read's grant");
  }
  read_owner_ = -1;
  if (in.gnt && sel < 0) throw SimError("ext engines: gnt without a request");
  for (unsigned e = 0; e < kExtEngines; ++e) {
    Job& j = *jobs_[e];
    const bool granted = in.gnt && sel == static_cast<int>(e);
    done_[e] = false;
    stall_[e] = j.requesting() && !granted;
    switch (j.phase) {
      case Phase::kIdle:
        if (in.inst_valid[e]) accept(e, in.inst[e].data());
        break;
      case Phase::kRead:
        if (granted) {
          read_owner_ = static_cast<int>(e);
          read_index_ = j.next;
          if (++j.next == j.reads.size()) j.phase = Phase::kCompute;
        }
        break;
      case Phase::kCompute:
        if (--j.countdown == 0) {
          j.execute(lanes_, *units_);
          j.next = 0;
          j.phase = Phase::kWrite;
        }
        break;
      case Phase::kWrite:
        if (granted && ++j.next == j.writes.size()) {
          j.phase = Phase::kIdle;
          done_[e] = true;
        }
        break;
    }
  }
  if (in.gnt) priority_ = sel == kExtAct ? kExtDve : kExtAct;
  held_ = in.gnt ? -1 : sel;
}

}  // namespace tessera::rtl
