#include "core_cosim.hpp"

#include <fmt/format.h>

#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "checker.hpp"
#include "common/errors.hpp"
#include "ref/core_model.hpp"
#include "rtl/axi_dram.hpp"
#include "tlm/memories.hpp"

namespace tessera::cosim {

namespace {

// The verilated core as a SystemC module: one thread runs the core's harness to completion;
// the harness's AXI slave model reads and writes the DRAM through this module's socket.
class CoreRtlModule : public sc_core::sc_module, public ref::DramAccess {
 public:
  tlm_utils::simple_initiator_socket<CoreRtlModule> socket{"socket"};

  CoreRtlModule(sc_core::sc_module_name name, std::function<void()> job) : sc_module(name), job_(std::move(job)) {
    SC_HAS_PROCESS(CoreRtlModule);
    SC_THREAD(thread);
    set_stack_size(rtl::kCoreStackBytes);  // the verilated core's evaluation frames (core_rtl.hpp)
  }
  void read(uint64_t addr, void* dst, uint64_t n) override { transport(::tlm::TLM_READ_COMMAND, addr, dst, n); }
  void write(uint64_t addr, const void* src, uint64_t n) override {
    transport(::tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(src), n);
  }
  std::exception_ptr error;

 private:
  void transport(::tlm::tlm_command cmd, uint64_t addr, void* data, uint64_t n) {
    ::tlm::tlm_generic_payload tx;
    tx.set_command(cmd);
    tx.set_address(addr);
    tx.set_data_ptr(static_cast<unsigned char*>(data));
    tx.set_data_length(static_cast<unsigned>(n));
    socket->transport_dbg(tx);
  }
  void thread() {
    try {
      job_();
    } catch (...) {
      error = std::current_exception();  // rethrown by run_core_cosim after sc_start
    }
  }
  std::function<void()> job_;
};

class Top : public sc_core::sc_module {
 public:
  Top(sc_core::sc_module_name name, const CoreConfig& config, ref::Dram& dram, std::function<void()> job)
      : sc_module(name), dram_("dram", config, dram), core_("core", std::move(job)) {
    core_.socket.bind(dram_.target_socket);
  }
  CoreRtlModule& core() { return core_; }

 private:
  tlm::DramMemory dram_;
  CoreRtlModule core_;
};

bool g_used = false;

// The bit an injected fault flips inside an element at byte `offset` of size `es`: a high
// mantissa bit of its format.
uint32_t element_bit(uint64_t offset, unsigned es) { return 8 * (offset % 4) + (es == 4 ? 22 : es == 2 ? 6 : 2); }

}  // namespace

kernels::RunResult run_core_cosim(const CoreConfig& config, const isa::Program& program,
                                  const std::map<std::string, kernels::HostTensor>& inputs, uint64_t seed,
                                  Fault* fault, const rtl::CoreRunOptions& base) {
  if (g_used) throw std::logic_error("run_core_cosim: SystemC elaborates once per process");
  g_used = true;
  ref::validate(config, program);  // the core trusts its program
  ref::Dram dram(config.dram_bytes), shadow_dram(config.dram_bytes);
  kernels::place_inputs(config, program, inputs, dram);
  kernels::place_inputs(config, program, inputs, shadow_dram);
  Checker checker(config, seed, shadow_dram, fault);

  std::map<std::string, const isa::Queue*> queues;
  for (const isa::Queue& q : program.queues) queues[q.engine] = &q;
  rtl::CoreHooks hooks;
  rtl::CoreRunOptions options = base;
  options.hooks = &hooks;
  rtl::CoreRunResult run;
  std::unique_ptr<Top> top;
  const auto job = [&] { run = rtl::run_core(config, program, dram, seed, options); };
  top = std::make_unique<Top>("tessera", config, dram, job);
  options.dram_port = &top->core();

  hooks.start = [&](rtl::OnChipAccess& onchip) { checker.set_real(onchip, top->core()); };
  hooks.complete = [&](const std::string& engine, uint32_t index, uint64_t cycle, rtl::OnChipAccess& onchip) {
    const isa::Instruction& inst = queues.at(engine)->insts[index];
    // pe, psum, sbuf: a bit of the first element the instruction wrote flips in the SRAM.
    const bool onchip_fault = fault && !fault->block.empty() && fault->block != "dma";
    if (onchip_fault && !fault->fired && cycle >= fault->cycle && inst.op->field_index("dst") >= 0) {
      const isa::Ap& dst = inst.ap("dst");
      const bool hit = fault->block == "pe" ? engine == "pe"
                       : fault->block == "psum" ? dst.space == isa::Space::kPsum
                                                : dst.space == isa::Space::kSbuf;
      if (hit && dst.space != isa::Space::kDram) {
        const unsigned es = fp::info(dst.dtype).bits / 8;
        const uint64_t offset = dst.addr + static_cast<uint64_t>(ref::free_offsets(dst).front() * es);
        const uint32_t word = static_cast<uint32_t>(offset / 4), bit = element_bit(offset, es);
        onchip.write_word(dst.space, dst.part, word, onchip.read_word(dst.space, dst.part, word) ^ (1u << bit));
        fault->fire(cycle, fmt::format("bit {} of {} word {} of partition {}, written by {} instruction {}", bit,
                                       dst.space == isa::Space::kPsum ? "PSUM" : "SBUF", word, dst.part, engine, index));
      }
    }
    if (!checker.check(engine, index, inst, cycle)) throw CheckError(*checker.mismatch());
  };
  hooks.axi = [&](uint64_t cycle, rtl::AxiMasterOut& out) { inject_axi_write_fault(fault, cycle, out); };

  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  sc_core::sc_start();
  if (top->core().error) std::rethrow_exception(top->core().error);
  kernels::RunResult result = rtl::to_run_result(program, run, dram);
  result.stats.flops = checker.shadow().flops();
  return result;
}

}  // namespace tessera::cosim
