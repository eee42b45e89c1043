// Byte-addressed memories of the reference model: sparse DRAM and the on-chip SBUF/PSUM.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace tessera::ref {

// A zero-filled byte array mapped from the OS (anonymous mmap): its pages are mapped, zeroed,
// on first touch, so a trn1 SBUF (24 MiB) or a 1 MiB DRAM page costs only what a run touches.
// (calloc did not guarantee it: once glibc raises its mmap threshold, a block of that size
// comes from the heap and is cleared with memset, touching every page.)
//
// `huge_pages`: for arrays a run fills densely (a DRAM page, PSUM), the mapping is aligned to
// 2 MiB and advised as transparent huge pages (MADV_HUGEPAGE; the host's THP setting decides,
// base pages otherwise). Each first touch then maps 2 MiB at once: on the trn1 speed gemm the
// TLM run takes about 8% less time than with 4 KiB faults (docs/bench.md). Not for the SBUF,
// whose partitions a kernel uses sparsely (its huge pages would clear the whole 24 MiB).
class ZeroedBytes {
 public:
  explicit ZeroedBytes(uint64_t n, bool huge_pages = false);
  uint8_t* data() { return bytes_.get(); }
  const uint8_t* data() const { return bytes_.get(); }
  uint64_t size() const { return size_; }

 private:
  struct Unmap {
    uint64_t bytes;
    void operator()(uint8_t* p) const;
  };
  uint64_t size_;
  std::unique_ptr<uint8_t, Unmap> bytes_;
};

// DRAM as lazily allocated 2 MiB pages, so that a 16 GiB trn1 DRAM costs only what is touched.
// Unwritten bytes read as zero. Callers bounds-check against the configured size.
class Dram {
 public:
  explicit Dram(uint64_t size) : size_(size) {}
  uint64_t size() const { return size_; }
  void read(uint64_t addr, void* dst, uint64_t n) const;
  void write(uint64_t addr, const void* src, uint64_t n);
  // The page holding `addr` (mapped now if untouched): its first address, its size (the
  // configured size may end it early) and its bytes. Pages never move or go away while the Dram
  // lives, so callers may keep the pointer (the TLM DRAM grants it as DMI).
  struct Page {
    uint64_t base, size;
    uint8_t* data;
  };
  Page page(uint64_t addr);
  // The n bytes at addr, in place, when they lie in one page; otherwise null.
  uint8_t* direct(uint64_t addr, uint64_t n);

 private:
  static constexpr unsigned kPageBits = 21;
  uint64_t size_;
  std::unordered_map<uint64_t, ZeroedBytes> pages_;  // mapped: a page's untouched parts cost nothing
};

// Functional (untimed) DRAM access: a ref::Dram (DramPort), the TLM DRAM through its socket,
// or the AXI DRAM model's backing store.
class DramAccess {
 public:
  virtual ~DramAccess() = default;
  virtual void read(uint64_t addr, void* dst, uint64_t n) = 0;
  virtual void write(uint64_t addr, const void* src, uint64_t n) = 0;
  // The n bytes at addr in place (reads and writes through the pointer are accesses), or null
  // where the memory offers no such pointer for them: callers then use read() and write().
  virtual uint8_t* direct(uint64_t, uint64_t) { return nullptr; }
};

class DramPort : public DramAccess {
 public:
  explicit DramPort(Dram& dram) : dram_(dram) {}
  void read(uint64_t addr, void* dst, uint64_t n) override { dram_.read(addr, dst, n); }
  void write(uint64_t addr, const void* src, uint64_t n) override { dram_.write(addr, src, n); }
  uint8_t* direct(uint64_t addr, uint64_t n) override { return dram_.direct(addr, n); }

 private:
  Dram& dram_;
};

}  // namespace tessera::ref
