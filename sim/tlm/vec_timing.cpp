#include "vec_timing.hpp"

#include <stdexcept>
#include <string>

namespace tessera::tlm {

using isa::Space;

// --- elements ------------------------------------------------------------------------------

void VecTiming::Walk::reset(const isa::Ap& ap) {
  space = ap.space;
  addr = ap.addr;
  es = fp::info(ap.dtype).bits / 8;
  dims = ap.dims;
  i = {0, 0, 0};
}

int64_t VecTiming::Walk::offset() const {
  return int64_t{i[0]} * dims[0].stride + int64_t{i[1]} * dims[1].stride + int64_t{i[2]} * dims[2].stride;
}

VecTiming::Addr VecTiming::Walk::word() const {
  const int64_t byte = static_cast<int64_t>(addr) + offset() * static_cast<int64_t>(es);
  return Addr{space, static_cast<uint32_t>(static_cast<uint64_t>(byte) / 4)};
}

uint8_t VecTiming::Walk::be() const {
  const int64_t byte = static_cast<int64_t>(addr) + offset() * static_cast<int64_t>(es);
  return static_cast<uint8_t>(((1u << es) - 1u) << (static_cast<uint64_t>(byte) & 3u));
}

// ref::free_offsets' order: the innermost dimension fastest.
void VecTiming::Walk::next() {
  if (++i[2] < dims[2].count) return;
  i[2] = 0;
  if (++i[1] < dims[1].count) return;
  i[1] = 0;
  ++i[0];  // past the end after the last element: never read again
}

void VecTiming::start(const isa::Instruction& inst) {
  if (busy()) throw std::logic_error("VecTiming::start: the engine holds an unfinished instruction");
  const std::string& name = inst.op->name;
  kind_ = Kind::kNone;
  n_ = ncol_ = nmain_ = 0;
  reduce_col_ = false;
  gen_ = 0;
  slot_part_ = {};
  slot_parts_ = {};
  dst_part_ = dst_parts_ = 0;
  if (name != "nop") {
    const isa::Ap& dst = inst.ap("dst");
    dst_part_ = dst.part, dst_parts_ = dst.parts;
    w_dst_.reset(dst);
    // column elements (slots 2, 3), masked by the destination's partitions
    const char* scalars[2] = {nullptr, nullptr};
    if (name == "activation") scalars[0] = "scale", scalars[1] = "bias";
    else if (name == "tensor_scalar") scalars[0] = "s0", scalars[1] = "s1";
    for (unsigned c = 0; c < 2; ++c) {
      if (!scalars[c] || !inst.scalar(scalars[c]).is_col) continue;
      const isa::Col& col = inst.scalar(scalars[c]).col;
      const auto slot = static_cast<uint8_t>(2 + c);
      cols_[ncol_++] = Src{slot, Addr{col.space, col.addr / 4}};
      slot_part_[slot] = dst.part, slot_parts_[slot] = dst.parts;
    }
    auto source = [&](const char* field, uint8_t slot, Walk& w) -> const isa::Ap& {
      const isa::Ap& ap = inst.ap(field);
      w.reset(ap);
      slot_part_[slot] = ap.part, slot_parts_[slot] = ap.parts;
      return ap;
    };
    if (name == "activation" || name == "tensor_scalar" || name == "tensor_copy") {
      kind_ = Kind::kCopy;
      source("src", 0, w_src_);
      nmain_ = dst.free_size();
      if (name == "activation" && inst.u("reduce")) {
        reduce_col_ = true;
        const isa::Col& col = inst.col("reduce_dst");
        reduce_addr_ = Addr{col.space, col.addr / 4};
      }
    } else if (name == "tensor_tensor") {
      kind_ = Kind::kTensorTensor;
      source("a", 0, w_src_);
      source("b", 1, w_b_);
      nmain_ = dst.free_size();
    } else if (name == "memset") {
      kind_ = Kind::kMemset;
      nmain_ = dst.free_size();
    } else if (name == "tensor_reduce") {
      kind_ = Kind::kReduce;
      nmain_ = source("src", 0, w_src_).free_size();
    } else if (name == "transpose") {
      kind_ = Kind::kTranspose;
      nmain_ = source("src", 0, w_src_).free_size();
    } else {
      throw std::logic_error("VecTiming::start: " + name + " is not an act/dve instruction");
    }
    n_ = ncol_ + nmain_ + (reduce_col_ ? 1 : 0) + (kind_ == Kind::kTranspose ? dst.free_size() : 0);
  }
  active_ = true;
  k_ = 0;
  held_ = {};
  arr_ = {};
  wb_ = {};
  wq_ = {};
  wq_n_ = 0;
  pend_ = {};
  pend_req_ = {};
  forced_flushes_ = 0;
  if (n_ > 0) cur_ = produce();
  if (n_ > 1) nxt_ = produce();
  evaluate();
}

VecTiming::Elem VecTiming::produce() {
  const uint64_t idx = gen_++;
  Elem e;
  if (idx < ncol_) {  // a column element: its source word only
    e.nsrc = 1;
    e.src[0] = cols_[idx];
    return e;
  }
  auto dst_here = [&] {
    e.has_dst = true;
    e.dst = w_dst_.word();
    e.be = w_dst_.be();
  };
  if (idx < ncol_ + nmain_) {
    const uint64_t m = idx - ncol_;
    switch (kind_) {
      case Kind::kCopy:  // src, dst
        e.nsrc = 1;
        e.src[0] = Src{0, w_src_.word()};
        w_src_.next();
        dst_here();
        w_dst_.next();
        break;
      case Kind::kTensorTensor:  // a, b, dst
        e.nsrc = 2;
        e.src[0] = Src{0, w_src_.word()};
        e.src[1] = Src{1, w_b_.word()};
        w_src_.next();
        w_b_.next();
        dst_here();
        w_dst_.next();
        break;
      case Kind::kMemset:  // dst
        dst_here();
        w_dst_.next();
        break;
      case Kind::kReduce:  // src; the last one also dst's one element
        e.nsrc = 1;
        e.src[0] = Src{0, w_src_.word()};
        w_src_.next();
        if (m + 1 == nmain_) dst_here();
        break;
      case Kind::kTranspose:  // src's elements (source only)
        e.nsrc = 1;
        e.src[0] = Src{0, w_src_.word()};
        w_src_.next();
        break;
      case Kind::kNone:
        break;
    }
    return e;
  }
  // the tail: transpose's destination elements, or the activation's reduce column
  e.has_dst = true;
  if (kind_ == Kind::kTranspose) {
    dst_here();
    w_dst_.next();
  } else {
    e.dst = reduce_addr_;
    e.be = 0xF;
  }
  return e;
}

void VecTiming::advance() {
  ++k_;
  if (k_ < n_) cur_ = nxt_;
  if (k_ + 1 < n_) nxt_ = produce();
}

// --- timing --------------------------------------------------------------------------------

bool VecTiming::avail(uint8_t s, const Addr& a) const {
  return (arr_[s].valid && arr_[s].a == a) || (held_[s].valid && held_[s].a == a);
}

bool VecTiming::avail_next(uint8_t s, const Addr& a) const {
  return arr_[s].valid ? arr_[s].a == a : held_[s].valid && held_[s].a == a;
}

bool VecTiming::wq_holds(const Addr& a) const {
  for (unsigned i = 0; i < wq_n_; ++i)
    if (wq_[i].a == a) return true;
  return false;
}

void VecTiming::evaluate() {
  req_ = {};
  ready_ = last_ = needq_ = flush_ = false;
  if (!active_) return;
  bool sure = false;
  if (k_ < n_) {
    ready_ = true;
    for (uint8_t i = 0; i < cur_.nsrc; ++i) ready_ = ready_ && avail(cur_.src[i].slot, cur_.src[i].a);
    last_ = cur_.has_dst && (k_ + 1 == n_ || !nxt_.has_dst || nxt_.dst != cur_.dst);
    needq_ = last_;
    sure = ready_ && (!needq_ || wq_n_ < kQueue);
  }
  // The fetch element j (k + 1 when k is sure, else k) and, per read port, its missing word.
  const Elem* fetch = nullptr;
  const bool ahead = sure;
  if (ahead ? k_ + 1 < n_ : k_ < n_) fetch = ahead ? &nxt_ : &cur_;
  for (unsigned p = kRead0; p <= kRead1; ++p) {
    const Src* m = nullptr;
    if (fetch)
      for (uint8_t i = 0; i < fetch->nsrc && !m; ++i) {
        const Src& s = fetch->src[i];
        if ((s.slot & 1u) == p && !(ahead ? avail_next(s.slot, s.a) : avail(s.slot, s.a))) m = &s;
      }
    bool blocked = false;
    if (m) {
      const bool by_wb = wb_.valid && wb_.a == m->a;
      blocked = by_wb || wq_holds(m->a) || (ahead && cur_.has_dst && cur_.dst == m->a);
      flush_ = flush_ || (!ahead && by_wb && wq_n_ < kQueue);
    }
    Request& r = req_[p];
    if (pend_[p]) {
      r = pend_req_[p];
    } else if (m && !blocked) {
      r.valid = true;
      r.psum = m->a.space == Space::kPsum;
      r.word = m->a.word;
      r.slot = m->slot;
      r.part = slot_part_[m->slot], r.parts = slot_parts_[m->slot];
    }
  }
  if (wq_n_ > 0) {  // the head entry (a refused write presents it again)
    Request& r = req_[kWrite];
    r.valid = r.write = true;
    r.psum = wq_[0].a.space == Space::kPsum;
    r.word = wq_[0].a.word;
    r.part = dst_part_, r.parts = dst_parts_;
    r.be = wq_[0].be;
  }
}

void VecTiming::edge(unsigned granted) {
  if (!active_) return;
  if (finishing()) {  // the done cycle: the engine is idle after it (unless start()ed at this edge)
    active_ = false;
    evaluate();
    return;
  }
  bool g[kPorts];
  for (unsigned p = 0; p < kPorts; ++p) g[p] = (granted >> p & 1u) && req_[p].valid;
  const bool write_granted = g[kWrite];
  const bool computes = k_ < n_ && ready_ && (!needq_ || wq_n_ < kQueue || write_granted);
  // Every slot with a word arriving holds it; a granted read arrives in the next cycle.
  for (uint8_t s = 0; s < 4; ++s)
    if (arr_[s].valid) held_[s] = arr_[s], arr_[s].valid = false;
  for (unsigned p = kRead0; p <= kRead1; ++p)
    if (g[p]) arr_[req_[p].slot] = Held{true, Addr{req_[p].psum ? Space::kPsum : Space::kSbuf, req_[p].word}};
  if (write_granted) {
    for (unsigned i = 1; i < wq_n_; ++i) wq_[i - 1] = wq_[i];
    --wq_n_;
  }
  auto push = [&] {
    if (wq_n_ == kQueue) throw std::logic_error("VecTiming: the write queue is full");
    wq_[wq_n_++] = wb_;
    wb_ = Buf{};
  };
  if (computes) {
    if (cur_.has_dst) {
      if (wb_.valid && wb_.a != cur_.dst) throw std::logic_error("VecTiming: the merge buffer holds another word");
      wb_.valid = true;
      wb_.a = cur_.dst;
      wb_.be = static_cast<uint8_t>(wb_.be | cur_.be);
      if (last_) push();
    }
    advance();
  } else if (flush_) {  // j = k cannot compute (not ready), so at most one of the two
    push();
    ++forced_flushes_;
  }
  for (unsigned p = kRead0; p <= kRead1; ++p) {
    pend_[p] = req_[p].valid && !g[p];
    if (pend_[p]) pend_req_[p] = req_[p];
  }
  evaluate();
}

}  // namespace tessera::tlm
