// A DMA queue: passive; the fabric (fabric.hpp) runs its sequencer and timing, and the
// engine's Executor does the numerics when the fabric accepts an instruction.
#pragma once

#include "engine.hpp"

namespace tessera::tlm {

class DmaEngine : public Engine {
 public:
  using Engine::Engine;

 protected:
  bool run_queue() override { return false; }
};

}  // namespace tessera::tlm
