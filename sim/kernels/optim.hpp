// Optimizer updates on fp32 master weights (SPEC section 9): adamw and sgd_momentum.
#pragma once

#include <cstdint>
#include <functional>

#include "config/core_config.hpp"
#include "isa/program.hpp"
#include "registry.hpp"
#include "train_util.hpp"

namespace tessera::kernels {

struct AdamwParams {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.01;
  uint64_t step = 1;
  bool bf16_copy = false;  // also write p_bf16, p rounded to bf16 stochastically
};

// Tensors p, m, v (inout, fp32), g (in, fp32), all [N] (flattened parameters), and with
// bf16_copy p_bf16 [N] (out, bf16, stochastic rounding). The N elements are spread over the
// partitions (rows x f tiles). Per tile (docs/kernels.md has the error bound):
//   act  gs = identity(g * (1 - b1))            dve  m  = m * b1;  m = m + gs
//   act  g2 = square(g)                          dve  t = g2 * (1 - b2); v = v * b2; v = v + t
//   act  r  = rsqrt(v * (1 / bc2))               act  s = reciprocal(r)      (= sqrt(v / bc2))
//   dve  s  = s + eps                            act  q = reciprocal(s)
//   dve  q  = q * m;  q = q * alpha              dve  p = p * (1 - lr wd);  p = p - q
//   dve  p_bf16 = tensor_copy(p, sr)
// with bc1 = 1 - b1^t, bc2 = 1 - b2^t, alpha = lr / bc1; every constant computed in double on
// the host and rounded once to fp32.
isa::Program build_adamw(const CoreConfig& config, uint64_t n, const AdamwParams& params);

// The fp32 constants above (computed in double, rounded once).
struct AdamwConsts {
  float b1, omb1, b2, omb2, inv_bc2, alpha, decay, eps;
};
AdamwConsts adamw_consts(const AdamwParams& params);
// The update sequence above on equally shaped fp32 patterns: p, m, v (updated in place), g
// (SBUF or PSUM; read only), t, u, q temporaries. after_m / after_v run right after m' / v'
// are complete (e.g. to store them while the rest proceeds). It is the two stages below, one
// after the other; a caller with several tiles may run a tile's moments before the previous
// tile's step, so that each engine has the other tile's work while it waits.
void emit_adamw_update(KernelBuilder& b, const AdamwConsts& k, const isa::Ap& p, const isa::Ap& m, const isa::Ap& v,
                       const isa::Ap& g, const isa::Ap& t, const isa::Ap& u, const isa::Ap& q,
                       const std::function<void()>& after_m = {}, const std::function<void()>& after_v = {});
// Stage 1: m' and v' from g (t, u temporaries); `scaled`: m and v already hold b1 m and b2 v
// (emit_adamw_scale_moments, run earlier).
void emit_adamw_moments(KernelBuilder& b, const AdamwConsts& k, const isa::Ap& m, const isa::Ap& v, const isa::Ap& g,
                        const isa::Ap& t, const isa::Ap& u, const std::function<void()>& after_m = {},
                        const std::function<void()>& after_v = {}, bool scaled = false);
// Stage 2: p' from p, m' and v' (q temporary); `decayed`: p already holds p (1 - lr wd)
// (emit_adamw_decay, run earlier).
void emit_adamw_step(KernelBuilder& b, const AdamwConsts& k, const isa::Ap& p, const isa::Ap& m, const isa::Ap& v,
                     const isa::Ap& q, bool decayed = false);
// The update's steps that do not need g, on the activation engine (an identity with bias -0:
// the same fp32 products as in the stages above), for a kernel that can run them before g is
// known: m = b1 m, v = b2 v; p = p (1 - lr wd).
void emit_adamw_scale_moments(KernelBuilder& b, const AdamwConsts& k, const isa::Ap& m, const isa::Ap& v);
void emit_adamw_decay(KernelBuilder& b, const AdamwConsts& k, const isa::Ap& p);
Reference reference_adamw(const Tensors& inputs, const Tensors& outputs, const AdamwParams& params);
// One element of it with a gradient that carries an error (Ev; e.g. computed on chip).
struct AdamwElementRef {
  Ev p, m, v;
};
AdamwElementRef adamw_element_reference(double p, double m, double v, Ev g, const AdamwParams& params);

struct SgdParams {
  double lr = 0.01, momentum = 0.9;
  bool bf16_copy = false;
};
// PyTorch SGD with momentum (dampening 0, no weight decay): buf = mu buf + g; p = p - lr buf.
// Tensors p, buf (inout), g (in), all fp32 [N]; optional p_bf16 as for adamw. Per tile:
//   dve  buf = buf * mu;  buf = buf + g;  q = buf * lr;  p = p - q;  [p_bf16 = copy(p, sr)]
isa::Program build_sgd_momentum(const CoreConfig& config, uint64_t n, const SgdParams& params);
Reference reference_sgd_momentum(const Tensors& inputs, const Tensors& outputs, const SgdParams& params);

// p_bf16 against the kernel's own fp32 p: it must be one of the two bf16 values bracketing p
// (stochastic rounding never moves further): |p_bf16 - p| < the bf16 spacing at p.
std::vector<Ev> reference_sr_copy(const HostTensor& p);

}  // namespace tessera::kernels
