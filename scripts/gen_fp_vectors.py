#!/usr/bin/env python3
"""Independent reference generator of floating-point test vectors.

Writes one ``<op>.vec`` file per operation into ``--out-dir``:

    f32_add f32_mul
    f32_to_bf16 f32_to_f16 f32_to_e4m3 f32_to_e5m2
    bf16_to_f32 f16_to_f32 e4m3_to_f32 e5m2_to_f32

File format: one '#' header line, then one vector per line: operand(s) in
hex followed by the expected result in hex, single-space separated,
lowercase, zero padded to the format width (fp32: 8, bf16/fp16: 4, fp8: 2
digits), no 0x prefix.  A trailing '# tag' comment names the case class.

Numerics contract (see the project brief):
  * widening X -> fp32 is exact; any NaN -> 0x7fc00000; inf -> inf;
    signed zeros keep their sign.
  * narrowing fp32 -> X is round-to-nearest-even on the exact value with
    gradual underflow (rounding to zero keeps the sign); NaN -> canonical
    positive NaN of the target (bf16 7fc0, fp16 7e00, e4m3 7f, e5m2 7e).
    bf16/fp16 overflow to +/-inf (IEEE rule: RNE at unbounded exponent range
    exceeding max finite); e4m3/e5m2 saturate to +/-max finite, also for
    +/-inf inputs.
  * f32_add / f32_mul: IEEE binary32, RNE, subnormals kept, canonical NaN
    0x7fc00000, exact zero sum is +0 except (-0)+(-0) = -0, product sign is
    XOR of the operand signs (also for zero / underflowed results).

Implementation: this script never lets Python float arithmetic or struct
packing do any rounding.  Every value is handled as an exact
(sign, integer significand, power-of-two exponent) triple and rounded with
integer arithmetic.  ``--self-check`` re-derives every emitted vector with a
second, independent, Fraction-based oracle (nearest-value search over the
sorted list of all target values for the narrowing ops, Fraction rounding
for add/mul, struct-based *decoding* of the results) and reports mismatches.

Only the Python 3.11 standard library is used.
"""

import argparse
import bisect
import pathlib
import random
import struct
import sys
import time
from fractions import Fraction

# --------------------------------------------------------------------------
# Format descriptions
# --------------------------------------------------------------------------


class Fmt:
    """Binary floating-point format with hidden bit and subnormals.

    has_inf:  True  -> IEEE-like: exponent field all ones is inf/NaN.
              False -> "FN" (E4M3FN): all-ones exponent holds normal numbers,
                       only mantissa all ones is NaN, no infinities.
    saturate: overflow on narrowing goes to +/-max finite instead of inf.
    """

    def __init__(self, name, ebits, mbits, bias, has_inf, saturate, nan_code):
        self.name = name
        self.ebits = ebits
        self.mbits = mbits
        self.bias = bias
        self.has_inf = has_inf
        self.saturate = saturate
        self.nan_code = nan_code
        self.width = 1 + ebits + mbits
        self.digits = self.width // 4
        self.sign_bit = 1 << (self.width - 1)
        self.hidden = 1 << mbits
        self.mant_mask = self.hidden - 1
        self.exp_all_ones = (1 << ebits) - 1
        # value = n * 2**q ; smallest quantum (subnormal ulp)
        self.qmin = 1 - bias - mbits
        if has_inf:
            max_ef, max_mant = self.exp_all_ones - 1, self.mant_mask
            self.inf_code = self.exp_all_ones << mbits
        else:
            max_ef, max_mant = self.exp_all_ones, self.mant_mask - 1
            self.inf_code = None
        self.max_code = (max_ef << mbits) | max_mant
        self.max_n = self.hidden | max_mant          # max finite = max_n * 2**max_q
        self.max_q = max_ef - bias - mbits
        self.emax = max_ef - bias                    # unbiased exponent of max finite
        self.emin = 1 - bias                         # unbiased exponent of min normal

    def fmt(self, code):
        return format(code, "0%dx" % self.digits)


FP32 = Fmt("fp32", 8, 23, 127, True, False, 0x7FC00000)
BF16 = Fmt("bf16", 8, 7, 127, True, False, 0x7FC0)
FP16 = Fmt("fp16", 5, 10, 15, True, False, 0x7E00)
E4M3 = Fmt("e4m3", 4, 3, 7, False, True, 0x7F)
E5M2 = Fmt("e5m2", 5, 2, 15, True, True, 0x7E)

NARROW_FMTS = {"bf16": BF16, "f16": FP16, "e4m3": E4M3, "e5m2": E5M2}

NAN, INF, FIN = 0, 1, 2

# --------------------------------------------------------------------------
# Exact decode / round / encode with integer arithmetic
# --------------------------------------------------------------------------


def decode(f, code):
    """code -> (cls, sign, m, e); finite value = (-1)**sign * m * 2**e."""
    s = 1 if code & f.sign_bit else 0
    ef = (code >> f.mbits) & f.exp_all_ones
    mant = code & f.mant_mask
    if ef == f.exp_all_ones:
        if f.has_inf:
            return (INF, s, 0, 0) if mant == 0 else (NAN, s, 0, 0)
        if mant == f.mant_mask:
            return (NAN, s, 0, 0)
    if ef == 0:
        return (FIN, s, mant, f.qmin)
    return (FIN, s, mant | f.hidden, ef - f.bias - f.mbits)


def round_mag(f, m, e):
    """Round m * 2**e (m > 0) to format f at unbounded exponent range above,
    gradual underflow below.  Returns (n, q, status) with the rounded value
    n * 2**q (n < 2**(mbits+1), n may be 0) and status 0 = exact,
    1 = inexact, 2 = exact tie (rounded to even)."""
    mb = f.mbits
    big_e = m.bit_length() - 1 + e          # 2**big_e <= value < 2**(big_e+1)
    q = big_e - mb
    if q < f.qmin:
        q = f.qmin
    if e >= q:
        return (m << (e - q), q, 0)
    sh = q - e
    n = m >> sh
    rem = m & ((1 << sh) - 1)
    half = 1 << (sh - 1)
    if rem == 0:
        status = 0
    elif rem == half:
        status = 2
        n += n & 1
    else:
        status = 1
        if rem > half:
            n += 1
    if n >> (mb + 1):                       # carried into the next binade
        n >>= 1
        q += 1
    return (n, q, status)


def encode_rounded(f, s, n, q):
    """Encode already-rounded n * 2**q with sign s, applying overflow rules."""
    sbit = f.sign_bit if s else 0
    if n == 0:
        return sbit
    if q > f.max_q or (q == f.max_q and n > f.max_n):
        if f.saturate:
            return sbit | f.max_code
        return sbit | f.inf_code
    if n < f.hidden:                        # subnormal (then q == qmin)
        assert q == f.qmin
        return sbit | n
    return sbit | ((q - f.qmin + 1) << f.mbits) | (n - f.hidden)


def round_encode(f, s, m, e):
    """Round the exact value (-1)**s * m * 2**e to f; returns (code, status)."""
    if m == 0:
        return (f.sign_bit if s else 0), 0
    n, q, st = round_mag(f, m, e)
    return encode_rounded(f, s, n, q), st


def exact_encode(f, s, m, e):
    """Encode a value that is exactly representable as a finite number of f;
    return None if it is not (needs rounding, or exceeds max finite)."""
    if m == 0:
        return f.sign_bit if s else 0
    n, q, st = round_mag(f, m, e)
    if st != 0 or q > f.max_q or (q == f.max_q and n > f.max_n):
        return None
    return encode_rounded(f, s, n, q)


# ---- the operations -------------------------------------------------------


def op_widen(src, code):
    cls, s, m, e = decode(src, code)
    if cls == NAN:
        return FP32.nan_code
    if cls == INF:
        return (FP32.sign_bit if s else 0) | FP32.inf_code
    r = exact_encode(FP32, s, m, e)
    assert r is not None, (src.name, code)
    return r


def op_narrow(dst, bits):
    cls, s, m, e = decode(FP32, bits)
    if cls == NAN:
        return dst.nan_code, "nan"
    sbit = dst.sign_bit if s else 0
    if cls == INF:
        return sbit | (dst.max_code if dst.saturate else dst.inf_code), "inf"
    code, st = round_encode(dst, s, m, e)
    return code, ("exact", "inexact", "tie")[st]


def op_add(a, b):
    ca, sa, ma, ea = decode(FP32, a)
    cb, sb, mb, eb = decode(FP32, b)
    if ca == NAN or cb == NAN:
        return FP32.nan_code, "nan"
    if ca == INF or cb == INF:
        if ca == INF and cb == INF and sa != sb:
            return FP32.nan_code, "nan"
        s = sa if ca == INF else sb
        return (FP32.sign_bit if s else 0) | FP32.inf_code, "inf"
    e = min(ea, eb)
    va = (ma << (ea - e)) * (-1 if sa else 1)
    vb = (mb << (eb - e)) * (-1 if sb else 1)
    v = va + vb
    if v == 0:
        # exact zero: +0 unless both operands are negative (then both are -0)
        return (FP32.sign_bit if (sa and sb) else 0), "zero"
    s = 1 if v < 0 else 0
    code, st = round_encode(FP32, s, abs(v), e)
    return code, ("exact", "inexact", "tie")[st]


def op_mul(a, b):
    ca, sa, ma, ea = decode(FP32, a)
    cb, sb, mb, eb = decode(FP32, b)
    if ca == NAN or cb == NAN:
        return FP32.nan_code, "nan"
    s = sa ^ sb
    sbit = FP32.sign_bit if s else 0
    if ca == INF or cb == INF:
        if (ca == FIN and ma == 0) or (cb == FIN and mb == 0):
            return FP32.nan_code, "nan"
        return sbit | FP32.inf_code, "inf"
    code, st = round_encode(FP32, s, ma * mb, ea + eb)
    return code, ("exact", "inexact", "tie")[st]


# --------------------------------------------------------------------------
# Helpers for case construction
# --------------------------------------------------------------------------

SIGN32 = 0x80000000
F32_INF = 0x7F800000
F32_MAX = 0x7F7FFFFF
F32_MIN_NORM = 0x00800000
F32_NANS = [0x7FC00000, 0xFFC00000, 0x7F800001, 0xFF800001, 0x7FBFFFFF,
            0x7FFFFFFF, 0xFFFFFFFF, 0x7FC00001, 0x7FA00000, 0xFFA5A5A5]


def f32_exact(s, m, e):
    r = exact_encode(FP32, s, m, e)
    assert r is not None, (s, m, e)
    return r


def is_finite32(bits):
    return (bits & 0x7F800000) != 0x7F800000


def rand_f32_exp(rng, lo, hi, sign=None):
    """Random fp32 with unbiased exponent uniformly in [lo, hi]; exponents
    below -126 give subnormals with their leading bit at that position."""
    lo = max(lo, -149)
    hi = min(hi, 127)
    big_e = rng.randint(lo, hi)
    s = rng.getrandbits(1) if sign is None else sign
    if big_e >= -126:
        bits = ((big_e + 127) << 23) | rng.getrandbits(23)
    else:
        p = big_e + 149                      # leading bit position in 0..22
        bits = (1 << p) | rng.getrandbits(p) if p else 1
    return bits | (SIGN32 if s else 0)


def pow2_f32(k):
    return f32_exact(0, 1, k)


class Sink:
    """Collects vectors for one op, dropping repeated operand tuples."""

    def __init__(self):
        self.rows = {}

    def add(self, key, line):
        if key not in self.rows:
            self.rows[key] = line


# --------------------------------------------------------------------------
# Generators
# --------------------------------------------------------------------------


def gen_widen(src):
    sink = Sink()
    for code in range(1 << src.width):
        cls, s, m, _ = decode(src, code)
        if cls == NAN:
            tag = "nan"
        elif cls == INF:
            tag = "inf"
        else:
            tag = "zero" if m == 0 else ("sub" if m < src.hidden else "norm")
        r = op_widen(src, code)
        sink.add(code, "%s %s # %s" % (src.fmt(code), FP32.fmt(r), tag))
    return sink


def positive_values(f):
    """All non-negative finite values of f in increasing order as (m, e),
    followed by the first value beyond max finite at unbounded range."""
    vals = []
    for code in range(f.max_code + 1):
        cls, _, m, e = decode(f, code)
        assert cls == FIN
        vals.append((m, e))
    vals.append((f.max_n + 1, f.max_q))     # next value above max finite
    return vals


def midpoint(v0, v1):
    (m0, e0), (m1, e1) = v0, v1
    e = min(e0, e1)
    return (m0 << (e0 - e)) + (m1 << (e1 - e)), e - 1


def gen_narrow(dst, rng, nrand):
    sink = Sink()

    def emit(bits, tag):
        r, _ = op_narrow(dst, bits)
        sink.add(bits, "%s %s # %s" % (FP32.fmt(bits), dst.fmt(r), tag))

    vals = positive_values(dst)
    # 1. every representable finite value (exact round trip), both signs
    for m, e in vals[:-1]:
        b = f32_exact(0, m, e)
        emit(b, "exact")
        emit(b | SIGN32, "exact")
    # 2. midpoints between all adjacent pairs (incl. 0..min subnormal,
    #    subnormal/normal boundary, max finite..overflow threshold) and one
    #    fp32 ulp either side, both signs.
    for i in range(len(vals) - 1):
        mm, me = midpoint(vals[i], vals[i + 1])
        mid = exact_encode(FP32, 0, mm, me)
        if mid is None:
            raise SystemExit("midpoint of %s values %r/%r not representable in fp32"
                             % (dst.name, vals[i], vals[i + 1]))
        last = i == len(vals) - 2
        for d, tag in ((0, "mid"), (-1, "mid-1ulp"), (1, "mid+1ulp")):
            b = mid + d
            t = ("ovf-" + tag) if last else tag
            emit(b, t)
            emit(b | SIGN32, t)
    # 3. fp32 specials
    specials = [0, F32_INF, 1, 2, 3, 0x100, 0x12345, 0x400000, 0x7FFFFE, 0x7FFFFF,
                F32_MIN_NORM, F32_MIN_NORM + 1, 0x00FFFFFF, F32_MAX, F32_MAX - 1,
                0x3F800000, 0x3FC00000, 0x7149F2CA, 0x0DA24260]  # 1e30, 1e-30
    for b in specials:
        emit(b, "special")
        emit(b | SIGN32, "special")
    for b in F32_NANS:
        emit(b, "nan")
    # 4. overflow threshold neighbourhood
    maxv = f32_exact(0, dst.max_n, dst.max_q)
    beyond_m, beyond_e = vals[-1]
    thr = exact_encode(FP32, 0, *midpoint(vals[-2], vals[-1]))
    beyond = exact_encode(FP32, 0, beyond_m, beyond_e)
    around = [maxv + d for d in range(-3, 4)] + [thr + d for d in range(-4, 5)]
    if beyond is not None:
        around += [beyond + d for d in range(-3, 4)]
        around += [beyond + (1 << 23), beyond + (2 << 23)]
    for b in around:
        if is_finite32(b):
            emit(b, "ovf-region")
            emit(b | SIGN32, "ovf-region")
    for k in range(dst.emax, 128):
        for mul in (1, 3, 5, 7):
            b = exact_encode(FP32, 0, mul, k - 2)
            if b is not None and is_finite32(b):
                emit(b, "ovf-pow2")
                emit(b | SIGN32, "ovf-pow2")
    # 5. powers of two (and 1.5x) across the whole fp32 range
    for k in range(-149, 128):
        for m, e in ((1, k), (3, k - 1)):
            b = exact_encode(FP32, 0, m, e)
            if b is not None and is_finite32(b):
                emit(b, "pow2")
                emit(b | SIGN32, "pow2")
    # 6. uniform random fp32 bit patterns
    for _ in range(nrand):
        emit(rng.getrandbits(32), "rand")
    # 7. random values concentrated in the target's exponent range
    lo = dst.emin - dst.mbits - 3
    hi = dst.emax + 2
    for _ in range(nrand):
        emit(rand_f32_exp(rng, lo, hi), "rand-range")
    return sink


ARITH_SPECIALS = [0, F32_INF, 1, 0x007FFFFF, F32_MIN_NORM, F32_MAX, 0x3F800000,
                  0x3FC00000]


def arith_special_list():
    out = []
    for b in ARITH_SPECIALS:
        out += [b, b | SIGN32]
    out += [0x7FC00000, 0xFFC00000, 0x7F800001, 0xFF800001, 0x7FFFFFFF]
    return out


def f32_fields(bits):
    """Finite fp32 -> (sign, m, e) (m possibly 0)."""
    cls, s, m, e = decode(FP32, bits)
    assert cls == FIN
    return s, m, e


def gen_add(rng, nrand):
    sink = Sink()

    def emit(a, b, tag):
        r, _ = op_add(a, b)
        sink.add((a, b), "%s %s %s # %s" % (FP32.fmt(a), FP32.fmt(b), FP32.fmt(r), tag))

    sp = arith_special_list()
    for a in sp:
        for b in sp:
            emit(a, b, "special")

    # cancellation: a + (-a), a + -(next(a)), a + -(prev(a))
    for i in range(3000):
        if i % 3 == 0:
            a = rng.getrandbits(31)
        else:
            a = rand_f32_exp(rng, -149, 127, sign=0)
        if not is_finite32(a):
            continue
        sa = rng.getrandbits(1) * SIGN32
        for nb in (a, a + 1, a - 1):
            if nb < 0 or not is_finite32(nb):
                continue
            emit(a | sa, nb | (sa ^ SIGN32), "cancel")
            emit(nb | (sa ^ SIGN32), a | sa, "cancel")
    for z in (0, SIGN32):
        for w in (0, SIGN32):
            emit(z, w, "zero")

    # exact RNE ties: choose a target r = n*2**q and build a + b = (2n+1)*2**(q-1)
    made = 0
    tries = 0
    while made < 4000 and tries < 200000:
        tries += 1
        big_e = rng.randint(-125, 127)
        n = (1 << 23) | rng.getrandbits(23)
        q = big_e - 23
        tie_int = 2 * n + 1                  # tie value at exponent q-1
        strat = rng.randrange(4)
        if strat == 0:                       # a in the same binade as r
            na = n + rng.choice((1, -1)) * rng.randrange(1 << rng.randrange(24))
            if not ((1 << 23) <= na < (1 << 24)):
                continue
            a_int = 2 * na
        elif strat == 1:                     # a in the binade below
            a_int = (1 << 23) | rng.getrandbits(23)
        elif strat == 2:                     # a in the binade above
            if big_e >= 127:
                continue
            a_int = ((1 << 23) | rng.getrandbits(23)) << 2
        else:                                # a small and odd at q-1, b ~ r
            a_int = rng.getrandbits(rng.randint(1, 24)) | 1
        b_int = tie_int - a_int
        a = exact_encode(FP32, 0, a_int, q - 1)
        b = exact_encode(FP32, 1 if b_int < 0 else 0, abs(b_int), q - 1) if b_int else None
        if a is None or b is None or not is_finite32(a) or not is_finite32(b):
            continue
        if op_add(a, b)[1] != "tie":
            continue
        if rng.getrandbits(1):
            a ^= SIGN32
            b ^= SIGN32
        if rng.getrandbits(1):
            a, b = b, a
        emit(a, b, "tie")
        made += 1
    for a, b in ((0x3F800000, 0x33800000), (0x3F800000, 0x34400000),
                 (0x3F800001, 0x33800000), (0x3F800000, 0xB3000000),
                 (0x4B000000, 0x3F000000), (0x4B000001, 0x3F000000),
                 (0x4B7FFFFF, 0x3F000000), (0xCB7FFFFF, 0xBF000000)):
        emit(a, b, "near-tie")

    # results in the subnormal range / crossing the normal boundary
    for a, b in ((0x00800001, 0x80800000), (0x00800000, 0x807FFFFF),
                 (0x007FFFFF, 0x00000001), (0x00FFFFFF, 0x80800000),
                 (0x00000001, 0x80000001), (0x80000001, 0x00000001),
                 (0x00000001, 0x00000001), (0x80000003, 0x80000005),
                 (0x01000000, 0x80FFFFFF), (0x00800000, 0x00800000)):
        emit(a, b, "subnormal")
    for _ in range(2000):
        a = rand_f32_exp(rng, -149, -124)
        b = rand_f32_exp(rng, -149, -124)
        emit(a, b, "subnormal")
        c = (a & 0x7FFFFFFF) + rng.randint(-40, 40)
        if 0 <= c <= F32_MAX:
            emit(a, c | ((a & SIGN32) ^ SIGN32), "subnormal")

    # overflow
    for a, b in ((F32_MAX, F32_MAX), (F32_MAX, 0x73000000), (F32_MAX, 0x72FFFFFF),
                 (F32_MAX, 0x73000001), (F32_MAX, 0x73800000), (F32_MAX, 0x72800000),
                 (0x7F000000, 0x7F000000), (0x7F7FFFFE, 0x73000000),
                 (0x7F7FFFFE, 0x73800000), (F32_MAX, 0xF3000000),
                 (F32_MAX, 0xFF7FFFFF), (0x7F000000, 0x7EFFFFFF)):
        emit(a, b, "overflow")
        emit(a ^ SIGN32, b ^ SIGN32, "overflow")
    for _ in range(2000):
        a = rand_f32_exp(rng, 124, 127)
        b = rand_f32_exp(rng, 100, 127, sign=(a >> 31))
        emit(a, b, "overflow")

    # random pairs: half uniform bit patterns, half with close exponents
    for _ in range(nrand // 2):
        emit(rng.getrandbits(32), rng.getrandbits(32), "rand")
    for _ in range(nrand - nrand // 2):
        a = rand_f32_exp(rng, -149, 127)
        cls, _, ma, ea = decode(FP32, a)
        big_e = max(ma.bit_length() - 1 + ea, -126) if ma else -126
        b = rand_f32_exp(rng, big_e - 26, big_e + 26)
        if rng.getrandbits(1):
            a, b = b, a
        emit(a, b, "rand-close")
    return sink


def gen_mul(rng, nrand):
    sink = Sink()

    def emit(a, b, tag):
        r, _ = op_mul(a, b)
        sink.add((a, b), "%s %s %s # %s" % (FP32.fmt(a), FP32.fmt(b), FP32.fmt(r), tag))

    sp = arith_special_list()
    for a in sp:
        for b in sp:
            emit(a, b, "special")

    # exact RNE ties.  With a = oa*2**i*2**ea', b = ob*2**j*2**eb' (oa, ob odd)
    # the product significand is oa*ob*2**(i+j); it is a tie iff exactly
    # i+j+1 low bits are dropped by the rounding.
    made = 0
    tries = 0
    while made < 4000 and tries < 400000:
        tries += 1
        sub = rng.randrange(4) == 0          # aim for a subnormal result
        # product significand has 47 or 48 bits: a normal-result tie needs
        # t in {22, 23}; a subnormal-result tie drops t+1 >= 24 bits
        t = rng.randint(23, 46) if sub else rng.randint(22, 23)
        i = rng.randint(max(0, t - 23), min(23, t))
        j = t - i
        oa = ((1 << (23 - i)) | rng.getrandbits(23 - i)) | 1
        ob = ((1 << (23 - j)) | rng.getrandbits(23 - j)) | 1
        ma, mb = oa << i, ob << j            # 24-bit significands
        p = ma * mb
        bl = p.bit_length()
        if sub:
            e_prod = -150 - t                # quantum 2**-149 sits at bit t+1
            if bl - 1 + e_prod > -127:
                continue
        else:
            if bl != t + 25:
                continue
            big_e = rng.randint(-126, 127)
            e_prod = big_e - (bl - 1)
        # split e_prod into operand exponents (operands normal: lsb exp in
        # [-149, 104])
        lo = max(-149, e_prod - 104)
        hi = min(104, e_prod + 149)
        if lo > hi:
            continue
        ea = rng.randint(lo, hi)
        eb = e_prod - ea
        a = exact_encode(FP32, rng.getrandbits(1), ma, ea)
        b = exact_encode(FP32, rng.getrandbits(1), mb, eb)
        if a is None or b is None or not is_finite32(a) or not is_finite32(b):
            continue
        if op_mul(a, b)[1] != "tie":
            continue
        emit(a, b, "tie-sub" if sub else "tie")
        made += 1
    for a, b in ((0x3F000000, 0x00000001), (0x3F000000, 0x00000003),
                 (0x3FC00000, 0x00000001), (0x3F400000, 0x00000001),
                 (0x3E800000, 0x00000001), (0xBF000000, 0x00000001),
                 (0x3F000000, 0x80000001), (0x3F800001, 0x3F800001),
                 (0x3F800001, 0x3F7FFFFF)):
        emit(a, b, "near-tie")
        emit(b, a, "near-tie")

    # underflow to subnormal and to zero (sign = xor)
    for _ in range(3000):
        ea = rng.randint(-149, 29)
        eb = rng.randint(max(-149, -160 - ea), min(127, -120 - ea))
        a = rand_f32_exp(rng, ea, ea)
        b = rand_f32_exp(rng, eb, eb)
        if is_finite32(a) and is_finite32(b):
            emit(a, b, "underflow")
    for a, b in ((0x00000001, 0x00000001), (0x80000001, 0x00000001),
                 (0x00800000, 0x3F000000), (0x00800000, 0x34000000),
                 (0x00800000, 0x33800000), (0x00800000, 0x337FFFFF),
                 (0x00800000, 0xB3800001), (0x00FFFFFF, 0x3F000000),
                 (0x00800001, 0x3F7FFFFF), (0x007FFFFF, 0x3F800001)):
        emit(a, b, "underflow")
        emit(b ^ SIGN32, a, "underflow")

    # overflow (incl. exact product at the overflow threshold
    # (2**25-1)*2**103 = 18631*1801*2**103 -> tie to even -> inf)
    thr_a = f32_exact(0, 18631, 60)
    thr_b = f32_exact(0, 1801, 43)
    for a, b in ((F32_MAX, 0x40000000), (0x5F800000, 0x5F800000),
                 (0x5F000000, 0x5F800000), (F32_MAX, 0x3F800000),
                 (F32_MAX, 0x3F800001), (F32_MAX, 0x3F7FFFFF),
                 (thr_a, thr_b), (thr_a + 1, thr_b), (thr_a - 1, thr_b),
                 (thr_a, thr_b - 1), (F32_MAX, F32_MAX)):
        emit(a, b, "overflow")
        emit(a ^ SIGN32, b, "overflow")
    for _ in range(3000):
        ea = rng.randint(-3, 127)
        eb = rng.randint(124 - ea, min(127, 130 - ea))
        a = rand_f32_exp(rng, ea, ea)
        b = rand_f32_exp(rng, eb, eb)
        if is_finite32(a) and is_finite32(b):
            emit(a, b, "overflow")

    # random pairs: half uniform bit patterns, half with a product exponent
    # in (or just outside) the representable range
    for _ in range(nrand // 2):
        emit(rng.getrandbits(32), rng.getrandbits(32), "rand")
    for _ in range(nrand - nrand // 2):
        ep = rng.randint(-155, 130)
        ea = rng.randint(max(-149, ep - 127), min(127, ep + 149))
        a = rand_f32_exp(rng, ea, ea)
        b = rand_f32_exp(rng, ep - ea, ep - ea)
        emit(a, b, "rand-range")
    return sink


# --------------------------------------------------------------------------
# Independent Fraction-based oracle (used by --self-check only)
# --------------------------------------------------------------------------


def f32_to_fraction(bits):
    """Decode fp32 bits with struct (exact) -> ('nan'|'inf'|Fraction, sign)."""
    x = struct.unpack("<f", struct.pack("<I", bits))[0]
    s = bits >> 31
    if x != x:
        return "nan", s
    if x in (float("inf"), float("-inf")):
        return "inf", s
    return Fraction(abs(x)), s


def fraction_value_table(f):
    """Positive finite values of f (by code) as Fractions, computed without
    the integer decoder: struct for fp16/bf16, field formula for fp8."""
    out = []
    for code in range(f.max_code + 1):
        if f is FP16:
            v = Fraction(struct.unpack("<e", struct.pack("<H", code))[0])
        elif f is BF16:
            v = Fraction(struct.unpack("<f", struct.pack("<I", code << 16))[0])
        else:
            ef = code >> f.mbits
            mant = code & f.mant_mask
            if ef == 0:
                v = Fraction(mant, 1 << f.mbits) * Fraction(2) ** (1 - f.bias)
            else:
                v = (1 + Fraction(mant, 1 << f.mbits)) * Fraction(2) ** (ef - f.bias)
        out.append(v)
    return out


class NarrowOracle:
    def __init__(self, f):
        self.f = f
        self.vals = fraction_value_table(f)
        assert all(x < y for x, y in zip(self.vals, self.vals[1:]))
        # first value above max finite at unbounded exponent range: max
        # finite plus its ulp (2**(emax+1) for IEEE-like, 480 for E4M3FN)
        self.beyond = 2 * self.vals[-1] - self.vals[-2]
        self.ext = self.vals + [self.beyond]

    def __call__(self, bits):
        f = self.f
        v, s = f32_to_fraction(bits)
        sbit = f.sign_bit if s else 0
        if v == "nan":
            return f.nan_code
        if v == "inf":
            return sbit | (f.max_code if f.saturate else f.inf_code)
        if v == 0:
            return sbit
        mag = abs(v)
        if mag >= self.beyond:
            idx = len(self.ext) - 1
        else:
            k = bisect.bisect_left(self.ext, mag)
            if self.ext[k] == mag:
                idx = k
            else:
                lo, hi = k - 1, k
                dl, dh = mag - self.ext[lo], self.ext[hi] - mag
                if dl < dh:
                    idx = lo
                elif dh < dl:
                    idx = hi
                else:
                    idx = lo if lo % 2 == 0 else hi   # code parity = mantissa lsb
        if idx == len(self.ext) - 1:                  # rounded beyond max finite
            return sbit | (f.max_code if f.saturate else f.inf_code)
        return sbit | idx


F32_MAX_FRAC = Fraction(2) ** 127 * (2 - Fraction(1, 1 << 23))


def fraction_round_f32(a):
    """Round an exact positive Fraction to binary32 -> 'inf' or Fraction."""
    e = a.numerator.bit_length() - a.denominator.bit_length()
    while Fraction(2) ** e > a:
        e -= 1
    while Fraction(2) ** (e + 1) <= a:
        e += 1
    q = max(e - 23, -149)
    y = a / Fraction(2) ** q
    n = y.numerator // y.denominator
    r = y - n
    if r > Fraction(1, 2) or (r == Fraction(1, 2) and n % 2 == 1):
        n += 1
    res = n * Fraction(2) ** q
    if res > F32_MAX_FRAC:
        return "inf"
    return res


def oracle_arith(op, a, b):
    va, sa = f32_to_fraction(a)
    vb, sb = f32_to_fraction(b)
    if va == "nan" or vb == "nan":
        return ("nan", 0)
    if op == "add":
        if va == "inf" or vb == "inf":
            if va == "inf" and vb == "inf" and sa != sb:
                return ("nan", 0)
            return ("inf", sa if va == "inf" else sb)
        x = (-va if sa else va) + (-vb if sb else vb)
        if x == 0:
            return (Fraction(0), 1 if (sa and sb) else 0)
        return (fraction_round_f32(abs(x)), 1 if x < 0 else 0)
    s = sa ^ sb
    if va == "inf" or vb == "inf":
        if va == 0 or vb == 0:
            return ("nan", 0)
        return ("inf", s)
    x = va * vb
    if x == 0:
        return (Fraction(0), s)
    return (fraction_round_f32(x), s)


def self_check(out_dir, ops):
    bad = 0
    total = 0
    oracles = {}
    for op in ops:
        path = out_dir / (op + ".vec")
        with open(path) as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                fields = line.split("#")[0].split()
                total += 1
                if op in ("f32_add", "f32_mul"):
                    a, b, r = (int(x, 16) for x in fields)
                    exp = oracle_arith(op[4:], a, b)
                    got = f32_to_fraction(r)
                    if exp[0] == "nan":
                        ok = r == 0x7FC00000
                    else:
                        ok = got == exp
                elif op.startswith("f32_to_"):
                    f = NARROW_FMTS[op[7:]]
                    if f.name not in oracles:
                        oracles[f.name] = NarrowOracle(f)
                    a, r = (int(x, 16) for x in fields)
                    ok = oracles[f.name](a) == r
                else:
                    f = NARROW_FMTS[op.split("_")[0]]
                    key = "w" + f.name
                    if key not in oracles:
                        oracles[key] = fraction_value_table(f)
                    c, r = (int(x, 16) for x in fields)
                    mag = c & ~f.sign_bit
                    s = 1 if c & f.sign_bit else 0
                    got = f32_to_fraction(r)
                    if mag <= f.max_code:
                        ok = got == (oracles[key][mag], s)
                    elif f.has_inf and mag == f.inf_code:
                        ok = got == ("inf", s)
                    else:
                        ok = r == 0x7FC00000
                if not ok:
                    bad += 1
                    if bad <= 20:
                        print("SELF-CHECK MISMATCH %s: %s" % (op, line.rstrip()),
                              file=sys.stderr)
    print("self-check: %d vectors, %d mismatches" % (total, bad), file=sys.stderr)
    return bad == 0


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

OPS = ["f32_add", "f32_mul", "f32_to_bf16", "f32_to_f16", "f32_to_e4m3",
       "f32_to_e5m2", "bf16_to_f32", "f16_to_f32", "e4m3_to_f32", "e5m2_to_f32"]

OPERANDS = {
    "f32_add": "a(fp32) b(fp32) result(fp32)",
    "f32_mul": "a(fp32) b(fp32) result(fp32)",
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out-dir", required=True, type=pathlib.Path)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--random", type=int, default=20000,
                    help="number of random vectors per random class (default 20000)")
    ap.add_argument("--self-check", action="store_true",
                    help="re-verify every written vector with an independent "
                         "Fraction-based oracle (slow)")
    args = ap.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)

    for op in OPS:
        t0 = time.time()
        # an independent, deterministic random stream per op
        rng = random.Random("gen_fp_vectors:%d:%s" % (args.seed, op))
        if op == "f32_add":
            sink = gen_add(rng, args.random)
        elif op == "f32_mul":
            sink = gen_mul(rng, args.random)
        elif op.startswith("f32_to_"):
            f = NARROW_FMTS[op[7:]]
            sink = gen_narrow(f, rng, args.random)
            OPERANDS[op] = "in(fp32) out(%s)" % f.name
        else:
            f = NARROW_FMTS[op.split("_")[0]]
            sink = gen_widen(f)
            OPERANDS[op] = "in(%s) out(fp32)" % f.name
        header = ("# %s vectors generated by scripts/gen_fp_vectors.py "
                  "(independent exact-integer reference) seed=%d random=%d; "
                  "columns: %s; hex, '#' starts a comment\n"
                  % (op, args.seed, args.random, OPERANDS[op]))
        path = args.out_dir / (op + ".vec")
        with open(path, "w") as fh:
            fh.write(header)
            fh.write("\n".join(sink.rows.values()))
            fh.write("\n")
        print("%-12s %7d vectors  %.2fs" % (op, len(sink.rows), time.time() - t0),
              file=sys.stderr)

    if args.self_check:
        if not self_check(args.out_dir, OPS):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
