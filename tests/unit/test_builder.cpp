// The kernel builder's semaphores: a double-buffered loop gets the waits it needs, no more.
#include <catch2/catch.hpp>

#include "config/core_config.hpp"
#include "kernels/builder.hpp"
#include "kernels/runner.hpp"

using namespace tessera;
using kernels::KernelBuilder;

namespace {

struct WaitOf {
  bool en;
  unsigned sem;
  uint32_t value;
};

WaitOf wait_of(const isa::Instruction& i) { return {i.wait_en, i.wait_sem, i.wait_value}; }

// s0 pe, s1 act, s2 dve, s3.. dma0.. (the builder's fixed numbering)
constexpr unsigned kDve = 2, kDma0 = 3, kDma1 = 4;

}  // namespace

TEST_CASE("double-buffered copy loop: exactly the RAW and WAR waits", "[builder]") {
  const CoreConfig& cfg = preset("tiny");
  constexpr uint32_t kIters = 6, kCols = 8;
  KernelBuilder b(cfg);
  const kernels::DramTensor x = b.dram_tensor("x", fp::Format::kFp32, {kIters * cfg.rows, kCols}, isa::TensorIo::kIn);
  const kernels::DramTensor y = b.dram_tensor("y", fp::Format::kFp32, {kIters * cfg.rows, kCols}, isa::TensorIo::kOut);
  const auto rows = static_cast<uint32_t>(cfg.rows);
  kernels::Tile in[2], out[2];
  for (int i = 0; i < 2; ++i) {
    in[i] = b.sbuf_tile(fp::Format::kFp32, rows, kCols);
    out[i] = b.sbuf_tile(fp::Format::kFp32, rows, kCols);
  }
  for (uint32_t i = 0; i < kIters; ++i) {
    b.dma(in[i % 2].ap(), x.rows(i * rows, rows, 0, kCols), 0);
    b.tensor_copy(out[i % 2].ap(), in[i % 2].ap());
    b.dma(y.rows(i * rows, rows, 0, kCols), out[i % 2].ap(), 1);
  }
  const isa::Program p = b.finish();
  const auto& loads = p.queues.at(0);
  const auto& dve = p.queues.at(1);
  const auto& stores = p.queues.at(2);
  REQUIRE(loads.engine == "dma0");
  REQUIRE(dve.engine == "dve");
  REQUIRE(stores.engine == "dma1");
  REQUIRE(loads.insts.size() == kIters);
  REQUIRE(stores.insts.size() == kIters);
  // dve: copy i needs load i (RAW); from i = 2 also store i-2 (WAR on out[i%2]), which no
  // earlier wait implies, so it gets one nop in front: 2 + 2 * (kIters - 2) slots.
  REQUIRE(dve.insts.size() == kIters + (kIters - 2));

  size_t slot = 0;
  for (uint32_t i = 0; i < kIters; ++i) {
    INFO("iteration " << i);
    // load i: WAR on in[i%2], last read by copy i-2 (the dve's (i-1)th signal).
    const WaitOf lw = wait_of(loads.insts[i]);
    CHECK(lw.en == (i >= 2));
    if (i >= 2) CHECK((lw.sem == kDve && lw.value == i - 1));
    CHECK(loads.insts[i].signal_en);  // every load is waited for by its copy
    CHECK(loads.insts[i].signal_sem == kDma0);
    // Waits in engine order: with two unmet dependencies the nop takes the first (load i on
    // dma0), the copy the second (store i-2, the dma1's (i-1)th signal).
    if (i >= 2) {
      const isa::Instruction& nop = dve.insts[slot++];
      CHECK(nop.op->name == "nop");
      const WaitOf nw = wait_of(nop);
      CHECK((nw.en && nw.sem == kDma0 && nw.value == i + 1));
    }
    const isa::Instruction& copy = dve.insts[slot++];
    CHECK(copy.op->name == "tensor_copy");
    const WaitOf cw = wait_of(copy);
    if (i >= 2) CHECK((cw.en && cw.sem == kDma1 && cw.value == i - 1));
    else CHECK((cw.en && cw.sem == kDma0 && cw.value == i + 1));
    CHECK(copy.signal_en);
    // store i: RAW on out[i%2] from copy i only; it need not wait for load i (implied).
    const WaitOf sw = wait_of(stores.insts[i]);
    CHECK((sw.en && sw.sem == kDve && sw.value == i + 1));
    CHECK(stores.insts[i].signal_en == (i + 2 < kIters));  // only stores a later copy waits for
  }

  // And the program computes y = x on the reference model.
  const auto inputs = kernels::resolve_inputs(p, {}, 7);
  const kernels::RunResult r = kernels::run_ref(cfg, p, inputs, 7);
  CHECK(r.outputs.at("y").bytes == inputs.at("x").bytes);
}

TEST_CASE("independent work on two engines gets no waits", "[builder]") {
  const CoreConfig& cfg = preset("tiny");
  KernelBuilder b(cfg);
  const kernels::DramTensor x = b.dram_tensor("x", fp::Format::kFp32, {4, 8}, isa::TensorIo::kIn);
  const kernels::Tile t0 = b.sbuf_tile(fp::Format::kFp32, 4, 8), t1 = b.sbuf_tile(fp::Format::kFp32, 4, 8);
  const kernels::Tile t2 = b.sbuf_tile(fp::Format::kFp32, 4, 8);
  b.dma(t0.ap(), x.rows(0, 4, 0, 8), 0);
  b.tensor_copy(t2.ap(), t1.ap());  // touches nothing the DMA touches
  const isa::Program p = b.finish();
  for (const auto& q : p.queues)
    for (const auto& i : q.insts) {
      CHECK_FALSE(i.wait_en);
      CHECK_FALSE(i.signal_en);
    }
}

namespace {
// The one dma_copy a builder with this single transfer emits.
isa::Instruction single_dma(const CoreConfig& cfg, fp::Format dt, uint32_t parts, uint32_t cols, uint64_t dram_cols,
                            uint64_t c0, uint32_t f0) {
  KernelBuilder b(cfg);
  const kernels::DramTensor x = b.dram_tensor("x", dt, {parts, dram_cols}, isa::TensorIo::kIn);
  const kernels::Tile t = b.sbuf_tile(dt, parts, cols + f0);
  b.dma(t.ap(0, parts, f0, cols), x.rows(0, parts, c0, cols), 0);
  const isa::Program p = b.finish();
  REQUIRE(p.queues.at(0).insts.size() == 1);
  return p.queues.at(0).insts[0];
}
}  // namespace

TEST_CASE("a bit copy of 1- and 2-byte elements moves as 32-bit words when both patterns allow", "[builder]") {
  const CoreConfig& cfg = preset("small");
  SECTION("bf16 rows of even length: fp32 words, half the count, same bytes") {
    const isa::Instruction i = single_dma(cfg, fp::Format::kBf16, 4, 10, 30, 2, 0);
    const isa::Ap& d = i.ap("dst");
    const isa::Ap& s = i.ap("src");
    CHECK(d.dtype == fp::Format::kFp32);
    CHECK(s.dtype == fp::Format::kFp32);
    CHECK(d.dims[0].count == 5);
    CHECK(d.dims[0].stride == 1);
    CHECK(s.dims[0].count == 4);
    CHECK(s.dims[0].stride == 60);  // the row stride in bytes stays
    CHECK(s.dims[1].count == 5);
    CHECK(s.dims[1].stride == 4);
    CHECK(isa::byte_extent(d).lo == 0);
    CHECK(isa::byte_extent(d).hi == 20);
  }
  SECTION("e4m3 rows of a multiple of 4: four elements per word") {
    const isa::Instruction i = single_dma(cfg, fp::Format::kE4m3, 2, 8, 16, 4, 0);
    CHECK(i.ap("dst").dtype == fp::Format::kFp32);
    CHECK(i.ap("dst").dims[0].count == 2);
    CHECK(i.ap("src").dims[1].count == 2);
  }
  SECTION("an odd row, an unaligned column, an unaligned tile offset or an odd DRAM row stay element copies") {
    CHECK(single_dma(cfg, fp::Format::kBf16, 4, 9, 30, 2, 0).ap("dst").dtype == fp::Format::kBf16);
    CHECK(single_dma(cfg, fp::Format::kBf16, 4, 10, 30, 1, 0).ap("src").dtype == fp::Format::kBf16);
    CHECK(single_dma(cfg, fp::Format::kBf16, 4, 10, 30, 2, 1).ap("dst").dtype == fp::Format::kBf16);
    CHECK(single_dma(cfg, fp::Format::kBf16, 4, 10, 31, 2, 0).ap("src").dtype == fp::Format::kBf16);
    CHECK(single_dma(cfg, fp::Format::kE4m3, 2, 6, 16, 4, 0).ap("dst").dtype == fp::Format::kE4m3);
  }
  SECTION("a cast is never a word copy") {
    KernelBuilder b(cfg);
    const kernels::DramTensor x = b.dram_tensor("x", fp::Format::kFp32, {4, 16}, isa::TensorIo::kIn);
    const kernels::Tile t = b.sbuf_tile(fp::Format::kBf16, 4, 16);
    b.dma(t.ap(), x.rows(0, 4, 0, 16), 0);
    const isa::Program p = b.finish();
    CHECK(p.queues.at(0).insts[0].ap("dst").dtype == fp::Format::kBf16);
    CHECK(p.queues.at(0).insts[0].ap("src").dtype == fp::Format::kFp32);
  }
}
