// tessera asm / disasm / exec: hand-written programs.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "commands.hpp"
#include "common/errors.hpp"
#include "common/files.hpp"
#include "config/core_config.hpp"
#include "isa/program.hpp"
#include "kernels/runner.hpp"
#include "report.hpp"
#include "run_common.hpp"

namespace tessera::cli {
namespace {

isa::Program parse_text_program(const std::vector<uint8_t>& bytes, const std::string& path) {
  if (std::find(bytes.begin(), bytes.end(), 0) != bytes.end())
    throw InputError(isa::is_program_binary(bytes) ? fmt::format("{}: is a program binary, not .tasm text", path)
                                              : fmt::format("{}: neither .tasm text nor a Tessera program binary", path));
  return isa::parse_tasm(std::string(bytes.begin(), bytes.end()), path);
}

// A program from .tasm text or from the binary form, told apart by the binary's magic.
isa::Program load_program(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file(path);
  return isa::is_program_binary(bytes) ? isa::from_binary(bytes, path) : parse_text_program(bytes, path);
}

}  // namespace

Runner add_asm_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("asm", "Assemble a .tasm program into its binary form");
  auto file = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  sub->add_option("FILE", *file, "Program text (.tasm)")->required();
  sub->add_option("-o,--output", *out, "Binary to write (default: FILE with .bin)");
  return [file, out] {
    const isa::Program p = parse_text_program(read_file(*file), *file);
    const std::string dest = out->empty() ? std::filesystem::path(*file).replace_extension(".bin").string() : *out;
    const std::vector<uint8_t> bin = isa::to_binary(p);
    write_file_atomic(dest, std::string(bin.begin(), bin.end()));
    fmt::print("{}: {} instructions on {} engines, {} tensors -> {}\n", *file, p.instruction_count(), p.queues.size(),
               p.tensors.size(), dest);
    return kExitOk;
  };
}

Runner add_disasm_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("disasm", "Print a program binary as .tasm text");
  auto file = std::make_shared<std::string>();
  sub->add_option("FILE", *file, "Program binary")->required();
  return [file] {
    fmt::print("{}", isa::to_tasm(isa::from_binary(read_file(*file), *file)));
    return kExitOk;
  };
}

Runner add_exec_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("exec", "Run a hand-written program (.tasm or binary)");
  struct ExecOptions {
    CommonRunOptions common;
    std::string file;
  };
  auto o = std::make_shared<ExecOptions>();
  sub->add_option("FILE", o->file, "Program (.tasm text or binary)")->required();
  add_common_run_options(*sub, o->common);
  return [o] {
    const CoreConfig& config = preset(o->common.config);
    check_mode(o->common);
    const isa::Program program = load_program(o->file);
    const auto inputs = kernels::resolve_inputs(program, load_input_files(o->common.ins), o->common.seed);
    const ModeRun run = run_mode(o->common, config, program, inputs);
    const std::string name = std::filesystem::path(o->file).stem().string();
    const nlohmann::json report = make_report(name, config, o->common.mode, run.result, std::nullopt, run.divergence);
    const nlohmann::json timeline = timeline_of(o->common, config, program, run.result, name);
    write_outputs(o->common, inputs, run.result.outputs, report, &timeline);
    print_report(report);
    return !run.divergence || run.divergence->empty() ? kExitOk : kExitCheckFailed;
  };
}

}  // namespace tessera::cli
