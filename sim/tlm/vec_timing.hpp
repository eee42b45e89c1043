// The cycle timing of one streaming act/dve engine (docs/vec_engines.md, "The element stream"
// and "Timing"), data free: which word the engine requests on each of its three memory ports
// (two read ports, one write port) in each cycle, and when its instruction is done. The fabric
// (fabric.cpp) runs one per engine and arbitrates the ports with the SBUF's and PSUM's others;
// the numerics are the Executor's.
//
// Use per cycle: request(p) / requesting() / finishing() describe the current cycle and depend
// on the state only; edge(granted) is the rising edge that ends the cycle. An instruction
// accepted in cycle a is start()ed at the edge ending a, after that cycle's edge().
#pragma once

#include <array>
#include <cstdint>

#include "isa/isa.hpp"

namespace tessera::tlm {

class VecTiming {
 public:
  // One 32-bit word of a space (SBUF or PSUM), in every partition of an operand.
  struct Addr {
    isa::Space space = isa::Space::kSbuf;
    uint32_t word = 0;
    bool operator==(const Addr& o) const { return word == o.word && space == o.space; }
    bool operator!=(const Addr& o) const { return !(*this == o); }
  };
  // The ports: kRead0 reads slots 0 and 2, kRead1 slots 1 and 3, kWrite writes.
  static constexpr unsigned kRead0 = 0, kRead1 = 1, kWrite = 2, kPorts = 3;
  // Write queue entries (docs/vec_engines.md "Timing").
  static constexpr unsigned kQueue = 2;
  // The engine's request of the current cycle on one port.
  struct Request {
    bool valid = false;
    bool write = false;
    bool psum = false;   // the word is in PSUM (else SBUF)
    uint32_t word = 0;   // 32-bit word address in each partition
    uint32_t part = 0;   // partitions [part, part + parts): a source word's operand's, a
    uint32_t parts = 0;  // column's or destination word's the destination's
    uint8_t be = 0;      // a write's byte enables (bit i: byte i of the word)
    uint8_t slot = 0;    // a read's slot (0 src/a, 1 b, 2 scale/s0, 3 bias/s1)
    bool operator==(const Request& o) const {
      return valid == o.valid && write == o.write && psum == o.psum && word == o.word && part == o.part &&
             parts == o.parts && be == o.be && slot == o.slot;
    }
  };

  // Takes an instruction (its opcode must be an act/dve one, or nop) at the edge ending its
  // accept cycle; the engine must not be busy(). Clears the slots, buffers and pending request.
  void start(const isa::Instruction& inst);
  // The rising edge ending the current cycle; bit p of `granted`: this cycle's request(p) was
  // granted (ignored when there is none).
  void edge(unsigned granted);

  const Request& request(unsigned port) const { return req_[port]; }
  bool requesting() const { return req_[0].valid || req_[1].valid || req_[2].valid; }
  // done is high in this cycle: k = N and wb, wq and both read ports' pend are empty.
  bool finishing() const { return active_ && k_ == n_ && !wb_.valid && wq_n_ == 0 && !pend_[0] && !pend_[1]; }
  // An instruction is held, its done cycle included.
  bool active() const { return active_; }
  // An instruction is held and not finishing (busy_o); !busy(): the engine can take one (inst_ready_o).
  bool busy() const { return active_ && !finishing(); }
  bool idle() const { return !active_; }

  uint64_t elements() const { return n_; }  // N of the current (or last) instruction
  uint64_t computed() const { return k_; }  // the compute pointer k
  uint64_t forced_flushes() const { return forced_flushes_; }  // since start()

 private:
  struct Src {
    uint8_t slot = 0;
    Addr a;
  };
  struct Elem {
    uint8_t nsrc = 0;
    std::array<Src, 2> src{};
    bool has_dst = false;
    Addr dst;
    uint8_t be = 0;
  };
  struct Held {
    bool valid = false;
    Addr a;
  };
  struct Buf {
    bool valid = false;
    Addr a;
    uint8_t be = 0;
  };
  // An access pattern's elements in free order (dims[0] outermost), one at a time.
  struct Walk {
    isa::Space space = isa::Space::kSbuf;
    uint64_t addr = 0;
    unsigned es = 4;
    std::array<isa::Dim, 3> dims{};
    std::array<uint32_t, 3> i{};
    void reset(const isa::Ap& ap);
    int64_t offset() const;
    Addr word() const;
    uint8_t be() const;
    void next();
  };
  enum class Kind : uint8_t { kNone, kCopy, kTensorTensor, kMemset, kReduce, kTranspose };

  Elem produce();  // element `gen_` (sequentially), then gen_ + 1
  void advance();  // k + 1: the window moves
  void evaluate();  // the current cycle's combinational values, from the state
  bool avail(uint8_t s, const Addr& a) const;
  bool avail_next(uint8_t s, const Addr& a) const;

  // the instruction
  Kind kind_ = Kind::kNone;
  uint64_t n_ = 0;                  // N
  uint64_t ncol_ = 0, nmain_ = 0;   // column elements, then main ones, then the tail (the rest)
  std::array<Src, 2> cols_{};       // the column elements' words
  bool reduce_col_ = false;         // activation: the reduce column element last
  Addr reduce_addr_;
  Walk w_src_, w_b_, w_dst_;
  std::array<uint32_t, 4> slot_part_{}, slot_parts_{};
  uint32_t dst_part_ = 0, dst_parts_ = 0;
  uint64_t gen_ = 0;  // the next element produce() makes
  // the state
  bool active_ = false;
  uint64_t k_ = 0;
  Elem cur_, nxt_;  // elements k and k + 1 (when < N)
  std::array<Held, 4> held_{}, arr_{};
  Buf wb_;
  std::array<Buf, kQueue> wq_{};  // the write queue, wq_[0] its head
  unsigned wq_n_ = 0;
  bool wq_holds(const Addr& a) const;
  // A read port's request refused in the previous cycle (a refused write stays wq's head).
  std::array<bool, 2> pend_{};
  std::array<Request, 2> pend_req_{};
  uint64_t forced_flushes_ = 0;
  // the current cycle (evaluate())
  std::array<Request, kPorts> req_{};
  bool ready_ = false, last_ = false, needq_ = false, flush_ = false;
};

}  // namespace tessera::tlm
