// tessera: the command-line front end (SPEC section 8).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <map>

#include "commands.hpp"
#include "run_common.hpp"
#include "common/errors.hpp"

namespace {

// One clear line on stderr, as SPEC section 8 asks of every failure; simulation errors
// (exit 3) may follow it with indented diagnostics.
int fail(int code, const std::string& message) {
  const std::string text = code == tessera::kExitSimError ? message : message.substr(0, message.find('\n'));
  fmt::print(stderr, "tessera: error: {}\n", text);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tessera;
  CLI::App app{"Tessera: a Trainium-class training-accelerator core model"};
  app.require_subcommand(1);
  std::map<std::string, cli::Runner> runners;
  runners["list"] = cli::add_list_command(app);
  runners["fp"] = cli::add_fp_command(app);
  runners["run"] = cli::add_run_command(app);
  runners["asm"] = cli::add_asm_command(app);
  runners["disasm"] = cli::add_disasm_command(app);
  runners["exec"] = cli::add_exec_command(app);
  runners["bench"] = cli::add_bench_command(app);
  runners["train"] = cli::add_train_command(app);

  cli::remember_command_line(argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    return fail(kExitBadInput, e.what());
  }

  try {
    for (CLI::App* sub : app.get_subcommands()) return runners.at(sub->get_name())();
    return fail(kExitBadInput, "no command given");
  } catch (const InputError& e) {
    return fail(kExitBadInput, e.what());
  } catch (const SimError& e) {
    return fail(kExitSimError, e.what());
  } catch (const CheckError& e) {
    return fail(kExitCheckFailed, e.what());
  } catch (const std::exception& e) {
    return fail(kExitSimError, fmt::format("internal error: {}", e.what()));
  }
}

// libsystemc.so carries its own main(), which calls sc_main; tessera's main above is the one
// that runs, and it enters SystemC only inside tlm::run_tlm (--mode tlm). This definition only
// satisfies the library's reference.
extern "C" int sc_main(int, char**) { return tessera::kExitSimError; }
