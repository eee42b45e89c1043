#include "builder.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/errors.hpp"

namespace tessera::kernels {

using isa::Ap;
using isa::Space;

namespace {
constexpr size_t kNoRecord = static_cast<size_t>(-1);
uint64_t align_up(uint64_t v) { return KernelBuilder::tile_bytes(v); }
}  // namespace

Ap Tile::ap(uint32_t p0, uint32_t np, uint32_t f0, uint32_t nf) const {
  Ap a;
  a.space = space;
  a.dtype = dtype;
  a.part = part + p0;
  a.parts = np;
  a.addr = addr + uint64_t{f0} * (fp::info(dtype).bits / 8);
  a.dims[0] = {nf, 1};
  return a;
}

Ap DramTensor::rows(uint64_t r0, uint64_t nr, uint64_t c0, uint64_t nc) const {
  const uint64_t row_bytes = shape.at(1) * elem_bytes();
  Ap a;
  a.space = Space::kDram;
  a.dtype = dtype;
  a.parts = 0;
  a.addr = addr + r0 * row_bytes + c0 * elem_bytes();
  a.dims[0] = {static_cast<uint32_t>(nr), static_cast<int32_t>(row_bytes)};
  a.dims[1] = {static_cast<uint32_t>(nc), static_cast<int32_t>(elem_bytes())};
  return a;
}

Ap DramTensor::cols(uint64_t r0, uint64_t nr, uint64_t c0, uint64_t nc) const {
  Ap a = rows(r0, nr, c0, nc);
  std::swap(a.dims[0], a.dims[1]);
  return a;
}

bool KernelBuilder::Region::overlaps(const Region& o) const {
  return space == o.space && part_lo < o.part_hi && o.part_lo < part_hi && lo < o.hi && o.lo < hi;
}

KernelBuilder::Region KernelBuilder::region_of(const Ap& ap) {
  const isa::Extent e = isa::byte_extent(ap);
  if (ap.space == Space::kDram) return {ap.space, 0, 1, e.lo, e.hi};
  return {ap.space, ap.part, ap.part + ap.parts, e.lo, e.hi};
}

KernelBuilder::KernelBuilder(const CoreConfig& config) : config_(config) {
  // Fixed engine order, so semaphore numbers do not depend on the kernel: s0 pe, s1 act,
  // s2 dve, s3.. dma0..
  engines_ = {"pe", "act", "dve"};
  for (uint64_t q = 0; q < config_.dma_queues; ++q) engines_.push_back(fmt::format("dma{}", q));
  queue_records_.resize(engines_.size());
  known_.assign(engines_.size(), std::vector<uint64_t>(engines_.size(), 0));
}

size_t KernelBuilder::engine_index(const std::string& engine) const {
  const auto it = std::find(engines_.begin(), engines_.end(), engine);
  if (it == engines_.end()) throw std::logic_error("kernel builder: no engine " + engine + " in config " + config_.name);
  return static_cast<size_t>(it - engines_.begin());
}

DramTensor KernelBuilder::dram_tensor(const std::string& name, fp::Format dtype, std::vector<uint64_t> shape,
                                      isa::TensorIo io) {
  DramTensor t{name, dram_next_, dtype, std::move(shape)};
  uint64_t bytes = t.elem_bytes();
  for (uint64_t d : t.shape) bytes *= d;
  if (dram_next_ + bytes > config_.dram_bytes)
    throw InputError(fmt::format("tensor '{}' ({} bytes) does not fit the {}-byte DRAM of config {}", name, bytes,
                                 config_.dram_bytes, config_.name));
  dram_next_ = align_up(dram_next_ + bytes);
  program_.tensors.push_back(isa::TensorDecl{name, t.addr, dtype, t.shape, io});
  return t;
}

Tile KernelBuilder::sbuf_tile(fp::Format dtype, uint32_t parts, uint32_t free) {
  const uint64_t bytes = uint64_t{free} * (fp::info(dtype).bits / 8);
  const uint64_t start = tile_start(sbuf_next_, skewed_, bytes);
  if (parts > config_.rows || start + bytes > config_.sbuf_bytes_per_partition)
    throw InputError(fmt::format("SBUF of config {} is full ({} of {} bytes per partition in use, {} more asked)",
                                 config_.name, sbuf_next_, config_.sbuf_bytes_per_partition, start - sbuf_next_ + bytes));
  skewed_ += bank_skew_ && bytes >= kSkewMinBytes;
  Tile t{Space::kSbuf, dtype, 0, parts, start, free};
  sbuf_next_ = align_up(start + bytes);
  return t;
}

uint64_t KernelBuilder::tile_start(uint64_t next, uint64_t skewed, uint64_t bytes) const {
  const bool skew = bank_skew_ && bytes >= kSkewMinBytes;
  return next + (skew ? 16 * (skewed % std::max<uint64_t>(1, config_.sbuf_banks / 4)) : 0);
}

uint64_t KernelBuilder::sbuf_cost(std::initializer_list<uint64_t> sizes) const {
  uint64_t next = sbuf_next_, skewed = skewed_;
  for (const uint64_t bytes : sizes) {
    next = align_up(tile_start(next, skewed, bytes) + bytes);
    skewed += bank_skew_ && bytes >= kSkewMinBytes;
  }
  return next - sbuf_next_;
}

Tile KernelBuilder::psum_bank(uint32_t parts, uint32_t free) {
  if (psum_next_bank_ == config_.psum_banks || free > config_.moving_max_n || parts > config_.rows)
    throw InputError(fmt::format("PSUM of config {} has no free bank of [{}, {}]", config_.name, parts, free));
  Tile t{Space::kPsum, fp::Format::kFp32, 0, parts, psum_next_bank_ * config_.psum_bank_bytes_per_partition(), free};
  ++psum_next_bank_;
  return t;
}

namespace {
// `ap` (a 1- or 2-byte dtype, `r` = 4 / its size elements per word) as a pattern of 32-bit
// words over the same bytes, if its innermost used dimension is a contiguous run of a multiple
// of r elements, its other strides keep words aligned and it starts on a word.
bool word_view(Ap& ap, uint32_t r) {
  const bool dram = ap.space == Space::kDram;
  const int32_t es = static_cast<int32_t>(fp::info(ap.dtype).bits / 8);
  int inner = -1;
  for (int d = 2; d >= 0 && inner < 0; --d)
    if (ap.dims[d].count > 1) inner = d;
  if (inner < 0 || ap.addr % 4 != 0) return false;
  if (ap.dims[inner].stride != (dram ? es : 1) || ap.dims[inner].count % r != 0) return false;
  for (int d = 0; d < 3; ++d)
    if (d != inner && ap.dims[d].count > 1 && ap.dims[d].stride % (dram ? 4 : static_cast<int32_t>(r)) != 0) return false;
  ap.dtype = fp::Format::kFp32;
  for (int d = 0; d < 3; ++d) {
    if (d == inner) ap.dims[d] = {ap.dims[d].count / r, dram ? 4 : 1};
    else if (ap.dims[d].count == 1) ap.dims[d].stride = 0;
    else if (!dram) ap.dims[d].stride /= static_cast<int32_t>(r);
  }
  return true;
}
}  // namespace

void KernelBuilder::dma(const Ap& dst, const Ap& src, unsigned queue) {
  isa::Instruction inst = isa::Isa::get().make("dma_copy");
  // A DMA queue moves one element per cycle (docs/dma.md), so a bit copy of a 1- or 2-byte
  // dtype moves as 32-bit words when both patterns allow it: the same bytes land in the same
  // places (runs of whole words on both sides), at 2 (bf16, fp16) or 4 (fp8) elements per cycle.
  Ap d = dst, s = src;
  const uint32_t es = fp::info(dst.dtype).bits / 8;
  if (dst.dtype == src.dtype && es < 4) {
    Ap dw = dst, sw = src;
    if (word_view(dw, 4 / es) && word_view(sw, 4 / es)) d = dw, s = sw;
  }
  inst.set("dst", d);
  inst.set("src", s);
  emit(fmt::format("dma{}", queue % config_.dma_queues), std::move(inst));
}

void DeferredStores::emit_oldest() {
  const Store s = pending_.front();
  pending_.pop_front();
  b_.tensor_copy(s.staging.ap(0, s.rows, 0, s.cols), s.psum.ap(0, s.rows, 0, s.cols));
  for (const auto& pc : b_.dma_pieces(s.rows))
    b_.dma(s.out->rows(s.r0 + pc.p0, pc.np, s.c0, s.cols), s.staging.ap(pc.p0, pc.np, 0, s.cols), b_.next_dma_queue());
}

void KernelBuilder::load_stationary(const Ap& src) {
  isa::Instruction inst = isa::Isa::get().make("load_stationary");
  inst.set("src", src);
  emit("pe", std::move(inst));
}

isa::Ap reversed(const isa::Ap& ap) {
  isa::Ap r = ap;
  const int64_t scale = ap.space == Space::kDram ? 1 : fp::info(ap.dtype).bits / 8;
  int64_t last = 0;  // bytes from the first element to the last
  for (isa::Dim& d : r.dims) {
    if (d.count <= 1) continue;
    last += static_cast<int64_t>(d.count - 1) * d.stride * scale;
    d.stride = -d.stride;
  }
  r.addr = static_cast<uint64_t>(static_cast<int64_t>(ap.addr) + last);
  return r;
}

void KernelBuilder::multiply_moving(const Ap& psum_dst, const Ap& moving, bool accumulate) {
  isa::Instruction inst = isa::Isa::get().make("multiply_moving");
  // Streamed last column first (see builder.hpp): the same pairs of moving and PSUM columns.
  inst.set("dst", reversed(psum_dst));
  inst.set("src", reversed(moving));
  inst.set("acc", uint64_t{accumulate});
  emit("pe", std::move(inst));
}

void KernelBuilder::tensor_copy(const Ap& dst, const Ap& src, bool stochastic) {
  isa::Instruction inst = isa::Isa::get().make("tensor_copy");
  inst.set("dst", dst);
  inst.set("src", src);
  inst.set("rounding", uint64_t{stochastic});
  emit("dve", std::move(inst));
}

std::vector<KernelBuilder::PartRange> KernelBuilder::dma_pieces(uint32_t parts, uint32_t queues) const {
  std::vector<PartRange> out;
  const uint32_t n = std::min(queues ? queues : static_cast<uint32_t>(config_.dma_queues), parts);
  for (uint32_t i = 0, p0 = 0; i < n; ++i) {
    const uint32_t np = parts / n + (i < parts % n ? 1 : 0);
    out.push_back({p0, np});
    p0 += np;
  }
  return out;
}

void KernelBuilder::transpose(const Tile& d, uint32_t df, const Tile& s, uint32_t sf, uint32_t np, uint32_t nf) {
  for (uint32_t p0 = 0; p0 < np; p0 += kTransposeBlock) {
    const uint32_t pn = std::min(kTransposeBlock, np - p0);
    for (uint32_t f0 = 0; f0 < nf; f0 += kTransposeBlock) {
      const uint32_t fn = std::min(kTransposeBlock, nf - f0);
      isa::Instruction inst = isa::Isa::get().make("transpose");
      inst.set("dst", d.ap(f0, fn, df + p0, pn));
      inst.set("src", s.ap(p0, pn, sf + f0, fn));
      emit("dve", std::move(inst));
    }
  }
}

void KernelBuilder::emit(const std::string& engine, isa::Instruction inst) {
  const size_t e = engine_index(engine);
  Record rec{e, 0, {}, {}, {}};
  // Operand regions: destinations are written, everything else is read; columns belong to the
  // destination's partitions.
  uint32_t dst_part = 0, dst_parts = 1;
  for (size_t i = 0; i < inst.op->fields.size(); ++i)
    if (const Ap* ap = std::get_if<Ap>(&inst.args[i]); ap && inst.op->fields[i].name == "dst")
      dst_part = ap->part, dst_parts = ap->parts;
  auto col_region = [&](const isa::Col& c) { return Region{c.space, dst_part, dst_part + dst_parts, c.addr, c.addr + 4}; };
  for (size_t i = 0; i < inst.op->fields.size(); ++i) {
    const std::string& name = inst.op->fields[i].name;
    if (const Ap* ap = std::get_if<Ap>(&inst.args[i])) {
      (name == "dst" ? rec.writes : rec.reads).push_back(region_of(*ap));
      if (name == "dst" && inst.op->name == "multiply_moving" && inst.u("acc")) rec.reads.push_back(region_of(*ap));
    } else if (const isa::Scalar* s = std::get_if<isa::Scalar>(&inst.args[i]); s && s->is_col) {
      rec.reads.push_back(col_region(s->col));
    } else if (const isa::Col* c = std::get_if<isa::Col>(&inst.args[i]); c && name == "reduce_dst" && inst.u("reduce")) {
      rec.writes.push_back(col_region(*c));
    }
  }

  // The latest conflicting instruction on each other engine (engines complete in order, so
  // earlier ones on that engine are covered by it).
  std::vector<size_t> deps;
  for (size_t other = 0; other < engines_.size(); ++other) {
    if (other == e) continue;
    const std::vector<size_t>& slots = queue_records_[other];
    for (auto it = slots.rbegin(); it != slots.rend(); ++it) {
      if (*it == kNoRecord) continue;
      const Record& prev = records_[*it];
      if (known_[e][other] > prev.index) break;  // already known complete, and so is all before it
      bool conflict = false;
      for (const Region& w : prev.writes)
        for (const Region& r : rec.reads) conflict = conflict || w.overlaps(r);
      for (const Region& w : rec.writes) {
        for (const Region& pw : prev.writes) conflict = conflict || w.overlaps(pw);
        for (const Region& pr : prev.reads) conflict = conflict || w.overlaps(pr);
      }
      if (conflict) {
        deps.push_back(*it);
        break;
      }
    }
  }

  // One wait per instruction: all but the last unmet dependency wait on inserted nops.
  std::vector<size_t> unmet;
  for (size_t d : deps) {
    const Record& p = records_[d];
    if (known_[e][p.engine] > p.index) continue;  // learnt transitively through an earlier wait
    unmet.push_back(d);
    for (size_t k = 0; k < engines_.size(); ++k) known_[e][k] = std::max(known_[e][k], p.known[k]);
    known_[e][p.engine] = std::max<uint64_t>(known_[e][p.engine], p.index + 1);
  }
  isa::Queue& q = program_.queue(engine);
  for (size_t i = 0; i < unmet.size(); ++i) {
    if (i + 1 < unmet.size()) {
      waits_.push_back(Wait{e, q.insts.size(), unmet[i]});
      q.insts.push_back(isa::Isa::get().make("nop"));
      queue_records_[e].push_back(kNoRecord);
    } else {
      waits_.push_back(Wait{e, q.insts.size(), unmet[i]});
    }
  }
  rec.index = q.insts.size();
  rec.known = known_[e];
  q.insts.push_back(std::move(inst));
  queue_records_[e].push_back(records_.size());
  records_.push_back(std::move(rec));
}

isa::Program KernelBuilder::finish() {
  // Only producers somebody waits for signal; a wait names the producer's rank among the
  // signalling instructions of its engine (semaphore = engine number).
  std::vector<bool> signals(records_.size(), false);
  for (const Wait& w : waits_) signals[w.producer] = true;
  std::vector<uint32_t> rank(records_.size(), 0);
  for (size_t e = 0; e < engines_.size(); ++e) {
    uint32_t count = 0;
    for (size_t r : queue_records_[e])
      if (r != kNoRecord && signals[r]) rank[r] = ++count;
  }
  for (size_t r = 0; r < records_.size(); ++r) {
    if (!signals[r]) continue;
    isa::Instruction& inst = program_.queue(engines_[records_[r].engine]).insts[records_[r].index];
    inst.signal_en = true;
    inst.signal_sem = static_cast<unsigned>(records_[r].engine);
  }
  for (const Wait& w : waits_) {
    isa::Instruction& inst = program_.queue(engines_[w.queue]).insts[w.index];
    inst.wait_en = true;
    inst.wait_sem = static_cast<unsigned>(records_[w.producer].engine);
    inst.wait_value = rank[w.producer];
  }
  // Drop queues nothing was placed on.
  isa::Program out = std::move(program_);
  out.queues.erase(std::remove_if(out.queues.begin(), out.queues.end(), [](const isa::Queue& q) { return q.insts.empty(); }),
                   out.queues.end());
  return out;
}

}  // namespace tessera::kernels
