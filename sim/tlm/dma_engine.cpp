#include "dma_engine.hpp"

#include <algorithm>
#include <deque>

#include "memories.hpp"
#include "ref/core_model.hpp"

namespace tessera::tlm {

namespace {

// Pipeline constants of dma_channel (docs/tlm.md "DMA" derives them from the RTL's single-
// element latencies: DRAM->SBUF latency + 9, SBUF->DRAM latency + 12, SBUF->SBUF 8 cycles
// from accept to done).
constexpr uint64_t kWalkStart = 2;      // accept -> first element out of a walker
constexpr uint64_t kReadRequest = 2;    // burst closed -> AR on the bus
constexpr uint64_t kUnpack = 2;         // R beat -> its elements leave the unpacker
constexpr uint64_t kWriteDone = 3;      // last on-chip write request -> done
constexpr uint64_t kOnChipRead = 2;     // on-chip read request -> element in the burst former
constexpr uint64_t kWriteRequest = 3;   // burst closed -> AW
constexpr uint64_t kWFollowsAw = 2;     // AW handshake -> first W beat
constexpr uint64_t kBDone = 1;          // B response -> done
constexpr uint64_t kOnChipCopy = 6;     // on chip -> on chip: fixed cycles besides the port cycles
constexpr uint64_t kMaxBurstBeats = 16;
// The channel's read buffer: OutstandingReads x MaxBurstBeats beats, reserved at the AR and
// released as the beats are unpacked; an AR waits for room for its whole burst.
constexpr uint64_t kReadBufferBeats = 4 * kMaxBurstBeats;
constexpr uint64_t kBurstClose = 0;

struct Element {
  uint64_t addr;       // DRAM byte address, or on-chip byte offset
  uint32_t partition;  // on chip
};

std::vector<Element> enumerate(const isa::Ap& ap) {
  const unsigned es = fp::info(ap.dtype).bits / 8;
  const std::vector<int64_t> off = ref::free_offsets(ap);
  std::vector<Element> out;
  if (ap.space == isa::Space::kDram) {
    for (int64_t o : off) out.push_back({ap.addr + static_cast<uint64_t>(o), 0});
  } else {
    for (uint32_t p = 0; p < ap.parts; ++p)
      for (int64_t o : off) out.push_back({ap.addr + static_cast<uint64_t>(o * es), ap.part + p});
  }
  return out;
}

struct Burst {
  size_t first, last;  // elements
  uint64_t addr, beats;
};

// dma_burst_former: contiguous elements share an INCR burst inside one 4 KiB page and at most
// kMaxBurstBeats aligned bus windows.
std::vector<Burst> form_bursts(const std::vector<Element>& el, unsigned es, unsigned axi) {
  std::vector<Burst> out;
  for (size_t j = 0; j < el.size(); ++j) {
    const uint64_t a = el[j].addr;
    if (!out.empty()) {
      Burst& b = out.back();
      const uint64_t first_window = b.addr / axi, window = (a + es - 1) / axi;
      if (el[j - 1].addr + es == a && (a + es - 1) / 4096 == b.addr / 4096 && window - first_window < kMaxBurstBeats) {
        b.last = j;
        b.beats = window - first_window + 1;
        continue;
      }
    }
    out.push_back({j, j, a - a % axi, (a + es - 1) / axi - a / axi + 1});
  }
  return out;
}

}  // namespace

DmaEngine::BurstTime DmaEngine::dram_burst(bool write, uint64_t addr, uint64_t beats, uint64_t request) {
  ::tlm::tlm_generic_payload tx;
  DramBurst burst;
  burst.beats = beats;
  tx.set_command(write ? ::tlm::TLM_WRITE_COMMAND : ::tlm::TLM_READ_COMMAND);
  tx.set_address(addr);
  tx.set_data_ptr(nullptr);
  tx.set_data_length(0);
  tx.set_extension(&burst);
  const uint64_t now = to_cycles(sc_core::sc_time_stamp());
  sc_core::sc_time delay = cycle_time() * static_cast<double>(request > now ? request - now : 0);
  initiator_socket[2]->b_transport(tx, delay);
  tx.clear_extension(&burst);
  return {burst.first_beat, burst.last_beat, to_cycles(sc_core::sc_time_stamp() + delay)};
}

uint64_t DmaEngine::transfer_done(const isa::Instruction& inst, uint64_t accept) {
  const isa::Ap& dst = inst.ap("dst");
  const isa::Ap& src = inst.ap("src");
  const std::vector<Element> se = enumerate(src), de = enumerate(dst);
  const size_t n = se.size();
  const unsigned axi = DramMemory::axi_bytes(config_);
  if (src.space == isa::Space::kDram) {
    // Source walker -> bursts -> AR -> R beats -> unpacker -> destination packer/writes.
    const unsigned es = fp::info(src.dtype).bits / 8;
    const std::vector<Burst> bursts = form_bursts(se, es, axi);
    uint64_t prev = 0, closes = 0, reserved = 0, stall = 0;
    std::deque<std::pair<uint64_t, uint64_t>> held;  // (release cycle, beats) per burst in flight
    bool first = true;
    for (const Burst& b : bursts) {
      uint64_t request = accept + kWalkStart + b.last + 1 + closes + stall + kReadRequest;
      closes += kBurstClose;
      while (reserved + b.beats > kReadBufferBeats && !held.empty()) {
        if (held.front().first > request) {
          stall += held.front().first - request;
          request = held.front().first;
        }
        reserved -= held.front().second;
        held.pop_front();
      }
      reserved += b.beats;
      const BurstTime t = dram_burst(false, b.addr, b.beats, request);
      const uint64_t closed = request - kReadRequest;
      const double per_beat =
          b.beats > 1 ? static_cast<double>(t.last_beat - t.first_beat) / static_cast<double>(b.beats - 1) : 0.0;
      for (size_t j = b.first; j <= b.last; ++j) {
        const uint64_t beat = se[j].addr / axi - b.addr / axi;
        const uint64_t avail = t.first_beat + static_cast<uint64_t>(per_beat * static_cast<double>(beat)) + kUnpack;
        const bool new_partition = j > 0 && de[j].partition != de[j - 1].partition;
        const uint64_t walked = closed - (b.last - j);
        const uint64_t w = std::max({avail, walked, first ? 0 : prev + 1 + (new_partition ? 1 : 0)});
        prev = w;
        first = false;
      }
      held.push_back({prev + 1, b.beats});
    }
    return prev + kWriteDone;
  }
  if (dst.space == isa::Space::kDram) {
    // Source reads (a bubble per partition) -> burst former -> AW, W beats -> B.
    const unsigned es = fp::info(dst.dtype).bits / 8;
    const std::vector<Burst> bursts = form_bursts(de, es, axi);
    std::vector<uint64_t> enter(n);
    uint64_t bubbles = 0;
    for (size_t j = 0; j < n; ++j) {
      if (j > 0 && se[j].partition != se[j - 1].partition) ++bubbles;
      enter[j] = accept + kWalkStart + j + bubbles + kOnChipRead;
    }
    uint64_t done = accept;
    uint64_t w_free = 0;
    for (const Burst& b : bursts) {
      const uint64_t aw = enter[b.last] + kWriteRequest;
      const uint64_t w_start = std::max(aw + kWFollowsAw, w_free);
      const BurstTime t = dram_burst(true, b.addr, b.beats, w_start);
      w_free = t.last_beat + 1;
      done = std::max(done, t.end + kBDone);
    }
    return done;
  }
  // On chip -> on chip: one read per element and one write per packed word on one port.
  uint64_t words = 0, bubbles = 0;
  for (size_t j = 0; j < n; ++j) {
    if (j == 0 || de[j].partition != de[j - 1].partition || de[j].addr / 4 != de[j - 1].addr / 4) ++words;
    if (j > 0 && se[j].partition != se[j - 1].partition) ++bubbles;
  }
  return accept + kOnChipCopy + n + words + bubbles;
}

void DmaEngine::run_queue() {
  uint64_t ready_from = 0, idle_from = 0;
  for (next_ = 0; next_ < queue_.insts.size(); ++next_) {
    const isa::Instruction& inst = queue_.insts[next_];
    if (inst.op->engine == "any") {
      run_nop(next_, idle_from);
      continue;
    }
    const uint64_t head = head_cycle(next_);
    const uint64_t accept = resolve_wait(inst, head, std::max(head, ready_from));
    exec_.execute(inst);
    const uint64_t done = transfer_done(inst, accept);
    complete(next_, accept, done);
    last_pop_ = accept;
    have_pop_ = true;
    ready_from = done;
    idle_from = done + 1;
    keep_quantum(accept);
  }
}

}  // namespace tessera::tlm
