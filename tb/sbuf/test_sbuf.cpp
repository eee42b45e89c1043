// SBUF against a golden memory: four ports with random reads and byte-enabled writes to
// random partition masks (half of them one partition, as the DMA's), concentrated on a few
// words so that bank conflicts are frequent. Port 0 claims whole banks (WholeBankPorts 1, as
// the tensor engine's ports in the core); ports 2 and 3 may be wide (WideMask, as the DMA
// queues' in the core) and a third of their requests are: 64 bits at an even word, claiming
// both banks of the pair in one partition. Checks the fixed-priority grants per (bank,
// partition) every cycle, every read's data (a wide read's high word too), the conflict
// counters, and that a refused request can be held and is served later.
#include <catch2/catch.hpp>
#include <memory>
#include <random>
#include <vector>

#include "Vsbuf.h"
#include "config/core_config.hpp"
#include "rtl/port_bits.hpp"
#include "support/sim_ctrl.hpp"
#include "verilated.h"

using namespace tessera;
using rtl::get_bits;
using rtl::set_bits;

namespace {

constexpr unsigned kPorts = 4, kBanks = TESSERA_SBUF_BANKS;  // the preset's banks
constexpr unsigned kWholeBankPorts = TESSERA_SBUF_WHOLE_BANK_PORTS;  // the model's -GWholeBankPorts
constexpr unsigned kWideMask = TESSERA_SBUF_WIDE_MASK;               // the model's -GWideMask

struct Request {
  bool valid = false, we = false;
  uint32_t addr = 0, be = 0;
  uint64_t mask = 0;
  std::vector<uint32_t> data;
  bool wide = false;  // 64 bits: addr (even) and addr + 1, the high word's be_hi and data_hi
  uint32_t be_hi = 0;
  std::vector<uint32_t> data_hi;
};

}  // namespace

TEST_CASE("sbuf: fixed-priority arbitration per bank and partition, reads and byte writes against a golden memory",
          "[rtl][sbuf]") {
  const CoreConfig& c = preset(TESSERA_PRESET);
  const auto parts = static_cast<unsigned>(c.rows);
  const auto words = static_cast<uint32_t>(c.sbuf_bytes_per_partition / 4);
  const unsigned addr_bits = __builtin_ctz(words);
  const uint32_t seed = Catch::rngSeed();
  INFO("config " << c.name << ", seed " << seed << " (replay with --rng-seed " << seed << ")");
  std::mt19937 rng(seed);
  tb::SimCtrl<Vsbuf> sim;
  Vsbuf& dut = sim.dut();
  dut.wide_i = 0;  // narrow requests unless a test drives wide ones (inputs start random: --x-initial unique)
  auto tick = [&] { sim.tick(); };
  const uint64_t all_parts = parts == 64 ? ~uint64_t{0} : (uint64_t{1} << parts) - 1;
  auto drive = [&](unsigned p, const Request& r) {
    set_bits(dut.valid_i, p, 1, r.valid);
    set_bits(dut.we_i, p, 1, r.we);
    set_bits(dut.addr_i, addr_bits * p, addr_bits, r.addr);
    set_bits(dut.mask_i, parts * p, parts, r.mask);
    set_bits(dut.be_i, 4 * p, 4, r.be);
    set_bits(dut.wide_i, p, 1, r.wide);
    set_bits(dut.be_hi_i, 4 * p, 4, r.be_hi);
    for (unsigned q = 0; q < parts; ++q) {
      set_bits(dut.wdata_i, 32 * (parts * p + q), 32, r.data.empty() ? 0 : r.data[q]);
      set_bits(dut.wdata_hi_i, 32 * (parts * p + q), 32, r.data_hi.empty() ? 0 : r.data_hi[q]);
    }
  };
  dut.valid_i = 0;
  sim.reset();

  // Known contents through port 0.
  std::vector<std::vector<uint32_t>> golden(words, std::vector<uint32_t>(parts));
  for (uint32_t a = 0; a < words; ++a) {
    Request r{true, true, a, 0xF, all_parts, {}};
    for (unsigned q = 0; q < parts; ++q) r.data.push_back(golden[a][q] = static_cast<uint32_t>(rng()));
    drive(0, r);
    dut.eval();
    REQUIRE((dut.ready_o & 1));
    tick();
  }
  drive(0, Request{});

  std::vector<Request> req(kPorts);
  std::vector<uint64_t> conflicts(kPorts, 0);
  std::vector<bool> read_pending(kPorts, false);
  std::vector<std::vector<uint32_t>> read_expect(kPorts), read_expect_hi(kPorts);
  uint64_t wide_granted = 0;
  std::vector<uint64_t> read_mask(kPorts, 0);
  uint64_t shared_total = 0;
  for (int cycle = 0; cycle < 20000; ++cycle) {
    INFO("cycle " << cycle);
    for (unsigned p = 0; p < kPorts; ++p) {
      if (!req[p].valid && rng() % 5 < 3) {
        Request& r = req[p];
        r.valid = true;
        r.we = rng() % 2;
        r.addr = rng() % 2 ? rng() % 8 : rng() % words;  // the first 8 words: two per bank
        r.be = r.we ? 1 + rng() % 15 : 0xF;
        r.mask = rng() % 2 ? uint64_t{1} << rng() % parts : (static_cast<uint64_t>(rng()) << 32 | rng()) & all_parts;
        if (!r.mask) r.mask = 1;
        r.wide = (kWideMask >> p & 1) && rng() % 3 == 0;
        r.be_hi = 0;
        if (r.wide) {  // as the DMA's: one partition, an even word
          r.addr &= ~1u;
          r.mask = uint64_t{1} << rng() % parts;
          r.be_hi = r.we ? 1 + rng() % 15 : 0xF;
        }
        r.data.clear();
        r.data_hi.clear();
        for (unsigned q = 0; q < parts; ++q) r.data.push_back(static_cast<uint32_t>(rng()));
        for (unsigned q = 0; q < parts; ++q) r.data_hi.push_back(static_cast<uint32_t>(rng()));
      }
      drive(p, req[p]);
    }
    dut.eval();
    // Reads granted last cycle.
    for (unsigned p = 0; p < kPorts; ++p) {
      REQUIRE(static_cast<bool>((dut.rvalid_o >> p) & 1) == read_pending[p]);
      for (unsigned q = 0; q < parts; ++q) {
        if (read_pending[p] && (read_mask[p] >> q & 1)) {
          REQUIRE(get_bits(dut.rdata_o, 32 * (parts * p + q), 32) == read_expect[p][q]);
          REQUIRE(get_bits(dut.rdata_hi_o, 32 * (parts * p + q), 32) == read_expect_hi[p][q]);
        } else if (!read_pending[p]) {
          REQUIRE(get_bits(dut.rdata_hi_o, 32 * (parts * p + q), 32) == 0);  // no stale high words
        }
      }
    }
    // Grants: in port order, a port whose claimed partitions of its bank are all still free.
    uint64_t taken[kBanks] = {};
    unsigned shared_banks = 0;  // ports granted on a bank another port was granted on
    for (unsigned p = 0; p < kPorts; ++p) {
      const unsigned bank = req[p].addr % kBanks, bank_hi = bank | 1;
      const bool wide = req[p].wide;
      const uint64_t claim = p < kWholeBankPorts ? all_parts : req[p].mask;
      const bool want = req[p].valid && (taken[bank] & claim) == 0 && (!wide || (taken[bank_hi] & claim) == 0);
      if (want) shared_banks += taken[bank] != 0, taken[bank] |= claim;
      if (want && wide) taken[bank_hi] |= claim, ++wide_granted;
      REQUIRE(static_cast<bool>((dut.ready_o >> p) & 1) == want);
      read_pending[p] = want && !req[p].we;
      if (read_pending[p]) {
        read_expect[p] = golden[req[p].addr];
        read_expect_hi[p] = wide ? golden[req[p].addr + 1] : std::vector<uint32_t>(parts, 0);
        read_mask[p] = req[p].mask;
      }
      if (req[p].valid && !want) ++conflicts[p];
    }
    for (unsigned p = 0; p < kPorts; ++p) {
      if (!((dut.ready_o >> p) & 1)) continue;
      if (req[p].we)
        for (unsigned q = 0; q < parts; ++q)
          if (req[p].mask >> q & 1)
            for (unsigned b = 0; b < 4; ++b) {
              if (req[p].be >> b & 1)
                golden[req[p].addr][q] = (golden[req[p].addr][q] & ~(0xFFu << (8 * b))) | (req[p].data[q] & (0xFFu << (8 * b)));
              if (req[p].wide && (req[p].be_hi >> b & 1))
                golden[req[p].addr + 1][q] =
                    (golden[req[p].addr + 1][q] & ~(0xFFu << (8 * b))) | (req[p].data_hi[q] & (0xFFu << (8 * b)));
            }
      req[p].valid = false;  // accepted; a refused request stays as it is
    }
    shared_total += shared_banks;
    tick();
  }
  for (unsigned p = 0; p < kPorts; ++p) CHECK(get_bits(dut.conflicts_o, 32 * p, 32) == conflicts[p]);
  // The random traffic did exercise ports sharing a bank in disjoint partitions, and wide requests.
  CHECK(shared_total > 1000);
  CHECK(wide_granted > 1000);
}

TEST_CASE("sbuf: the stability assertion catches a refused request that changes", "[rtl][sbuf]") {
  const CoreConfig& c = preset(TESSERA_PRESET);
  tb::SimCtrl<Vsbuf> sim;
  sim.context().fatalOnError(false);  // record the $error instead of stopping the process
  Vsbuf& dut = sim.dut();
  dut.wide_i = 0;  // narrow requests unless a test drives wide ones (inputs start random: --x-initial unique)
  auto tick = [&] { sim.tick(); };
  dut.valid_i = 0;
  sim.reset();
  const unsigned addr_bits = __builtin_ctz(static_cast<uint32_t>(c.sbuf_bytes_per_partition / 4));
  // Ports 0 and 1 read the same bank: port 1 is refused.
  dut.valid_i = 0b11;
  dut.we_i = 0;
  set_bits(dut.addr_i, 0, addr_bits, 0);
  set_bits(dut.addr_i, addr_bits, addr_bits, kBanks);  // same bank as word 0
  set_bits(dut.mask_i, 0, static_cast<unsigned>(c.rows), 1);
  set_bits(dut.mask_i, static_cast<unsigned>(c.rows), static_cast<unsigned>(c.rows), 1);
  dut.eval();
  REQUIRE((dut.ready_o & 0b11) == 0b01);
  tick();
  REQUIRE_FALSE(sim.context().gotError());
  // Holding the refused request is legal ...
  dut.valid_i = 0b10;
  dut.eval();
  tick();
  REQUIRE_FALSE(sim.context().gotError());
  // ... but after another refusal, changing its address is not.
  dut.valid_i = 0b11;
  dut.eval();
  tick();
  set_bits(dut.addr_i, addr_bits, addr_bits, 2 * kBanks);
  dut.eval();
  tick();
  CHECK(sim.context().gotError());
}

TEST_CASE("sbuf: an empty partition mask is legal on a whole-bank port, an error on a partition port", "[rtl][sbuf]") {
  static_assert(kWholeBankPorts >= 1 && kWholeBankPorts < kPorts, "port 0 claims whole banks, the last one partitions");
  const CoreConfig& c = preset(TESSERA_PRESET);
  tb::SimCtrl<Vsbuf> sim;
  sim.context().fatalOnError(false);  // record the $error instead of stopping the process
  Vsbuf& dut = sim.dut();
  dut.wide_i = 0;  // narrow requests unless a test drives wide ones (inputs start random: --x-initial unique)
  dut.valid_i = 0;
  sim.reset();
  const unsigned addr_bits = __builtin_ctz(static_cast<uint32_t>(c.sbuf_bytes_per_partition / 4));
  const unsigned last = kPorts - 1;
  dut.we_i = 0;
  // Port 0 (whole banks) reads word 0 with no partition selected, the last port word 1 (another
  // bank) in partition 0: no error.
  set_bits(dut.addr_i, 0, addr_bits, 0);
  set_bits(dut.addr_i, last * addr_bits, addr_bits, 1);
  set_bits(dut.mask_i, 0, static_cast<unsigned>(c.rows), 0);
  set_bits(dut.mask_i, last * static_cast<unsigned>(c.rows), static_cast<unsigned>(c.rows), 1);
  dut.valid_i = 1u | 1u << last;
  dut.eval();
  REQUIRE(dut.ready_o == (1u | 1u << last));  // both granted: no refused request to hold
  sim.tick();
  REQUIRE_FALSE(sim.context().gotError());
  // The last port with an empty mask: the assertion fires (it is granted, so the stability
  // assertion has nothing to check).
  set_bits(dut.mask_i, last * static_cast<unsigned>(c.rows), static_cast<unsigned>(c.rows), 0);
  dut.eval();
  REQUIRE(dut.ready_o == (1u | 1u << last));
  sim.tick();
  CHECK(sim.context().gotError());
}

TEST_CASE("sbuf: wide requests: the high half's stability, an odd address and a port without WideMask are errors",
          "[rtl][sbuf]") {
  static_assert((kWideMask >> 3 & 1) && !(kWideMask >> 1 & 1), "port 3 may be wide, port 1 may not");
  const CoreConfig& c = preset(TESSERA_PRESET);
  const auto rows = static_cast<unsigned>(c.rows);
  const unsigned addr_bits = __builtin_ctz(static_cast<uint32_t>(c.sbuf_bytes_per_partition / 4));
  auto fresh = [&](tb::SimCtrl<Vsbuf>& sim) {
    sim.context().fatalOnError(false);  // record the $error instead of stopping the process
    Vsbuf& dut = sim.dut();
    dut.valid_i = 0;
    dut.wide_i = 0;
    dut.be_hi_i = 0;
    sim.reset();
    dut.we_i = 0;
    set_bits(dut.mask_i, 0, rows, 1);
    set_bits(dut.mask_i, 3 * rows, rows, 1);
    return &dut;
  };
  {
    // Port 0 holds bank 1 (word 1); port 3's wide write of words 0 and 1 needs it too: refused.
    tb::SimCtrl<Vsbuf> sim;
    Vsbuf& dut = *fresh(sim);
    set_bits(dut.addr_i, 0, addr_bits, 1);
    set_bits(dut.addr_i, 3 * addr_bits, addr_bits, 0);
    set_bits(dut.we_i, 3, 1, 1);
    set_bits(dut.wide_i, 3, 1, 1);
    set_bits(dut.be_i, 12, 4, 0xF);
    set_bits(dut.be_hi_i, 12, 4, 0xF);
    dut.valid_i = 0b1001;
    dut.eval();
    REQUIRE((dut.ready_o & 0b1001) == 0b0001);  // its low bank is free: the high one decides
    sim.tick();
    REQUIRE_FALSE(sim.context().gotError());
    // Refused again, then its high word changes: the stability assertion fires.
    dut.eval();
    sim.tick();
    set_bits(dut.wdata_hi_i, 32 * 3 * rows, 32, 0x1234);
    dut.eval();
    sim.tick();
    CHECK(sim.context().gotError());
  }
  {
    // A wide request at an odd word address.
    tb::SimCtrl<Vsbuf> sim;
    Vsbuf& dut = *fresh(sim);
    set_bits(dut.addr_i, 3 * addr_bits, addr_bits, 3);
    set_bits(dut.wide_i, 3, 1, 1);
    dut.valid_i = 0b1000;
    dut.eval();
    sim.tick();
    CHECK(sim.context().gotError());
  }
  {
    // A wide request on port 1, which WideMask does not allow.
    tb::SimCtrl<Vsbuf> sim;
    Vsbuf& dut = *fresh(sim);
    set_bits(dut.mask_i, rows, rows, 1);
    set_bits(dut.addr_i, addr_bits, addr_bits, 0);
    set_bits(dut.wide_i, 1, 1, 1);
    dut.valid_i = 0b0010;
    dut.eval();
    sim.tick();
    CHECK(sim.context().gotError());
  }
}
