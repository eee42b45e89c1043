#include "executor.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
#include <string>

#include "numerics/activation.hpp"
#include "core_model.hpp"
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

// fp::widen of every code of an 8- or 16-bit format, computed once (the same function, so the
// same bits, without its per-element decoding).
const uint32_t* widen_table(fp::Format f) {
  static std::array<std::vector<uint32_t>, 16> tables;
  const unsigned bits = fp::info(f).bits;
  const size_t idx = static_cast<size_t>(f);
  if (bits > 16 || idx >= tables.size()) return nullptr;
  std::vector<uint32_t>& t = tables[idx];
  if (t.empty()) {
    t.resize(size_t{1} << bits);
    for (uint32_t c = 0; c < t.size(); ++c) t[c] = fp::widen(f, c);
  }
  return t.data();
}

}  // namespace

Executor::Executor(const CoreConfig& config, uint64_t seed) {
  for (uint32_t lane = 0; lane < config.rows; ++lane) lanes_.push_back(fp::Xorshift32::for_lane(seed, lane));
}

uint8_t* Executor::onchip(Space space, uint32_t partition, uint64_t offset) const {
  return space == Space::kSbuf ? mem_.sbuf + partition * mem_.sbuf_partition_bytes + offset
                               : mem_.psum + partition * mem_.psum_partition_bytes + offset;
}

uint32_t Executor::load(const Ap& ap, uint32_t partition, int64_t element) const {
  const unsigned es = elem_bytes(ap.dtype);
  uint32_t code = 0;
  if (ap.space == Space::kDram) mem_.dram->read(ap.addr + static_cast<uint64_t>(element), &code, es);
  else std::memcpy(&code, onchip(ap.space, partition, ap.addr + static_cast<uint64_t>(element * es)), es);
  if (ap.dtype == fp::Format::kFp32) return code;
  const uint32_t* table = widen_table(ap.dtype);
  return table ? table[code] : fp::widen(ap.dtype, code);
}

void Executor::store(const Ap& ap, uint32_t partition, int64_t element, uint32_t f32, fp::Rounding rounding) {
  const unsigned es = elem_bytes(ap.dtype);
  uint32_t code = f32;
  if (ap.dtype != fp::Format::kFp32) {
    const uint32_t random = rounding == fp::Rounding::kStochastic ? lanes_[partition].next() : 0;
    code = fp::narrow(ap.dtype, f32, rounding, random);
  } else if (rounding == fp::Rounding::kStochastic) {
    lanes_[partition].next();  // the generator steps once per element whatever the format
  }
  if (ap.space == Space::kDram) mem_.dram->write(ap.addr + static_cast<uint64_t>(element), &code, es);
  else std::memcpy(onchip(ap.space, partition, ap.addr + static_cast<uint64_t>(element * es)), &code, es);
}

uint32_t Executor::scalar_value(const isa::Scalar& s, uint32_t partition) const {
  if (!s.is_col) return s.imm;
  uint32_t v;
  std::memcpy(&v, onchip(s.col.space, partition, s.col.addr), 4);
  return v;
}

void Executor::execute(const Instruction& inst) {
  const std::string& engine = inst.op->engine;
  if (engine == "any") return;
  if (engine == "pe") exec_matmul(inst);
  else if (engine == "act") exec_activation(inst);
  else if (engine == "dve") exec_dve(inst);
  else exec_dma(inst);
}

void Executor::exec_matmul(const Instruction& inst) {
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
      uint32_t v = fp::add32_bits(fp::bits_of(acc[n]), 0x80000000u);  // + (-0): canonical NaN, same value
      if (accumulate) v = fp::add32_bits(load(dst, dst.part + m, dst_off[n]), v);
      store(dst, dst.part + m, dst_off[n], v);
    }
  }
  flops_ += 2ull * stationary_k_ * stationary_m_ * n_size;
}

void Executor::exec_activation(const Instruction& inst) {
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

void Executor::exec_dve(const Instruction& inst) {
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

// A DMA between DRAM and on-chip memory: the DRAM side's byte span moves with one functional
// access (read; for a DRAM destination read, patched and written back, so bytes between the
// elements keep their values), the elements with direct copies. Same element order and
// conversions as the per-element loop below.
void Executor::exec_dma_span(const Instruction& inst, const std::vector<int64_t>& doff,
                             const std::vector<int64_t>& soff) {
  const Ap& dst = inst.ap("dst");
  const Ap& src = inst.ap("src");
  const bool to_dram = dst.space == Space::kDram;
  const Ap& dram_ap = to_dram ? dst : src;
  const std::vector<int64_t>& dram_off = to_dram ? doff : soff;
  const unsigned des = elem_bytes(dst.dtype), ses = elem_bytes(src.dtype);
  const unsigned dram_es = to_dram ? des : ses;
  int64_t lo = dram_off[0], hi = dram_off[0];
  for (int64_t o : dram_off) lo = std::min(lo, o), hi = std::max(hi, o);
  const uint64_t base = dram_ap.addr + static_cast<uint64_t>(lo);
  span_.resize(static_cast<size_t>(hi - lo) + dram_es);
  mem_.dram->read(base, span_.data(), span_.size());
  const bool copy_bits = dst.dtype == src.dtype && src.dtype != fp::Format::kFp32;
  const uint32_t* table = src.dtype == fp::Format::kFp32 ? nullptr : widen_table(src.dtype);
  const uint32_t parts = to_dram ? src.parts : dst.parts;
  const size_t per = to_dram ? soff.size() : doff.size();
  const size_t dn = doff.size(), sn = soff.size();
  uint64_t n = 0;
  for (uint32_t p = 0; p < parts; ++p) {
    for (size_t i = 0; i < per; ++i, ++n) {
      // element n: on-chip side (p, i); DRAM side index n (its pattern holds every element)
      const size_t di = to_dram ? n % dn : i, si = to_dram ? i : n % sn;
      const uint8_t* sp = to_dram ? onchip(src.space, src.part + p, src.addr + static_cast<uint64_t>(soff[si] * ses))
                                  : span_.data() + (soff[si] - lo);
      uint8_t* dp = to_dram ? span_.data() + (doff[di] - lo)
                            : onchip(dst.space, dst.part + p, dst.addr + static_cast<uint64_t>(doff[di] * des));
      uint32_t code = 0;
      std::memcpy(&code, sp, ses);
      if (!copy_bits) {
        uint32_t f32 = src.dtype == fp::Format::kFp32 ? code : (table ? table[code] : fp::widen(src.dtype, code));
        code = dst.dtype == fp::Format::kFp32 ? f32 : fp::narrow(dst.dtype, f32, fp::Rounding::kRne, 0);
      }
      std::memcpy(dp, &code, des);
    }
  }
  if (to_dram) mem_.dram->write(base, span_.data(), span_.size());
  if (to_dram) dram_bytes_ += dst.elements() * des;
  else dram_bytes_ += src.elements() * ses;
}

void Executor::exec_dma(const Instruction& inst) {
  const Ap& dst = inst.ap("dst");
  const Ap& src = inst.ap("src");
  // Elements pair up in order: on chip partition-major then the free pattern; DRAM by its dims.
  struct Cursor {
    std::vector<int64_t> off;
    uint32_t p = 0;
    size_t i = 0;
    explicit Cursor(const Ap& a) : off(free_offsets(a)) {}
    void next() {
      if (++i == off.size()) i = 0, ++p;
    }
  };
  Cursor d(dst), s(src);
  const bool same = dst.dtype == src.dtype;
  if ((src.space == Space::kDram) != (dst.space == Space::kDram)) {
    exec_dma_span(inst, d.off, s.off);
    return;
  }
  const unsigned es = elem_bytes(src.dtype);
  for (uint64_t n = 0; n < dst.elements(); ++n, d.next(), s.next()) {
    if (same && src.dtype != fp::Format::kFp32) {
      // A plain copy moves bits, NaN payloads included.
      uint32_t code = 0;
      if (src.space == Space::kDram) mem_.dram->read(src.addr + static_cast<uint64_t>(s.off[s.i]), &code, es);
      else std::memcpy(&code, onchip(src.space, src.part + s.p, src.addr + static_cast<uint64_t>(s.off[s.i] * es)), es);
      if (dst.space == Space::kDram) mem_.dram->write(dst.addr + static_cast<uint64_t>(d.off[d.i]), &code, es);
      else std::memcpy(onchip(dst.space, dst.part + d.p, dst.addr + static_cast<uint64_t>(d.off[d.i] * es)), &code, es);
    } else {
      store(dst, dst.part + d.p, d.off[d.i], load(src, src.part + s.p, s.off[s.i]));
    }
  }
  if (dst.space == Space::kDram) dram_bytes_ += dst.elements() * elem_bytes(dst.dtype);
  if (src.space == Space::kDram) dram_bytes_ += src.elements() * elem_bytes(src.dtype);
}

}  // namespace tessera::ref
