// The TLM model's co-simulation options for a set of verilated blocks inside it (--rtl with any
// of pe, dma, sbuf, psum, act, dve, or seq alone; docs/cosim.md): a factory per block. The memory blocks are made when
// the first engine has its view of the memories, before the tensor engine and DMA blocks, which
// reach their SBUF/PSUM through them (`ports`).
#pragma once

#include <cstdint>

#include "blocks.hpp"
#include "tlm/tlm_run.hpp"

namespace tessera::cosim {

struct BlockSet {
  bool pe = false, dma = false, sbuf = false, psum = false, act = false, dve = false, seq = false;
};

struct BlockTraces {
  BlockTrace pe, dma, sbuf, psum, seq, vec;
};

// Sets `co`'s block factories. `config`, `fault` (may be null) and `ports` must outlive the run;
// `ports` is filled as the memory blocks are made.
void add_blocks(tlm::CosimOptions& co, const CoreConfig& config, const BlockSet& blocks, Fault* fault,
                const BlockTraces& traces, uint64_t seed, MemPorts& ports);

}  // namespace tessera::cosim
