#!/usr/bin/python3
"""Writes the small .npy fixtures under tests/cli/data/ used by tests/cli/programs.cmake.

Run once by hand (/usr/bin/python3 tests/cli/make_npy_fixtures.py); the outputs are committed.
Bad-input fixtures are named npy_*; the inputs of the example programs in tests/programs/ are
named prog_<program>_<tensor>.npy and their values are chosen so that every result is exact in
fp32 and easy to derive by hand (tests/programs/check_outputs.py holds the expected values).
"""
import os

import numpy as np

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def save(name, array):
    np.save(os.path.join(DATA, name), array)


def bf16_bits(values):
    """bf16 codes of values that are exact in bf16 (the top 16 bits of their fp32 bits)."""
    f = np.asarray(values, dtype=np.float32)
    bits = f.view(np.uint32)
    assert np.all(bits & 0xFFFF == 0), "not exact in bf16"
    return (bits >> 16).astype("<u2")


def main():
    os.makedirs(DATA, exist_ok=True)

    # --- bad input for `tessera run gemm` / `tessera exec` -------------------------------------
    a = np.arange(32, dtype="<f4").reshape(4, 8) / 8  # a valid A[M=4, K=8]
    save("npy_a_4x8.npy", a)
    save("npy_b_8x4.npy", np.ones((8, 4), dtype="<f4"))  # a valid B[K=8, N=4]
    save("npy_b_6x4.npy", np.ones((6, 4), dtype="<f4"))  # K=6: contraction mismatch with a
    save("npy_a_1d.npy", np.ones(8, dtype="<f4"))
    save("npy_a_3d.npy", np.ones((2, 4, 8), dtype="<f4"))
    save("npy_a_4x8_i4.npy", np.ones((4, 8), dtype="<i4"))
    save("npy_a_4x8_f8.npy", np.ones((4, 8), dtype="<f8"))
    # A valid header for (4, 8) <f4 whose data stops after 20 of its 128 bytes.
    good = open(os.path.join(DATA, "npy_a_4x8.npy"), "rb").read()
    with open(os.path.join(DATA, "npy_truncated.npy"), "wb") as f:
        f.write(good[: len(good) - 128 + 20])
    with open(os.path.join(DATA, "npy_not_npy.npy"), "w") as f:
        f.write("a,b,c\n1,2,3\n")  # a CSV file with a .npy name

    # --- inputs of the example programs (tests/programs/*.tasm) ---------------------------------
    k = np.arange(4, dtype=np.float32)[:, None]
    n8 = np.arange(8, dtype=np.float32)[None, :]
    # pe.tasm: stationary a[K=4, M=4] = diag(1, 2, 4, 8) plus a[0][1] = 1; moving b[k][n] = 8k + n;
    # second stationary all ones; second moving b2[k][n] = n (bf16 codes).
    pa = np.diag(np.array([1, 2, 4, 8], dtype=np.float32))
    pa[0, 1] = 1
    save("prog_pe_a.npy", pa.astype("<f4"))
    save("prog_pe_b.npy", (8 * k + n8).astype("<f4"))
    save("prog_pe_ones.npy", np.ones((4, 4), dtype="<f4"))
    save("prog_pe_b2.npy", bf16_bits(np.broadcast_to(n8, (4, 8))))
    # act.tasm: x[p][i] = i - 4 + p; per-partition scale and bias columns.
    save("prog_act_x.npy", (n8 - 4 + k).astype("<f4"))
    save("prog_act_sb.npy", np.array([[1, 0], [2, 1], [0.5, -2], [-1, 4]], dtype="<f4"))
    # dve.tasm: p[r][i] = 8r + i; q[r][i] = (r + 1) i; column v = [10, 20, 30, 40].
    save("prog_dve_p.npy", (8 * k + n8).astype("<f4"))
    save("prog_dve_q.npy", ((k + 1) * n8).astype("<f4"))
    save("prog_dve_v.npy", np.array([[10], [20], [30], [40]], dtype="<f4"))
    # dma.tasm: x[r][i] = 8r + i, except two values that bf16 rounds (ties to even):
    # x[0][0] = 1 + 2^-8 -> 1.0 and x[0][1] = 1 + 3*2^-8 -> 1 + 2^-6.
    x = (8 * k + n8).astype(np.float32)
    x[0, 0] = 1 + 2.0**-8
    x[0, 1] = 1 + 3 * 2.0**-8
    save("prog_dma_x.npy", x.astype("<f4"))


if __name__ == "__main__":
    main()
