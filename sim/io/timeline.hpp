// Timelines (SPEC section 7): Chrome/Perfetto trace-event JSON of a timed run. One track
// (thread) per engine queue, one slice per instruction with its text, cycles and stall reason,
// and counters for DRAM and SBUF traffic. Timestamps are modelled microseconds at the
// configuration's clock; every slice also carries its cycles in args.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "config/core_config.hpp"
#include "isa/program.hpp"
#include "kernels/runner.hpp"

namespace tessera::io {

nlohmann::json timeline_json(const CoreConfig& config, const isa::Program& program, const kernels::Timing& timing,
                             const std::string& kernel, const std::string& mode);

}  // namespace tessera::io
