// NumPy .npy files: the tensor format of `--in NAME=FILE.npy` and of outputs (SPEC section 7).
// Only the dtypes Tessera exchanges are supported: '<f4', '<f2', '<u2' (bf16 bits), '<u1' or
// '|u1' (fp8 bits), '<i4' and '<i8' (labels); little-endian, C order, format versions 1.0 to 3.0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::io {

enum class NpyDtype { kF4, kF2, kU2, kU1, kI4, kI8 };

// The descr string the writer uses: "<f4", "<f2", "<u2", "|u1", "<i4", "<i8".
std::string_view descr(NpyDtype dtype);
// Bytes per element.
size_t itemsize(NpyDtype dtype);

struct NpyArray {
  NpyDtype dtype = NpyDtype::kF4;
  std::vector<uint64_t> shape;  // C order; empty = 0-d scalar
  std::vector<uint8_t> data;    // raw little-endian bytes, C order, size == count() * itemsize
  uint64_t count() const;       // product of shape (1 for 0-d, 0 when a dimension is 0)
};

// Reads and validates `path`. Any malformed, truncated or unsupported file is an InputError
// "<path>: <reason>"; the data buffer is allocated only once its size is known to match the file.
NpyArray read_npy(const std::string& path);

// Writes `a` as a version 1.0 file (2.0 if the header would not fit), with numpy's header layout
// and 64-byte alignment. Throws InputError "cannot write <path>: <reason>" on I/O failure (the
// partial file is removed) and std::invalid_argument if a.data does not match a.shape.
void write_npy(const std::string& path, const NpyArray& a);

}  // namespace tessera::io
