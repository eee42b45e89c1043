// The transactors of blocks.hpp, generic over the verilated model class of a preset
// (Vcosim_pe_<preset>, Vcosim_dma_<preset>). Included by the generated blocks_<preset>.cpp.
//
// Each cycle, clock low: inputs from the transactor's state (read data granted last cycle, the
// AXI slave's outputs), eval; the requests are arbitrated and granted, eval again; writes land
// and reads are latched; then the rising edge. The blocks' outputs the transactors sample are
// registered or depend only on inputs set before the sampling eval.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <variant>
#include <vector>

#include "blocks.hpp"
#include "common/errors.hpp"
#include "isa/isa.hpp"
#include "numerics/fp.hpp"
#include "ref/core_model.hpp"
#include "rtl/axi_dram.hpp"
#include "rtl/axi_ports.hpp"
#include "rtl/fetch_server.hpp"
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

// The on-chip memory port's word address width: clog2(max(SBUF words, PSUM words)) (docs/core.md).
inline unsigned mem_aw(const CoreConfig& c) {
  auto clog2 = [](uint64_t v) {
    unsigned b = 0;
    while ((uint64_t{1} << b) < v) ++b;
    return b;
  };
  return std::max(clog2(c.sbuf_bytes_per_partition / 4), clog2(c.psum_banks * c.moving_max_n));
}

inline bool fault_due(Fault* f, const char* block, uint64_t t) {
  return f && !f->fired && f->block == block && t >= f->cycle;
}

// The bit an injected fault flips in a write with byte enables `be`: the high bit of the
// lowest enabled byte's mantissa side.
inline unsigned flip_bit(unsigned be) {
  for (unsigned b = 0; b < 4; ++b)
    if (be >> b & 1u) return 8 * b + 6;
  return 6;
}

template <class Model>
class PeBlockImpl final : public PeBlock, Clocked<Model> {
  using C = Clocked<Model>;

 public:
  PeBlockImpl(const CoreConfig& c, const ref::MemView& mem, Fault* fault, const BlockTrace& trace, uint64_t seed,
              MemPorts ports)
      : C(trace, seed, "pe"), rows_(static_cast<unsigned>(c.rows)), banks_(static_cast<unsigned>(c.sbuf_banks)), mem_(mem), fault_(fault),
        ports_(ports), mv_data_(rows_), st_data_(rows_), pw_mask_(rows_), pw_data_(rows_) {}

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
    // sbuf.sv: the tensor engine's ports claim whole banks, the moving port first.
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
    if (mv) read_row(mva, mv_data_, t);
    st_pending_ = st_gnt;
    if (st_gnt) read_row(sta, st_data_, t);
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
  void read_row(uint32_t word, std::vector<uint32_t>& out, uint64_t t) const {
    if (ports_.sbuf) return ports_.sbuf->read_row(word, out.data(), t);
    for (unsigned p = 0; p < rows_; ++p)
      std::memcpy(&out[p], mem_.sbuf + p * mem_.sbuf_partition_bytes + 4 * uint64_t{word}, 4);
  }
  // psum.sv: a write presented in cycle t commits in cycle t + 1 (its stage B), dst = acc ?
  // add32(dst, data) : data for the partitions of the mask. Committing a cycle late matters:
  // a matmul retires in the cycle the next one's first row is presented.
  void commit_psum(uint64_t t) {
    if (!pw_pending_) return;
    pw_pending_ = false;
    if (ports_.psum) {  // the RTL PSUM's tensor-engine port writes (and accumulates) the row
      for (unsigned p = 0; p < rows_; ++p)
        if (pw_mask_[p]) pw_data_[p] = fault_psum(pw_data_[p], t, p);
      ports_.psum->te_row(pw_addr_, pw_mask_, pw_acc_, pw_data_.data(), t);
      return;
    }
    for (unsigned p = 0; p < rows_; ++p) {
      if (!pw_mask_[p]) continue;
      uint8_t* dst = mem_.psum + p * mem_.psum_partition_bytes + 4 * uint64_t{pw_addr_};
      uint32_t v = pw_data_[p];
      if (pw_acc_) {
        uint32_t old;
        std::memcpy(&old, dst, 4);
        v = fp::add32_bits(old, v);
      }
      v = fault_psum(v, t, p);
      std::memcpy(dst, &v, 4);
    }
  }
  uint32_t fault_psum(uint32_t v, uint64_t t, unsigned p) {
    if (!fault_due(fault_, "pe", t)) return v;
    fault_->fire(t, fmt::format("bit {} of the word the tensor engine writes to PSUM partition {}, word {}", kFaultBit,
                                p, pw_addr_));
    return v ^ (1u << kFaultBit);
  }

  unsigned rows_, banks_;  // banks_: the SBUF's word-interleaved banks (CoreConfig::sbuf_banks)
  ref::MemView mem_;
  Fault* fault_;
  MemPorts ports_;
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
               const BlockTrace& trace, uint64_t seed, unsigned axi_bytes, MemPorts ports)
      : C(trace, seed, "dma"),
        rows_(static_cast<unsigned>(c.rows)),
        queues_(static_cast<unsigned>(c.dma_queues)),
        mem_aw_(mem_aw(c)),
        axi_bytes_(axi_bytes),
        mem_(mem),
        fault_(fault),
        ports_(ports),
        axi_(dram, c.dram_bytes, axi_bytes, static_cast<double>(c.dram_bytes_per_cycle),
             static_cast<unsigned>(c.dram_latency_cycles)),
        rdata_(queues_, std::vector<uint32_t>(rows_)),
        rdata_hi_(queues_, std::vector<uint32_t>(rows_)),
        rpending_(queues_, false),
        wmask_(rows_),
        wdata_(rows_),
        wdata_hi_(rows_) {}

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
      for (unsigned p = 0; p < rows_; ++p) {
        set_word(d.mem_rdata_i, 32 * (q * rows_ + p), rdata_[q][p]);
        set_word(d.mem_rdata_hi_i, 32 * (q * rows_ + p), rdata_hi_[q][p]);
      }
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
    r.wide = (d.mem_wide_o >> q) & 1u;
    r.word = static_cast<uint32_t>(get_bits(d.mem_addr_o, q * mem_aw_, mem_aw_));
    if (r.valid) {
      unsigned set = 0;
      for (unsigned base = 0; base < rows_; base += 64) {
        const unsigned n = std::min(64u, rows_ - base);
        const uint64_t bits = get_bits(d.mem_mask_o, q * rows_ + base, n);
        if (bits) r.part = base + static_cast<unsigned>(__builtin_ctzll(bits));
        set += static_cast<unsigned>(__builtin_popcountll(bits));
      }
      if (set != 1) throw std::logic_error(fmt::format("RTL DMA: queue {} requests {} partitions, not one", q, set));
    }
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
      MemBlock* block = r.psum ? ports_.psum : ports_.sbuf;
      if (r.wide && r.psum) throw std::logic_error(fmt::format("RTL DMA: queue {} requests 64 bits of PSUM", q));
      if (!r.we) {
        rpending_[q] = true;
        // A wide read returns the word pair; a narrow one leaves the high word 0 (sbuf.sv).
        std::fill(rdata_hi_[q].begin(), rdata_hi_[q].end(), 0u);
        if (block) {
          block->read_row(r.word, rdata_[q].data(), t_);
          if (r.wide) block->read_row(r.word + 1, rdata_hi_[q].data(), t_);
        } else {
          for (unsigned p = 0; p < rows_; ++p) {
            std::memcpy(&rdata_[q][p], base + p * pb + 4 * uint64_t{r.word}, 4);
            if (r.wide) std::memcpy(&rdata_hi_[q][p], base + p * pb + 4 * (uint64_t{r.word} + 1), 4);
          }
        }
        continue;
      }
      const unsigned be = static_cast<unsigned>(get_bits(d.mem_be_o, 4 * q, 4));
      const unsigned be_hi = r.wide ? static_cast<unsigned>(get_bits(d.mem_be_hi_o, 4 * q, 4)) : 0u;
      for (unsigned p = 0; p < rows_; ++p) {
        wmask_[p] = get_bits(d.mem_mask_o, q * rows_ + p, 1) != 0;
        if (!wmask_[p]) continue;
        uint32_t v = get_word(d.mem_wdata_o, 32 * (q * rows_ + p));
        const uint32_t v_hi = r.wide ? get_word(d.mem_wdata_hi_o, 32 * (q * rows_ + p)) : 0u;
        if (fault_due(fault_, "dma", t_)) {  // the low word's first written byte (a wide write's too)
          const unsigned bit = flip_bit(be);
          v ^= 1u << bit;
          fault_->fire(t_, fmt::format("bit {} of dma{}'s {} write data, partition {}, word {}", bit, q,
                                       r.psum ? "PSUM" : "SBUF", p, r.word));
        }
        wdata_[p] = v;
        wdata_hi_[p] = v_hi;
        if (block) continue;
        uint8_t* dst = base + p * pb + 4 * uint64_t{r.word};
        for (unsigned b = 0; b < 4; ++b) {
          if (be >> b & 1u) dst[b] = static_cast<uint8_t>(v >> (8 * b));
          if (be_hi >> b & 1u) dst[4 + b] = static_cast<uint8_t>(v_hi >> (8 * b));
        }
      }
      if (block) {
        block->write_row(r.word, wmask_, be, wdata_.data(), t_);
        if (r.wide) block->write_row(r.word + 1, wmask_, be_hi, wdata_hi_.data(), t_);
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
  unsigned rows_, queues_, mem_aw_, axi_bytes_;
  ref::MemView mem_;
  Fault* fault_;
  MemPorts ports_;
  rtl::AxiDram axi_;
  std::vector<std::vector<uint32_t>> rdata_, rdata_hi_;  // rdata_hi_: a wide read's high words
  std::vector<bool> rpending_;
  std::vector<bool> wmask_;       // a granted write's partitions and data, for a memory block
  std::vector<uint32_t> wdata_, wdata_hi_;
  uint64_t t_ = 0;
};

template <class Model>
class VecBlockImpl final : public VecBlock, Clocked<Model> {
  using C = Clocked<Model>;

 public:
  VecBlockImpl(const CoreConfig& c, const ref::MemView& mem, Fault* fault, const BlockTrace& trace, uint64_t seed,
               MemPorts ports)
      : C(trace, seed, "vec"),
        rows_(static_cast<unsigned>(c.rows)),
        mem_aw_(mem_aw(c)),
        mem_(mem),
        fault_(fault),
        ports_(ports),
        wmask_(rows_),
        wdata_(rows_) {
    for (std::vector<uint32_t>& r : rdata_) r.assign(rows_, 0);
    // The stochastic-rounding generators take the kernel seed in reset: a second reset pulse
    // with the seed applied (the first, Clocked's, had none).
    Model& d = *C::m_;
    d.sr_seed_i = seed;
    d.rst_ni = 0;
    C::eval(0);
    d.rst_ni = 1;
    C::eval(0);
  }

  void offer(uint64_t t, const std::array<const std::vector<uint8_t>*, 2>& words) override {
    Model& d = *C::m_;
    t_ = t;
    uint32_t valid = 0, rvalid = 0;
    for (unsigned e = 0; e < 2; ++e) {
      if (!words[e]) continue;
      valid |= 1u << e;
      std::memcpy(reinterpret_cast<uint8_t*>(d.inst_i.data()) + e * words[e]->size(), words[e]->data(),
                  words[e]->size());
    }
    for (unsigned u = 0; u < kPorts; ++u) {
      if (rpending_[u]) rvalid |= 1u << u;
      for (unsigned p = 0; p < rows_; ++p) set_word(d.mem_rdata_i, 32 * (u * rows_ + p), rdata_[u][p]);
    }
    d.inst_valid_i = valid;
    d.mem_rvalid_i = rvalid;
    d.mem_gnt_i = 0;
    C::eval(t);
  }

  Request request(unsigned e, unsigned port) const override { return request_of(3 * e + port); }
  bool ready(unsigned e) const override { return (C::m_->inst_ready_o >> e) & 1u; }

  // Reads first: a read sees the memories before this cycle's writes, as at the RTL's edge.
  void grant(uint32_t ports) override {
    Model& d = *C::m_;
    d.mem_gnt_i = ports;
    C::eval(t_);
    rpending_ = {};
    for (unsigned u = 0; u < kPorts; ++u) {
      if (!(ports >> u & 1u)) continue;
      const Request r = request_of(u);
      if (!r.valid) throw std::logic_error(fmt::format("RTL {}: port {} granted without a request", name(u), u % 3));
      if (r.we) continue;
      rpending_[u] = true;
      if (MemBlock* block = r.psum ? ports_.psum : ports_.sbuf) {
        block->read_row(r.word, rdata_[u].data(), t_);
      } else {
        const uint8_t* base = r.psum ? mem_.psum : mem_.sbuf;
        const uint64_t pb = r.psum ? mem_.psum_partition_bytes : mem_.sbuf_partition_bytes;
        for (unsigned p = 0; p < rows_; ++p) std::memcpy(&rdata_[u][p], base + p * pb + 4 * uint64_t{r.word}, 4);
      }
    }
    for (unsigned u = 0; u < kPorts; ++u)
      if ((ports >> u & 1u) && request_of(u).we) write(u);
  }

  uint32_t done() const override { return C::m_->done_o; }
  void edge() override { C::edge(t_); }

 private:
  static constexpr unsigned kPorts = 6;  // 3 e + p: port p of engine e
  static const char* name(unsigned u) { return u < 3 ? "act" : "dve"; }

  Request request_of(unsigned u) const {
    const Model& d = *C::m_;
    Request r;
    r.valid = (d.mem_req_o >> u) & 1u;
    r.we = (d.mem_we_o >> u) & 1u;
    r.psum = (d.mem_psum_o >> u) & 1u;
    r.word = static_cast<uint32_t>(get_bits(d.mem_addr_o, u * mem_aw_, mem_aw_));
    if (!r.valid) return r;
    bool seen = false, ended = false;
    for (unsigned p = 0; p < rows_; ++p) {
      const bool m = get_bits(d.mem_mask_o, u * rows_ + p, 1) != 0;
      if (m && ended) throw std::logic_error(fmt::format("RTL {}: a mem request's partitions are not contiguous", name(u)));
      if (m && !seen) r.part = p, seen = true;
      if (m) ++r.parts;
      if (!m && seen) ended = true;
    }
    return r;
  }

  // A granted write of port u lands (in the memories, or the RTL SBUF/PSUM block).
  void write(unsigned u) {
    const Model& d = *C::m_;
    const Request r = request_of(u);
    uint8_t* base = r.psum ? mem_.psum : mem_.sbuf;
    const uint64_t pb = r.psum ? mem_.psum_partition_bytes : mem_.sbuf_partition_bytes;
    MemBlock* block = r.psum ? ports_.psum : ports_.sbuf;
    const unsigned be = static_cast<unsigned>(get_bits(d.mem_be_o, 4 * u, 4));
    for (unsigned p = 0; p < rows_; ++p) {
      wmask_[p] = p >= r.part && p < r.part + r.parts;
      if (!wmask_[p]) continue;
      uint32_t v = get_word(d.mem_wdata_o, 32 * (u * rows_ + p));
      if (fault_due(fault_, name(u), t_)) {
        const unsigned bit = flip_bit(be);
        v ^= 1u << bit;
        fault_->fire(t_, fmt::format("bit {} of the {} engine's {} write data, partition {}, word {}", bit, name(u),
                                     r.psum ? "PSUM" : "SBUF", p, r.word));
      }
      wdata_[p] = v;
      if (block) continue;
      uint8_t* dst = base + p * pb + 4 * uint64_t{r.word};
      for (unsigned b = 0; b < 4; ++b)
        if (be >> b & 1u) dst[b] = static_cast<uint8_t>(v >> (8 * b));
    }
    if (block) block->write_row(r.word, wmask_, be, wdata_.data(), t_);
  }

  unsigned rows_, mem_aw_;
  ref::MemView mem_;
  Fault* fault_;
  MemPorts ports_;
  std::array<std::vector<uint32_t>, kPorts> rdata_;
  std::array<bool, kPorts> rpending_{};
  std::vector<bool> wmask_;
  std::vector<uint32_t> wdata_;
  uint64_t t_ = 0;
};

// --rtl seq: the verilated sequencer cluster (cosim_seq.sv). Fetches are served as the core
// harness serves them (always ready; the word the cycle after the request).
template <class Model>
class SeqBlockImpl final : public SeqBlock, Clocked<Model> {
  using C = Clocked<Model>;

 public:
  SeqBlockImpl(const CoreConfig& c, Fault* fault, const BlockTrace& trace, uint64_t seed)
      : C(trace, seed, "seq"), queues_(3 + static_cast<unsigned>(c.dma_queues)),
        word_bits_(8 * isa::Isa::get().word_bytes()), fault_(fault),
        offered_(queues_, std::vector<uint8_t>(word_bits_ / 8)) {}

  void start(const std::vector<std::vector<std::vector<uint8_t>>>& words) override {
    if (words.size() != queues_) throw std::logic_error("RTL sequencers: one word list per queue");
    fetch_.load(words);
    Model& m = *C::m_;
    for (unsigned q = 0; q < queues_; ++q) set_word(m.len_i, 32 * q, static_cast<uint32_t>(words[q].size()));
    m.inst_ready_i = 0;
    m.done_i = 0;
    m.start_i = 1;
    serve();
    C::eval(0);
    fetch_.sample(m);
    // The start pulse's edge precedes run cycle 0 (docs/core.md): not dumped (cycle 0's edge is
    // dumped at 3 and 4, as the core harness's waveforms).
    m.clk_i = 1;
    C::eval(0);
    m.clk_i = 0;
    C::eval(0);
    m.start_i = 0;
  }

  void offer(uint64_t t, const std::vector<unsigned>& done) override {
    Model& m = *C::m_;
    t_ = t;
    serve();
    for (unsigned q = 0; q < queues_; ++q) set_bits(m.done_i, 2 * q, 2, done[q]);
    m.inst_ready_i = 0;
    C::eval(t);
    for (unsigned q = 0; q < queues_; ++q) {
      if (!valid(q)) continue;
      for (unsigned i = 0; i < word_bits_ / 32; ++i) {
        const uint32_t v = get_word(m.inst_o, q * word_bits_ + 32 * i);
        std::memcpy(offered_[q].data() + 4 * i, &v, 4);
      }
    }
  }
  bool valid(unsigned q) const override { return (get_bits(C::m_->inst_valid_o, q, 1)) != 0; }
  const std::vector<uint8_t>& word(unsigned q) const override { return offered_[q]; }

  void accept(uint32_t ready) override {
    Model& m = *C::m_;
    set_bits(m.inst_ready_i, 0, queues_, ready);
    C::eval(t_);
    fetch_.sample(m);
    C::edge(t_);
  }
  uint32_t completed(unsigned q) const override { return get_word(C::m_->cnt_insts_o, 32 * q); }
  uint64_t sem_stall_cycles(unsigned q) const override { return get_word(C::m_->cnt_sem_stall_o, 32 * q); }
  bool finished() const override { return C::m_->finished_o; }
  bool deadlock() const override { return C::m_->deadlock_o; }

 private:
  // The fetch responses of the requests sampled in the previous cycle (the core harness's
  // instruction memories, rtl::FetchServer), a fault on its way into a sequencer: the top bit
  // of a non-nop instruction's word.
  void serve() {
    fetch_.drive(*C::m_, [this](unsigned q, uint32_t i, std::vector<uint8_t>& w) {
      if (!fault_due(fault_, "seq", t_) || is_nop(w)) return;
      w.back() ^= 0x80;
      fault_->fire(t_, fmt::format("bit {} of the word of queue {}'s instruction {} fetched by its sequencer",
                                   word_bits_ - 1, q, i));
    });
  }
  static bool is_nop(const std::vector<uint8_t>& w) { return isa::Isa::get().decode(w.data()).op->engine == "any"; }

  unsigned queues_;
  unsigned word_bits_;  // the ISA's instruction word (tessera_isa_pkg::WordBits)
  Fault* fault_;
  rtl::FetchServer fetch_;
  std::vector<std::vector<uint8_t>> offered_;
  uint64_t t_ = 0;
};

// Words of one memory an operand touches, in the partitions [part, part + parts): word ->
// byte enables (the bytes of its elements).
struct Access {
  uint32_t part = 0, parts = 0;
  std::map<uint32_t, unsigned> words;
};

inline void add_bytes(Access& a, uint64_t byte, unsigned n) {
  for (unsigned i = 0; i < n; ++i) a.words[static_cast<uint32_t>((byte + i) / 4)] |= 1u << ((byte + i) % 4);
}

inline Access ap_access(const isa::Ap& ap) {
  Access a{ap.part, ap.parts, {}};
  const unsigned es = fp::info(ap.dtype).bits / 8;
  for (int64_t off : ref::free_offsets(ap)) add_bytes(a, ap.addr + static_cast<uint64_t>(off * int64_t{es}), es);
  return a;
}

// A per-partition fp32 column, in the partitions of `rows` (the instruction's destination).
inline Access col_access(const isa::Col& col, const isa::Ap& rows) {
  Access a{rows.part, rows.parts, {}};
  add_bytes(a, col.addr, 4);
  return a;
}

// An instruction's operands in `space`: it reads every pattern but dst and the columns of its
// scalars; it writes dst and an activation's reduction column.
inline void operands(const isa::Instruction& inst, isa::Space space, std::vector<Access>& reads,
                     std::vector<Access>& writes) {
  const int dst_i = inst.op->field_index("dst");
  const isa::Ap* dst = dst_i >= 0 ? std::get_if<isa::Ap>(&inst.args[static_cast<size_t>(dst_i)]) : nullptr;
  for (size_t i = 0; i < inst.args.size(); ++i) {
    const std::string& name = inst.op->fields[i].name;
    if (const auto* ap = std::get_if<isa::Ap>(&inst.args[i])) {
      if (ap->space == space) (name == "dst" ? writes : reads).push_back(ap_access(*ap));
    } else if (const auto* sc = std::get_if<isa::Scalar>(&inst.args[i])) {
      if (sc->is_col && sc->col.space == space && dst) reads.push_back(col_access(sc->col, *dst));
    } else if (const auto* col = std::get_if<isa::Col>(&inst.args[i])) {
      if (col->space != space || !dst) continue;
      if (name != "reduce_dst") reads.push_back(col_access(*col, *dst));
      else if (inst.u("reduce")) writes.push_back(col_access(*col, *dst));
    }
  }
}

// The SBUF (cosim_sbuf: sbuf.sv with one port) or the PSUM (cosim_psum: psum.sv) behind the
// TLM engines and the RTL tensor engine and DMA (MemBlock). Port protocol: a request presented
// in a cycle is granted in it (the SBUF's one port always; the PSUM's engine write port unless
// a tensor-engine write commits), read data return the next cycle. The view (DMI) is kept equal
// to the RTL: every write is read back into it.
template <class Model, bool kPsum>
class MemBlockImpl final : public MemBlock, Clocked<Model> {
  using C = Clocked<Model>;
  static constexpr isa::Space kSpace = kPsum ? isa::Space::kPsum : isa::Space::kSbuf;
  static constexpr const char* kName = kPsum ? "psum" : "sbuf";

 public:
  MemBlockImpl(const CoreConfig& c, const ref::MemView& mem, Fault* fault, const BlockTrace& trace, uint64_t seed)
      : C(trace, seed, kName),
        rows_(static_cast<unsigned>(c.rows)),
        base_(kPsum ? mem.psum : mem.sbuf),
        pb_(kPsum ? mem.psum_partition_bytes : mem.sbuf_partition_bytes),
        fault_(fault),
        window_(trace),
        all_(rows_, true),
        data_(rows_) {
    // The TLM's memories start at zero, the RTL's SRAMs random: clear them through the port.
    C::trace_.from = 1, C::trace_.to = 0;
    std::fill(data_.begin(), data_.end(), 0u);
    for (uint32_t w = 0; w < pb_ / 4; ++w) port_write(w, all_, 0xF, data_.data());
    idle();
  }

  void prepare(isa::Instruction& inst, uint64_t cycle) override {
    in_window(cycle);
    std::vector<Access> reads, writes;
    operands(inst, kSpace, reads, writes);
    for (const Access& a : reads) {
      const std::vector<bool> m = mask_of(a);
      for (const auto& [w, be] : a.words) port_read(w, m);
    }
    // The executor computes the matmul's rows alone; the RTL adds them to PSUM (commit).
    if (kPsum && te_write(inst) && inst.u("acc")) inst.set("acc", uint64_t{0});
  }

  void commit(const isa::Instruction& inst, uint64_t cycle) override {
    in_window(cycle);
    std::vector<Access> reads, writes;
    operands(inst, kSpace, reads, writes);
    for (const Access& a : writes) {
      const std::vector<bool> m = mask_of(a);
      for (const auto& [w, be] : a.words) {
        for (uint32_t p = a.part; p < a.part + a.parts; ++p) std::memcpy(&data_[p], at(p, w), 4);
        if (kPsum && te_write(inst)) port_te(w, m, inst.u("acc") != 0, data_.data(), cycle);
        else port_write(w, m, be, data_.data(), cycle);
      }
    }
    idle();  // the last write (a tensor-engine row: its commit cycle) lands before the reads
    for (const Access& a : writes) {
      const std::vector<bool> m = mask_of(a);
      for (const auto& [w, be] : a.words) port_read(w, m);
    }
  }

  void read_row(uint32_t word, uint32_t* out, uint64_t cycle) override {
    in_window(cycle);
    port_read(word, all_);
    std::copy(data_.begin(), data_.end(), out);
  }
  void write_row(uint32_t word, const std::vector<bool>& mask, unsigned be, const uint32_t* data,
                 uint64_t cycle) override {
    in_window(cycle);
    port_write(word, mask, be, data, cycle);
    port_read(word, mask);
  }
  void te_row(uint32_t word, const std::vector<bool>& mask, bool acc, const uint32_t* data, uint64_t cycle) override {
    in_window(cycle);
    port_te(word, mask, acc, data, cycle);
    idle();
    port_read(word, mask);
  }

  uint64_t clocks() const override { return clk_; }

 private:
  static bool te_write(const isa::Instruction& inst) {
    return inst.op->name == "multiply_moving" && inst.ap("dst").space == isa::Space::kPsum;
  }
  std::vector<bool> mask_of(const Access& a) const {
    std::vector<bool> m(rows_, false);
    for (uint32_t p = a.part; p < a.part + a.parts && p < rows_; ++p) m[p] = true;
    return m;
  }
  // Waveform only for the accesses whose TLM cycle is in the window.
  void in_window(uint64_t cycle) {
    const bool on = cycle >= window_.from && cycle <= window_.to;
    C::trace_.from = on ? 0 : 1;
    C::trace_.to = on ? ~uint64_t{0} : 0;
  }
  uint8_t* at(uint32_t p, uint32_t word) const { return base_ + p * pb_ + 4 * uint64_t{word}; }
  void edge() {
    C::edge(clk_);
    ++clk_;
  }
  void drive_mask(const std::vector<bool>& m, bool te) {
    Model& d = *C::m_;
    for (unsigned p = 0; p < rows_; ++p) {
      if constexpr (kPsum) set_bits(te ? d.te_mask_i : d.wr_mask_i, p, 1, m[p]);
      else set_bits(d.mask_i, p, 1, m[p]);
    }
  }
  void quiet() {
    Model& d = *C::m_;
    if constexpr (kPsum) d.te_valid_i = 0, d.rd_valid_i = 0, d.wr_valid_i = 0;
    else d.valid_i = 0, d.we_i = 0;
  }
  void idle() {
    quiet();
    C::eval(clk_);
    edge();
  }
  uint32_t fault_word(uint32_t v, unsigned be, uint64_t cycle, uint32_t p, uint32_t word, const char* port) {
    if (!fault_due(fault_, kName, cycle)) return v;
    const unsigned bit = flip_bit(be);
    fault_->fire(cycle, fmt::format("bit {} of the word written to {} through its {} port, partition {}, word {}", bit,
                                    kPsum ? "PSUM" : "SBUF", port, p, word));
    return v ^ (1u << bit);
  }
  // One word of the partitions of `m` through the read port into data_ and the view.
  void port_read(uint32_t word, const std::vector<bool>& m) {
    Model& d = *C::m_;
    quiet();
    if constexpr (kPsum) {
      d.rd_valid_i = 1, d.rd_addr_i = word;
    } else {
      d.valid_i = 1, d.addr_i = word;
      drive_mask(m, false);
    }
    C::eval(clk_);
    edge();
    quiet();
    C::eval(clk_);
    bool rvalid;
    if constexpr (kPsum) rvalid = d.rd_valid_o;
    else rvalid = d.rvalid_o;
    if (!rvalid) throw SimError(fmt::format("RTL {}: no read data the cycle after the read of word {}", kName, word));
    for (uint32_t p = 0; p < rows_; ++p) {
      if (!m[p]) continue;
      if constexpr (kPsum) data_[p] = get_word(d.rd_data_o, 32 * p);
      else data_[p] = get_word(d.rdata_o, 32 * p);
      std::memcpy(at(p, word), &data_[p], 4);
    }
    edge();
  }
  // One word of the partitions of `m` (data per partition) through the engine write port.
  void port_write(uint32_t word, const std::vector<bool>& m, unsigned be, const uint32_t* data,
                  uint64_t cycle = ~uint64_t{0}) {
    Model& d = *C::m_;
    quiet();
    for (uint32_t p = 0; p < rows_; ++p) {
      const uint32_t v = m[p] && cycle != ~uint64_t{0} ? fault_word(data[p], be, cycle, p, word, "write") : data[p];
      if constexpr (kPsum) set_word(d.wr_data_i, 32 * p, v);
      else set_word(d.wdata_i, 32 * p, v);
    }
    drive_mask(m, false);
    if constexpr (kPsum) {
      d.wr_valid_i = 1, d.wr_addr_i = word, d.wr_be_i = be;
      C::eval(clk_);
      while (!d.wr_ready_o) {  // a tensor-engine write commits this cycle
        edge();
        C::eval(clk_);
      }
    } else {
      d.valid_i = 1, d.we_i = 1, d.addr_i = word, d.be_i = be;
      C::eval(clk_);
      if (!d.ready_o) throw SimError(fmt::format("RTL sbuf: the transactor's write of word {} was refused", word));
    }
    edge();
  }
  // A matmul row through the PSUM's tensor-engine port (one word of every partition of `m`),
  // overwriting or accumulating; it commits in the next cycle.
  void port_te(uint32_t word, const std::vector<bool>& m, bool acc, const uint32_t* data, uint64_t cycle) {
    if constexpr (kPsum) {
      Model& d = *C::m_;
      quiet();
      for (uint32_t p = 0; p < rows_; ++p)
        set_word(d.te_data_i, 32 * p, m[p] ? fault_word(data[p], 0xF, cycle, p, word, "tensor-engine") : data[p]);
      drive_mask(m, true);
      d.te_valid_i = 1, d.te_addr_i = word, d.te_acc_i = acc;
      C::eval(clk_);
      edge();
    } else {
      throw std::logic_error("the SBUF has no tensor-engine write port");
    }
  }

  unsigned rows_;
  uint8_t* base_;
  uint64_t pb_;
  Fault* fault_;
  BlockTrace window_;  // the waveform's window, in TLM cycles
  std::vector<bool> all_;
  std::vector<uint32_t> data_;  // one word per partition
  uint64_t clk_ = 0;
};

}  // namespace tessera::cosim::detail
