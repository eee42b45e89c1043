// layernorm forward/backward and rmsnorm (SPEC section 9), over the last dimension.
#pragma once

#include <cstdint>

#include "config/core_config.hpp"
#include "isa/program.hpp"
#include "registry.hpp"
#include "train_util.hpp"

namespace tessera::kernels {

// Layout of all three: rows m on partitions, a whole row of N along the free dimension (N is
// bounded by the SBUF; InputError naming --n otherwise); gamma and beta are loaded once,
// broadcast to every partition by a stride-0 DMA. Per-row statistics are columns.

// x [M,N], gamma [N], beta [N] -> y [M,N], mean [M], rstd [M] (fp32).
//   dve sum = reduce_add(x); nmean = sum * (-1/N)
//   act xc = identity(x + nmean); act sq = square(xc) with reduce -> ssq
//   dve var = ssq * (1/N) + eps; act rstd = rsqrt(var)
//   act y = identity(xc * rstd); dve y = y * gamma; y = y + beta; mean = nmean * -1
isa::Program build_layernorm(const CoreConfig& config, uint64_t m, uint64_t n, double eps);
Reference reference_layernorm(const Tensors& inputs, double eps);

// dy, x [M,N], mean, rstd [M], gamma [N] -> dx [M,N], dgamma [N], dbeta [N]:
//   xhat = (x - mean) rstd; g = dy gamma; dx = rstd (g - mean_n(g) - xhat mean_n(g xhat));
//   dgamma = sum_m dy xhat; dbeta = sum_m dy.
// Row sums along the free dimension (dve); column sums over rows (partitions) by the tensor
// engine with a ones stationary ([rows,1]) into PSUM, added into SBUF accumulators per row tile.
isa::Program build_layernorm_bwd(const CoreConfig& config, uint64_t m, uint64_t n);
// mean and rstd from x (in double, rounded to fp32) so the gradient is that of a real forward.
void prepare_layernorm_bwd(Tensors& inputs, double eps);
Reference reference_layernorm_bwd(const Tensors& inputs);

// x [M,N], gamma [N] -> y = x rsqrt(mean(x^2) + eps) gamma [M,N], rstd [M].
//   act sq = square(x) with reduce -> ssq; dve ms = ssq * (1/N) + eps; act r = rsqrt(ms)
//   act y = identity(x * r); dve y = y * gamma
isa::Program build_rmsnorm(const CoreConfig& config, uint64_t m, uint64_t n, double eps);
Reference reference_rmsnorm(const Tensors& inputs, double eps);

}  // namespace tessera::kernels
