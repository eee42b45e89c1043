#include "train_util.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "common/errors.hpp"
#include "isa/isa.hpp"

namespace tessera::kernels {

namespace {

uint64_t enum_index(const std::string& enum_name, std::string_view value) {
  const std::vector<std::string>& vals = isa::Isa::get().enum_values(enum_name);
  const auto it = std::find(vals.begin(), vals.end(), value);
  if (it == vals.end()) throw std::logic_error(fmt::format("{} has no value {}", enum_name, value));
  return static_cast<uint64_t>(it - vals.begin());
}

}  // namespace

isa::Scalar imm(float v) {
  isa::Scalar s;
  s.imm = fp::bits_of(v);
  return s;
}

isa::Col col_addr(const Tile& t, uint32_t j) {
  if (t.dtype != fp::Format::kFp32) throw std::logic_error("columns are fp32");
  return isa::Col{t.space, static_cast<uint32_t>(t.addr + 4ull * j)};
}

isa::Scalar col_of(const Tile& t, uint32_t j) {
  isa::Scalar s;
  s.is_col = true;
  s.col = col_addr(t, j);
  return s;
}

void act(KernelBuilder& b, fp::ActFunc func, const isa::Ap& dst, const isa::Ap& src, isa::Scalar scale,
         isa::Scalar bias, const isa::Col* reduce_dst) {
  isa::Instruction inst = isa::Isa::get().make("activation");
  inst.set("func", enum_index("act_func", fp::name(func)));
  inst.set("dst", dst);
  inst.set("src", src);
  inst.set("scale", scale);
  inst.set("bias", bias);
  if (reduce_dst) {
    inst.set("reduce", uint64_t{1});
    inst.set("reduce_dst", *reduce_dst);
  }
  b.emit("act", std::move(inst));
}

void tt(KernelBuilder& b, std::string_view op, const isa::Ap& dst, const isa::Ap& a, const isa::Ap& bb) {
  isa::Instruction inst = isa::Isa::get().make("tensor_tensor");
  inst.set("op", enum_index("alu_op", op));
  inst.set("dst", dst);
  inst.set("a", a);
  inst.set("b", bb);
  b.emit("dve", std::move(inst));
}

void ts(KernelBuilder& b, const isa::Ap& dst, const isa::Ap& src, std::string_view op0, isa::Scalar s0,
        std::string_view op1, isa::Scalar s1) {
  isa::Instruction inst = isa::Isa::get().make("tensor_scalar");
  inst.set("op0", enum_index("alu_op", op0));
  inst.set("s0", s0);
  inst.set("op1", enum_index("alu_op", op1));
  inst.set("s1", s1);
  inst.set("dst", dst);
  inst.set("src", src);
  b.emit("dve", std::move(inst));
}

void reduce(KernelBuilder& b, std::string_view op, const isa::Ap& dst, const isa::Ap& src) {
  isa::Instruction inst = isa::Isa::get().make("tensor_reduce");
  inst.set("op", enum_index("reduce_op", op));
  inst.set("dst", dst);
  inst.set("src", src);
  b.emit("dve", std::move(inst));
}

void memset(KernelBuilder& b, const isa::Ap& dst, float value) {
  isa::Instruction inst = isa::Isa::get().make("memset");
  inst.set("dst", dst);
  inst.set("value", uint64_t{fp::bits_of(value)});
  b.emit("dve", std::move(inst));
}

isa::Ap dram_block(const DramTensor& t, uint64_t e0, uint32_t parts, uint32_t f) {
  isa::Ap a;
  a.space = isa::Space::kDram;
  a.dtype = t.dtype;
  a.parts = 0;
  a.addr = t.addr + e0 * t.elem_bytes();
  a.dims[0] = {parts, static_cast<int32_t>(uint64_t{f} * t.elem_bytes())};
  a.dims[1] = {f, static_cast<int32_t>(t.elem_bytes())};
  return a;
}

isa::Ap dram_bcast(const DramTensor& t, uint64_t e0, uint32_t parts, uint64_t n) {
  isa::Ap a = dram_block(t, e0, parts, static_cast<uint32_t>(n));
  a.dims[0].stride = 0;
  return a;
}

SplitQueues::SplitQueues(const KernelBuilder& b, const CoreConfig& config, unsigned load_tenths)
    : b_(b), nq_(static_cast<unsigned>(config.dma_queues)),
      n_load_(nq_ > 1 ? std::clamp(nq_ * load_tenths / 10, 1u, nq_ - 1) : 1) {}

void SplitQueues::load(uint32_t parts, const Piece& piece) {
  for (const auto& r : b_.dma_pieces(parts, n_load_)) piece(r.p0, r.np, load_queue());
}

void SplitQueues::store(uint32_t parts, const Piece& piece, uint64_t max_pieces) {
  const unsigned share = n_load_ == nq_ ? 1 : nq_ - n_load_;
  const auto n = static_cast<uint32_t>(max_pieces ? std::min<uint64_t>(max_pieces, share) : share);
  for (const auto& r : b_.dma_pieces(parts, n)) piece(r.p0, r.np, store_queue());
}

std::vector<FlatPiece> flat_pieces(uint64_t n, uint32_t rows, uint32_t f) {
  std::vector<FlatPiece> out;
  const uint64_t tile = uint64_t{rows} * f;
  uint64_t e = 0;
  for (; e + tile <= n; e += tile) out.push_back({e, rows, f});
  const uint64_t rest = n - e;
  if (rest / f) out.push_back({e, static_cast<uint32_t>(rest / f), f});
  if (rest % f) out.push_back({e + rest / f * f, 1, static_cast<uint32_t>(rest % f)});
  return out;
}

// --- running error analysis -------------------------------------------------------------------

namespace {
constexpr double kTiny = 0x1p-150;   // absolute rounding error in the subnormal range
constexpr double kRef = 0x1p-50;     // the double reference's own rounding, per operation

Ev rounded(double v, double propagated) {
  return {v, propagated + kU * (std::fabs(v) + propagated) + kTiny + kRef * std::fabs(v)};
}

double sigmoid(double x) { return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x)); }
}  // namespace

double gelu_tanh(double x) {
  const double c = std::sqrt(2 / M_PI);
  return 0.5 * x * (1 + std::tanh(c * (x + 0.044715 * x * x * x)));
}
double gelu_tanh_grad(double x) {
  const double c = std::sqrt(2 / M_PI), t = std::tanh(c * (x + 0.044715 * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
}

Ev ev_add(Ev a, Ev b) { return rounded(a.v + b.v, a.e + b.e); }
Ev ev_sub(Ev a, Ev b) { return rounded(a.v - b.v, a.e + b.e); }
Ev ev_mul(Ev a, Ev b) { return rounded(a.v * b.v, std::fabs(a.v) * b.e + std::fabs(b.v) * a.e + a.e * b.e); }
Ev ev_max(Ev a, Ev b) { return {std::max(a.v, b.v), std::max(a.e, b.e)}; }

Ev ev_act(fp::ActFunc func, Ev x) {
  const double lo = x.v - x.e, hi = x.v + x.e;
  const double amin = (lo <= 0 && hi >= 0) ? 0.0 : std::min(std::fabs(lo), std::fabs(hi));  // min |t| on [lo, hi]
  const double inf = std::numeric_limits<double>::infinity();
  double y = 0, lip = 0, k = 4, absolute = 0;
  switch (func) {
    case fp::ActFunc::kIdentity: return x;
    case fp::ActFunc::kRelu: return {std::max(x.v, 0.0), x.e};
    case fp::ActFunc::kSquare: return ev_mul(x, x);
    case fp::ActFunc::kExp: y = std::exp(x.v), lip = std::exp(hi); break;
    case fp::ActFunc::kTanh: y = std::tanh(x.v), lip = 1 - std::tanh(amin) * std::tanh(amin); break;
    case fp::ActFunc::kSigmoid: y = sigmoid(x.v), lip = sigmoid(amin) * (1 - sigmoid(amin)); break;
    case fp::ActFunc::kGeluTanh: y = gelu_tanh(x.v), lip = 1.13, k = 8; break;  // sup |gelu'| = 1.12899
    case fp::ActFunc::kSilu: y = x.v * sigmoid(x.v), lip = 1.1, k = 8; break;   // sup |silu'| = 1.09984
    // sup |gelu''| = 0.79788 (at 0); 8 ulp, or 2^-23 absolute in the zero window [-1, -0.5]
    case fp::ActFunc::kGeluTanhDx: y = gelu_tanh_grad(x.v), lip = 0.8, k = 8, absolute = 0x1p-23; break;
    case fp::ActFunc::kReciprocal: y = 1 / x.v, lip = amin > 0 ? 1 / (amin * amin) : inf; break;
    case fp::ActFunc::kRsqrt:
      y = 1 / std::sqrt(x.v), lip = lo > 0 ? 0.5 / (lo * std::sqrt(lo)) : inf;
      if (x.e == 0) lip = 0;
      break;
  }
  const double propagated = x.e == 0 ? 0 : lip * x.e;
  // k ulp of the result at the computed argument: ulp <= 2^-23 |y| (normal) or 2^-149.
  return {y, propagated + k * (0x1p-23 * (std::fabs(y) + propagated) + 0x1p-149) + absolute + kRef * std::fabs(y)};
}

Ev ev_reciprocal_floor(Ev x, double floor) {
  if (x.v - x.e >= floor) return ev_act(fp::ActFunc::kReciprocal, x);
  const double y = 1 / x.v, propagated = x.e / (floor * floor);
  return {y, propagated + 4 * (0x1p-23 * (std::fabs(y) + propagated) + 0x1p-149) + kRef * std::fabs(y)};
}

Ev ev_exp_nonpositive(Ev x) {
  if (x.v + x.e <= 0) return ev_act(fp::ActFunc::kExp, x);
  const double y = std::exp(x.v), propagated = x.e;  // sup exp' on (-inf, 0] is 1
  return {y, propagated + 4 * (0x1p-23 * (std::fabs(y) + propagated) + 0x1p-149) + kRef * std::fabs(y)};
}

std::vector<double> values(const HostTensor& t) {
  std::vector<double> v(t.elements());
  for (uint64_t i = 0; i < v.size(); ++i) v[i] = t.value(i);
  return v;
}

Check compare(const std::map<std::string, HostTensor>& outputs, const Reference& ref, const std::string& bound) {
  Check check;
  check.vs = "fp64";
  check.bound = bound;
  for (const auto& [name, expect] : ref) {
    const auto it = outputs.find(name);
    if (it == outputs.end() || it->second.elements() != expect.size()) {
      check.pass = false;
      continue;
    }
    for (uint64_t i = 0; i < expect.size(); ++i) {
      const float got = it->second.value(i);
      const Ev& r = expect[i];
      if (!std::isfinite(r.v) || !std::isfinite(r.e) || !std::isfinite(got)) {
        const bool same = std::isfinite(r.e) && fp::bits_of(got) == fp::bits_of(static_cast<float>(r.v));
        check.pass = check.pass && same;
        if (!same) check.max_ulp = UINT32_MAX;
        continue;
      }
      const double err = std::fabs(static_cast<double>(got) - r.v);
      check.pass = check.pass && err <= r.e;
      check.max_abs_err = std::max(check.max_abs_err, err);
      if (r.v != 0) check.max_rel_err = std::max(check.max_rel_err, err / std::fabs(r.v));
      check.max_ulp = std::max(check.max_ulp, ulp_distance(it->second.dtype, got, static_cast<float>(r.v)));
    }
  }
  return check;
}

double flag(const std::map<std::string, double>& flags, const std::string& name) {
  const auto it = flags.find(name);
  if (it == flags.end()) throw std::out_of_range("kernel flag " + name + " missing");
  return it->second;
}

uint64_t iflag(const std::map<std::string, double>& flags, const std::string& name) {
  const double v = flag(flags, name);
  if (!(v >= 1) || v != std::floor(v) || v > 0x1p40) throw InputError(fmt::format("--{} must be an integer >= 1, not {}", name, v));
  return static_cast<uint64_t>(v);
}

}  // namespace tessera::kernels

namespace tessera::kernels {

uint32_t fit_free(const CoreConfig& config, unsigned tiles, unsigned cols, uint64_t want, uint64_t cap,
                  const char* what) {
  const uint64_t reserve = uint64_t{cols} * 64;
  const uint64_t avail = config.sbuf_bytes_per_partition > reserve ? config.sbuf_bytes_per_partition - reserve : 0;
  const uint64_t f = avail / tiles / 64 * 16;
  if (f == 0)
    throw InputError(fmt::format("{} needs {} tiles: the SBUF of config {} ({} bytes per partition) is too small", what,
                                 tiles, config.name, config.sbuf_bytes_per_partition));
  return static_cast<uint32_t>(std::max<uint64_t>(1, std::min({f, want, cap})));
}

Ev ev_sum(const std::vector<Ev>& terms) {
  double v = 0, e = 0, mag = 0;
  for (const Ev& t : terms) {
    v += t.v;
    e += t.e;
    mag += std::fabs(t.v) + t.e;
  }
  const double nu = static_cast<double>(terms.empty() ? 0 : terms.size() - 1) * kU;
  const double gamma = nu / (1 - nu);
  return {v, e + gamma * mag + static_cast<double>(terms.size()) * (0x1p-150 + kRef * mag)};
}

}  // namespace tessera::kernels
