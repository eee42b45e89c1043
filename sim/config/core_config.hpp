// Core configuration: the C++ view of configs/presets.json (SPEC section 1).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tessera {

struct CoreConfig {
  std::string name;
  std::string use;
  uint64_t rows;                      // SBUF/PSUM partitions = contraction tile K
  uint64_t cols;                      // stationary free size M
  uint64_t moving_max_n;              // largest moving free size N = fp32 entries per PSUM bank
  uint64_t psum_banks;
  uint64_t sbuf_bytes_per_partition;
  uint64_t sbuf_banks;                // single-port SRAMs per partition, interleaved by 32-bit word
  uint64_t dma_queues;
  uint64_t dram_bytes;
  uint64_t dram_bytes_per_cycle;
  uint64_t dram_latency_cycles;
  uint64_t clock_mhz;

  uint64_t psum_bank_bytes_per_partition() const { return moving_max_n * 4; }
  uint64_t sbuf_bytes() const { return rows * sbuf_bytes_per_partition; }
  uint64_t psum_bytes() const { return rows * psum_banks * psum_bank_bytes_per_partition(); }
  // Dense bf16 multiply-accumulates per cycle, counted as 2 flops each (for MFU).
  uint64_t peak_flops_per_cycle() const { return 2 * rows * cols; }
};

// Every preset, in the order configs/presets.json lists them.
const std::vector<CoreConfig>& presets();

// The preset called `name`; throws InputError naming the known presets when there is none.
const CoreConfig& preset(const std::string& name);

}  // namespace tessera
