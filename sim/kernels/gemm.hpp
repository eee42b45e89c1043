// gemm: C[M,N] = A[M,K] . B[K,N] (SPEC section 8), fp32 or bf16 output.
#pragma once

#include <cstdint>

#include "config/core_config.hpp"
#include "isa/program.hpp"

namespace tessera::kernels {

struct GemmShape {
  uint64_t m, n, k;
};

// DRAM tensors: a [M,K] and b [K,N] in `dtype`, c [M,N] in `out`: fp32, or bf16 (the fp32 PSUM
// sums rounded to nearest even on their way out of PSUM, the output of NKI's and PyTorch's
// bf16 matmuls). K is split into consecutive chunks of `rows`, accumulated in PSUM in
// increasing order; M is tiled by `cols` and N by the moving max N (one PSUM bank). A^T
// reaches the array through the vector engine's 32 x 32 transposes (docs/kernels.md "gemm").
isa::Program build_gemm(const CoreConfig& config, GemmShape shape, fp::Format dtype,
                        fp::Format out = fp::Format::kFp32);

}  // namespace tessera::kernels

#include "check.hpp"
#include "host_tensor.hpp"

namespace tessera::kernels {

// c against C computed in double from the same a and b. Error bound per element (docs/kernels.md):
// |c - C| <= E = g(K+1) * sum_k |a_mk b_kn| + K * 2^-149 with g(n) = n u / (1 - n u), u = 2^-24,
// for an fp32 c; a bf16 c adds its rounding: E + 2^-8 (|C| + E) + 2^-134.
Check check_gemm(const HostTensor& a, const HostTensor& b, const HostTensor& c);

}  // namespace tessera::kernels
