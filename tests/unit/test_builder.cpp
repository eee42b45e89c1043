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
