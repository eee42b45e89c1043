// tessera train mlp: being written (issue #7).
#include <memory>

#include "commands.hpp"
#include "common/errors.hpp"

namespace tessera::cli {

Runner add_train_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("train", "Train a model on the simulated core (not available yet)");
  sub->allow_extras();
  return [] () -> int { throw InputError("tessera train is not available in this build yet"); };
}

}  // namespace tessera::cli
