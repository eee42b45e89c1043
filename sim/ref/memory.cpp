#include "memory.hpp"

#include <algorithm>
#include <cstring>

namespace tessera::ref {

void Dram::read(uint64_t addr, void* dst, uint64_t n) const {
  auto* out = static_cast<uint8_t*>(dst);
  while (n) {
    const uint64_t page = addr >> kPageBits, off = addr & ((uint64_t{1} << kPageBits) - 1);
    const uint64_t chunk = std::min(n, (uint64_t{1} << kPageBits) - off);
    const auto it = pages_.find(page);
    if (it == pages_.end()) std::memset(out, 0, chunk);
    else std::memcpy(out, it->second.get() + off, chunk);
    out += chunk, addr += chunk, n -= chunk;
  }
}

void Dram::write(uint64_t addr, const void* src, uint64_t n) {
  const auto* in = static_cast<const uint8_t*>(src);
  while (n) {
    const uint64_t page = addr >> kPageBits, off = addr & ((uint64_t{1} << kPageBits) - 1);
    const uint64_t chunk = std::min(n, (uint64_t{1} << kPageBits) - off);
    auto& p = pages_[page];
    if (!p) p = std::make_unique<uint8_t[]>(uint64_t{1} << kPageBits);  // value-initialised: zeros
    std::memcpy(p.get() + off, in, chunk);
    in += chunk, addr += chunk, n -= chunk;
  }
}

}  // namespace tessera::ref
