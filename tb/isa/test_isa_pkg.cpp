// The generated SystemVerilog ISA package decodes what the C++ encoder writes: both come from
// sim/isa/isa.json by different generators, and this catches either one drifting.
#include <catch2/catch.hpp>
#include <cstring>
#include <memory>
#include <random>

#include "Visa_probe.h"
#include "isa/isa.hpp"
#include "isa/program.hpp"
#include "verilated.h"

using namespace tessera;

namespace {

uint64_t mask(uint64_t v, unsigned bits) { return bits >= 64 ? v : v & ((uint64_t{1} << bits) - 1); }

isa::Ap random_ap(std::mt19937_64& rng, isa::Space space) {
  isa::Ap ap;
  ap.space = space;
  ap.dtype = static_cast<fp::Format>(rng() % 5);
  ap.part = space == isa::Space::kDram ? 0 : static_cast<uint32_t>(rng() % 128);
  ap.parts = space == isa::Space::kDram ? 0 : static_cast<uint32_t>(1 + rng() % 128);
  ap.addr = rng() & ((uint64_t{1} << 40) - 1);
  for (auto& d : ap.dims) d = {static_cast<uint32_t>(1 + rng() % ((1u << 20) - 1)), static_cast<int32_t>(rng() % (1u << 28)) - (1 << 27)};
  return ap;
}

}  // namespace

TEST_CASE("tessera_isa_pkg field positions decode the C++ encoding", "[rtl][isa]") {
  const isa::Isa& isa = isa::Isa::get();
  auto context = std::make_unique<VerilatedContext>();
  Visa_probe probe{context.get()};
  std::mt19937_64 rng(Catch::rngSeed());
  auto feed = [&](const isa::Instruction& inst) {
    const std::vector<uint8_t> word = isa.encode(inst);
    std::memcpy(probe.word_i.data(), word.data(), word.size());
    probe.eval();
    CHECK(probe.opcode_o == inst.op->code);
    CHECK(probe.wait_en_o == inst.wait_en);
    CHECK(probe.wait_sem_o == inst.wait_sem);
    CHECK(probe.wait_value_o == inst.wait_value);
    CHECK(probe.signal_en_o == inst.signal_en);
    CHECK(probe.signal_sem_o == inst.signal_sem);
  };
  for (int i = 0; i < 200; ++i) {
    isa::Instruction mm = isa.make("multiply_moving");
    mm.wait_en = true;
    mm.wait_sem = rng() % 64;
    mm.wait_value = static_cast<uint32_t>(rng());
    mm.signal_en = rng() & 1;
    mm.signal_sem = mm.signal_en ? rng() % 64 : 0;
    const isa::Ap dst = random_ap(rng, isa::Space::kPsum), src = random_ap(rng, isa::Space::kSbuf);
    mm.set("dst", dst);
    mm.set("src", src);
    mm.set("acc", uint64_t{rng() & 1});
    feed(mm);
    CHECK(probe.mm_acc_o == mm.u("acc"));
    CHECK(probe.mm_dst_addr_o == dst.addr);
    CHECK(probe.mm_dst_part_o == dst.part);
    CHECK(probe.mm_dst_parts_o == dst.parts);
    CHECK(probe.mm_src_n0_o == src.dims[0].count);
    CHECK(probe.mm_src_s0_o == mask(static_cast<uint64_t>(static_cast<int64_t>(src.dims[0].stride)), 28));

    isa::Instruction act = isa.make("activation");
    act.set("func", uint64_t{rng() % 10});
    act.set("dst", random_ap(rng, isa::Space::kSbuf));
    act.set("src", random_ap(rng, isa::Space::kPsum));
    isa::Scalar scale, bias;
    scale.imm = static_cast<uint32_t>(rng());
    bias.is_col = true;
    bias.col = {isa::Space::kSbuf, static_cast<uint32_t>(rng() % (1u << 24))};
    act.set("scale", scale);
    act.set("bias", bias);
    act.set("reduce", uint64_t{1});
    act.set("reduce_dst", isa::Col{isa::Space::kSbuf, static_cast<uint32_t>(rng() % (1u << 24))});
    feed(act);
    CHECK(probe.act_func_o == act.u("func"));
    CHECK(probe.act_scale_imm_o == scale.imm);
    CHECK(probe.act_bias_is_col_o == 1);
    CHECK(probe.act_reduce_dst_addr_o == act.col("reduce_dst").addr);

    isa::Instruction dma = isa.make("dma_copy");
    const isa::Ap dsrc = random_ap(rng, isa::Space::kDram);
    dma.set("dst", random_ap(rng, isa::Space::kSbuf));
    dma.set("src", dsrc);
    feed(dma);
    CHECK(probe.dma_src_dtype_o == static_cast<uint32_t>(dsrc.dtype));
    CHECK(probe.dma_dst_space_o == static_cast<uint32_t>(isa::Space::kSbuf));
    CHECK(probe.dma_src_n2_o == dsrc.dims[2].count);
    CHECK(probe.dma_src_s2_o == mask(static_cast<uint64_t>(static_cast<int64_t>(dsrc.dims[2].stride)), 28));

    isa::Instruction copy = isa.make("tensor_copy");
    copy.set("dst", random_ap(rng, isa::Space::kSbuf));
    copy.set("src", random_ap(rng, isa::Space::kSbuf));
    copy.set("rounding", uint64_t{rng() & 1});
    feed(copy);
    CHECK(probe.copy_rounding_o == copy.u("rounding"));

    isa::Instruction ms = isa.make("memset");
    ms.set("dst", random_ap(rng, isa::Space::kSbuf));
    ms.set("value", uint64_t{static_cast<uint32_t>(rng())});
    feed(ms);
    CHECK(probe.memset_value_o == ms.u("value"));
  }
  probe.final();
}
