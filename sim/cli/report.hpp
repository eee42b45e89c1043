// The run report (SPEC section 7): JSON for --report and a table on stdout.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "config/core_config.hpp"
#include "kernels/check.hpp"
#include "kernels/host_tensor.hpp"
#include "kernels/runner.hpp"
#include "ref/core_model.hpp"

namespace tessera::cli {

using kernels::Check;

// `divergence`: in a timed mode, the first output element that differs from the reference
// model (empty: bit-identical); absent in ref mode. `model_flops`: the kernel's model FLOPs
// (KernelSpec::model_flops), reported as `flops` and used for `mfu`, with the tensor engine's
// executed FLOPs as `pe_flops`; absent: `flops` and `mfu` are the executed ones.
nlohmann::json make_report(const std::string& kernel, const CoreConfig& config, const std::string& mode,
                           const kernels::RunResult& run, const std::optional<Check>& check,
                           const std::optional<std::string>& divergence,
                           std::optional<uint64_t> model_flops = std::nullopt);

void print_report(const nlohmann::json& report);

std::string sha256_hex(const std::vector<uint8_t>& bytes);

}  // namespace tessera::cli
