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
                           const ref::RunStats& stats, const std::map<std::string, kernels::HostTensor>& outputs,
                           const std::optional<Check>& check) {
  using nlohmann::json;
  json r;
  r["kernel"] = kernel;
  r["config"] = config.name;
  r["mode"] = mode;
  // The reference model has no timing: cycles, seconds, busy cycles and MFU are null in ref mode.
  r["cycles"] = nullptr;
  r["seconds"] = nullptr;
  json engines = json::object();
  for (const auto& [name, count] : stats.instructions) engines[name] = {{"busy_cycles", nullptr}, {"instructions", count}};
  r["engines"] = engines;
  r["flops"] = stats.flops;
  r["mfu"] = nullptr;
  r["dram_bytes"] = stats.dram_bytes;
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
  for (const auto& [name, o] : r["outputs"].items())
    fmt::print("  output {} {} {} sha256 {}\n", name, o["shape"].dump(), o["dtype"].get<std::string>(),
               o["sha256"].get<std::string>());
}

}  // namespace tessera::cli
