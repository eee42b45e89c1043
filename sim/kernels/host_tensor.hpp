// Tensors on the host side of a run: codes of one format in row-major order, and their
// exchange with .npy files (SPEC section 7, docs/kernels.md "Tensor files").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/npy.hpp"
#include "numerics/fp.hpp"

namespace tessera::kernels {

struct HostTensor {
  fp::Format dtype = fp::Format::kFp32;
  std::vector<uint64_t> shape;
  std::vector<uint8_t> bytes;  // little-endian codes

  uint64_t elements() const;
  uint32_t code(uint64_t i) const;
  float value(uint64_t i) const { return fp::float_of(dtype == fp::Format::kFp32 ? code(i) : fp::widen(dtype, code(i))); }
  void set_code(uint64_t i, uint32_t code);
};

// The .npy storage of a format: fp32 '<f4', fp16 '<f2', bf16 '<u2' (raw bits), fp8 '|u1' (raw bits).
io::NpyDtype storage_dtype(fp::Format f);

// An input from a .npy file: '<f4' is cast to `dtype` with RNE; the format's own storage
// dtype is taken as codes. Anything else is an InputError naming `what`.
HostTensor from_npy(const io::NpyArray& a, fp::Format dtype, const std::string& what);
io::NpyArray to_npy(const HostTensor& t);

// Reproducible uniform values in [-1, 1) (multiples of 2^-23), rounded to `dtype` with RNE;
// the stream depends on the seed and the tensor's name only.
HostTensor random_tensor(fp::Format dtype, std::vector<uint64_t> shape, uint64_t seed, const std::string& name);

std::string shape_text(const std::vector<uint64_t>& shape);

}  // namespace tessera::kernels
