// The activation and vector engines (docs/ext_engines.md): one instruction at a time,
// done = accept + R + C + W + 1 with every port request granted (rtl::ext_instruction_cycles),
// accepting the next instruction in the done cycle.
#pragma once

#include "engine.hpp"

namespace tessera::tlm {

class ExtEngine : public Engine {
 public:
  using Engine::Engine;

 protected:
  void run_queue() override;
};

}  // namespace tessera::tlm
