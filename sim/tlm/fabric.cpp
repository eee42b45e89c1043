#include "fabric.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <type_traits>

#include "pe_engine.hpp"
#include "ref/core_model.hpp"
#include "rtl/axi_dram.hpp"
#include "rtl/core_rtl.hpp"
#include "rtl/fetch_server.hpp"
#include "vec_timing.hpp"

namespace tessera::tlm {

namespace {

constexpr uint64_t kMaxBurstBeats = 16;
constexpr uint64_t kReadBufferBeats = 4 * kMaxBurstBeats;  // OutstandingReads x MaxBurstBeats
constexpr uint64_t kDescDepth = kReadBufferBeats + kMaxBurstBeats;
constexpr uint64_t kWBufBeats = 2 * kMaxBurstBeats;
constexpr uint64_t kElemDepth = 4;
constexpr size_t kDramMaxOutstanding = 64;  // AxiDram::kMaxOutstanding

// TESSERA_FABRIC_CHECK in the environment: check the DMA channels' streaming fast paths against
// the register model, cycle by cycle (Channel::checked_stream_cycle).
const bool check_fast_paths = std::getenv("TESSERA_FABRIC_CHECK") != nullptr;

// An access pattern's elements in dma_walk's order (partition-major, then ap_iter's order:
// dims[0] outermost), generated one at a time as the walker advances (the pattern of a large
// transfer is never materialised).
struct ElementIter {
  uint64_t base = 0;   // ap.addr
  uint32_t part0 = 0;  // first partition (on chip)
  // The pattern's dimensions of count > 1, innermost first, then count-1 ones (which never move).
  uint32_t count[3] = {1, 1, 1};
  // Bytes the address moves when dimension d advances and the dimensions inside it wrap to 0:
  // its stride less the inner dimensions' spans, in bytes (scale: 1 in DRAM, whose strides are
  // bytes, the element size on chip).
  int64_t step[3] = {0, 0, 0};
  uint32_t idx[3] = {0, 0, 0};
  uint64_t addr = 0;      // DRAM byte address, or on-chip byte offset in the partition
  uint32_t partition = 0; // on chip
  bool new_partition = false;  // the last next() moved to another partition

  void reset(const isa::Ap& ap, int64_t unit = 0) {
    *this = ElementIter{};
    base = ap.addr;
    const bool dram = ap.space == isa::Space::kDram;
    const int64_t scale = dram ? 1 : unit ? unit : fp::info(ap.dtype).bits / 8;
    part0 = dram ? 0 : ap.part;
    int64_t inner_span = 0;  // bytes from the first to the last element of the dimensions inside
    unsigned nd = 0;
    for (int d = 2; d >= 0; --d) {  // ap.dims[2] innermost
      if (ap.dims[d].count <= 1) continue;
      const int64_t stride = ap.dims[d].stride * scale;
      count[nd] = ap.dims[d].count;
      step[nd] = stride - inner_span;
      inner_span += static_cast<int64_t>(count[nd] - 1) * stride;
      ++nd;
    }
    addr = base;
    partition = part0;
  }
  void next() {
    new_partition = false;
    // Unrolled (this runs for every element of every transfer); unused dimensions have count 1.
    if (++idx[0] < count[0]) {
      addr += static_cast<uint64_t>(step[0]);
      return;
    }
    idx[0] = 0;
    if (++idx[1] < count[1]) {
      addr += static_cast<uint64_t>(step[1]);
      return;
    }
    idx[1] = 0;
    if (++idx[2] < count[2]) {
      addr += static_cast<uint64_t>(step[2]);
      return;
    }
    idx[2] = 0;
    ++partition;  // the free pattern is done: the next partition (DRAM patterns have one)
    new_partition = true;
    addr = base;
  }
};

// A fixed-capacity FIFO for the channel's small queues (their depths are the RTL's).
template <typename T, size_t N>
struct Ring {
  T v[N];
  size_t head = 0, count = 0;
  bool empty() const { return count == 0; }
  size_t size() const { return count; }
  const T& front() const { return v[head]; }
  void push_back(T x) { v[(head + count++) % N] = x; }
  void pop_front() {
    head = (head + 1) % N;
    --count;
  }
};

// Ports of one cycle, as sbuf.sv and tessera_core.sv arbitrate them: PSUM read (bit 16) and
// write (17), SBUF banks the tensor engine holds in every partition (bits 0..15, SharedTiming's
// layout), and per SBUF partition the banks granted since (sbuf.sv arbitrates per bank and
// partition: a DMA request claims one partition, an act/dve request the partitions of its
// range). `bank_mask`: the SBUF's word-interleaved banks per partition (CoreConfig::sbuf_banks,
// a power of two: cmake/TesseraPresets.cmake) - 1. Presets have at most 128 partitions
// (configs/presets.json; Impl's constructor checks).
struct PortCycle {
  static constexpr unsigned kParts = 128;
  uint32_t taken = 0;
  uint64_t bank_mask = 3;
  uint16_t banks[kParts] = {};  // per partition, bit b: bank b granted in this cycle
  PortCycle(uint32_t pe, uint64_t banks_minus_1) : taken(pe), bank_mask(banks_minus_1) {}
  // The next cycle, reusing this object.
  void begin(uint32_t pe) {
    taken = pe;
    std::memset(banks, 0, sizeof banks);
  }

  bool psum(bool we) {
    const unsigned bit = we ? SharedTiming::kPsumWrite : SharedTiming::kPsumRead;
    if (taken >> bit & 1u) return false;
    taken |= 1u << bit;
    return true;
  }
  uint32_t bank_bit(uint64_t word) const { return 1u << (word & bank_mask); }
  // A DMA request for the banks `b` (one bit per bank) of SBUF partition `part`.
  bool claim(uint32_t b, uint32_t part) {
    if ((taken | banks[part]) & b) return false;
    banks[part] = static_cast<uint16_t>(banks[part] | b);
    return true;
  }
  // A DMA request: `word` of SBUF partition `part`.
  bool sbuf(uint64_t word, uint32_t part) { return claim(bank_bit(word), part); }
  // A wide DMA request (8-byte units): the even `word` and the next, i.e. the two neighbouring
  // banks of one row, in partition `part`; granted only when both are free (sbuf.sv: the word's
  // bank and that bank with its low bit set, i.e. the next one for an even word; the bank count
  // is a power of two >= 2).
  bool sbuf2(uint64_t word, uint32_t part) {
    const uint64_t b = word & bank_mask;
    return claim(1u << b | 1u << (b | 1), part);
  }
  // A DMA request to PSUM (a read or a write port) or to `word` of SBUF partition `part`.
  bool request(bool to_psum, bool we, uint64_t word, uint32_t part, bool wide = false) {
    return to_psum ? psum(we) : wide ? sbuf2(word, part) : sbuf(word, part);
  }
  // An act/dve request: `word` in partitions [part, part + parts) (a verilated engine's request
  // is clipped to the array, as a partition mask would be).
  bool sbuf_range(uint64_t word, uint32_t part, uint32_t parts) {
    const uint32_t b = bank_bit(word);
    if (taken & b) return false;
    const uint32_t end = std::min<uint32_t>(part + parts, kParts);
    uint32_t used = 0;
    for (uint32_t p = part; p < end; ++p) used |= banks[p];
    if (used & b) return false;
    for (uint32_t p = part; p < end; ++p) banks[p] = static_cast<uint16_t>(banks[p] | b);
    return true;
  }
};

// dma_channel, register by register (rtl/dma/dma_channel.sv, dma_walk.sv, dma_burst_former.sv).
struct Channel {
  struct Walker {
    size_t pos = 0;
    uint64_t from = 0;  // valid from this cycle (ap_iter start, partition restart)
    ElementIter el;     // the element at pos
  };
  bool busy = false;
  uint64_t from = 0;  // first cycle with the instruction registered (accept + 1)
  bool src_dram = false, dst_dram = false, src_psum = false, dst_psum = false;
  size_t n = 0;
  uint64_t es_bf = 1;
  Walker sw, dw;
  bool bf_open = false, bf_flush = false;
  uint64_t bf_first = 0, bf_win = 0, bf_end = 0, bf_beats = 0, bf_cnt = 0;
  Ring<uint32_t, kDescDepth> desc;
  Ring<uint32_t, 2> burst_q;
  uint64_t rb_reserved = 0, rdata = 0, un_idx = 0;
  bool mr_valid = false, mr_we = false, mr_psum = false, rm_valid = false;
  uint64_t mr_word = 0, oc_count = 0;
  uint32_t mr_part = 0;
  bool pk_valid = false, pk_last = false;
  uint32_t pk_part = 0;
  uint64_t pk_word = 0;
  uint64_t wq_count = 0, b_pending = 0;
  Ring<uint32_t, kWBufBeats> wq_bytes;  // strobed bytes of each W beat in the buffer (timeline counters)
  bool dst_last = false;
  // Nothing can happen in this channel before its next R beat or B response arrives (edge_t()).
  bool asleep = false;
  // A cycle's combinational values (comb_t() computes them, edge_t() registers them).
  struct Comb {
    bool sw_fire, dst_fire, dw_last, fire, beat_space, burst_space, in_ready, gnt, flush_do, rd_do, oc_accept,
        same_word, un_pop, fin, bf_in_last;
    uint64_t bf_addr, el_word;
    uint32_t el_part;
  };

  void start(const isa::Instruction& inst, uint64_t accept) {
    const isa::Ap& dst = inst.ap("dst");
    const isa::Ap& src = inst.ap("src");
    *this = Channel{};
    busy = true;
    from = accept + 1;
    n = src.elements();
    src_dram = src.space == isa::Space::kDram;
    dst_dram = dst.space == isa::Space::kDram;
    src_psum = src.space == isa::Space::kPsum;
    dst_psum = dst.space == isa::Space::kPsum;
    es_bf = fp::info(src_dram ? src.dtype : dst.dtype).bits / 8;
    kind = (src_dram ? 2u : 0u) + (dst_dram ? 1u : 0u);
    sw.from = dw.from = accept + 2;
    isa::Ap s8, d8;
    wide = wide_units(src, dst, s8, d8);
    if (wide) {  // the same transfer in 8-byte units
      n = s8.elements();
      es_bf = 8;
      sw.el.reset(s8, 8);
      dw.el.reset(d8, 8);
      return;
    }
    sw.el.reset(src);
    dw.el.reset(dst);
  }
  // 8-byte units (dma_channel.sv's unit_ok, unit_n, unit_s): a same-format copy between DRAM and
  // the SBUF whose two patterns are runs of whole, 8-byte aligned units walks them as 8-byte
  // elements, one per cycle, each SBUF request claiming a bank pair (PortCycle::sbuf2). A
  // pattern qualifies with an 8-byte aligned start, its innermost dimension of count > 1
  // contiguous and a whole number of units long, and every outer dimension of count > 1 a
  // multiple of 8 bytes apart; `o` is the pattern in units (the channel's registers).
  bool wide = false;
  static bool wide_side(const isa::Ap& a, isa::Ap& o) {
    const bool dram = a.space == isa::Space::kDram;
    const int64_t es = fp::info(a.dtype).bits / 8, scale = dram ? 1 : es;
    if (a.addr % 8 != 0) return false;
    int inner = -1;
    for (int d = 2; d >= 0; --d)
      if (a.dims[d].count > 1) { inner = d; break; }
    if (inner < 0) return false;
    if (a.dims[inner].stride * scale != es || (a.dims[inner].count * es) % 8 != 0) return false;
    o = a;
    o.dims[inner].count = static_cast<uint32_t>(a.dims[inner].count * es / 8);
    o.dims[inner].stride = dram ? 8 : 1;
    for (int d = 0; d < inner; ++d) {
      if (a.dims[d].count <= 1) continue;
      if ((a.dims[d].stride * scale) % 8 != 0) return false;
      o.dims[d].stride = static_cast<int32_t>(dram ? a.dims[d].stride : a.dims[d].stride * es / 8);
    }
    return true;
  }
  static bool wide_units(const isa::Ap& src, const isa::Ap& dst, isa::Ap& s8, isa::Ap& d8) {
    if (src.dtype != dst.dtype) return false;
    const bool sd = src.space == isa::Space::kDram, dd = dst.space == isa::Space::kDram;
    if (sd == dd) return false;
    if ((sd ? dst.space : src.space) != isa::Space::kSbuf) return false;
    return wide_side(src, s8) && wide_side(dst, d8);
  }
  bool ar_req() const { return busy && src_dram && !burst_q.empty() && rb_reserved + burst_q.front() <= kReadBufferBeats; }
  bool aw_req() const { return busy && !src_dram && !burst_q.empty(); }

  // What cycle() reports to the engine level.
  enum : unsigned { kSbufGrant = 1, kArReq = 2, kAwReq = 4, kFinished = 8 };
  // One cycle of the channel: its combinational logic under this cycle's port grants, its AR/AW
  // requests (as they stand before the edge), then its rising edge. The engine level's own
  // updates of the channel at the same edge (an R beat, a B response, an AR/AW taking a burst,
  // a W beat taking a beat) commute with the channel's: counters and FIFOs pushed at one end and
  // popped at the other, decided from values read before the edge. Compiled once per direction
  // (kSrc/kDstDram shadow the members src_dram and dst_dram), with the combinational values in
  // registers.
  unsigned kind = 0;  // src_dram * 2 + dst_dram
  unsigned cycle(uint64_t t, PortCycle& ports, uint64_t axi) {
    switch (kind) {
      case 0: return cycle_t<false, false>(t, ports, axi);
      case 1: return cycle_t<false, true>(t, ports, axi);
      case 2: return cycle_t<true, false>(t, ports, axi);
      default: return cycle_t<true, true>(t, ports, axi);
    }
  }
  template <bool kSrcDram, bool kDstDram>
  unsigned cycle_t(uint64_t t, PortCycle& ports, uint64_t axi) {
    if constexpr (kSrcDram != kDstDram) {
      if (kSrcDram ? load_streaming(t, axi) : store_streaming(t, axi)) {
        if (check_fast_paths) return checked_stream_cycle<kSrcDram>(t, ports, axi, 0);
        return kSrcDram ? load_stream_cycle(t, ports) : store_stream_cycle(t, ports);
      }
      if (kSrcDram && load_forming(t, axi)) {
        if (check_fast_paths) return checked_stream_cycle<kSrcDram>(t, ports, axi, 1);
        return load_form_cycle(t);
      }
    }
    return register_cycle<kSrcDram, kDstDram>(t, ports, axi);
  }
  // The register model's cycle (every state; the reference of the fast paths).
  template <bool kSrcDram, bool kDstDram>
  unsigned register_cycle(uint64_t t, PortCycle& ports, uint64_t axi) {
    Comb c{};
    comb_t<kSrcDram, kDstDram>(t, ports, c);
    const unsigned out = (c.gnt && !mr_psum ? kSbufGrant : 0u) | (ar_req() ? kArReq : 0u) | (aw_req() ? kAwReq : 0u);
    return out | (edge_t<kSrcDram, kDstDram>(t, axi, c) ? kFinished : 0u);
  }

  template <bool kSrcDram, bool kDstDram>
  void comb_t(uint64_t t, PortCycle& ports, Comb& c) {
    constexpr bool src_dram = kSrcDram, dst_dram = kDstDram;
    const bool sw_valid = sw.pos < n && t >= sw.from;
    const bool dw_valid = dw.pos < n && t >= dw.from;
    c.dw_last = dw.pos + 1 == n;
    const bool el_valid = src_dram ? (!desc.empty() && rdata != 0) : oc_count != 0;
    bool bf_in_valid = false;
    c.bf_in_last = false;
    c.bf_addr = 0;
    if (src_dram) {
      bf_in_valid = sw_valid;
      if (sw_valid) c.bf_addr = sw.el.addr, c.bf_in_last = sw.pos + 1 == n;
    } else if (dst_dram) {
      bf_in_valid = dw_valid && el_valid;
      if (dw_valid) c.bf_addr = dw.el.addr, c.bf_in_last = c.dw_last;
    }
    c.beat_space = src_dram ? desc.size() < kDescDepth : wq_count < kWBufBeats;
    c.burst_space = burst_q.size() < 2;
    c.in_ready = !bf_flush && c.beat_space && c.burst_space;
    c.fire = bf_in_valid && c.in_ready;
    c.gnt = mr_valid && ports.request(mr_psum, mr_we, mr_word, mr_part, wide);
    const bool mr_can_load = !mr_valid || c.gnt;
    const bool oc_in_valid = !dst_dram && dw_valid && el_valid;
    c.el_part = dw_valid ? dw.el.partition : 0;
    c.el_word = dw_valid ? dw.el.addr >> 2 : 0;
    c.same_word = pk_valid && pk_part == c.el_part && pk_word == c.el_word;
    const bool need_flush = pk_valid && (pk_last || (oc_in_valid && !c.same_word));
    c.flush_do = need_flush && mr_can_load;
    c.oc_accept = oc_in_valid && (!pk_valid || c.same_word || c.flush_do);
    const bool rd_credit = (mr_valid && !mr_we ? 1u : 0u) + (rm_valid ? 1u : 0u) + oc_count < kElemDepth;
    c.rd_do = !src_dram && sw_valid && mr_can_load && !c.flush_do && rd_credit;
    c.sw_fire = sw_valid && (src_dram ? c.in_ready : c.rd_do);
    c.dst_fire = dst_dram ? c.fire : c.oc_accept;
    c.un_pop = src_dram && c.dst_fire && un_idx + 1 == desc.front();
    const bool bf_busy = bf_open || bf_flush;
    c.fin = (dst_last || (c.dst_fire && c.dw_last)) &&
            (dst_dram ? (!bf_busy && b_pending == 0 && !c.fire) : (!pk_valid && !c.oc_accept && (!mr_valid || c.gnt)));
  }

  // The burst former takes the next element into the beat it is filling: its address continues
  // the beat, in the same 4 KiB page and AXI window (the callers rule out the last element, which
  // closes the burst). The page needs no test of its own: an open beat's window lies in the
  // burst's first page (edge_t() continues a burst only within it) and an AXI window (at most
  // 4 KiB, Impl's constructor) in one page, so an address in the window is in the page.
  bool bf_extends(uint64_t addr, uint64_t axi) const {
    return !bf_flush && burst_q.size() < 2 && bf_open && addr == bf_end && (addr & ~(axi - 1)) == bf_win;
  }
  // On-chip -> DRAM in its steady state: a read request waiting for its grant, an element read
  // (oc_count) entering the burst former in the beat it is filling, and neither the last element
  // nor a full W buffer or burst queue ahead. comb_t()/edge_t() then reduce to
  // store_stream_cycle() below (derived from them term by term; the packer is never used towards
  // DRAM, and mr_we is never set: the read request's grant decides the rest).
  bool store_streaming(uint64_t t, uint64_t axi) const {
    return mr_valid && oc_count != 0 && dw.pos + 1 < n && t >= dw.from && wq_count < kWBufBeats &&
           bf_extends(dw.el.addr, axi);
  }
  unsigned store_stream_cycle(uint64_t t, PortCycle& ports) {
    const bool sw_valid = sw.pos < n && t >= sw.from;
    const bool gnt = ports.request(mr_psum, mr_we, mr_word, mr_part, wide);
    const bool rd_do = sw_valid && gnt && 1u + (rm_valid ? 1u : 0u) + oc_count < kElemDepth;
    const unsigned out = (gnt && !mr_psum ? kSbufGrant : 0u) | (burst_q.empty() ? 0u : kAwReq);
    // the element enters the beat being filled
    bf_end = dw.el.addr + es_bf;
    ++bf_cnt;
    oc_count = oc_count + (rm_valid ? 1 : 0) - 1;
    rm_valid = gnt;
    if (gnt) mr_valid = false;
    if (rd_do) {
      mr_valid = true, mr_psum = src_psum, mr_word = sw.el.addr >> 2, mr_part = sw.el.partition;
      advance(sw, true, t);
    }
    advance(dw, false, t);
    asleep = false;  // sleeps<false, true>() needs a closed beat, and this one stays open
    return out;
  }

  // DRAM -> on chip in its steady state: the packer holds an element whose write request
  // (mr, a flush) waits for its grant, the unpacker offers the next element (not the last one),
  // and the source walker either does nothing in this cycle (it is done, not yet valid, or held
  // by a full descriptor or burst queue) or extends the beat it is filling. comb_t()/edge_t()
  // then reduce to load_stream_cycle() (derived from them term by term: mr is always a write
  // towards on chip, rm_valid and oc_count stay 0, and the transfer cannot finish while the
  // packer holds an element).
  bool sw_fires(uint64_t t) const {  // the source walker offers an element the burst former takes
    return sw.pos < n && t >= sw.from && desc.size() < kDescDepth && burst_q.size() < 2;
  }
  bool load_streaming(uint64_t t, uint64_t axi) const {
    return pk_valid && !pk_last && mr_valid && dw.pos + 1 < n && t >= dw.from && !desc.empty() && rdata != 0 &&
           !bf_flush && (!sw_fires(t) || (sw.pos + 1 < n && bf_extends(sw.el.addr, axi)));
  }
  unsigned load_stream_cycle(uint64_t t, PortCycle& ports) {
    const bool sw_fire = sw_fires(t);
    const bool gnt = ports.request(mr_psum, mr_we, mr_word, mr_part, wide);
    const unsigned out = (gnt && !mr_psum ? kSbufGrant : 0u) | (ar_req() ? kArReq : 0u);
    const uint32_t el_part = dw.el.partition;
    const uint64_t el_word = dw.el.addr >> 2;
    const bool same_word = pk_part == el_part && pk_word == el_word;
    const bool flush_do = !same_word && gnt;
    if (sw_fire) {
      bf_end = sw.el.addr + es_bf;
      ++bf_cnt;
      advance(sw, false, t);
    }
    if (gnt) mr_valid = false;
    if (flush_do) mr_valid = true, mr_we = true, mr_psum = dst_psum, mr_word = pk_word, mr_part = pk_part;
    if (same_word || flush_do) {  // the element enters the packer
      unpacker_take(un_idx + 1 == desc.front());
      if (!same_word) pk_part = el_part, pk_word = el_word;
      advance(dw, true, t);
    }
    asleep = sleeps<true, false>();
    return out;
  }

  // DRAM -> on chip while the source walker forms bursts ahead of the data: the packer is empty
  // and no write request waits (so no port is requested), the unpacker has no element (no R
  // beat, or no beat described), and the source walker extends the beat it is filling with an
  // element other than the last. comb_t()/edge_t() then reduce to the walker's step (derived
  // from them term by term: nothing reaches the destination side, the transfer cannot finish).
  bool load_forming(uint64_t t, uint64_t axi) const {
    return !pk_valid && !mr_valid && !dst_last && (desc.empty() || rdata == 0) && sw_fires(t) && sw.pos + 1 < n &&
           bf_extends(sw.el.addr, axi);
  }
  unsigned load_form_cycle(uint64_t t) {
    const unsigned out = ar_req() ? kArReq : 0u;
    bf_end = sw.el.addr + es_bf;
    ++bf_cnt;
    advance(sw, false, t);
    asleep = false;  // sleeps<true, false>() needs every element formed: this was not the last
    return out;
  }

  // TESSERA_FABRIC_CHECK set: each fast-path cycle (`path` 0: streaming, 1: load forming) also
  // runs comb_t()/edge_t() on a copy of the channel and of the port state, and any difference in
  // the registers, the port claims or the outputs is an internal error (the tlm.vs_rtl tests run
  // this way: tests/tlm/tlm_tests.cmake).
  template <bool kSrcDram>
  unsigned checked_stream_cycle(uint64_t t, PortCycle& ports, uint64_t axi, int path) {
    static_assert(std::is_trivially_copyable_v<Channel> && std::is_trivially_copyable_v<PortCycle>);
    Channel ref;  // byte copies, so that memcmp() compares padding that both sides left alone
    std::memcpy(static_cast<void*>(&ref), this, sizeof ref);
    PortCycle ref_ports(0, 0);
    std::memcpy(static_cast<void*>(&ref_ports), &ports, sizeof ports);
    const unsigned expect = ref.register_cycle<kSrcDram, !kSrcDram>(t, ref_ports, axi);
    const unsigned out = path == 1        ? load_form_cycle(t)
                         : kSrcDram ? load_stream_cycle(t, ports)
                                    : store_stream_cycle(t, ports);
    if (out != expect || std::memcmp(static_cast<const void*>(&ref), this, sizeof ref) != 0 ||
        std::memcmp(static_cast<const void*>(&ref_ports), &ports, sizeof ports) != 0)
      throw std::logic_error(fmt::format("fabric: the {} {} cycle at cycle {} differs from the register model",
                                         kSrcDram ? "DRAM -> on-chip" : "on-chip -> DRAM",
                                         path == 1 ? "burst-forming" : "streaming", t));
    return out;
  }

  // The unpacker hands an element of its head R beat on; the beat's last one frees the beat.
  void unpacker_take(bool last_of_beat) {
    if (!last_of_beat) {
      ++un_idx;
      return;
    }
    un_idx = 0;
    desc.pop_front();
    --rdata;
    --rb_reserved;
  }

  void advance(Walker& w, bool onchip, uint64_t t) {
    ++w.pos;
    w.el.next();
    w.from = t + 1;
    if (onchip && w.pos < n && w.el.new_partition) w.from = t + 2;  // ap_iter restart
  }

  // The rising edge at the end of cycle t (after the engine-level registers took their share).
  // Returns true when the transfer finished (done_o in cycle t + 1).
  template <bool kSrcDram, bool kDstDram>
  bool edge_t(uint64_t t, uint64_t axi, const Comb& c) {
    constexpr bool src_dram = kSrcDram, dst_dram = kDstDram;
    bool beat_push = false, burst_push = false;
    const uint64_t old_beats = bf_beats, old_cnt = bf_cnt;
    if (bf_flush) {
      if (c.beat_space && c.burst_space) {
        beat_push = burst_push = true;
        bf_open = bf_flush = false;
      }
    } else if (c.fire) {
      const uint64_t in_win = c.bf_addr & ~(axi - 1);  // axi: a power of two (rtl::axi_bytes)
      const bool contig = bf_open && c.bf_addr == bf_end && c.bf_addr / 4096 == bf_first / 4096;
      const bool same_beat = contig && in_win == bf_win;
      const bool next_beat = contig && !same_beat && bf_beats < kMaxBurstBeats;
      bf_end = c.bf_addr + es_bf;
      bf_flush = c.bf_in_last;
      if (same_beat) {
        ++bf_cnt;
      } else {
        beat_push = bf_open;
        burst_push = bf_open && !next_beat;
        if (!next_beat) bf_first = in_win, bf_beats = 1;
        else ++bf_beats;
        bf_open = true;
        bf_win = in_win;
        bf_cnt = 1;
      }
    }
    if (beat_push) {
      if (src_dram) desc.push_back(static_cast<uint32_t>(old_cnt));
      else ++wq_count, wq_bytes.push_back(static_cast<uint32_t>(old_cnt * es_bf));
    }
    if (burst_push) {
      burst_q.push_back(static_cast<uint32_t>(old_beats));
      if (dst_dram) ++b_pending;
    }
    if (src_dram && c.dst_fire) unpacker_take(c.un_pop);
    const bool rm_next = mr_valid && c.gnt && !mr_we;
    if (!src_dram) oc_count = oc_count + (rm_valid ? 1 : 0) - (c.dst_fire ? 1 : 0);
    rm_valid = rm_next;
    if (c.gnt) mr_valid = false;
    if (c.flush_do) {
      mr_valid = true, mr_we = true, mr_psum = dst_psum, mr_word = pk_word, mr_part = pk_part;
    } else if (c.rd_do) {
      mr_valid = true, mr_we = false, mr_psum = src_psum, mr_word = sw.el.addr >> 2, mr_part = sw.el.partition;
    }
    if (c.flush_do) pk_valid = false;
    if (c.oc_accept) {
      pk_valid = true;
      pk_last = c.dw_last;
      if (!c.same_word) pk_part = c.el_part, pk_word = c.el_word;
    }
    if (c.dst_fire && c.dw_last) dst_last = true;
    if (c.sw_fire) advance(sw, !src_dram, t);
    if (c.dst_fire) advance(dw, !dst_dram, t);
    if (c.fin) busy = false;
    asleep = sleeps<kSrcDram, kDstDram>();
    return c.fin;
  }
  // States in which comb_t() finds nothing to do until the DRAM answers, so the fabric skips
  // the channel (its registers hold) until the R beat or B response: reading DRAM with every
  // burst requested, no R beat buffered and no mem request pending; writing DRAM with every W
  // beat handed to the engine and B responses outstanding.
  template <bool kSrcDram, bool kDstDram>
  bool sleeps() const {
    constexpr bool src_dram = kSrcDram, dst_dram = kDstDram;
    const bool formed = sw.pos >= n && !bf_open && !bf_flush && burst_q.empty() && !mr_valid;
    return busy && formed &&
           (src_dram ? rdata == 0 && !desc.empty()
                     : dst_dram && dw.pos >= n && wq_count == 0 && b_pending > 0 && !rm_valid && oc_count == 0);
  }
};

}  // namespace

struct Fabric::Impl {
  const CoreConfig& config;
  Semaphores& sems;
  SharedTiming& shared;
  struct Queue {
    Engine* e = nullptr;
    bool dma = false;
    unsigned unit = 0;  // channel index, or ext engine index (0 act, 1 dve)
    bool busy = false;  // an instruction in flight
    uint64_t busy_index = 0, busy_issue = 0;
    uint64_t idle_from = 0;  // the cycle after the last completion
  };
  std::vector<Queue> queues;
  unsigned busy_queues = 0;  // queues with an instruction in flight (Queue::busy)
  std::vector<Channel> chans;
  // The channels step_ports() visits (bit i: chans[i]): busy and not asleep (Channel::sleeps),
  // kept as they start, finish, fall asleep and are woken by an R beat or a B response.
  uint32_t chan_awake = 0;
  // --rtl dma: the verilated DMA engine and the instruction words of its queues.
  DmaFactory make_rtl_dma;
  std::unique_ptr<cosim::DmaBlock> rtl_dma;
  std::vector<std::vector<std::vector<uint8_t>>> words;  // per queue
  // The act/dve engines' timing (vec_timing.hpp, docs/vec_engines.md): three ports each, after
  // the DMA's in priority order (act read 0, read 1, write, then dve's).
  VecTiming ext[2];
  // --rtl act / dve: the verilated engines of vec_rtl (bit e: engine e) in place of ext[e].
  VecFactory make_rtl_vec;
  unsigned vec_rtl = 0;
  std::unique_ptr<cosim::VecBlock> rtl_vec;
  bool vec_is_rtl(unsigned e) const { return rtl_vec && (vec_rtl >> e & 1u); }
  // dma_engine's AXI registers and the W order FIFO
  bool ar_valid = false, aw_valid = false, w_valid = false;
  unsigned ar_id = 0, aw_id = 0, ar_ptr = 0, aw_ptr = 0;
  uint64_t ar_beats = 0, aw_beats = 0, w_beat = 0, w_bytes = 0;
  std::deque<std::pair<unsigned, uint64_t>> wo;  // (queue, beats) in AW order
  // AXI DRAM
  struct DramBurst {
    unsigned id;
    uint64_t beats, done, ready;
  };
  std::deque<DramBurst> reads, writes;
  std::deque<std::pair<unsigned, uint64_t>> bresps;
  double tokens = 0, rate = 0, cap = 0;
  uint64_t axi = 8, latency = 1;

  Impl(const CoreConfig& c, Semaphores& s, SharedTiming& sh) : config(c), sems(s), shared(sh) {
    axi = rtl::axi_bytes(c);
    if ((axi & (axi - 1)) || axi > 4096) throw std::logic_error("fabric: the AXI data width must be a power of two <= 4 KiB");
    if (c.rows > 128 || c.sbuf_banks > 16 || c.sbuf_banks < 2)  // sbuf.sv: at least two (a wide request's pair)
      throw std::logic_error("fabric: more than 128 partitions, or SBUF banks not in 2..16");
    rate = static_cast<double>(c.dram_bytes_per_cycle);
    cap = static_cast<double>(axi) + rate;
    tokens = static_cast<double>(axi);
    latency = std::max<uint64_t>(1, c.dram_latency_cycles);
    port_cycle = PortCycle(0, c.sbuf_banks - 1);
  }

  bool dram_idle() const {
    if (rtl_dma && !rtl_dma->idle()) return false;
    return reads.empty() && writes.empty() && bresps.empty() && !ar_valid && !aw_valid && !w_valid && wo.empty();
  }
  bool units_idle() const {
    if (busy_queues != 0) return false;
    for (const Queue& q : queues)
      if (q.busy) return false;
    for (const Channel& ch : chans)
      if (ch.busy) return false;
    return !ext[0].busy() && !ext[1].busy();  // an engine in its done cycle requests nothing
  }

  // The tensor engine's horizon: cycles < pe_limit() have all their tensor-engine port use
  // and signals published.
  uint64_t pe_limit() const {
    if (shared.pe_state == SharedTiming::PeState::kDone) return kNever;
    if (shared.pe_state == SharedTiming::PeState::kRunning) return shared.pe_cycle;
    return std::max(shared.pe_wait_lower, sems.known_time(shared.pe_wait_sem, shared.pe_wait_value));
  }

  // Can queue q issue its head instruction (or complete its nop) in cycle t?
  bool wait_holds(const isa::Instruction& inst, uint64_t t) const {
    return !inst.wait_en || sems.known_time(inst.wait_sem, inst.wait_value) <= t;
  }

  // Queues that may issue (bit i: queues[i]): not known to be busy or out of instructions.
  // issue_or_nop() clears a queue's bit when it finds it busy or done, finish() sets it again,
  // so the step visits only the few queues waiting for an instruction, not all 16 + 2.
  uint64_t may_issue = 0;
  void issue_or_nop(Queue& q, uint64_t t, std::vector<std::pair<Queue*, size_t>>& accepted) {
    Engine& e = *q.e;
    if (q.busy || e.next_ >= e.queue_.insts.size()) {
      may_issue &= ~(uint64_t{1} << (&q - queues.data()));
      return;
    }
    const isa::Instruction& inst = e.queue_.insts[e.next_];
    const uint64_t head = e.head_cycle(e.next_);
    if (t < head || !wait_holds(inst, t)) return;
    e.count_sem_stall(inst, head, t);
    if (inst.op->engine == "any") {
      if (t < q.idle_from) return;
      e.complete(e.next_, t, t);
      e.last_pop_ = t;
      e.have_pop_ = true;
      ++e.next_;
      return;
    }
    e.run_numerics(inst, t);
    e.checked(e.next_, t);
    start_busy(q, e.next_, t);
    e.last_pop_ = t;
    e.have_pop_ = true;
    accepted.push_back({&q, e.next_});
    ++e.next_;
  }

  // Queue q's sequencer issued its instruction `index` in cycle t (finish() ends it).
  void start_busy(Queue& q, size_t index, uint64_t t) {
    q.busy = true;
    ++busy_queues;
    q.busy_index = index;
    q.busy_issue = t;
  }

  void finish(Queue& q, uint64_t done) {
    // --rtl seq: the engine's done output in cycle `done` (t + 1), in the core's queue order
    if (seq) ++seq_done_next[static_cast<size_t>(rtl::queue_index(q.e->queue_.engine))];
    if (!q.busy) throw std::logic_error("fabric: a completion for " + q.e->queue_.engine + ", which has nothing in flight");
    q.busy = false;
    --busy_queues;
    may_issue |= uint64_t{1} << (&q - queues.data());
    q.idle_from = done + 1;
    q.e->complete(q.busy_index, q.busy_issue, done);
  }

  // The earliest cycle >= t in which some queue could act, with nothing in flight.
  uint64_t next_event(uint64_t t) const {
    uint64_t best = kNever;
    for (const Queue& q : queues) {
      const Engine& e = *q.e;
      if (e.next_ >= e.queue_.insts.size()) continue;
      const isa::Instruction& inst = e.queue_.insts[e.next_];
      uint64_t c = std::max({t, e.head_cycle(e.next_), q.idle_from * (inst.op->engine == "any" ? 1u : 0u)});
      if (inst.wait_en) {
        const uint64_t k = sems.known_time(inst.wait_sem, inst.wait_value);
        if (k == kNever) continue;
        c = std::max(c, k);
      }
      best = std::min(best, c);
    }
    return best;
  }

  // Timeline counters per kTrafficWindow cycles: DRAM bytes read and written, SBUF accesses
  // granted below the tensor engine (its own are added from SharedTiming at the end).
  std::vector<kernels::TrafficSample> traffic;
  kernels::TrafficSample& window(uint64_t t) {
    const uint64_t w = t / rtl::kTrafficWindow;
    if (traffic.size() <= w) traffic.resize(w + 1);
    return traffic[w];
  }

  std::vector<std::pair<Queue*, size_t>> accepted;
  PortCycle port_cycle{0, 0};  // the current cycle's port claims (step())
  std::vector<Queue*> chan_queue;
  Queue* ext_queue[2] = {nullptr, nullptr};

  // --rtl dma, cycle t up to the arbitration: offer each DMA queue's head, grant the on-chip
  // requests in priority order, take the accepts and completions.
  void rtl_dma_cycle(uint64_t t, PortCycle& ports) {
    const unsigned nq = static_cast<unsigned>(chan_queue.size());
    std::vector<const std::vector<uint8_t>*> offers(nq, nullptr);
    for (unsigned u = 0; u < nq; ++u)
      if (chan_queue[u]) offers[u] = rtl_offer(*chan_queue[u], t);
    rtl_dma->offer(t, offers);
    uint32_t grant = 0;
    for (unsigned u = 0; u < nq; ++u) {
      const cosim::DmaBlock::Request r = rtl_dma->request(u);
      if (r.valid && ports.request(r.psum, r.we, r.word, r.part, r.wide)) grant |= 1u << u;
    }
    rtl_dma->grant(grant);
    for (unsigned u = 0; u < nq; ++u)
      if ((grant >> u & 1u) && !rtl_dma->request(u).psum) ++window(t).sbuf_accesses;
    const uint32_t done = rtl_dma->done();
    for (unsigned u = 0; u < nq; ++u) {
      if (!(done >> u & 1u)) continue;
      Queue& q = *chan_queue[u];
      const size_t i = q.busy_index;
      finish(q, t);
      q.e->checked(i, t);
    }
    for (unsigned u = 0; u < nq; ++u)
      if (offers[u] && rtl_dma->ready(u)) rtl_accepted(*chan_queue[u], t);
  }

  void step(uint64_t t) {
    accepted.clear();
    issue(t);
    step_ports(t);
  }

  // The queues' sequencers in cycle t: instructions accepted, nops completed.
  void issue(uint64_t t) {
    if (!rtl_dma && !rtl_vec) {
      for (uint64_t m = may_issue; m != 0; m &= m - 1) issue_or_nop(queues[static_cast<size_t>(__builtin_ctzll(m))], t, accepted);
    } else {
      for (Queue& q : queues) {
        // the verilated DMA and act/dve engines take their own instructions; only their nops
        // complete here
        if (q.dma ? rtl_dma != nullptr : vec_is_rtl(q.unit)) {
          const Engine& e = *q.e;
          if (e.next_ >= e.queue_.insts.size() || e.queue_.insts[e.next_].op->engine != "any") continue;
        }
        issue_or_nop(q, t, accepted);
      }
    }
  }

  // The instruction the sequencer offers the verilated engine `q` in cycle t (its queue's head,
  // not a nop, its wait satisfied; busy or not, as the core's sequencers do), or null.
  const std::vector<uint8_t>* rtl_offer(const Queue& q, uint64_t t) const {
    const Engine& e = *q.e;
    if (e.next_ >= e.queue_.insts.size()) return nullptr;
    const isa::Instruction& inst = e.queue_.insts[e.next_];
    if (t < e.head_cycle(e.next_) || !wait_holds(inst, t) || inst.op->engine == "any") return nullptr;
    return &words[static_cast<size_t>(&q - queues.data())][e.next_];
  }

  // The verilated engine `q` took its offered instruction in cycle t.
  void rtl_accepted(Queue& q, uint64_t t) {
    Engine& e = *q.e;
    const isa::Instruction& inst = e.queue_.insts[e.next_];
    e.count_sem_stall(inst, e.head_cycle(e.next_), t);
    start_busy(q, e.next_, t);
    e.last_pop_ = t;
    e.have_pop_ = true;
    ++e.next_;
  }

  // Cycle t after the instructions were accepted: the ports, the DMA channels and the AXI DRAM,
  // the act/dve port sides; the rising edge.
  void step_ports(uint64_t t) {
    PortCycle& ports = port_cycle;
    ports.begin(shared.pe_ports(t));
    kernels::TrafficSample& win = window(t);  // the only window of this cycle: no resize below
    if (rtl_dma) rtl_dma_cycle(t, ports);
    // AXI DRAM outputs
    const bool r_valid = !reads.empty() && reads.front().ready <= t && tokens >= static_cast<double>(axi);
    const bool w_ready = !writes.empty() && tokens >= static_cast<double>(axi) * (r_valid ? 2.0 : 1.0);
    const bool b_valid = !bresps.empty() && bresps.front().second <= t;
    const bool ar_ready = reads.size() < kDramMaxOutstanding;
    const bool aw_ready = writes.size() < kDramMaxOutstanding;
    // channels in priority order
    const unsigned nq = static_cast<unsigned>(chans.size());
    // The W register loads from the buffer of the channel first in AW order, if it holds a beat
    // before this edge.
    const bool w_load = (!w_valid || w_ready) && !wo.empty() && chans[wo.front().first].wq_count != 0;
    uint32_t ar_req = 0, aw_req = 0;
    for (uint32_t m = chan_awake; m != 0; m &= m - 1) {  // in index (priority) order
      const unsigned i = static_cast<unsigned>(__builtin_ctz(m));
      Channel& ch = chans[i];
      if (t < ch.from) continue;
      const unsigned r = ch.cycle(t, ports, axi);
      if (!ch.busy || ch.asleep) chan_awake &= ~(1u << i);
      win.sbuf_accesses += r & Channel::kSbufGrant;  // the flags without branches: bit 0, 1, 2
      ar_req |= (r >> 1 & 1u) << i;
      aw_req |= (r >> 2 & 1u) << i;
      if (r & Channel::kFinished) finish(queue_of_chan(i), t + 1);
    }
    auto rr_pick = [nq](uint32_t req, unsigned ptr) {
      for (unsigned k = 0; k < nq; ++k) {
        const unsigned cand = ptr + k < nq ? ptr + k : ptr + k - nq;  // ptr < nq
        if (req >> cand & 1u) return cand;
      }
      return ptr;
    };
    const bool ar_load = (!ar_valid || ar_ready) && ar_req != 0;
    const bool aw_load = (!aw_valid || aw_ready) && aw_req != 0 && wo.size() + (aw_valid ? 1 : 0) + 1 <= 2 * nq;
    // ext engines: three ports each, behind everything else (--rtl act / dve: the verilated
    // engines' requests in place of their VecTiming's)
    std::array<const std::vector<uint8_t>*, 2> vec_offers{nullptr, nullptr};
    if (rtl_vec) {
      for (unsigned e = 0; e < 2; ++e)
        if (vec_is_rtl(e) && ext_queue[e]) vec_offers[e] = rtl_offer(*ext_queue[e], t);
      rtl_vec->offer(t, vec_offers);
    }
    uint32_t ext_gnt = 0;  // bit 3 e + p: port p of engine e granted
    for (unsigned e = 0; e < 2; ++e) {
      const bool rtl = vec_is_rtl(e);
      if (!rtl && !ext[e].requesting()) continue;
      for (unsigned p = 0; p < VecTiming::kPorts; ++p) {
        cosim::VecBlock::Request r;
        if (rtl) {
          r = rtl_vec->request(e, p);
        } else {
          const VecTiming::Request& q = ext[e].request(p);
          r = {q.valid, q.write, q.psum, q.word, q.part, q.parts};
        }
        if (!r.valid) continue;
        const bool g = r.psum ? ports.psum(r.we) : ports.sbuf_range(r.word, r.part, r.parts);
        ext_gnt |= static_cast<uint32_t>(g) << (3 * e + p);
        win.sbuf_accesses += g && !r.psum;
      }
    }
    if (rtl_vec) {
      rtl_vec->grant(ext_gnt & ((vec_rtl & 1u ? 7u : 0u) | (vec_rtl & 2u ? 070u : 0u)));
      const uint32_t done = rtl_vec->done();
      for (unsigned e = 0; e < 2; ++e) {
        if (!vec_is_rtl(e) || !(done >> e & 1u)) continue;
        Queue& q = *ext_queue[e];
        const size_t i = q.busy_index;
        finish(q, t);
        q.e->checked(i, t);
      }
      for (unsigned e = 0; e < 2; ++e)
        if (vec_offers[e] && rtl_vec->ready(e)) rtl_accepted(*ext_queue[e], t);
    }

    if (rtl_dma) {
      const uint64_t rd = rtl_dma->bytes_read(), wr = rtl_dma->bytes_written();
      rtl_dma->edge();
      win.dram_read_bytes += rtl_dma->bytes_read() - rd;
      win.dram_write_bytes += rtl_dma->bytes_written() - wr;
    }
    // The rising edge: the AXI DRAM
    if (r_valid) {
      win.dram_read_bytes += axi;
      tokens -= static_cast<double>(axi);
      Channel& rc = chans[reads.front().id];
      ++rc.rdata;
      rc.asleep = false;
      chan_awake |= 1u << reads.front().id;
      if (++reads.front().done == reads.front().beats) reads.pop_front();
    }
    if (w_ready && w_valid) {
      win.dram_write_bytes += w_bytes;
      tokens -= static_cast<double>(axi);
      if (++writes.front().done == writes.front().beats) {
        bresps.push_back({writes.front().id, t + latency});
        writes.pop_front();
      }
    }
    if (b_valid) {
      Channel& bc = chans[bresps.front().first];
      --bc.b_pending;
      bc.asleep = false;
      chan_awake |= 1u << bresps.front().first;
      bresps.pop_front();
    }
    if (ar_valid && ar_ready) reads.push_back({ar_id, ar_beats, 0, t + latency});
    if (aw_valid && aw_ready) {
      writes.push_back({aw_id, aw_beats, 0, 0});
      wo.push_back({aw_id, aw_beats});
    }
    tokens = std::min(cap, tokens + rate);
    // dma_engine's registers
    if (w_valid && w_ready) w_valid = false;
    if (w_load) {
      w_valid = true;
      Channel& wc = chans[wo.front().first];
      --wc.wq_count;
      w_bytes = wc.wq_bytes.front();
      wc.wq_bytes.pop_front();
      if (++w_beat == wo.front().second) {
        w_beat = 0;
        wo.pop_front();
      }
    }
    if (ar_valid && ar_ready) ar_valid = false;
    if (ar_load) {
      const unsigned p = rr_pick(ar_req, ar_ptr);
      Channel& ch = chans[p];
      ar_valid = true, ar_id = p, ar_beats = ch.burst_q.front();
      ch.rb_reserved += ar_beats;
      ch.burst_q.pop_front();
      ar_ptr = p + 1 == nq ? 0 : p + 1;
    }
    if (aw_valid && aw_ready) aw_valid = false;
    if (aw_load) {
      const unsigned p = rr_pick(aw_req, aw_ptr);
      Channel& ch = chans[p];
      aw_valid = true, aw_id = p, aw_beats = ch.burst_q.front();
      ch.burst_q.pop_front();
      aw_ptr = p + 1 == nq ? 0 : p + 1;
    }
    // ext engines (edge() of an idle engine does nothing)
    for (unsigned e = 0; e < 2; ++e)
      if (ext[e].active() && !vec_is_rtl(e)) ext[e].edge(ext_gnt >> (3 * e) & 7u);
    if (rtl_vec) rtl_vec->edge();
    // instructions accepted in this cycle start at the edge
    for (auto& [q, i] : accepted) {
      const isa::Instruction& inst = q->e->queue_.insts[i];
      if (q->dma) chans[q->unit].start(inst, t), chan_awake |= 1u << q->unit;
      else ext[q->unit].start(inst);
    }
    // An engine done in the next cycle (its last write granted in this one) takes its next
    // instruction in that cycle.
    for (unsigned e = 0; e < 2; ++e)
      if (ext[e].finishing()) finish(queue_of_ext(e), t + 1);
  }

  // --rtl seq (docs/cosim.md) ---------------------------------------------------------------
  SeqFactory make_rtl_seq;
  std::unique_ptr<cosim::SeqBlock> seq;
  PeEngine* pe = nullptr;
  std::vector<unsigned> seq_done_next;  // per core queue: completions in the next cycle
  std::optional<Fabric::Failure> failure;

  // Every cycle from 0 until the sequencers finish: their completions of the cycle in, the
  // instructions they offer to the engines that can take them (each checked against the
  // program: the next non-nop instruction of its queue), the tensor engine's cycle, the rest of
  // the fabric's cycle, the nops the sequencers completed. Returns false when the run failed.
  bool seq_run(SharedTiming& sh) {
    const unsigned nq = 3 + static_cast<unsigned>(config.dma_queues);
    std::vector<Engine*> eng(nq, nullptr);
    std::vector<Queue*> fq(nq, nullptr);
    if (pe) eng[0] = pe;
    for (Queue& q : queues) {  // in the core's queue order
      const auto c = static_cast<unsigned>(rtl::queue_index(q.e->queue_.engine));
      eng[c] = q.e, fq[c] = &q;
    }
    const isa::Isa& isa = isa::Isa::get();
    std::vector<std::vector<std::vector<uint8_t>>> words(nq);
    for (unsigned c = 0; c < nq; ++c)
      if (eng[c])
        for (const isa::Instruction& inst : eng[c]->queue_.insts) words[c].push_back(isa.encode(inst));
    seq->start(words);
    if (pe) pe->seq_begin();
    seq_done_next.assign(nq, 0);
    std::vector<unsigned> done(nq, 0);
    std::vector<uint32_t> completed(nq, 0);
    std::vector<size_t> next(nq, 0);
    // A run in which no instruction completes for this long hangs (the core harness's watchdog):
    // a transactor fault, not a deadlock the RTL sees.
    const uint64_t kWatchdogCycles = rtl::CoreRunOptions{}.watchdog_cycles;
    uint64_t last_progress = 0;
    // The instruction the engine of queue c is offered: its next non-nop one, which must be the
    // word the sequencer issues.
    auto offered = [&](unsigned c, uint64_t t) -> std::optional<size_t> {
      const std::vector<isa::Instruction>& insts = eng[c]->queue_.insts;
      size_t i = next[c];
      while (i < insts.size() && insts[i].op->engine == "any") ++i;
      const std::vector<uint8_t>& w = seq->word(c);
      if (i < insts.size() && w == words[c][i]) return i;
      std::string got;
      try {
        got = isa::to_text(isa.decode(w.data()));
      } catch (const std::exception&) {
        got = "an undecodable word";
      }
      if (i >= insts.size()) {
        failure = Fabric::Failure{true, fmt::format("at cycle {}: the RTL sequencer of {} issued {} after the queue's "
                                                    "last instruction",
                                                    t, eng[c]->queue_.engine, got)};
        return std::nullopt;
      }
      size_t bit = 0;  // the first bit in which the issued word differs from the instruction's
      while (bit < 8 * w.size() && ((w[bit / 8] ^ words[c][i][bit / 8]) >> (bit % 8) & 1) == 0) ++bit;
      failure = Fabric::Failure{
          true, fmt::format("at cycle {}: the RTL sequencer of {} issued a word that differs from the queue's next "
                            "instruction {} ({}) in bit {} (decoded: {})",
                            t, eng[c]->queue_.engine, i, isa::to_text(insts[i]), bit, got)};
      return std::nullopt;
    };
    for (uint64_t t = 0;; ++t) {
      sh.fabric_next = t;
      done.swap(seq_done_next);
      std::fill(seq_done_next.begin(), seq_done_next.end(), 0u);
      if (pe) done[0] = pe->seq_retiring();
      seq->offer(t, done);
      uint32_t ready = 0;
      accepted.clear();
      if (pe) {
        std::optional<size_t> take;
        if (seq->valid(0)) {
          const std::optional<size_t> i = offered(0, t);
          if (!i) return false;
          if (pe->seq_ready(*i)) take = i, ready |= 1u, next[0] = *i + 1;
        }
        pe->seq_cycle(take ? &*take : nullptr);
      }
      for (unsigned c = 1; c < nq; ++c) {
        Queue* q = fq[c];
        if (!q || !seq->valid(c) || q->busy) continue;
        const std::optional<size_t> i = offered(c, t);
        if (!i) return false;
        Engine& e = *q->e;
        e.next_ = *i + 1;
        const isa::Instruction& inst = e.queue_.insts[*i];
        e.run_numerics(inst, t);
        e.checked(*i, t);
        start_busy(*q, *i, t);
        accepted.push_back({q, *i});
        next[c] = *i + 1;
        ready |= 1u << c;
      }
      seq->accept(ready);
      step_ports(t);
      // Completions counted after the edge: the nops' (the engines record their own).
      for (unsigned c = 0; c < nq; ++c) {
        const uint32_t n = seq->completed(c);
        if (completed[c] < n) last_progress = t;
        for (; completed[c] < n; ++completed[c])
          if (eng[c]->queue_.insts[completed[c]].op->engine == "any") eng[c]->complete(completed[c], t, t);
      }
      // Where each queue stands, from its sequencer's count (as the core harness reports it).
      auto states = [&] {
        std::string st;
        for (unsigned c = 0; c < nq; ++c) st += rtl::queue_progress(rtl::queue_name(c), completed[c], words[c]);
        return st;
      };
      if (t - last_progress > kWatchdogCycles) {
        failure = Fabric::Failure{false, fmt::format("hang: no instruction completed in {} cycles (cycle {}) under the "
                                                     "RTL sequencers{}",
                                                     kWatchdogCycles, t, states())};
        return false;
      }
      if (seq->deadlock()) {
        failure = Fabric::Failure{false, fmt::format("deadlock: the RTL sequencers detected one at cycle {}{}", t, states())};
        return false;
      }
      if (seq->finished()) break;
    }
    size_t total = 0;
    for (unsigned c = 0; c < nq; ++c) {
      if (!eng[c]) continue;
      eng[c]->record_.engines[eng[c]->queue_.engine].sem_stall_cycles = seq->sem_stall_cycles(c);
      eng[c]->next_ = eng[c]->queue_.insts.size();
      total += eng[c]->queue_.insts.size();
    }
    // Every instruction the sequencers completed has exactly one record (the engines' own, the
    // nops' from the counters): anything else is a transactor fault.
    if (pe) pe->seq_end();
    for (const Engine* e : eng) {
      if (!e) continue;
      if (e->record_.instructions.size() != total)  // the run's one record, shared by the engines
        throw std::logic_error(fmt::format("--rtl seq: {} instruction records for {} instructions",
                                           e->record_.instructions.size(), total));
      break;
    }
    return true;
  }

  Queue& queue_of_chan(unsigned i) { return *chan_queue[i]; }
  Queue& queue_of_ext(unsigned e) { return *ext_queue[e]; }

  bool all_done() const {
    if (busy_queues != 0) return false;
    for (const Queue& q : queues)
      if (q.e->next_ < q.e->queue_.insts.size() || q.busy) return false;
    return true;
  }
};

Fabric::Fabric(sc_core::sc_module_name name, const CoreConfig& config, Semaphores& sems, SharedTiming& shared,
               std::vector<Engine*> dma, std::vector<Engine*> ext, DmaFactory rtl_dma, SeqFactory rtl_seq, PeEngine* pe,
               VecFactory rtl_vec, unsigned vec_engines)
    : sc_module(name), impl_(std::make_unique<Impl>(config, sems, shared)) {
  if (config.dma_queues > 32) throw std::logic_error("fabric: more than 32 DMA queues");  // 32-bit channel masks
  impl_->chans.resize(config.dma_queues);
  impl_->make_rtl_dma = std::move(rtl_dma);
  impl_->make_rtl_vec = std::move(rtl_vec);
  impl_->vec_rtl = vec_engines;
  impl_->make_rtl_seq = std::move(rtl_seq);
  impl_->pe = pe;
  for (Engine* e : dma) {
    Impl::Queue q;
    q.e = e;
    q.dma = true;
    q.unit = static_cast<unsigned>(std::stoul(e->queue_.engine.substr(3)));
    impl_->queues.push_back(q);
  }
  for (Engine* e : ext) {
    Impl::Queue q;
    q.e = e;
    q.unit = e->queue_.engine == "act" ? 0 : 1;
    impl_->queues.push_back(q);
  }
  if (impl_->queues.size() > 64) throw std::logic_error("fabric: more than 64 queues");
  impl_->may_issue = impl_->queues.size() == 64 ? ~uint64_t{0} : (uint64_t{1} << impl_->queues.size()) - 1;
  impl_->chan_queue.assign(config.dma_queues, nullptr);
  for (Impl::Queue& q : impl_->queues) {
    if (q.dma) impl_->chan_queue[q.unit] = &q;
    else impl_->ext_queue[q.unit] = &q;
  }
  SC_HAS_PROCESS(Fabric);
  SC_THREAD(thread);
}

Fabric::~Fabric() = default;

const std::optional<Fabric::Failure>& Fabric::failure() const { return impl_->failure; }

std::vector<kernels::TrafficSample> Fabric::traffic(uint64_t cycles) const {
  // Windows of rtl::kTrafficWindow cycles from cycle 0, the last one partial, as the RTL
  // harness samples them; the tensor engine's SBUF reads come from its published port use.
  std::vector<kernels::TrafficSample> out = impl_->traffic;
  const uint64_t n = (cycles + rtl::kTrafficWindow - 1) / rtl::kTrafficWindow;
  out.resize(n);
  for (uint64_t w = 0; w < n; ++w) {
    out[w].cycle = w * rtl::kTrafficWindow;
    out[w].window = std::min<uint64_t>(rtl::kTrafficWindow, cycles - out[w].cycle);
    for (uint64_t c = out[w].cycle; c < out[w].cycle + out[w].window; ++c)
      out[w].sbuf_accesses += static_cast<uint64_t>(__builtin_popcount(impl_->shared.pe_ports(c) & SharedTiming::kSbufBankBits));
  }
  return out;
}

void Fabric::thread() {
  Impl& m = *impl_;
  SharedTiming& sh = m.shared;
  for (auto& q : m.queues) q.e->connect_memories();
  if (m.make_rtl_dma || m.make_rtl_vec) {
    Engine* port = nullptr;
    Engine* vec_port = nullptr;
    for (auto& q : m.queues) {
      m.words.emplace_back();
      if (q.dma ? !m.make_rtl_dma : !(m.make_rtl_vec && (m.vec_rtl >> q.unit & 1u))) continue;
      (q.dma ? port : vec_port) = q.e;
      for (const isa::Instruction& inst : q.e->queue_.insts) m.words.back().push_back(isa::Isa::get().encode(inst));
    }
    // The DMA's AXI master reaches the TLM DRAM through a DMA engine's socket.
    if (port && m.make_rtl_dma) m.rtl_dma = m.make_rtl_dma(port->memories(), *port);
    if (vec_port) m.rtl_vec = m.make_rtl_vec(vec_port->memories());
  }
  if (m.make_rtl_seq) {
    m.seq = m.make_rtl_seq();
    if (!m.seq_run(sh)) {
      // A failure: stop here, as the lockstep checker does (run_tlm reports it).
      sc_core::sc_stop();
      sc_core::wait(sc_core::sc_max_time());
    }
    sh.fabric_next = kNever;
    for (auto& q : m.queues) q.e->finish();
    return;
  }
  uint64_t t = 0;
  for (;;) {
    sh.fabric_next = t;
    if (m.all_done()) break;
    const uint64_t limit = m.pe_limit();
    if (t >= limit) {
      sh.fabric_progress.notify(sc_core::SC_ZERO_TIME);
      sc_core::wait(sh.pe_progress);
      continue;
    }
    if (m.units_idle() && m.dram_idle()) {
      const uint64_t next = m.next_event(t);
      // A verilated DMA or act/dve engine is clocked through every cycle; only a run with nothing left to
      // happen ends here.
      if ((m.rtl_dma || m.rtl_vec) && !(next == kNever && limit == kNever)) {
        m.step(t);
        ++t;
        continue;
      }
      if (next > t) {
        t = std::min(next, limit);
        if (next == kNever && limit == kNever) break;  // nothing can happen: deadlock, reported by run_tlm
        continue;
      }
    }
    m.step(t);
    ++t;
  }
  sh.fabric_next = kNever;
  sh.fabric_progress.notify(sc_core::SC_ZERO_TIME);
  for (auto& q : m.queues) q.e->finish();
}

}  // namespace tessera::tlm
