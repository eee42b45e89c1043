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

}  // namespace

AluOp parse_alu_op(std::string_view name) {
  static constexpr std::pair<std::string_view, AluOp> kOps[] = {
      {"bypass", AluOp::kBypass}, {"add", AluOp::kAdd}, {"sub", AluOp::kSub}, {"rsub", AluOp::kRsub},
      {"mul", AluOp::kMul},       {"max", AluOp::kMax}, {"min", AluOp::kMin}};
  for (const auto& [n, op] : kOps)
    if (n == name) return op;
  throw std::logic_error(fmt::format("alu op {}", name));
}

uint32_t alu(AluOp op, uint32_t x, uint32_t s) {
  switch (op) {
    case AluOp::kBypass: return x;
    case AluOp::kAdd: return fp::add32_bits(x, s);
    case AluOp::kSub: return fp::add32_bits(x, s ^ 0x80000000u);
    case AluOp::kRsub: return fp::add32_bits(s, x ^ 0x80000000u);
    case AluOp::kMul: return fp::mul32_bits(x, s);
    case AluOp::kMax:
    case AluOp::kMin: {
      if (fp::is_nan32(x) || fp::is_nan32(s)) return fp::kF32CanonicalNan;
      const bool max = op == AluOp::kMax;
      const float a = fp::float_of(x), b = fp::float_of(s);
      if (a == b) return max ? (x & s) : (x | s);  // equal: only +-0 differ, by the sign bit
      return (a > b) == max ? x : s;
    }
  }
  throw std::logic_error("alu op");
}

uint32_t reduce_step(AluOp op, uint32_t acc, uint32_t x) {
  // add and mul as alu's (acc op x); max and min are symmetric
  return alu(op, acc, x);
}

std::vector<int64_t> free_offsets(const Ap& ap) {
  std::vector<int64_t> out(ap.free_size());
  int64_t* o = out.data();
  for (uint32_t i = 0; i < ap.dims[0].count; ++i)
    for (uint32_t j = 0; j < ap.dims[1].count; ++j) {
      const int64_t row = int64_t{i} * ap.dims[0].stride + int64_t{j} * ap.dims[1].stride;
      const int64_t stride = ap.dims[2].stride;
      for (uint32_t k = 0; k < ap.dims[2].count; ++k) *o++ = row + int64_t{k} * stride;
    }
  return out;
}

// One instruction touches at most 2^22 elements per partition (its free pattern), so that
// instruction lengths stay in the range of real engines and operand lists fit in memory.
constexpr uint64_t kMaxFreeElements = uint64_t{1} << 22;

CoreModel::CoreModel(const CoreConfig& config, uint64_t seed)
    : config_(config),
      dram_(config.dram_bytes),
      sbuf_(config.rows * config.sbuf_bytes_per_partition),
      psum_(config.rows * config.psum_banks * config.psum_bank_bytes_per_partition(), true),
      dram_access_(dram_),
      executor_(config, seed) {
  MemView mem;
  mem.sbuf = sbuf_.data();
  mem.psum = psum_.data();
  mem.sbuf_partition_bytes = partition_bytes(Space::kSbuf);
  mem.psum_partition_bytes = partition_bytes(Space::kPsum);
  mem.dram = &dram_access_;
  executor_.set_memories(mem);
}

uint64_t partition_bytes(const CoreConfig& config, Space space) {
  return space == Space::kSbuf ? config.sbuf_bytes_per_partition : config.psum_banks * config.psum_bank_bytes_per_partition();
}

uint64_t CoreModel::partition_bytes(Space space) const { return ref::partition_bytes(config_, space); }

const uint8_t* CoreModel::onchip(Space space, uint32_t partition, uint64_t offset) const {
  return (space == Space::kSbuf ? sbuf_.data() : psum_.data()) + partition * partition_bytes(space) + offset;
}

uint8_t* CoreModel::onchip(Space space, uint32_t partition, uint64_t offset) {
  return const_cast<uint8_t*>(std::as_const(*this).onchip(space, partition, offset));
}

void validate(const CoreConfig& config, const isa::Program& program) {
  for (const isa::Queue& q : program.queues) {
    const std::string cls = isa::engine_class(q.engine);
    if (cls == "dma" && std::stoull(q.engine.substr(3)) >= config.dma_queues)
      throw InputError(fmt::format("engine {} does not exist: config {} has {} DMA queues", q.engine, config.name,
                                   config.dma_queues));
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
          if (e.lo < 0 || static_cast<uint64_t>(e.hi) > config.dram_bytes)
            throw fail(fmt::format("{} touches DRAM bytes [{}, {}) outside the {}-byte DRAM", field, e.lo, e.hi,
                                   config.dram_bytes));
        } else {
          if (ap.parts == 0 || ap.part + ap.parts > config.rows)
            throw fail(fmt::format("{} partitions [{}, {}) outside the {} of config {}", field, ap.part,
                                   ap.part + ap.parts, config.rows, config.name));
          if (e.lo < 0 || static_cast<uint64_t>(e.hi) > partition_bytes(config, ap.space))
            throw fail(fmt::format("{} touches bytes [{}, {}) of each {} partition, which has {}", field, e.lo, e.hi,
                                   isa::space_name(ap.space), partition_bytes(config, ap.space)));
        }
        return ap;
      };
      auto check_col = [&](const isa::Col& c, const char* field) {
        if (c.space == Space::kDram) throw fail(fmt::format("{} column must be on chip", field));
        if (c.addr % 4 || c.addr + 4 > partition_bytes(config, c.space))
          throw fail(fmt::format("{} column 0x{:x} is not an aligned fp32 inside the partition", field, c.addr));
      };
      auto same_shape = [&](const Ap& a, const Ap& b, const char* an, const char* bn) {
        if (a.parts != b.parts || a.free_size() != b.free_size())
          throw fail(fmt::format("{} is [{}, {}] but {} is [{}, {}]", an, a.parts, a.free_size(), bn, b.parts,
                                 b.free_size()));
      };
      // The act and dve engines compute all partitions of an element at once (docs/vec_engines.md):
      // a destination that shares bytes, in shared partitions, with a source at another
      // partition offset would feed one partition's stores into another's loads, an order only
      // a partition-by-partition engine has. Such instructions are rejected.
      auto lanes_apart = [&](const isa::Ap& d, const isa::Ap& s, const char* sn) {
        if (d.space != s.space || d.part == s.part || d.part >= s.part + s.parts || s.part >= d.part + d.parts) return;
        const isa::Extent de = isa::byte_extent(d), se = isa::byte_extent(s);
        if (de.lo < se.hi && se.lo < de.hi)
          throw fail(fmt::format("dst overlaps {} at a different partition offset ({} against {})", sn, d.part, s.part));
      };
      const std::string& name = inst.op->name;
      if (name == "nop") continue;
      if (name == "load_stationary") {
        const Ap& src = check_ap("src", false, true);
        if (src.free_size() > config.cols)
          throw fail(fmt::format("stationary free size {} exceeds the array's {} columns", src.free_size(), config.cols));
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
        if (src.free_size() > config.moving_max_n)
          throw fail(fmt::format("moving free size {} exceeds N max {}", src.free_size(), config.moving_max_n));
        if (dst.free_size() != src.free_size())
          throw fail(fmt::format("dst free size {} differs from moving free size {}", dst.free_size(), src.free_size()));
        const isa::Extent e = isa::byte_extent(dst);
        const uint64_t bank = config.psum_bank_bytes_per_partition();
        if (static_cast<uint64_t>(e.lo) / bank != static_cast<uint64_t>(e.hi - 1) / bank)
          throw fail(fmt::format("dst bytes [{}, {}) overflow PSUM bank {} ({} bytes per partition per bank)", e.lo,
                                 e.hi, static_cast<uint64_t>(e.lo) / bank, bank));
      } else if (name == "activation") {
        const Ap& dst = check_ap("dst", false, true);
        const Ap& src = check_ap("src", false, true);
        same_shape(dst, src, "dst", "src");
        for (const char* s : {"scale", "bias"})
          if (inst.scalar(s).is_col) check_col(inst.scalar(s).col, s);
        lanes_apart(dst, src, "src");
        if (inst.u("reduce")) {
          check_col(inst.col("reduce_dst"), "reduce_dst");
          Ap col = dst;  // the reduce column: one fp32 in each destination partition
          col.space = inst.col("reduce_dst").space;
          col.dtype = fp::Format::kFp32;
          col.addr = inst.col("reduce_dst").addr;
          col.dims = {isa::Dim{1, 0}, isa::Dim{1, 0}, isa::Dim{1, 0}};
          lanes_apart(col, src, "src (the reduce column)");
        }
      } else if (name == "tensor_tensor") {
        const Ap& dst = check_ap("dst", false, true);
        same_shape(dst, check_ap("a", false, true), "dst", "a");
        same_shape(dst, check_ap("b", false, true), "dst", "b");
        lanes_apart(dst, inst.ap("a"), "a");
        lanes_apart(dst, inst.ap("b"), "b");
      } else if (name == "tensor_scalar") {
        same_shape(check_ap("dst", false, true), check_ap("src", false, true), "dst", "src");
        for (const char* s : {"s0", "s1"})
          if (inst.scalar(s).is_col) check_col(inst.scalar(s).col, s);
        lanes_apart(inst.ap("dst"), inst.ap("src"), "src");
      } else if (name == "tensor_reduce") {
        const Ap& dst = check_ap("dst", false, true);
        const Ap& src = check_ap("src", false, true);
        if (dst.free_size() != 1 || dst.parts != src.parts)
          throw fail(fmt::format("dst must be [{}, 1], is [{}, {}]", src.parts, dst.parts, dst.free_size()));
        lanes_apart(dst, src, "src");
      } else if (name == "tensor_copy") {
        same_shape(check_ap("dst", false, true), check_ap("src", false, true), "dst", "src");
        lanes_apart(inst.ap("dst"), inst.ap("src"), "src");
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

void CoreModel::validate(const isa::Program& program) const { ref::validate(config_, program); }

RunStats CoreModel::run(const isa::Program& program) {
  validate(program);
  RunStats stats;
  const uint64_t flops0 = executor_.flops(), dram_bytes0 = executor_.dram_bytes();
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
        executor_.execute(inst);
        if (inst.signal_en) ++sem[inst.signal_sem];
        ++pc[e];
        ++stats.instructions[q.engine];
        progressed = true;
      }
      finished = finished && pc[e] == q.insts.size();
    }
    if (finished) {
      stats.flops = executor_.flops() - flops0;
      stats.dram_bytes = executor_.dram_bytes() - dram_bytes0;
      return stats;
    }
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
