// tlm_vs_rtl: one program on the verilated core and on the TLM model, compared (docs/tlm.md
// "Measured agreement"). Outputs bit for bit; pe/act/dve issue and done cycles instruction by
// instruction; each DMA transfer's completion; total cycles. Prints the first instruction whose
// timing differs and a summary, and exits 1 when a requirement given on the command line fails.
//
//   tlm_vs_rtl --config small --kernel gemm [--dtype bf16] [--flag m=32 ...] [--seed N]
//   tlm_vs_rtl --config tiny --program FILE.tasm
//   requirements: --max-cycles-error PCT  --exact ENGINES (comma-separated pe,act,dve,dma;
//                 repeatable; an engine class the program does not use passes)
//                 --max-dma-error PCT (completion cycle, relative to the RTL's)
//                 --exact-traffic (the timeline's DRAM/SBUF counters, window by window)
//   --verbose: every instruction's cycles; --dump-tasm FILE: the program as .tasm
//   --perturb: (self-test of the comparison) one TLM completion one cycle late
//   --cosim BLOCKS: the TLM side co-simulates (a comma list of pe, dma, sbuf, psum, or seq alone, as
//               verilated RTL, with the lockstep checker; docs/cosim.md)
//   --tlm-only: only the TLM (wall time, outputs against the reference model); for gemm also
//               the plain fp32 loop of tessera bench and tlm_vs_native_gemm
//
// SystemC owns main(): one comparison per process.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <systemc>
#include <vector>

#include "common/errors.hpp"
#include "cosim/block_options.hpp"
#include "config/core_config.hpp"
#include "isa/program.hpp"
#include "kernels/registry.hpp"
#include "kernels/runner.hpp"
#include "ref/core_model.hpp"
#include "rtl/core_rtl.hpp"
#include "tlm/tlm_run.hpp"

namespace {

using namespace tessera;

struct Options {
  std::string config = "small", kernel, program, dtype;
  kernels::FlagValues flags;
  uint64_t seed = 1;
  double max_cycles_error = -1, max_dma_error = -1;
  std::set<std::string> exact;
  bool verbose = false;
  bool tlm_only = false;
  std::string cosim;  // blocks run as RTL inside the TLM side
  std::string dump;   // write the program as .tasm here
  bool exact_traffic = false;
  bool perturb = false;  // self-test: move one TLM completion by a cycle before comparing  // speed: the TLM alone, and (gemm) the native fp32 loop of the same size
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw InputError(fmt::format("{} needs a value", a));
      return argv[++i];
    };
    if (a == "--config") o.config = value();
    else if (a == "--kernel") o.kernel = value();
    else if (a == "--program") o.program = value();
    else if (a == "--dtype") o.dtype = value();
    else if (a == "--seed") o.seed = std::stoull(value());
    else if (a == "--max-cycles-error") o.max_cycles_error = std::stod(value());
    else if (a == "--max-dma-error") o.max_dma_error = std::stod(value());
    else if (a == "--exact") {
      // a comma-separated list: pe, act, dve, dma
      std::stringstream list(value());
      for (std::string cls; std::getline(list, cls, ',');) {
        if (cls != "pe" && cls != "act" && cls != "dve" && cls != "dma")
          throw InputError(fmt::format("--exact: unknown engine class {} (pe, act, dve, dma)", cls));
        o.exact.insert(cls);
      }
    }
    else if (a == "--verbose") o.verbose = true;
    else if (a == "--tlm-only") o.tlm_only = true;
    else if (a == "--perturb") o.perturb = true;
    else if (a == "--cosim") o.cosim = value();
    else if (a == "--dump-tasm") o.dump = value();
    else if (a == "--exact-traffic") o.exact_traffic = true;
    else if (a == "--flag") {
      const std::string f = value();
      const size_t eq = f.find('=');
      if (eq == std::string::npos) throw InputError("--flag NAME=VALUE");
      o.flags[f.substr(0, eq)] = std::stod(f.substr(eq + 1));
    } else {
      throw InputError(fmt::format("unknown argument {}", a));
    }
  }
  if (o.kernel.empty() == o.program.empty()) throw InputError("give --kernel or --program");
  return o;
}

std::string engine_class(const std::string& e) { return e.rfind("dma", 0) == 0 ? "dma" : e; }

int compare(const Options& o) {
  const CoreConfig& config = preset(o.config);
  isa::Program program;
  std::map<std::string, kernels::HostTensor> inputs;
  if (!o.kernel.empty()) {
    const kernels::KernelSpec* spec = kernels::find_kernel(o.kernel);
    if (!spec) throw InputError(fmt::format("unknown kernel {}", o.kernel));
    const kernels::FlagValues flags = kernels::flag_values(*spec, o.flags);
    const auto dtype = fp::parse_format(o.dtype.empty() ? spec->dtypes.front() : o.dtype);
    if (!dtype) throw InputError("unknown dtype");
    program = spec->build(config, flags, *dtype);
    inputs = kernels::resolve_inputs(program, {}, o.seed);
    kernels::prepare_inputs(*spec, inputs, flags, o.seed);
  } else {
    std::ifstream in(o.program);
    if (!in) throw InputError(fmt::format("cannot read {}", o.program));
    std::stringstream ss;
    ss << in.rdbuf();
    program = isa::parse_tasm(ss.str(), o.program);
    inputs = kernels::resolve_inputs(program, {}, o.seed);
  }
  ref::CoreModel(config, o.seed).validate(program);  // the RTL takes validated programs only
  if (!o.dump.empty()) std::ofstream(o.dump) << isa::to_tasm(program);
  fmt::print("tlm_vs_rtl: config {}, {} {}, seed {}, {} instructions\n", config.name,
             o.kernel.empty() ? "program" : "kernel", o.kernel.empty() ? o.program : o.kernel, o.seed,
             program.instruction_count());

  using clock = std::chrono::steady_clock;
  if (o.tlm_only) {
    const auto s0 = clock::now();
    const kernels::RunResult tlm = tlm::run_tlm(config, program, inputs, o.seed);
    const double tlm_s = std::chrono::duration<double>(clock::now() - s0).count();
    const kernels::RunResult ref = kernels::run_ref(config, program, inputs, o.seed);
    const std::string diff = kernels::first_difference(ref.outputs, tlm.outputs);
    fmt::print("outputs vs ref: {}\ncycles: tlm {}\nwall: tlm {:.6f} s\n", diff.empty() ? "bit-identical" : "DIFFER: " + diff,
               tlm.timing->cycles, tlm_s);
    if (o.kernel == "gemm") {
      const uint64_t m = static_cast<uint64_t>(o.flags.count("m") ? o.flags.at("m") : 0);
      const kernels::FlagValues f = kernels::flag_values(*kernels::find_kernel("gemm"), o.flags);
      const uint64_t M = static_cast<uint64_t>(f.at("m")), N = static_cast<uint64_t>(f.at("n")), K = static_cast<uint64_t>(f.at("k"));
      (void)m;
      // The yardstick of tessera bench (sim/cli/bench_command.cpp): plain i-k-j fp32 loop.
      std::vector<float> a(M * K), b(K * N), c(M * N);
      for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i % 7) * 0.25f;
      for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(i % 5) * 0.5f;
      uint64_t reps = 0;
      volatile float sink = 0;
      const auto n0 = clock::now();
      do {
        std::fill(c.begin(), c.end(), 0.0f);
        for (uint64_t i = 0; i < M; ++i)
          for (uint64_t k = 0; k < K; ++k) {
            const float av = a[i * K + k];
            float* ci = &c[i * N];
            const float* bk = &b[k * N];
            for (uint64_t j = 0; j < N; ++j) ci[j] += av * bk[j];
          }
        sink = sink + c[reps % c.size()];
        ++reps;
      } while (std::chrono::duration<double>(clock::now() - n0).count() < 0.2);
      const double native = std::chrono::duration<double>(clock::now() - n0).count() / static_cast<double>(reps);
      fmt::print("native fp32 gemm {}x{}x{}: {:.6f} s; tlm_vs_native_gemm {:.4f}\n", M, N, K, native, native / tlm_s);
    }
    return diff.empty() ? 0 : 1;
  }
  const auto t0 = clock::now();
  const kernels::RunResult rtl = rtl::run_rtl(config, program, inputs, o.seed, {});
  const auto t1 = clock::now();
  tlm::CosimOptions co;
  cosim::MemPorts ports;
  if (!o.cosim.empty()) {
    cosim::BlockSet blocks;
    for (size_t pos = 0; pos <= o.cosim.size();) {
      const size_t comma = std::min(o.cosim.find(',', pos), o.cosim.size());
      const std::string b = o.cosim.substr(pos, comma - pos);
      if (b == "pe") blocks.pe = true;
      else if (b == "dma") blocks.dma = true;
      else if (b == "sbuf") blocks.sbuf = true;
      else if (b == "psum") blocks.psum = true;
      else if (b == "seq") blocks.seq = true;  // alone (below)
      else throw InputError("--cosim: a comma list of pe, dma, sbuf, psum, or seq");
      pos = comma + 1;
    }
    if (blocks.seq && (blocks.pe || blocks.dma || blocks.sbuf || blocks.psum))
      throw InputError("--cosim: seq runs alone");
    co.lockstep = true;
    cosim::add_blocks(co, config, blocks, nullptr, {}, o.seed, ports);
    fmt::print("TLM side: co-simulation, RTL blocks {}\n", o.cosim);
  }
  kernels::RunResult tlm = tlm::run_tlm(config, program, inputs, o.seed, co);
  const auto t2 = clock::now();
  if (o.perturb && !tlm.timing->instructions.empty()) ++tlm.timing->instructions.front().done;
  const double rtl_s = std::chrono::duration<double>(t1 - t0).count();
  const double tlm_s = std::chrono::duration<double>(t2 - t1).count();

  bool ok = true;
  const std::string diff = kernels::first_difference(rtl.outputs, tlm.outputs);
  fmt::print("outputs: {}\n", diff.empty() ? "bit-identical" : "DIFFER: " + diff);
  ok = ok && diff.empty();

  std::map<std::pair<std::string, uint32_t>, kernels::InstTiming> by_id;
  for (const auto& t : tlm.timing->instructions) by_id[{t.engine, t.index}] = t;
  std::map<std::string, std::pair<uint64_t, uint64_t>> exact;  // class -> (exact, total)
  double dma_max_err = 0, dma_max_dur_err = 0;
  std::string dma_worst;
  bool first_reported = false;
  for (const auto& r : rtl.timing->instructions) {
    const auto it = by_id.find({r.engine, r.index});
    if (it == by_id.end()) {
      fmt::print("MISSING in tlm: {} #{}\n", r.engine, r.index);
      ok = false;
      continue;
    }
    const kernels::InstTiming& t = it->second;
    const std::string cls = engine_class(r.engine);
    const isa::Instruction* inst = nullptr;
    for (const isa::Queue& q : program.queues)
      if (q.engine == r.engine) inst = &q.insts[r.index];
    const bool same = r.issue == t.issue && r.done == t.done;
    if (o.verbose)
      fmt::print("{:>5} #{:<3} rtl {:>6} {:>6} ({:>5})  tlm {:>6} {:>6} ({:>5})  {}\n", r.engine, r.index, r.issue, r.done,
                 r.done - r.issue, t.issue, t.done, t.done - t.issue, isa::to_text(*inst));
    if (cls == "dma") {
      const double err = std::fabs(static_cast<double>(t.done) - static_cast<double>(r.done)) /
                         static_cast<double>(std::max<uint64_t>(r.done, 1));
      const double dur = static_cast<double>(r.done - r.issue + 1);
      const double dur_err =
          std::fabs(static_cast<double>(t.done - t.issue + 1) - dur) / dur;
      if (err > dma_max_err) {
        dma_max_err = err;
        dma_worst = fmt::format("{} #{}: rtl issue {} done {}, tlm issue {} done {}", r.engine, r.index, r.issue, r.done,
                                t.issue, t.done);
      }
      dma_max_dur_err = std::max(dma_max_dur_err, dur_err);
    }
    auto& e = exact[cls];
    ++e.second;
    if (same) ++e.first;
    if (!same && cls != "dma" && !first_reported) {
      first_reported = true;
      fmt::print("first timing difference: {} #{} `{}`: rtl issue {} done {}, tlm issue {} done {}\n", r.engine,
                 r.index, isa::to_text(*inst), r.issue, r.done, t.issue, t.done);
    }
  }
  for (const auto& [cls, e] : exact)
    fmt::print("{:>4}: {} of {} instructions with identical issue and done cycles\n", cls, e.first, e.second);
  fmt::print("dma: max completion error {:.3f}% ({}); max duration error {:.1f}%\n", 100 * dma_max_err, dma_worst,
             100 * dma_max_dur_err);
  const double ratio = static_cast<double>(tlm.timing->cycles) / static_cast<double>(rtl.timing->cycles);
  fmt::print("cycles: rtl {}, tlm {}, tlm/rtl {:.5f} ({:+.3f}%)\n", rtl.timing->cycles, tlm.timing->cycles, ratio,
             100 * (ratio - 1));
  fmt::print("wall: rtl {:.3f} s, tlm {:.3f} s, speedup {:.1f}x\n", rtl_s, tlm_s, rtl_s / tlm_s);

  // The timeline's counters, window by window (DRAM bytes read and written, SBUF accesses).
  const auto& rt = rtl.timing->traffic;
  const auto& tt = tlm.timing->traffic;
  std::string traffic_diff;
  if (rt.size() != tt.size()) traffic_diff = fmt::format("{} windows in rtl, {} in tlm", rt.size(), tt.size());
  for (size_t w = 0; w < rt.size() && w < tt.size() && traffic_diff.empty(); ++w)
    if (rt[w].cycle != tt[w].cycle || rt[w].window != tt[w].window || rt[w].dram_read_bytes != tt[w].dram_read_bytes ||
        rt[w].dram_write_bytes != tt[w].dram_write_bytes || rt[w].sbuf_accesses != tt[w].sbuf_accesses)
      traffic_diff = fmt::format("window at cycle {}: rtl read {} write {} sbuf {}, tlm read {} write {} sbuf {}",
                                 rt[w].cycle, rt[w].dram_read_bytes, rt[w].dram_write_bytes, rt[w].sbuf_accesses,
                                 tt[w].dram_read_bytes, tt[w].dram_write_bytes, tt[w].sbuf_accesses);
  fmt::print("timeline counters: {}\n", traffic_diff.empty() ? fmt::format("identical ({} windows)", rt.size())
                                                              : "DIFFER: " + traffic_diff);
  if (o.exact_traffic && !traffic_diff.empty()) {
    fmt::print("FAIL: the timeline counters differ\n");
    ok = false;
  }

  if (o.max_cycles_error >= 0 && std::fabs(ratio - 1) * 100 > o.max_cycles_error) {
    fmt::print("FAIL: total cycles differ by more than {}%\n", o.max_cycles_error);
    ok = false;
  }
  if (o.max_dma_error >= 0 && dma_max_err * 100 > o.max_dma_error) {
    fmt::print("FAIL: a DMA completion differs by more than {}%\n", o.max_dma_error);
    ok = false;
  }
  for (const std::string& cls : o.exact) {
    const auto e = exact[cls];
    if (e.first != e.second) {
      fmt::print("FAIL: {} timing is not exact ({} of {})\n", cls, e.first, e.second);
      ok = false;
    }
  }
  fmt::print("{}\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}

}  // namespace

int sc_main(int argc, char** argv) {
  try {
    return compare(parse(argc, argv));
  } catch (const tessera::InputError& e) {
    fmt::print(stderr, "tlm_vs_rtl: error: {}\n", e.what());
    return 2;
  } catch (const tessera::SimError& e) {
    fmt::print(stderr, "tlm_vs_rtl: error: {}\n", e.what());
    return 3;
  }
}
