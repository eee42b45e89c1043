// Simulation speed of the verilated systolic array: PE-cycles per second, single thread,
// with every PE busy (a moving vector and a stationary shift every cycle, random operands).
// The timed cycles follow 2 * (rows + cols) untimed ones, after which every PE's banks hold
// random stationary values and every PE sees random moving data and partial sums (a bank's
// chain advances every other cycle); before that many PEs multiply zeros, which is cheaper.
// Prints one JSON object: {"config", "rows", "cols", "cycles", "seconds", "rtl_pe_cycles_per_s"}.
#include <chrono>
#include <cstdio>
#include <random>

#include "Vtensor_array.h"
#include "config/core_config.hpp"
#include "support/sim_ctrl.hpp"
#include "verilated.h"

int main(int argc, char** argv) {
  const tessera::CoreConfig& c = tessera::preset(TESSERA_PRESET);
  const int cycles = argc > 1 ? std::atoi(argv[1]) : 200;
  tessera::tb::SimCtrl<Vtensor_array> sim(false);
  Vtensor_array& top = sim.dut();
  sim.reset();
  std::mt19937 rng(1);
  const int warmup = static_cast<int>(2 * (c.rows + c.cols));
  auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < warmup + cycles; ++t) {
    if (t == warmup) start = std::chrono::steady_clock::now();
    top.mov_valid_i = 1;
    top.mov_sel_i = t & 1;
    top.w_shift_i = 1;
    top.w_bank_i = ~t & 1;
    for (uint64_t k = 0; k < c.rows; ++k) {
      top.mov_i[k] = 0x3F800000u | (rng() & 0x7FFFFFu);
      top.w_i[k] = 0x3F000000u | (rng() & 0x7FFFFFu);
    }
    sim.tick();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"config\": \"%s\", \"rows\": %llu, \"cols\": %llu, \"cycles\": %d, \"seconds\": %.3f, "
              "\"rtl_pe_cycles_per_s\": %.4g}\n",
              c.name.c_str(), static_cast<unsigned long long>(c.rows), static_cast<unsigned long long>(c.cols), cycles,
              seconds, cycles * static_cast<double>(c.rows * c.cols) / seconds);
  return 0;
}
