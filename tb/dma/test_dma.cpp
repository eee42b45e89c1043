// The DMA engine (rtl/dma) against the reference model: random programs of dma_copy on every
// queue at once (random shapes up to 3 dims, contiguous, padded and transposing patterns,
// every dtype pair, every direction) run on the RTL, with the AXI4 DRAM model and an on-chip
// memory model serving the mem ports (random grants), and on ref::CoreModel; DRAM, SBUF and
// PSUM must match bit for bit. Also measures bandwidth of large contiguous copies.
// Seed: TESSERA_SEED, else Catch's --rng-seed, else random; always printed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <sstream>
#include <type_traits>
#include <vector>

#include "Vdma_engine.h"
#include "config/core_config.hpp"
#include "isa/program.hpp"
#include "ref/core_model.hpp"
#include "rtl/axi_dram.hpp"
#include "rtl/axi_ports.hpp"
#include "rtl/port_bits.hpp"
#include "support/sim_ctrl.hpp"
#include "verilated.h"

using namespace tessera;
using rtl::get_bits;
using rtl::set_bits;

namespace {

constexpr unsigned kAxiBytes = TESSERA_DMA_AXI_BYTES;

uint32_t test_seed() {
  if (const char* env = std::getenv("TESSERA_SEED")) return static_cast<uint32_t>(std::strtoul(env, nullptr, 0));
  if (Catch::rngSeed() != 0) return Catch::rngSeed();
  return std::random_device{}();
}

template <typename Port>
void put32(Port& p, unsigned i, uint32_t v) {
  if constexpr (std::is_integral_v<Port>) set_bits(p, 32 * i, 32, v);
  else p[i] = v;
}
template <typename Port>
uint32_t get32(const Port& p, unsigned i) {
  if constexpr (std::is_integral_v<Port>) return static_cast<uint32_t>(get_bits(p, 32 * i, 32));
  else return p[i];
}

struct Stimulus {
  double mem_gnt_prob = 1.0;    // probability a mem port request is granted in a cycle
  uint64_t axi_seed = 0;        // 0: no AXI back-pressure
  double axi_prob = 0.0;
};

// The verilated engine with its memories: AXI DRAM model and the SBUF/PSUM behind the ports.
class DmaBench {
 public:
  DmaBench(const CoreConfig& c, const Stimulus& s, uint32_t seed)
      : c_(c),
        q_(static_cast<unsigned>(c.dma_queues)),
        rows_(static_cast<unsigned>(c.rows)),
        dram_(c.dram_bytes),
        axi_(dram_, kAxiBytes, static_cast<double>(c.dram_bytes_per_cycle), static_cast<unsigned>(c.dram_latency_cycles),
             s.axi_seed, s.axi_prob),
        stim_(s),
        rng_(seed),
        sbuf_(c.rows * c.sbuf_bytes_per_partition),
        psum_(c.rows * c.psum_banks * c.moving_max_n * 4),
        pending_(q_) {
    dut().inst_valid_i = 0;
    dut().mem_gnt_i = 0;
    dut().mem_rvalid_i = 0;
    sim_.reset();
  }
  Vdma_engine& dut() { return sim_.dut(); }
  ref::Dram& dram() { return dram_; }
  const rtl::AxiDram& axi() const { return axi_; }
  uint8_t* onchip(isa::Space s, unsigned p, uint64_t off) {
    return s == isa::Space::kSbuf ? &sbuf_[p * c_.sbuf_bytes_per_partition + off]
                                  : &psum_[p * c_.psum_banks * c_.moving_max_n * 4 + off];
  }
  uint64_t cycle() const { return sim_.cycle(); }
  uint64_t stall_cycles(unsigned q) const { return stalls_[q]; }
  uint64_t wide_grants() const { return wide_grants_; }  // granted 8-byte unit requests so far

  // Runs each queue's instructions (in order per queue, queues concurrently) until every
  // done pulse arrived. Returns the cycles taken.
  uint64_t run(const std::vector<std::vector<isa::Instruction>>& insts, bool allow_error = false) {
    const isa::Isa& isa = isa::Isa::get();
    const uint64_t start = sim_.cycle();
    std::vector<size_t> issued(q_, 0), done(q_, 0);
    stalls_.assign(q_, 0);
    auto finished = [&] {
      for (unsigned q = 0; q < q_; ++q)
        if (done[q] < insts[q].size()) return false;
      return true;
    };
    while (!finished()) {
      if (sim_.cycle() - start > 5000000) FAIL("DMA did not finish within 5M cycles");
      Vdma_engine& d = dut();
      // Slave sides first: AXI from the DRAM model's state, mem read data of last cycle.
      rtl::apply_axi(d, axi_.drive());
      uint32_t rvalid = 0, gnt = 0;
      for (unsigned q = 0; q < q_; ++q) {
        rvalid |= uint32_t{pending_[q].valid} << q;
        for (unsigned p = 0; p < rows_; ++p) {
          put32(d.mem_rdata_i, q * rows_ + p, pending_[q].data[p]);
          put32(d.mem_rdata_hi_i, q * rows_ + p, pending_[q].data_hi[p]);
        }
        pending_[q].valid = false;
        if (std::uniform_real_distribution<double>(0, 1)(rng_) < stim_.mem_gnt_prob) gnt |= 1u << q;
      }
      d.mem_rvalid_i = rvalid;
      d.mem_gnt_i = gnt;
      uint32_t iv = 0;
      for (unsigned q = 0; q < q_; ++q) {
        if (issued[q] >= insts[q].size()) continue;
        iv |= 1u << q;
        const std::vector<uint8_t> w = isa.encode(insts[q][issued[q]]);
        for (unsigned i = 0; i < w.size() / 4; ++i) {
          uint32_t v;
          std::memcpy(&v, &w[4 * i], 4);
          d.inst_i[q * (w.size() / 4) + i] = v;
        }
      }
      d.inst_valid_i = iv;
      d.eval();

      // Sample the master's outputs at the edge.
      rtl::AxiMasterOut out;
      rtl::sample_axi(d, kAxiBytes, out);
      if (!allow_error) REQUIRE_FALSE(d.error_o);

      for (unsigned q = 0; q < q_; ++q) {
        if ((d.stall_o >> q) & 1) ++stalls_[q];
        if ((d.done_o >> q) & 1) ++done[q];
        if (((iv & d.inst_ready_o) >> q) & 1) ++issued[q];
        if (!((d.mem_req_o >> q) & 1) || !((gnt >> q) & 1)) continue;
        const bool we = (d.mem_we_o >> q) & 1;
        const auto space = ((d.mem_psum_o >> q) & 1) ? isa::Space::kPsum : isa::Space::kSbuf;
        // 8-byte units: the word pair at an even SBUF address (sbuf.sv's wide requests).
        const bool wide = (d.mem_wide_o >> q) & 1;
        const auto word = static_cast<uint32_t>(get_bits(d.mem_addr_o, q * mem_aw(), mem_aw()));
        const uint64_t words = space == isa::Space::kSbuf ? c_.sbuf_bytes_per_partition / 4 : c_.psum_banks * c_.moving_max_n;
        REQUIRE(word + (wide ? 1 : 0) < words);
        if (wide) {
          REQUIRE(space == isa::Space::kSbuf);
          REQUIRE(word % 2 == 0);
          ++wide_grants_;
        }
        const uint64_t mask = get_bits(d.mem_mask_o, q * rows_, rows_);
        const auto be = static_cast<unsigned>(get_bits(d.mem_be_o, 4 * q, 4));
        const auto be_hi = wide ? static_cast<unsigned>(get_bits(d.mem_be_hi_o, 4 * q, 4)) : 0u;
        for (unsigned p = 0; p < rows_; ++p) {
          uint8_t* m = onchip(space, p, 4 * uint64_t{word});
          if (we) {
            if (!((mask >> p) & 1)) continue;
            const uint32_t v = get32(d.mem_wdata_o, q * rows_ + p);
            const uint32_t v_hi = get32(d.mem_wdata_hi_o, q * rows_ + p);
            for (unsigned b = 0; b < 4; ++b) {
              if ((be >> b) & 1) m[b] = static_cast<uint8_t>(v >> (8 * b));
              if ((be_hi >> b) & 1) m[4 + b] = static_cast<uint8_t>(v_hi >> (8 * b));
            }
          } else {
            std::memcpy(&pending_[q].data[p], m, 4);
            pending_[q].data_hi[p] = 0;
            if (wide) std::memcpy(&pending_[q].data_hi[p], m + 4, 4);
          }
        }
        pending_[q].valid = !we;
      }
      sim_.tick();
      axi_.commit(out);
    }
    dut().inst_valid_i = 0;
    REQUIRE(axi_.stats().protocol_errors == 0);
    return sim_.cycle() - start;
  }

  unsigned mem_aw() const {
    const uint64_t words = std::max<uint64_t>(c_.sbuf_bytes_per_partition / 4, c_.psum_banks * c_.moving_max_n);
    unsigned aw = 0;
    while ((uint64_t{1} << aw) < words) ++aw;
    return aw;
  }

 private:
  struct PendingRead {
    bool valid = false;
    uint32_t data[128] = {};
    uint32_t data_hi[128] = {};  // a wide read's high words
  };
  const CoreConfig& c_;
  unsigned q_, rows_;
  tb::SimCtrl<Vdma_engine> sim_;
  ref::Dram dram_;
  rtl::AxiDram axi_;
  Stimulus stim_;
  std::mt19937 rng_;
  std::vector<uint8_t> sbuf_, psum_;
  std::vector<PendingRead> pending_;
  std::vector<uint64_t> stalls_;
  uint64_t wide_grants_ = 0;
};

const fp::Format kFormats[] = {fp::Format::kFp32, fp::Format::kBf16, fp::Format::kFp16, fp::Format::kE4m3,
                               fp::Format::kE5m2};

unsigned es_of(fp::Format f) { return fp::info(f).bits / 8; }

// Strides for a layout of the logical axes (counts n[0..2], enumerated n[0] outermost) stored
// in memory in the axis order `perm` (perm[0] outermost in memory), with optional padding of
// each memory row; unit = 1 element (on chip) or element bytes (DRAM). Returns the extent in units.
int64_t layout(const uint32_t n[3], const int perm[3], uint32_t pad, int64_t unit, int32_t stride[3]) {
  int64_t s = unit;
  for (int k = 2; k >= 0; --k) {
    stride[perm[k]] = static_cast<int32_t>(s);
    s *= n[perm[k]] + (k == 2 ? pad : 0);
  }
  return s;
}

struct Region {
  uint64_t lo, hi;  // bytes
};

// A random pattern of `n` (3 logical axes) elements of dtype `dt` with `parts` partitions
// (on chip) inside region r. Returns false when it does not fit.
// `units`: a contiguous pattern at an 8-byte aligned start (with a row of whole 8-byte units,
// the caller's n[2], a DRAM <-> SBUF copy of one dtype moves as 8-byte units: dma_channel.sv).
bool make_ap(std::mt19937& rng, isa::Space space, fp::Format dt, uint32_t part, uint32_t parts, const uint32_t n[3],
             Region r, isa::Ap& ap, bool units = false) {
  const unsigned es = es_of(dt);
  const unsigned align = units ? 8 : es;
  int perm[3] = {0, 1, 2};
  if (!units && rng() % 3 == 0) std::shuffle(perm, perm + 3, rng);
  const uint32_t pad = !units && rng() % 4 == 0 ? rng() % 3 : 0;
  int32_t stride[3];
  ap = isa::Ap{};
  ap.space = space;
  ap.dtype = dt;
  if (space == isa::Space::kDram) {
    // DRAM enumerates its own 3 dims: fold the partitions into the outermost logical axis.
    const uint32_t m[3] = {n[0] * parts, n[1], n[2]};
    ap.part = 0;
    ap.parts = 0;
    const int64_t extent = layout(m, perm, pad, es, stride);
    for (int k = 0; k < 3; ++k) ap.dims[k] = {m[k], stride[k]};
    if (!units && rng() % 8 == 0 && m[2] > 1) ap.dims[2].stride = 0, ap.dims[2].count = m[2];  // re-read / overwrite
    if (static_cast<uint64_t>(extent) > r.hi - r.lo) return false;
    ap.addr = r.lo + align * (rng() % ((r.hi - r.lo - static_cast<uint64_t>(extent)) / align + 1));
  } else {
    const int64_t extent = layout(n, perm, pad, 1, stride) * es;
    for (int k = 0; k < 3; ++k) ap.dims[k] = {n[k], stride[k]};
    if (!units && rng() % 8 == 0 && n[2] > 1) ap.dims[2].stride = 0;
    if (static_cast<uint64_t>(extent) > r.hi - r.lo) return false;
    ap.part = part;
    ap.parts = parts;
    ap.addr = r.lo + align * (rng() % ((r.hi - r.lo - static_cast<uint64_t>(extent)) / align + 1));
  }
  return true;
}

isa::Instruction make_copy(const isa::Ap& dst, const isa::Ap& src) {
  isa::Instruction i = isa::Isa::get().make("dma_copy");
  i.set("dst", dst);
  i.set("src", src);
  return i;
}

void fill_random(std::mt19937& rng, DmaBench& bench, ref::CoreModel& model, uint64_t dram_lo, uint64_t dram_hi) {
  const CoreConfig& c = model.config();
  std::vector<uint8_t> buf(dram_hi - dram_lo);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  bench.dram().write(dram_lo, buf.data(), buf.size());
  model.dram().write(dram_lo, buf.data(), buf.size());
  for (unsigned p = 0; p < c.rows; ++p) {
    for (uint64_t o = 0; o < c.sbuf_bytes_per_partition; ++o)
      *bench.onchip(isa::Space::kSbuf, p, o) = *model.onchip(isa::Space::kSbuf, p, o) = static_cast<uint8_t>(rng());
    for (uint64_t o = 0; o < model.partition_bytes(isa::Space::kPsum); ++o)
      *bench.onchip(isa::Space::kPsum, p, o) = *model.onchip(isa::Space::kPsum, p, o) = static_cast<uint8_t>(rng());
  }
}

void compare(DmaBench& bench, ref::CoreModel& model, uint64_t dram_lo, uint64_t dram_hi, const std::string& what) {
  const CoreConfig& c = model.config();
  std::vector<uint8_t> got(dram_hi - dram_lo), want(dram_hi - dram_lo);
  bench.dram().read(dram_lo, got.data(), got.size());
  model.dram().read(dram_lo, want.data(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    if (got[i] != want[i])
      FAIL(what << ": first DRAM difference at 0x" << std::hex << dram_lo + i << ": 0x" << int{got[i]} << ", expected 0x"
                << int{want[i]});
  for (const auto space : {isa::Space::kSbuf, isa::Space::kPsum})
    for (unsigned p = 0; p < c.rows; ++p)
      for (uint64_t o = 0; o < model.partition_bytes(space); ++o)
        if (*bench.onchip(space, p, o) != *model.onchip(space, p, o))
          FAIL(what << ": first " << isa::space_name(space) << " difference at partition " << p << " byte 0x" << std::hex
                    << o << ": 0x" << int{*bench.onchip(space, p, o)} << ", expected 0x"
                    << int{*model.onchip(space, p, o)});
}

void random_programs(const Stimulus& stim, int rounds) {
  const CoreConfig& c = preset(TESSERA_PRESET);
  const uint32_t seed = test_seed();
  std::printf("rtl.dma.%s: seed %u (replay with TESSERA_SEED=%u)\n", c.name.c_str(), seed, seed);
  INFO("config " << c.name << ", seed " << seed << " (replay with TESSERA_SEED=" << seed << ")");
  std::mt19937 rng(seed);
  const unsigned queues = static_cast<unsigned>(c.dma_queues), rows = static_cast<unsigned>(c.rows);
  DmaBench bench(c, stim, seed ^ 0x5eed);
  ref::CoreModel model(c, 1);
  constexpr uint64_t kDramBase = 0x3000, kDramPerQueue = 0x8000;
  const uint64_t dram_hi = kDramBase + queues * kDramPerQueue;
  fill_random(rng, bench, model, 0, dram_hi + 0x1000);
  const isa::Space spaces[] = {isa::Space::kDram, isa::Space::kSbuf, isa::Space::kPsum};

  for (int round = 0; round < rounds; ++round) {
    isa::Program program;
    std::vector<std::vector<isa::Instruction>> insts(queues);
    for (unsigned q = 0; q < queues; ++q) {
      // Each queue owns a DRAM slice and a slice of every partition of SBUF and PSUM; an
      // instruction reads one half of a slice and writes the other.
      auto region = [&](isa::Space s, bool upper) {
        const uint64_t size = s == isa::Space::kDram ? kDramPerQueue : model.partition_bytes(s) / queues;
        const uint64_t lo = (s == isa::Space::kDram ? kDramBase : 0) + q * size + (upper ? size / 2 : 0);
        return Region{lo, lo + size / 2};
      };
      const int count = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < count;) {
        isa::Space ss = spaces[rng() % 3], ds = spaces[rng() % 3];
        if (ss == isa::Space::kDram && ds == isa::Space::kDram) continue;
        fp::Format sdt = kFormats[rng() % 5], ddt = rng() % 3 == 0 ? sdt : kFormats[rng() % 5];
        const uint32_t parts = 1 + rng() % rows;
        uint32_t n[3] = {static_cast<uint32_t>(1 + rng() % 6), static_cast<uint32_t>(1 + rng() % 6),
                         static_cast<uint32_t>(1 + rng() % 24)};
        if (rng() % 4 == 0) n[0] = n[1] = 1;
        // One in four: a copy that moves as 8-byte units (DRAM <-> SBUF, one dtype, rows of whole
        // units, aligned); otherwise such copies would be rare.
        const bool units = rng() % 4 == 0;
        if (units) {
          const bool load = rng() % 2;
          ss = load ? isa::Space::kDram : isa::Space::kSbuf;
          ds = load ? isa::Space::kSbuf : isa::Space::kDram;
          ddt = sdt;
          const uint32_t per_unit = 8 / es_of(sdt);
          n[2] = per_unit * (1 + rng() % (24 / per_unit));
        }
        const bool src_upper = rng() % 2;
        isa::Ap src, dst;
        const uint32_t sp = rng() % (rows - parts + 1), dp = rng() % (rows - parts + 1);
        if (!make_ap(rng, ss, sdt, sp, parts, n, region(ss, src_upper), src, units)) continue;
        if (!make_ap(rng, ds, ddt, dp, parts, n, region(ds, !src_upper), dst, units)) continue;
        insts[q].push_back(make_copy(dst, src));
        program.queue("dma" + std::to_string(q)).insts.push_back(insts[q].back());
        ++k;
      }
    }
    INFO("round " << round << ":\n" << isa::to_tasm(program));
    REQUIRE_NOTHROW(model.validate(program));
    model.run(program);
    const uint64_t cycles = bench.run(insts);
    INFO("cycles " << cycles);
    compare(bench, model, 0, dram_hi + 0x1000, "round " + std::to_string(round));
  }
  // Coverage: multi-beat bursts happened in both directions.
  const rtl::AxiDramStats& st = bench.axi().stats();
  std::printf("rtl.dma.%s: %llu AR bursts / %llu R beats, %llu AW bursts / %llu W beats\n", c.name.c_str(),
              static_cast<unsigned long long>(st.ar_bursts), static_cast<unsigned long long>(st.r_beats),
              static_cast<unsigned long long>(st.aw_bursts), static_cast<unsigned long long>(st.w_beats));
  CHECK(st.r_beats > st.ar_bursts);
  CHECK(st.w_beats > st.aw_bursts);
  // ... and 8-byte units went through the SBUF port.
  std::printf("rtl.dma.%s: %llu wide (8-byte) SBUF requests granted\n", c.name.c_str(),
              static_cast<unsigned long long>(bench.wide_grants()));
  CHECK(bench.wide_grants() > 0);
}

}  // namespace

TEST_CASE("dma: random programs on all queues match the reference model bit for bit", "[rtl][dma]") {
  random_programs(Stimulus{}, 40);
}

TEST_CASE("dma: random programs under random mem-port and AXI back-pressure", "[rtl][dma]") {
  random_programs(Stimulus{0.6, 7, 0.3}, 40);
}

namespace {

// One large contiguous copy per queue: bytes of the destination moved per cycle.
enum class Dir { kDramToSbuf, kSbufToDram, kSbufToSbuf };

double bandwidth(unsigned active, Dir dir, fp::Format dt, uint64_t& cycles_out) {
  const CoreConfig& c = preset(TESSERA_PRESET);
  const unsigned queues = static_cast<unsigned>(c.dma_queues), rows = static_cast<unsigned>(c.rows);
  const unsigned es = es_of(dt);
  DmaBench bench(c, Stimulus{}, 1);
  ref::CoreModel model(c, 1);
  // Each queue: its own DRAM range and its own slice of every SBUF partition (two halves).
  const uint32_t slice = static_cast<uint32_t>(std::min<uint64_t>(c.sbuf_bytes_per_partition / queues, 8192));
  const uint32_t per_part = slice / 2 / es;
  const uint64_t bytes = uint64_t{rows} * per_part * es;
  std::mt19937 rng(3);
  fill_random(rng, bench, model, 0, queues * bytes);
  std::vector<std::vector<isa::Instruction>> insts(queues);
  isa::Program program;
  for (unsigned q = 0; q < active; ++q) {
    isa::Ap dram, lo, hi;
    dram.space = isa::Space::kDram;
    dram.dtype = dt;
    dram.part = 0;
    dram.parts = 0;
    dram.addr = q * bytes;
    dram.dims[0] = {rows * per_part, static_cast<int32_t>(es)};
    lo.space = isa::Space::kSbuf;
    lo.dtype = dt;
    lo.part = 0;
    lo.parts = rows;
    lo.addr = uint64_t{q} * slice;
    lo.dims[0] = {per_part, 1};
    hi = lo;
    hi.addr += slice / 2;
    const isa::Instruction i = dir == Dir::kDramToSbuf   ? make_copy(lo, dram)
                               : dir == Dir::kSbufToDram ? make_copy(dram, lo)
                                                         : make_copy(hi, lo);
    insts[q].push_back(i);
    program.queue("dma" + std::to_string(q)).insts.push_back(i);
  }
  model.run(program);
  cycles_out = bench.run(insts);
  compare(bench, model, 0, queues * bytes, "bandwidth");
  return static_cast<double>(active * bytes) / static_cast<double>(cycles_out);
}

}  // namespace

TEST_CASE("dma: bandwidth of large contiguous copies", "[rtl][dma][perf]") {
  const CoreConfig& c = preset(TESSERA_PRESET);
  const unsigned queues = static_cast<unsigned>(c.dma_queues);
  const double dram_bw = static_cast<double>(c.dram_bytes_per_cycle);
  const struct {
    Dir dir;
    const char* name;
    fp::Format dt;
    // Expected B/cycle of one queue: one element per cycle, and these aligned contiguous
    // DRAM <-> SBUF copies move 8-byte units (on chip to on chip: see docs/dma.md).
    double per_queue;
  } cases[] = {{Dir::kDramToSbuf, "DRAM->SBUF fp32", fp::Format::kFp32, 8.0},
               {Dir::kSbufToDram, "SBUF->DRAM fp32", fp::Format::kFp32, 8.0},
               {Dir::kDramToSbuf, "DRAM->SBUF bf16", fp::Format::kBf16, 8.0},
               {Dir::kSbufToSbuf, "SBUF->SBUF fp32", fp::Format::kFp32, 2.0}};
  for (const auto& k : cases) {
    for (const unsigned active : {1u, queues}) {
      uint64_t cycles = 0;
      const double bw = bandwidth(active, k.dir, k.dt, cycles);
      std::ostringstream msg;
      msg << "config " << c.name << ": " << k.name << ", " << active << " queue(s): " << bw << " B/cycle in " << cycles
          << " cycles (DRAM " << dram_bw << " B/cycle, latency " << c.dram_latency_cycles << ")";
      WARN(msg.str());
      const double cap = k.dir == Dir::kSbufToSbuf ? k.per_queue * active : std::min(k.per_queue * active, dram_bw);
      CHECK(bw >= 0.8 * cap);
      CHECK(bw <= 1.01 * cap);
    }
  }
}

TEST_CASE("dma: single-element instruction latencies", "[rtl][dma][perf]") {
  const CoreConfig& c = preset(TESSERA_PRESET);
  DmaBench bench(c, Stimulus{}, 1);
  ref::CoreModel model(c, 1);
  std::mt19937 rng(5);
  fill_random(rng, bench, model, 0, 0x1000);
  auto onchip = [](isa::Space s, uint64_t addr) {
    isa::Ap a;
    a.space = s;
    a.dtype = fp::Format::kFp32;
    a.part = 0;
    a.parts = 1;
    a.addr = addr;
    return a;
  };
  isa::Ap dram;
  dram.space = isa::Space::kDram;
  dram.dtype = fp::Format::kFp32;
  dram.part = 0;
  dram.parts = 0;
  dram.addr = 0x100;
  const struct {
    const char* name;
    isa::Instruction inst;
  } cases[] = {{"SBUF->SBUF", make_copy(onchip(isa::Space::kSbuf, 0x40), onchip(isa::Space::kSbuf, 0x80))},
               {"DRAM->SBUF", make_copy(onchip(isa::Space::kSbuf, 0x40), dram)},
               {"SBUF->DRAM", make_copy(dram, onchip(isa::Space::kSbuf, 0x80))}};
  std::vector<std::vector<isa::Instruction>> insts(c.dma_queues);
  for (const auto& k : cases) {
    insts[0] = {k.inst};
    isa::Program program;
    program.queue("dma0").insts.push_back(k.inst);
    model.run(program);
    const uint64_t cycles = bench.run(insts);
    WARN("config " << c.name << ": one fp32 element " << k.name << ": " << cycles
                   << " cycles from instruction valid to done (DRAM latency " << c.dram_latency_cycles << ")");
    compare(bench, model, 0, 0x1000, k.name);
  }
}

TEST_CASE("dma: a non-OKAY AXI response sets the sticky error output", "[rtl][dma]") {
  const CoreConfig& c = preset(TESSERA_PRESET);
  DmaBench bench(c, Stimulus{}, 1);
  isa::Ap dram, sb;
  dram.space = isa::Space::kDram;
  dram.part = 0;
  dram.parts = 0;
  dram.addr = c.dram_bytes - 8;  // the burst's second window lies past the end: SLVERR
  dram.dims[0] = {2 * kAxiBytes / 4, 4};
  sb.space = isa::Space::kSbuf;
  sb.part = 0;
  sb.parts = 1;
  sb.dims[0] = {2 * kAxiBytes / 4, 1};
  std::vector<std::vector<isa::Instruction>> insts(c.dma_queues);
  REQUIRE_FALSE(bench.dut().error_o);
  insts[0] = {make_copy(sb, dram)};
  bench.run(insts, true);
  CHECK(bench.dut().error_o);
  CHECK(bench.axi().stats().errors > 0);
  insts[0].clear();
  bench.run(insts, true);  // sticky
  CHECK(bench.dut().error_o);
}
