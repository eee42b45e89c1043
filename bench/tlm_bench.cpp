// Simulation speed of the TLM model on a gemm, without the RTL: wall seconds of each TLM run
// (measured inside its child process, from elaboration to the outputs read back, as
// `tessera bench` times it) and microseconds per modelled cycle. `tessera bench` reports the
// ratio against the verilated core; this benchmark is for working on the TLM's own speed.
// Usage: bench_tlm [CONFIG [M N K [REPEATS [C_DTYPE]]]] (default trn1 256 1024 256 5 fp32:
// tessera bench's trn1 gemm; C_DTYPE bf16 is gemm's --bf16-out 1). Prints one JSON object.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/core_config.hpp"
#include "kernels/gemm.hpp"
#include "kernels/runner.hpp"
#include "tlm/isolated.hpp"

// libsystemc.so owns main() and calls sc_main.
extern "C" int sc_main(int argc, char** argv) {
  using namespace tessera;
  try {
    const CoreConfig& config = preset(argc > 1 ? argv[1] : "trn1");
    kernels::GemmShape s;
    s.m = argc > 4 ? std::strtoull(argv[2], nullptr, 10) : 256;
    s.n = argc > 4 ? std::strtoull(argv[3], nullptr, 10) : 1024;
    s.k = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 256;
    const int repeats = argc > 5 ? std::max(1, std::atoi(argv[5])) : 5;
    const bool c_bf16 = argc > 6 && std::string(argv[6]) == "bf16";
    if (argc > 6 && !c_bf16 && std::string(argv[6]) != "fp32") throw std::runtime_error("C_DTYPE must be fp32 or bf16");
    const isa::Program program =
        kernels::build_gemm(config, s, fp::Format::kBf16, c_bf16 ? fp::Format::kBf16 : fp::Format::kFp32);
    const auto inputs = kernels::resolve_inputs(program, {}, 1);
    std::vector<double> seconds;
    uint64_t cycles = 0;
    for (int i = 0; i < repeats; ++i) {
      const kernels::RunResult r = tlm::run_tlm_isolated(config, program, inputs, 1);
      seconds.push_back(r.stats.seconds);
      cycles = r.timing->cycles;
    }
    std::sort(seconds.begin(), seconds.end());
    const double median = seconds[seconds.size() / 2];
    std::printf("{\"config\": \"%s\", \"gemm\": [%llu, %llu, %llu], \"cycles\": %llu, \"runs\": %d, "
                "\"tlm_seconds_min\": %.5f, \"tlm_seconds_median\": %.5f, \"us_per_cycle_median\": %.4f}\n",
                config.name.c_str(), static_cast<unsigned long long>(s.m), static_cast<unsigned long long>(s.n),
                static_cast<unsigned long long>(s.k), static_cast<unsigned long long>(cycles), repeats, seconds.front(),
                median, median * 1e6 / static_cast<double>(cycles));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_tlm: %s\n", e.what());
    return 2;
  }
}
