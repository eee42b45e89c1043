#include "checker.hpp"

#include <fmt/format.h>

#include <cstring>

#include "blocks.hpp"
#include "ref/core_model.hpp"

namespace tessera::cosim {

Checker::Checker(const CoreConfig& config, uint64_t seed, ref::Dram& shadow_dram, const Fault* fault)
    : shadow_port_(shadow_dram),
      sbuf_(config.rows * config.sbuf_bytes_per_partition, 0),
      psum_(config.rows * config.psum_banks * config.psum_bank_bytes_per_partition(), 0),
      exec_(config, seed),
      fault_(fault) {
  shadow_.sbuf = sbuf_.data();
  shadow_.psum = psum_.data();
  shadow_.sbuf_partition_bytes = config.sbuf_bytes_per_partition;
  shadow_.psum_partition_bytes = config.psum_banks * config.psum_bank_bytes_per_partition();
  shadow_.dram = &shadow_port_;
  exec_.set_memories(shadow_);
}

namespace {

std::string hex(const uint8_t* p, unsigned n) {
  uint64_t v = 0;
  std::memcpy(&v, p, n);  // little endian: the element's value
  return fmt::format("0x{:0{}x}", v, 2 * n);
}

}  // namespace

void Checker::set_real(rtl::OnChipAccess& onchip, ref::DramAccess& dram) {
  onchip_ = &onchip;
  real_.dram = &dram;
  for (isa::Space space : {isa::Space::kSbuf, isa::Space::kPsum}) {
    const bool psum = space == isa::Space::kPsum;
    const uint64_t pb = psum ? shadow_.psum_partition_bytes : shadow_.sbuf_partition_bytes;
    uint8_t* base = psum ? shadow_.psum : shadow_.sbuf;
    for (uint32_t p = 0; p < (psum ? psum_.size() : sbuf_.size()) / pb; ++p)
      for (uint32_t w = 0; w < pb / 4; ++w) {
        const uint32_t v = onchip.read_word(space, p, w);
        std::memcpy(base + p * pb + 4 * uint64_t{w}, &v, 4);
      }
  }
}

void Checker::read_real(isa::Space space, uint32_t partition, uint64_t offset, unsigned bytes, uint8_t* out) const {
  const bool psum = space == isa::Space::kPsum;
  if (!onchip_) {
    const uint64_t pb = psum ? real_.psum_partition_bytes : real_.sbuf_partition_bytes;
    std::memcpy(out, (psum ? real_.psum : real_.sbuf) + partition * pb + offset, bytes);
    return;
  }
  for (unsigned i = 0; i < bytes; ++i) {
    const uint64_t byte = offset + i;
    out[i] = static_cast<uint8_t>(onchip_->read_word(space, partition, static_cast<uint32_t>(byte / 4)) >> (8 * (byte % 4)));
  }
}

std::optional<std::string> Checker::compare(isa::Space space, uint32_t partition, uint64_t offset,
                                            unsigned bytes) const {
  uint8_t want[8], got[8];
  if (space == isa::Space::kDram) {
    shadow_.dram->read(offset, want, bytes);
    real_.dram->read(offset, got, bytes);
  } else {
    const bool psum = space == isa::Space::kPsum;
    const uint64_t pb = psum ? shadow_.psum_partition_bytes : shadow_.sbuf_partition_bytes;
    std::memcpy(want, (psum ? shadow_.psum : shadow_.sbuf) + partition * pb + offset, bytes);
    read_real(space, partition, offset, bytes, got);
  }
  if (std::memcmp(want, got, bytes) == 0) return std::nullopt;
  return fmt::format("expected {} actual {}", hex(want, bytes), hex(got, bytes));
}

std::optional<std::string> Checker::compare_ap(const isa::Ap& ap) const {
  const unsigned es = fp::info(ap.dtype).bits / 8;
  const bool dram = ap.space == isa::Space::kDram;
  const uint32_t parts = dram ? 1 : ap.parts;
  for (uint32_t p = 0; p < parts; ++p)
    for (uint32_t i = 0; i < ap.dims[0].count; ++i)
      for (uint32_t j = 0; j < ap.dims[1].count; ++j)
        for (uint32_t k = 0; k < ap.dims[2].count; ++k) {
          const int64_t off = int64_t{i} * ap.dims[0].stride + int64_t{j} * ap.dims[1].stride + int64_t{k} * ap.dims[2].stride;
          const uint64_t byte = ap.addr + static_cast<uint64_t>(dram ? off : off * es);
          if (auto d = compare(ap.space, dram ? 0 : ap.part + p, byte, es)) {
            const std::string where =
                dram ? fmt::format("[{}][{}][{}] (DRAM byte 0x{:x})", i, j, k, byte)
                     : fmt::format("partition {} [{}][{}][{}] ({} byte 0x{:x})", ap.part + p, i, j, k,
                                   ap.space == isa::Space::kPsum ? "PSUM" : "SBUF", byte);
            return fmt::format("{} {}: {}", isa::ap_to_text(ap), where, *d);
          }
        }
  return std::nullopt;
}

std::optional<std::string> Checker::compare_col(const isa::Col& col, const isa::Ap& rows) const {
  for (uint32_t p = 0; p < rows.parts; ++p)
    if (auto d = compare(col.space, rows.part + p, col.addr, 4))
      return fmt::format("reduce_dst partition {} ({} byte 0x{:x}): {}", rows.part + p,
                         col.space == isa::Space::kPsum ? "PSUM" : "SBUF", col.addr, *d);
  return std::nullopt;
}

bool Checker::check(const std::string& engine, size_t index, const isa::Instruction& inst, uint64_t cycle) {
  if (mismatch_) return false;
  exec_.execute(inst);
  ++checked_;
  if (inst.op->field_index("dst") < 0) return true;
  std::optional<std::string> diff = compare_ap(inst.ap("dst"));
  if (!diff && inst.op->name == "activation" && inst.u("reduce")) diff = compare_col(inst.col("reduce_dst"), inst.ap("dst"));
  if (!diff) return true;
  std::string msg = fmt::format("lockstep mismatch at cycle {}: {} instruction {} ({}): dst {}", cycle, engine, index,
                                isa::to_text(inst), *diff);
  if (fault_ && fault_->fired)
    msg += fmt::format(" [fault injected at cycle {}: {}]", fault_->fired_cycle, fault_->what);
  mismatch_ = msg;
  mismatch_cycle_ = cycle;
  return false;
}

}  // namespace tessera::cosim
