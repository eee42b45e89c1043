// Byte-addressed memories of the reference model: sparse DRAM and the on-chip SBUF/PSUM.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <unordered_map>
#include <vector>

namespace tessera::ref {

// A zero-filled byte array from calloc: the C library takes large blocks zeroed from the OS,
// whose pages are mapped on first touch, so a trn1 SBUF (24 MiB) costs only what a run uses.
class ZeroedBytes {
 public:
  explicit ZeroedBytes(uint64_t n) : size_(n), bytes_(static_cast<uint8_t*>(std::calloc(n ? n : 1, 1))) {
    if (!bytes_) throw std::bad_alloc();
  }
  uint8_t* data() { return bytes_.get(); }
  const uint8_t* data() const { return bytes_.get(); }
  uint64_t size() const { return size_; }

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  uint64_t size_;
  std::unique_ptr<uint8_t, Free> bytes_;
};

// DRAM as lazily allocated 1 MiB pages, so that a 16 GiB trn1 DRAM costs only what is touched.
// Unwritten bytes read as zero. Callers bounds-check against the configured size.
class Dram {
 public:
  explicit Dram(uint64_t size) : size_(size) {}
  uint64_t size() const { return size_; }
  void read(uint64_t addr, void* dst, uint64_t n) const;
  void write(uint64_t addr, const void* src, uint64_t n);

 private:
  static constexpr unsigned kPageBits = 20;
  uint64_t size_;
  std::unordered_map<uint64_t, std::unique_ptr<uint8_t[]>> pages_;
};

// Functional (untimed) DRAM access: a ref::Dram (DramPort), the TLM DRAM through its socket,
// or the AXI DRAM model's backing store.
class DramAccess {
 public:
  virtual ~DramAccess() = default;
  virtual void read(uint64_t addr, void* dst, uint64_t n) = 0;
  virtual void write(uint64_t addr, const void* src, uint64_t n) = 0;
};

class DramPort : public DramAccess {
 public:
  explicit DramPort(Dram& dram) : dram_(dram) {}
  void read(uint64_t addr, void* dst, uint64_t n) override { dram_.read(addr, dst, n); }
  void write(uint64_t addr, const void* src, uint64_t n) override { dram_.write(addr, src, n); }

 private:
  Dram& dram_;
};

}  // namespace tessera::ref
