// The ISA: binary encoding and .tasm text round-trip for every opcode, with random operands.
#include <catch2/catch.hpp>
#include <random>
#include <set>

#include "common/errors.hpp"
#include "isa/isa.hpp"
#include "isa/program.hpp"

using namespace tessera;
using isa::Ap;

namespace {

Ap random_ap(std::mt19937& rng) {
  Ap ap;
  ap.space = static_cast<isa::Space>(rng() % 3);
  ap.dtype = static_cast<fp::Format>(rng() % 5);
  if (ap.space == isa::Space::kDram) {
    ap.part = 0, ap.parts = 0;
  } else {
    ap.part = rng() % 128;
    ap.parts = 1 + rng() % 128;
  }
  ap.addr = (static_cast<uint64_t>(rng()) << 8 | (rng() & 0xFF)) & ((uint64_t{1} << 40) - 1);
  const unsigned ndims = rng() % 4;
  for (unsigned d = 0; d < ndims; ++d)
    ap.dims[d] = {1 + static_cast<uint32_t>(rng() % ((1u << 20) - 1)),
                  static_cast<int32_t>(rng() % (1u << 28)) - (1 << 27)};
  return ap;
}

isa::Instruction random_instruction(std::mt19937& rng, const isa::OpcodeDef& op) {
  const isa::Isa& isa = isa::Isa::get();
  isa::Instruction inst = isa.make(op.name);
  for (size_t i = 0; i < op.fields.size(); ++i) {
    const isa::FieldDef& f = op.fields[i];
    if (f.type == "ap") {
      inst.args[i] = random_ap(rng);
    } else if (f.type == "col") {
      inst.args[i] = isa::Col{static_cast<isa::Space>(1 + rng() % 2), static_cast<uint32_t>(rng() % (1u << 24))};
    } else if (f.type == "scalar") {
      isa::Scalar s;
      s.is_col = rng() & 1;
      if (s.is_col) s.col = isa::Col{isa::Space::kPsum, static_cast<uint32_t>(4 * (rng() % 1000))};
      else s.imm = static_cast<uint32_t>(rng());
      inst.args[i] = s;
    } else if (f.enum_values) {
      inst.args[i] = uint64_t{rng() % f.enum_values->size()};
    } else if (f.type == "f32") {
      inst.args[i] = uint64_t{static_cast<uint32_t>(rng())};
    } else {
      inst.args[i] = uint64_t{rng() % (uint64_t{1} << f.bits)};
    }
  }
  inst.wait_en = rng() & 1;
  inst.wait_sem = inst.wait_en ? rng() % isa.semaphores() : 0;
  inst.wait_value = inst.wait_en ? static_cast<uint32_t>(rng()) : 0;
  inst.signal_en = rng() & 1;
  inst.signal_sem = inst.signal_en ? rng() % isa.semaphores() : 0;
  return inst;
}

}  // namespace

TEST_CASE("every opcode round-trips through binary and text with random operands", "[isa]") {
  const uint32_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  const isa::Isa& isa = isa::Isa::get();
  for (const isa::OpcodeDef& op : isa.opcodes()) {
    for (int i = 0; i < 300; ++i) {
      const isa::Instruction inst = random_instruction(rng, op);
      const std::string text = isa::to_text(inst);
      INFO(text);
      const std::vector<uint8_t> word = isa.encode(inst);
      REQUIRE(word.size() == isa.word_bytes());
      REQUIRE(isa.decode(word.data()) == inst);
      const isa::Instruction parsed = isa::parse_instruction(text);
      REQUIRE(parsed == inst);
      REQUIRE(isa.encode(parsed) == word);
    }
  }
}

TEST_CASE("opcodes and enums come from isa.json and are unique", "[isa]") {
  const isa::Isa& isa = isa::Isa::get();
  std::set<unsigned> codes;
  for (const isa::OpcodeDef& op : isa.opcodes()) CHECK(codes.insert(op.code).second);
  for (const char* name : {"nop", "load_stationary", "multiply_moving", "activation", "tensor_tensor", "tensor_scalar",
                           "tensor_reduce", "tensor_copy", "memset", "transpose", "dma_copy"})
    CHECK(isa.find(name) != nullptr);
  CHECK(isa.enum_values("dtype").size() == 5);
  CHECK(isa.word_bytes() == 128);
}

TEST_CASE("access pattern text: forms and errors", "[isa]") {
  const Ap a = isa::parse_ap("sbuf[4:20]@0x40:bf16[3x-2,16x1]");
  CHECK(a.space == isa::Space::kSbuf);
  CHECK(a.part == 4);
  CHECK(a.parts == 16);
  CHECK(a.addr == 0x40);
  CHECK(a.dtype == fp::Format::kBf16);
  CHECK(a.dims[0].count == 3);
  CHECK(a.dims[0].stride == -2);
  CHECK(a.dims[1].count == 16);
  CHECK(a.dims[2].count == 1);
  CHECK(a.free_size() == 48);
  CHECK(isa::ap_to_text(a) == "sbuf[4:20]@0x40:bf16[3x-2,16x1]");
  const Ap d = isa::parse_ap("dram@4096:fp32[8x64]");
  CHECK(d.space == isa::Space::kDram);
  CHECK(isa::ap_to_text(d) == "dram@0x1000:fp32[8x64]");
  for (const char* bad : {"sbuf@0x0:fp32[4x1]", "sbuf[4:4]@0:fp32[1x1]", "dram[0:1]@0:fp32[1x1]",
                          "sbuf[0:4]@0:fp64[1x1]", "sbuf[0:4]@0:fp32[0x1]", "sbuf[0:4]@0:fp32[1x1,1x1,1x1,1x1]",
                          "sbuf[0:4]@zz:fp32[1x1]", "hbm@0:fp32[1x1]", "sbuf[0:4]@0:fp32[4]", "sbuf[0:4]@0:fp32[4x1,]"}) {
    INFO(bad);
    CHECK_THROWS_AS(isa::parse_ap(bad), InputError);
  }
}

TEST_CASE("instruction text errors", "[isa]") {
  CHECK_THROWS_WITH(isa::parse_instruction("frob x=1"), Catch::Contains("unknown instruction 'frob'"));
  CHECK_THROWS_WITH(isa::parse_instruction("load_stationary"), Catch::Contains("needs operand 'src'"));
  CHECK_THROWS_WITH(isa::parse_instruction("load_stationary src=sbuf[0:4]@0:bf16[4x1] foo=1"),
                    Catch::Contains("no operand 'foo'"));
  CHECK_THROWS_WITH(isa::parse_instruction("load_stationary src=sbuf[0:4]@0:bf16[4x1] src=sbuf[0:4]@0:bf16[4x1]"),
                    Catch::Contains("given twice"));
  CHECK_THROWS_WITH(isa::parse_instruction("nop wait=s64>=1"), Catch::Contains("beyond s63"));
  CHECK_THROWS_WITH(isa::parse_instruction("nop wait=s1"), Catch::Contains("wait=sN>=VALUE"));
  CHECK_THROWS_WITH(isa::parse_instruction("multiply_moving dst=psum[0:4]@0:fp32[4x1] src=sbuf[0:4]@0:bf16[4x1] acc=2"),
                    Catch::Contains("does not fit"));
  CHECK_THROWS_WITH(isa::parse_instruction("load_stationary src=sbuf[0:300]@0:bf16[4x1]"), Catch::Contains("beyond 256"));
  CHECK_THROWS_WITH(isa::parse_instruction("tensor_copy dst=sbuf[0:4]@0:bf16[4x1] src=sbuf[0:4]@0:bf16[4x1] rounding=up"),
                    Catch::Contains("not a valid rounding"));
}

TEST_CASE("programs round-trip through .tasm and binary", "[isa]") {
  const std::string text =
      "# two engines\n"
      ".tensor x dram@0x0:bf16[4,8] in\n"
      ".tensor y dram@0x100:fp32[4,8] out\n"
      ".engine dma0\n"
      "dma_copy dst=sbuf[0:4]@0x0:bf16[8x1] src=dram@0x0:bf16[4x16,8x2] signal=s3\n"
      ".engine dve\n"
      "tensor_copy dst=sbuf[0:4]@0x40:fp32[8x1] src=sbuf[0:4]@0x0:bf16[8x1] rounding=sr wait=s3>=1\n";
  const isa::Program p = isa::parse_tasm(text, "t.tasm");
  REQUIRE(p.tensors.size() == 2);
  REQUIRE(p.queues.size() == 2);
  CHECK(p.instruction_count() == 2);
  const std::vector<uint8_t> bin = isa::to_binary(p);
  const isa::Program q = isa::from_binary(bin, "t.bin");
  CHECK(isa::to_tasm(q) == isa::to_tasm(p));
  CHECK(isa::to_binary(isa::parse_tasm(isa::to_tasm(q), "again")) == bin);
  std::vector<uint8_t> cut(bin.begin(), bin.end() - 1);
  CHECK_THROWS_WITH(isa::from_binary(cut, "cut.bin"), Catch::Contains("truncated"));
  CHECK_THROWS_WITH(isa::parse_tasm("dma_copy dst=x src=y\n", "a.tasm"), Catch::Contains("a.tasm:1:"));
  CHECK_THROWS_WITH(isa::parse_tasm(".engine pe\ndma_copy dst=sbuf[0:1]@0:fp32[1x1] src=dram@0:fp32[1x1]\n", "b.tasm"),
                    Catch::Contains("b.tasm:2:") && Catch::Contains("not for engine pe"));
}
