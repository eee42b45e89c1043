// The TLM's act/dve timing (sim/tlm/vec_timing.hpp) against cycle counts derived by hand from
// the rules of docs/vec_engines.md ("The element stream", "Timing"). Every case accepts its
// instruction in cycle a = 0 (start() at the edge ending it), so the first request is in cycle 1
// and the count checked is done - a. Each derivation lists the cycles 1, 2, ... with the state
// at the start of the cycle, the requests and the edge; notation:
//   k        the compute pointer; eI = element I
//   R<s> w   a read of word w into slot s (on read port s mod 2);  W w  the write of wq's head
//            word w (write port);  -  no request;  a + b  two ports' requests in one cycle
//   arr/held the slot registers; wb the merge buffer; wq the write queue (two entries, head first)
// Words: SBUF unless written pN (PSUM word N). Unless said otherwise every request is granted.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "isa/isa.hpp"
#include "tlm/vec_timing.hpp"

using namespace tessera;
using isa::Ap;
using isa::Instruction;
using isa::Space;
using tlm::VecTiming;

namespace {

using fp::Format;

// An on-chip pattern [part, part + parts) x free dims (dims[0] outermost).
Ap pattern(uint64_t addr, std::array<isa::Dim, 3> dims, Format f = Format::kFp32, uint32_t part = 0,
           uint32_t parts = 4, Space space = Space::kSbuf) {
  Ap ap;
  ap.space = space;
  ap.dtype = f;
  ap.part = part;
  ap.parts = parts;
  ap.addr = addr;
  ap.dims = dims;
  return ap;
}
// A contiguous row of n elements.
Ap row(uint64_t addr, uint32_t n, Format f = Format::kFp32, uint32_t part = 0, uint32_t parts = 4,
       Space space = Space::kSbuf) {
  return pattern(addr, {isa::Dim{1, 0}, isa::Dim{1, 0}, isa::Dim{n, 1}}, f, part, parts, space);
}

Instruction make(const char* op) { return isa::Isa::get().make(op); }

Instruction copy(const Ap& dst, const Ap& src) {
  Instruction i = make("tensor_copy");
  i.set("dst", dst);
  i.set("src", src);
  return i;
}

isa::Scalar column(Space space, uint32_t addr) {
  isa::Scalar s;
  s.is_col = true;
  s.col = isa::Col{space, addr};
  return s;
}

std::string text(const VecTiming::Request& r) {
  const std::string w = fmt::format("{}{}", r.psum ? "p" : "", r.word);
  if (r.write) return r.be == 0xF ? "W " + w : fmt::format("W {}.{:x}", w, r.be);
  return fmt::format("R{} {}", r.slot, w);
}

struct Run {
  uint64_t cycles = 0;             // done - a
  std::vector<std::string> trace;  // the requests of cycles 1 .. done - 1
  std::vector<VecTiming::Request> reqs;  // every request, in cycle and port order
  uint64_t flushes = 0;
};

// Accepts `inst` in cycle 0 and runs to its done cycle; grant(t, p): port p grants cycle t's request.
Run run(const Instruction& inst,
        const std::function<bool(uint64_t, unsigned)>& grant = [](uint64_t, unsigned) { return true; }) {
  VecTiming v;
  v.start(inst);
  Run out;
  for (uint64_t t = 1; t < 100000000; ++t) {
    if (v.finishing()) {
      out.cycles = t;
      out.flushes = v.forced_flushes();
      v.edge(0);
      REQUIRE(v.idle());
      return out;
    }
    REQUIRE(v.busy());
    std::string line;
    unsigned granted = 0;
    for (unsigned p = 0; p < VecTiming::kPorts; ++p) {
      const VecTiming::Request r = v.request(p);
      if (!r.valid) continue;
      REQUIRE(r.write == (p == VecTiming::kWrite));
      if (!r.write) REQUIRE((r.slot & 1u) == p);
      if (out.trace.size() < 64) line += (line.empty() ? "" : " + ") + text(r), out.reqs.push_back(r);
      if (grant(t, p)) granted |= 1u << p;
    }
    if (out.trace.size() < 64) out.trace.push_back(line.empty() ? "-" : line);
    v.edge(granted);
  }
  FAIL("no done");
  return out;
}

using Trace = std::vector<std::string>;

}  // namespace

TEST_CASE("vec timing: nop and contiguous fp32 copies", "[unit][vec]") {
  // nop: no elements, so k = N = 0 and wb, wq, pend are empty right after the start: done in a + 1.
  CHECK(run(make("nop")).cycles == 1);

  // fp32 copy, src words 0.., dst words 64..; every element is the last of its word.
  // F = 1:
  //  1: k=0, e0's w0 missing, j=k=0, m=w0 -> R0 0.  edge: arr0=0
  //  2: e0 ready (arr), last, wq empty -> sure, computes; j=1=N.  -> -.  edge: wq=64, k=1
  //  3: W 64.  edge: wq empty
  //  4: k=N, all empty: done.  => 4
  Run r = run(copy(row(256, 1), row(0, 1)));
  CHECK(r.cycles == 4);
  CHECK(r.trace == Trace{"R0 0", "-", "W 64"});
  // F = 3:
  //  1: R0 0.
  //  2: e0 computes (sure); j=1: w1 not avail_next (arr0 = 0) -> R0 1.  edge: held0=0, arr0=1, wq=64, k=1
  //  3: e1 ready (arr), last, wq has a free entry -> sure, computes; j=2 -> R0 2; W 64.
  //     edge: wq=65 (64 left, 65 entered), arr0=2, k=2
  //  4: e2 computes; j=3=N; W 65.  edge: wq=66
  //  5: W 66.   6: done.  => 6
  r = run(copy(row(256, 3), row(0, 3)));
  CHECK(r.cycles == 6);
  CHECK(r.trace == Trace{"R0 0", "R0 1", "R0 2 + W 64", "W 65", "W 66"});
  // One element per cycle: the first read, F computes, the last write, done: F + 3
  // (docs/vec_engines.md "Timing").
  for (uint32_t f = 1; f <= 12; ++f) CHECK(run(copy(row(256, f), row(0, f))).cycles == f + 3);
  // Long instructions are generated lazily: 2^16 elements.
  const uint32_t big = 1u << 16;
  CHECK(run(copy(row(big * 4, big), row(0, big))).cycles == big + 3);
}

TEST_CASE("vec timing: bf16 copy and memset", "[unit][vec]") {
  // bf16 copy F = 4: src words 0 (e0, e1), 1 (e2, e3); dst words 64 (e0, e1), 65 (e2, e3).
  //  1: R0 0.
  //  2: e0 ready (arr); not last (e1 writes 64 too) -> sure, computes; j=1: w0 avail_next
  //     (arriving) -> no m -> -.  edge: held0=0, wb=64 (be 3), k=1
  //  3: e1 ready (held), last, wq empty -> sure, computes; j=2: w1 not avail_next, not
  //     blocked (wb 64, e1's dst 64) -> R0 1.  edge: wq=64 (be f), arr0=1, k=2
  //  4: e2 ready (arr), not last -> sure, computes; W 64; j=3: w1 avail_next.
  //     edge: wq empty, wb=65, k=3
  //  5: e3 ready, last, wq empty -> computes; j=4=N -> -.  edge: wq=65
  //  6: W 65.   7: done.  => 7 = F + 3
  Run r = run(copy(row(256, 4, Format::kBf16), row(0, 4, Format::kBf16)));
  CHECK(r.cycles == 7);
  CHECK(r.trace == Trace{"R0 0", "-", "R0 1", "W 64", "-", "W 65"});
  // One read, F computes, one write, done: F + 3 (aligned rows).
  for (uint32_t f = 1; f <= 12; ++f)
    CHECK(run(copy(row(256, f, Format::kBf16), row(0, f, Format::kBf16))).cycles == f + 3);

  // memset fp32 F = 3 (dst words 0, 1, 2; no sources: every element is ready):
  //  1: e0 last, wq empty -> computes; no sources: no m -> -.  edge: wq=0
  //  2: W 0; e1 computes (a free entry).  edge: wq=1     3: W 1, e2 computes. edge: wq=2
  //  4: W 2.   5: done.  => 5 = F + 2
  Instruction ms = make("memset");
  ms.set("dst", row(0, 3));
  r = run(ms);
  CHECK(r.cycles == 5);
  CHECK(r.trace == Trace{"-", "W 0", "W 1", "W 2"});
  for (uint32_t f = 1; f <= 12; ++f) {
    ms.set("dst", row(0, f));
    CHECK(run(ms).cycles == f + 2);
  }
  // memset bf16 F = 4 (words 0, 1):
  //  1: e0 not last -> computes (wb=0).   2: e1 last, wq empty -> computes, wq=0.
  //  3: W 0; e2 not last -> computes (wb=1).   4: e3 last, wq empty -> computes, wq=1.
  //  5: W 1.   6: done.  => 6 = F + 2
  ms.set("dst", row(0, 4, Format::kBf16));
  r = run(ms);
  CHECK(r.cycles == 6);
  CHECK(r.trace == Trace{"-", "-", "W 0", "-", "W 1"});
}

TEST_CASE("vec timing: the fetch element looks at the words held next cycle", "[unit][vec]") {
  // bf16 copy, src offsets 0, 2, 0, 2 (words 0, 1, 0, 1), dst words 64, 64, 65, 65. In cycle 3
  // slot 0 holds 0 while 1 arrives: e2's word 0 is avail (held) but not avail_next, so it is
  // fetched ahead.
  //  1: R0 0.
  //  2: e0 ready (arr), not last -> computes (wb=64); j=1: w1 not avail_next -> R0 1.
  //     edge: held0=0, arr0=1, k=1
  //  3: e1 ready (arr), last, wq empty -> computes (wq=64); j=2: w0 not avail_next (1 arrives)
  //     -> R0 0.  edge: held0=1, arr0=0, k=2
  //  4: e2 ready (arr), not last -> computes (wb=65); j=3: w1 not avail_next (0 arrives), not
  //     blocked -> R0 1; W 64.  edge: held0=0, arr0=1, k=3
  //  5: e3 ready (arr), last, wq empty -> computes (wq=65); -.   6: W 65.   7: done.  => 7
  // (Looking at avail instead would skip cycle 3's read and leave e2 waiting for it: 7 -> 8.)
  Run r = run(copy(row(256, 4, Format::kBf16),
                   pattern(0, {isa::Dim{1, 0}, isa::Dim{2, 0}, isa::Dim{2, 2}}, Format::kBf16)));
  CHECK(r.cycles == 7);
  CHECK(r.trace == Trace{"R0 0", "R0 1", "R0 0", "R0 1 + W 64", "-", "W 65"});
}

TEST_CASE("vec timing: tensor_tensor", "[unit][vec]") {
  // fp32 F = 2: a words 0, 1 (slot 0, read port 0), b words 32, 33 (slot 1, read port 1), dst
  // words 64, 65.
  //  1: e0's a0 and b0 missing, one on each read port -> R0 0 + R1 32.  edge: arr0=0, arr1=32
  //  2: e0 ready, last, wq empty -> sure, computes; j=1: a1, b1 not avail_next -> R0 1 + R1 33.
  //     edge: held0=0, held1=32, arr0=1, arr1=33, wq=64, k=1
  //  3: e1 ready, last, a free entry -> computes; j=2=N; W 64.  edge: wq=65
  //  4: W 65.   5: done.  => 5
  Instruction tt = make("tensor_tensor");
  tt.set("dst", row(256, 2));
  tt.set("a", row(0, 2));
  tt.set("b", row(128, 2));
  Run r = run(tt);
  CHECK(r.cycles == 5);
  CHECK(r.trace == Trace{"R0 0 + R1 32", "R0 1 + R1 33", "W 64", "W 65"});
  // One element per cycle, as a copy: F + 3.
  for (uint32_t f = 1; f <= 10; ++f) {
    tt.set("dst", row(256, f));
    tt.set("a", row(0, f));
    tt.set("b", row(128, f));
    CHECK(run(tt).cycles == f + 3);
  }
  // b's reads refused in cycles 1 and 2: read port 0 does not run ahead of an element that is
  // not ready (it looks one element ahead only when k is sure).
  //  1: R0 0 + R1 32 (refused).   2: e0 not ready (b0), j=k: a0 available -> R1 32 (pend, refused).
  //  3: R1 32 granted.   4: e0 computes; R0 1 + R1 33.   5: e1 computes; W 64.   6: W 65.   7: done.
  tt.set("dst", row(256, 2));
  tt.set("a", row(0, 2));
  tt.set("b", row(128, 2));
  r = run(tt, [](uint64_t t, unsigned p) { return p != 1 || t > 2; });
  CHECK(r.cycles == 7);
  CHECK(r.trace == Trace{"R0 0 + R1 32", "R1 32", "R1 32", "R0 1 + R1 33", "W 64", "W 65"});
}

TEST_CASE("vec timing: tensor_scalar with two column scalars", "[unit][vec]") {
  // fp32 F = 2, src partitions [0, 4) words 0, 1; dst partitions [4, 8) words 64, 65;
  // s0 = SBUF column at byte 512 (word 128, slot 2), s1 = PSUM column at byte 0 (p0, slot 3).
  // Elements: e0 (s0 column), e1 (s1 column), e2 (src 0 -> 64), e3 (src 1 -> 65). N = 4.
  //  1: e0's 128 missing -> R2 128 (read port 0).  edge: arr2=128
  //  2: e0 ready, no dst -> sure, computes; j=1: p0 not avail_next -> R3 p0 (read port 1).
  //     edge: held2=128, arr3=p0, k=1
  //  3: e1 ready -> computes; j=2: w0 missing -> R0 0.  edge: held3=p0, arr0=0, k=2
  //  4: e2 ready, last, wq empty -> computes; j=3: w1 not avail_next -> R0 1.  edge: wq=64, arr0=1, k=3
  //  5: e3 ready, last, a free entry -> computes; W 64.  edge: wq=65, k=4
  //  6: W 65.   7: done.  => 7
  Instruction ts = make("tensor_scalar");
  ts.set("dst", row(256, 2, Format::kFp32, 4, 4));
  ts.set("src", row(0, 2, Format::kFp32, 0, 4));
  ts.set("s0", column(Space::kSbuf, 512));
  ts.set("s1", column(Space::kPsum, 0));
  Run r = run(ts);
  CHECK(r.cycles == 7);
  CHECK(r.trace == Trace{"R2 128", "R3 p0", "R0 0", "R0 1", "W 64", "W 65"});
  // Partitions: a column word and a destination word the destination's, a source word its operand's.
  REQUIRE(r.reqs.size() == 6);
  CHECK((r.reqs[0].part == 4 && r.reqs[0].parts == 4 && !r.reqs[0].psum));
  CHECK((r.reqs[1].part == 4 && r.reqs[1].parts == 4 && r.reqs[1].psum && r.reqs[1].word == 0));
  CHECK((r.reqs[2].part == 0 && r.reqs[2].parts == 4 && !r.reqs[2].psum && r.reqs[2].word == 0));
  CHECK((r.reqs[4].part == 4 && r.reqs[4].parts == 4 && r.reqs[4].write && r.reqs[4].be == 0xF));
}

TEST_CASE("vec timing: activation with a bias column and reduce", "[unit][vec]") {
  // fp32 F = 2: bias column SBUF byte 2048 (word 512, slot 3), src words 0, 1, dst words 64, 65,
  // reduce_dst PSUM byte 8 (p2). Elements: e0 (bias column), e1 (0 -> 64), e2 (1 -> 65),
  // e3 (reduce column: destination p2 only). N = 4.
  //  1: R3 512.
  //  2: e0 computes; j=1: w0 missing -> R0 0.  edge: k=1
  //  3: e1 ready, last (e2 writes 65), wq empty -> computes; j=2: w1 not avail_next -> R0 1.
  //     edge: wq=64, arr0=1, k=2
  //  4: e2 ready, last (e3 writes p2), a free entry -> computes; W 64.  edge: wq=65, k=3
  //  5: e3 no sources: ready; last (k = N-1), a free entry -> computes; W 65.  edge: wq=p2, k=4
  //  6: W p2.   7: done.  => 7
  Instruction act = make("activation");
  act.set("dst", row(256, 2));
  act.set("src", row(0, 2));
  act.set("bias", column(Space::kSbuf, 2048));
  act.set("reduce", uint64_t{1});
  act.set("reduce_dst", isa::Col{Space::kPsum, 8});
  Run r = run(act);
  CHECK(r.cycles == 7);
  CHECK(r.trace == Trace{"R3 512", "R0 0", "R0 1", "W 64", "W 65", "W p2"});
  CHECK((r.reqs.back().psum && r.reqs.back().write && r.reqs.back().part == 0 && r.reqs.back().parts == 4));
  // Without the column and the reduce: a copy's timing (F = 2: 5).
  act.set("bias", isa::Scalar{});
  act.set("reduce", uint64_t{0});
  CHECK(run(act).cycles == 5);
}

TEST_CASE("vec timing: tensor_reduce and transpose", "[unit][vec]") {
  // tensor_reduce fp32, src words 0, 1, 2, dst one element at word 64 (on e2 only).
  //  1: R0 0.   2: e0 (no dst) computes; j=1 -> R0 1.   3: e1 computes; j=2 -> R0 2.
  //  4: e2 ready, last, wq empty -> computes; j=3=N -> -.  edge: wq=64
  //  5: W 64.   6: done.  => 6 = F + 3
  Instruction red = make("tensor_reduce");
  red.set("dst", row(256, 1));
  red.set("src", row(0, 3));
  Run r = run(red);
  CHECK(r.cycles == 6);
  CHECK(r.trace == Trace{"R0 0", "R0 1", "R0 2", "-", "W 64"});

  // transpose fp32: src partitions [0, 2) x words 0, 1, 2; dst partitions [4, 7) x words 64, 65.
  // Elements: e0..e2 read 0, 1, 2 (source only), e3, e4 write 64, 65 (destination only).
  //  1: R0 0.   2: e0 computes, j=1 -> R0 1.   3: e1 computes, j=2 -> R0 2.
  //  4: e2 computes; j=3 has no sources -> -.  edge: k=3
  //  5: e3 ready, last (e4 writes 65), wq empty -> computes; no m -> -.  edge: wq=64
  //  6: e4: a free entry -> computes; W 64.  edge: wq=65
  //  7: W 65.   8: done.  => 8
  Instruction tr = make("transpose");
  tr.set("src", row(0, 3, Format::kFp32, 0, 2));
  tr.set("dst", row(256, 2, Format::kFp32, 4, 3));
  r = run(tr);
  CHECK(r.cycles == 8);
  CHECK(r.trace == Trace{"R0 0", "R0 1", "R0 2", "-", "-", "W 64", "W 65"});
  CHECK((r.reqs[0].part == 0 && r.reqs[0].parts == 2));
  CHECK((r.reqs[3].part == 4 && r.reqs[3].parts == 3));
}

TEST_CASE("vec timing: in place and forced flushes", "[unit][vec]") {
  // In-place bf16 tensor_scalar (immediates), src = dst = words 0 (e0, e1), 1 (e2, e3):
  //  1: R0 0 (nothing to block it).
  //  2: e0 ready, not last -> computes (wb=0); j=1: w0 avail_next -> -.
  //  3: e1 ready (held 0: a word in wb that a slot holds is available, not missing), last,
  //     wq empty -> computes, wq=0; j=2: w1 not avail_next; wb=0, wq empty, e1's dst 0: not
  //     blocked -> R0 1.
  //  4: e2 ready (arr), not last -> computes (wb=1); W 0.
  //  5: e3 ready, last, wq empty -> computes, wq=1.   6: W 1.   7: done.  => 7, no forced flush
  //  (the same as the bf16 copy between distinct rows)
  Instruction ts = make("tensor_scalar");
  ts.set("dst", row(0, 4, Format::kBf16));
  ts.set("src", row(0, 4, Format::kBf16));
  Run r = run(ts);
  CHECK(r.cycles == 7);
  CHECK(r.flushes == 0);
  CHECK(r.trace == Trace{"R0 0", "-", "R0 1", "W 0", "-", "W 1"});

  // Shifted in place, fp32: src = elements 0, 1 at byte 0 (words 0, 1), dst = byte 4 twice
  // (stride 0: both elements write word 1), so e1 reads the word e0 wrote into wb.
  //  1: R0 0.
  //  2: e0 ready, not last (e1 writes 1 too) -> sure, computes; j=1: w1 not avail_next, blocked
  //     (e0's destination word is 1) -> -.  edge: wb=1, k=1
  //  3: e1: w1 not available: j=k=1, m=1 blocked by wb, wq has room -> forced flush; -.  edge: wq=1
  //  4: m blocked by wq; W 1.  edge: wq empty
  //  5: R0 1.   6: e1 ready, last, wq empty -> computes.  edge: wq=1
  //  7: W 1.   8: done.  => 8, one forced flush
  Instruction sh = copy(pattern(4, {isa::Dim{1, 0}, isa::Dim{1, 0}, isa::Dim{2, 0}}), row(0, 2));
  r = run(sh);
  CHECK(r.cycles == 8);
  CHECK(r.flushes == 1);
  CHECK(r.trace == Trace{"R0 0", "-", "-", "W 1", "R0 1", "-", "W 1"});
  // The same destination with the source elsewhere (bytes 128, 144: words 32, 36): no block.
  //  1: R0 32.
  //  2: e0 ready, not last -> computes (wb=1); j=1: w36 not avail_next, not blocked -> R0 36.
  //  3: e1 ready (arr), last, wq empty -> computes; j=2=N -> -.  edge: wq=1
  //  4: W 1.   5: done.  => 5, no flush
  r = run(copy(pattern(4, {isa::Dim{1, 0}, isa::Dim{1, 0}, isa::Dim{2, 0}}),
               pattern(128, {isa::Dim{1, 0}, isa::Dim{1, 0}, isa::Dim{2, 4}})));
  CHECK(r.cycles == 5);
  CHECK(r.flushes == 0);
  CHECK(r.trace == Trace{"R0 32", "R0 36", "-", "W 1"});

  // Shifted in place, bf16: dst bytes 2, 4, 6, 8 (words 0, 1, 1, 2), src bytes 0, 2, 4, 6
  // (words 0, 0, 1, 1): element i reads what element i - 1 wrote.
  //  1: R0 0.
  //  2: e0 ready, last (e1 writes 1) -> computes, wq=0 (be c); j=1: w0 avail_next -> -.
  //  3: e1 ready (held 0), not last -> computes (wb=1, be 3); j=2: w1 not avail_next, blocked
  //     (e1's destination word); W 0.
  //  4: e2: w1 missing, blocked by wb, wq empty -> forced flush; -.  edge: wq=1 (be 3)
  //  5: W 1.3.   6: R0 1.
  //  7: e2 ready, last (e3 writes 2), wq empty -> computes, wq=1 (be c); j=3: w1 avail_next -> -.
  //  8: e3 ready, last, a free entry -> computes, wq=2 (be 3); W 1.c.
  //  9: W 2.3.   10: done.  => 10, one forced flush
  r = run(copy(row(2, 4, Format::kBf16), row(0, 4, Format::kBf16)));
  CHECK(r.cycles == 10);
  CHECK(r.flushes == 1);
  CHECK(r.trace == Trace{"R0 0", "-", "W 0.c", "-", "W 1.3", "R0 1", "-", "W 1.c", "W 2.3"});

  // The same with cycle 3's write refused: the forced flush needs a free queue entry at the
  // start of the cycle (as `sure`), and the second entry is free while the refused write waits.
  //  1, 2 as above (wq=0 after 2).
  //  3: e1 computes (wb=1); W 0.c refused.
  //  4: e2: w1 missing, blocked by wb, one entry free -> forced flush; W 0.c granted.
  //     edge: wq=1 (be 3) (0.c left, 1.3 entered)
  //  5: W 1.3.   6: R0 1.   7: e2 computes (wq=1.c); -.   8: W 1.c, e3 computes (wq=2.3).
  //  9: W 2.3.   10: done.  => 10 (as with every write granted)
  r = run(copy(row(2, 4, Format::kBf16), row(0, 4, Format::kBf16)), [](uint64_t t, unsigned) { return t != 3; });
  CHECK(r.cycles == 10);
  CHECK(r.flushes == 1);
  CHECK(r.trace == Trace{"R0 0", "-", "W 0.c", "W 0.c", "W 1.3", "R0 1", "-", "W 1.c", "W 2.3"});
}

TEST_CASE("vec timing: refused requests", "[unit][vec]") {
  // fp32 copy F = 2 with its first read refused in cycles 1 and 2: presented unchanged (pend)
  // until granted in 3, then cycles 2-5 of the granted run shifted by 2.  => 5 + 2 = 7
  Instruction c2 = copy(row(256, 2), row(0, 2));
  Run r = run(c2, [](uint64_t t, unsigned) { return t > 2; });
  CHECK(r.cycles == 7);
  CHECK(r.trace == Trace{"R0 0", "R0 0", "R0 0", "R0 1", "W 64", "W 65"});
  CHECK((r.reqs[0] == r.reqs[1] && r.reqs[1] == r.reqs[2]));

  // The same with cycle 3's write refused: e1 still computes in 3 (the second entry), the head
  // write is presented again in 4.
  //  1: R0 0.  2: R0 1 (e0 computes).  3: W 64 refused, e1 computes (wq=64, 65).  4: W 64.
  //  5: W 65.  6: done.
  r = run(c2, [](uint64_t t, unsigned) { return t != 3; });
  CHECK(r.cycles == 6);
  CHECK(r.trace == Trace{"R0 0", "R0 1", "W 64", "W 64", "W 65"});

  // A refused read is presented again beside the write: fp32 copy F = 3, cycle 2's read refused.
  //  1: R0 0.
  //  2: e0 computes (wq=64); R0 1 refused.
  //  3: e1 not ready, j=k; R0 1 again (pend), granted; W 64.  edge: arr0=1, wq empty
  //  4: e1 computes (wq=65); j=2 -> R0 2.   5: e2 computes (wq=66); W 65.   6: W 66.   7: done.  => 7
  r = run(copy(row(256, 3), row(0, 3)), [](uint64_t t, unsigned) { return t != 2; });
  CHECK(r.cycles == 7);
  CHECK(r.trace == Trace{"R0 0", "R0 1", "R0 1 + W 64", "R0 2", "W 65", "W 66"});

  // A full queue: fp32 copy F = 4, the write refused in cycles 3 to 5.
  //  1: R0 0.   2: e0 computes (wq=64); R0 1.
  //  3: e1 computes (wq=64, 65); j=2 -> R0 2; W 64 refused.
  //  4: e2 ready, last, wq full: not sure (j=k, nothing to fetch) and, the write refused, no
  //     compute; W 64 refused.   5: the same.
  //  6: W 64 granted -> e2 computes (wq=65, 66); not sure: e3's word not fetched.
  //  7: e3: w3 missing -> R0 3; W 65.   8: e3 computes (wq=67); W 66.   9: W 67.   10: done.  => 10
  r = run(copy(row(256, 4), row(0, 4)), [](uint64_t t, unsigned p) { return p != VecTiming::kWrite || t < 3 || t > 5; });
  CHECK(r.cycles == 10);
  CHECK(r.trace == Trace{"R0 0", "R0 1", "R0 2 + W 64", "W 64", "W 64", "W 64", "R0 3 + W 65", "W 66", "W 67"});

  // Every request refused once (granted on its second cycle): the two requests of F = 1 take
  // two cycles each.  1, 2: R0 0.  3: e0 computes.  4, 5: W 64.  6: done.  => 6
  bool odd = false;
  r = run(copy(row(256, 1), row(0, 1)), [&odd](uint64_t, unsigned) { return odd = !odd, !odd; });
  CHECK(r.cycles == 6);
  CHECK(r.trace == Trace{"R0 0", "R0 0", "-", "W 64", "W 64"});
}

TEST_CASE("vec timing: back to back instructions", "[unit][vec]") {
  // The engine takes its next instruction in its done cycle: an fp32 copy F = 1 accepted in 0 is
  // done in 4 (above); a nop accepted in 4 (started at the edge ending 4, after that cycle's
  // edge) is done in 5; a second copy accepted in 5 is done in 9.
  VecTiming v;
  auto all = [&v] {
    unsigned g = 0;
    for (unsigned p = 0; p < VecTiming::kPorts; ++p) g |= unsigned{v.request(p).valid} << p;
    return g;
  };
  v.start(copy(row(256, 1), row(0, 1)));
  uint64_t t = 1;
  for (; !v.finishing(); ++t) v.edge(all());
  CHECK(t == 4);
  v.edge(0);  // the done cycle's edge
  CHECK(v.idle());
  v.start(make("nop"));
  ++t;
  CHECK(v.finishing());
  CHECK(t == 5);
  v.edge(0);
  v.start(copy(row(256, 1), row(0, 1)));
  ++t;
  CHECK(!v.finishing());
  CHECK(v.requesting());
  for (; !v.finishing(); ++t) v.edge(all());
  CHECK(t == 9);
}
