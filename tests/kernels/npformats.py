"""Narrow floating-point formats of Tessera, decoded with numpy (independent of sim/).

Storage convention of kernel tensors in .npy files (SPEC section 7):
  fp32 '<f4', fp16 '<f2' (IEEE half), bf16 '<u2' (raw bits), e4m3 / e5m2 '|u1' (raw bits).

Decoding is written from the bit layouts in SPEC section 3 / docs/numerics.md:
  format  exp  mant  bias  specials
  bf16     8    7    127   IEEE (exp all ones: inf / NaN)
  fp16     5   10     15   IEEE
  e4m3     4    3      7   OCP E4M3FN: no infinities, NaN only S.1111.111
  e5m2     5    2     15   IEEE
Subnormals are kept. Widening is exact; every value of these formats is an fp32 value.
"""

import numpy as np

F32_CANONICAL_NAN = 0x7FC00000

DTYPES = ("fp32", "bf16", "fp16", "e4m3", "e5m2")

# dtype name -> numpy storage dtype of its .npy files
STORAGE = {
    "fp32": np.dtype("<f4"),
    "fp16": np.dtype("<f2"),
    "bf16": np.dtype("<u2"),
    "e4m3": np.dtype("u1"),
    "e5m2": np.dtype("u1"),
}

# dtype name -> (exponent bits, mantissa bits, bias, special-value rule)
LAYOUT = {
    "bf16": (8, 7, 127, "ieee"),
    "fp16": (5, 10, 15, "ieee"),
    "e4m3": (4, 3, 7, "fn"),
    "e5m2": (5, 2, 15, "ieee"),
}


def code_bits(dtype):
    """Width in bits of one code of the format."""
    return {"fp32": 32, "bf16": 16, "fp16": 16, "e4m3": 8, "e5m2": 8}[dtype]


def storage_ok(dtype, arr_dtype):
    """True if a numpy dtype is exactly the storage dtype of the format."""
    return np.dtype(arr_dtype) == STORAGE[dtype]


def raw_codes(dtype, arr):
    """The raw codes of an array in storage convention, as uint32 (low bits)."""
    arr = np.asarray(arr)
    if not storage_ok(dtype, arr.dtype):
        raise ValueError(f"{dtype} expects storage {STORAGE[dtype].str}, got {arr.dtype.str}")
    if dtype == "fp32":
        return np.ascontiguousarray(arr).view(np.uint32).copy()
    if dtype == "fp16":
        return np.ascontiguousarray(arr).view(np.uint16).astype(np.uint32)
    return arr.astype(np.uint32)


def decode_codes(dtype, codes):
    """Decode raw codes (any unsigned integer array, code in the low bits) to float32.

    Exact. NaN codes become NaN (payload irrelevant), infinities stay infinities.
    """
    codes = np.asarray(codes)
    if dtype == "fp32":
        return codes.astype(np.uint32).view(np.float32).copy()
    ebits, mbits, bias, rule = LAYOUT[dtype]
    c = codes.astype(np.int64)
    sign = (c >> (ebits + mbits)) & 1
    e = (c >> mbits) & ((1 << ebits) - 1)
    m = c & ((1 << mbits) - 1)
    emax_field = (1 << ebits) - 1
    # normal: (2^mbits + m) * 2^(e - bias - mbits); subnormal: m * 2^(1 - bias - mbits)
    sig = np.where(e == 0, m, m + (1 << mbits))
    exp = np.where(e == 0, 1, e) - bias - mbits
    mag = np.ldexp(sig.astype(np.float64), exp.astype(np.int32))  # exact in binary64
    if rule == "ieee":
        mag = np.where((e == emax_field) & (m == 0), np.inf, mag)
        mag = np.where((e == emax_field) & (m != 0), np.nan, mag)
    elif rule == "fn":
        mag = np.where((e == emax_field) & (m == (1 << mbits) - 1), np.nan, mag)
    else:  # pragma: no cover
        raise ValueError(rule)
    val = np.where(sign == 1, -mag, mag)
    out = val.astype(np.float32)  # exact: every value is representable in binary32
    # exactness guard: the float32 value must equal the binary64 one (NaN aside)
    finite = np.isfinite(val)
    if not np.array_equal(out[finite].astype(np.float64), val[finite]):
        raise AssertionError(f"{dtype} decode not exact in float32")
    return out


def decode(dtype, arr):
    """Decode an array in storage convention to float32 (exact)."""
    return decode_codes(dtype, raw_codes(dtype, arr))


def to_storage(dtype, codes):
    """Raw codes (integers) -> array in the storage convention of the format."""
    codes = np.asarray(codes)
    if dtype == "fp32":
        return codes.astype(np.uint32).view(np.dtype("<f4"))
    if dtype == "fp16":
        return codes.astype(np.uint16).view(np.dtype("<f2"))
    return codes.astype(STORAGE[dtype])
