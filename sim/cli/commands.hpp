// The `tessera` subcommands. Each registers its options on the CLI11 app and returns the
// function that runs it; runners report bad input by throwing InputError.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace tessera::cli {

using Runner = std::function<int()>;

Runner add_list_command(CLI::App& app);
Runner add_fp_command(CLI::App& app);
Runner add_run_command(CLI::App& app);
Runner add_asm_command(CLI::App& app);
Runner add_disasm_command(CLI::App& app);
Runner add_exec_command(CLI::App& app);
Runner add_bench_command(CLI::App& app);
Runner add_train_command(CLI::App& app);

}  // namespace tessera::cli
