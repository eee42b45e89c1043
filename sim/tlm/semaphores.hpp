// The semaphore block of the TLM model (docs/seq.md semantics, docs/tlm.md "Time"). Engines keep
// their own cycle counts, so a signal is stored with the cycle of the completion that raised
// it; it is visible to waits from the next cycle on, as in the RTL. Which stored answers are
// final is decided by the tensor engine / fabric handshake (engine.hpp, SharedTiming).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include <systemc>

namespace tessera::tlm {

constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

class Semaphores {
 public:
  explicit Semaphores(unsigned count) : done_(count) {}

  // A completion in cycle `done_cycle` increments `sem`, visible from done_cycle + 1.
  void signal(unsigned sem, uint64_t done_cycle) {
    auto& v = done_[sem];
    v.insert(std::upper_bound(v.begin(), v.end(), done_cycle), done_cycle);
    changed_.notify(sc_core::SC_ZERO_TIME);
  }

  // The first cycle in which sem >= value by the signals stored so far (kNever if they don't).
  uint64_t known_time(unsigned sem, uint32_t value) const {
    if (value == 0) return 0;
    const auto& v = done_[sem];
    return v.size() < value ? kNever : v[value - 1] + 1;
  }
  uint64_t value_at(unsigned sem, uint64_t cycle) const {  // for diagnostics
    const auto& v = done_[sem];
    return static_cast<uint64_t>(std::lower_bound(v.begin(), v.end(), cycle) - v.begin());
  }

  const sc_core::sc_event& changed() const { return changed_; }

 private:
  std::vector<std::vector<uint64_t>> done_;  // per semaphore: completion cycles, sorted
  sc_core::sc_event changed_;
};

}  // namespace tessera::tlm
