#include "memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>

namespace tessera::ref {

ZeroedBytes::ZeroedBytes(uint64_t n, bool huge_pages) : size_(n), bytes_(nullptr, Unmap{n ? n : 1}) {
  constexpr uint64_t kHuge = uint64_t{1} << 21;
  if (huge_pages && n >= kHuge) {
    // Map a huge page more than asked, keep the 2 MiB-aligned n bytes, unmap the rest.
    void* p = mmap(nullptr, n + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    const auto lo = reinterpret_cast<uintptr_t>(p);
    const uintptr_t a = (lo + kHuge - 1) & ~(kHuge - 1);
    if (a > lo) munmap(p, a - lo);
    const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t end = (a + n + page - 1) & ~(page - 1);
    if (end < lo + n + kHuge) munmap(reinterpret_cast<void*>(end), lo + n + kHuge - end);
    madvise(reinterpret_cast<void*>(a), n, MADV_HUGEPAGE);  // advice: base pages if refused
    bytes_.reset(reinterpret_cast<uint8_t*>(a));
    return;
  }
  void* p = mmap(nullptr, n ? n : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  bytes_.reset(static_cast<uint8_t*>(p));
}

void ZeroedBytes::Unmap::operator()(uint8_t* p) const { munmap(p, bytes); }

void Dram::read(uint64_t addr, void* dst, uint64_t n) const {
  auto* out = static_cast<uint8_t*>(dst);
  while (n) {
    const uint64_t page = addr >> kPageBits, off = addr & ((uint64_t{1} << kPageBits) - 1);
    const uint64_t chunk = std::min(n, (uint64_t{1} << kPageBits) - off);
    const auto it = pages_.find(page);
    if (it == pages_.end()) std::memset(out, 0, chunk);
    else std::memcpy(out, it->second.data() + off, chunk);
    out += chunk, addr += chunk, n -= chunk;
  }
}

void Dram::write(uint64_t addr, const void* src, uint64_t n) {
  const auto* in = static_cast<const uint8_t*>(src);
  while (n) {
    const uint64_t off = addr & ((uint64_t{1} << kPageBits) - 1);
    const uint64_t chunk = std::min(n, (uint64_t{1} << kPageBits) - off);
    std::memcpy(page(addr).data + off, in, chunk);  // mapped when first written
    in += chunk, addr += chunk, n -= chunk;
  }
}

Dram::Page Dram::page(uint64_t addr) {
  const uint64_t page = addr >> kPageBits, base = page << kPageBits;
  ZeroedBytes& p = pages_.try_emplace(page, uint64_t{1} << kPageBits, true).first->second;
  return {base, std::min<uint64_t>(uint64_t{1} << kPageBits, size_ > base ? size_ - base : 0), p.data()};
}

uint8_t* Dram::direct(uint64_t addr, uint64_t n) {
  if (n == 0 || addr >> kPageBits != (addr + n - 1) >> kPageBits || addr + n > size_) return nullptr;
  return page(addr).data + (addr & ((uint64_t{1} << kPageBits) - 1));
}

}  // namespace tessera::ref
