// Shared pieces of the training kernels (docs/kernels.md): free functions that emit the act and
// dve instructions through the kernel builder, DRAM access patterns for vectors and broadcasts,
// and the running error analysis that turns an instruction sequence into a per-element error
// bound against double precision.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "builder.hpp"
#include "check.hpp"
#include "host_tensor.hpp"
#include "numerics/activation.hpp"

namespace tessera::kernels {

// --- instruction helpers (the builder places the semaphores) ---------------------------------

isa::Scalar imm(float v);
// Column j of an fp32 tile: one value per partition of the instruction's destination.
isa::Scalar col_of(const Tile& t, uint32_t j = 0);
isa::Col col_addr(const Tile& t, uint32_t j = 0);

// y = func(x * scale + bias) (mul then add, each fp32 RNE); with `reduce`, the left-to-right fp32
// sum of y along the free dimension goes to column `reduce_dst`.
void act(KernelBuilder& b, fp::ActFunc func, const isa::Ap& dst, const isa::Ap& src, isa::Scalar scale = imm(1.0f),
         isa::Scalar bias = imm(0.0f), const isa::Col* reduce_dst = nullptr);
// dst = op(a, b); op: add, sub (a - b), rsub (b - a), mul, max, min.
void tt(KernelBuilder& b, std::string_view op, const isa::Ap& dst, const isa::Ap& a, const isa::Ap& bb);
// dst = op1(op0(src, s0), s1).
void ts(KernelBuilder& b, const isa::Ap& dst, const isa::Ap& src, std::string_view op0, isa::Scalar s0,
        std::string_view op1 = "bypass", isa::Scalar s1 = imm(0.0f));
// dst[P,1] = reduction of src along the free dimension, left to right.
void reduce(KernelBuilder& b, std::string_view op, const isa::Ap& dst, const isa::Ap& src);
void memset(KernelBuilder& b, const isa::Ap& dst, float value);

// --- DRAM patterns on row-major tensors -------------------------------------------------------

// Elements [e0, e0 + parts * f) of a tensor read as `parts` partitions of f consecutive elements.
isa::Ap dram_block(const DramTensor& t, uint64_t e0, uint32_t parts, uint32_t f);
// Elements [e0, e0 + n) of a tensor repeated for each of `parts` partitions (a stride-0 dimension).
isa::Ap dram_bcast(const DramTensor& t, uint64_t e0, uint32_t parts, uint64_t n);

// The pieces [e0, e0 + parts * f) of a flat range [0, n) tiled by `rows` partitions x f elements:
// whole tiles, then the full partitions of the remainder, then its last partial partition.
struct FlatPiece {
  uint64_t e0;
  uint32_t parts, f;
};
std::vector<FlatPiece> flat_pieces(uint64_t n, uint32_t rows, uint32_t f);

// DMA queues split between loads (the first load_tenths / 10 of them, default half) and stores (the
// rest): a queue executes in order, and a store, which waits for its results, would hold the
// loads behind it. load() and store() split a transfer of `parts` partitions by partitions over
// their share, one piece per queue (an optimizer moves up to 28 bytes per parameter through the
// DMA), and call `piece(p0, np, queue)` for each; load_queue() and store_queue() give single
// transfers the next queue of a share. One config queue: everything on queue 0.
class SplitQueues {
 public:
  using Piece = std::function<void(uint32_t p0, uint32_t np, unsigned queue)>;
  // `load_tenths`: the loads' share of the queues in tenths (at least one queue).
  SplitQueues(const KernelBuilder& b, const CoreConfig& config, unsigned load_tenths = 5);
  unsigned load_queue() { return load_next_++ % n_load_; }
  unsigned store_queue() { return n_load_ == nq_ ? 0u : n_load_ + store_next_++ % (nq_ - n_load_); }
  void load(uint32_t parts, const Piece& piece);
  // `max_pieces` (0: no limit) caps the pieces below one per queue of the share.
  void store(uint32_t parts, const Piece& piece, uint64_t max_pieces = 0);

 private:
  const KernelBuilder& b_;
  unsigned nq_, n_load_, load_next_ = 0, store_next_ = 0;
};

// --- running error analysis -------------------------------------------------------------------

// A value of the kernel's computation: `v` is the exact (real) value computed in double, `e` a
// bound on |fp32 value the kernel computes - v|. Every fp32 operation is modelled as
// |fl(z) - z| <= u |z| + 2^-150 (u = 2^-24, RNE, subnormals kept), every activation function as
// within k ulp of the function of its (rounded) input, k the target of docs/activation.md
// (4; 8 for gelu_tanh and silu), plus the propagation of the input error through the
// function's derivative (its supremum over [v - e, v + e]). The double reference's own
// rounding is covered by 2^-50 |v| per operation.
struct Ev {
  double v = 0, e = 0;
};
constexpr double kU = 0x1p-24;
inline Ev ev_exact(double v) { return {v, 0}; }
// A constant the kernel stores as the fp32 `stored` for the real `real`.
inline Ev ev_const(double real, float stored) { return {real, std::fabs(real - static_cast<double>(stored))}; }
Ev ev_add(Ev a, Ev b);
Ev ev_sub(Ev a, Ev b);
Ev ev_mul(Ev a, Ev b);
// An exact operation on the computed values (max, min: no rounding).
Ev ev_max(Ev a, Ev b);
// PyTorch's gelu(approximate='tanh') and its derivative, written directly in double (the
// references' values; independent of the engine's sigmoid form).
double gelu_tanh(double x);
double gelu_tanh_grad(double x);
// activation `func` applied to an already formed argument x (the caller models x * scale + bias).
Ev ev_act(fp::ActFunc func, Ev x);
// reciprocal (4 ulp) when both the kernel's argument and the exact one are known to be >= floor
// > 0: the derivative is then at most 1 / floor^2 even where [v - e, v + e] reaches below it.
Ev ev_reciprocal_floor(Ev x, double floor);
// exp (4 ulp) when both arguments are known to be <= 0 (x - max x): the derivative is <= 1.
Ev ev_exp_nonpositive(Ev x);

// The reference of one output: expected value and bound per element.
using Reference = std::map<std::string, std::vector<Ev>>;

// Compares every element of every output named in `ref`; fails an element when
// |got - v| > e (non-finite: bits must match the rounded reference). `bound` describes the bound.
Check compare(const std::map<std::string, HostTensor>& outputs, const Reference& ref, const std::string& bound);

// Values of a host tensor as doubles.
std::vector<double> values(const HostTensor& t);

// A float-valued flag (throws std::out_of_range if absent: the registry supplies defaults).
double flag(const std::map<std::string, double>& flags, const std::string& name);
uint64_t iflag(const std::map<std::string, double>& flags, const std::string& name);

}  // namespace tessera::kernels

namespace tessera::kernels {
// The largest free size f (a multiple of 16, at most `cap` and at least 1) such that `tiles`
// fp32 tiles of f elements plus `cols` single-column tiles still fit one SBUF partition;
// InputError naming `what` if not even f = 1 fits.
uint32_t fit_free(const CoreConfig& config, unsigned tiles, unsigned cols, uint64_t want, uint64_t cap = 2048,
                  const char* what = "the kernel");
// Order-independent bound of a sum of terms with values v_i and errors e_i evaluated by
// n - 1 fp32 additions in any order: sum v_i with error sum e_i + g(n-1) sum (|v_i| + e_i) + ...
Ev ev_sum(const std::vector<Ev>& terms);
}  // namespace tessera::kernels
