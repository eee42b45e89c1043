// The core's queues and the instruction memories behind its sequencers' fetch ports, shared
// by the whole-core harness (core_harness.hpp) and the co-simulated sequencers
// (cosim/blocks_impl.hpp SeqBlockImpl, --rtl seq), which must serve fetches identically.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "common/errors.hpp"
#include "isa/isa.hpp"
#include "port_bits.hpp"

namespace tessera::rtl {

// Queue index in the core (tessera_core.sv): 0 pe, 1 act, 2 dve, 3 + q dma<q>.
inline int queue_index(const std::string& engine) {
  if (engine == "pe") return 0;
  if (engine == "act") return 1;
  if (engine == "dve") return 2;
  return 3 + std::stoi(engine.substr(3));
}

inline std::string queue_name(unsigned q) {
  static const char* fixed[] = {"pe", "act", "dve"};
  return q < 3 ? fixed[q] : fmt::format("dma{}", q - 3);
}

// Where a queue stands for a deadlock or hang report: "\n  NAME: D of N instructions
// completed; next: TEXT" (nothing for an empty queue).
inline std::string queue_progress(const std::string& name, uint32_t done, const std::vector<std::vector<uint8_t>>& words) {
  if (words.empty()) return {};
  std::string s = fmt::format("\n  {}: {} of {} instructions completed", name, done, words.size());
  if (done < words.size()) s += fmt::format("; next: {}", isa::to_text(isa::Isa::get().decode(words[done].data())));
  return s;
}

// Per queue, the encoded instructions; the fetch port always ready, the requested word
// returned the cycle after the request.
class FetchServer {
 public:
  void load(std::vector<std::vector<std::vector<uint8_t>>> words) {
    words_ = std::move(words);
    pending_.assign(words_.size(), std::nullopt);
  }
  const std::vector<std::vector<std::vector<uint8_t>>>& words() const { return words_; }

  // Before the cycle's evaluation: ready, and the words requested in the previous cycle.
  // `patch(q, i, word)` may change the word served (a fault on its way into the sequencer).
  template <class Model, class Patch>
  void drive(Model& m, Patch&& patch) {
    const unsigned n = static_cast<unsigned>(words_.size());
    const unsigned bits = 8 * isa::Isa::get().word_bytes();
    set_bits(m.fetch_ready_i, 0, n, (uint64_t{1} << n) - 1);
    uint64_t rvalid = 0;
    for (unsigned q = 0; q < n; ++q) {
      if (!pending_[q]) continue;
      rvalid |= uint64_t{1} << q;
      std::vector<uint8_t> w = words_[q][*pending_[q]];
      patch(q, *pending_[q], w);
      for (unsigned i = 0; i < bits / 32; ++i) {
        uint32_t v;
        std::memcpy(&v, w.data() + 4 * i, 4);
        set_word(m.fetch_rdata_i, q * bits + 32 * i, v);
      }
    }
    set_bits(m.fetch_rvalid_i, 0, n, rvalid);
  }
  template <class Model>
  void drive(Model& m) {
    drive(m, [](unsigned, uint32_t, std::vector<uint8_t>&) {});
  }

  // After the evaluation, before the edge: this cycle's fetch requests.
  template <class Model>
  void sample(const Model& m) {
    for (unsigned q = 0; q < words_.size(); ++q) {
      pending_[q].reset();
      if (!get_bits(m.fetch_valid_o, q, 1)) continue;
      const uint32_t idx = get_word(m.fetch_idx_o, 32 * q);
      if (idx >= words_[q].size())
        throw SimError(fmt::format("RTL: {} fetched instruction {} of {}", queue_name(q), idx, words_[q].size()));
      pending_[q] = idx;
    }
  }

 private:
  std::vector<std::vector<std::vector<uint8_t>>> words_;
  std::vector<std::optional<uint32_t>> pending_;  // per queue: the instruction whose word returns next cycle
};

}  // namespace tessera::rtl
