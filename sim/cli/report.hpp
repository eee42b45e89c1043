// The run report (SPEC section 7): JSON for --report and a table on stdout.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "config/core_config.hpp"
#include "kernels/check.hpp"
#include "kernels/host_tensor.hpp"
#include "ref/core_model.hpp"

namespace tessera::cli {

using kernels::Check;

nlohmann::json make_report(const std::string& kernel, const CoreConfig& config, const std::string& mode,
                           const ref::RunStats& stats, const std::map<std::string, kernels::HostTensor>& outputs,
                           const std::optional<Check>& check);

void print_report(const nlohmann::json& report);

std::string sha256_hex(const std::vector<uint8_t>& bytes);

}  // namespace tessera::cli
