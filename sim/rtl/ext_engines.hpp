// C++ models of the activation (`act`) and vector (`dve`) engines that run inside the RTL
// core until their RTL exists (SPEC section 6, docs/ext_engines.md). The harness clocks the
// verilated core and, every cycle, calls drive() before the rising edge and commit() with what
// the core presented in that cycle. No Verilator types: the harness copies to and from ports.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "config/core_config.hpp"
#include "isa/isa.hpp"
#include "numerics/xorshift32.hpp"

namespace tessera::rtl {

class FpUnit;

// Engine index inside the model; the core's queue numbers are 1 (act) and 2 (dve).
enum ExtEngine : unsigned { kExtAct = 0, kExtDve = 1 };
constexpr unsigned kExtEngines = 2;
constexpr unsigned kExtInstBytes = 128;  // the ISA word (checked against isa.json at run time)

// Cycles between the arrival of an instruction's last source word and its first write
// request (docs/ext_engines.md, timing).
constexpr unsigned kExtComputeCycles = 8;
static_assert(kExtComputeCycles >= 1, "the last read data arrives in the first compute cycle");

// Outputs of one cycle, valid from just after the previous rising edge until the next one;
// drive() computes them from the model's state alone.
struct ExtOutputs {
  std::array<bool, kExtEngines> inst_ready{};  // the engine takes an instruction this cycle
  std::array<bool, kExtEngines> done{};        // the engine completed one instruction
  std::array<bool, kExtEngines> busy{};        // the engine holds an unfinished instruction
  std::array<bool, kExtEngines> stall{};       // its port request was refused in the previous cycle,
                                               // so each refused cycle counts once, before `done`
  // The `mem` requester port of docs/core.md.
  bool req = false;
  bool we = false;
  bool psum = false;
  uint32_t addr = 0;              // 32-bit word address inside a partition
  std::vector<uint8_t> mask;      // [rows], 0/1
  uint8_t be = 0;                 // byte enables of a write, bit i = byte i
  std::vector<uint32_t> wdata;    // [rows]
};

// What the core presented in the same cycle, sampled at the rising edge by commit().
struct ExtInputs {
  std::array<bool, kExtEngines> inst_valid{};
  std::array<std::array<uint8_t, kExtInstBytes>, kExtEngines> inst{};
  bool gnt = false;
  bool rvalid = false;
  std::vector<uint32_t> rdata;  // [rows]; read only when rvalid
};

// Distinct word accesses of one instruction: (space, word address) pairs, each covering every
// partition that takes part. The cycle formula's R and W.
struct ExtAccessCount {
  uint64_t reads = 0;
  uint64_t writes = 0;
};
ExtAccessCount ext_access_count(const isa::Instruction& inst);

// Cycles from the cycle an instruction is accepted (inst_valid and inst_ready high) to the cycle its `done` is high, with
// every port request granted at once: R + kExtComputeCycles + W + 1 (nop: 1). The engine
// accepts its next instruction in its `done` cycle at the earliest.
uint64_t ext_instruction_cycles(const isa::Instruction& inst);

class ExtEngines {
 public:
  // `seed` is the kernel seed of the stochastic-rounding generators (docs/numerics.md).
  ExtEngines(const CoreConfig& config, uint64_t seed);
  ~ExtEngines();
  ExtEngines(const ExtEngines&) = delete;
  ExtEngines& operator=(const ExtEngines&) = delete;

  // Back to the state after construction (idle, no read in flight, generators reseeded).
  void reset();

  // This cycle's outputs, from state only (inst_ready never depends on inst_valid).
  void drive(ExtOutputs& out) const;

  // The rising edge: takes the inputs of the cycle whose outputs drive() gave, and advances.
  // Throws SimError for a protocol violation (rvalid without a read in flight or missing one
  // cycle after a read's grant, an instruction of the wrong engine).
  void commit(const ExtInputs& in);

  const CoreConfig& config() const { return config_; }

 private:
  struct Job;
  int selected() const;  // the engine whose request drive() presents, -1 for none
  void accept(unsigned engine, const uint8_t* word);

  CoreConfig config_;
  uint64_t seed_;
  std::vector<fp::Xorshift32> lanes_;  // per partition, shared by the engines as in the reference
  std::unique_ptr<FpUnit> units_;      // act_func and dve_alu (rtl/act, rtl/dve), verilated
  std::array<std::unique_ptr<Job>, kExtEngines> jobs_;
  std::array<bool, kExtEngines> done_{};
  std::array<bool, kExtEngines> stall_{};
  unsigned priority_ = kExtAct;  // round robin: who wins when both request
  int held_ = -1;                // engine whose request was refused last cycle: presented again
  int read_owner_ = -1;          // engine whose read was granted in the previous cycle
  size_t read_index_ = 0;        // and which of its reads
};

}  // namespace tessera::rtl
