// The transactors of blocks.hpp, generic over the verilated model class of a preset
// (Vcosim_pe_<preset>, Vcosim_dma_<preset>). Included by the generated blocks_<preset>.cpp.
//
// Each cycle, clock low: inputs from the transactor's state (read data granted last cycle, the
// AXI slave's outputs), eval; the requests are arbitrated and granted, eval again; writes land
// and reads are latched; then the rising edge. The blocks' outputs the transactors sample are
// registered or depend only on inputs set before the sampling eval.
#pragma once

#include <fmt/format.h>

#include <cstring>
#include <memory>
#include <vector>

#include "blocks.hpp"
#include "common/errors.hpp"
#include "numerics/fp.hpp"
#include "rtl/axi_dram.hpp"
#include "rtl/axi_ports.hpp"
#include "rtl/port_bits.hpp"
#include "verilated.h"
#include "verilated_fst_c.h"

namespace tessera::cosim::detail {

using rtl::get_bits;
using rtl::get_word;
using rtl::set_bits;
using rtl::set_word;

constexpr uint32_t kFaultBit = 22;   // the bit an injected fault flips (a high mantissa bit)

// What every block shares: its context, model, reset, waveform and clock edge.
template <class Model>
class Clocked {
 protected:
  Clocked(const BlockTrace& trace, uint64_t seed, const char* name)
      : trace_(trace), ctx_(std::make_unique<VerilatedContext>()) {
    ctx_->fatalOnError(false);  // assertion failures become SimError
    ctx_->randReset(2);         // registers without reset start random
    ctx_->randSeed(static_cast<int>(seed % 0x7FFFFFFF) + 1);
    if (!trace.path.empty()) ctx_->traceEverOn(true);
    // Verilated scopes register with, and on destruction erase themselves from, the thread's
    // current context: with two models in one process it must be the model's own.
    Verilated::threadContextp(ctx_.get());
    m_ = std::make_unique<Model>(ctx_.get(), name);
    if (!trace.path.empty()) {
      fst_ = std::make_unique<VerilatedFstC>();
      m_->trace(fst_.get(), 99);
      fst_->open(trace.path.c_str());
    }
    // An asynchronous reset pulse without clock edges, as the core's harness does: the
    // negative edge must be seen (rst_ni high first), and no assertion samples random state.
    m_->clk_i = 0;
    m_->rst_ni = 1;
    m_->eval();
    m_->rst_ni = 0;
    m_->eval();
    m_->rst_ni = 1;
    m_->eval();
  }
  ~Clocked() {
    Verilated::threadContextp(ctx_.get());
    if (fst_) fst_->close();
    m_->final();
    fst_.reset();
    m_.reset();
  }
  void eval(uint64_t t) {
    m_->eval();
    if (ctx_->gotError()) throw SimError(fmt::format("RTL assertion failed at cycle {} (see the message above)", t));
  }
  // The rising edge at the end of cycle t, dumped at 2t+3 like the core's waveforms.
  void edge(uint64_t t) {
    m_->clk_i = 1;
    eval(t);
    dump(t, 2 * t + 3);
    m_->clk_i = 0;
    eval(t);
    dump(t, 2 * t + 4);
  }
  void dump(uint64_t t, uint64_t time) {
    if (fst_ && t >= trace_.from && t <= trace_.to) fst_->dump(time);
  }
  BlockTrace trace_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> m_;
  std::unique_ptr<VerilatedFstC> fst_;
};

inline bool fault_due(Fault* f, const char* block, uint64_t t) {
  return f && !f->fired && f->block == block && t >= f->cycle;
}

template <class Model>
class PeBlockImpl final : public PeBlock, Clocked<Model> {
  using C = Clocked<Model>;

 public:
  PeBlockImpl(const CoreConfig& c, const ref::MemView& mem, Fault* fault, const BlockTrace& trace, uint64_t seed)
      : C(trace, seed, "pe"), rows_(static_cast<unsigned>(c.rows)), banks_(static_cast<unsigned>(c.sbuf_banks)), mem_(mem), fault_(fault),
        mv_data_(rows_), st_data_(rows_), pw_mask_(rows_), pw_data_(rows_) {}

  Cycle step(uint64_t t, bool valid, const std::vector<uint8_t>& word) override {
    Model& d = *C::m_;
    commit_psum(t);
    d.inst_valid_i = valid;
    if (valid) std::memcpy(d.inst_i.data(), word.data(), word.size());
    d.mv_rvalid_i = mv_pending_;
    d.st_rvalid_i = st_pending_;
    for (unsigned p = 0; p < rows_; ++p) {
      set_word(d.mv_rdata_i, 32 * p, mv_data_[p]);
      set_word(d.st_rdata_i, 32 * p, st_data_[p]);
    }
    d.mv_gnt_i = 0;
    d.st_gnt_i = 0;
    C::eval(t);
    // sbuf.sv: per bank the lowest-numbered port; the moving port comes first.
    const bool mv = d.mv_req_o, st = d.st_req_o;
    const uint32_t mva = d.mv_addr_o, sta = d.st_addr_o;
    const bool st_gnt = st && !(mv && mva % banks_ == sta % banks_);
    d.mv_gnt_i = mv;
    d.st_gnt_i = st_gnt;
    C::eval(t);
    Cycle c;
    c.accepted = valid && d.inst_ready_o;
    c.done = d.done_o;
    c.st_stalled = st && !st_gnt;
    if (mv) c.sbuf_banks |= static_cast<uint16_t>(1u << (mva % banks_));
    if (st_gnt) c.sbuf_banks |= static_cast<uint16_t>(1u << (sta % banks_));
    mv_pending_ = mv;
    if (mv) read_row(mva, mv_data_);
    st_pending_ = st_gnt;
    if (st_gnt) read_row(sta, st_data_);
    pw_pending_ = d.pw_valid_o;
    if (pw_pending_) {
      c.psum_write = true;
      pw_addr_ = d.pw_addr_o;
      pw_acc_ = d.pw_acc_o;
      for (unsigned p = 0; p < rows_; ++p) {
        pw_mask_[p] = static_cast<bool>(get_bits(d.pw_mask_o, p, 1));
        pw_data_[p] = get_word(d.pw_data_o, 32 * p);
      }
    }
    C::edge(t);
    return c;
  }

 private:
  void read_row(uint32_t word, std::vector<uint32_t>& out) const {
    for (unsigned p = 0; p < rows_; ++p)
      std::memcpy(&out[p], mem_.sbuf + p * mem_.sbuf_partition_bytes + 4 * uint64_t{word}, 4);
  }
  // psum.sv: a write presented in cycle t commits in cycle t + 1 (its stage B), dst = acc ?
  // add32(dst, data) : data for the partitions of the mask. Committing a cycle late matters:
  // a matmul retires in the cycle the next one's first row is presented.
  void commit_psum(uint64_t t) {
    if (!pw_pending_) return;
    pw_pending_ = false;
    for (unsigned p = 0; p < rows_; ++p) {
      if (!pw_mask_[p]) continue;
      uint8_t* dst = mem_.psum + p * mem_.psum_partition_bytes + 4 * uint64_t{pw_addr_};
      uint32_t v = pw_data_[p];
      if (pw_acc_) {
        uint32_t old;
        std::memcpy(&old, dst, 4);
        v = fp::add32_bits(old, v);
      }
      if (fault_due(fault_, "pe", t)) {
        v ^= 1u << kFaultBit;
        fault_->fired = true;
        fault_->fired_cycle = t;
        fault_->what = fmt::format("bit {} of the word the tensor engine writes to PSUM partition {}, word {}", kFaultBit,
                                   p, pw_addr_);
      }
      std::memcpy(dst, &v, 4);
    }
  }

  unsigned rows_, banks_;  // banks_: the SBUF's word-interleaved banks (CoreConfig::sbuf_banks)
  ref::MemView mem_;
  Fault* fault_;
  bool mv_pending_ = false, st_pending_ = false;
  std::vector<uint32_t> mv_data_, st_data_;
  bool pw_pending_ = false, pw_acc_ = false;
  uint32_t pw_addr_ = 0;
  std::vector<bool> pw_mask_;
  std::vector<uint32_t> pw_data_;
};

template <class Model>
class DmaBlockImpl final : public DmaBlock, Clocked<Model> {
  using C = Clocked<Model>;

 public:
  DmaBlockImpl(const CoreConfig& c, const ref::MemView& mem, ref::DramAccess& dram, Fault* fault,
               const BlockTrace& trace, uint64_t seed, unsigned axi_bytes)
      : C(trace, seed, "dma"),
        rows_(static_cast<unsigned>(c.rows)),
        queues_(static_cast<unsigned>(c.dma_queues)),
        mem_aw_(mem_aw(c)),
        axi_bytes_(axi_bytes),
        mem_(mem),
        fault_(fault),
        axi_(dram, c.dram_bytes, axi_bytes, static_cast<double>(c.dram_bytes_per_cycle),
             static_cast<unsigned>(c.dram_latency_cycles)),
        rdata_(queues_, std::vector<uint32_t>(rows_)),
        rpending_(queues_, false) {}

  void offer(uint64_t t, const std::vector<const std::vector<uint8_t>*>& words) override {
    Model& d = *C::m_;
    t_ = t;
    uint32_t valid = 0;
    for (unsigned q = 0; q < queues_; ++q) {
      if (!words[q]) continue;
      valid |= 1u << q;
      std::memcpy(reinterpret_cast<uint8_t*>(d.inst_i.data()) + q * words[q]->size(), words[q]->data(), words[q]->size());
    }
    d.inst_valid_i = valid;
    uint32_t rvalid = 0;
    for (unsigned q = 0; q < queues_; ++q) {
      if (rpending_[q]) rvalid |= 1u << q;
      for (unsigned p = 0; p < rows_; ++p) set_word(d.mem_rdata_i, 32 * (q * rows_ + p), rdata_[q][p]);
    }
    d.mem_rvalid_i = rvalid;
    rtl::apply_axi(d, axi_.drive());
    d.mem_gnt_i = 0;
    C::eval(t);
  }

  Request request(unsigned q) const override {
    const Model& d = *C::m_;
    Request r;
    r.valid = (d.mem_req_o >> q) & 1u;
    r.we = (d.mem_we_o >> q) & 1u;
    r.psum = (d.mem_psum_o >> q) & 1u;
    r.word = static_cast<uint32_t>(get_bits(d.mem_addr_o, q * mem_aw_, mem_aw_));
    return r;
  }
  bool ready(unsigned q) const override { return (C::m_->inst_ready_o >> q) & 1u; }

  void grant(uint32_t mask) override {
    Model& d = *C::m_;
    d.mem_gnt_i = mask;
    C::eval(t_);
    for (unsigned q = 0; q < queues_; ++q) {
      rpending_[q] = false;
      if (!(mask >> q & 1u)) continue;
      const Request r = request(q);
      uint8_t* base = r.psum ? mem_.psum : mem_.sbuf;
      const uint64_t pb = r.psum ? mem_.psum_partition_bytes : mem_.sbuf_partition_bytes;
      if (!r.we) {
        rpending_[q] = true;
        for (unsigned p = 0; p < rows_; ++p) std::memcpy(&rdata_[q][p], base + p * pb + 4 * uint64_t{r.word}, 4);
        continue;
      }
      const unsigned be = static_cast<unsigned>(get_bits(d.mem_be_o, 4 * q, 4));
      for (unsigned p = 0; p < rows_; ++p) {
        if (!get_bits(d.mem_mask_o, q * rows_ + p, 1)) continue;
        uint32_t v = get_word(d.mem_wdata_o, 32 * (q * rows_ + p));
        if (fault_due(fault_, "dma", t_)) {
          const unsigned bit = flip_bit(be);
          v ^= 1u << bit;
          fault_->fired = true;
          fault_->fired_cycle = t_;
          fault_->what = fmt::format("bit {} of dma{}'s {} write data, partition {}, word {}", bit, q,
                                     r.psum ? "PSUM" : "SBUF", p, r.word);
        }
        uint8_t* dst = base + p * pb + 4 * uint64_t{r.word};
        for (unsigned b = 0; b < 4; ++b)
          if (be >> b & 1u) dst[b] = static_cast<uint8_t>(v >> (8 * b));
      }
    }
  }

  uint32_t done() const override { return C::m_->done_o; }

  void edge() override {
    Model& d = *C::m_;
    if (d.error_o) throw SimError(fmt::format("RTL DMA: error response at cycle {}", t_));
    rtl::AxiMasterOut out;
    rtl::sample_axi(d, axi_bytes_, out);
    inject_axi_write_fault(fault_, t_, out);
    C::edge(t_);
    axi_.commit(out);
  }
  bool idle() const override {
    const Model& d = *C::m_;
    return axi_.idle() && !d.axi_ar_valid_o && !d.axi_aw_valid_o && !d.axi_w_valid_o;
  }
  bool error() const override { return C::m_->error_o; }
  uint64_t bytes_read() const override { return axi_.stats().bytes_read; }
  uint64_t bytes_written() const override { return axi_.stats().bytes_written; }

 private:
  static unsigned mem_aw(const CoreConfig& c) {
    auto clog2 = [](uint64_t v) {
      unsigned b = 0;
      while ((uint64_t{1} << b) < v) ++b;
      return b;
    };
    return std::max(clog2(c.sbuf_bytes_per_partition / 4), clog2(c.psum_banks * c.moving_max_n));
  }
  // A bit inside an enabled byte: the high bit of the lowest enabled byte's mantissa side.
  static unsigned flip_bit(unsigned be) {
    for (unsigned b = 0; b < 4; ++b)
      if (be >> b & 1u) return 8 * b + 6;
    return 6;
  }

  unsigned rows_, queues_, mem_aw_, axi_bytes_;
  ref::MemView mem_;
  Fault* fault_;
  rtl::AxiDram axi_;
  std::vector<std::vector<uint32_t>> rdata_;
  std::vector<bool> rpending_;
  uint64_t t_ = 0;
};

}  // namespace tessera::cosim::detail
