#include "report.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <stdexcept>

namespace tessera::cli {

std::string sha256_hex(const std::vector<uint8_t>& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("sha256 failed");
  std::string hex;
  for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

nlohmann::json make_report(const std::string& kernel, const CoreConfig& config, const std::string& mode,
                           const kernels::RunResult& run, const std::optional<Check>& check,
                           const std::optional<std::string>& divergence, std::optional<uint64_t> model_flops) {
  using nlohmann::json;
  const ref::RunStats& stats = run.stats;
  const uint64_t flops = model_flops.value_or(stats.flops);
  const auto& outputs = run.outputs;
  json r;
  r["kernel"] = kernel;
  r["config"] = config.name;
  r["mode"] = mode;
  // The reference model has no timing: cycles, seconds, busy cycles and MFU are null in ref mode.
  r["cycles"] = nullptr;
  r["seconds"] = nullptr;
  r["mfu"] = nullptr;
  json engines = json::object();
  for (const auto& [name, count] : stats.instructions) engines[name] = {{"busy_cycles", nullptr}, {"instructions", count}};
  if (run.timing) {
    const kernels::Timing& t = *run.timing;
    r["cycles"] = t.cycles;
    r["seconds"] = static_cast<double>(t.cycles) / (static_cast<double>(config.clock_mhz) * 1e6);
    // MFU: the tensor engine's peak is one multiply-accumulate per PE per cycle.
    const double peak = 2.0 * static_cast<double>(config.rows * config.cols) * static_cast<double>(t.cycles);
    r["mfu"] = t.cycles ? static_cast<double>(flops) / peak : 0.0;
    for (const auto& [name, e] : t.engines)
      engines[name] = {{"busy_cycles", e.busy_cycles},
                       {"instructions", e.instructions},
                       {"sem_stall_cycles", e.sem_stall_cycles},
                       {"mem_stall_cycles", e.mem_stall_cycles}};
  }
  r["engines"] = engines;
  r["flops"] = flops;
  if (model_flops) r["pe_flops"] = stats.flops;
  r["dram_bytes"] = stats.dram_bytes;
  if (divergence) r["vs_ref"] = {{"bit_exact", divergence->empty()}, {"first_difference", *divergence}};
  if (check) {
    r["check"] = {{"pass", check->pass},         {"max_abs_err", check->max_abs_err}, {"max_rel_err", check->max_rel_err},
                  {"max_ulp", check->max_ulp},   {"vs", check->vs},                   {"bound", check->bound}};
  } else {
    r["check"] = nullptr;
  }
  json outs = json::object();
  for (const auto& [name, t] : outputs)
    outs[name] = {{"shape", t.shape}, {"dtype", fp::info(t.dtype).name}, {"sha256", sha256_hex(t.bytes)}};
  r["outputs"] = outs;
  return r;
}

void print_report(const nlohmann::json& r) {
  auto num = [](const nlohmann::json& v) { return v.is_null() ? std::string("-") : v.dump(); };
  fmt::print("{} on {} ({} mode)\n", r["kernel"].get<std::string>(), r["config"].get<std::string>(),
             r["mode"].get<std::string>());
  fmt::print("  {:<8} {:>12} {:>12}\n", "engine", "instructions", "busy_cycles");
  for (const auto& [name, e] : r["engines"].items())
    fmt::print("  {:<8} {:>12} {:>12}\n", name, num(e["instructions"]), num(e["busy_cycles"]));
  fmt::print("  cycles {}  flops {}  mfu {}  dram_bytes {}\n", num(r["cycles"]), num(r["flops"]), num(r["mfu"]),
             num(r["dram_bytes"]));
  if (!r["check"].is_null()) {
    const auto& c = r["check"];
    fmt::print("  check vs {}: {} (max_abs_err {:.3g}, max_rel_err {:.3g}, max_ulp {}; bound {})\n",
               c["vs"].get<std::string>(), c["pass"].get<bool>() ? "pass" : "FAIL", c["max_abs_err"].get<double>(),
               c["max_rel_err"].get<double>(), num(c["max_ulp"]), c["bound"].get<std::string>());
  }
  if (r.contains("vs_ref")) {
    const auto& v = r["vs_ref"];
    fmt::print("  vs ref: {}\n", v["bit_exact"].get<bool>() ? "bit-exact" : "DIFFERS at " + v["first_difference"].get<std::string>());
  }
  for (const auto& [name, o] : r["outputs"].items())
    fmt::print("  output {} {} {} sha256 {}\n", name, o["shape"].dump(), o["dtype"].get<std::string>(),
               o["sha256"].get<std::string>());
}

}  // namespace tessera::cli
