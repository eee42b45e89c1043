#include "core_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "common/errors.hpp"
#include "numerics/activation.hpp"
#include "vector_alu.hpp"

namespace tessera::ref {

using isa::Ap;
using isa::Instruction;
using isa::Space;

namespace {

unsigned elem_bytes(fp::Format f) { return fp::info(f).bits / 8; }

std::string_view enum_name(const Instruction& inst, std::string_view field) {
  const auto& f = inst.op->fields[static_cast<size_t>(inst.op->field_index(field))];
  return (*f.enum_values)[inst.u(field)];
}

}  // namespace

uint32_t alu(std::string_view op, uint32_t x, uint32_t s) {
  if (op == "bypass") return x;
  if (op == "add") return fp::add32_bits(x, s);
  if (op == "sub") return fp::add32_bits(x, s ^ 0x80000000u);
  if (op == "rsub") return fp::add32_bits(s, x ^ 0x80000000u);
  if (op == "mul") return fp::mul32_bits(x, s);
  if (op == "max" || op == "min") {
    if (fp::is_nan32(x) || fp::is_nan32(s)) return fp::kF32CanonicalNan;
    const float a = fp::float_of(x), b = fp::float_of(s);
    if (a == b) return op == "max" ? (x & s) : (x | s);  // equal: only +-0 differ, by the sign bit
    return (a > b) == (op == "max") ? x : s;
  }
  throw std::logic_error(fmt::format("alu op {}", op));
}

uint32_t reduce_step(std::string_view op, uint32_t acc, uint32_t x) {
  if (op == "add") return fp::add32_bits(acc, x);
  if (op == "mul") return fp::mul32_bits(acc, x);
  return alu(op, acc, x);  // max, min
}

std::vector<int64_t> free_offsets(const Ap& ap) {
  std::vector<int64_t> out;
  out.reserve(ap.free_size());
  for (uint32_t i = 0; i < ap.dims[0].count; ++i)
    for (uint32_t j = 0; j < ap.dims[1].count; ++j)
      for (uint32_t k = 0; k < ap.dims[2].count; ++k)
        out.push_back(int64_t{i} * ap.dims[0].stride + int64_t{j} * ap.dims[1].stride + int64_t{k} * ap.dims[2].stride);
  return out;
}

// One instruction touches at most 2^22 elements per partition (its free pattern), so that
// instruction lengths stay in the range of real engines and operand lists fit in memory.
constexpr uint64_t kMaxFreeElements = uint64_t{1} << 22;

CoreModel::CoreModel(const CoreConfig& config, uint64_t seed)
    : config_(config),
      dram_(config.dram_bytes),
      sbuf_(config.rows * config.sbuf_bytes_per_partition, 0),
      psum_(config.rows * config.psum_banks * config.psum_bank_bytes_per_partition(), 0) {
  for (uint32_t lane = 0; lane < config.rows; ++lane) lanes_.push_back(fp::Xorshift32::for_lane(seed, lane));
}

uint64_t CoreModel::partition_bytes(Space space) const {
  return space == Space::kSbuf ? config_.sbuf_bytes_per_partition : config_.psum_banks * config_.psum_bank_bytes_per_partition();
}

const uint8_t* CoreModel::onchip(Space space, uint32_t partition, uint64_t offset) const {
  return (space == Space::kSbuf ? sbuf_.data() : psum_.data()) + partition * partition_bytes(space) + offset;
}

uint8_t* CoreModel::onchip(Space space, uint32_t partition, uint64_t offset) {
  return const_cast<uint8_t*>(std::as_const(*this).onchip(space, partition, offset));
}

void CoreModel::validate(const isa::Program& program) const {
  for (const isa::Queue& q : program.queues) {
    const std::string cls = isa::engine_class(q.engine);
    if (cls == "dma" && std::stoull(q.engine.substr(3)) >= config_.dma_queues)
      throw InputError(fmt::format("engine {} does not exist: config {} has {} DMA queues", q.engine, config_.name,
                                   config_.dma_queues));
    uint32_t stat_k = 0, stat_m = 0;  // the stationary operand the pe queue has loaded so far
    for (size_t idx = 0; idx < q.insts.size(); ++idx) {
      const Instruction& inst = q.insts[idx];
      auto fail = [&](const std::string& why) {
        return InputError(fmt::format("{} instruction {} ({}): {}", q.engine, idx, inst.op->name, why));
      };
      auto check_ap = [&](const char* field, bool dram_ok, bool onchip_ok) -> const Ap& {
        const Ap& ap = inst.ap(field);
        for (const isa::Dim& d : ap.dims)
          if (d.count == 0) throw fail(fmt::format("{} has a dimension count of 0", field));
        if (ap.free_size() > kMaxFreeElements)
          throw fail(fmt::format("{} has {} elements per partition, more than the {} an instruction may move", field,
                                 ap.free_size(), kMaxFreeElements));
        if (ap.space == Space::kDram ? !dram_ok : !onchip_ok)
          throw fail(fmt::format("{} may not be in {}", field, isa::space_name(ap.space)));
        if (ap.addr % elem_bytes(ap.dtype))
          throw fail(fmt::format("{} address 0x{:x} is not aligned to its {}-byte elements", field, ap.addr,
                                 elem_bytes(ap.dtype)));
        const isa::Extent e = isa::byte_extent(ap);
        if (ap.space == Space::kDram) {
          if (ap.parts != 0 || ap.part != 0) throw fail(fmt::format("{}: DRAM patterns have no partitions", field));
          for (const isa::Dim& d : ap.dims)
            if (d.count > 1 && d.stride % static_cast<int32_t>(elem_bytes(ap.dtype)))
              throw fail(fmt::format("{} stride {} bytes is not a multiple of its {}-byte elements", field, d.stride,
                                     elem_bytes(ap.dtype)));
          if (e.lo < 0 || static_cast<uint64_t>(e.hi) > config_.dram_bytes)
            throw fail(fmt::format("{} touches DRAM bytes [{}, {}) outside the {}-byte DRAM", field, e.lo, e.hi,
                                   config_.dram_bytes));
        } else {
          if (ap.parts == 0 || ap.part + ap.parts > config_.rows)
            throw fail(fmt::format("{} partitions [{}, {}) outside the {} of config {}", field, ap.part,
                                   ap.part + ap.parts, config_.rows, config_.name));
          if (e.lo < 0 || static_cast<uint64_t>(e.hi) > partition_bytes(ap.space))
            throw fail(fmt::format("{} touches bytes [{}, {}) of each {} partition, which has {}", field, e.lo, e.hi,
                                   isa::space_name(ap.space), partition_bytes(ap.space)));
        }
        return ap;
      };
      auto check_col = [&](const isa::Col& c, const char* field) {
        if (c.space == Space::kDram) throw fail(fmt::format("{} column must be on chip", field));
        if (c.addr % 4 || c.addr + 4 > partition_bytes(c.space))
          throw fail(fmt::format("{} column 0x{:x} is not an aligned fp32 inside the partition", field, c.addr));
      };
      auto same_shape = [&](const Ap& a, const Ap& b, const char* an, const char* bn) {
        if (a.parts != b.parts || a.free_size() != b.free_size())
          throw fail(fmt::format("{} is [{}, {}] but {} is [{}, {}]", an, a.parts, a.free_size(), bn, b.parts,
                                 b.free_size()));
      };
      const std::string& name = inst.op->name;
      if (name == "nop") continue;
      if (name == "load_stationary") {
        const Ap& src = check_ap("src", false, true);
        if (src.free_size() > config_.cols)
          throw fail(fmt::format("stationary free size {} exceeds the array's {} columns", src.free_size(), config_.cols));
        stat_k = src.parts;
        stat_m = static_cast<uint32_t>(src.free_size());
      } else if (name == "multiply_moving") {
        const Ap& dst = check_ap("dst", false, true);
        const Ap& src = check_ap("src", false, true);
        if (stat_k == 0) throw fail("no load_stationary before it");
        if (src.space != Space::kSbuf) throw fail("moving data comes from sbuf");
        if (dst.space != Space::kPsum || dst.dtype != fp::Format::kFp32) throw fail("dst must be fp32 in psum");
        if (src.parts != stat_k)
          throw fail(fmt::format("moving has {} partitions but the stationary has K = {}", src.parts, stat_k));
        if (dst.parts != stat_m)
          throw fail(fmt::format("dst has {} partitions but the stationary has M = {}", dst.parts, stat_m));
        if (src.free_size() > config_.moving_max_n)
          throw fail(fmt::format("moving free size {} exceeds N max {}", src.free_size(), config_.moving_max_n));
        if (dst.free_size() != src.free_size())
          throw fail(fmt::format("dst free size {} differs from moving free size {}", dst.free_size(), src.free_size()));
        const isa::Extent e = isa::byte_extent(dst);
        const uint64_t bank = config_.psum_bank_bytes_per_partition();
        if (static_cast<uint64_t>(e.lo) / bank != static_cast<uint64_t>(e.hi - 1) / bank)
          throw fail(fmt::format("dst bytes [{}, {}) overflow PSUM bank {} ({} bytes per partition per bank)", e.lo,
                                 e.hi, static_cast<uint64_t>(e.lo) / bank, bank));
      } else if (name == "activation") {
        const Ap& dst = check_ap("dst", false, true);
        const Ap& src = check_ap("src", false, true);
        same_shape(dst, src, "dst", "src");
        for (const char* s : {"scale", "bias"})
          if (inst.scalar(s).is_col) check_col(inst.scalar(s).col, s);
        if (inst.u("reduce")) check_col(inst.col("reduce_dst"), "reduce_dst");
      } else if (name == "tensor_tensor") {
        const Ap& dst = check_ap("dst", false, true);
        same_shape(dst, check_ap("a", false, true), "dst", "a");
        same_shape(dst, check_ap("b", false, true), "dst", "b");
      } else if (name == "tensor_scalar") {
        same_shape(check_ap("dst", false, true), check_ap("src", false, true), "dst", "src");
        for (const char* s : {"s0", "s1"})
          if (inst.scalar(s).is_col) check_col(inst.scalar(s).col, s);
      } else if (name == "tensor_reduce") {
        const Ap& dst = check_ap("dst", false, true);
        const Ap& src = check_ap("src", false, true);
        if (dst.free_size() != 1 || dst.parts != src.parts)
          throw fail(fmt::format("dst must be [{}, 1], is [{}, {}]", src.parts, dst.parts, dst.free_size()));
      } else if (name == "tensor_copy") {
        same_shape(check_ap("dst", false, true), check_ap("src", false, true), "dst", "src");
      } else if (name == "memset") {
        check_ap("dst", false, true);
      } else if (name == "transpose") {
        const Ap& dst = check_ap("dst", false, true);
        const Ap& src = check_ap("src", false, true);
        if (src.parts > 32 || src.free_size() > 32) throw fail("transpose blocks are at most 32 x 32");
        if (dst.parts != src.free_size() || dst.free_size() != src.parts)
          throw fail(fmt::format("dst must be [{}, {}], is [{}, {}]", src.free_size(), src.parts, dst.parts,
                                 dst.free_size()));
      } else if (name == "dma_copy") {
        const Ap& dst = check_ap("dst", true, true);
        const Ap& src = check_ap("src", true, true);
        if (dst.space == Space::kDram && src.space == Space::kDram) throw fail("DRAM to DRAM copies are not supported");
        if (dst.elements() != src.elements())
          throw fail(fmt::format("dst has {} elements but src has {}", dst.elements(), src.elements()));
        // The DMA streams reads ahead of writes (docs/dma.md), so an on-chip copy onto its own
        // source would depend on that order: such copies are rejected rather than defined.
        if (dst.space == src.space && dst.part < src.part + src.parts && src.part < dst.part + dst.parts) {
          const isa::Extent de = isa::byte_extent(dst), se = isa::byte_extent(src);
          if (de.lo < se.hi && se.lo < de.hi) throw fail("dst overlaps src in the same memory");
        }
      } else {
        throw fail("not implemented by the reference model");
      }
    }
  }
}

uint32_t CoreModel::load(const Ap& ap, uint32_t partition, int64_t element) const {
  const unsigned es = elem_bytes(ap.dtype);
  uint32_t code = 0;
  if (ap.space == Space::kDram) {
    dram_.read(ap.addr + static_cast<uint64_t>(element), &code, es);
  } else {
    std::memcpy(&code, onchip(ap.space, partition, ap.addr + static_cast<uint64_t>(element * es)), es);
  }
  return ap.dtype == fp::Format::kFp32 ? code : fp::widen(ap.dtype, code);
}

void CoreModel::store(const Ap& ap, uint32_t partition, int64_t element, uint32_t f32, fp::Rounding rounding) {
  const unsigned es = elem_bytes(ap.dtype);
  uint32_t code = f32;
  if (ap.dtype != fp::Format::kFp32) {
    const uint32_t random = rounding == fp::Rounding::kStochastic ? lanes_[partition].next() : 0;
    code = fp::narrow(ap.dtype, f32, rounding, random);
  } else if (rounding == fp::Rounding::kStochastic) {
    lanes_[partition].next();  // the generator steps once per element whatever the format
  }
  if (ap.space == Space::kDram) {
    dram_.write(ap.addr + static_cast<uint64_t>(element), &code, es);
  } else {
    std::memcpy(onchip(ap.space, partition, ap.addr + static_cast<uint64_t>(element * es)), &code, es);
  }
}

uint32_t CoreModel::scalar_value(const isa::Scalar& s, uint32_t partition) const {
  if (!s.is_col) return s.imm;
  uint32_t v;
  std::memcpy(&v, onchip(s.col.space, partition, s.col.addr), 4);
  return v;
}

void CoreModel::exec_matmul(const Instruction& inst, RunStats& stats) {
  if (inst.op->name == "load_stationary") {
    const Ap& src = inst.ap("src");
    const std::vector<int64_t> off = free_offsets(src);
    stationary_k_ = src.parts;
    stationary_m_ = static_cast<uint32_t>(off.size());
    stationary_.assign(size_t{stationary_k_} * stationary_m_, 0.0f);
    for (uint32_t k = 0; k < stationary_k_; ++k)
      for (uint32_t m = 0; m < stationary_m_; ++m)
        stationary_[k * stationary_m_ + m] = fp::float_of(load(src, src.part + k, off[m]));
    return;
  }
  const Ap& dst = inst.ap("dst");
  const Ap& src = inst.ap("src");
  const std::vector<int64_t> src_off = free_offsets(src), dst_off = free_offsets(dst);
  const size_t n_size = src_off.size();
  std::vector<float> moving(size_t{stationary_k_} * n_size);
  for (uint32_t k = 0; k < stationary_k_; ++k)
    for (size_t n = 0; n < n_size; ++n) moving[k * n_size + n] = fp::float_of(load(src, src.part + k, src_off[n]));
  std::vector<float> acc(n_size);
  const bool accumulate = inst.u("acc");
  for (uint32_t m = 0; m < stationary_m_; ++m) {
    // acc_{k+1} = add32(acc_k, mul32(stationary[k][m], moving[k][n])), k increasing, from +0.
    std::fill(acc.begin(), acc.end(), 0.0f);
    for (uint32_t k = 0; k < stationary_k_; ++k) {
      const float s = stationary_[k * stationary_m_ + m];
      const float* mv = &moving[k * n_size];
      for (size_t n = 0; n < n_size; ++n) acc[n] = acc[n] + s * mv[n];  // two roundings: no FMA contraction
    }
    for (size_t n = 0; n < n_size; ++n) {
      uint32_t v = fp::add32_bits(fp::bits_of(acc[n]), 0x80000000u);  // + (-0): canonicalises NaN, keeps the value
      if (accumulate) v = fp::add32_bits(load(dst, dst.part + m, dst_off[n]), v);
      store(dst, dst.part + m, dst_off[n], v);
    }
  }
  stats.flops += 2ull * stationary_k_ * stationary_m_ * n_size;
}

void CoreModel::exec_activation(const Instruction& inst) {
  const Ap& dst = inst.ap("dst");
  const Ap& src = inst.ap("src");
  const auto func = fp::parse_act_func(enum_name(inst, "func"));
  if (!func) throw std::logic_error("isa.json act_func names and fp::ActFunc disagree");
  const std::vector<int64_t> so = free_offsets(src), dof = free_offsets(dst);
  const bool reduce = inst.u("reduce");
  for (uint32_t p = 0; p < dst.parts; ++p) {
    const uint32_t scale = scalar_value(inst.scalar("scale"), dst.part + p);
    const uint32_t bias = scalar_value(inst.scalar("bias"), dst.part + p);
    uint32_t sum = 0;
    for (size_t i = 0; i < so.size(); ++i) {
      const uint32_t x = load(src, src.part + p, so[i]);
      const uint32_t y = fp::activate(*func, fp::add32_bits(fp::mul32_bits(x, scale), bias));
      store(dst, dst.part + p, dof[i], y);
      sum = i == 0 ? y : fp::add32_bits(sum, y);  // left to right from the first element
    }
    if (reduce) std::memcpy(onchip(inst.col("reduce_dst").space, dst.part + p, inst.col("reduce_dst").addr), &sum, 4);
  }
}

void CoreModel::exec_dve(const Instruction& inst) {
  const std::string& name = inst.op->name;
  const Ap& dst = inst.ap("dst");
  const std::vector<int64_t> dof = free_offsets(dst);
  if (name == "memset") {
    const uint32_t v = static_cast<uint32_t>(inst.u("value"));
    for (uint32_t p = 0; p < dst.parts; ++p)
      for (int64_t o : dof) store(dst, dst.part + p, o, v);
    return;
  }
  const Ap& src = inst.ap(name == "tensor_tensor" ? "a" : "src");
  const std::vector<int64_t> so = free_offsets(src);
  if (name == "transpose") {
    std::vector<uint32_t> block(src.parts * so.size());
    for (uint32_t p = 0; p < src.parts; ++p)
      for (size_t f = 0; f < so.size(); ++f) block[p * so.size() + f] = load(src, src.part + p, so[f]);
    for (uint32_t p = 0; p < dst.parts; ++p)  // dst[f][p] = src[p][f]
      for (size_t f = 0; f < dof.size(); ++f) store(dst, dst.part + p, dof[f], block[f * so.size() + p]);
    return;
  }
  if (name == "tensor_reduce") {
    const std::string_view op = enum_name(inst, "op");
    for (uint32_t p = 0; p < src.parts; ++p) {
      uint32_t acc = load(src, src.part + p, so[0]);
      for (size_t i = 1; i < so.size(); ++i) acc = reduce_step(op, acc, load(src, src.part + p, so[i]));
      store(dst, dst.part + p, dof[0], acc);
    }
    return;
  }
  std::vector<int64_t> bo;
  if (name == "tensor_tensor") bo = free_offsets(inst.ap("b"));
  const fp::Rounding rounding =
      name == "tensor_copy" && enum_name(inst, "rounding") == "sr" ? fp::Rounding::kStochastic : fp::Rounding::kRne;
  for (uint32_t p = 0; p < dst.parts; ++p) {
    uint32_t s0 = 0, s1 = 0;
    if (name == "tensor_scalar") {
      s0 = scalar_value(inst.scalar("s0"), dst.part + p);
      s1 = scalar_value(inst.scalar("s1"), dst.part + p);
    }
    for (size_t i = 0; i < dof.size(); ++i) {
      const uint32_t x = load(src, src.part + p, so[i]);
      uint32_t y = x;
      if (name == "tensor_tensor") y = alu(enum_name(inst, "op"), x, load(inst.ap("b"), inst.ap("b").part + p, bo[i]));
      else if (name == "tensor_scalar") y = alu(enum_name(inst, "op1"), alu(enum_name(inst, "op0"), x, s0), s1);
      store(dst, dst.part + p, dof[i], y, rounding);
    }
  }
}

void CoreModel::exec_dma(const Instruction& inst, RunStats& stats) {
  const Ap& dst = inst.ap("dst");
  const Ap& src = inst.ap("src");
  // Elements pair up in order: on chip partition-major then the free pattern; DRAM by its dims.
  struct Cursor {
    const Ap& ap;
    std::vector<int64_t> off;
    uint32_t p = 0;
    size_t i = 0;
    explicit Cursor(const Ap& a) : ap(a), off(free_offsets(a)) {}
    void next() {
      if (++i == off.size()) i = 0, ++p;
    }
  };
  Cursor d(dst), s(src);
  const bool same = dst.dtype == src.dtype;
  for (uint64_t n = 0; n < dst.elements(); ++n, d.next(), s.next()) {
    if (same && src.dtype != fp::Format::kFp32) {
      // A plain copy moves bits, NaN payloads included.
      uint32_t code = 0;
      const unsigned es = elem_bytes(src.dtype);
      if (src.space == Space::kDram) dram_.read(src.addr + static_cast<uint64_t>(s.off[s.i]), &code, es);
      else std::memcpy(&code, onchip(src.space, src.part + s.p, src.addr + static_cast<uint64_t>(s.off[s.i] * es)), es);
      if (dst.space == Space::kDram) dram_.write(dst.addr + static_cast<uint64_t>(d.off[d.i]), &code, es);
      else std::memcpy(onchip(dst.space, dst.part + d.p, dst.addr + static_cast<uint64_t>(d.off[d.i] * es)), &code, es);
    } else {
      store(dst, dst.part + d.p, d.off[d.i], load(src, src.part + s.p, s.off[s.i]));
    }
  }
  // DRAM traffic: the DRAM side's bytes; on-chip copies move none.
  if (dst.space == Space::kDram) stats.dram_bytes += dst.elements() * elem_bytes(dst.dtype);
  if (src.space == Space::kDram) stats.dram_bytes += src.elements() * elem_bytes(src.dtype);
}

void CoreModel::execute(const Instruction& inst, RunStats& stats) {
  const std::string& engine = inst.op->engine;
  if (engine == "any") return;  // nop
  if (engine == "pe") exec_matmul(inst, stats);
  else if (engine == "act") exec_activation(inst);
  else if (engine == "dve") exec_dve(inst);
  else exec_dma(inst, stats);
}

RunStats CoreModel::run(const isa::Program& program) {
  validate(program);
  RunStats stats;
  std::vector<uint32_t> sem(isa::Isa::get().semaphores(), 0);
  std::vector<size_t> pc(program.queues.size(), 0);
  for (const isa::Queue& q : program.queues) stats.instructions[q.engine] = 0;
  for (;;) {
    bool progressed = false, finished = true;
    for (size_t e = 0; e < program.queues.size(); ++e) {
      const isa::Queue& q = program.queues[e];
      // Each engine runs until it blocks, so independent engines cost one pass each.
      while (pc[e] < q.insts.size()) {
        const Instruction& inst = q.insts[pc[e]];
        if (inst.wait_en && sem[inst.wait_sem] < inst.wait_value) break;
        execute(inst, stats);
        if (inst.signal_en) ++sem[inst.signal_sem];
        ++pc[e];
        ++stats.instructions[q.engine];
        progressed = true;
      }
      finished = finished && pc[e] == q.insts.size();
    }
    if (finished) return stats;
    if (!progressed) {
      std::string state;
      for (size_t e = 0; e < program.queues.size(); ++e) {
        const isa::Queue& q = program.queues[e];
        if (pc[e] == q.insts.size()) {
          state += fmt::format("\n  {}: done ({} instructions)", q.engine, q.insts.size());
        } else {
          const Instruction& inst = q.insts[pc[e]];
          state += fmt::format("\n  {}: instruction {} waits for s{} >= {} (s{} = {}): {}", q.engine, pc[e],
                               inst.wait_sem, inst.wait_value, inst.wait_sem, sem[inst.wait_sem], isa::to_text(inst));
        }
      }
      throw SimError("deadlock: every unfinished engine waits on a semaphore and nothing is in flight" + state);
    }
  }
}

}  // namespace tessera::ref
