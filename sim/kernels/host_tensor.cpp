#include "host_tensor.hpp"

#include <fmt/format.h>

#include <cstring>

#include "common/errors.hpp"

namespace tessera::kernels {

namespace {
unsigned code_bytes(fp::Format f) { return fp::info(f).bits / 8; }

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
}  // namespace

uint64_t HostTensor::elements() const {
  uint64_t n = 1;
  for (uint64_t d : shape) n *= d;
  return n;
}

uint32_t HostTensor::code(uint64_t i) const {
  uint32_t c = 0;
  std::memcpy(&c, bytes.data() + i * code_bytes(dtype), code_bytes(dtype));
  return c;
}

void HostTensor::set_code(uint64_t i, uint32_t c) { std::memcpy(bytes.data() + i * code_bytes(dtype), &c, code_bytes(dtype)); }

io::NpyDtype storage_dtype(fp::Format f) {
  switch (f) {
    case fp::Format::kFp32: return io::NpyDtype::kF4;
    case fp::Format::kFp16: return io::NpyDtype::kF2;
    case fp::Format::kBf16: return io::NpyDtype::kU2;
    case fp::Format::kE4m3:
    case fp::Format::kE5m2: return io::NpyDtype::kU1;
  }
  throw std::logic_error("format");
}

HostTensor from_npy(const io::NpyArray& a, fp::Format dtype, const std::string& what) {
  HostTensor t{dtype, a.shape, {}};
  const uint64_t n = a.count();
  if (a.dtype == storage_dtype(dtype)) {
    t.bytes = a.data;
  } else if (a.dtype == io::NpyDtype::kF4) {
    t.bytes.assign(n * code_bytes(dtype), 0);
    for (uint64_t i = 0; i < n; ++i) {
      uint32_t f;
      std::memcpy(&f, a.data.data() + 4 * i, 4);
      t.set_code(i, fp::narrow(dtype, f));
    }
  } else {
    throw InputError(fmt::format("{} is {}; a {} input takes '<f4' (cast with RNE) or '{}' ({} codes)", what,
                                 io::descr(a.dtype), fp::info(dtype).name, io::descr(storage_dtype(dtype)),
                                 fp::info(dtype).name));
  }
  return t;
}

io::NpyArray to_npy(const HostTensor& t) { return io::NpyArray{storage_dtype(t.dtype), t.shape, t.bytes}; }

HostTensor random_tensor(fp::Format dtype, std::vector<uint64_t> shape, uint64_t seed, const std::string& name) {
  uint64_t state = seed;
  for (char c : name) state = (state ^ static_cast<uint8_t>(c)) * 0x100000001B3ull;
  HostTensor t{dtype, std::move(shape), {}};
  t.bytes.assign(t.elements() * code_bytes(dtype), 0);
  for (uint64_t i = 0; i < t.elements(); ++i) {
    const auto u = static_cast<int32_t>(splitmix64(state) >> 40) - (1 << 23);  // [-2^23, 2^23)
    const uint32_t f = fp::bits_of(static_cast<float>(u) * 0x1p-23f);           // exact
    t.set_code(i, dtype == fp::Format::kFp32 ? f : fp::narrow(dtype, f));
  }
  return t;
}

std::string shape_text(const std::vector<uint64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

}  // namespace tessera::kernels
