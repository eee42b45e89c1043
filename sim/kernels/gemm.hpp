// gemm: C[M,N] = A[M,K] . B[K,N] (SPEC section 8), fp32 output.
#pragma once

#include <cstdint>

#include "config/core_config.hpp"
#include "isa/program.hpp"

namespace tessera::kernels {

struct GemmShape {
  uint64_t m, n, k;
};

// DRAM tensors: a [M,K] and b [K,N] in `dtype`, c [M,N] fp32. K is split into consecutive
// chunks of `rows`, accumulated in PSUM in increasing order; M is tiled by `cols` and N by
// the moving max N (one PSUM bank). A^T reaches the array through a transposing DMA.
isa::Program build_gemm(const CoreConfig& config, GemmShape shape, fp::Format dtype);

}  // namespace tessera::kernels

#include "check.hpp"
#include "host_tensor.hpp"

namespace tessera::kernels {

// c against C computed in double from the same a and b. Error bound per element (docs/kernels.md):
// |c - C| <= g(K+1) * sum_k |a_mk b_kn| + K * 2^-149 with g(n) = n u / (1 - n u), u = 2^-24.
Check check_gemm(const HostTensor& a, const HostTensor& b, const HostTensor& c);

}  // namespace tessera::kernels
