// Verilated RTL blocks inside the TLM model (docs/cosim.md): the tensor engine, the DMA engine,
// the SBUF and the PSUM, each a --cc model that its transactor clocks from inside the TLM
// engine that owns it (the memories: from inside every TLM engine's instruction).
// The transactors are the block boundaries of tessera_core.sv: the tensor engine's SBUF read
// ports (moving before stationary, per bank) and its PSUM write port (overwrite or fp32
// accumulate, as psum.sv); the DMA engine's per-queue on-chip port and its AXI4 master, which
// reaches the TLM DRAM through an AXI slave model (rtl::AxiDram) whose data goes through a TLM
// socket.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/core_config.hpp"
#include "ref/executor.hpp"
#include "rtl/axi_dram.hpp"

namespace tessera::cosim {

// --inject-fault BLOCK:CYCLE: one bit of the block's first write at or after CYCLE is flipped
// on its way out of the RTL (PSUM write data of the tensor engine; on-chip write data or AXI W
// data of the DMA; on-chip write data of the act or dve engine), so the lockstep checker can be
// seen to catch and locate it.
struct Fault {
  std::string block;  // "pe", "dma", "sbuf", "psum", "act", "dve" or "seq"; empty: none
  uint64_t cycle = 0;
  bool fired = false;
  uint64_t fired_cycle = 0;
  std::string what;  // where the bit was flipped, for the report
  // The fault fired in `cycle`; `where`: what it flipped.
  void fire(uint64_t cycle, std::string where) {
    fired = true;
    fired_cycle = cycle;
    what = std::move(where);
  }
};

// A dma fault due in `cycle` flips bit 6 of the first strobed byte of a W beat the master
// presents (the DMA block's and the whole core's AXI master alike).
void inject_axi_write_fault(Fault* fault, uint64_t cycle, rtl::AxiMasterOut& out);

struct BlockTrace {
  std::string path;  // FST file; empty: no waveform
  uint64_t from = 0, to = UINT64_MAX;
};

class PeBlock {
 public:
  virtual ~PeBlock() = default;
  struct Cycle {
    bool accepted = false;
    unsigned done = 0;       // instructions retired in this cycle (in order)
    uint16_t sbuf_banks = 0;  // banks its granted reads hold in this cycle (bit b: bank b)
    bool psum_write = false;  // a PSUM write presented in this cycle (blocks the engine write port next cycle)
    bool st_stalled = false;  // the stationary read lost its bank to the moving read
  };
  // Cycle t: offers `word` when `valid`, serves the SBUF reads and applies the PSUM writes.
  virtual Cycle step(uint64_t t, bool valid, const std::vector<uint8_t>& word) = 0;
};

class DmaBlock {
 public:
  virtual ~DmaBlock() = default;
  struct Request {
    bool valid = false, we = false, psum = false;
    bool wide = false;  // 8-byte unit: words `word` and `word + 1` (SBUF; sbuf.sv's wide requests)
    uint32_t word = 0;
    uint32_t part = 0;  // the one partition of the request's mask (dma_channel.sv: one-hot)
  };
  // Cycle t, in three phases: offer each queue's instruction and settle; the fabric arbitrates
  // the requests; grant (writes land, reads return next cycle); then the clock edge.
  virtual void offer(uint64_t t, const std::vector<const std::vector<uint8_t>*>& words) = 0;
  virtual Request request(unsigned q) const = 0;
  virtual bool ready(unsigned q) const = 0;
  virtual void grant(uint32_t mask) = 0;
  virtual uint32_t done() const = 0;  // queues whose instruction completes in this cycle
  virtual void edge() = 0;
  virtual bool idle() const = 0;  // no AXI transaction outstanding
  virtual bool error() const = 0;
  virtual uint64_t bytes_read() const = 0;     // DRAM bytes so far: R beats x bus bytes
  virtual uint64_t bytes_written() const = 0;  // strobed W bytes
};

// --rtl seq: the sequencers, semaphores and deadlock detector (rtl/seq/seq_cluster.sv) drive
// the TLM engines. Queues in the core's order: 0 pe, 1 act, 2 dve, 3 + q dma<q>. Per cycle t:
// offer() serves the fetches requested in t - 1 (one cycle of latency, always ready, as the core
// harness's instruction memories) and takes the engines' completions of cycle t; then the
// offered instructions are read; accept() takes the engines' readiness and clocks the edge. A
// fault (BLOCK seq) flips the top bit of the first word of a non-nop instruction fetched at or
// after CYCLE, which the transactor's issue check (the issued word against the program's) finds.
class SeqBlock {
 public:
  virtual ~SeqBlock() = default;
  // The program's encoded instructions per queue, and the start pulse (one cycle).
  virtual void start(const std::vector<std::vector<std::vector<uint8_t>>>& words) = 0;
  virtual void offer(uint64_t t, const std::vector<unsigned>& done) = 0;
  virtual bool valid(unsigned q) const = 0;
  virtual const std::vector<uint8_t>& word(unsigned q) const = 0;  // the offered word, when valid(q)
  virtual void accept(uint32_t ready) = 0;
  virtual uint32_t completed(unsigned q) const = 0;  // instructions of queue q completed so far
  virtual uint64_t sem_stall_cycles(unsigned q) const = 0;
  virtual bool finished() const = 0;
  virtual bool deadlock() const = 0;
};

// --rtl act / --rtl dve: the verilated act and dve engines (rtl/vec/vec_engines.sv in
// sim/cosim/rtl/cosim_vec.sv, three mem ports each) in place of the TLM's. The fabric offers
// them their queues' instructions, arbitrates their ports with the TLM's requesters in the
// core's order (docs/vec_engines.md), and serves the granted requests from the on-chip
// memories (or the RTL SBUF/PSUM blocks), reads before writes; what they write is the result,
// which the lockstep checker compares when the instruction completes. Engine 0 act, 1 dve. Per
// cycle t: offer() the instructions and the read data granted in t - 1, settle; request();
// grant() (writes land, reads return next cycle); done(); edge(). A fault (BLOCK act or dve)
// flips a bit of the engine's first write at or after CYCLE, in its first partition.
class VecBlock {
 public:
  virtual ~VecBlock() = default;
  struct Request {
    bool valid = false, we = false, psum = false;
    uint32_t word = 0;
    uint32_t part = 0, parts = 0;  // the partitions of the mask: [part, part + parts)
  };
  virtual void offer(uint64_t t, const std::array<const std::vector<uint8_t>*, 2>& words) = 0;
  virtual Request request(unsigned e, unsigned port) const = 0;  // port 0, 1 read, 2 write
  virtual bool ready(unsigned e) const = 0;
  virtual void grant(uint32_t ports) = 0;  // bit 3 e + p: port p of engine e granted in this cycle
  virtual uint32_t done() const = 0;       // bit e: engine e completes an instruction in this cycle
  virtual void edge() = 0;
};

// --rtl sbuf / --rtl psum: the verilated memory holds every byte of its space, and the TLM
// engines' instructions pass through its ports. The TLM executes an instruction atomically
// (at its accept, as always); around that:
// - prepare(): the instruction's source operands in this space are read through the RTL's read
//   port into the TLM's view of the memory (DMI), so the engines compute with what the RTL
//   stored. It may rewrite the instruction the executor runs: for the PSUM, a multiply_moving
//   that accumulates runs as an overwrite (the RTL accumulates, below).
// - commit(): the instruction's destination in this space goes through the RTL's write port
//   (byte enables: the bytes of its elements), a matmul's rows through the PSUM's tensor-engine
//   port (accumulating when the instruction does, in psum.sv's fp32 adder); then it is read
//   back into the view, so the lockstep checker compares what the RTL holds.
// The block runs on its own clock (the port cycles each instruction needs); the core's timing
// stays the TLM's. A fault (BLOCK sbuf or psum) flips a bit of the first word written at or
// after CYCLE (the TLM cycle of the instruction writing it).
class MemBlock {
 public:
  virtual ~MemBlock() = default;
  virtual void prepare(isa::Instruction& inst, uint64_t cycle) = 0;
  virtual void commit(const isa::Instruction& inst, uint64_t cycle) = 0;
  // The ports of the RTL tensor engine and DMA when they run with this block (PeBlock,
  // DmaBlock), at their cycle `cycle`: one word of every partition through the read port
  // (into `out` and the view); one word of the partitions of `mask` (`data` per partition)
  // through the engine write port with byte enables `be`; a matmul row through the PSUM's
  // tensor-engine port, overwriting or accumulating. A write is read back into the view.
  virtual void read_row(uint32_t word, uint32_t* out, uint64_t cycle) = 0;
  virtual void write_row(uint32_t word, const std::vector<bool>& mask, unsigned be, const uint32_t* data,
                         uint64_t cycle) = 0;
  virtual void te_row(uint32_t word, const std::vector<bool>& mask, bool acc, const uint32_t* data, uint64_t cycle) = 0;
  virtual uint64_t clocks() const = 0;  // the block's own clock cycles so far
};

// The memory blocks the RTL tensor engine and DMA reach their SBUF/PSUM through (null: the
// view directly).
struct MemPorts {
  MemBlock* sbuf = nullptr;
  MemBlock* psum = nullptr;
};

// `ports`: the memory blocks (--rtl sbuf / psum) the block's SBUF and PSUM accesses go through.
std::unique_ptr<PeBlock> make_pe_block(const CoreConfig& config, const ref::MemView& mem, Fault* fault,
                                       const BlockTrace& trace, uint64_t seed, MemPorts ports = {});
std::unique_ptr<DmaBlock> make_dma_block(const CoreConfig& config, const ref::MemView& mem, ref::DramAccess& dram,
                                         Fault* fault, const BlockTrace& trace, uint64_t seed, MemPorts ports = {});
// The SBUF's or PSUM's memory block (`space`).
std::unique_ptr<MemBlock> make_mem_block(const CoreConfig& config, isa::Space space, const ref::MemView& mem,
                                         Fault* fault, const BlockTrace& trace, uint64_t seed);
std::unique_ptr<SeqBlock> make_seq_block(const CoreConfig& config, Fault* fault, const BlockTrace& trace, uint64_t seed);
// `seed`: the kernel seed (the RTL dve engine's stochastic-rounding generators).
std::unique_ptr<VecBlock> make_vec_block(const CoreConfig& config, const ref::MemView& mem, Fault* fault,
                                         const BlockTrace& trace, uint64_t seed, MemPorts ports = {});
// Whether the blocks are verilated for this configuration.
bool blocks_available(const std::string& config);

}  // namespace tessera::cosim
