// The AXI4 DRAM model (sim/rtl/axi_dram.hpp): burst data, read and write latency, token-bucket
// bandwidth against the configuration, random back-pressure, SLVERR outside the DRAM. A small
// C++ master drives it with the same two-phase protocol the verilated DMA uses.
#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <random>
#include <vector>

#include "ref/memory.hpp"
#include "rtl/axi_dram.hpp"

using tessera::ref::Dram;
using tessera::rtl::AxiDram;
using tessera::rtl::AxiMasterIn;
using tessera::rtl::AxiMasterOut;

namespace {

struct Req {
  uint32_t id;
  uint64_t addr;
  unsigned beats;
};

// Issues the queued reads and writes as fast as the slave accepts them (W data from `src`),
// collects read beats and B responses with the cycle they arrived.
class Master {
 public:
  Master(AxiDram& dram, unsigned axi_bytes) : dram_(dram), bytes_(axi_bytes) {}
  std::deque<Req> reads, writes;
  std::vector<uint8_t> src;                     // write data source, indexed by DRAM address
  std::vector<std::vector<uint8_t>> strobes;    // per write beat (in order), empty = all ones
  struct Beat {
    uint64_t cycle;
    uint32_t id;
    std::vector<uint8_t> data;
    uint8_t resp;
    bool last;
  };
  std::vector<Beat> rbeats;
  std::vector<std::pair<uint64_t, uint8_t>> bresps;
  uint64_t last_w_cycle = 0;

  void step() {
    const AxiMasterIn in = dram_.drive();
    AxiMasterOut out;
    out.r_ready = true;
    out.b_ready = true;
    out.ar_valid = !reads.empty();
    if (out.ar_valid) {
      out.ar_id = reads.front().id;
      out.ar_addr = reads.front().addr;
      out.ar_len = static_cast<uint8_t>(reads.front().beats - 1);
      out.ar_size = static_cast<uint8_t>(__builtin_ctz(bytes_));
    }
    out.aw_valid = !writes.empty();
    if (out.aw_valid) {
      out.aw_id = writes.front().id;
      out.aw_addr = writes.front().addr;
      out.aw_len = static_cast<uint8_t>(writes.front().beats - 1);
      out.aw_size = static_cast<uint8_t>(__builtin_ctz(bytes_));
    }
    out.w_valid = !wq_.empty();
    out.w_data.assign(bytes_, 0);
    out.w_strb.assign(bytes_, 1);
    if (out.w_valid) {
      const auto& [addr, last, strb_index] = wq_.front();
      for (unsigned i = 0; i < bytes_; ++i) out.w_data[i] = src[addr + i];
      if (strb_index < strobes.size() && !strobes[strb_index].empty()) out.w_strb = strobes[strb_index];
      out.w_last = last;
    }
    const uint64_t now = dram_.cycle();
    if (in.r_valid) rbeats.push_back({now, in.r_id, in.r_data, in.r_resp, in.r_last});
    if (in.b_valid) bresps.emplace_back(now, in.b_resp);
    if (out.ar_valid && in.ar_ready) reads.pop_front();
    if (out.aw_valid && in.aw_ready) {
      const Req& w = writes.front();
      for (unsigned b = 0; b < w.beats; ++b) wq_.push_back({w.addr + uint64_t{b} * bytes_, b + 1 == w.beats, wbeat_++});
      writes.pop_front();
    }
    if (out.w_valid && in.w_ready) {
      last_w_cycle = now;
      wq_.pop_front();
    }
    dram_.commit(out);
  }

 private:
  struct WBeat {
    uint64_t addr;
    bool last;
    size_t strb_index;
  };
  AxiDram& dram_;
  unsigned bytes_;
  std::deque<WBeat> wq_;
  size_t wbeat_ = 0;
};

std::vector<uint8_t> random_bytes(std::mt19937& rng, size_t n) {
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

}  // namespace

TEST_CASE("axi dram: a read burst returns its data after the latency", "[axi_dram]") {
  std::mt19937 rng(Catch::rngSeed());
  Dram mem(1 << 20);
  const auto bytes = random_bytes(rng, 4096);
  mem.write(0, bytes.data(), bytes.size());
  AxiDram dram(mem, 16, 16.0, 25);
  Master m(dram, 16);
  m.reads.push_back({1, 0x40, 4});
  for (int i = 0; i < 60; ++i) m.step();
  REQUIRE(m.rbeats.size() == 4);
  CHECK(m.rbeats[0].cycle == 25);  // AR accepted in cycle 0
  for (unsigned b = 0; b < 4; ++b) {
    CHECK(m.rbeats[b].cycle == 25 + b);
    CHECK(m.rbeats[b].id == 1);
    CHECK(m.rbeats[b].resp == 0);
    CHECK(m.rbeats[b].last == (b == 3));
    CHECK(m.rbeats[b].data == std::vector<uint8_t>(bytes.begin() + 0x40 + 16 * b, bytes.begin() + 0x50 + 16 * b));
  }
  CHECK(dram.stats().bytes_read == 64);
  CHECK(dram.stats().protocol_errors == 0);
  CHECK(dram.idle());
}

TEST_CASE("axi dram: a write burst lands with its strobes and is acknowledged after the latency", "[axi_dram]") {
  std::mt19937 rng(Catch::rngSeed());
  Dram mem(1 << 20);
  const auto before = random_bytes(rng, 256);
  mem.write(0x1000, before.data(), before.size());
  AxiDram dram(mem, 8, 8.0, 10);
  Master m(dram, 8);
  m.src = random_bytes(rng, 0x2000);
  m.strobes.resize(3);
  for (auto& s : m.strobes) {
    s.resize(8);
    for (auto& b : s) b = rng() % 2;
  }
  m.writes.push_back({0, 0x1000, 3});
  for (int i = 0; i < 40; ++i) m.step();
  REQUIRE(m.bresps.size() == 1);
  CHECK(m.bresps[0].second == 0);
  CHECK(m.bresps[0].first == m.last_w_cycle + 10);
  std::vector<uint8_t> after(256);
  mem.read(0x1000, after.data(), after.size());
  for (unsigned i = 0; i < 256; ++i) {
    const bool written = i < 24 && m.strobes[i / 8][i % 8];
    CHECK(after[i] == (written ? m.src[0x1000 + i] : before[i]));
  }
  CHECK(dram.stats().protocol_errors == 0);
}

TEST_CASE("axi dram: streaming reads run at the configured bandwidth", "[axi_dram]") {
  struct Case {
    unsigned axi_bytes;
    double rate;
  };
  for (const Case c : {Case{8, 8.0}, Case{32, 32.0}, Case{256, 146.0}, Case{16, 5.5}}) {
    Dram mem(1 << 24);
    AxiDram dram(mem, c.axi_bytes, c.rate, 40);
    Master m(dram, c.axi_bytes);
    const unsigned bursts = 200;
    for (unsigned i = 0; i < bursts; ++i) m.reads.push_back({i % 4, uint64_t{i} * 16 * c.axi_bytes, 16});
    while (m.rbeats.size() < bursts * 16u) {
      m.step();
      REQUIRE(dram.cycle() < 1000000);
    }
    const double cycles = static_cast<double>(m.rbeats.back().cycle - m.rbeats.front().cycle + 1);
    const double measured = bursts * 16.0 * c.axi_bytes / cycles;
    INFO("axi_bytes " << c.axi_bytes << " rate " << c.rate << " measured " << measured);
    CHECK(measured == Approx(std::min<double>(c.rate, c.axi_bytes)).epsilon(0.02));
    CHECK(m.rbeats.front().cycle == 40);
  }
}

TEST_CASE("axi dram: random back-pressure keeps data and order, reads and writes share bandwidth", "[axi_dram]") {
  const uint32_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  Dram mem(1 << 20);
  const auto init = random_bytes(rng, 1 << 16);
  mem.write(0, init.data(), init.size());
  AxiDram dram(mem, 16, 16.0, 7, seed + 1, 0.3);
  Master m(dram, 16);
  m.src = random_bytes(rng, 1 << 17);
  for (unsigned i = 0; i < 32; ++i) m.reads.push_back({i % 3, uint64_t{i} * 256, 1 + i % 16});
  for (unsigned i = 0; i < 32; ++i) m.writes.push_back({i % 3, 0x10000 + uint64_t{i} * 256, 1 + i % 16});
  unsigned expected_beats = 0;
  for (unsigned i = 0; i < 32; ++i) expected_beats += 1 + i % 16;
  while (m.rbeats.size() < expected_beats || m.bresps.size() < 32) {
    m.step();
    REQUIRE(dram.cycle() < 100000);
  }
  size_t k = 0;
  for (unsigned i = 0; i < 32; ++i)
    for (unsigned b = 0; b <= i % 16; ++b, ++k) {
      const uint64_t a = uint64_t{i} * 256 + 16 * b;
      CHECK(m.rbeats[k].data == std::vector<uint8_t>(init.begin() + static_cast<long>(a), init.begin() + static_cast<long>(a) + 16));
      CHECK(m.rbeats[k].last == (b == i % 16));
    }
  std::vector<uint8_t> got(32 * 256);
  mem.read(0x10000, got.data(), got.size());
  for (unsigned i = 0; i < 32; ++i)
    for (unsigned j = 0; j < 16 * (1 + i % 16); ++j) CHECK(got[i * 256 + j] == m.src[0x10000 + i * 256 + j]);
  // 2 x expected_beats beats through one 16 B/cycle bucket: at least that many cycles.
  CHECK(dram.stats().cycles >= 2 * expected_beats);
  CHECK(dram.stats().protocol_errors == 0);
  CHECK(dram.stats().errors == 0);
}

TEST_CASE("axi dram: addresses outside the DRAM answer SLVERR", "[axi_dram]") {
  Dram mem(4096);
  AxiDram dram(mem, 8, 8.0, 3);
  Master m(dram, 8);
  m.src.assign(1 << 14, 0xAB);
  m.reads.push_back({0, 4096 - 8, 2});
  m.writes.push_back({1, 8192, 1});
  for (int i = 0; i < 30; ++i) m.step();
  REQUIRE(m.rbeats.size() == 2);
  CHECK(m.rbeats[0].resp == 2);
  CHECK(m.rbeats[1].resp == 2);
  REQUIRE(m.bresps.size() == 1);
  CHECK(m.bresps[0].second == 2);
  CHECK(dram.stats().errors == 3);
}
