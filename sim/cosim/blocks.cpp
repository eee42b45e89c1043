#include "blocks.hpp"
#include "block_options.hpp"

#include <fmt/format.h>

#include "common/errors.hpp"

namespace tessera::cosim {

// One set of verilated blocks per preset (sim/cosim/cosim.cmake, TESSERA_CORE_PRESETS).
#define TESSERA_COSIM(preset)                                                                              \
  std::unique_ptr<PeBlock> make_pe_block_##preset(const CoreConfig&, const ref::MemView&, Fault*,            \
                                                  const BlockTrace&, uint64_t, MemPorts);                    \
  std::unique_ptr<DmaBlock> make_dma_block_##preset(const CoreConfig&, const ref::MemView&, ref::DramAccess&, \
                                                    Fault*, const BlockTrace&, uint64_t, unsigned, MemPorts); \
  std::unique_ptr<MemBlock> make_mem_block_##preset(const CoreConfig&, bool, const ref::MemView&, Fault*,     \
                                                    const BlockTrace&, uint64_t);                            \
  std::unique_ptr<SeqBlock> make_seq_block_##preset(const CoreConfig&, Fault*, const BlockTrace&, uint64_t);       \
  std::unique_ptr<VecBlock> make_vec_block_##preset(const CoreConfig&, const ref::MemView&, Fault*,          \
                                                    const BlockTrace&, uint64_t, MemPorts);
#include "cosim_presets.inc"
#undef TESSERA_COSIM

namespace {

std::string built() {
  std::string s;
#define TESSERA_COSIM(preset) s += (s.empty() ? "" : ", ") + std::string(#preset);
#include "cosim_presets.inc"
#undef TESSERA_COSIM
  return s;
}

[[noreturn]] void unavailable(const std::string& config) {
  throw InputError(fmt::format("--mode cosim: no verilated blocks are built for config {} (built: {}); see docs/cosim.md",
                               config, built()));
}

}  // namespace

void inject_axi_write_fault(Fault* fault, uint64_t cycle, rtl::AxiMasterOut& out) {
  if (!fault || fault->fired || fault->block != "dma" || cycle < fault->cycle || !out.w_valid) return;
  for (size_t i = 0; i < out.w_strb.size(); ++i) {
    if (!out.w_strb[i]) continue;
    out.w_data[i] ^= 0x40;
    fault->fire(cycle, fmt::format("bit 6 of byte {} of the DMA's AXI W beat", i));
    return;
  }
}

bool blocks_available(const std::string& config) {
#define TESSERA_COSIM(preset) \
  if (config == #preset) return true;
#include "cosim_presets.inc"
#undef TESSERA_COSIM
  return false;
}

std::unique_ptr<PeBlock> make_pe_block(const CoreConfig& config, const ref::MemView& mem, Fault* fault,
                                       const BlockTrace& trace, uint64_t seed, MemPorts ports) {
#define TESSERA_COSIM(preset) \
  if (config.name == #preset) return make_pe_block_##preset(config, mem, fault, trace, seed, ports);
#include "cosim_presets.inc"
#undef TESSERA_COSIM
  unavailable(config.name);
}

std::unique_ptr<DmaBlock> make_dma_block(const CoreConfig& config, const ref::MemView& mem, ref::DramAccess& dram,
                                         Fault* fault, const BlockTrace& trace, uint64_t seed, MemPorts ports) {
#define TESSERA_COSIM(preset) \
  if (config.name == #preset)   \
    return make_dma_block_##preset(config, mem, dram, fault, trace, seed, rtl::axi_bytes(config), ports);
#include "cosim_presets.inc"
#undef TESSERA_COSIM
  unavailable(config.name);
}

std::unique_ptr<MemBlock> make_mem_block(const CoreConfig& config, isa::Space space, const ref::MemView& mem,
                                         Fault* fault, const BlockTrace& trace, uint64_t seed) {
  const bool psum = space == isa::Space::kPsum;
#define TESSERA_COSIM(preset) \
  if (config.name == #preset) return make_mem_block_##preset(config, psum, mem, fault, trace, seed);
#include "cosim_presets.inc"
#undef TESSERA_COSIM
  unavailable(config.name);
}

std::unique_ptr<VecBlock> make_vec_block(const CoreConfig& config, const ref::MemView& mem, Fault* fault,
                                         const BlockTrace& trace, uint64_t seed, MemPorts ports) {
#define TESSERA_COSIM(preset) \
  if (config.name == #preset) return make_vec_block_##preset(config, mem, fault, trace, seed, ports);
#include "cosim_presets.inc"
#undef TESSERA_COSIM
  unavailable(config.name);
}

std::unique_ptr<SeqBlock> make_seq_block(const CoreConfig& config, Fault* fault, const BlockTrace& trace, uint64_t seed) {
#define TESSERA_COSIM(preset) \
  if (config.name == #preset) return make_seq_block_##preset(config, fault, trace, seed);
#include "cosim_presets.inc"
#undef TESSERA_COSIM
  unavailable(config.name);
}

void add_blocks(tlm::CosimOptions& co, const CoreConfig& config, const BlockSet& blocks, Fault* fault,
                const BlockTraces& traces, uint64_t seed, MemPorts& ports) {
  if (blocks.sbuf)
    co.rtl_sbuf = [&config, fault, trace = traces.sbuf, seed, &ports](const ref::MemView& mem) {
      auto b = make_mem_block(config, isa::Space::kSbuf, mem, fault, trace, seed);
      ports.sbuf = b.get();
      return b;
    };
  if (blocks.psum)
    co.rtl_psum = [&config, fault, trace = traces.psum, seed, &ports](const ref::MemView& mem) {
      auto b = make_mem_block(config, isa::Space::kPsum, mem, fault, trace, seed);
      ports.psum = b.get();
      return b;
    };
  if (blocks.pe)
    co.rtl_pe = [&config, fault, trace = traces.pe, seed, &ports](const ref::MemView& mem) {
      return make_pe_block(config, mem, fault, trace, seed, ports);
    };
  if (blocks.act || blocks.dve) {
    co.rtl_act = blocks.act;
    co.rtl_dve = blocks.dve;
    co.rtl_vec = [&config, fault, trace = traces.vec, seed, &ports](const ref::MemView& mem) {
      return make_vec_block(config, mem, fault, trace, seed, ports);
    };
  }
  if (blocks.dma)
    co.rtl_dma = [&config, fault, trace = traces.dma, seed, &ports](const ref::MemView& mem, ref::DramAccess& dram) {
      return make_dma_block(config, mem, dram, fault, trace, seed, ports);
    };
  if (blocks.seq)
    co.rtl_seq = [&config, fault, trace = traces.seq, seed]() { return make_seq_block(config, fault, trace, seed); };
}

}  // namespace tessera::cosim
