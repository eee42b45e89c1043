// One streaming vector engine of the core, `act` (IsAct) or `dve` (docs/vec_engines.md): takes an
// instruction from its sequencer, walks its elements in order, reads the source words it does
// not hold through its two read ports (port 0: src / a and the first column; port 1: b and the
// second column), computes one element per cycle in all partitions at once (vec_pkg::lane in a
// loop over the partitions), merges results into the write buffer `wb` and writes a complete
// destination word from the two-entry write queue `wq` through its write port. The cycle rules
// (fetch one element ahead, blocked reads, forced flush) are the timing contract that the TLM
// model (sim/tlm/vec_timing.*) reproduces; every output is a function of registers.
module vec_engine
  import tessera_isa_pkg::*, ap_pkg::*;  // ap_t, ap_at, psum_at, elem_shift
#(
  parameter int unsigned Rows = 4,
  parameter int unsigned MemAw = 12,
  parameter bit IsAct = 1'b0,
  localparam int unsigned Tb = Rows < 32 ? Rows : 32  // transpose block edge
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  input  logic [63:0]              sr_seed_i,     // kernel seed of the stochastic rounding (dve)
  // instruction stream from the sequencer
  input  logic                     inst_valid_i,
  output logic                     inst_ready_o,
  input  logic [WordBits-1:0]      inst_i,
  output logic                     done_o,
  output logic                     busy_o,
  output logic                     stall_o,
  // three mem ports (docs/core.md), each one word address in every partition of its mask:
  // 0 and 1 read (we_o low), 2 writes (rvalid_i, rdata_i unused)
  output logic [2:0]                 req_o,
  input  logic [2:0]                 gnt_i,
  output logic [2:0]                 we_o,
  output logic [2:0]                 psum_o,
  output logic [2:0][MemAw-1:0]      addr_o,
  output logic [2:0][Rows-1:0]       mask_o,
  output logic [2:0][3:0]            be_o,
  output logic [2:0][Rows-1:0][31:0] wdata_o,
  input  logic [2:0]                 rvalid_i,
  input  logic [2:0][Rows-1:0][31:0] rdata_i
);
  localparam int unsigned RotW = Rows > 1 ? $clog2(Rows) : 1;
  localparam int unsigned TbW = Tb > 1 ? $clog2(Tb) : 1;

  typedef enum logic [2:0] { PhCol0, PhCol1, PhMain, PhTw, PhRcol, PhEnd } phase_e;
  typedef struct packed {
    logic            psum;
    logic [MemAw-1:0] word;
  } waddr_t;  // a word of SBUF or PSUM (in every partition)
  // ---- instruction fields ------------------------------------------------------------------
  // A column field (docs/isa.md) at bit `lsb`: its word in SBUF or PSUM.
  function automatic waddr_t col_at(logic [WordBits-1:0] w, int unsigned lsb);
    waddr_t a;
    a.psum = w[lsb + ColSpaceLsb +: ColSpaceBits] == SpacePsum;
    a.word = w[lsb + ColAddrLsb + 2 +: MemAw];
    return a;
  endfunction

  function automatic logic [Rows-1:0] part_mask(logic [7:0] part, logic [7:0] parts);
    logic [Rows-1:0] m;
    for (int unsigned q = 0; q < Rows; q++) m[q] = q >= 32'(part) && q < 32'(part) + 32'(parts);
    return m;
  endfunction

  // ISA alu_op_e (bypass add sub mul max min rsub) -> dve_alu (bypass add sub rsub mul max min)
  function automatic logic [2:0] alu_code(logic [2:0] isa_op);
    unique case (isa_op)
      3'd0: return 3'd0;
      3'd1: return 3'd1;
      3'd2: return 3'd2;
      3'd3: return 3'd4;
      3'd4: return 3'd5;
      3'd5: return 3'd6;
      3'd6: return 3'd3;
      default: return 3'd7;
    endcase
  endfunction

  // reduce_op_e (add max min mul) -> dve_alu
  function automatic logic [2:0] reduce_code(logic [1:0] r);
    unique case (r)
      2'd0: return 3'd1;
      2'd1: return 3'd5;
      2'd2: return 3'd6;
      default: return 3'd4;
    endcase
  endfunction

  // The lane's initial stochastic-rounding state, fp::Xorshift32::for_lane (docs/numerics.md).
  function automatic logic [31:0] fmix32(logic [31:0] h0);
    logic [31:0] h;
    h = h0 ^ (h0 >> 16);
    h = h * 32'h85EB_CA6B;
    h = h ^ (h >> 13);
    h = h * 32'hC2B2_AE35;
    return h ^ (h >> 16);
  endfunction
  function automatic logic [31:0] lane_seed(logic [63:0] seed, int unsigned lane);
    logic [31:0] s;
    s = fmix32(fmix32(seed[31:0] ^ (32'h9E37_79B9 * 32'(lane + 1))) ^ seed[63:32]);
    return s == '0 ? 32'h9E37_79B9 : s;
  endfunction
  function automatic logic [31:0] xorshift(logic [31:0] x0);
    logic [31:0] x;
    x = x0 ^ (x0 << 13);
    x = x ^ (x >> 17);
    return x ^ (x << 5);
  endfunction

  function automatic logic [Rows-1:0][31:0] rotate(logic [Rows-1:0][31:0] d, logic [RotW-1:0] r);
    logic [Rows-1:0][31:0] o;
    for (int unsigned q = 0; q < Rows; q++) begin
      int unsigned i;
      i = q + 32'(r);
      if (i >= Rows) i -= Rows;
      o[q] = d[i];
    end
    return o;
  endfunction

  // ---- decoded instruction -----------------------------------------------------------------
  logic active_q;
  opcode_e op_q;
  logic [3:0] func_q;
  logic [2:0] alu0_q, alu1_q;
  logic sr_q;
  logic [31:0] value_q;
  dtype_e d_dtype_q, x_dtype_q, b_dtype_q;
  logic d_psum_q, x_psum_q, b_psum_q;
  logic [7:0] d_part_q;
  logic [Rows-1:0] d_mask_q, x_mask_q, b_mask_q;
  logic [RotW-1:0] x_rot_q, b_rot_q;   // lane q takes partition q + rot (mod Rows)
  logic x_fwd_q, b_fwd_q;              // same partition offset as dst: forwarding applies
  logic c0_q, c1_q, rcol_q;            // column elements present
  waddr_t c0_addr_q, c1_addr_q, rcol_addr_q;
  logic [31:0] imm0_q, imm1_q;
  phase_e ph_q;
  logic [21:0] idx_q;                  // element index inside the phase (the 2^22 limit)

  logic is_tt, is_reduce, is_tr, is_memset, has_x;
  assign is_tt = op_q == OpTensorTensor;
  assign is_reduce = op_q == OpTensorReduce;
  assign is_tr = op_q == OpTranspose;
  assign is_memset = op_q == OpMemset;
  assign has_x = !is_memset;

  // ---- walkers -----------------------------------------------------------------------------
  logic accept;
  ap_t dec_d, dec_x, dec_b;
  int unsigned d_lsb, x_lsb, b_lsb;  // the offered instruction's dst, src / a and b fields
  logic [31:0] d_cur, d_nxt, x_cur, x_nxt, b_cur, b_nxt;
  logic d_last, x_last, b_last;
  logic adv_d, adv_x, adv_b;

  vec_walk u_wd (.clk_i, .rst_ni, .load_i(accept), .base_i(dec_d.addr[31:0]), .shift_i(elem_shift(dec_d.dtype)),
                 .count_i(dec_d.n), .stride_i(dec_d.s), .adv_i(adv_d), .cur_o(d_cur), .nxt_o(d_nxt), .last_o(d_last));
  vec_walk u_wx (.clk_i, .rst_ni, .load_i(accept), .base_i(dec_x.addr[31:0]), .shift_i(elem_shift(dec_x.dtype)),
                 .count_i(dec_x.n), .stride_i(dec_x.s), .adv_i(adv_x), .cur_o(x_cur), .nxt_o(x_nxt), .last_o(x_last));
  vec_walk u_wb (.clk_i, .rst_ni, .load_i(accept), .base_i(dec_b.addr[31:0]), .shift_i(elem_shift(dec_b.dtype)),
                 .count_i(dec_b.n), .stride_i(dec_b.s), .adv_i(adv_b), .cur_o(b_cur), .nxt_o(b_nxt), .last_o(b_last));

  // On-chip byte addresses fit MemAw + 2 bits (ref::CoreModel::validate bounds every pattern).
  function automatic waddr_t word_of(logic psum, logic [31:0] byte_addr);
    waddr_t w;
    w.psum = psum;
    w.word = MemAw'(byte_addr >> 2);
    return w;
  endfunction

  // ---- the current element (k) and the next one (k + 1) ------------------------------------
  // Slots: 0 src/a, 1 b, 2 scale/s0 column, 3 bias/s1 column.
  logic [3:0] c_need, n_need;
  waddr_t [3:0] c_addr, n_addr;
  logic c_dst, n_dst;
  waddr_t c_daddr, n_daddr;
  logic [1:0] c_doff;
  logic [3:0] c_be;
  logic main_last;     // the current element is the main phase's last
  phase_e after_main;

  assign main_last = (is_reduce || is_tr) ? x_last : d_last;
  always_comb begin
    after_main = PhEnd;
    if (is_tr) after_main = PhTw;
    else if (rcol_q) after_main = PhRcol;
  end

  function automatic logic [3:0] elem_be(dtype_e dt, logic [1:0] off);
    unique case (elem_shift(dt))
      2'd2: return 4'hF;
      2'd1: return off[1] ? 4'hC : 4'h3;
      default: return 4'b0001 << off;
    endcase
  endfunction

  // First element of a phase: its sources and destination.
  task automatic first_of(input phase_e p, output logic [3:0] need, output waddr_t [3:0] addr,
                          output logic dst, output waddr_t daddr);
    need = '0;
    addr = '0;
    dst = 1'b0;
    daddr = '0;
    unique case (p)
      PhCol0: begin need[2] = 1'b1; addr[2] = c0_addr_q; end
      PhCol1: begin need[3] = 1'b1; addr[3] = c1_addr_q; end
      PhMain: begin
        need[0] = has_x;
        addr[0] = word_of(x_psum_q, x_cur);
        need[1] = is_tt;
        addr[1] = word_of(b_psum_q, b_cur);
        dst = !is_reduce && !is_tr;
        daddr = word_of(d_psum_q, d_cur);
      end
      PhTw: begin dst = 1'b1; daddr = word_of(d_psum_q, d_cur); end
      PhRcol: begin dst = 1'b1; daddr = rcol_addr_q; end
      default: ;
    endcase
  endtask

  phase_e ph_next;  // the phase after the current one
  always_comb begin
    ph_next = PhEnd;
    unique case (ph_q)
      PhCol0: ph_next = c1_q ? PhCol1 : PhMain;
      PhCol1: ph_next = PhMain;
      PhMain: ph_next = after_main;
      PhTw: ph_next = PhEnd;
      default: ph_next = PhEnd;
    endcase
  end

  always_comb begin
    first_of(ph_q, c_need, c_addr, c_dst, c_daddr);
    c_doff = d_cur[1:0];
    c_be = elem_be(d_dtype_q, d_cur[1:0]);
    if (ph_q == PhMain && is_reduce) c_dst = x_last;  // the one result, after the last source
    if (ph_q == PhRcol) begin
      c_doff = 2'd0;
      c_be = 4'hF;
    end
    if (!active_q) begin
      c_need = '0;
      c_dst = 1'b0;
    end
    // the next element
    if ((ph_q == PhMain && !main_last) || (ph_q == PhTw && !d_last)) begin
      n_need = '0;
      n_addr = '0;
      n_dst = 1'b0;
      n_daddr = word_of(d_psum_q, d_nxt);
      if (ph_q == PhMain) begin
        n_need[0] = has_x;
        n_addr[0] = word_of(x_psum_q, x_nxt);
        n_need[1] = is_tt;
        n_addr[1] = word_of(b_psum_q, b_nxt);
        n_dst = !is_reduce && !is_tr;
      end else begin
        n_dst = 1'b1;
      end
    end else begin
      first_of(ph_next, n_need, n_addr, n_dst, n_daddr);
    end
    if (!active_q || ph_q == PhEnd) begin
      n_need = '0;
      n_dst = 1'b0;
    end
  end

  // ---- slots, write buffer, queue ----------------------------------------------------------
  // Read port r serves slots r and r + 2; arr_*[r] is the word arriving on it in this cycle.
  logic [3:0] held_v_q;
  waddr_t [3:0] held_a_q;
  logic [3:0][Rows-1:0][31:0] held_d_q;
  logic [1:0] arr_v_q;
  logic [1:0][1:0] arr_s_q;
  waddr_t [1:0] arr_a_q;
  logic wb_v_q;
  waddr_t wb_a_q;
  logic [3:0] wb_be_q;
  logic [Rows-1:0][31:0] wb_d_q;
  logic [1:0] wq_v_q;               // the write queue: entry 0 its head (entry 1 valid => entry 0 valid)
  waddr_t [1:0] wq_a_q;
  logic [1:0][3:0] wq_be_q;
  logic [1:0][Rows-1:0][31:0] wq_d_q;
  logic [1:0] pend_q;               // a read not granted in the previous cycle, presented again
  logic [1:0][1:0] pend_s_q;
  waddr_t [1:0] pend_a_q;

  function automatic logic avail(logic [1:0] s, waddr_t w);
    return (arr_v_q[s[0]] && arr_s_q[s[0]] == s && arr_a_q[s[0]] == w) || (held_v_q[s] && held_a_q[s] == w);
  endfunction
  function automatic logic avail_next(logic [1:0] s, waddr_t w);
    return (arr_v_q[s[0]] && arr_s_q[s[0]] == s) ? arr_a_q[s[0]] == w : (held_v_q[s] && held_a_q[s] == w);
  endfunction
  function automatic logic wq_holds(waddr_t w);
    return (wq_v_q[0] && wq_a_q[0] == w) || (wq_v_q[1] && wq_a_q[1] == w);
  endfunction

  logic kval, ready, lastw, needq, sure, fetch_next, wq_full;
  logic [1:0] m_v, blocked, blocked_wb, rd_req, rd_gnt;
  logic [1:0][1:0] m_s;
  waddr_t [1:0] m_a;
  logic wr_req, wq_gnt, compute, flush;
  logic wq_pos;  // the entry a push fills (after this cycle's pop)

  assign kval = active_q && ph_q != PhEnd;
  always_comb begin
    ready = kval;
    for (int unsigned s = 0; s < 4; s++)
      if (c_need[s] && !avail(2'(s), c_addr[s])) ready = 1'b0;
  end
  assign wq_full = wq_v_q[1];
  assign lastw = !n_dst || n_daddr != c_daddr;
  assign needq = c_dst && lastw;
  assign sure = ready && (!needq || !wq_full);
  assign fetch_next = sure;

  // Per read port, the fetch element's missing word among the port's two slots.
  always_comb begin
    for (int unsigned r = 0; r < 2; r++) begin
      m_v[r] = 1'b0;
      m_s[r] = '0;
      m_a[r] = '0;
      for (int s = 3; s >= 0; s--) begin  // the lower slot wins (an element has at most one per port)
        if (s % 2 == int'(r)) begin
          if (fetch_next) begin
            if (n_need[s] && !avail_next(2'(s), n_addr[s])) begin
              m_v[r] = 1'b1;
              m_s[r] = 2'(s);
              m_a[r] = n_addr[s];
            end
          end else if (kval && c_need[s] && !avail(2'(s), c_addr[s])) begin
            m_v[r] = 1'b1;
            m_s[r] = 2'(s);
            m_a[r] = c_addr[s];
          end
        end
      end
      blocked_wb[r] = wb_v_q && wb_a_q == m_a[r];
      blocked[r] = wq_holds(m_a[r]) || blocked_wb[r] || (fetch_next && c_dst && c_daddr == m_a[r]);
      rd_req[r] = pend_q[r] || (m_v[r] && !blocked[r]);
    end
  end

  assign rd_gnt = rd_req & gnt_i[1:0];
  assign wr_req = wq_v_q[0];
  assign wq_gnt = wr_req && gnt_i[2];
  assign compute = ready && (!needq || !wq_full || wq_gnt);
  assign flush = !fetch_next && ((m_v[0] && blocked_wb[0]) || (m_v[1] && blocked_wb[1])) && !wq_full;
  // entries after the pop: 0 or 1 (a push needs a free entry: wq_full pops in the same cycle)
  assign wq_pos = wq_gnt ? wq_v_q[1] : wq_v_q[0];

  logic [1:0][1:0] rq_s;
  waddr_t [1:0] rq_a;
  always_comb begin
    for (int unsigned r = 0; r < 2; r++) begin
      rq_s[r] = pend_q[r] ? pend_s_q[r] : m_s[r];
      rq_a[r] = pend_q[r] ? pend_a_q[r] : m_a[r];
      req_o[r] = rd_req[r];
      we_o[r] = 1'b0;
      psum_o[r] = rq_a[r].psum;
      addr_o[r] = rq_a[r].word;
      be_o[r] = 4'h0;
      wdata_o[r] = '0;
      mask_o[r] = d_mask_q;  // a column's: the destination's partitions
      if (rq_s[r] == 2'd0) mask_o[r] = x_mask_q;
      if (rq_s[r] == 2'd1) mask_o[r] = b_mask_q;
    end
    req_o[2] = wr_req;
    we_o[2] = 1'b1;
    psum_o[2] = wq_a_q[0].psum;
    addr_o[2] = wq_a_q[0].word;
    mask_o[2] = d_mask_q;
    be_o[2] = wq_be_q[0];
    wdata_o[2] = wq_d_q[0];
  end

  logic finishing;
  assign finishing = active_q && ph_q == PhEnd && !wb_v_q && !wq_v_q[0] && pend_q == '0;
  assign inst_ready_o = !active_q || finishing;
  assign done_o = finishing;
  assign busy_o = active_q && !finishing;
  assign accept = inst_valid_i && inst_ready_o;

  // ---- datapath ----------------------------------------------------------------------------
  // The words arriving on the read ports in destination lanes (a column's are not rotated).
  logic [1:0][Rows-1:0][31:0] arr_rot;
  assign arr_rot[0] = rotate(rdata_i[0], arr_s_q[0] == 2'd0 ? x_rot_q : '0);
  assign arr_rot[1] = rotate(rdata_i[1], arr_s_q[1] == 2'd1 ? b_rot_q : '0);

  logic [1:0][Rows-1:0][31:0] sd;      // the source slots' words as the current element sees them
  always_comb begin
    for (int unsigned s = 0; s < 2; s++)
      sd[s] = (arr_v_q[s] && arr_s_q[s] == 2'(s) && arr_a_q[s] == c_addr[s]) ? arr_rot[s] : held_d_q[s];
  end

  logic [Rows-1:0][31:0] acc_q, acc_d, code, xw, sr_state_q;
  logic [Tb-1:0][Tb-1:0][31:0] tbuf_q;  // transpose block [src partition][src element]
  logic first;
  assign first = idx_q == '0;

  // Every lane's element: one loop over the partitions calling vec_pkg::lane. The bound is a
  // variable so that Verilator keeps it a loop (it unrolls constant bounds of up to 64): one
  // copy of the arithmetic in the verilated model, not one per lane (docs/vec_engines.md
  // "Build cost").
  always_comb begin : lanes
    int unsigned n, f;
    logic [31:0] tval, s0, s1;
    n = Rows;
    code = '0;
    xw = '0;
    acc_d = '0;
    for (int unsigned q = 0; q < n; q++) begin
      // transpose writes: lane q takes the block's column q - dst.part of row idx
      f = q + Rows - 32'(d_part_q) % Rows;
      if (f >= Rows) f -= Rows;
      tval = '0;
      if (f < Tb && 32'(idx_q) < Tb) tval = tbuf_q[idx_q[TbW-1:0]][f[TbW-1:0]];
      s0 = c0_q ? held_d_q[2][q] : imm0_q;
      s1 = c1_q ? held_d_q[3][q] : imm1_q;
      vec_pkg::lane(IsAct, op_q, func_q, alu0_q, alu1_q, x_dtype_q, b_dtype_q, d_dtype_q, sr_q,
                    xorshift(sr_state_q[q]), sd[0][q], x_cur[1:0], sd[1][q], b_cur[1:0], s0, s1, value_q, first,
                    acc_q[q], tval, code[q], xw[q], acc_d[q]);
    end
  end

  // The computed element's write data, in place in its word.
  logic [Rows-1:0][31:0] put;
  logic [31:0] be_bits;
  always_comb begin
    for (int unsigned b = 0; b < 4; b++) be_bits[8*b +: 8] = {8{c_be[b]}};
    for (int unsigned q = 0; q < Rows; q++)
      put[q] = ph_q == PhRcol ? acc_q[q] : code[q] << {c_doff, 3'b000};
  end

  // ---- state -------------------------------------------------------------------------------
  logic main_elem;
  assign main_elem = compute && ph_q == PhMain;
  assign adv_d = compute && ((ph_q == PhMain && !is_reduce && !is_tr) || ph_q == PhTw);
  assign adv_x = compute && ph_q == PhMain && has_x;
  assign adv_b = compute && ph_q == PhMain && is_tt;

  always_comb begin
    d_lsb = 0;
    x_lsb = 0;
    b_lsb = 0;
    unique case (opcode_e'(inst_i[HdrOpcodeLsb +: HdrOpcodeBits]))
      OpActivation: begin d_lsb = ActivationDstLsb; x_lsb = ActivationSrcLsb; end
      OpTensorTensor: begin d_lsb = TensorTensorDstLsb; x_lsb = TensorTensorALsb; b_lsb = TensorTensorBLsb; end
      OpTensorScalar: begin d_lsb = TensorScalarDstLsb; x_lsb = TensorScalarSrcLsb; end
      OpTensorReduce: begin d_lsb = TensorReduceDstLsb; x_lsb = TensorReduceSrcLsb; end
      OpTensorCopy: begin d_lsb = TensorCopyDstLsb; x_lsb = TensorCopySrcLsb; end
      OpMemset: begin d_lsb = MemsetDstLsb; x_lsb = MemsetDstLsb; end
      OpTranspose: begin d_lsb = TransposeDstLsb; x_lsb = TransposeSrcLsb; end
      default: ;
    endcase
    dec_d = ap_at(inst_i, d_lsb);
    dec_x = ap_at(inst_i, x_lsb);
    dec_b = ap_at(inst_i, b_lsb);
  end

  function automatic logic [RotW-1:0] rot_of(logic [7:0] from, logic [7:0] to);
    return RotW'((32'(from) + Rows - 32'(to) % Rows) % Rows);
  endfunction

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      active_q <= 1'b0;
      op_q <= OpNop;
      func_q <= '0;
      alu0_q <= '0;
      alu1_q <= '0;
      sr_q <= 1'b0;
      value_q <= '0;
      d_dtype_q <= DtypeFp32;
      x_dtype_q <= DtypeFp32;
      b_dtype_q <= DtypeFp32;
      d_psum_q <= 1'b0;
      x_psum_q <= 1'b0;
      b_psum_q <= 1'b0;
      d_part_q <= '0;
      d_mask_q <= '0;
      x_mask_q <= '0;
      b_mask_q <= '0;
      x_rot_q <= '0;
      b_rot_q <= '0;
      x_fwd_q <= 1'b0;
      b_fwd_q <= 1'b0;
      c0_q <= 1'b0;
      c1_q <= 1'b0;
      rcol_q <= 1'b0;
      c0_addr_q <= '0;
      c1_addr_q <= '0;
      rcol_addr_q <= '0;
      imm0_q <= '0;
      imm1_q <= '0;
      ph_q <= PhEnd;
      idx_q <= '0;
      held_v_q <= '0;
      held_a_q <= '0;
      held_d_q <= '0;
      arr_v_q <= '0;
      arr_s_q <= '0;
      arr_a_q <= '0;
      wb_v_q <= 1'b0;
      wq_v_q <= '0;
      wb_a_q <= '0;
      wq_a_q <= '0;
      wb_be_q <= '0;
      wq_be_q <= '0;
      wb_d_q <= '0;
      wq_d_q <= '0;
      pend_q <= '0;
      pend_s_q <= '0;
      pend_a_q <= '0;
      stall_o <= 1'b0;
      acc_q <= '0;
      tbuf_q <= '0;
      for (int unsigned q = 0; q < Rows; q++) sr_state_q[q] <= IsAct ? '0 : lane_seed(sr_seed_i, q);
    end else begin
      stall_o <= (req_o & ~gnt_i) != '0;
      // reads: the arriving words are held; a granted read arrives next cycle
      for (int unsigned r = 0; r < 2; r++) begin
        arr_v_q[r] <= rd_gnt[r];
        if (rd_gnt[r]) begin
          arr_s_q[r] <= rq_s[r];
          arr_a_q[r] <= rq_a[r];
        end
        pend_q[r] <= rd_req[r] && !gnt_i[r];
        if (rd_req[r] && !gnt_i[r]) begin
          pend_s_q[r] <= rq_s[r];
          pend_a_q[r] <= rq_a[r];
        end
        if (arr_v_q[r]) begin
          held_v_q[arr_s_q[r]] <= 1'b1;
          held_a_q[arr_s_q[r]] <= arr_a_q[r];
          held_d_q[arr_s_q[r]] <= arr_rot[r];
        end
      end
      // writes: the head leaves when granted; a push fills the entry after it
      if (wq_gnt) begin
        wq_v_q <= {1'b0, wq_v_q[1]};
        wq_a_q[0] <= wq_a_q[1];
        wq_be_q[0] <= wq_be_q[1];
        wq_d_q[0] <= wq_d_q[1];
      end
      if (flush) begin
        wq_v_q[wq_pos] <= 1'b1;
        wq_a_q[wq_pos] <= wb_a_q;
        wq_be_q[wq_pos] <= wb_be_q;
        wq_d_q[wq_pos] <= wb_d_q;
        wb_v_q <= 1'b0;
      end
      if (compute) begin
        if (c_dst) begin
          logic [Rows-1:0][31:0] merged;
          logic [3:0] be;
          be = (wb_v_q ? wb_be_q : 4'h0) | c_be;
          for (int unsigned q = 0; q < Rows; q++)
            merged[q] = (wb_d_q[q] & ~be_bits) | (put[q] & be_bits);
          if (needq) begin
            wq_v_q[wq_pos] <= 1'b1;
            wq_a_q[wq_pos] <= c_daddr;
            wq_be_q[wq_pos] <= be;
            wq_d_q[wq_pos] <= merged;
            wb_v_q <= 1'b0;
          end else begin
            wb_v_q <= 1'b1;
            wb_a_q <= c_daddr;
            wb_be_q <= be;
            wb_d_q <= merged;
          end
          // forwarding: a source word held in the destination's partitions sees the result
          for (int unsigned s = 0; s < 2; s++) begin
            if ((s == 0 ? x_fwd_q : b_fwd_q) &&
                ((arr_v_q[s] && arr_s_q[s] == 2'(s)) ? arr_a_q[s] : held_a_q[s]) == c_daddr) begin
              for (int unsigned q = 0; q < Rows; q++)
                if (d_mask_q[q])
                  held_d_q[s][q] <= (((arr_v_q[s] && arr_s_q[s] == 2'(s)) ? arr_rot[s][q] : held_d_q[s][q]) & ~be_bits) |
                                    (put[q] & be_bits);
            end
          end
        end
        if (main_elem) begin
          acc_q <= acc_d;
          if (is_tr) begin
            for (int unsigned p = 0; p < Tb; p++) tbuf_q[p][idx_q[TbW-1:0]] <= xw[p];
          end
          if (!IsAct && op_q == OpTensorCopy && sr_q) begin
            for (int unsigned q = 0; q < Rows; q++)
              if (d_mask_q[q]) sr_state_q[q] <= xorshift(sr_state_q[q]);
          end
        end
        // advance
        if ((ph_q == PhMain && !main_last) || (ph_q == PhTw && !d_last)) begin
          idx_q <= idx_q + 22'd1;
        end else begin
          ph_q <= ph_next;
          idx_q <= '0;
        end
      end
      if (finishing) active_q <= 1'b0;
      if (accept) begin
        logic [WordBits-1:0] w;
        logic sc0, sc1;
        w = inst_i;
        active_q <= 1'b1;
        op_q <= opcode_e'(w[HdrOpcodeLsb +: HdrOpcodeBits]);
        func_q <= w[ActivationFuncLsb +: ActivationFuncBits];
        alu0_q <= '0;
        alu1_q <= '0;
        sr_q <= 1'b0;
        value_q <= w[MemsetValueLsb +: MemsetValueBits];
        d_dtype_q <= dtype_e'(dec_d.dtype);
        x_dtype_q <= dtype_e'(dec_x.dtype);
        b_dtype_q <= dtype_e'(dec_b.dtype);
        d_psum_q <= psum_at(w, d_lsb);
        x_psum_q <= psum_at(w, x_lsb);
        b_psum_q <= psum_at(w, b_lsb);
        d_part_q <= dec_d.part;
        d_mask_q <= part_mask(dec_d.part, dec_d.parts);
        x_mask_q <= part_mask(dec_x.part, dec_x.parts);
        b_mask_q <= part_mask(dec_b.part, dec_b.parts);
        x_rot_q <= rot_of(dec_x.part, dec_d.part);
        b_rot_q <= rot_of(dec_b.part, dec_d.part);
        x_fwd_q <= dec_x.part == dec_d.part;
        b_fwd_q <= dec_b.part == dec_d.part;
        c0_q <= 1'b0;
        c1_q <= 1'b0;
        rcol_q <= 1'b0;
        imm0_q <= '0;
        imm1_q <= '0;
        sc0 = 1'b0;
        sc1 = 1'b0;
        unique case (opcode_e'(w[HdrOpcodeLsb +: HdrOpcodeBits]))
          OpActivation, OpTensorScalar: begin
            // scale and bias, or s0 and s1: an immediate or a column each
            automatic logic act = opcode_e'(w[HdrOpcodeLsb +: HdrOpcodeBits]) == OpActivation;
            automatic int unsigned l0 = act ? ActivationScaleLsb : TensorScalarS0Lsb;
            automatic int unsigned l1 = act ? ActivationBiasLsb : TensorScalarS1Lsb;
            sc0 = w[l0 + ScalarIsColLsb];
            sc1 = w[l1 + ScalarIsColLsb];
            imm0_q <= w[l0 + ScalarImmLsb +: 32];
            imm1_q <= w[l1 + ScalarImmLsb +: 32];
            c0_addr_q <= col_at(w, l0 + ScalarColLsb);
            c1_addr_q <= col_at(w, l1 + ScalarColLsb);
            rcol_q <= act && w[ActivationReduceLsb];
            rcol_addr_q <= col_at(w, ActivationReduceDstLsb);
            if (!act) begin
              alu0_q <= alu_code(w[TensorScalarOp0Lsb +: 3]);
              alu1_q <= alu_code(w[TensorScalarOp1Lsb +: 3]);
            end
          end
          OpTensorTensor: alu0_q <= alu_code(w[TensorTensorOpLsb +: 3]);
          OpTensorReduce: alu0_q <= reduce_code(w[TensorReduceOpLsb +: 2]);
          OpTensorCopy: sr_q <= w[TensorCopyRoundingLsb];
          OpTranspose: begin
            x_rot_q <= rot_of(dec_x.part, 8'd0);
            x_fwd_q <= 1'b0;
          end
          default: ;
        endcase
        c0_q <= sc0;
        c1_q <= sc1;
        unique case (opcode_e'(w[HdrOpcodeLsb +: HdrOpcodeBits]))
          OpNop: ph_q <= PhEnd;
          OpActivation, OpTensorScalar: ph_q <= sc0 ? PhCol0 : sc1 ? PhCol1 : PhMain;
          default: ph_q <= PhMain;
        endcase
        idx_q <= '0;
        held_v_q <= '0;
        arr_v_q <= '0;
        pend_q <= '0;
        wb_v_q <= 1'b0;
        wq_v_q <= '0;
      end
    end
  end

  // b ends with the destination (same element count); its own end flag is not needed.
  logic unused_b_last;
  assign unused_b_last = ^{b_last, rvalid_i[2], rdata_i[2]};  // the write port's read side

  // ---- checks ------------------------------------------------------------------------------
`ifndef SYNTHESIS
  // A request holds until granted (docs/core.md); read data arrives when expected; the merge
  // buffer only holds the current element's word; only this engine's instructions arrive.
  logic [2:0] req_held_q;
  logic [2:0][MemAw+1+Rows+4:0] req_payload_q;
  always_ff @(posedge clk_i) begin
    for (int unsigned p = 0; p < 3; p++) req_payload_q[p] <= {we_o[p], psum_o[p], addr_o[p], mask_o[p], be_o[p]};
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      req_held_q <= '0;
    end else begin
      req_held_q <= req_o & ~gnt_i;
      for (int unsigned p = 0; p < 3; p++)
        if (req_held_q[p]) assert (req_o[p] && req_payload_q[p] == {we_o[p], psum_o[p], addr_o[p], mask_o[p], be_o[p]})
                           else $error("vec_engine: mem request of port %0d changed before it was granted", p);
      assert ((arr_v_q & ~rvalid_i[1:0]) == '0) else $error("vec_engine: no rvalid one cycle after a granted read");
      assert ((gnt_i & ~req_o) == '0) else $error("vec_engine: a grant without a request");
      assert (!(compute && c_dst && wb_v_q) || wb_a_q == c_daddr)
        else $error("vec_engine: element merges into a different buffered word");
      if (accept) begin
        automatic opcode_e o = opcode_e'(inst_i[HdrOpcodeLsb +: HdrOpcodeBits]);
        assert (o == OpNop || (IsAct ? o == OpActivation
                                     : (o inside {OpTensorTensor, OpTensorScalar, OpTensorReduce, OpTensorCopy,
                                                  OpMemset, OpTranspose})))
          else $error("vec_engine: an instruction of another engine (opcode %0d)", o);
      end
    end
  end
`endif
endmodule
