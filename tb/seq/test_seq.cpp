// Sequencers, semaphores and the deadlock detector (tb/seq/seq_top.sv) against a cycle model
// of the contract in docs/seq.md. The harness plays the instruction memory (random fetch
// back-pressure and latency, responses in order) and the engines (random ready, in-order
// completion after random latencies, at most two per cycle). Every cycle it predicts from its
// own state what the RTL must show — fetch requests, issue, blocked, in flight, finished,
// every semaphore value, the counters, deadlock — and stops at the first difference. Every
// instruction must reach its engine exactly once, in queue order, never before its wait holds
// by the semaphore values built from the completions the harness itself reported; nops never
// reach an engine.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iostream>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "Vseq_top.h"
#include "isa/isa.hpp"
#include "rtl/port_bits.hpp"
#include "support/sim_ctrl.hpp"
#include "verilated.h"

using namespace tessera;
using rtl::get_bits;
using rtl::set_bits;

namespace {

constexpr unsigned kQueues = SEQ_QUEUES;
constexpr unsigned kFetchDepth = SEQ_FETCH_DEPTH;
constexpr unsigned kInflightDepth = SEQ_INFLIGHT_DEPTH;
constexpr unsigned kWordWords = 1024 / 32;
// Cycles from the start_i cycle (0) to the first cycle with finished_o, for N instructions
// issued back to back and completed one cycle after issue: finished in cycle N + kStartToFinish.
constexpr uint64_t kStartToFinish = 4;

using Program = std::vector<std::vector<isa::Instruction>>;  // one instruction list per queue

// The seed of a random test: TESSERA_SEED if set, else fresh; printed so a failure replays.
uint32_t test_seed() {
  const char* env = std::getenv("TESSERA_SEED");
  const uint32_t seed = env ? static_cast<uint32_t>(std::strtoul(env, nullptr, 0)) : std::random_device{}();
  std::cout << "seed " << seed << " (replay with TESSERA_SEED=" << seed << ")\n";
  return seed;
}

// Harness behaviour: probabilities of ready, latency ranges (cycles, >= 1).
struct Traffic {
  double fetch_ready = 1.0;
  unsigned fetch_lat_min = 1, fetch_lat_max = 1;
  double inst_ready = 1.0;
  unsigned exec_lat_min = 1, exec_lat_max = 1;
};

Traffic random_traffic(std::mt19937& rng) {
  Traffic t;
  const double p[] = {1.0, 0.8, 0.5, 0.2};
  t.fetch_ready = p[rng() % 4];
  t.fetch_lat_min = 1 + rng() % 3;
  t.fetch_lat_max = t.fetch_lat_min + rng() % 4;
  t.inst_ready = p[rng() % 4];
  t.exec_lat_min = 1 + rng() % 3;
  t.exec_lat_max = t.exec_lat_min + rng() % 12;
  return t;
}

// A non-nop instruction whose payload differs from its neighbours' (random pattern fields).
isa::Instruction random_op(std::mt19937& rng) {
  const isa::Isa& isa = isa::Isa::get();
  isa::Instruction inst = isa.make("dma_copy");
  isa::Ap a;
  a.space = isa::Space::kSbuf;
  a.part = rng() % 128;
  a.parts = 1 + rng() % 128;
  a.addr = (uint64_t{rng()} << 8) ^ rng();
  a.addr &= (uint64_t{1} << 40) - 1;
  a.dims[0] = {1 + static_cast<uint32_t>(rng() % 1000), static_cast<int32_t>(rng() % 2000) - 1000};
  inst.set("dst", a);
  a.addr = rng();
  a.space = isa::Space::kDram;
  a.part = 0;
  a.parts = 0;
  inst.set("src", a);
  return inst;
}

// A deadlock-free program as a kernel builder would make one: instructions placed in one global
// order on random queues, each wait asking for a value that signals earlier in that order reach
// (so running the global order sequentially satisfies every wait).
Program random_program(std::mt19937& rng, unsigned ops) {
  const isa::Isa& isa = isa::Isa::get();
  Program prog(kQueues);
  std::vector<unsigned> pool;
  const unsigned pool_size = 2 + rng() % 6;
  for (unsigned i = 0; i < pool_size; ++i) pool.push_back(rng() % isa.semaphores());
  pool.push_back(isa.semaphores() - 1);
  std::vector<uint32_t> signaled(isa.semaphores(), 0);
  // Some queues get few or no instructions.
  std::vector<unsigned> weight(kQueues);
  for (unsigned& w : weight) w = rng() % 4 == 0 ? rng() % 2 : 1 + rng() % 8;
  std::discrete_distribution<unsigned> pick_queue(weight.begin(), weight.end());
  const unsigned nop_pct = rng() % 40, wait_pct = rng() % 90, signal_pct = 20 + rng() % 70;
  for (unsigned j = 0; j < ops; ++j) {
    const unsigned q = pick_queue(rng);
    isa::Instruction inst = rng() % 100 < nop_pct ? isa.make("nop") : random_op(rng);
    if (rng() % 100 < wait_pct) {
      std::vector<unsigned> ready;
      for (unsigned s : pool) if (signaled[s]) ready.push_back(s);
      if (!ready.empty()) {
        const unsigned s = ready[rng() % ready.size()];
        inst.wait_en = true;
        inst.wait_sem = s;
        // Mostly the latest value (a true dependency), sometimes an older one or 0.
        const unsigned r = rng() % 8;
        inst.wait_value = r == 0 ? 0 : r == 1 ? 1 + rng() % signaled[s] : signaled[s];
      }
    }
    if (rng() % 100 < signal_pct) {
      inst.signal_en = true;
      inst.signal_sem = pool[rng() % pool.size()];
      ++signaled[inst.signal_sem];
    }
    prog[q].push_back(inst);
  }
  return prog;
}

class SeqBench {
 public:
  SeqBench() : dut_(&sim_.dut()) {
    sim_.reset();
    dut_->start_i = 0;
    dut_->engines_idle_i = 1;
    dut_->fetch_ready_i = 0;
    dut_->fetch_rvalid_i = 0;
    dut_->inst_ready_i = 0;
    dut_->done_i = 0;
    dut_->eval();
    REQUIRE_FALSE(dut_->deadlock_o);
    REQUIRE(dut_->finished_o == 0);
  }

  uint64_t cycle() const { return sim_.cycle(); }
  const std::vector<uint64_t>& issue_cycles(unsigned q) const { return queues_[q].issue_cycles; }

  // Starts `prog` (the start_i cycle), then runs until every queue finished, the detector
  // reported a deadlock `linger` cycles ago, or max_cycles. Returns whether all finished.
  bool run(const Program& prog, const Traffic& t, std::mt19937& rng, uint64_t max_cycles, uint64_t linger = 20) {
    step(&prog, t, rng);
    const uint64_t begin = sim_.cycle();
    uint64_t deadlock_at = 0;
    while (sim_.cycle() - begin < max_cycles) {
      if (all_finished()) {
        step(nullptr, t, rng);  // the cycle that shows finished_o
        return true;
      }
      if (deadlock_ && !deadlock_at) deadlock_at = sim_.cycle();
      if (deadlock_at && sim_.cycle() - deadlock_at >= linger) return false;
      step(nullptr, t, rng);
    }
    FAIL("no finish and no deadlock after " << max_cycles << " cycles");
    return false;
  }

  // Starts `prog` and runs `cycles` cycles after the start_i cycle, whatever happens.
  void run_for(const Program& prog, const Traffic& t, std::mt19937& rng, uint64_t cycles) {
    step(&prog, t, rng);
    for (uint64_t i = 0; i < cycles; ++i) step(nullptr, t, rng);
  }

  bool all_finished() const {
    for (const QueueState& s : queues_) if (!s.finished()) return false;
    return started_;
  }
  bool deadlock() const { return deadlock_; }
  bool finished(unsigned q) const { return queues_[q].finished(); }
  uint64_t start_cycle() const { return start_cycle_; }
  uint64_t first_finish_cycle() const { return first_finish_cycle_; }
  uint64_t first_deadlock_cycle() const { return first_deadlock_cycle_; }
  // Fetch responses that arrived after a new start (to requests of the previous run).
  uint64_t stale_responses() const { return stale_responses_; }

  // One clock cycle. With `start`, the start_i cycle of that program.
  void step(const Program* start, const Traffic& t, std::mt19937& rng) {
    const isa::Isa& isa = isa::Isa::get();
    const uint64_t now = sim_.cycle();
    std::uniform_real_distribution<double> u(0.0, 1.0);

    // ---- inputs ----
    dut_->start_i = start != nullptr;
    uint8_t done = 0;
    std::array<unsigned, kQueues> done_n{};
    bool engines_idle = true;
    for (unsigned q = 0; q < kQueues; ++q) {
      QueueState& s = queues_[q];
      set_bits(dut_->len_i, 32 * q, 32, start ? (*start)[q].size() : 0);
      set_bits(dut_->fetch_ready_i, q, 1, u(rng) < t.fetch_ready);
      const bool rvalid = !s.responses.empty() && s.responses.front().due <= now;
      set_bits(dut_->fetch_rvalid_i, q, 1, rvalid);
      if (rvalid) {
        const Response& r = s.responses.front();
        std::memcpy(dut_->fetch_rdata_i.data() + q * kWordWords, r.word.data(), r.word.size());
      } else {
        for (unsigned w = 0; w < kWordWords; ++w) dut_->fetch_rdata_i[q * kWordWords + w] = static_cast<uint32_t>(rng());
      }
      set_bits(dut_->inst_ready_i, q, 1, u(rng) < t.inst_ready);
      while (done_n[q] < 2 && done_n[q] < s.engine.size() && s.engine[done_n[q]].due <= now) ++done_n[q];
      done = static_cast<uint8_t>(done | (done_n[q] << (2 * q)));
      engines_idle = engines_idle && s.engine.empty();
    }
    dut_->done_i = done;
    dut_->engines_idle_i = engines_idle;
    dut_->eval();

    // ---- predictions from the state at the start of the cycle ----
    std::array<bool, kQueues> issue{}, nop_fire{}, fetch_req{}, blocked{};
    bool stuck = started_ && engines_idle;
    bool every_finished = started_;
    for (unsigned q = 0; q < kQueues; ++q) {
      QueueState& s = queues_[q];
      const bool head_present = started_ && s.head < s.delivered;
      const isa::Instruction* head = head_present ? &s.prog[s.head] : nullptr;
      const bool wait_sat = head && (!head->wait_en || sem_[head->wait_sem] >= head->wait_value);
      const bool nop = head && head->op->code == 0;
      blocked[q] = head && !wait_sat;
      const bool exp_valid = !start && head && !nop && wait_sat && s.engine.size() < kInflightDepth;
      const bool exp_fetch = started_ && s.next_fetch < s.prog.size() &&
                             (s.delivered - s.head) + s.outstanding() < kFetchDepth;
      INFO("cycle " << now << " (" << now - start_cycle_ << " after start), queue " << q << ", head " << s.head
                    << (head ? (head->wait_en ? " waits s" + std::to_string(head->wait_sem) + ">=" +
                                                std::to_string(head->wait_value) + " (now " +
                                                std::to_string(sem_[head->wait_sem]) + ")"
                                              : std::string(" no wait"))
                             : std::string(" absent"))
                    << ", " << s.engine.size() << " in the engine");
      REQUIRE(get_bits(dut_->inst_valid_o, q, 1) == exp_valid);
      REQUIRE(get_bits(dut_->blocked_o, q, 1) == blocked[q]);
      REQUIRE(get_bits(dut_->inflight_o, q, 1) == !s.engine.empty());
      REQUIRE(get_bits(dut_->finished_o, q, 1) == (started_ && s.finished()));
      REQUIRE(get_bits(dut_->fetch_valid_o, q, 1) == exp_fetch);
      if (exp_fetch) REQUIRE(get_bits(dut_->fetch_idx_o, 32 * q, 32) == s.next_fetch);
      fetch_req[q] = get_bits(dut_->fetch_valid_o, q, 1) && get_bits(dut_->fetch_ready_i, q, 1);
      issue[q] = exp_valid && get_bits(dut_->inst_ready_i, q, 1);
      nop_fire[q] = !start && head && nop && wait_sat && s.engine.empty();
      if (issue[q]) {
        // The instruction reaches its engine in queue order, whole, and only once its wait holds.
        REQUIRE(std::memcmp(dut_->inst_o.data() + q * kWordWords, s.words[s.head].data(), isa.word_bytes()) == 0);
        REQUIRE((!head->wait_en || sem_[head->wait_sem] >= head->wait_value));
      }
      if (started_) {
        s.busy += !s.engine.empty();
        s.sem_stall += blocked[q];
        s.issue_stall += head && !nop && wait_sat && !issue[q];
      }
      stuck = stuck && (s.finished() || blocked[q]);
      every_finished = every_finished && s.finished();
    }
    stuck = stuck && !every_finished;
    for (unsigned i = 0; i < isa.semaphores(); ++i) {
      INFO("cycle " << now << ": semaphore " << i);
      REQUIRE(get_bits(dut_->sem_value_o, 32 * i, 32) == (started_ ? sem_[i] : 0u));
    }
    REQUIRE(dut_->deadlock_o == deadlock_);
    REQUIRE(dut_->all_finished_o == every_finished);

    sim_.tick();

    // ---- the edge: advance the model ----
    for (unsigned q = 0; q < kQueues; ++q) {
      QueueState& s = queues_[q];
      if (get_bits(dut_->fetch_rvalid_i, q, 1)) {
        if (s.responses.front().stale) ++stale_responses_;
        else ++s.delivered;
        s.responses.pop_front();
      }
      if (fetch_req[q]) {
        const unsigned lat = t.fetch_lat_min + rng() % (t.fetch_lat_max - t.fetch_lat_min + 1);
        Response r;
        r.due = std::max(now + lat, s.responses.empty() ? 0 : s.responses.back().due);
        r.stale = start != nullptr;
        r.word = s.words[s.next_fetch];
        s.responses.push_back(r);
        if (!start) ++s.next_fetch;
      }
      for (unsigned k = 0; k < done_n[q]; ++k) {
        REQUIRE(s.engine.front().index == s.completed);
        complete(s, s.engine.front().index);
        s.engine.pop_front();
      }
      if (nop_fire[q]) {
        REQUIRE(s.completed == s.head);  // everything before the nop has completed
        complete(s, s.head);
        ++s.head;
      }
      if (issue[q]) {
        const unsigned lat = t.exec_lat_min + rng() % (t.exec_lat_max - t.exec_lat_min + 1);
        const uint64_t due = std::max(now + lat, s.engine.empty() ? 0 : s.engine.back().due);
        s.engine.push_back({s.head, due});
        s.issue_cycles.push_back(now - start_cycle_);
        ++s.head;
      }
    }
    for (unsigned sem : pending_signals_) ++sem_[sem];
    pending_signals_.clear();
    deadlock_ = deadlock_ || (stuck && stuck_prev_);
    stuck_prev_ = stuck;
    if (start) begin_run(*start, now);
    if (!start && every_finished && !first_finish_cycle_) first_finish_cycle_ = now - start_cycle_;
    if (deadlock_ && !first_deadlock_cycle_) first_deadlock_cycle_ = now + 1 - start_cycle_;

    // ---- registered outputs after the edge ----
    for (unsigned q = 0; q < kQueues; ++q) {
      const QueueState& s = queues_[q];
      INFO("after cycle " << now << ", queue " << q);
      REQUIRE(get_bits(dut_->insts_o, 32 * q, 32) == s.completed);
      REQUIRE(get_bits(dut_->busy_cycles_o, 32 * q, 32) == s.busy);
      REQUIRE(get_bits(dut_->sem_stall_cycles_o, 32 * q, 32) == s.sem_stall);
      REQUIRE(get_bits(dut_->issue_stall_cycles_o, 32 * q, 32) == s.issue_stall);
    }
  }

 private:
  struct Response {
    uint64_t due = 0;
    bool stale = false;  // requested before the latest start: the sequencer drops it
    std::vector<uint8_t> word;
  };
  struct InEngine {
    unsigned index;
    uint64_t due;
  };
  struct QueueState {
    std::vector<isa::Instruction> prog;
    std::vector<std::vector<uint8_t>> words;
    unsigned next_fetch = 0;  // next index the sequencer must request
    unsigned delivered = 0;   // responses of this run handed over (the buffer holds delivered - head)
    unsigned head = 0;        // first instruction neither issued nor completed as a nop
    unsigned completed = 0;
    std::deque<Response> responses;
    std::deque<InEngine> engine;
    uint64_t busy = 0, sem_stall = 0, issue_stall = 0;
    std::vector<uint64_t> issue_cycles;
    bool finished() const { return completed == prog.size(); }
    // Requests without a response yet, stale ones included: they hold buffer credits.
    unsigned outstanding() const { return static_cast<unsigned>(responses.size()); }
  };

  void complete(QueueState& s, unsigned index) {
    REQUIRE(index == s.completed);
    const isa::Instruction& inst = s.prog[index];
    if (inst.signal_en) pending_signals_.push_back(inst.signal_sem);
    ++s.completed;
  }

  void begin_run(const Program& prog, uint64_t now) {
    const isa::Isa& isa = isa::Isa::get();
    started_ = true;
    start_cycle_ = now;
    first_finish_cycle_ = first_deadlock_cycle_ = 0;
    deadlock_ = stuck_prev_ = false;
    sem_.assign(isa.semaphores(), 0);
    for (unsigned q = 0; q < kQueues; ++q) {
      QueueState& s = queues_[q];
      REQUIRE(s.engine.empty());
      for (Response& r : s.responses) r.stale = true;
      std::deque<Response> keep = std::move(s.responses);
      s = QueueState{};
      s.responses = std::move(keep);
      s.prog = prog[q];
      for (const isa::Instruction& inst : s.prog) s.words.push_back(isa.encode(inst));
    }
  }

  tb::SimCtrl<Vseq_top> sim_;
  Vseq_top* dut_;
  std::array<QueueState, kQueues> queues_;
  std::vector<uint32_t> sem_ = std::vector<uint32_t>(isa::Isa::get().semaphores(), 0);
  std::vector<unsigned> pending_signals_;  // signals of this cycle's completions
  bool started_ = false, deadlock_ = false, stuck_prev_ = false;
  uint64_t start_cycle_ = 0, first_finish_cycle_ = 0, first_deadlock_cycle_ = 0;
  uint64_t stale_responses_ = 0;
};

}  // namespace

TEST_CASE("random deadlock-free programs run to completion under random traffic", "[rtl][seq]") {
  const uint32_t seed = test_seed();
  INFO("seed " << seed << " (replay with TESSERA_SEED=" << seed << ")");
  std::mt19937 rng(seed);
  SeqBench bench;
  for (int round = 0; round < 200; ++round) {
    const Program prog = random_program(rng, 20 + rng() % 300);
    const Traffic t = random_traffic(rng);
    INFO("round " << round);
    REQUIRE(bench.run(prog, t, rng, 200000));
    REQUIRE_FALSE(bench.deadlock());
  }
}

#if SEQ_FETCH_DEPTH >= 3  // one instruction per cycle needs FetchDepth >= fetch latency + 2
TEST_CASE("a queue of plain instructions issues one per cycle", "[rtl][seq]") {
  const uint32_t seed = test_seed();
  std::mt19937 rng(seed);
  const Traffic ideal;  // 1-cycle fetch, always-ready engines, 1-cycle completion
  for (unsigned n : {0u, 1u, 2u, 7u, 50u}) {
    INFO("N = " << n << ", seed " << seed);
    for (bool nops : {false, true}) {
      SeqBench bench;
      Program prog(kQueues);
      for (unsigned i = 0; i < n; ++i) prog[0].push_back(nops ? isa::Isa::get().make("nop") : random_op(rng));
      REQUIRE(bench.run(prog, ideal, rng, 1000));
      if (!nops) {
        const std::vector<uint64_t>& ic = bench.issue_cycles(0);
        REQUIRE(ic.size() == n);
        for (unsigned i = 0; i < n; ++i) CHECK(ic[i] == 3 + i);
      }
      // A nop completes in the cycle it reaches the head, one cycle before an issued instruction.
      const uint64_t want = n == 0 ? 1 : n + kStartToFinish - (nops ? 1 : 0);
      CHECK(bench.first_finish_cycle() == want);
    }
  }
}

#endif

TEST_CASE("a signal raised in cycle t releases a wait in cycle t+1", "[rtl][seq]") {
  std::mt19937 rng(test_seed());
  const Traffic ideal;
  SeqBench bench;
  Program prog(kQueues);
  isa::Instruction producer = random_op(rng);
  producer.signal_en = true;
  producer.signal_sem = 63;
  prog[0].push_back(producer);
  isa::Instruction consumer = random_op(rng);
  consumer.wait_en = true;
  consumer.wait_sem = 63;
  consumer.wait_value = 1;
  prog[1].push_back(consumer);
  REQUIRE(bench.run(prog, ideal, rng, 1000));
  // Producer issues in cycle 3 and completes (signals) in cycle 4; the consumer issues in 5.
  REQUIRE(bench.issue_cycles(0) == std::vector<uint64_t>{3});
  REQUIRE(bench.issue_cycles(1) == std::vector<uint64_t>{5});
}

TEST_CASE("deadlocked programs raise deadlock_o and never finish, then a new start recovers", "[rtl][seq]") {
  const uint32_t seed = test_seed();
  INFO("seed " << seed << " (replay with TESSERA_SEED=" << seed << ")");
  std::mt19937 rng(seed);
  const isa::Isa& isa = isa::Isa::get();
  SeqBench bench;
  for (int round = 0; round < 60; ++round) {
    INFO("round " << round);
    Program prog = random_program(rng, 10 + rng() % 100);
    std::vector<uint32_t> total(isa.semaphores(), 0);
    for (const auto& qp : prog)
      for (const isa::Instruction& inst : qp)
        if (inst.signal_en) ++total[inst.signal_sem];
    const unsigned kind = round % 3;
    const unsigned q0 = rng() % kQueues, q1 = (q0 + 1 + rng() % (kQueues - 1)) % kQueues;
    auto insert = [&](unsigned q, isa::Instruction inst) {
      auto& v = prog[q];
      v.insert(v.begin() + static_cast<long>(rng() % (v.size() + 1)), inst);
    };
    if (kind == 0) {
      // A wait nobody can satisfy: one more than all signals of that semaphore (or the maximum).
      isa::Instruction w = rng() % 2 ? isa.make("nop") : random_op(rng);
      w.wait_en = true;
      w.wait_sem = rng() % isa.semaphores();
      w.wait_value = rng() % 4 == 0 ? 0xFFFFFFFFu : total[w.wait_sem] + 1;
      insert(q0, w);
    } else {
      // A cycle: q0 waits for what q1 signals after its own wait on what q0 signals later.
      // Two fresh semaphores nobody else signals.
      unsigned a = 0, b = 0;
      for (unsigned s = 0; s < isa.semaphores() && (!a || !b); ++s)
        if (!total[s] && s) (a ? b : a) = s;
      REQUIRE((a && b));
      isa::Instruction wa = kind == 1 ? random_op(rng) : isa.make("nop");
      wa.wait_en = true;
      wa.wait_sem = a;
      wa.wait_value = 1;
      wa.signal_en = true;
      wa.signal_sem = b;
      isa::Instruction wb = random_op(rng);
      wb.wait_en = true;
      wb.wait_sem = b;
      wb.wait_value = 1;
      wb.signal_en = true;
      wb.signal_sem = a;
      insert(q0, wa);
      insert(q1, wb);
    }
    const Traffic t = random_traffic(rng);
    REQUIRE_FALSE(bench.run(prog, t, rng, 200000));
    REQUIRE(bench.deadlock());
    REQUIRE_FALSE(bench.finished(q0));
    // Recovery: the next run starts from zeroed semaphores and completes.
    const Program good = random_program(rng, 20 + rng() % 60);
    REQUIRE(bench.run(good, random_traffic(rng), rng, 200000));
  }
}

TEST_CASE("a start during fetches drops the old run's responses", "[rtl][seq]") {
  const uint32_t seed = test_seed();
  INFO("seed " << seed << " (replay with TESSERA_SEED=" << seed << ")");
  std::mt19937 rng(seed);
  const isa::Isa& isa = isa::Isa::get();
  SeqBench bench;
  for (int round = 0; round < 100; ++round) {
    INFO("round " << round);
    // Every queue's first instruction waits forever, so nothing reaches an engine and a new
    // start is legal at any time; the fetches behind it are cut off mid-flight.
    Program prog = random_program(rng, 10 + rng() % 40);
    for (auto& q : prog) {
      isa::Instruction w = random_op(rng);
      w.wait_en = true;
      w.wait_sem = rng() % isa.semaphores();
      w.wait_value = 0xFFFFFFFFu;
      q.insert(q.begin(), w);
    }
    Traffic t = random_traffic(rng);
    t.fetch_lat_max += 8;
    bench.run_for(prog, t, rng, rng() % 12);
  }
  REQUIRE(bench.run(random_program(rng, 100), random_traffic(rng), rng, 200000));
  std::cout << bench.stale_responses() << " stale fetch responses dropped\n";
  REQUIRE(bench.stale_responses() > 0);
}
