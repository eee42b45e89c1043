// One PE (rtl/pe/pe_tile.sv as a 1 x 1 tile, with the arithmetic of rtl/pe/pe.sv) against the
// numerics contract: psum_o = add32(psum_i, mul32(w, mov)) bit for bit (docs/numerics.md), for
// millions of operand triples aimed at every path of the PE's multiply and add: random bit
// patterns, specials, subnormal inputs and results, products near underflow and overflow, sums
// that cancel, exponent distances around the alignment window, and rounding ties. Also the
// moving and stationary pass-through, the banks and reset.
//
// Every cycle shifts a new stationary value into one bank while the moving value multiplies
// with the other bank, loaded the cycle before.
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>

#include "Vpe_tile.h"
#include "numerics/fp.hpp"
#include "support/sim_ctrl.hpp"
#include "verilated.h"

using namespace tessera;

namespace {

constexpr uint32_t kSpecials[] = {0x00000000u, 0x80000000u, 0x7F800000u, 0xFF800000u, 0x7FC00000u, 0xFFC00001u,
                                  0x7F800001u, 0x00000001u, 0x80000001u, 0x007FFFFFu, 0x807FFFFFu, 0x00800000u,
                                  0x80800000u, 0x7F7FFFFFu, 0xFF7FFFFFu, 0x3F800000u, 0xBF800000u, 0x00400000u};

uint32_t with_exponent(uint32_t bits, uint32_t exp) { return (bits & 0x807FFFFFu) | ((exp & 0xFFu) << 23); }

// An operand from one of several classes.
uint32_t operand(std::mt19937& rng) {
  const uint32_t r = static_cast<uint32_t>(rng());
  switch (rng() % 8) {
    case 0: return kSpecials[rng() % std::size(kSpecials)];
    case 1: return r & 0x807FFFFFu;                               // subnormal or zero
    case 2: return with_exponent(r, 1 + rng() % 40);             // tiny normal
    case 3: return with_exponent(r, 214 + rng() % 41);           // huge, up to infinity/NaN
    case 4: return with_exponent(r, 110 + rng() % 36);           // near 1
    case 5: return (r & 0xFFFF0000u);                             // bf16-like (short significands: ties)
    case 6: return with_exponent(r & 0xFFF0000Fu, 60 + rng() % 136);  // few bits: exact sums, ties
    default: return r;                                            // any pattern
  }
}

// A partial sum related to the product p: its negation nudged (cancellation), the product
// scaled by a power of two around the alignment window, or an independent operand.
uint32_t psum_for(std::mt19937& rng, uint32_t p) {
  const uint32_t r = static_cast<uint32_t>(rng());
  const uint32_t exp = (p >> 23) & 0xFFu;
  switch (rng() % 6) {
    case 0: return p ^ 0x80000000u;                                     // exact cancellation
    case 1: return (p ^ 0x80000000u) + (r % 64) - 32;                   // near cancellation
    case 2: {                                                           // distance 0..30 below or above
      const int d = static_cast<int>(rng() % 61) - 30;
      const int e = static_cast<int>(exp) + d;
      if (e < 0 || e > 254) return r;
      return with_exponent(r ^ (p & 0x80000000u) ^ ((rng() & 1u) << 31), static_cast<uint32_t>(e));
    }
    case 3: return (p & 0xFF800000u) | (r & 0x7u);                      // same binade, ties on add
    default: return operand(rng);
  }
}

struct PeBench {
  tb::SimCtrl<Vpe_tile> sim;
  PeBench() { sim.reset(); }
};

}  // namespace

TEST_CASE("pe: psum_o = add32(psum_i, mul32(w, mov)) bit for bit", "[rtl][pe]") {
  const uint32_t seed = Catch::rngSeed();
  INFO("seed " << seed << " (replay with --rng-seed " << seed << ")");
  std::mt19937 rng(seed);
  PeBench bench;
  Vpe_tile& dut = bench.sim.dut();
  constexpr int kVectors = 3'000'000;
  uint32_t w_prev = 0;  // in bank (t - 1) & 1
  int failures = 0;
  for (int t = 0; t < kVectors && failures < 10; ++t) {
    const uint32_t w = operand(rng), mov = operand(rng);
    // The multiply uses the stationary loaded in the previous cycle; this cycle loads the other bank.
    const uint32_t product = fp::mul32_bits(w_prev, mov);
    const uint32_t psum = t % 16 == 0 ? operand(rng) : psum_for(rng, product);
    dut.mov_sel_i = (t - 1) & 1;
    dut.mov_i = mov;
    dut.psum_i = psum;
    dut.w_shift_i = 1;
    dut.w_bank_i = t & 1;
    dut.w_i = w;
    bench.sim.tick();
    if (t > 0) {
      const uint32_t want = fp::add32_bits(psum, product);
      if (dut.psum_o != want) {
        ++failures;
        FAIL_CHECK(std::hex << "w " << w_prev << " mov " << mov << " psum " << psum << ": got " << dut.psum_o
                            << ", expected " << want << " (product " << product << ")");
      }
      REQUIRE(dut.mov_o == mov);
      REQUIRE(dut.mov_sel_o == static_cast<uint8_t>((t - 1) & 1));
    }
    w_prev = w;
  }
  CHECK(failures == 0);
}

TEST_CASE("pe: stationary banks, shift chain and reset", "[rtl][pe]") {
  PeBench bench;
  Vpe_tile& dut = bench.sim.dut();
  CHECK(dut.psum_o == 0);
  CHECK(dut.mov_o == 0);
  // Load bank 1 with 2.0 and bank 0 with 3.0; w_o shows the bank named by w_bank_i.
  dut.w_shift_i = 1;
  dut.w_bank_i = 1;
  dut.w_i = 0x40000000u;
  bench.sim.tick();
  dut.w_bank_i = 0;
  dut.w_i = 0x40400000u;
  bench.sim.tick();
  dut.w_shift_i = 0;
  dut.w_i = 0;
  dut.eval();
  CHECK(dut.w_o == 0x40400000u);
  CHECK(dut.w_shift_o == 0);
  dut.w_bank_i = 1;
  dut.eval();
  CHECK(dut.w_o == 0x40000000u);
  CHECK(dut.w_bank_o == 1);
  // 1.5 + 2.0 * bank 1 = 5.5; 1.5 + 3.0 * bank 0 = 7.5; the banks keep their values without a shift.
  dut.mov_i = 0x40000000u;
  dut.psum_i = 0x3FC00000u;
  dut.mov_sel_i = 1;
  bench.sim.tick();
  CHECK(dut.psum_o == 0x40B00000u);
  dut.mov_sel_i = 0;
  bench.sim.tick();
  CHECK(dut.psum_o == 0x40F00000u);
}
