#include "axi_dram.hpp"

#include <algorithm>
#include <stdexcept>

namespace tessera::rtl {

unsigned axi_bytes(const CoreConfig& config) {
  unsigned b = 8;
  while (b < config.dram_bytes_per_cycle) b *= 2;
  return b;
}

AxiDram::AxiDram(ref::Dram& dram, unsigned axi_bytes, double bytes_per_cycle, unsigned latency_cycles,
                 uint64_t backpressure_seed, double backpressure_prob)
    : AxiDram(std::make_unique<ref::DramPort>(dram), nullptr, dram.size(), axi_bytes, bytes_per_cycle, latency_cycles,
              backpressure_seed, backpressure_prob) {}

AxiDram::AxiDram(ref::DramAccess& mem, uint64_t size, unsigned axi_bytes, double bytes_per_cycle,
                 unsigned latency_cycles, uint64_t backpressure_seed, double backpressure_prob)
    : AxiDram(nullptr, &mem, size, axi_bytes, bytes_per_cycle, latency_cycles, backpressure_seed, backpressure_prob) {}

AxiDram::AxiDram(std::unique_ptr<ref::DramPort> own, ref::DramAccess* mem, uint64_t size, unsigned axi_bytes,
                 double bytes_per_cycle, unsigned latency_cycles, uint64_t backpressure_seed, double backpressure_prob)
    : own_port_(std::move(own)),
      dram_(own_port_ ? *own_port_ : *mem),
      size_(size),
      axi_bytes_(axi_bytes),
      rate_(bytes_per_cycle),
      // About one beat of burst allowance on top of the rate, so a fractional rate loses no
      // tokens while a beat waits for the last few.
      capacity_(axi_bytes + bytes_per_cycle),
      tokens_(axi_bytes),
      latency_(std::max(1u, latency_cycles)),
      rng_(backpressure_seed),
      prob_(backpressure_prob),
      random_(backpressure_seed != 0 && backpressure_prob > 0) {
  if (axi_bytes == 0 || (axi_bytes & (axi_bytes - 1)) || axi_bytes > 256)
    throw std::invalid_argument("AxiDram: axi_bytes must be a power of two <= 256");
  if (bytes_per_cycle <= 0) throw std::invalid_argument("AxiDram: bytes_per_cycle must be positive");
  in_.r_data.assign(axi_bytes, 0);
}

bool AxiDram::in_range(uint64_t addr, unsigned beats) const {
  const uint64_t end = addr + uint64_t{beats} * axi_bytes_;
  return end >= addr && end <= size_;
}

bool AxiDram::drop() { return random_ && std::uniform_real_distribution<double>(0, 1)(rng_) < prob_; }

const AxiMasterIn& AxiDram::drive() {
  in_.ar_ready = reads_.size() < kMaxOutstanding && !drop();
  in_.aw_ready = writes_.size() < kMaxOutstanding && !drop();
  // R: the oldest read whose latency has elapsed, one beat when the bucket holds a beat.
  in_.r_valid = false;
  const bool r_tokens = tokens_ >= axi_bytes_;
  if (!reads_.empty() && reads_.front().ready_cycle <= cycle_ && r_tokens && !drop()) {
    const Burst& b = reads_.front();
    in_.r_valid = true;
    in_.r_id = b.id;
    in_.r_last = b.done + 1 == b.beats;
    in_.r_resp = b.error ? 2 : 0;
    if (b.error) std::fill(in_.r_data.begin(), in_.r_data.end(), 0);
    else dram_.read(b.addr + uint64_t{b.done} * axi_bytes_, in_.r_data.data(), axi_bytes_);
  }
  // W: only for a burst whose AW was accepted in an earlier cycle; reads go first on tokens.
  const double w_need = axi_bytes_ * (in_.r_valid ? 2.0 : 1.0);
  in_.w_ready = !writes_.empty() && tokens_ >= w_need && !drop();
  in_.b_valid = false;
  if (!bresps_.empty() && bresps_.front().cycle <= cycle_ && !drop()) {
    in_.b_valid = true;
    in_.b_id = bresps_.front().id;
    in_.b_resp = bresps_.front().error ? 2 : 0;
  }
  return in_;
}

void AxiDram::commit(const AxiMasterOut& out) {
  ++stats_.cycles;
  if (!idle()) ++stats_.busy_cycles;
  if (in_.r_valid && out.r_ready) {
    Burst& b = reads_.front();
    tokens_ -= axi_bytes_;
    ++stats_.r_beats;
    stats_.bytes_read += axi_bytes_;
    if (b.error) ++stats_.errors;
    if (++b.done == b.beats) reads_.pop_front();
  }
  if (in_.w_ready && out.w_valid) {
    Burst& b = writes_.front();
    tokens_ -= axi_bytes_;
    ++stats_.w_beats;
    if (out.w_data.size() != axi_bytes_ || out.w_strb.size() != axi_bytes_)
      throw std::invalid_argument("AxiDram: w_data/w_strb must hold axi_bytes entries");
    const uint64_t base = b.addr + uint64_t{b.done} * axi_bytes_;
    for (unsigned i = 0; i < axi_bytes_; ++i) {
      if (!out.w_strb[i]) continue;
      ++stats_.bytes_written;
      if (!b.error) dram_.write(base + i, &out.w_data[i], 1);
    }
    const bool last = ++b.done == b.beats;
    if (out.w_last != last) ++stats_.protocol_errors;
    if (last) {
      bresps_.push_back({b.id, cycle_ + latency_, b.error});
      if (b.error) ++stats_.errors;
      writes_.pop_front();
    }
  }
  if (in_.b_valid && out.b_ready) bresps_.pop_front();
  if (in_.ar_ready && out.ar_valid) {
    if ((1u << out.ar_size) != axi_bytes_ || out.ar_burst != 1) ++stats_.protocol_errors;
    const unsigned beats = out.ar_len + 1u;
    reads_.push_back({out.ar_id, out.ar_addr, beats, 0, cycle_ + latency_, !in_range(out.ar_addr, beats)});
    ++stats_.ar_bursts;
  }
  if (in_.aw_ready && out.aw_valid) {
    if ((1u << out.aw_size) != axi_bytes_ || out.aw_burst != 1) ++stats_.protocol_errors;
    const unsigned beats = out.aw_len + 1u;
    writes_.push_back({out.aw_id, out.aw_addr, beats, 0, 0, !in_range(out.aw_addr, beats)});
    ++stats_.aw_bursts;
  }
  tokens_ = std::min(capacity_, tokens_ + rate_);
  ++cycle_;
}

}  // namespace tessera::rtl
