#include "tlm_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <vector>

#include <systemc>

#include "common/errors.hpp"
#include "cosim/blocks.hpp"
#include "cosim/checker.hpp"
#include "cosim/rtl_pe_engine.hpp"
#include "dma_engine.hpp"
#include "ext_engine.hpp"
#include "fabric.hpp"
#include "memories.hpp"
#include "pe_engine.hpp"
#include "ref/core_model.hpp"

namespace tessera::tlm {

namespace {

// The core: memories, semaphores and one engine per program queue, bound socket to socket.
class Core : public sc_core::sc_module {
 public:
  Core(sc_core::sc_module_name name, const CoreConfig& config, const isa::Program& program, ref::Dram& dram,
       uint64_t seed, const CosimOptions& cosim, cosim::Checker* checker)
      : sc_module(name),
        sems_(isa::Isa::get().semaphores()),
        sbuf_("sbuf", config.rows, config.sbuf_bytes_per_partition, false),
        psum_("psum", config.rows, config.psum_banks * config.psum_bank_bytes_per_partition(), true),
        dram_("dram", config, dram) {
    std::vector<Engine*> dma, ext;
    bool has_pe = false;
    PeEngine* pe = nullptr;
    // The RTL sequencers drive the TLM engines only: the other blocks' transactors play their own.
    if (cosim.rtl_seq && (cosim.rtl_pe || cosim.rtl_dma || cosim.rtl_sbuf || cosim.rtl_psum || cosim.rtl_act ||
                          cosim.rtl_dve))
      throw std::logic_error("run_tlm: --rtl seq runs alone");
    mem_blocks_.make_sbuf = cosim.rtl_sbuf;
    mem_blocks_.make_psum = cosim.rtl_psum;
    for (const isa::Queue& q : program.queues) {
      const std::string cls = isa::engine_class(q.engine);
      std::unique_ptr<Engine> e;
      if (cls == "pe" && cosim.rtl_pe)
        e = std::make_unique<cosim::RtlPeEngine>(q.engine.c_str(), config, q, sems_, seed, record_, cosim.rtl_pe);
      else if (cls == "pe") e = std::make_unique<PeEngine>(q.engine.c_str(), config, q, sems_, seed, record_);
      else if (cls == "dma") e = std::make_unique<DmaEngine>(q.engine.c_str(), config, q, sems_, seed, record_);
      else e = std::make_unique<ExtEngine>(q.engine.c_str(), config, q, sems_, seed, record_);
      e->set_shared(&shared_);
      e->set_checker(checker);
      if (cosim.rtl_sbuf || cosim.rtl_psum) e->set_mem_blocks(&mem_blocks_);
      e->initiator_socket.bind(sbuf_.target_socket);
      e->initiator_socket.bind(psum_.target_socket);
      e->initiator_socket.bind(dram_.target_socket);
      if (cls == "dma") dma.push_back(e.get());
      else if (cls != "pe") ext.push_back(e.get());
      else has_pe = true;
      if (cls == "pe" && cosim.rtl_seq) {  // the fabric runs it, the RTL sequencer offering its instructions
        pe = static_cast<PeEngine*>(e.get());
        pe->set_seq_mode();
      }
      engines_.push_back(std::move(e));
    }
    if (!has_pe || cosim.rtl_seq) shared_.pe_state = SharedTiming::PeState::kDone;
    const unsigned rtl_vec = cosim.rtl_vec ? (cosim.rtl_act ? 1u : 0u) | (cosim.rtl_dve ? 2u : 0u) : 0u;
    fabric_ = std::make_unique<Fabric>("fabric", config, sems_, shared_, dma, ext, cosim.rtl_dma, cosim.rtl_seq, pe,
                                       cosim.rtl_vec, rtl_vec);
  }

  std::vector<std::unique_ptr<Engine>>& engines() { return engines_; }
  RunRecord& record() { return record_; }
  const DramMemory& dram() const { return dram_; }
  const Fabric& fabric() const { return *fabric_; }

 private:
  RunRecord record_;
  SharedTiming shared_;
  Semaphores sems_;
  OnChipMemory sbuf_, psum_;
  DramMemory dram_;
  MemBlocks mem_blocks_;
  std::vector<std::unique_ptr<Engine>> engines_;
  std::unique_ptr<Fabric> fabric_;
};

bool g_used = false;

}  // namespace

kernels::RunResult run_tlm(const CoreConfig& config, const isa::Program& program,
                           const std::map<std::string, kernels::HostTensor>& inputs, uint64_t seed,
                           const CosimOptions& cosim) {
  if (g_used) throw std::logic_error("run_tlm: SystemC elaborates once per process; run one simulation per process");
  g_used = true;
  const auto t0 = std::chrono::steady_clock::now();
  ref::validate(config, program);
  ref::Dram dram(config.dram_bytes);
  kernels::place_inputs(config, program, inputs, dram);

  // The lockstep checker's shadow starts from the same DRAM.
  std::unique_ptr<ref::Dram> shadow_dram;
  std::unique_ptr<cosim::Checker> checker;
  if (cosim.lockstep) {
    shadow_dram = std::make_unique<ref::Dram>(config.dram_bytes);
    kernels::place_inputs(config, program, inputs, *shadow_dram);
    checker = std::make_unique<cosim::Checker>(config, seed, *shadow_dram, cosim.fault);
  }

  sc_core::sc_report_handler::set_actions(sc_core::SC_ID_INSTANCE_EXISTS_, sc_core::SC_DO_NOTHING);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);  // sc_stop's notice
  auto core = std::make_unique<Core>("tessera_core", config, program, dram, seed, cosim, checker.get());
  sc_core::sc_start();
  if (checker && checker->mismatch()) throw CheckError(*checker->mismatch());
  if (const auto& f = core->fabric().failure()) {  // --rtl seq: its message says where each queue stands
    if (f->check) throw CheckError(f->message);
    throw SimError(f->message);
  }

  std::string stuck;
  for (const auto& e : core->engines())
    if (!e->done()) stuck += "\n  " + e->state();
  if (!stuck.empty()) {
    std::string all;
    for (const auto& e : core->engines()) all += "\n  " + e->state();
    throw SimError("deadlock: every unfinished engine waits on a semaphore and nothing is in flight" + all);
  }

  kernels::RunResult result;
  result.outputs = kernels::read_outputs(program, dram);
  kernels::Timing timing;
  RunRecord& rec = core->record();
  // The RTL's cycle count is the last completion's cycle + 1 (cycles count from 0).
  timing.cycles = rec.instructions.empty() ? 1 : rec.last_done + 1;
  std::stable_sort(rec.instructions.begin(), rec.instructions.end(),
                   [](const kernels::InstTiming& a, const kernels::InstTiming& b) { return a.done < b.done; });
  timing.instructions = rec.instructions;
  timing.traffic = core->fabric().traffic(timing.cycles);
  for (const auto& e : core->engines()) {
    const std::string& name = std::string(e->basename());
    timing.engines[name] = rec.engines[name];
    result.stats.instructions[name] = rec.engines[name].instructions;
    result.stats.flops += e->executor().flops();
    result.stats.dram_bytes += e->executor().dram_bytes();
    result.stats.numerics_seconds += e->executor().seconds();
  }
  if (checker) {  // RTL blocks execute nothing in their Executor; the shadow ran everything
    result.stats.flops = checker->shadow().flops();
    result.stats.dram_bytes = checker->shadow().dram_bytes();
  }
  result.timing = timing;
  result.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace tessera::tlm
