#include "registry.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "bias_gelu.hpp"
#include "common/errors.hpp"
#include "gemm.hpp"
#include "layernorm.hpp"
#include "linear_bwd.hpp"
#include "mlp_step.hpp"
#include "optim.hpp"
#include "softmax_xent.hpp"
#include "train_util.hpp"

namespace tessera::kernels {

namespace {

const std::vector<std::string> kMatmulDtypes = {"bf16", "fp32", "fp16", "e4m3", "e5m2"};
const std::vector<std::string> kFp32Only = {"fp32"};

KernelFlag size_flag(const std::string& name, const std::string& help, double def = 64) { return {name, help, def, true}; }

// A real-valued flag in [lo, hi] (open ends when `open`), else InputError naming it.
double real_flag(const FlagValues& f, const std::string& name, double lo, double hi, bool open_lo = false,
                 bool open_hi = false) {
  const double v = flag(f, name);
  const bool ok = std::isfinite(v) && (open_lo ? v > lo : v >= lo) && (open_hi ? v < hi : v <= hi);
  if (!ok)
    throw InputError(fmt::format("--{} must be in {}{}, {}{}, not {}", name, open_lo ? "(" : "[", lo, hi,
                                 open_hi ? ")" : "]", v));
  return v;
}

bool bool_flag(const FlagValues& f, const std::string& name) {
  const double v = flag(f, name);
  if (v != 0 && v != 1) throw InputError(fmt::format("--{} must be 0 or 1, not {}", name, v));
  return v == 1;
}

std::string gamma_text() { return "running error analysis of the instruction sequence (docs/kernels.md)"; }

AdamwParams adamw_params(const FlagValues& f) {
  AdamwParams p;
  p.lr = real_flag(f, "lr", 0, 1e6);
  p.beta1 = real_flag(f, "beta1", 0, 1, false, true);
  p.beta2 = real_flag(f, "beta2", 0, 1, false, true);
  p.eps = real_flag(f, "eps", 0, 1e6, true);
  p.weight_decay = real_flag(f, "weight-decay", 0, 1e6);
  p.step = iflag(f, "step");
  p.bf16_copy = bool_flag(f, "bf16-copy");
  if (1 - std::pow(p.beta2, static_cast<double>(p.step)) < 0x1p-100 ||
      1 - std::pow(p.beta1, static_cast<double>(p.step)) < 0x1p-100)
    throw InputError("--step: the bias corrections 1 - beta^step vanish");
  return p;
}

SgdParams sgd_params(const FlagValues& f) {
  SgdParams p;
  p.lr = real_flag(f, "lr", 0, 1e6);
  p.momentum = real_flag(f, "momentum", 0, 1);
  p.bf16_copy = bool_flag(f, "bf16-copy");
  return p;
}

MlpShape mlp_shape(const FlagValues& f) {
  return MlpShape{iflag(f, "batch"), iflag(f, "in-features"), iflag(f, "hidden"), iflag(f, "classes"),
                  iflag(f, "micro-batch")};
}

MlpStepParams mlp_params(const FlagValues& f) {
  MlpStepParams p;
  p.sgd = bool_flag(f, "sgd");
  p.h.lr = real_flag(f, "lr", 0, 1e6);
  p.h.beta1 = real_flag(f, "beta1", 0, 1, false, true);
  p.h.beta2 = real_flag(f, "beta2", 0, 1, false, true);
  p.h.eps = real_flag(f, "eps", 0, 1e6, true);
  p.h.weight_decay = real_flag(f, "weight-decay", 0, 1e6);
  p.h.step = iflag(f, "step");
  if (!p.sgd && (1 - std::pow(p.h.beta2, static_cast<double>(p.h.step)) < 0x1p-100 ||
                 1 - std::pow(p.h.beta1, static_cast<double>(p.h.step)) < 0x1p-100))
    throw InputError("--step: the bias corrections 1 - beta^step vanish");
  return p;
}

std::vector<KernelSpec> make_registry() {
  std::vector<KernelSpec> r;
  {
    KernelSpec k;
    k.name = "gemm";
    k.summary = "C[M,N] = A[M,K] . B[K,N]; inputs a, b (dtype); output c (fp32, or bf16 with --bf16-out 1)";
    k.flags = {size_flag("m", "rows of A and C"), size_flag("n", "columns of B and C"), size_flag("k", "contraction size"),
               {"bf16-out", "1: c in bf16 (the fp32 sums rounded to nearest even), 0: fp32", 0, false}};
    k.dtypes = kMatmulDtypes;
    k.build = [](const CoreConfig& c, const FlagValues& f, fp::Format dt) {
      return build_gemm(c, GemmShape{iflag(f, "m"), iflag(f, "n"), iflag(f, "k")}, dt,
                        bool_flag(f, "bf16-out") ? fp::Format::kBf16 : fp::Format::kFp32);
    };
    k.check = [](const Tensors& in, const Tensors& out, const FlagValues&) {
      return check_gemm(in.at("a"), in.at("b"), out.at("c"));
    };
    r.push_back(std::move(k));
  }
  {
    KernelSpec k;
    k.name = "linear_bwd";
    k.summary = "dX = dY.W [M,K], dW = dY^T.X [N,K] (fp32); inputs dy [M,N], w [N,K], x [M,K] (dtype)";
    k.flags = {size_flag("m", "rows of dY and X (batch)"), size_flag("n", "out features"), size_flag("k", "in features")};
    k.dtypes = kMatmulDtypes;
    k.build = [](const CoreConfig& c, const FlagValues& f, fp::Format dt) {
      return build_linear_bwd(c, LinearBwdShape{iflag(f, "m"), iflag(f, "n"), iflag(f, "k")}, dt);
    };
    k.check = [](const Tensors& in, const Tensors& out, const FlagValues&) {
      return compare(out, reference_linear_bwd(in), "|c - C| <= g(L+1) sum|products| + L 2^-149, L = contraction");
    };
    r.push_back(std::move(k));
  }
  {
    KernelSpec k;
    k.name = "bias_gelu";
    k.summary = "y = gelu_tanh(x + b); inputs x [M,N], b [N]; output y [M,N] (fp32)";
    k.flags = {size_flag("m", "rows"), size_flag("n", "features (the bias length)")};
    k.dtypes = kFp32Only;
    k.build = [](const CoreConfig& c, const FlagValues& f, fp::Format) {
      return build_bias_gelu(c, iflag(f, "m"), iflag(f, "n"));
    };
    k.check = [](const Tensors& in, const Tensors& out, const FlagValues&) {
      return compare(out, reference_bias_gelu(in), gamma_text());
    };
    r.push_back(std::move(k));
  }
  {
    KernelSpec k;
    k.name = "bias_gelu_bwd";
    k.summary = "dx = dy * gelu_tanh'(x + b), db = sum_m dx; inputs dy, x [M,N], b [N] (fp32)";
    k.flags = {size_flag("m", "rows"), size_flag("n", "features (the bias length)")};
    k.dtypes = kFp32Only;
    k.build = [](const CoreConfig& c, const FlagValues& f, fp::Format) {
      return build_bias_gelu_bwd(c, iflag(f, "m"), iflag(f, "n"));
    };
    k.check = [](const Tensors& in, const Tensors& out, const FlagValues&) {
      return compare(out, reference_bias_gelu_bwd(in), gamma_text());
    };
    r.push_back(std::move(k));
  }
  {
    KernelSpec k;
    k.name = "softmax_xent";
    k.summary = "loss = mean cross-entropy, dlogits = (softmax - onehot)/B; inputs logits, onehot [B,C] (fp32)";
    k.flags = {size_flag("b", "batch (rows)"), size_flag("c", "classes", 32)};
    k.dtypes = kFp32Only;
    k.build = [](const CoreConfig& c, const FlagValues& f, fp::Format) {
      return build_softmax_xent(c, iflag(f, "b"), iflag(f, "c"));
    };
    k.prepare = [](Tensors& in, const FlagValues&, uint64_t seed) { prepare_softmax_xent(in, seed); };
    k.check = [](const Tensors& in, const Tensors& out, const FlagValues&) {
      return compare(out, reference_softmax_xent(in), gamma_text());
    };
    r.push_back(std::move(k));
  }
  {
    KernelSpec k;
    k.name = "layernorm";
    k.summary = "y = (x - mean) rstd gamma + beta over the last dim; inputs x [M,N], gamma, beta [N]; outputs y, mean, rstd";
    k.flags = {size_flag("m", "rows"), size_flag("n", "normalized size", 32), {"eps", "added to the variance", 1e-5, false}};
    k.dtypes = kFp32Only;
    k.build = [](const CoreConfig& c, const FlagValues& f, fp::Format) {
      return build_layernorm(c, iflag(f, "m"), iflag(f, "n"), real_flag(f, "eps", 0, 1e6, true));
    };
    k.check = [](const Tensors& in, const Tensors& out, const FlagValues& f) {
      return compare(out, reference_layernorm(in, flag(f, "eps")), gamma_text());
    };
    r.push_back(std::move(k));
  }
  {
    KernelSpec k;
    k.name = "layernorm_bwd";
    k.summary = "dx, dgamma, dbeta of layernorm; inputs dy, x [M,N], mean, rstd [M], gamma [N] (fp32)";
    k.flags = {size_flag("m", "rows"), size_flag("n", "normalized size", 32),
               {"eps", "eps of the forward (random inputs: mean and rstd are computed from x)", 1e-5, false}};
    k.dtypes = kFp32Only;
    k.build = [](const CoreConfig& c, const FlagValues& f, fp::Format) {
      real_flag(f, "eps", 0, 1e6, true);
      return build_layernorm_bwd(c, iflag(f, "m"), iflag(f, "n"));
    };
    k.prepare = [](Tensors& in, const FlagValues& f, uint64_t) { prepare_layernorm_bwd(in, flag(f, "eps")); };
    k.check = [](const Tensors& in, const Tensors& out, const FlagValues&) {
      return compare(out, reference_layernorm_bwd(in), gamma_text());
    };
    r.push_back(std::move(k));
  }
  {
    KernelSpec k;
    k.name = "rmsnorm";
    k.summary = "y = x rsqrt(mean(x^2) + eps) gamma; inputs x [M,N], gamma [N]; outputs y, rstd";
    k.flags = {size_flag("m", "rows"), size_flag("n", "normalized size", 32), {"eps", "added to mean(x^2)", 1e-5, false}};
    k.dtypes = kFp32Only;
    k.build = [](const CoreConfig& c, const FlagValues& f, fp::Format) {
      return build_rmsnorm(c, iflag(f, "m"), iflag(f, "n"), real_flag(f, "eps", 0, 1e6, true));
    };
    k.check = [](const Tensors& in, const Tensors& out, const FlagValues& f) {
      return compare(out, reference_rmsnorm(in, flag(f, "eps")), gamma_text());
    };
    r.push_back(std::move(k));
  }
  {
    KernelSpec k;
    k.name = "adamw";
    k.summary = "PyTorch AdamW step on fp32 p, m, v (inout) with gradient g [N]; optional bf16 copy of p (SR)";
    k.flags = {size_flag("n", "parameters", 4096),
               {"lr", "learning rate", 1e-3, false},
               {"beta1", "first-moment decay", 0.9, false},
               {"beta2", "second-moment decay", 0.999, false},
               {"eps", "added to sqrt(v_hat)", 1e-8, false},
               {"weight-decay", "decoupled weight decay", 0.01, false},
               {"step", "step number t (bias corrections)", 1, true},
               {"bf16-copy", "1: also write p_bf16 (stochastic rounding)", 0, false}};
    k.dtypes = kFp32Only;
    k.build = [](const CoreConfig& c, const FlagValues& f, fp::Format) {
      return build_adamw(c, iflag(f, "n"), adamw_params(f));
    };
    k.prepare = [](Tensors& in, const FlagValues&, uint64_t) {
      HostTensor& v = in.at("v");  // second moments are non-negative
      for (uint64_t i = 0; i < v.elements(); ++i) v.set_code(i, v.code(i) & 0x7FFFFFFFu);
    };
    k.check = [](const Tensors& in, const Tensors& out, const FlagValues& f) {
      return compare(out, reference_adamw(in, out, adamw_params(f)), gamma_text());
    };
    r.push_back(std::move(k));
  }
  {
    KernelSpec k;
    k.name = "sgd_momentum";
    k.summary = "SGD with momentum: buf = mu buf + g; p -= lr buf (fp32 p, buf inout, g [N]); optional bf16 copy (SR)";
    k.flags = {size_flag("n", "parameters", 4096),
               {"lr", "learning rate", 0.01, false},
               {"momentum", "momentum mu", 0.9, false},
               {"bf16-copy", "1: also write p_bf16 (stochastic rounding)", 0, false}};
    k.dtypes = kFp32Only;
    k.build = [](const CoreConfig& c, const FlagValues& f, fp::Format) {
      return build_sgd_momentum(c, iflag(f, "n"), sgd_params(f));
    };
    k.check = [](const Tensors& in, const Tensors& out, const FlagValues& f) {
      return compare(out, reference_sgd_momentum(in, out, sgd_params(f)), gamma_text());
    };
    r.push_back(std::move(k));
  }
  {
    KernelSpec k;
    k.name = "mlp_step";
    k.summary = "one training step of x -> Linear -> gelu_tanh -> Linear -> cross-entropy, AdamW or SGD (tessera train mlp)";
    k.flags = {size_flag("batch", "rows of x (B)", 8),
               size_flag("in-features", "D: x [B,D], w1 [H,D]", 16),
               size_flag("hidden", "H: w1 [H,D], w2 [C,H]", 32),
               size_flag("classes", "C: w2 [C,H], logits [B,C]", 8),
               size_flag("micro-batch", "rows per pass: a larger batch runs in passes, gradients summed in SBUF", 256),
               {"lr", "learning rate", 1e-3, false},
               {"beta1", "first-moment decay", 0.9, false},
               {"beta2", "second-moment decay", 0.999, false},
               {"eps", "added to sqrt(v_hat)", 1e-8, false},
               {"weight-decay", "decoupled weight decay", 0.01, false},
               {"step", "step number t (bias corrections)", 1, true},
               {"sgd", "1: plain SGD p -= lr g instead of AdamW", 0, false}};
    k.dtypes = kFp32Only;
    k.build = [](const CoreConfig& c, const FlagValues& f, fp::Format) {
      return build_mlp_step(c, mlp_shape(f), mlp_params(f));
    };
    k.prepare = [](Tensors& in, const FlagValues&, uint64_t seed) {
      prepare_softmax_xent(in, seed);  // one-hot rows of random labels
      // PyTorch's Linear initialization scale: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
      auto scale = [&](const std::string& name, uint64_t fan_in) {
        HostTensor& t = in.at(name);
        const double s = 1 / std::sqrt(static_cast<double>(fan_in));
        for (uint64_t i = 0; i < t.elements(); ++i)
          t.set_code(i, fp::bits_of(static_cast<float>(static_cast<double>(t.value(i)) * s)));
      };
      scale("w1", in.at("w1").shape[1]);
      scale("b1", in.at("w1").shape[1]);
      scale("w2", in.at("w2").shape[1]);
      scale("b2", in.at("w2").shape[1]);
      for (auto& [name, t] : in)       // second moments are non-negative
        if (name.size() > 2 && name.compare(name.size() - 2, 2, "_v") == 0)
          for (uint64_t i = 0; i < t.elements(); ++i) t.set_code(i, t.code(i) & 0x7FFFFFFFu);
    };
    k.check = [](const Tensors& in, const Tensors& out, const FlagValues& f) {
      return compare(out, reference_mlp_step(in, mlp_shape(f), mlp_params(f)),
                     "running error analysis of the step vs fp64 PyTorch, bf16 operands 2^-8 (docs/kernels.md)");
    };
    k.model_flops = [](const FlagValues& f) { return mlp_step_model_flops(mlp_shape(f)); };
    r.push_back(std::move(k));
  }
  return r;
}

}  // namespace

std::optional<uint64_t> model_flops_of(const KernelSpec& spec, const FlagValues& flags) {
  if (!spec.model_flops) return std::nullopt;
  return spec.model_flops(flags);
}

const std::vector<KernelSpec>& kernel_registry() {
  static const std::vector<KernelSpec> registry = make_registry();
  return registry;
}

const KernelSpec* find_kernel(std::string_view name) {
  for (const KernelSpec& k : kernel_registry())
    if (k.name == name) return &k;
  return nullptr;
}

void prepare_inputs(const KernelSpec& spec, Tensors& inputs, const FlagValues& flags, uint64_t seed,
                    const InputFiles& files) {
  if (!spec.prepare) return;
  Tensors given;
  for (const auto& [name, file] : files)
    if (const auto it = inputs.find(name); it != inputs.end()) given[name] = it->second;
  spec.prepare(inputs, flags, seed);
  for (auto& [name, t] : given) inputs[name] = std::move(t);
}

FlagValues flag_values(const KernelSpec& spec, const FlagValues& given) {
  FlagValues out;
  for (const KernelFlag& f : spec.flags) out[f.name] = f.default_value;
  for (const auto& [name, value] : given) {
    if (!out.count(name)) throw std::logic_error(fmt::format("kernel {} has no flag --{}", spec.name, name));
    out[name] = value;
  }
  return out;
}

}  // namespace tessera::kernels
