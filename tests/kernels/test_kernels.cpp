// The training kernels in ref mode (SPEC section 9): each kernel on configs tiny and small, on
// ragged shapes and several seeds, against its double-precision reference within the bound
// derived in docs/kernels.md; same seed -> identical bytes; a perturbation just beyond the
// bound is caught; flags that cannot work are InputErrors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/errors.hpp"
#include "config/core_config.hpp"
#include "kernels/bias_gelu.hpp"
#include "kernels/gemm.hpp"
#include "kernels/layernorm.hpp"
#include "kernels/linear_bwd.hpp"
#include "kernels/mlp_step.hpp"
#include "kernels/optim.hpp"
#include "kernels/registry.hpp"
#include "kernels/runner.hpp"
#include "kernels/softmax_xent.hpp"

using namespace tessera;
using kernels::FlagValues;
using kernels::Tensors;
using kernels::Check;
using kernels::HostTensor;

namespace {

struct Run {
  Tensors inputs, outputs;
  FlagValues flags;
  Check check;
};

Run run_kernel(const std::string& name, const std::string& config, const FlagValues& given, uint64_t seed,
               const std::string& dtype = "") {
  const kernels::KernelSpec* spec = kernels::find_kernel(name);
  REQUIRE(spec != nullptr);
  const CoreConfig& cfg = preset(config);
  Run r;
  r.flags = kernels::flag_values(*spec, given);
  const fp::Format dt = *fp::parse_format(dtype.empty() ? spec->dtypes.front() : dtype);
  const isa::Program program = spec->build(cfg, r.flags, dt);
  r.inputs = kernels::resolve_inputs(program, {}, seed);
  kernels::prepare_inputs(*spec, r.inputs, r.flags, seed);
  r.outputs = kernels::run_ref(cfg, program, r.inputs, seed).outputs;
  r.check = spec->check(r.inputs, r.outputs, r.flags);
  return r;
}

std::string describe(const std::string& name, const std::string& config, const FlagValues& f, uint64_t seed) {
  std::string s = name + " on " + config + " seed " + std::to_string(seed) + ":";
  for (const auto& [k, v] : f) s += " --" + k + " " + std::to_string(v);
  return s;
}

// Runs every shape on its config with two seeds; each must pass its check.
void check_cases(const std::string& name, const std::vector<std::pair<std::string, FlagValues>>& cases,
                 const std::string& dtype = "") {
  uint64_t seed = 11;
  for (const auto& [config, flags] : cases) {
    for (int rep = 0; rep < 3; ++rep, seed += 7) {
      const Run r = run_kernel(name, config, flags, seed, dtype);
      INFO(describe(name, config, r.flags, seed) << " max_abs_err " << r.check.max_abs_err << " max_ulp "
                                                 << r.check.max_ulp << " bound: " << r.check.bound);
      REQUIRE(r.check.pass);
    }
  }
}

using RefFn = std::function<kernels::Reference(const Tensors& in, const Tensors& out, const FlagValues& f)>;

// Moves element `i` of output `name` to the first fp32 value beyond the bound (plus `ulps` more)
// on the side away from the reference, and returns whether the kernel's check still passes.
bool passes_with(const Run& r, const std::string& kernel, const RefFn& ref, const std::string& name, uint64_t i,
                 int ulps, bool beyond) {
  const kernels::KernelSpec* spec = kernels::find_kernel(kernel);
  const kernels::Reference expect = ref(r.inputs, r.outputs, r.flags);
  const kernels::Ev e = expect.at(name).at(i);
  Tensors out = r.outputs;
  HostTensor& t = out.at(name);
  REQUIRE(t.dtype == fp::Format::kFp32);
  float x;
  if (beyond) {
    x = static_cast<float>(e.v + e.e);  // nearest; step up until strictly beyond, then `ulps` more
    while (static_cast<double>(x) - e.v <= e.e) x = std::nextafter(x, INFINITY);
    for (int k = 0; k < ulps; ++k) x = std::nextafter(x, INFINITY);
  } else {
    x = static_cast<float>(e.v + e.e);  // the largest fp32 within the bound
    while (static_cast<double>(x) - e.v > e.e) x = std::nextafter(x, -INFINITY);
  }
  t.set_code(i, fp::bits_of(x));
  return spec->check(r.inputs, out, r.flags).pass;
}

}  // namespace

TEST_CASE("registry lists every training kernel with flags and dtypes", "[kernel]") {
  for (const char* name : {"gemm", "linear_bwd", "bias_gelu", "bias_gelu_bwd", "softmax_xent", "layernorm",
                           "layernorm_bwd", "rmsnorm", "adamw", "sgd_momentum", "mlp_step"}) {
    const kernels::KernelSpec* k = kernels::find_kernel(name);
    INFO(name);
    REQUIRE(k != nullptr);
    REQUIRE(!k->summary.empty());
    REQUIRE(!k->dtypes.empty());
    REQUIRE(k->build);
    REQUIRE(k->check);
  }
  REQUIRE(kernels::find_kernel("nope") == nullptr);
}

TEST_CASE("gemm through the registry", "[kernel]") {
  check_cases("gemm", {{"tiny", {{"m", 5}, {"n", 7}, {"k", 9}}}, {"small", {{"m", 20}, {"n", 33}, {"k", 17}}}});
}

TEST_CASE("gemm with a bf16 c against fp64; two bf16 ulps off the largest element fails", "[kernel]") {
  check_cases("gemm", {{"tiny", {{"m", 5}, {"n", 7}, {"k", 9}, {"bf16-out", 1}}},
                       {"small", {{"m", 20}, {"n", 33}, {"k", 17}, {"bf16-out", 1}}},
                       {"small", {{"m", 37}, {"n", 200}, {"k", 70}, {"bf16-out", 1}}}});
  const Run r = run_kernel("gemm", "small", {{"m", 20}, {"n", 33}, {"k", 17}, {"bf16-out", 1}}, 5);
  const HostTensor& c = r.outputs.at("c");
  REQUIRE(c.dtype == fp::Format::kBf16);
  REQUIRE(r.check.pass);
  // The bound is E + 2^-8 (|C| + E) + 2^-134, E about 18 2^-24 sum|a b| here. c is within half an
  // ulp (plus E) of C, so c two ulps larger in magnitude is at least 1.5 ulp > 1.5 2^-8 |c| away:
  // beyond the bound for the largest element.
  uint64_t big = 0;
  for (uint64_t i = 0; i < c.elements(); ++i)
    if (std::fabs(c.value(i)) > std::fabs(c.value(big))) big = i;
  Tensors out = r.outputs;
  const uint32_t code = c.code(big);
  out.at("c").set_code(big, code + 2);  // same sign, two ulps larger in magnitude
  REQUIRE_FALSE(kernels::find_kernel("gemm")->check(r.inputs, out, r.flags).pass);
}

TEST_CASE("gemm check: a bf16 c that overflows from a finite fp32 sum is accepted", "[kernel]") {
  // a [1, 2] . b [2, 1] = 2^127 (1.9921875 + 2^-8) = (2 - 2^-8) 2^127: finite in fp32, exactly
  // halfway between bf16's largest value and 2^128, so RNE gives infinity.
  auto tensor = [](std::vector<uint64_t> shape, std::vector<uint32_t> codes) {
    HostTensor t;
    t.dtype = fp::Format::kBf16;
    t.shape = std::move(shape);
    t.bytes.assign(codes.size() * 2, 0);
    for (size_t i = 0; i < codes.size(); ++i) t.set_code(i, codes[i]);
    return t;
  };
  const HostTensor a = tensor({1, 2}, {0x5F80, 0x5F80});  // 2^64, 2^64
  const HostTensor b = tensor({2, 1}, {0x5F7F, 0x5B00});  // 1.9921875 2^63, 2^55
  REQUIRE(kernels::check_gemm(a, b, tensor({1, 1}, {0x7F80})).pass);   // +inf
  REQUIRE_FALSE(kernels::check_gemm(a, b, tensor({1, 1}, {0xFF80})).pass);  // -inf
  REQUIRE(kernels::check_gemm(a, b, tensor({1, 1}, {0x7F7F})).pass);   // the largest bf16: within the bound too
}

TEST_CASE("linear_bwd bf16 against fp64", "[kernel]") {
  check_cases("linear_bwd", {{"tiny", {{"m", 5}, {"n", 7}, {"k", 9}}},
                             {"tiny", {{"m", 13}, {"n", 6}, {"k", 17}}},
                             {"tiny", {{"m", 1}, {"n", 1}, {"k", 1}}},
                             {"small", {{"m", 37}, {"n", 20}, {"k", 70}}},
                             {"small", {{"m", 16}, {"n", 16}, {"k", 130}}},
                             {"small", {{"m", 100}, {"n", 129}, {"k", 260}}}});
}

TEST_CASE("linear_bwd fp32 and fp8 against fp64", "[kernel]") {
  check_cases("linear_bwd", {{"tiny", {{"m", 6}, {"n", 5}, {"k", 7}}}, {"small", {{"m", 19}, {"n", 23}, {"k", 17}}}},
              "fp32");
  check_cases("linear_bwd", {{"tiny", {{"m", 6}, {"n", 5}, {"k", 7}}}}, "e4m3");
}

TEST_CASE("bias_gelu against fp64", "[kernel]") {
  check_cases("bias_gelu", {{"tiny", {{"m", 5}, {"n", 7}}},
                            {"tiny", {{"m", 70}, {"n", 9}}},
                            {"small", {{"m", 100}, {"n", 37}}},
                            {"small", {{"m", 3000}, {"n", 20}}},
                            {"small", {{"m", 1}, {"n", 17}}}});
}

TEST_CASE("bias_gelu_bwd against fp64", "[kernel]") {
  check_cases("bias_gelu_bwd", {{"tiny", {{"m", 5}, {"n", 7}}},
                                {"tiny", {{"m", 70}, {"n", 9}}},
                                {"small", {{"m", 100}, {"n", 37}}},
                                {"small", {{"m", 1500}, {"n", 18}}},
                                {"small", {{"m", 1}, {"n", 17}}}});
}

TEST_CASE("softmax_xent against fp64", "[kernel]") {
  check_cases("softmax_xent", {{"tiny", {{"b", 5}, {"c", 7}}},
                               {"tiny", {{"b", 9}, {"c", 33}}},
                               {"tiny", {{"b", 3}, {"c", 1}}},
                               {"small", {{"b", 37}, {"c", 100}}},
                               {"small", {{"b", 16}, {"c", 1000}}}});
}

TEST_CASE("softmax_xent on large logits", "[kernel]") {
  // Logits scaled by 30: the max subtraction matters and s is close to 1 for most rows.
  const kernels::KernelSpec* spec = kernels::find_kernel("softmax_xent");
  const CoreConfig& cfg = preset("small");
  const FlagValues f = kernels::flag_values(*spec, {{"b", 20}, {"c", 50}});
  const isa::Program program = spec->build(cfg, f, fp::Format::kFp32);
  Tensors in = kernels::resolve_inputs(program, {}, 5);
  kernels::prepare_inputs(*spec, in, f, 5);
  HostTensor& x = in.at("logits");
  for (uint64_t i = 0; i < x.elements(); ++i) x.set_code(i, fp::bits_of(x.value(i) * 30.0f));
  const Tensors out = kernels::run_ref(cfg, program, in, 5).outputs;
  const Check c = spec->check(in, out, f);
  INFO("max_abs_err " << c.max_abs_err);
  REQUIRE(c.pass);
}

TEST_CASE("layernorm against fp64", "[kernel]") {
  check_cases("layernorm", {{"tiny", {{"m", 5}, {"n", 7}}},
                            {"tiny", {{"m", 9}, {"n", 33}}},
                            {"small", {{"m", 37}, {"n", 100}}},
                            {"small", {{"m", 1}, {"n", 1}}}});
}

TEST_CASE("layernorm_bwd against fp64", "[kernel]") {
  check_cases("layernorm_bwd", {{"tiny", {{"m", 5}, {"n", 7}}},
                                {"tiny", {{"m", 9}, {"n", 33}}},
                                {"small", {{"m", 37}, {"n", 150}}},
                                {"small", {{"m", 1}, {"n", 3}}}});
}

TEST_CASE("rmsnorm against fp64", "[kernel]") {
  check_cases("rmsnorm", {{"tiny", {{"m", 5}, {"n", 7}}},
                          {"tiny", {{"m", 9}, {"n", 33}}},
                          {"small", {{"m", 37}, {"n", 100}}},
                          {"small", {{"m", 1}, {"n", 1}}}});
}

TEST_CASE("adamw against fp64", "[kernel]") {
  check_cases("adamw", {{"tiny", {{"n", 1}}},
                        {"tiny", {{"n", 37}}},
                        {"tiny", {{"n", 301}, {"step", 7}, {"bf16-copy", 1}}},
                        {"small", {{"n", 4097}, {"bf16-copy", 1}}},
                        {"small", {{"n", 1000}, {"step", 1000}, {"lr", 0.1}, {"weight-decay", 0.1}}}});
}

TEST_CASE("sgd_momentum against fp64", "[kernel]") {
  check_cases("sgd_momentum", {{"tiny", {{"n", 1}}},
                               {"tiny", {{"n", 37}, {"bf16-copy", 1}}},
                               {"small", {{"n", 4097}, {"bf16-copy", 1}}},
                               {"small", {{"n", 999}, {"momentum", 0}}}});
}

TEST_CASE("bf16 copies use stochastic rounding", "[kernel]") {
  // Every element is one of the two bf16 neighbours of the fp32 result (the check), and both
  // directions occur: the copy is not round-to-nearest.
  for (const char* name : {"adamw", "sgd_momentum"}) {
    const Run r = run_kernel(name, "small", {{"n", 2000}, {"bf16-copy", 1}}, 3);
    REQUIRE(r.check.pass);
    const HostTensor &p = r.outputs.at("p"), &pb = r.outputs.at("p_bf16");
    int differs_from_rne = 0;
    for (uint64_t i = 0; i < p.elements(); ++i)
      differs_from_rne += pb.code(i) != fp::narrow(fp::Format::kBf16, p.code(i));
    INFO(name << ": " << differs_from_rne << " of " << p.elements() << " differ from RNE");
    REQUIRE(differs_from_rne > 100);
    REQUIRE(differs_from_rne < 1900);
  }
}

TEST_CASE("same seed gives identical bytes", "[kernel]") {
  const std::vector<std::pair<std::string, FlagValues>> cases = {
      {"linear_bwd", {{"m", 7}, {"n", 5}, {"k", 9}}}, {"bias_gelu", {{"m", 9}, {"n", 6}}},
      {"bias_gelu_bwd", {{"m", 9}, {"n", 6}}},         {"softmax_xent", {{"b", 6}, {"c", 9}}},
      {"layernorm", {{"m", 6}, {"n", 9}}},             {"layernorm_bwd", {{"m", 6}, {"n", 9}}},
      {"rmsnorm", {{"m", 6}, {"n", 9}}},               {"adamw", {{"n", 77}, {"bf16-copy", 1}}},
      {"sgd_momentum", {{"n", 77}, {"bf16-copy", 1}}}};
  for (const auto& [name, flags] : cases) {
    INFO(name);
    const Run a = run_kernel(name, "tiny", flags, 42), b = run_kernel(name, "tiny", flags, 42);
    REQUIRE(kernels::first_difference(a.outputs, b.outputs).empty());
    REQUIRE(kernels::first_difference(a.inputs, b.inputs).empty());
    const Run c = run_kernel(name, "tiny", flags, 43);
    REQUIRE(!kernels::first_difference(a.inputs, c.inputs).empty());
  }
}


// mlp_step: the whole training step against fp64 PyTorch formulas (no bf16 rounding in the
// reference; the bound counts every bf16 operand rounding), AdamW and SGD, ragged shapes.
TEST_CASE("mlp_step adamw against fp64", "[kernel]") {
  check_cases("mlp_step", {{"tiny", {{"batch", 5}, {"in-features", 7}, {"hidden", 9}, {"classes", 3}}},
                           {"tiny", {{"batch", 1}, {"in-features", 1}, {"hidden", 1}, {"classes", 1}}},
                           {"tiny", {{"batch", 8}, {"in-features", 16}, {"hidden", 32}, {"classes", 8}, {"step", 5}}},
                           {"small", {{"batch", 37}, {"in-features", 20}, {"hidden", 70}, {"classes", 10}}},
                           {"small", {{"batch", 32}, {"in-features", 150}, {"hidden", 33}, {"classes", 130}, {"step", 100}}}});
}

// The batch in passes (--micro-batch), the gradients summed across them in SBUF: the same
// bound (a sum of B products in any order), ragged last passes and passes below a row block.
TEST_CASE("mlp_step in passes against fp64", "[kernel]") {
  check_cases("mlp_step",
              {{"tiny", {{"batch", 11}, {"in-features", 7}, {"hidden", 9}, {"classes", 3}, {"micro-batch", 4}}},
               {"tiny", {{"batch", 9}, {"in-features", 5}, {"hidden", 11}, {"classes", 4}, {"micro-batch", 3}, {"sgd", 1}, {"lr", 0.1}}},
               {"small", {{"batch", 70}, {"in-features", 20}, {"hidden", 33}, {"classes", 10}, {"micro-batch", 32}, {"step", 3}}},
               {"small", {{"batch", 40}, {"in-features", 33}, {"hidden", 64}, {"classes", 10}, {"micro-batch", 8}, {"sgd", 1}, {"lr", 0.5}}},
               // More row blocks than one column group of the losses (mlp_step.cpp `lc`): 82
               // blocks in groups of 16 (2 blocks per pass); 73 blocks in groups of 15 (3 per
               // pass, the last of 8 rows, a last pass of 10 rows). Both have AdamW's early
               // steps (m and v resident, more than two passes).
               {"small", {{"batch", 970}, {"in-features", 16}, {"hidden", 32}, {"classes", 8}, {"micro-batch", 24}}},
               {"small", {{"batch", 970}, {"in-features", 16}, {"hidden", 32}, {"classes", 8}, {"micro-batch", 40}}}});
}

TEST_CASE("mlp_step sgd against fp64", "[kernel]") {
  check_cases("mlp_step", {{"tiny", {{"batch", 6}, {"in-features", 5}, {"hidden", 11}, {"classes", 4}, {"sgd", 1}, {"lr", 0.1}}},
                           {"small", {{"batch", 40}, {"in-features", 33}, {"hidden", 64}, {"classes", 10}, {"sgd", 1}, {"lr", 0.5}}}});
}

TEST_CASE("mlp_step: a wrong learning rate or a perturbed output fails the check", "[kernel]") {
  for (const double sgd : {0.0, 1.0}) {
    INFO("sgd " << sgd);
    const FlagValues flags = {{"batch", 12}, {"in-features", 9}, {"hidden", 20}, {"classes", 5}, {"sgd", sgd}, {"lr", 0.01}};
    Run r = run_kernel("mlp_step", "small", flags, 4);
    REQUIRE(r.check.pass);
    const kernels::KernelSpec* spec = kernels::find_kernel("mlp_step");
    FlagValues other = r.flags;
    // The outputs of lr 0.01 checked as if lr were larger: 2% is caught for AdamW (the update's
    // size hardly depends on the gradient's error), 5% for SGD (lr g: the gradient's bf16 error
    // of a few parts in 10^3, times the sums' magnitudes, is part of the bound).
    other["lr"] = sgd == 1 ? 0.0105 : 0.0102;
    REQUIRE(!spec->check(r.inputs, r.outputs, other).pass);
    // One weight moved 3 ulp beyond its bound.
    const RefFn ref = [](const Tensors& in, const Tensors&, const FlagValues& f) {
      kernels::MlpShape s{static_cast<uint64_t>(f.at("batch")), static_cast<uint64_t>(f.at("in-features")),
                          static_cast<uint64_t>(f.at("hidden")), static_cast<uint64_t>(f.at("classes"))};
      kernels::MlpStepParams p;
      p.sgd = f.at("sgd") == 1;
      p.h.lr = f.at("lr"), p.h.beta1 = f.at("beta1"), p.h.beta2 = f.at("beta2"), p.h.eps = f.at("eps");
      p.h.weight_decay = f.at("weight-decay"), p.h.step = static_cast<uint64_t>(f.at("step"));
      return kernels::reference_mlp_step(in, s, p);
    };
    for (const char* out : {"w1", "b2", "loss"}) {
      INFO(out);
      REQUIRE(passes_with(r, "mlp_step", ref, out, 0, 0, false));
      REQUIRE(!passes_with(r, "mlp_step", ref, out, 0, 2, true));
    }
  }
}

TEST_CASE("mlp_step same seed gives identical bytes; shapes that do not fit are input errors", "[kernel]") {
  const FlagValues flags = {{"batch", 7}, {"in-features", 6}, {"hidden", 9}, {"classes", 3}};
  const Run a = run_kernel("mlp_step", "tiny", flags, 42), b = run_kernel("mlp_step", "tiny", flags, 42);
  REQUIRE(kernels::first_difference(a.outputs, b.outputs).empty());
  const kernels::KernelSpec* spec = kernels::find_kernel("mlp_step");
  REQUIRE_THROWS_WITH(spec->build(preset("tiny"), kernels::flag_values(*spec, {{"hidden", 4000}}), fp::Format::kFp32),
                      Catch::Contains("--hidden"));
  REQUIRE_THROWS_WITH(spec->build(preset("tiny"), kernels::flag_values(*spec, {{"sgd", 2}}), fp::Format::kFp32),
                      Catch::Contains("--sgd"));
}

namespace {

struct BoundCase {
  std::string kernel, output;
  FlagValues flags;
  RefFn ref;
};

std::vector<BoundCase> bound_cases() {
  return {
      {"linear_bwd", "dw", {{"m", 7}, {"n", 5}, {"k", 9}},
       [](const Tensors& in, const Tensors&, const FlagValues&) { return kernels::reference_linear_bwd(in); }},
      {"bias_gelu", "y", {{"m", 9}, {"n", 6}},
       [](const Tensors& in, const Tensors&, const FlagValues&) { return kernels::reference_bias_gelu(in); }},
      {"bias_gelu_bwd", "db", {{"m", 9}, {"n", 6}},
       [](const Tensors& in, const Tensors&, const FlagValues&) { return kernels::reference_bias_gelu_bwd(in); }},
      {"softmax_xent", "loss", {{"b", 6}, {"c", 9}},
       [](const Tensors& in, const Tensors&, const FlagValues&) { return kernels::reference_softmax_xent(in); }},
      {"softmax_xent", "dlogits", {{"b", 6}, {"c", 9}},
       [](const Tensors& in, const Tensors&, const FlagValues&) { return kernels::reference_softmax_xent(in); }},
      {"layernorm", "y", {{"m", 6}, {"n", 9}},
       [](const Tensors& in, const Tensors&, const FlagValues& f) { return kernels::reference_layernorm(in, f.at("eps")); }},
      {"layernorm_bwd", "dgamma", {{"m", 6}, {"n", 9}},
       [](const Tensors& in, const Tensors&, const FlagValues&) { return kernels::reference_layernorm_bwd(in); }},
      {"rmsnorm", "y", {{"m", 6}, {"n", 9}},
       [](const Tensors& in, const Tensors&, const FlagValues& f) { return kernels::reference_rmsnorm(in, f.at("eps")); }},
      {"adamw", "p", {{"n", 77}},
       [](const Tensors& in, const Tensors& out, const FlagValues& f) {
         kernels::AdamwParams p;
         p.lr = f.at("lr"), p.beta1 = f.at("beta1"), p.beta2 = f.at("beta2"), p.eps = f.at("eps");
         p.weight_decay = f.at("weight-decay"), p.step = static_cast<uint64_t>(f.at("step"));
         return kernels::reference_adamw(in, out, p);
       }},
      {"sgd_momentum", "buf", {{"n", 77}},
       [](const Tensors& in, const Tensors& out, const FlagValues& f) {
         kernels::SgdParams p;
         p.lr = f.at("lr"), p.momentum = f.at("momentum");
         return kernels::reference_sgd_momentum(in, out, p);
       }},
  };
}

}  // namespace

TEST_CASE("a result just beyond the bound fails the check", "[kernel]") {
  for (const BoundCase& c : bound_cases()) {
    INFO(c.kernel << " output " << c.output);
    const Run r = run_kernel(c.kernel, "tiny", c.flags, 9);
    REQUIRE(r.check.pass);
    const uint64_t last = r.outputs.at(c.output).elements() - 1;
    for (uint64_t i : {uint64_t{0}, last}) {
      REQUIRE(passes_with(r, c.kernel, c.ref, c.output, i, 0, false));  // at the bound: still passes
      REQUIRE(!passes_with(r, c.kernel, c.ref, c.output, i, 2, true));  // 3 ulp beyond: fails
    }
  }
}

TEST_CASE("flags that cannot work are one-line input errors", "[kernel]") {
  const auto build = [](const std::string& name, const std::string& config, const FlagValues& f) {
    const kernels::KernelSpec* spec = kernels::find_kernel(name);
    return spec->build(preset(config), kernels::flag_values(*spec, f), *fp::parse_format(spec->dtypes.front()));
  };
  REQUIRE_THROWS_AS(build("softmax_xent", "tiny", {{"c", 5000}}), InputError);
  REQUIRE_THROWS_WITH(build("softmax_xent", "tiny", {{"c", 5000}}), Catch::Contains("--c"));
  REQUIRE_THROWS_WITH(build("layernorm", "tiny", {{"n", 5000}}), Catch::Contains("--n"));
  REQUIRE_THROWS_WITH(build("rmsnorm", "tiny", {{"n", 5000}}), Catch::Contains("--n"));
  REQUIRE_THROWS_WITH(build("layernorm_bwd", "tiny", {{"n", 5000}}), Catch::Contains("--n"));
  REQUIRE_THROWS_WITH(build("adamw", "tiny", {{"beta1", 1.0}}), Catch::Contains("--beta1"));
  REQUIRE_THROWS_WITH(build("adamw", "tiny", {{"bf16-copy", 2}}), Catch::Contains("--bf16-copy"));
  REQUIRE_THROWS_WITH(build("sgd_momentum", "tiny", {{"lr", -1}}), Catch::Contains("--lr"));
  REQUIRE_THROWS_WITH(build("layernorm", "tiny", {{"eps", -1}}), Catch::Contains("--eps"));
}

TEST_CASE("softmax_xent log iteration count", "[kernel]") {
  REQUIRE(kernels::softmax_log_iterations(1) == 1);
  REQUIRE(kernels::softmax_log_iterations(1000) <= 8);
}

TEST_CASE("tightness of the bounds", "[.report]") {
  // Not a check: prints, per kernel output, the largest error as a fraction of its bound on a
  // bigger case (docs/kernels.md quotes these).
  for (const BoundCase& c : bound_cases()) {
    FlagValues f = c.flags;
    for (auto& [k, v] : f)
      if (k == "m" || k == "b" || k == "k") v = 64;
      else if (k == "n") v = c.kernel == "adamw" || c.kernel == "sgd_momentum" ? 20000 : 100;
      else if (k == "c") v = 100;
    const Run r = run_kernel(c.kernel, "small", f, 1);
    const kernels::Reference ref = c.ref(r.inputs, r.outputs, r.flags);
    for (const auto& [name, expect] : ref) {
      double worst = 0, worst_bound_ulp = 0;
      const HostTensor& t = r.outputs.at(name);
      for (uint64_t i = 0; i < expect.size(); ++i) {
        const double err = std::fabs(static_cast<double>(t.value(i)) - expect[i].v);
        if (expect[i].e > 0) worst = std::max(worst, err / expect[i].e);
        const double ulp = std::max(std::ldexp(1.0, std::ilogb(std::max(std::fabs(expect[i].v), 0x1p-126)) - 23), 0x1p-149);
        worst_bound_ulp = std::max(worst_bound_ulp, expect[i].e / ulp);
      }
      WARN(c.kernel << "." << name << ": pass " << r.check.pass << ", max err / bound " << worst
                    << ", largest bound " << worst_bound_ulp << " fp32 ulp of the result, max_ulp (in "
                    << fp::info(t.dtype).name << " ulps, over all outputs) " << r.check.max_ulp);
    }
  }
}

TEST_CASE("prepare keeps the inputs given as files", "[kernel]") {
  const kernels::KernelSpec* spec = kernels::find_kernel("softmax_xent");
  const FlagValues f = kernels::flag_values(*spec, {{"b", 4}, {"c", 5}});
  const isa::Program program = spec->build(preset("tiny"), f, fp::Format::kFp32);
  const Tensors random = kernels::resolve_inputs(program, {}, 3);
  kernels::InputFiles files;
  files["onehot"] = kernels::InputFile{"onehot.npy", {}};
  Tensors kept = random, prepared = random;
  kernels::prepare_inputs(*spec, kept, f, 3, files);
  kernels::prepare_inputs(*spec, prepared, f, 3);
  REQUIRE(kernels::first_difference(random, kept).empty());
  REQUIRE(!kernels::first_difference(random, prepared).empty());
}

TEST_CASE("every kernel builds on every preset with its default flags", "[kernel]") {
  for (const kernels::KernelSpec& spec : kernels::kernel_registry())
    for (const CoreConfig& cfg : presets())
      for (const std::string& dtype : spec.dtypes) {
        INFO(spec.name << " on " << cfg.name << " dtype " << dtype);
        const isa::Program p = spec.build(cfg, kernels::flag_values(spec), *fp::parse_format(dtype));
        REQUIRE(p.instruction_count() > 0);
      }
}

TEST_CASE("every kernel on trn1 with its default flags", "[.trn1]") {
  for (const kernels::KernelSpec& spec : kernels::kernel_registry()) {
    INFO(spec.name);
    const Run r = run_kernel(spec.name, "trn1", {}, 1);
    REQUIRE(r.check.pass);
  }
}

TEST_CASE("one-hot labels from integer labels", "[kernel]") {
  const HostTensor t = kernels::onehot_from_labels({2, 0, 1}, 3);
  REQUIRE(t.shape == std::vector<uint64_t>{3, 3});
  for (uint64_t i = 0; i < 9; ++i) REQUIRE(t.value(i) == (i == 2 || i == 3 || i == 7 ? 1.0f : 0.0f));
  REQUIRE_THROWS_WITH(kernels::onehot_from_labels({0, 3}, 3), Catch::Contains("row 1"));
  REQUIRE_THROWS_AS(kernels::onehot_from_labels({-1}, 3), InputError);
}

TEST_CASE("adamw with zero gradients and zero second moments", "[kernel]") {
  // Parameters that got no gradient yet: v' = 0, so rsqrt(0) = inf and reciprocal(inf) = 0.
  const kernels::KernelSpec* spec = kernels::find_kernel("adamw");
  const CoreConfig& cfg = preset("tiny");
  const FlagValues f = kernels::flag_values(*spec, {{"n", 50}, {"step", 3}});
  const isa::Program program = spec->build(cfg, f, fp::Format::kFp32);
  Tensors in = kernels::resolve_inputs(program, {}, 8);
  kernels::prepare_inputs(*spec, in, f, 8);
  for (uint64_t i = 0; i < 50; i += 3) {
    in.at("g").set_code(i, 0);
    in.at("v").set_code(i, 0);
    if (i % 2) in.at("m").set_code(i, 0);
  }
  const Tensors out = kernels::run_ref(cfg, program, in, 8).outputs;
  const Check c = spec->check(in, out, f);
  INFO("max_abs_err " << c.max_abs_err);
  REQUIRE(c.pass);
}

TEST_CASE("tightness of the mlp_step bound", "[.report]") {
  // Not a check: per output, the largest error as a fraction of its bound and the median bound
  // relative to |v| (docs/kernels.md quotes these).
  for (const double sgd : {0.0, 1.0}) {
    const FlagValues flags = {{"batch", 64}, {"in-features", 64}, {"hidden", 128}, {"classes", 10}, {"sgd", sgd},
                              {"lr", sgd == 1 ? 0.1 : 1e-3}};
    const Run r = run_kernel("mlp_step", "small", flags, 1);
    kernels::MlpShape s{64, 64, 128, 10};
    kernels::MlpStepParams p;
    p.sgd = sgd == 1;
    p.h.lr = flags.at("lr");
    const kernels::Reference ref = kernels::reference_mlp_step(r.inputs, s, p);
    for (const auto& [name, ev] : ref) {
      double worst = 0;
      std::vector<double> rel, upd;
      const std::vector<double> before = name == "loss" ? std::vector<double>{} : kernels::values(r.inputs.at(name));
      for (uint64_t i = 0; i < ev.size(); ++i) {
        const double err = std::fabs(static_cast<double>(r.outputs.at(name).value(i)) - ev[i].v);
        if (ev[i].e > 0) worst = std::max(worst, err / ev[i].e);
        if (ev[i].v != 0) rel.push_back(ev[i].e / std::fabs(ev[i].v));
        // For the parameters: the bound relative to the size of the exact update.
        if (!before.empty() && ev[i].v != before[i]) upd.push_back(ev[i].e / std::fabs(ev[i].v - before[i]));
      }
      std::sort(rel.begin(), rel.end());
      std::sort(upd.begin(), upd.end());
      WARN((sgd == 1 ? "sgd " : "adamw ") << name << ": pass " << r.check.pass << ", max err / bound " << worst
                                          << ", median bound / |v| " << (rel.empty() ? 0 : rel[rel.size() / 2])
                                          << ", median bound / |update| " << (upd.empty() ? 0 : upd[upd.size() / 2])
                                          << ", 90% " << (upd.empty() ? 0 : upd[upd.size() * 9 / 10]));
    }
  }
}

TEST_CASE("mlp_step from zero AdamW state (train's first step)", "[kernel]") {
  // m = v = 0: v' = (1 - b2) g^2 comes close to 0 where the gradient does, and the update
  // lr g / (|g| + eps) may flip its sign with the gradient's bf16 error: the bound must hold.
  const kernels::KernelSpec* spec = kernels::find_kernel("mlp_step");
  const CoreConfig& cfg = preset("small");
  for (const uint64_t seed : {1, 2, 3}) {
    const FlagValues f = kernels::flag_values(*spec, {{"batch", 32}, {"in-features", 32}, {"hidden", 64}, {"classes", 10}});
    const isa::Program program = spec->build(cfg, f, fp::Format::kFp32);
    Tensors in = kernels::resolve_inputs(program, {}, seed);
    kernels::prepare_inputs(*spec, in, f, seed);
    for (auto& [name, t] : in)
      if (name.size() > 2 && (name.substr(name.size() - 2) == "_m" || name.substr(name.size() - 2) == "_v"))
        for (uint64_t i = 0; i < t.elements(); ++i) t.set_code(i, 0);
    const Tensors out = kernels::run_ref(cfg, program, in, seed).outputs;
    const Check c = spec->check(in, out, f);
    INFO("seed " << seed << " max_abs_err " << c.max_abs_err);
    REQUIRE(c.pass);
  }
}
