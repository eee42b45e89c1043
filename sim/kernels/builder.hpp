// The kernel builder (SPEC section 4): kernels are written as a sequence of operations on
// tiles; the builder puts each on its engine and inserts the semaphores that the regions the
// operations read and write require (RAW, WAR, WAW). Kernels never place semaphores.
#pragma once

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/core_config.hpp"
#include "isa/program.hpp"

namespace tessera::kernels {

// An on-chip tile: partitions [part, part+parts) x `free` elements at byte `addr`, row-major.
struct Tile {
  isa::Space space = isa::Space::kSbuf;
  fp::Format dtype = fp::Format::kFp32;
  uint32_t part = 0, parts = 0;
  uint64_t addr = 0;
  uint32_t free = 0;

  // The pattern of the sub-tile [p0, p0+np) x [f0, f0+nf).
  isa::Ap ap(uint32_t p0, uint32_t np, uint32_t f0, uint32_t nf) const;
  isa::Ap ap() const { return ap(0, parts, 0, free); }
};

// The same elements in the opposite order: starts at the last element, every stride negated.
isa::Ap reversed(const isa::Ap& ap);

// A DRAM tensor, row-major.
struct DramTensor {
  std::string name;
  uint64_t addr = 0;
  fp::Format dtype = fp::Format::kFp32;
  std::vector<uint64_t> shape;

  uint64_t elem_bytes() const { return fp::info(dtype).bits / 8; }
  // Rows [r0, r0+nr) x columns [c0, c0+nc) of a 2-D tensor, row-major order.
  isa::Ap rows(uint64_t r0, uint64_t nr, uint64_t c0, uint64_t nc) const;
  // The same block read column by column (its transpose), for loads of A^T.
  isa::Ap cols(uint64_t r0, uint64_t nr, uint64_t c0, uint64_t nc) const;
};

class KernelBuilder {
 public:
  explicit KernelBuilder(const CoreConfig& config);

  const CoreConfig& config() const { return config_; }

  DramTensor dram_tensor(const std::string& name, fp::Format dtype, std::vector<uint64_t> shape, isa::TensorIo io);
  Tile sbuf_tile(fp::Format dtype, uint32_t parts, uint32_t free);  // InputError when SBUF is full
  // Bytes per partition still free for sbuf_tile().
  uint64_t sbuf_free() const {
    return sbuf_next_ < config_.sbuf_bytes_per_partition ? config_.sbuf_bytes_per_partition - sbuf_next_ : 0;
  }
  // Bytes per partition that sbuf_tile() takes for `bytes` of data (tiles start 64-byte aligned;
  // with set_bank_skew, up to kTileAlign more).
  static uint64_t tile_bytes(uint64_t bytes) { return (bytes + kTileAlign - 1) / kTileAlign * kTileAlign; }
  static constexpr uint64_t kTileAlign = 64;
  // Tiles of at least kSkewMinBytes per partition allocated from now on start at
  // 16 x (n mod (sbuf_banks / 4)) bytes past the 64-byte alignment, n counting the skewed tiles:
  // the SBUF interleaves its banks by word (docs/sbuf.md), so two operands an engine streams in
  // lockstep from equally aligned tiles would ask for the same bank in every cycle (an fp32
  // tensor_tensor then takes two cycles per element). Steps of 4 words, not 2: an engine writes
  // element k - 1 while it reads k + 1, 2 words further, so a destination 2 words past its
  // source would collide with it in every cycle. The offset stays 8-byte aligned (the DMA's
  // 8-byte units); small tiles are not skewed (their rows are short, and a skew can cost a
  // 64-byte slot: config tiny has 4 KiB per partition).
  void set_bank_skew(bool on) { bank_skew_ = on; }
  static constexpr uint64_t kSkewMinBytes = 1024;
  // Bytes per partition that sbuf_tile() would take, from now, for tiles of these sizes (bytes
  // per partition) allocated in this order (alignment and skew included).
  uint64_t sbuf_cost(std::initializer_list<uint64_t> sizes) const;
  Tile psum_bank(uint32_t parts, uint32_t free);                    // one whole fp32 bank

  void dma(const isa::Ap& dst, const isa::Ap& src, unsigned queue);
  // A transfer split by partitions: `parts` partitions in one range [p0, p0+np) per DMA queue
  // (at most `parts` ranges, and at most `queues` when given), for a transfer to be issued as
  // one dma() per range on next_dma_queue() (or on `queues` queues of the caller's): each queue
  // moves one element per cycle, so the pieces move in parallel.
  struct PartRange {
    uint32_t p0, np;
  };
  std::vector<PartRange> dma_pieces(uint32_t parts, uint32_t queues = 0) const;
  unsigned next_dma_queue() { return dma_rr_++ % static_cast<unsigned>(config_.dma_queues); }
  void load_stationary(const isa::Ap& src);
  // psum_dst = stationary^T . moving, emitted with both patterns reversed (reversed() below), so
  // the array streams the moving columns from the last to the first. The results are the same
  // (each column is computed on its own); the reason is the SBUF banks (docs/kernels.md, "Bank
  // convoys"): the DMA and the vector engine walk the SBUF upwards one word per cycle, the array
  // reads a bf16 moving word for two cycles, so an upward stream that runs into the array's bank
  // would follow it at half speed (the array has priority) for the rest of the matmul; walking
  // the other way, the two meet for a cycle or two once per lap.
  void multiply_moving(const isa::Ap& psum_dst, const isa::Ap& moving, bool accumulate);
  void tensor_copy(const isa::Ap& dst, const isa::Ap& src, bool stochastic = false);
  // dst[f][p] = src[p][f] for p < np, f < nf: src rows [0, np) at free offset sf of tile `s`,
  // dst rows [0, nf) at free offset df of tile `d`, in vector-engine transposes of at most
  // kTransposeBlock x kTransposeBlock (docs/isa.md).
  static constexpr uint32_t kTransposeBlock = 32;
  void transpose(const Tile& d, uint32_t df, const Tile& s, uint32_t sf, uint32_t np, uint32_t nf);

  // Emits an instruction built elsewhere (its operand regions are derived from its APs).
  void emit(const std::string& engine, isa::Instruction inst);

  // Resolves dependencies into waits and signals and returns the program.
  isa::Program finish();

 private:
  struct Region {
    isa::Space space;
    uint32_t part_lo, part_hi;  // DRAM: 0, 1
    int64_t lo, hi;             // bytes within the partition (on chip) or DRAM addresses
    bool overlaps(const Region& o) const;
  };
  struct Record {
    size_t engine;                 // index into engines_
    size_t index;                  // position in its queue
    std::vector<Region> reads, writes;
    std::vector<uint64_t> known;   // per engine: instructions known complete when this one issues
  };
  struct Wait {
    size_t queue, index;           // the waiting instruction (possibly an inserted nop)
    size_t producer;               // record index of the producer
  };

  size_t engine_index(const std::string& engine) const;
  static Region region_of(const isa::Ap& ap);

  CoreConfig config_;
  isa::Program program_;
  std::vector<std::string> engines_;
  std::vector<std::vector<size_t>> queue_records_;  // per engine: record index per queue slot (npos for nops)
  std::vector<Record> records_;
  std::vector<std::vector<uint64_t>> known_;        // per engine: what it knows complete so far
  std::vector<Wait> waits_;
  uint64_t dram_next_ = 0, sbuf_next_ = 0;
  bool bank_skew_ = false;
  uint64_t skewed_ = 0;  // tiles allocated with the skew
  // The start of a tile of `bytes` allocated at `next` with `skewed` skewed tiles before it.
  uint64_t tile_start(uint64_t next, uint64_t skewed, uint64_t bytes) const;
  uint32_t psum_next_bank_ = 0;
  unsigned dma_rr_ = 0;
};

// Stores of finished output tiles (PSUM bank -> SBUF staging tile by the vector engine, then to
// DRAM rows, split over the DMA queues), each emitted `depth` tiles late: push() emits the
// oldest pending store once `depth` are pending, so it lands after the next tiles' loads and
// matmuls. Every queue executes in order, so a store emitted right after its tile's matmuls
// would hold that queue's next loads until the tile is done, and the vector engine's next
// instructions until the tile's last matmul. The caller rotates at least depth + 1 PSUM banks
// and staging tiles; finish() emits the pending stores.
class DeferredStores {
 public:
  struct Store {
    const DramTensor* out;
    uint64_t r0, c0;         // DRAM rows [r0, r0+rows) x columns [c0, c0+cols)
    uint32_t rows, cols;
    Tile psum, staging;      // the PSUM bank and the SBUF tile it goes through
  };
  explicit DeferredStores(KernelBuilder& b, size_t depth = 1) : b_(b), depth_(depth) {
    if (depth < 1) throw std::logic_error("DeferredStores: depth must be at least 1");
  }
  void push(const Store& s) {
    while (pending_.size() >= depth_) emit_oldest();
    pending_.push_back(s);
  }
  void finish() {
    while (!pending_.empty()) emit_oldest();
  }

 private:
  void emit_oldest();
  KernelBuilder& b_;
  size_t depth_;
  std::deque<Store> pending_;
};

}  // namespace tessera::kernels
