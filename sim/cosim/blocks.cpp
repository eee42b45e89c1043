#include "blocks.hpp"
#include "block_options.hpp"

#include <fmt/format.h>

#include "common/errors.hpp"
#include "rtl/fp_unit.hpp"

namespace tessera::cosim {

// One set of verilated blocks per preset (sim/cosim/cosim.cmake, TESSERA_CORE_PRESETS).
#define TESSERA_COSIM(preset)                                                                              \
  std::unique_ptr<PeBlock> make_pe_block_##preset(const CoreConfig&, const ref::MemView&, Fault*,            \
                                                  const BlockTrace&, uint64_t, MemPorts);                    \
  std::unique_ptr<DmaBlock> make_dma_block_##preset(const CoreConfig&, const ref::MemView&, ref::DramAccess&, \
                                                    Fault*, const BlockTrace&, uint64_t, unsigned, MemPorts); \
  std::unique_ptr<MemBlock> make_mem_block_##preset(const CoreConfig&, bool, const ref::MemView&, Fault*,     \
                                                    const BlockTrace&, uint64_t);                            \
  std::unique_ptr<SeqBlock> make_seq_block_##preset(const CoreConfig&, Fault*, const BlockTrace&, uint64_t);
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

std::unique_ptr<SeqBlock> make_seq_block(const CoreConfig& config, Fault* fault, const BlockTrace& trace, uint64_t seed) {
#define TESSERA_COSIM(preset) \
  if (config.name == #preset) return make_seq_block_##preset(config, fault, trace, seed);
#include "cosim_presets.inc"
#undef TESSERA_COSIM
  unavailable(config.name);
}

namespace {

// A result of the act or dve unit on its way out: bit 22 (a high mantissa bit, as the other
// blocks' faults) flipped when the fault of `block` is due in `cycle`. `what()` names the result.
template <class What>
uint32_t with_fault(Fault* fault, const char* block, uint64_t cycle, uint32_t y, What&& what) {
  constexpr unsigned kBit = 22;
  if (!fault || fault->fired || fault->block != block || cycle < fault->cycle) return y;
  fault->fire(cycle, fmt::format("bit {} of {}", kBit, what()));
  return y ^ (1u << kBit);
}

// The verilated act_func and dve_alu (rtl::FpUnit), the same models for every preset: the units
// have no parameters.
class RtlActBlock : public ActBlock {
 public:
  explicit RtlActBlock(Fault* fault) : fault_(fault) {}
  uint32_t activate(fp::ActFunc f, uint32_t x, uint64_t cycle) override {
    const uint32_t y = unit_.activate(f, x);
    return with_fault(fault_, "act", cycle, y, [&] {
      return fmt::format("the act function unit's result {}(0x{:08x}) = 0x{:08x}", fp::name(f), x, y);
    });
  }

 private:
  rtl::FpUnit unit_;
  Fault* fault_;
};

class RtlDveBlock : public DveBlock {
 public:
  explicit RtlDveBlock(Fault* fault) : fault_(fault) {}
  uint32_t alu(ref::AluOp op, uint32_t x, uint32_t s, uint64_t cycle) override {
    const uint32_t y = unit_.alu(op, x, s);
    return with_fault(fault_, "dve", cycle, y, [&] {
      constexpr const char* kNames[] = {"bypass", "add", "sub", "rsub", "mul", "max", "min"};  // ref::AluOp order
      return fmt::format("the dve ALU's result {}(0x{:08x}, 0x{:08x}) = 0x{:08x}", kNames[static_cast<int>(op)], x, s, y);
    });
  }

 private:
  rtl::FpUnit unit_;
  Fault* fault_;
};

}  // namespace

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
  if (blocks.act) co.rtl_act = [fault]() -> std::unique_ptr<ActBlock> { return std::make_unique<RtlActBlock>(fault); };
  if (blocks.dve) co.rtl_dve = [fault]() -> std::unique_ptr<DveBlock> { return std::make_unique<RtlDveBlock>(fault); };
  if (blocks.dma)
    co.rtl_dma = [&config, fault, trace = traces.dma, seed, &ports](const ref::MemView& mem, ref::DramAccess& dram) {
      return make_dma_block(config, mem, dram, fault, trace, seed, ports);
    };
  if (blocks.seq)
    co.rtl_seq = [&config, fault, trace = traces.seq, seed]() { return make_seq_block(config, fault, trace, seed); };
}

}  // namespace tessera::cosim
