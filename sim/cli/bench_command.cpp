// tessera bench: simulation speed and modelled kernel cycles (SPEC section 11). Figures are
// measured in one run of this command, so ratios between them are meaningful on a noisy host.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <tuple>
#include <vector>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common/errors.hpp"
#include "common/files.hpp"
#include "config/core_config.hpp"
#include "kernels/gemm.hpp"
#include "kernels/registry.hpp"
#include "kernels/runner.hpp"
#include "rtl/core_rtl.hpp"
#include "tlm/isolated.hpp"

namespace tessera::cli {
namespace {

struct BenchOptions {
  std::string config = "small";
  std::string json;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A plain fp32 GEMM loop (i-k-j order, which the compiler vectorizes) of the kernel's size,
// single thread: the yardstick of the TLM's numerics speed (SPEC section 11). Repeated until
// it has run for at least 0.2 s; seconds per GEMM.
double native_gemm_seconds(const kernels::GemmShape& s) {
  std::vector<float> a(s.m * s.k), b(s.k * s.n), c(s.m * s.n);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i % 7) * 0.25f;
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(i % 5) * 0.5f;
  uint64_t reps = 0;
  volatile float sink = 0;
  const auto t0 = std::chrono::steady_clock::now();
  do {
    std::fill(c.begin(), c.end(), 0.0f);
    for (uint64_t i = 0; i < s.m; ++i)
      for (uint64_t k = 0; k < s.k; ++k) {
        const float av = a[i * s.k + k];
        float* ci = &c[i * s.n];
        const float* bk = &b[k * s.n];
        for (uint64_t j = 0; j < s.n; ++j) ci[j] += av * bk[j];
      }
    sink = sink + c[reps % c.size()];
    ++reps;
  } while (seconds_since(t0) < 0.2);
  return seconds_since(t0) / static_cast<double>(reps);
}

int run_bench(const BenchOptions& o) {
  const CoreConfig& config = preset(o.config);
  if (!rtl::core_available(config.name))
    throw InputError(fmt::format("bench: no verilated core is built for config {} (see docs/core.md)", config.name));
  using nlohmann::json;
  json r;
  r["config"] = config.name;

  // gemm on the verilated core: core cycles per second, and the modelled cycles and MFU. Two by
  // two output tiles of four K chunks each; above 16 rows (trn1, whose verilated core runs
  // about 1.5 k cycles/s) of two K chunks: 256 x 1024 x 256, 124 k cycles.
  kernels::GemmShape shape;
  shape.m = 2 * config.cols;
  shape.n = 2 * config.moving_max_n;
  shape.k = (config.rows > 16 ? 2 : 4) * config.rows;
  const isa::Program program = kernels::build_gemm(config, shape, fp::Format::kBf16);
  const auto inputs = kernels::resolve_inputs(program, {}, 1);
  // The same gemm on the TLM model, each run in a child process (SystemC elaborates once per
  // process); its wall time is measured inside the child, from elaboration to the outputs read
  // back. Five runs, the median taken (a run lasts milliseconds, as long as the machines'
  // bursts of noise; the RTL run lasts seconds), all before the reference and the RTL run: a
  // child forked from a process that holds the verilated trn1 core, or the heap the reference
  // model left behind, spends part of its time in copy-on-write faults of the parent's memory,
  // not in the TLM.
  std::vector<double> tlm_runs;
  std::vector<kernels::RunResult> tlm_results;
  constexpr int kTlmRuns = 5;
  for (int i = 0; i < kTlmRuns; ++i) {
    tlm_results.push_back(tlm::run_tlm_isolated(config, program, inputs, 1));
    tlm_runs.push_back(tlm_results.back().stats.seconds);
  }
  const kernels::RunResult ref = kernels::run_ref(config, program, inputs, 1);
  for (const kernels::RunResult& t : tlm_results) {
    const std::string tlm_diff = kernels::first_difference(ref.outputs, t.outputs);
    if (!tlm_diff.empty()) throw SimError(fmt::format("bench: the TLM gemm differs from the reference at {}", tlm_diff));
  }
  const kernels::RunResult& tlm = tlm_results.back();
  std::vector<double> sorted = tlm_runs;
  std::sort(sorted.begin(), sorted.end());
  const double tlm_seconds = sorted[kTlmRuns / 2];

  // The TLM's numerics against a plain fp32 GEMM loop of the same size (SPEC section 11), on a
  // gemm large enough for the numerics to matter, in another child: 512^3 bf16 (tiny:
  // 128x64x128; its 4x4 array would take minutes over 512^3). The numerics are every
  // instruction's execution (DMA copies and casts, matmuls, PSUM accumulation, vector-engine
  // copies), timed inside the TLM's executors; the whole run's ratio is reported too.
  kernels::GemmShape big;
  big.m = big.k = std::min<uint64_t>(512, 32 * config.rows);
  big.n = std::min<uint64_t>(512, 4 * config.moving_max_n);
  const isa::Program big_program = kernels::build_gemm(config, big, fp::Format::kBf16);
  const auto big_inputs = kernels::resolve_inputs(big_program, {}, 1);
  const kernels::RunResult big_tlm = tlm::run_tlm_isolated(config, big_program, big_inputs, 1);
  const std::string big_diff =
      kernels::first_difference(kernels::run_ref(config, big_program, big_inputs, 1).outputs, big_tlm.outputs);
  if (!big_diff.empty()) throw SimError(fmt::format("bench: the TLM gemm differs from the reference at {}", big_diff));

  // The speed gemm on the verilated core, once (trn1: about 80 s).
  const auto t0 = std::chrono::steady_clock::now();
  const kernels::RunResult rtl = rtl::run_rtl(config, program, inputs, 1, rtl::CoreRunOptions{});
  const double rtl_seconds = seconds_since(t0);
  const std::string diff = kernels::first_difference(ref.outputs, rtl.outputs);
  if (!diff.empty()) throw SimError(fmt::format("bench: the RTL gemm differs from the reference at {}", diff));
  const double cycles = static_cast<double>(rtl.timing->cycles);
  const double pes = static_cast<double>(config.rows * config.cols);
  r["rtl_core_cycles_per_s"] = cycles / rtl_seconds;
  // PE-cycles per second of the tensor engine inside the whole core at this configuration
  // (bench/ measures the trn1 array alone: bench_tensor_array_trn1).
  r["rtl_pe_cycles_per_s"] = cycles * pes / rtl_seconds;
  r["rtl_pe_source"] = fmt::format("tensor engine in the {} core ({}x{}) running gemm", config.name, config.rows, config.cols);
  r["tlm_speedup_vs_rtl"] = rtl_seconds / tlm_seconds;
  r["tlm_cycles_vs_rtl"] = static_cast<double>(tlm.timing->cycles) / cycles;
  const double native_seconds = native_gemm_seconds(big);
  r["tlm_vs_native_gemm"] = native_seconds / big_tlm.stats.numerics_seconds;
  r["tlm_run_vs_native_gemm"] = native_seconds / big_tlm.stats.seconds;
  r["numerics_gemm"] = {{"m", big.m}, {"n", big.n}, {"k", big.k}, {"dtype", "bf16"}, {"cycles", big_tlm.timing->cycles}};
  r["seconds"] = {{"rtl", rtl_seconds},
                  {"tlm", tlm_seconds},
                  {"tlm_runs", tlm_runs},
                  {"native_gemm", native_seconds},
                  {"tlm_numerics_gemm", big_tlm.stats.numerics_seconds},
                  {"tlm_run_numerics_gemm", big_tlm.stats.seconds}};
  r["gemm"] = {
      {"mode", "rtl"},
      {"shape", {{"m", shape.m}, {"n", shape.n}, {"k", shape.k}}},
      {"dtype", "bf16"},
      {"cycles", rtl.timing->cycles},
      {"mfu", static_cast<double>(ref.stats.flops) / (2.0 * pes * cycles)},
  };

  // Every kernel at its default flags and dtype (tessera list kernels), on the TLM model (whose
  // cycles are the RTL's: tests/golden, tlm.vs_rtl), each in its own child process. MFU counts
  // the model's FLOPs (KernelSpec::model_flops: mlp_step's transposes and bias sums on the array
  // are not model work), else the tensor engine's multiply-accumulates, so kernels without
  // matmuls show 0.
  auto run_kernel = [&](const kernels::KernelSpec& spec, const kernels::FlagValues& given) {
    const kernels::FlagValues flags = kernels::flag_values(spec, given);
    const auto dtype = fp::parse_format(spec.dtypes.front());
    const isa::Program kp = spec.build(config, flags, *dtype);
    auto kin = kernels::resolve_inputs(kp, {}, 1);
    kernels::prepare_inputs(spec, kin, flags, 1);
    const kernels::RunResult k = tlm::run_tlm_isolated(config, kp, kin, 1);
    json shape_flags = json::object();
    for (const kernels::KernelFlag& f : spec.flags)
      if (f.integer || given.count(f.name)) shape_flags[f.name] = static_cast<uint64_t>(flags.at(f.name));
    return json{
        {"mode", "tlm"},
        {"flags", shape_flags},
        {"dtype", spec.dtypes.front()},
        {"cycles", k.timing->cycles},
        {"mfu", static_cast<double>(kernels::model_flops_of(spec, flags).value_or(k.stats.flops)) /
                    (2.0 * pes * static_cast<double>(k.timing->cycles))},
    };
  };
  for (const kernels::KernelSpec& spec : kernels::kernel_registry()) r["kernels"][spec.name] = run_kernel(spec, {});
  // The utilization targets of SPEC section 11, on arrays of trn1's size: gemm 2048^3 bf16
  // (>= 90%), with an fp32 c and with a bf16 c (--bf16-out 1), and mlp_step (>= 60%) at the
  // documented shape, B 4096 in passes of 512 rows, D 512, H 1024, C 256, and at B 256 (one
  // pass), the shape of earlier sessions (docs/kernels.md "mlp_step").
  if (config.rows >= 128) {
    const std::tuple<const char*, const char*, kernels::FlagValues, double> targets[] = {
        {"gemm", "gemm", {{"m", 2048}, {"n", 2048}, {"k", 2048}}, 0.9},
        {"gemm_bf16_out", "gemm", {{"m", 2048}, {"n", 2048}, {"k", 2048}, {"bf16-out", 1}}, 0.9},
        {"mlp_step", "mlp_step",
         {{"batch", 4096}, {"in-features", 512}, {"hidden", 1024}, {"classes", 256}, {"micro-batch", 256}}, 0.6},
        {"mlp_step_b256", "mlp_step", {{"batch", 256}, {"in-features", 512}, {"hidden", 1024}, {"classes", 256}}, 0.6}};
    for (const auto& [key, name, given, target] : targets) {
      json k = run_kernel(*kernels::find_kernel(name), given);
      k["target"] = target;
      r["mfu_targets"][key] = k;
    }
  }

  fmt::print("tessera bench on {}\n", config.name);
  fmt::print("  rtl_core_cycles_per_s {:.4g}\n", r["rtl_core_cycles_per_s"].get<double>());
  fmt::print("  rtl_pe_cycles_per_s   {:.4g} ({})\n", r["rtl_pe_cycles_per_s"].get<double>(),
             r["rtl_pe_source"].get<std::string>());
  fmt::print("  tlm_speedup_vs_rtl    {:.4g} (gemm {}x{}x{} bf16 on {}: RTL {:.3g} s, TLM {:.3g} s (median of 5), {} cycles in both)\n",
             r["tlm_speedup_vs_rtl"].get<double>(), shape.m, shape.n, shape.k, config.name, rtl_seconds, tlm_seconds,
             rtl.timing->cycles);
  if (tlm.timing->cycles != rtl.timing->cycles)
    fmt::print("  (TLM cycles / RTL cycles {:.4f})\n", r["tlm_cycles_vs_rtl"].get<double>());
  fmt::print("  tlm_vs_native_gemm    {:.4g} (gemm {}x{}x{} bf16: native fp32 loop {:.3g} s, TLM numerics {:.3g} s)\n",
             r["tlm_vs_native_gemm"].get<double>(), big.m, big.n, big.k, native_seconds, big_tlm.stats.numerics_seconds);
  fmt::print("  tlm_run_vs_native_gemm {:.4g} (the whole TLM run of that gemm: {:.3g} s, {} cycles)\n",
             r["tlm_run_vs_native_gemm"].get<double>(), big_tlm.stats.seconds, big_tlm.timing->cycles);
  fmt::print("  gemm (rtl)            cycles {:>10}  mfu {:.4f}\n", rtl.timing->cycles, r["gemm"]["mfu"].get<double>());
  if (r.contains("mfu_targets"))
    for (const auto& [name, k] : r["mfu_targets"].items())
      fmt::print("  MFU target {:<10} cycles {:>10}  mfu {:.4f} (target {:.2f})  {}\n", name, k["cycles"].get<uint64_t>(),
                 k["mfu"].get<double>(), k["target"].get<double>(), k["flags"].dump());
  for (const auto& [name, k] : r["kernels"].items())
    fmt::print("  kernel {:<14} cycles {:>10}  mfu {:.4f}  {}\n", name, k["cycles"].get<uint64_t>(), k["mfu"].get<double>(),
               k["flags"].dump());
  if (!o.json.empty()) write_file_atomic(o.json, r.dump(2) + "\n");
  return kExitOk;
}

}  // namespace

Runner add_bench_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("bench", "Simulation speed and modelled kernel cycles");
  auto o = std::make_shared<BenchOptions>();
  sub->add_option("--config", o->config, "Configuration preset (tessera list configs)");
  sub->add_option("--json", o->json, "Write the figures as JSON here");
  return [o] { return run_bench(*o); };
}

}  // namespace tessera::cli
