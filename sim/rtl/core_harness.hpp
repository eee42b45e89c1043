// The host harness of a verilated core, generic over the preset's model class (one verilated
// model per preset: Vtessera_core_<preset>). Included by core_rtl_<preset>.cpp only.
//
// Every cycle, with the clock low: the C++ sides (fetch server, AXI DRAM)
// drive the core's inputs from their state; eval() settles the core's outputs; the C++ sides
// sample the handshakes of this cycle; then the rising edge. So C++ outputs never depend on
// the core's outputs of the same cycle, as registered outputs would not.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "axi_dram.hpp"
#include "axi_ports.hpp"
#include "common/errors.hpp"
#include "core_rtl.hpp"
#include "fetch_server.hpp"
#include "port_bits.hpp"
#include "isa/isa.hpp"
#include "verilated.h"
#include "verilated_syms.h"
#if TESSERA_CORE_TRACE
#include "verilated_fst_c.h"
#endif

namespace tessera::rtl::detail {

using rtl::get_bits;
using rtl::get_word;
using rtl::set_bits;
using rtl::set_word;

// Model: the preset's verilated core; kTrace: whether it was verilated with FST tracing (the
// harness uses the traced model only when a waveform is asked for: tracing compiled in slows
// every cycle even when nothing is dumped, docs/core.md).
template <typename Model, bool kTrace>
class CoreHarness {
 public:
  static constexpr unsigned kWordBits = 1024;

  CoreHarness(const CoreConfig& config, ref::Dram& dram, uint64_t seed, const CoreRunOptions& options)
      : config_(config),
        options_(options),
        queues_(3 + static_cast<unsigned>(config.dma_queues)),
        context_(std::make_unique<VerilatedContext>()),
        dram_(options.dram_port
                  ? AxiDram(*options.dram_port, dram.size(), axi_bytes(config),
                            static_cast<double>(config.dram_bytes_per_cycle),
                            static_cast<unsigned>(config.dram_latency_cycles))
                  : AxiDram(dram, axi_bytes(config), static_cast<double>(config.dram_bytes_per_cycle),
                            static_cast<unsigned>(config.dram_latency_cycles),
                            options.dram_backpressure ? seed * 2 + 1 : 0, options.dram_backpressure ? 0.25 : 0.0)),
        seed_(seed) {
    context_->fatalOnError(false);  // assertion failures become SimError, not abort()
    context_->randReset(2);         // registers without reset start random: reset must not matter
    context_->randSeed(static_cast<int>(seed % 0x7FFFFFFF) + 1);
    if (!options.trace_path.empty()) context_->traceEverOn(true);
    model_ = std::make_unique<Model>(context_.get(), "core");
    if (!options.trace_path.empty()) open_trace();
  }

  ~CoreHarness() {
#if TESSERA_CORE_TRACE
    if (fst_) fst_->close();
#endif
    model_->final();
  }


  CoreRunResult run(const isa::Program& program) {
    const isa::Isa& isa = isa::Isa::get();
    std::vector<std::vector<std::vector<uint8_t>>> words(queues_);
    for (const isa::Queue& q : program.queues) {
      const int qi = queue_index(q.engine);
      for (const isa::Instruction& inst : q.insts) words[qi].push_back(isa.encode(inst));
    }
    fetch_.load(std::move(words));

    Model& m = *model_;
    m.clk_i = 0;
    m.rst_ni = 1;
    m.start_i = 0;
    m.sr_seed_i = seed_;
    drive_idle_inputs();
    eval();
    m.rst_ni = 0;
    eval();
    m.rst_ni = 1;
    eval();
    for (unsigned q = 0; q < queues_; ++q) set_word(m.len_i, 32 * q, static_cast<uint32_t>(fetch_.words()[q].size()));
    if (options_.hooks && options_.hooks->start) options_.hooks->start(backdoor());

    // The start pulse: one cycle.
    m.start_i = 1;
    cycle();
    m.start_i = 0;
    uint64_t last_progress = 0, completed = 0;
    issued_.assign(queues_, {});
    retired_.assign(queues_, 0);
    is_nop_.assign(queues_, {});
    for (const isa::Queue& q : program.queues)
      for (const isa::Instruction& inst : q.insts) is_nop_[queue_index(q.engine)].push_back(inst.op->engine == "any");
    const uint64_t first = cycles_;  // cycle 0 of the run: the first after the start pulse
    if (first != 1) throw std::logic_error("the start pulse must be the first clock cycle");
    for (;;) {
      const uint64_t now_cycle = cycles_ - first;
      cycle();
      record_events(now_cycle);
      if (m.deadlock_o) throw SimError(deadlock_message());
      if (m.dma_error_o) throw SimError(fmt::format("DMA received an AXI error response at cycle {}", now_cycle));
      uint64_t now = 0;
      for (unsigned q = 0; q < queues_; ++q) now += get_word(m.cnt_insts_o, 32 * q);
      if (now != completed) completed = now, last_progress = now_cycle;
      if (m.finished_o) break;
      if (now_cycle - last_progress > options_.watchdog_cycles)
        throw SimError(fmt::format("RTL hang: no instruction completed in {} cycles (cycle {}){}",
                                   options_.watchdog_cycles, now_cycle, engine_states()));
    }
    CoreRunResult r;
    r.cycles = m.cnt_cycles_o;
    r.instructions = std::move(records_);
    flush_traffic(cycles_ - first);
    r.traffic = std::move(traffic_);
    for (unsigned q = 0; q < queues_; ++q) {
      EngineCounters c;
      c.instructions = get_word(m.cnt_insts_o, 32 * q);
      c.busy_cycles = get_word(m.cnt_busy_o, 32 * q);
      c.sem_stall_cycles = get_word(m.cnt_sem_stall_o, 32 * q);
      c.mem_stall_cycles = get_word(m.cnt_mem_stall_o, 32 * q);
      r.engines[queue_name(q)] = c;
    }
    r.dram_bytes_read = dram_.stats().bytes_read;
    r.dram_bytes_written = dram_.stats().bytes_written;
    return r;
  }

 private:
  // Issue and completion of each instruction (see InstTiming): issues from the core's event
  // port sampled before the edge, completions from the sequencers' counters after it.
  void record_events(uint64_t c) {
    Model& m = *model_;
    sample_.sbuf_accesses += static_cast<uint64_t>(__builtin_popcountll(sbuf_grants_));
    if (c + 1 - sample_.cycle >= kTrafficWindow) flush_traffic(c + 1);
    for (unsigned q = 0; q < queues_; ++q) {
      if (issue_seen_ >> q & 1) issued_[q].push_back(c);
      const uint32_t count = get_word(m.cnt_insts_o, 32 * q);
      while (retired_[q] < count) {
        const uint32_t i = retired_[q]++;
        InstTiming t;
        t.engine = queue_name(q);
        t.index = i;
        t.done = c;
        // Issues and completions are in order, nops excepted (they are never issued).
        if (is_nop_[q][i]) {
          t.issue = c;
        } else {
          if (next_issue_.size() < queues_) next_issue_.assign(queues_, 0);
          if (next_issue_[q] >= issued_[q].size())
            throw SimError(fmt::format("RTL: {} completed instruction {} before issuing it", t.engine, i));
          t.issue = issued_[q][next_issue_[q]++];
        }
        records_.push_back(t);
        if (options_.hooks && options_.hooks->complete) options_.hooks->complete(t.engine, i, c, backdoor());
      }
    }
  }

  // Closes the traffic window that ends before cycle `end`.
  void flush_traffic(uint64_t end) {
    if (end <= sample_.cycle) return;
    sample_.window = end - sample_.cycle;
    const AxiDramStats& st = dram_.stats();
    sample_.dram_read_bytes = st.bytes_read - read_mark_;
    sample_.dram_write_bytes = st.bytes_written - write_mark_;
    read_mark_ = st.bytes_read;
    write_mark_ = st.bytes_written;
    traffic_.push_back(sample_);
    sample_ = {};
    sample_.cycle = end;
  }

  void open_trace() {
#if TESSERA_CORE_TRACE
    if constexpr (!kTrace) {
      throw std::logic_error("a waveform was asked of the core model verilated without tracing");
    } else {
      // FST; a .vcd is converted afterwards (core_rtl.cpp).
      fst_ = std::make_unique<VerilatedFstC>();
      model_->trace(fst_.get(), options_.trace_depth > 0 ? options_.trace_depth : 99);
      fst_->open(options_.trace_path.c_str());
    }
#else
    throw InputError("--trace: this build has no waveform support (configure with -DTESSERA_CORE_TRACE=ON)");
#endif
  }

  void dump(uint64_t time) {
    const int64_t c = run_cycle();
    if (c < static_cast<int64_t>(options_.trace_from) || c > static_cast<int64_t>(std::min<uint64_t>(options_.trace_to, INT64_MAX)))
      return;
#if TESSERA_CORE_TRACE
    if (fst_) fst_->dump(time);
#else
    (void)time;
#endif
  }

  void eval() {
    model_->eval();
    if (context_->gotError()) throw SimError(fmt::format("RTL assertion failed at cycle {} (see the message above)", run_cycle()));
  }

  void drive_idle_inputs() {
    Model& m = *model_;
    m.fetch_ready_i = 0;
    m.fetch_rvalid_i = 0;
    m.axi_ar_ready_i = 0;
    m.axi_r_valid_i = 0;
    m.axi_aw_ready_i = 0;
    m.axi_w_ready_i = 0;
    m.axi_b_valid_i = 0;
  }

  // One clock cycle: inputs from the C++ state, settle, sample, rising edge, commit.
  void cycle() {
    Model& m = *model_;
    fetch_.drive(m);  // instruction fetch: always ready; the word returns the cycle after the request

    apply_axi(*model_, dram_.drive());
    eval();

    // Sample this cycle's handshakes.
    fetch_.sample(m);
    issue_seen_ = static_cast<uint64_t>(m.ev_issue_o);
    sbuf_grants_ = static_cast<uint64_t>(m.ev_sbuf_grant_o);
    AxiMasterOut axi;
    sample_axi(*model_, axi_bytes(config_), axi);
    if (options_.hooks && options_.hooks->axi) options_.hooks->axi(static_cast<uint64_t>(std::max<int64_t>(run_cycle(), 0)), axi);

    m.clk_i = 1;
    eval();
    dump(2 * cycles_ + 1);
    m.clk_i = 0;
    eval();
    dump(2 * cycles_ + 2);
    ++cycles_;

    dram_.commit(axi);
  }

  // The SBUF and PSUM SRAM arrays by name (public in the verilated model): SBUF partition p,
  // bank (word mod sbuf_banks), row (word / sbuf_banks); PSUM partition p, word.
  class Backdoor final : public OnChipAccess {
   public:
    Backdoor(VerilatedContext& ctx, const CoreConfig& c) : banks_(static_cast<unsigned>(c.sbuf_banks)) {
      for (uint64_t p = 0; p < c.rows; ++p) {
        for (unsigned b = 0; b < banks_; ++b)
          sbuf_.push_back(find(ctx, fmt::format("core.tessera_core.u_sbuf.g_part[{}].g_bank[{}].u_sram", p, b)));
        psum_.push_back(find(ctx, fmt::format("core.tessera_core.u_psum.g_part[{}].u_sram", p)));
      }
    }
    uint32_t read_word(isa::Space space, uint32_t partition, uint32_t word) override { return *at(space, partition, word); }
    void write_word(isa::Space space, uint32_t partition, uint32_t word, uint32_t value) override {
      *at(space, partition, word) = value;
    }

   private:
    static uint32_t* find(VerilatedContext& ctx, const std::string& scope) {
      const VerilatedScope* s = ctx.scopeFind(scope.c_str());
      VerilatedVar* v = s ? s->varFind("mem") : nullptr;
      if (!v) throw std::logic_error("co-simulation: no public SRAM array " + scope + ".mem in the verilated core");
      return static_cast<uint32_t*>(v->datap());
    }
    uint32_t* at(isa::Space space, uint32_t partition, uint32_t word) {
      if (space == isa::Space::kPsum) return psum_.at(partition) + word;
      return sbuf_.at(partition * banks_ + word % banks_) + word / banks_;
    }
    unsigned banks_;
    std::vector<uint32_t*> sbuf_, psum_;
  };
  OnChipAccess& backdoor() {
    if (!backdoor_) backdoor_ = std::make_unique<Backdoor>(*context_, config_);
    return *backdoor_;
  }

  std::string engine_states() {
    Model& m = *model_;
    std::string s;
    for (unsigned q = 0; q < queues_; ++q)
      s += queue_progress(queue_name(q), get_word(m.cnt_insts_o, 32 * q), fetch_.words()[q]);
    return s;
  }

  std::string deadlock_message() {
    return fmt::format("deadlock at cycle {}: every unfinished engine waits on a semaphore and nothing is in flight{}",
                       run_cycle() - 1, engine_states());
  }

  CoreConfig config_;
  CoreRunOptions options_;
  unsigned queues_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Model> model_;
#if TESSERA_CORE_TRACE
  std::unique_ptr<VerilatedFstC> fst_;
#endif
  AxiDram dram_;
  std::unique_ptr<Backdoor> backdoor_;
  uint64_t seed_;  // the kernel seed: the stochastic-rounding generators' (sr_seed_i)
  FetchServer fetch_;  // the program's words per queue and the fetch port
  // Clock cycles simulated, the start pulse included. The run's cycle numbers (timelines,
  // messages, --trace-window) count from the first cycle after the start pulse: run cycle c is
  // clock cycle c + 1, and its rising edge is dumped at time 2c + 3 (docs/debugging.md).
  uint64_t cycles_ = 0;
  int64_t run_cycle() const { return static_cast<int64_t>(cycles_) - 1; }
  uint64_t issue_seen_ = 0, sbuf_grants_ = 0;
  kernels::TrafficSample sample_;
  uint64_t read_mark_ = 0, write_mark_ = 0;
  std::vector<kernels::TrafficSample> traffic_;
  std::vector<std::vector<uint64_t>> issued_;
  std::vector<size_t> next_issue_;
  std::vector<uint32_t> retired_;
  std::vector<std::vector<bool>> is_nop_;
  std::vector<InstTiming> records_;
};

}  // namespace tessera::rtl::detail
