#!/usr/bin/python3
"""Independent bit-exact checker of `tessera run gemm ... --out-dir D` (SPEC sections 3, 7, 8).

Written from the specification only (no code shared with sim/). Needs numpy
(Debian: `apt-get install python3-numpy`, run with /usr/bin/python3).

Usage:
  check_gemm.py --dir D --dtype {fp32,bf16,fp16,e4m3,e5m2} --rows R
  check_gemm.py --self-test [--seed S]

--rows takes the array row count (tiny 4, small 16, trn1 128) or one of those preset names.

Convention checked (what `tessera run gemm --out-dir D` writes):
  D/a.npy [M, K], D/b.npy [K, N] in the kernel dtype's storage: fp32 '<f4', fp16 '<f2',
  bf16 '<u2' (raw bits), e4m3 / e5m2 '|u1' (raw bits); D/c.npy [M, N] '<f4', or '<u2' (bf16
  bits: tessera run gemm --bf16-out 1, the fp32 result rounded to nearest even).

Contract emulated (float32 numpy arithmetic, in this order):
  K is split into consecutive chunks of R rows (the last may be shorter). Per chunk:
    acc = +0.0; for k in chunk, increasing: acc = fl32(acc + fl32(a[m,k] * b[k,n]))
  (separate RNE multiply and add, not fused). psum = acc of chunk 0, then
  psum = fl32(psum + acc) for each later chunk, in order. c = psum; a NaN is 0x7FC00000.
Comparison is on the bits of c.

Exit codes: 0 bit-exact, 1 mismatch, 2 bad input (usage, missing file, dtype, shape).
"""

import argparse
import math
import os
import struct
import sys
import tempfile
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import npformats as nf  # noqa: E402

PRESET_ROWS = {"tiny": 4, "small": 16, "trn1": 128}
MAX_REPORTED = 10


class BadInput(Exception):
    """Input that does not follow the convention (exit 2)."""


# --------------------------------------------------------------------------------------
# expected result, vectorised numpy float32
# --------------------------------------------------------------------------------------

def expected_gemm(a32, b32, rows):
    """c per the contract, from float32 a [M,K] and b [K,N]; returns float32 [M,N]."""
    if a32.dtype != np.float32 or b32.dtype != np.float32:
        raise TypeError("expected_gemm needs float32 operands")
    M, K = a32.shape
    K2, N = b32.shape
    assert K == K2 and K >= 1 and rows >= 1
    f32 = np.float32
    psum = None
    acc = np.empty((M, N), dtype=f32)
    prod = np.empty((M, N), dtype=f32)
    with np.errstate(all="ignore"):
        for k0 in range(0, K, rows):
            k1 = min(k0 + rows, K)
            acc.fill(f32(0.0))  # +0.0
            for k in range(k0, k1):
                # separate float32 multiply (RNE) and float32 add (RNE); 'no' casting forbids
                # any promotion to float64.
                np.multiply(a32[:, k:k + 1], b32[k:k + 1, :], out=prod, dtype=f32,
                            casting="no")
                np.add(acc, prod, out=acc, dtype=f32, casting="no")
            if psum is None:
                psum = acc.copy()
            else:
                np.add(psum, acc, out=psum, dtype=f32, casting="no")
    assert psum.dtype == np.float32
    return psum


def bf16_rne_bits(bits32):
    """uint16 bf16 codes of uint32 fp32 codes, rounded to nearest even (--bf16-out): adding
    0x7FFF plus the kept lsb and dropping 16 bits carries into the exponent as RNE does (up to
    infinity); every NaN becomes 0x7FC0."""
    b = bits32.astype(np.uint64)
    r = ((b + 0x7FFF + ((b >> 16) & 1)) >> 16).astype(np.uint16)
    nan = ((bits32 & 0x7F800000) == 0x7F800000) & ((bits32 & 0x007FFFFF) != 0)
    r[nan] = 0x7FC0
    return r


def canonical_bits(c32):
    """uint32 bits of a float32 array with every NaN replaced by 0x7FC00000."""
    bits = np.ascontiguousarray(c32, dtype=np.float32).view(np.uint32).copy()
    bits[np.isnan(c32)] = nf.F32_CANONICAL_NAN
    return bits


# --------------------------------------------------------------------------------------
# loading and checking a directory
# --------------------------------------------------------------------------------------

def load_npy(path, name):
    if not os.path.isfile(path):
        raise BadInput(f"{name}: file not found: {path}")
    try:
        arr = np.load(path, allow_pickle=False)
    except Exception as exc:  # malformed .npy, pickled object, ...
        raise BadInput(f"{name}: cannot read {path} as .npy: {exc}") from None
    if not isinstance(arr, np.ndarray):
        raise BadInput(f"{name}: {path} is not a single .npy array")
    return arr


def load_dir(d, dtype):
    """Load a, b, c from D; check the storage convention; return (a_codes, b_codes, a32, b32, c)."""
    a = load_npy(os.path.join(d, "a.npy"), "a")
    b = load_npy(os.path.join(d, "b.npy"), "b")
    c = load_npy(os.path.join(d, "c.npy"), "c")
    want = nf.STORAGE[dtype]
    for name, arr in (("a", a), ("b", b)):
        if not nf.storage_ok(dtype, arr.dtype):
            raise BadInput(f"{name}.npy: dtype {arr.dtype.str} but --dtype {dtype} is stored as "
                           f"{want.str}")
        if arr.ndim != 2:
            raise BadInput(f"{name}.npy: expected 2 dimensions, got shape {list(arr.shape)}")
    if c.dtype not in (np.dtype("<f4"), np.dtype("<u2")):
        raise BadInput(f"c.npy: dtype {c.dtype.str}, expected <f4 (fp32) or <u2 (bf16 bits)")
    if c.ndim != 2:
        raise BadInput(f"c.npy: expected 2 dimensions, got shape {list(c.shape)}")
    M, K = a.shape
    Kb, N = b.shape
    if Kb != K:
        raise BadInput(f"shapes: a is {list(a.shape)} and b is {list(b.shape)}: "
                       f"K differs ({K} vs {Kb})")
    if c.shape != (M, N):
        raise BadInput(f"shapes: c is {list(c.shape)}, expected [M, N] = [{M}, {N}]")
    if M == 0 or N == 0 or K == 0:
        raise BadInput(f"shapes: M={M} N={N} K={K}: an empty gemm checks nothing")
    a32 = nf.decode(dtype, a)
    b32 = nf.decode(dtype, b)
    return a32, b32, np.ascontiguousarray(c)


def fmt_val(bits):
    v = struct.unpack("<f", struct.pack("<I", int(bits)))[0]
    return repr(v)


def check_dir(d, dtype, rows, out=sys.stdout, c_dtype=None):
    """Check D; return exit code 0 (bit-exact) or 1 (mismatch); raises BadInput. c_dtype
    ('fp32' or 'bf16'), when given, is the c the run was asked for: c.npy must hold it."""
    a32, b32, c = load_dir(d, dtype)
    if c_dtype is not None and c.dtype != np.dtype("<u2" if c_dtype == "bf16" else "<f4"):
        raise BadInput(f"c.npy: dtype {c.dtype.str}, but --c-dtype {c_dtype}")
    M, K = a32.shape
    N = b32.shape[1]
    exp_bits = canonical_bits(expected_gemm(a32, b32, rows))
    c_bf16 = c.dtype == np.dtype("<u2")
    if c_bf16:  # compared as the fp32 codes of the bf16 values (bf16 is fp32's top half)
        exp_bits = bf16_rne_bits(exp_bits).astype(np.uint32) << 16
        act_bits = c.astype(np.uint32) << 16
    else:
        act_bits = c.view(np.uint32)
    bad = np.argwhere(exp_bits != act_bits)
    head = f"gemm M={M} N={N} K={K} dtype={dtype} rows={rows} c={'bf16' if c_bf16 else 'fp32'}"
    if bad.shape[0] == 0:
        print(f"{head}: bit-exact", file=out)
        return 0
    print(f"{head}: MISMATCH in {bad.shape[0]} of {M * N} elements", file=out)
    for m, n in bad[:MAX_REPORTED]:
        e, a = int(exp_bits[m, n]), int(act_bits[m, n])
        note = ""
        if (a & 0x7F800000) == 0x7F800000 and (a & 0x007FFFFF) and a != nf.F32_CANONICAL_NAN:
            note = "  (non-canonical NaN)"
        print(f"  m={m} n={n} expected=0x{e:08X} ({fmt_val(e)}) "
              f"actual=0x{a:08X} ({fmt_val(a)}){note}", file=out)
    if bad.shape[0] > MAX_REPORTED:
        print(f"  ... {bad.shape[0] - MAX_REPORTED} more", file=out)
    return 1


# --------------------------------------------------------------------------------------
# self-test: an entirely different slow path (pure Python scalars, struct rounding)
# --------------------------------------------------------------------------------------

def f32_round(x):
    """Round a Python float (binary64) to the nearest binary32 (RNE), as a Python float.

    struct's 'f' packing is a C (float) conversion (RNE); it raises OverflowError when a
    finite x rounds to infinity, which under RNE is exactly +-inf.
    """
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def f32_bits(x):
    if math.isnan(x):
        return nf.F32_CANONICAL_NAN
    return struct.unpack("<I", struct.pack("<f", x))[0]


def _e4m3_scalar(c):
    s, e, m = (c >> 7) & 1, (c >> 3) & 0xF, c & 7
    if e == 15 and m == 7:
        return math.nan
    mag = Fraction(m, 8) * Fraction(1, 64) if e == 0 else Fraction(8 + m, 8) * Fraction(2) ** (e - 7)
    v = float(mag)  # exact: at most 4 significant bits
    return -v if s else v


def scalar_decode(dtype, c):
    """One code -> Python float, by a route different from npformats.decode_codes."""
    c = int(c)
    if dtype == "fp32":
        return struct.unpack("<f", struct.pack("<I", c))[0]
    if dtype == "fp16":
        return struct.unpack("<e", struct.pack("<H", c))[0]
    if dtype == "bf16":  # bf16 is the top half of fp32
        return struct.unpack("<f", struct.pack("<I", c << 16))[0]
    if dtype == "e5m2":  # e5m2 is the top byte of IEEE half
        return struct.unpack("<e", struct.pack("<H", c << 8))[0]
    if dtype == "e4m3":
        return _e4m3_scalar(c)
    raise ValueError(dtype)


def slow_gemm_bits(a_codes, b_codes, dtype, rows):
    """c bits by pure-Python scalar loops; codes are nested lists / arrays of ints."""
    M, K = len(a_codes), len(a_codes[0])
    N = len(b_codes[0])
    A = [[scalar_decode(dtype, a_codes[m][k]) for k in range(K)] for m in range(M)]
    B = [[scalar_decode(dtype, b_codes[k][n]) for n in range(N)] for k in range(K)]
    C = [[0] * N for _ in range(M)]
    for m in range(M):
        for n in range(N):
            psum = None
            k0 = 0
            while k0 < K:
                acc = 0.0
                for k in range(k0, min(k0 + rows, K)):
                    p = f32_round(A[m][k] * B[k][n])  # product exact in binary64, one rounding
                    acc = f32_round(acc + p)          # binary64 sum then binary32: innocuous
                psum = acc if psum is None else f32_round(psum + acc)
                k0 += rows
            C[m][n] = f32_bits(psum)
    return C


def _specials(dtype):
    """Interesting codes of each format (zeros, extremes, subnormals, inf, NaN)."""
    if dtype == "fp32":
        return [0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007FFFFF, 0x00800000,
                0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00001,
                0x7F800001, 0x3F800000, 0xBF800000, 0x4B800000, 0x33800000]
    if dtype == "bf16":
        return [0x0000, 0x8000, 0x0001, 0x8001, 0x007F, 0x0080, 0x7F7F, 0xFF7F, 0x7F80, 0xFF80,
                0x7FC0, 0xFFC1, 0x7F81, 0x3F80, 0xBF80, 0x4B80]
    if dtype == "fp16":
        return [0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x7BFF, 0xFBFF, 0x7C00, 0xFC00,
                0x7E00, 0xFE01, 0x7C01, 0x3C00, 0xBC00, 0x6400]
    if dtype == "e4m3":
        return [0x00, 0x80, 0x01, 0x81, 0x07, 0x08, 0x7E, 0xFE, 0x7F, 0xFF, 0x38, 0xB8, 0x78]
    if dtype == "e5m2":
        return [0x00, 0x80, 0x01, 0x81, 0x03, 0x04, 0x7B, 0xFB, 0x7C, 0xFC, 0x7E, 0xFF, 0x7D,
                0x3C, 0xBC]
    raise ValueError(dtype)


def gen_codes(dtype, shape, rng, mode):
    """Random codes. mode: 'moderate' (finite, exponents near 1), 'wild' (mixture with random
    codes and specials), 'tiny' (fp32/bf16 values whose products are fp32 subnormals)."""
    nbits = nf.code_bits(dtype)
    size = int(np.prod(shape))
    if dtype == "fp32":
        if mode == "tiny":
            e = rng.integers(127 - 80, 127 - 60, size=size)
        else:
            e = rng.integers(127 - 10, 127 + 10, size=size)
        mant = rng.integers(0, 1 << 23, size=size)
        codes = (e << 23) | mant
    else:
        ebits, mbits, bias, rule = nf.LAYOUT[dtype]
        emax = (1 << ebits) - 1
        if mode == "tiny":
            assert dtype == "bf16"
            e = rng.integers(127 - 80, 127 - 60, size=size)
        elif dtype in ("e4m3", "e5m2"):
            e = rng.integers(0, emax + 1, size=size)  # the whole finite range
        else:
            e = rng.integers(max(bias - 10, 0), min(bias + 10, emax), size=size)
        m = rng.integers(0, 1 << mbits, size=size)
        if rule == "ieee":
            e = np.minimum(e, emax - 1)
        else:  # e4m3: avoid S.1111.111
            m = np.where((e == emax) & (m == (1 << mbits) - 1), (1 << mbits) - 2, m)
        codes = (e << mbits) | m
    sign = rng.integers(0, 2, size=size)
    codes = codes | (sign << (nbits - 1))
    zero = rng.random(size) < 0.05
    codes = np.where(zero, sign << (nbits - 1), codes)
    if mode == "wild":
        u = rng.random(size)
        anyc = rng.integers(0, 1 << nbits, size=size, dtype=np.int64)
        spec = np.array(_specials(dtype), dtype=np.int64)[rng.integers(0, len(_specials(dtype)),
                                                                       size=size)]
        codes = np.where(u < 0.12, anyc, np.where(u < 0.20, spec, codes))
    return codes.astype(np.int64).reshape(shape)


def write_case(d, dtype, a_codes, b_codes, c_bits):
    np.save(os.path.join(d, "a.npy"), nf.to_storage(dtype, a_codes))
    np.save(os.path.join(d, "b.npy"), nf.to_storage(dtype, b_codes))
    np.save(os.path.join(d, "c.npy"), np.asarray(c_bits, dtype=np.uint32).view(np.dtype("<f4")))


def self_test_decoders():
    """Every code of every narrow format: vectorised decoder == scalar decoder; anchors."""
    failures = 0
    for dtype in ("bf16", "fp16", "e4m3", "e5m2"):
        n = 1 << nf.code_bits(dtype)
        codes = np.arange(n, dtype=np.uint32)
        vec = nf.decode_codes(dtype, codes)
        vb = vec.view(np.uint32)
        bad = 0
        for c in range(n):
            s = scalar_decode(dtype, c)
            if math.isnan(s):
                bad += not np.isnan(vec[c])
            else:
                bad += int(vb[c]) != struct.unpack("<I", struct.pack("<f", s))[0]
        if dtype == "fp16":  # numpy's own half conversion, a third route
            npv = codes.astype(np.uint16).view(np.float16).astype(np.float32)
            same = (npv.view(np.uint32) == vb) | (np.isnan(npv) & np.isnan(vec))
            bad += int((~same).sum())
        nan = int(np.isnan(vec).sum())
        inf = int(np.isinf(vec).sum())
        print(f"decode {dtype}: {n} codes, {bad} disagreements, {nan} NaN codes, {inf} inf codes")
        failures += bad
    anchors = [("e4m3", 0x7E, 448.0), ("e4m3", 0x01, 2.0 ** -9), ("e4m3", 0x08, 2.0 ** -6),
               ("e4m3", 0x78, 256.0), ("e4m3", 0xFE, -448.0), ("e5m2", 0x7B, 57344.0),
               ("e5m2", 0x01, 2.0 ** -16), ("e5m2", 0x7C, math.inf), ("bf16", 0x7F7F,
               float(np.float32(3.3895313892515355e38))), ("bf16", 0x0001, 2.0 ** -133),
               ("fp16", 0x7BFF, 65504.0), ("fp16", 0x0001, 2.0 ** -24)]
    for dtype, c, v in anchors:
        got = float(nf.decode_codes(dtype, np.array([c]))[0])
        if got != v:
            print(f"decode anchor FAILED: {dtype} 0x{c:X} -> {got!r}, expected {v!r}")
            failures += 1
    for dtype, nans in (("e4m3", {0x7F, 0xFF}), ("e5m2", {0x7D, 0x7E, 0x7F, 0xFD, 0xFE, 0xFF})):
        got = set(np.flatnonzero(np.isnan(nf.decode_codes(dtype, np.arange(256)))).tolist())
        if got != nans:
            print(f"decode NaN set FAILED for {dtype}: {sorted(got)}")
            failures += 1
    # the slow path's binary32 rounding itself
    fmax = struct.unpack("<f", struct.pack("<I", 0x7F7FFFFF))[0]
    checks = [(f32_round(fmax + 2.0 ** 103), math.inf),             # tie above max -> inf
              (f32_round(fmax + 2.0 ** 103 - 2.0 ** 80), fmax),       # below the tie -> max
              (f32_round(-(fmax + 2.0 ** 104)), -math.inf),
              (f32_round(2.0 ** -150), 0.0),                          # tie to even -> 0
              (f32_round(2.0 ** -150 * 3), 2.0 ** -148),              # 1.5 ulp -> 2 ulp (even)
              (f32_round(1.0 + 2.0 ** -24), 1.0), (f32_round(1.0 + 3 * 2.0 ** -24), 1.0 + 2.0 ** -22)]
    for got, want in checks:
        if got != want:
            print(f"f32_round FAILED: {got!r} != {want!r}")
            failures += 1
    return failures


SELF_TEST_SHAPES = [  # (M, N, K, rows)
    (5, 7, 9, 4), (1, 1, 1, 4), (4, 4, 8, 4), (3, 6, 13, 4), (2, 3, 3, 4),
    (7, 5, 37, 16), (2, 3, 16, 16), (6, 4, 17, 16),
    (3, 2, 300, 128), (2, 2, 129, 128),
]


def self_test_bf16_rounding(rng):
    """bf16_rne_bits against a scalar definition: the nearer of the two bf16 neighbours by exact
    rational distance, the even one on a tie, 0x7FC0 for NaN; returns the failure count."""
    from fractions import Fraction

    def val32(b):  # exact value of a finite fp32 code; the infinity code as 2^128 (RNE overflow)
        e, m = (b >> 23) & 0xFF, b & 0x7FFFFF
        v = (Fraction(m, 1 << 23) * Fraction(2) ** -126 if e == 0 else
             (1 + Fraction(m, 1 << 23)) * Fraction(2) ** (e - 127))
        return -v if b >> 31 else v

    edges = [0, 0x80000000, 0x00008000, 0x00018000, 0x3F808000, 0x3F818000, 0x7F7F7FFF, 0x7F7F8000,
             0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000, 0xFF800000, 0x7F800001, 0xFFC00000, 0x007FFFFF]
    bits = np.array(edges + rng.integers(0, 1 << 32, size=4000, dtype=np.uint64).tolist(), dtype=np.uint32)
    got = bf16_rne_bits(bits)
    failures = 0
    for b32, r in zip(bits.tolist(), got.tolist()):
        if (b32 & 0x7F800000) == 0x7F800000:
            want = 0x7FC0 if b32 & 0x007FFFFF else b32 >> 16
        else:
            lo, hi = b32 >> 16, (b32 >> 16) + 1  # same sign; hi may be the infinity code
            x = val32(b32)
            dl, dh = abs(x - val32(lo << 16)), abs(x - val32(hi << 16))
            want = lo if dl < dh else hi if dh < dl else (lo if lo % 2 == 0 else hi)
        if want != r:
            failures += 1
            if failures <= 5:
                print(f"self-test: bf16 rounding of 0x{b32:08X}: 0x{r:04X}, expected 0x{want:04X}")
    print(f"self-test: bf16 rounding of {len(bits)} fp32 codes: {'ok' if not failures else 'FAIL'}")
    return failures


def self_test(seed):
    rng = np.random.default_rng(seed)
    failures = self_test_decoders()
    failures += self_test_bf16_rounding(rng)
    ncases = 0
    sens_total = 0
    for dtype in nf.DTYPES:
        modes = ["moderate", "wild"] + (["tiny"] if dtype in ("fp32", "bf16") else [])
        line = []
        for mode in modes:
            for (M, N, K, R) in SELF_TEST_SHAPES:
                a = gen_codes(dtype, (M, K), rng, mode)
                b = gen_codes(dtype, (K, N), rng, mode)
                c_bits = slow_gemm_bits(a.tolist(), b.tolist(), dtype, R)
                with tempfile.TemporaryDirectory(prefix="check_gemm_") as d:
                    write_case(d, dtype, a, b, c_bits)
                    sink = open(os.devnull, "w")
                    try:
                        rc_good = check_dir(d, dtype, R, out=sink)
                        # flip one bit of one element: must fail
                        cb = np.array(c_bits, dtype=np.uint32)
                        mi, ni = int(rng.integers(0, M)), int(rng.integers(0, N))
                        cb[mi, ni] ^= np.uint32(1 << int(rng.integers(0, 32)))
                        write_case(d, dtype, a, b, cb)
                        rc_flip = check_dir(d, dtype, R, out=sink)
                    finally:
                        sink.close()
                # sensitivity: how many elements a flat (unchunked) sum would get wrong
                a32, b32 = nf.decode_codes(dtype, a), nf.decode_codes(dtype, b)
                flat = canonical_bits(expected_gemm(a32, b32, K))
                chunked = canonical_bits(expected_gemm(a32, b32, R))
                sens = int((flat != chunked).sum())
                sens_total += sens
                nan_frac = float(np.isnan(chunked.view(np.float32)).mean())
                ncases += 1
                ok = rc_good == 0 and rc_flip == 1
                if not ok:
                    failures += 1
                    print(f"FAILED {dtype} {mode} M={M} N={N} K={K} R={R}: "
                          f"correct c -> exit {rc_good} (want 0), flipped c -> exit {rc_flip} "
                          f"(want 1)")
                line.append((mode, M, N, K, R, sens, nan_frac, ok))
        n_ok = sum(1 for x in line if x[-1])
        print(f"self-test {dtype}: {n_ok}/{len(line)} cases pass (correct c bit-exact, one "
              f"flipped bit detected); elements where a flat K-sum differs from the chunked one: "
              f"{sum(x[5] for x in line)}; NaN share of outputs: "
              f"{np.mean([x[6] for x in line]):.2f}")
        for mode, M, N, K, R, sens, nan_frac, ok in line:
            if (M, N, K, R) == (5, 7, 9, 4):
                print(f"    {mode:8s} M=5 N=7 K=9 R=4: {'pass' if ok else 'FAIL'} "
                      f"(flat-sum differs at {sens} of 35)")
    # the printed form of a pass and of a failure, once
    rng2 = np.random.default_rng(seed + 1)
    a = gen_codes("bf16", (5, 9), rng2, "moderate")
    b = gen_codes("bf16", (9, 7), rng2, "moderate")
    c_bits = slow_gemm_bits(a.tolist(), b.tolist(), "bf16", 4)
    with tempfile.TemporaryDirectory(prefix="check_gemm_") as d:
        write_case(d, "bf16", a, b, c_bits)
        print("example pass:")
        check_dir(d, "bf16", 4)
        cb = np.array(c_bits, dtype=np.uint32)
        cb[2, 3] ^= np.uint32(1)
        write_case(d, "bf16", a, b, cb)
        print("example failure (one bit flipped at m=2 n=3):")
        check_dir(d, "bf16", 4)
        write_case(d, "bf16", a, b, c_bits)
        print("example failure (checked with rows=16, i.e. the wrong chunking):")
        check_dir(d, "bf16", 16)
    print(f"self-test: {ncases} cases, {failures} failures; flat-vs-chunked sensitivity "
          f"{sens_total} elements in total")
    return 0 if failures == 0 else 1


# --------------------------------------------------------------------------------------

def parse_rows(s):
    if s in PRESET_ROWS:
        return PRESET_ROWS[s]
    try:
        r = int(s, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{s}' is not a positive integer or one of "
                                         f"{', '.join(PRESET_ROWS)}") from None
    if r < 1:
        raise argparse.ArgumentTypeError(f"{r} must be >= 1")
    return r


def main(argv=None):
    p = argparse.ArgumentParser(description="Bit-exact independent check of `tessera run gemm`.")
    p.add_argument("--dir", help="the --out-dir of tessera run gemm (a.npy, b.npy, c.npy)")
    p.add_argument("--dtype", choices=nf.DTYPES, help="kernel dtype of a and b")
    p.add_argument("--rows", type=parse_rows, help="array rows R (4/16/128 or tiny/small/trn1)")
    p.add_argument("--c-dtype", choices=("fp32", "bf16"), help="the c the run was asked for (checked)")
    p.add_argument("--self-test", action="store_true", help="check the checker (no tessera needed)")
    p.add_argument("--seed", type=int, default=20240601, help="self-test seed")
    args = p.parse_args(argv)
    if args.self_test:
        return self_test(args.seed)
    missing = [f"--{n}" for n in ("dir", "dtype", "rows") if getattr(args, n) is None]
    if missing:
        print(f"check_gemm: missing {' '.join(missing)}", file=sys.stderr)
        return 2
    try:
        return check_dir(args.dir, args.dtype, args.rows, c_dtype=args.c_dtype)
    except BadInput as exc:
        print(f"check_gemm: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
