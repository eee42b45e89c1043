#include "ext_engine.hpp"

#include <algorithm>

#include "rtl/ext_engines.hpp"

namespace tessera::tlm {

void ExtEngine::run_queue() {
  uint64_t ready_from = 0, idle_from = 0;
  for (next_ = 0; next_ < queue_.insts.size(); ++next_) {
    const isa::Instruction& inst = queue_.insts[next_];
    if (inst.op->engine == "any") {
      run_nop(next_, idle_from);
      continue;
    }
    const uint64_t head = head_cycle(next_);
    const uint64_t accept = resolve_wait(inst, head, std::max(head, ready_from));
    exec_.execute(inst);
    const uint64_t done = accept + rtl::ext_instruction_cycles(inst);
    complete(next_, accept, done);
    last_pop_ = accept;
    have_pop_ = true;
    ready_from = done;
    idle_from = done + 1;
    keep_quantum(accept);
  }
}

}  // namespace tessera::tlm
