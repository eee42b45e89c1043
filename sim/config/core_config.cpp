#include "core_config.hpp"

#include <fmt/format.h>

#include "common/errors.hpp"

namespace tessera {

const std::vector<CoreConfig>& presets() {
  static const std::vector<CoreConfig> table = {
#include "presets.inc"
  };
  return table;
}

const CoreConfig& preset(const std::string& name) {
  std::string known;
  for (const CoreConfig& c : presets()) {
    if (c.name == name) return c;
    known += known.empty() ? c.name : ", " + c.name;
  }
  throw InputError(fmt::format("unknown config '{}' (known: {})", name, known));
}

}  // namespace tessera
