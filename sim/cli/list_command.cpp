#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>
#include <string>

#include "commands.hpp"
#include "config/core_config.hpp"
#include "kernels/registry.hpp"

namespace tessera::cli {
namespace {

void print_configs() {
  fmt::print("{:<8} {:>10} {:>8} {:>10} {:>10} {:>10} {:>5} {:>10} {:>9} {:>10}  {}\n", "preset", "array",
             "N max", "PSUM banks", "SBUF/part", "SBUF banks", "DMAq", "DRAM", "DRAM B/cy", "DRAM lat", "use");
  for (const CoreConfig& c : presets()) {
    fmt::print("{:<8} {:>10} {:>8} {:>10} {:>6} KiB {:>10} {:>5} {:>6} MiB {:>9} {:>10}  {}\n", c.name,
               fmt::format("{}x{}", c.rows, c.cols), c.moving_max_n, c.psum_banks,
               c.sbuf_bytes_per_partition / 1024, c.sbuf_banks, c.dma_queues, c.dram_bytes >> 20,
               c.dram_bytes_per_cycle, c.dram_latency_cycles, c.use);
  }
}

void print_kernels() {
  fmt::print("{:<14} {}\n", "kernel", "what");
  for (const kernels::KernelSpec& k : kernels::kernel_registry()) {
    std::string flags;
    for (const kernels::KernelFlag& f : k.flags) flags += " --" + f.name;
    fmt::print("{:<14} {}\n{:<14}   flags:{}; dtypes: {}\n", k.name, k.summary, "", flags, fmt::join(k.dtypes, ", "));
  }
}

}  // namespace

Runner add_list_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("list", "List configuration presets or kernels");
  auto what = std::make_shared<std::string>("configs");
  sub->add_option("what", *what, "What to list: configs or kernels")->check(CLI::IsMember({"configs", "kernels"}));
  return [what] {
    if (*what == "kernels") print_kernels();
    else print_configs();
    return 0;
  };
}

}  // namespace tessera::cli
