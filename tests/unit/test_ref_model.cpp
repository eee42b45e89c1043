// The reference model: instruction semantics of SPEC section 3/4 on small hand-made programs.
#include <catch2/catch.hpp>
#include <cstring>

#include "common/errors.hpp"
#include "config/core_config.hpp"
#include "isa/program.hpp"
#include "numerics/xorshift32.hpp"
#include "ref/core_model.hpp"

using namespace tessera;
using isa::Space;

namespace {

float get(ref::CoreModel& m, Space s, uint32_t p, uint64_t off) {
  float f;
  std::memcpy(&f, m.onchip(s, p, off), 4);
  return f;
}
void put(ref::CoreModel& m, Space s, uint32_t p, uint64_t off, float f) { std::memcpy(m.onchip(s, p, off), &f, 4); }

isa::Program program(const std::string& text) { return isa::parse_tasm(text, "test.tasm"); }

}  // namespace

TEST_CASE("matmul accumulates k in increasing order from +0 with unfused fp32 steps", "[ref]") {
  ref::CoreModel m(preset("tiny"), 1);
  // stationary [K=4, M=1] = 1e8, 1, -1e8, 1 ; moving [K=4, N=1] = 1. In order:
  // ((0 + 1e8) + 1) - 1e8 + 1 = 1, because 1e8 + 1 rounds back to 1e8 in fp32.
  const float s[4] = {1e8f, 1.0f, -1e8f, 1.0f};
  for (uint32_t k = 0; k < 4; ++k) {
    put(m, Space::kSbuf, k, 0, s[k]);
    put(m, Space::kSbuf, k, 64, 1.0f);
  }
  put(m, Space::kPsum, 0, 0, 100.0f);
  m.run(program(".engine pe\n"
                "load_stationary src=sbuf[0:4]@0x0:fp32[1x1]\n"
                "multiply_moving dst=psum[0:1]@0x0:fp32[1x1] src=sbuf[0:4]@0x40:fp32[1x1] acc=1\n"
                "multiply_moving dst=psum[0:1]@0x4:fp32[1x1] src=sbuf[0:4]@0x40:fp32[1x1] acc=0\n"));
  CHECK(get(m, Space::kPsum, 0, 0) == 101.0f);  // accumulate: 100 + 1
  CHECK(get(m, Space::kPsum, 0, 4) == 1.0f);    // overwrite
}

TEST_CASE("a missing signal is a deadlock reported with every engine's state", "[ref]") {
  ref::CoreModel m(preset("tiny"), 1);
  const isa::Program p = program(".engine dve\n"
                                 "memset dst=sbuf[0:4]@0x0:fp32[4x1] value=1 signal=s2\n"
                                 ".engine act\n"
                                 "activation func=exp dst=sbuf[0:4]@0x40:fp32[4x1] src=sbuf[0:4]@0x0:fp32[4x1] "
                                 "scale=1 bias=0 wait=s5>=1\n");
  try {
    m.run(p);
    FAIL("no deadlock reported");
  } catch (const SimError& e) {
    const std::string msg = e.what();
    CHECK_THAT(msg, Catch::StartsWith("deadlock"));
    CHECK_THAT(msg, Catch::Contains("dve: done"));
    CHECK_THAT(msg, Catch::Contains("act: instruction 0 waits for s5 >= 1 (s5 = 0)"));
  }
}

TEST_CASE("semaphores order engines: the consumer sees the producer's data", "[ref]") {
  ref::CoreModel m(preset("tiny"), 1);
  // The act queue comes first in the program, so without its wait it would read zeros.
  m.run(program(".engine act\n"
                "activation func=identity dst=sbuf[0:4]@0x40:fp32[4x1] src=sbuf[0:4]@0x0:fp32[4x1] scale=2 bias=1 "
                "wait=s2>=1\n"
                ".engine dve\n"
                "memset dst=sbuf[0:4]@0x0:fp32[4x1] value=3 signal=s2\n"));
  for (uint32_t p = 0; p < 4; ++p) CHECK(get(m, Space::kSbuf, p, 0x40 + 12) == 7.0f);
}

TEST_CASE("reductions run left to right from the first element", "[ref]") {
  ref::CoreModel m(preset("tiny"), 1);
  const float v[4] = {1e8f, 1.0f, 1.0f, -1e8f};  // left to right: 0; right to left: 2
  for (uint32_t i = 0; i < 4; ++i) put(m, Space::kSbuf, 0, 4 * i, v[i]);
  m.run(program(".engine dve\n"
                "tensor_reduce op=add dst=sbuf[0:1]@0x40:fp32[1x1] src=sbuf[0:1]@0x0:fp32[4x1]\n"
                "tensor_reduce op=max dst=sbuf[0:1]@0x44:fp32[1x1] src=sbuf[0:1]@0x0:fp32[4x1]\n"
                ".engine act\n"
                "activation func=identity dst=sbuf[0:1]@0x80:fp32[4x1] src=sbuf[0:1]@0x0:fp32[4x1] scale=1 bias=0 "
                "reduce=1 reduce_dst=sbuf@0x48\n"));
  CHECK(get(m, Space::kSbuf, 0, 0x40) == 0.0f);
  CHECK(get(m, Space::kSbuf, 0, 0x44) == 1e8f);
  CHECK(get(m, Space::kSbuf, 0, 0x48) == 0.0f);
}

TEST_CASE("stochastic tensor_copy follows the per-lane generator", "[ref]") {
  constexpr uint64_t kSeed = 99;
  ref::CoreModel m(preset("tiny"), kSeed);
  const float x = 1.0f + 0x1p-9f;  // between two bf16 values: 1/4 of the way up
  for (uint32_t p = 0; p < 4; ++p)
    for (uint32_t i = 0; i < 16; ++i) put(m, Space::kSbuf, p, 4 * i, x);
  m.run(program(".engine dve\n"
                "tensor_copy dst=sbuf[0:4]@0x100:bf16[16x1] src=sbuf[0:4]@0x0:fp32[16x1] rounding=sr\n"
                "tensor_copy dst=sbuf[0:4]@0x200:bf16[16x1] src=sbuf[0:4]@0x0:fp32[16x1] rounding=rne\n"));
  for (uint32_t p = 0; p < 4; ++p) {
    fp::Xorshift32 lane = fp::Xorshift32::for_lane(kSeed, p);
    for (uint32_t i = 0; i < 16; ++i) {
      uint16_t got, rne;
      std::memcpy(&got, m.onchip(Space::kSbuf, p, 0x100 + 2 * i), 2);
      std::memcpy(&rne, m.onchip(Space::kSbuf, p, 0x200 + 2 * i), 2);
      CHECK(got == fp::narrow(fp::Format::kBf16, fp::bits_of(x), fp::Rounding::kStochastic, lane.next()));
      CHECK(rne == 0x3F80);
    }
  }
}

TEST_CASE("dma casts with RNE and transposing patterns move the right elements", "[ref]") {
  ref::CoreModel m(preset("tiny"), 1);
  // DRAM holds a 2x3 fp32 matrix; load its transpose [3 partitions, 2] as bf16, then store back.
  const float a[6] = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 1.0f + 0x1p-8f + 0x1p-12f};
  m.dram().write(0, a, sizeof a);
  m.run(program(".engine dma0\n"
                "dma_copy dst=sbuf[0:3]@0x0:bf16[2x1] src=dram@0x0:fp32[3x4,2x12] signal=s3\n"
                ".engine dma1\n"
                "dma_copy dst=dram@0x100:fp32[6x4] src=sbuf[0:3]@0x0:bf16[2x1] wait=s3>=1\n"));
  float back[6];
  m.dram().read(0x100, back, sizeof back);
  // Partition k holds column k: (a[0][k], a[1][k]).
  CHECK(back[0] == 1.0f);
  CHECK(back[1] == 4.0f);
  CHECK(back[2] == 2.0f);
  CHECK(back[3] == 5.0f);
  CHECK(back[4] == 3.0f);
  CHECK(back[5] == 1.0f + 0x1p-7f);  // RNE to bf16: above the midpoint
}

TEST_CASE("transpose and the vector ALU", "[ref]") {
  ref::CoreModel m(preset("tiny"), 1);
  for (uint32_t p = 0; p < 2; ++p)
    for (uint32_t f = 0; f < 3; ++f) put(m, Space::kSbuf, p, 4 * f, static_cast<float>(10 * p + f));
  put(m, Space::kSbuf, 0, 0x80, 5.0f);
  put(m, Space::kSbuf, 1, 0x80, -5.0f);
  m.run(program(".engine dve\n"
                "transpose dst=sbuf[0:3]@0x40:fp32[2x1] src=sbuf[0:2]@0x0:fp32[3x1]\n"
                "tensor_scalar op0=mul s0=2 op1=rsub s1=sbuf@0x80 dst=sbuf[0:2]@0xc0:fp32[3x1] src=sbuf[0:2]@0x0:fp32[3x1]\n"
                "tensor_tensor op=max dst=sbuf[0:2]@0x100:fp32[3x1] a=sbuf[0:2]@0x0:fp32[3x1] b=sbuf[0:2]@0xc0:fp32[3x1]\n"));
  for (uint32_t p = 0; p < 2; ++p)
    for (uint32_t f = 0; f < 3; ++f) {
      const float x = static_cast<float>(10 * p + f);
      CHECK(get(m, Space::kSbuf, f, 0x40 + 4 * p) == x);
      const float s1 = p == 0 ? 5.0f : -5.0f;
      CHECK(get(m, Space::kSbuf, p, 0xc0 + 4 * f) == s1 - 2 * x);
      CHECK(get(m, Space::kSbuf, p, 0x100 + 4 * f) == std::max(x, s1 - 2 * x));
    }
}

TEST_CASE("validation rejects what the hardware cannot do", "[ref]") {
  ref::CoreModel m(preset("tiny"), 1);
  auto error_of = [&](const std::string& text) {
    try {
      m.validate(program(text));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // tiny: 4 partitions, N max 16, PSUM bank 64 bytes per partition, 4 KiB SBUF per partition.
  CHECK_THAT(error_of(".engine pe\nload_stationary src=sbuf[0:4]@0x0:bf16[4x1]\n"
                      "multiply_moving dst=psum[0:4]@0x20:fp32[16x1] src=sbuf[0:4]@0x0:bf16[16x1]\n"),
             Catch::Contains("overflow PSUM bank"));
  CHECK_THAT(error_of(".engine pe\nmultiply_moving dst=psum[0:4]@0x0:fp32[4x1] src=sbuf[0:4]@0x0:bf16[4x1]\n"),
             Catch::Contains("no load_stationary"));
  CHECK_THAT(error_of(".engine pe\nload_stationary src=sbuf[0:4]@0x0:bf16[4x1]\n"
                      "multiply_moving dst=psum[0:4]@0x0:fp32[32x1] src=sbuf[0:4]@0x0:bf16[32x1]\n"),
             Catch::Contains("exceeds N max 16"));
  CHECK_THAT(error_of(".engine dve\nmemset dst=sbuf[0:8]@0x0:fp32[4x1] value=0\n"), Catch::Contains("partitions [0, 8)"));
  CHECK_THAT(error_of(".engine dve\nmemset dst=sbuf[0:4]@0xffc:fp32[2x1] value=0\n"), Catch::Contains("touches bytes"));
  CHECK_THAT(error_of(".engine dve\nmemset dst=sbuf[0:4]@0x4:fp32[2x-4] value=0\n"), Catch::Contains("touches bytes [-12"));
  CHECK_THAT(error_of(".engine dve\nmemset dst=sbuf[0:4]@0x2:fp32[2x1] value=0\n"), Catch::Contains("not aligned"));
  CHECK_THAT(error_of(".engine dma5\ndma_copy dst=sbuf[0:4]@0x0:fp32[1x1] src=dram@0x0:fp32[4x4]\n"),
             Catch::Contains("config tiny has 2 DMA queues"));
  CHECK_THAT(error_of(".engine dma0\ndma_copy dst=sbuf[0:4]@0x0:fp32[1x1] src=dram@0xfffffff0:fp32[4x4]\n"),
             Catch::Contains("outside the 16777216-byte DRAM"));
  CHECK_THAT(error_of(".engine dma0\ndma_copy dst=sbuf[0:4]@0x0:fp32[2x1] src=dram@0x0:fp32[4x4]\n"),
             Catch::Contains("dst has 8 elements but src has 4"));
}
