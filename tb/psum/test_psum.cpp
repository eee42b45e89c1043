// PSUM against a cycle-level golden model: random tensor-engine writes (overwrite and
// accumulate, random partition masks, a few addresses so that back-to-back accumulates to one
// word are common), engine reads and engine writes with the stall the tensor engine imposes.
// Checks every read, the final contents and the conflict count.
#include <catch2/catch.hpp>
#include <memory>
#include <random>
#include <vector>

#include "Vpsum.h"
#include "config/core_config.hpp"
#include "numerics/fp.hpp"
#include "support/sim_ctrl.hpp"
#include "verilated.h"

using namespace tessera;

namespace {

struct Row {
  bool valid = false, acc = false;
  uint32_t addr = 0, mask = 0, be = 0xF;
  std::vector<uint32_t> data;
};

uint32_t random_value(std::mt19937& rng) {
  // bf16-like values keep sums exact often and inexact sometimes; specials now and then.
  if (rng() % 50 == 0) {
    const uint32_t s[] = {0x7F800000u, 0xFF800000u, 0x7FC00000u, 0x80000000u, 0x00000001u};
    return s[rng() % 5];
  }
  return static_cast<uint32_t>(rng()) & 0xFFFF0000u;
}

}  // namespace

TEST_CASE("psum: accumulate chains, engine reads and writes against the golden model", "[rtl][psum]") {
  const CoreConfig& c = preset(TESSERA_PRESET);
  const auto parts = static_cast<uint32_t>(c.rows);
  const auto depth = static_cast<uint32_t>(c.psum_banks * c.moving_max_n);
  const uint32_t seed = Catch::rngSeed();
  INFO("config " << c.name << ", seed " << seed << " (replay with --rng-seed " << seed << ")");
  std::mt19937 rng(seed);

  tb::SimCtrl<Vpsum> sim;
  Vpsum& dut = sim.dut();
  auto set_row = [&](auto& port, const std::vector<uint32_t>& v) {
    for (uint32_t p = 0; p < parts; ++p) port[p] = v[p];
  };
  auto tick = [&] { sim.tick(); };
  sim.reset();
  dut.te_valid_i = 0;
  dut.rd_valid_i = 0;
  dut.wr_valid_i = 0;
  dut.eval();

  // Known contents first, through the engine write port (the SRAM starts undefined).
  std::vector<std::vector<uint32_t>> golden(depth, std::vector<uint32_t>(parts));
  for (uint32_t a = 0; a < depth; ++a) {
    for (auto& w : golden[a]) w = random_value(rng);
    dut.wr_valid_i = 1;
    dut.wr_addr_i = a;
    dut.wr_mask_i = (parts == 32 ? 0xFFFFFFFFu : (1u << parts) - 1);
    dut.wr_be_i = 0xF;
    set_row(dut.wr_data_i, golden[a]);
    dut.eval();
    REQUIRE(dut.wr_ready_o);
    tick();
  }
  dut.wr_valid_i = 0;

  const uint32_t hot = std::min<uint32_t>(depth, 4);  // a few addresses: hazards are common
  Row stage_b;                                        // the tensor-engine write committing now
  Row engine_write;                                   // held until accepted
  bool read_pending = false;
  uint32_t read_addr = 0;
  std::vector<uint32_t> read_expect;
  uint64_t conflicts = 0;
  for (int cycle = 0; cycle < 20000; ++cycle) {
    INFO("cycle " << cycle);
    Row te;
    te.valid = rng() % 3 != 0;
    te.acc = rng() % 4 != 0;
    te.addr = rng() % 2 ? rng() % hot : rng() % depth;
    te.mask = static_cast<uint32_t>(rng()) & (parts == 32 ? 0xFFFFFFFFu : (1u << parts) - 1);
    for (uint32_t p = 0; p < parts; ++p) te.data.push_back(random_value(rng));
    if (!engine_write.valid && rng() % 4 == 0) {
      engine_write.valid = true;
      engine_write.addr = rng() % 2 ? rng() % hot : rng() % depth;
      engine_write.mask = static_cast<uint32_t>(rng()) & (parts == 32 ? 0xFFFFFFFFu : (1u << parts) - 1);
      engine_write.be = rng() % 2 ? 0xFu : static_cast<uint32_t>(rng() % 16);  // narrow dtypes write bytes
      engine_write.data.clear();
      for (uint32_t p = 0; p < parts; ++p)  // partial writes: every byte random, so each lane shows
        engine_write.data.push_back(engine_write.be == 0xF ? random_value(rng) : static_cast<uint32_t>(rng()));
    }
    const bool read = rng() % 2;
    const uint32_t raddr = rng() % 2 ? rng() % hot : rng() % depth;

    dut.te_valid_i = te.valid;
    dut.te_acc_i = te.acc;
    dut.te_addr_i = te.addr;
    dut.te_mask_i = te.mask;
    set_row(dut.te_data_i, te.data);
    dut.wr_valid_i = engine_write.valid;
    dut.wr_addr_i = engine_write.addr;
    dut.wr_mask_i = engine_write.mask;
    dut.wr_be_i = engine_write.be;
    if (engine_write.valid) set_row(dut.wr_data_i, engine_write.data);
    dut.rd_valid_i = read;
    dut.rd_addr_i = raddr;
    dut.eval();

    // Last cycle's read returns the contents before last cycle's commit.
    REQUIRE(static_cast<bool>(dut.rd_valid_o) == read_pending);
    if (read_pending)
      for (uint32_t p = 0; p < parts; ++p) REQUIRE(dut.rd_data_o[p] == read_expect[p]);

    // Golden: what this cycle reads, then what commits at this edge.
    read_pending = read;
    read_addr = raddr;
    if (read) read_expect = golden[read_addr];
    REQUIRE(static_cast<bool>(dut.wr_ready_o) == !stage_b.valid);
    if (stage_b.valid) {
      for (uint32_t p = 0; p < parts; ++p)
        if (stage_b.mask >> p & 1)
          golden[stage_b.addr][p] = stage_b.acc ? fp::add32_bits(golden[stage_b.addr][p], stage_b.data[p]) : stage_b.data[p];
      if (engine_write.valid) ++conflicts;
    } else if (engine_write.valid) {
      for (uint32_t p = 0; p < parts; ++p)
        if (engine_write.mask >> p & 1) {
          uint32_t& w = golden[engine_write.addr][p];
          for (unsigned b = 0; b < 4; ++b)
            if (engine_write.be >> b & 1) w = (w & ~(0xFFu << 8 * b)) | (engine_write.data[p] & 0xFFu << 8 * b);
        }
      engine_write.valid = false;
    }
    stage_b = te;
    tick();
  }
  // Drain and compare every word.
  dut.te_valid_i = 0;
  dut.wr_valid_i = 0;
  dut.rd_valid_i = 0;
  dut.eval();
  if (stage_b.valid)
    for (uint32_t p = 0; p < parts; ++p)
      if (stage_b.mask >> p & 1)
        golden[stage_b.addr][p] = stage_b.acc ? fp::add32_bits(golden[stage_b.addr][p], stage_b.data[p]) : stage_b.data[p];
  tick();
  for (uint32_t a = 0; a < depth; ++a) {
    dut.rd_valid_i = 1;
    dut.rd_addr_i = a;
    dut.eval();
    tick();
    dut.rd_valid_i = 0;
    dut.eval();
    for (uint32_t p = 0; p < parts; ++p) REQUIRE(dut.rd_data_o[p] == golden[a][p]);
  }
  CHECK(dut.wr_conflicts_o == conflicts);
}
