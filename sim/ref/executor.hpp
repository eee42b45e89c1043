// The numerics of every instruction (SPEC section 3) on a set of memories: the one element
// loop of each opcode, shared by the reference model (ref::CoreModel, on its own memories) and
// the TLM model (each engine owns an Executor on the TLM memories and calls it when the engine
// accepts an instruction, docs/tlm.md "Numerics"; the semaphores order every engine's accesses
// exactly as in the reference, so running an instruction atomically at any point of its
// [issue, done] window gives the reference's result).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "config/core_config.hpp"
#include "isa/isa.hpp"
#include "numerics/activation.hpp"
#include "numerics/fp.hpp"
#include "numerics/xorshift32.hpp"
#include "ref/memory.hpp"
#include "ref/vector_alu.hpp"

namespace tessera::ref {

// Direct (DMI) views of the on-chip memories plus the DRAM port.
struct MemView {
  uint8_t* sbuf = nullptr;
  uint8_t* psum = nullptr;
  uint64_t sbuf_partition_bytes = 0;
  uint64_t psum_partition_bytes = 0;
  DramAccess* dram = nullptr;
};

// Builds the per-format code tables (widen, and the RNE round trip of each 8- and 16-bit code)
// that executors otherwise build on first use: a process that forks simulations calls it first,
// so that no child builds them again.
void prepare_tables();

// The matmul's widest host vectors, in bytes: 64 (AVX-512), 32 (AVX2) or 16 (SSE). Each width
// gives the same bits (the same IEEE operations in the same order); the default is the widest
// the host has. Lowering the limit is for tests, which run every width.
unsigned matmul_vector_bytes();
void limit_matmul_vector_bytes(unsigned bytes);

class Executor {
 public:
  // `seed`: the kernel seed of the per-lane stochastic-rounding generators.
  Executor(const CoreConfig& config, uint64_t seed);
  void set_memories(const MemView& mem) { mem_ = mem; }

  // Runs one instruction (nops: nothing). Adds to flops/dram_bytes like ref::RunStats.
  void execute(const isa::Instruction& inst);
  uint64_t flops() const { return flops_; }
  uint64_t dram_bytes() const { return dram_bytes_; }
  // Wall time spent in execute() (the numerics' share of a TLM run: tessera bench).
  double seconds() const { return seconds_; }

 private:
  void exec_matmul(const isa::Instruction& inst);
  void exec_activation(const isa::Instruction& inst);
  void exec_dve(const isa::Instruction& inst);
  void exec_dma(const isa::Instruction& inst);
  void exec_dma_span(const isa::Instruction& inst);

  uint8_t* onchip(isa::Space space, uint32_t partition, uint64_t offset) const;
  uint32_t load(const isa::Ap& ap, uint32_t partition, int64_t element) const;
  void load_floats(const isa::Ap& ap, uint32_t rows, const int64_t* off, size_t n, float* out) const;
  void store(const isa::Ap& ap, uint32_t partition, int64_t element, uint32_t f32,
             fp::Rounding rounding = fp::Rounding::kRne);
  uint32_t scalar_value(const isa::Scalar& s, uint32_t partition) const;

  MemView mem_;
  std::vector<fp::Xorshift32> lanes_;
  std::vector<float> stationary_;  // [k][m], widened (load_stationary's scratch)
  std::vector<float> stationary_t_;  // the same transposed, [m][k]: what the matmuls read
  std::vector<float> moving_, acc_, old_;  // a matmul pass's moving columns [k][n], its sums [m][n], a PSUM row
  uint32_t stationary_k_ = 0, stationary_m_ = 0;
  uint64_t flops_ = 0, dram_bytes_ = 0;
  double seconds_ = 0;
  // DMA: the DRAM side's bytes. Only the chunks marked in touched_ are used, each filled from
  // DRAM first, so the buffer is not zeroed: the pages of a large span that a strided pattern
  // skips are never touched (each run is a fresh process, where touching costs a page fault).
  std::unique_ptr<uint8_t[]> span_;
  size_t span_capacity_ = 0;
  std::vector<uint8_t> touched_;  // DMA: which chunks of span_ hold an element
  std::vector<uint32_t> transpose_block_;  // transpose: the source block, read before any write
  std::vector<uint8_t*> transpose_rows_;   // transpose: each destination partition's row
};

}  // namespace tessera::ref
