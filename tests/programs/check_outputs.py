#!/usr/bin/python3
"""Checks the outputs of `tessera exec` on the example programs of tests/programs/ against
values derived by hand (the derivations are in each program's header comment). Every input is
a small integer or a short binary fraction, so every result is exact in fp32 (and in bf16 where
the program writes bf16) and is compared bit for bit.

    check_outputs.py PROGRAM OUT_DIR [REPORT.json]
"""
import json
import os
import sys

import numpy as np


def f32(values):
    return np.asarray(values, dtype=np.float32)


def bf16_to_f32(codes):
    return (codes.astype(np.uint32) << 16).view(np.float32)


def rows(shape, fn):
    """An array of `shape` whose element [r][i] is fn(r, i), computed in Python floats."""
    return f32([[fn(r, i) for i in range(shape[1])] for r in range(shape[0])])


def expected_pe():
    # c[m][n] = sum_k a[k][m] (8k + n) + sum_k 1 * n, a = diag(1, 2, 4, 8) + (a[0][1] = 1).
    lines = [lambda n: 5 * n, lambda n: 7 * n + 16, lambda n: 8 * n + 64, lambda n: 12 * n + 192]
    return {"c": ("<f4", rows((4, 8), lambda m, n: lines[m](n)))}


def expected_act():
    x = lambda p, i: i - 4 + p
    scale, bias = [1, 2, 0.5, -1], [0, 1, -2, 4]
    relu = lambda v: v if v > 0 else 0.0
    y1 = rows((4, 8), lambda p, i: 2 * x(p, i) - 1)
    y2 = rows((4, 8), lambda p, i: relu(scale[p] * x(p, i) + bias[p]))
    y3 = rows((4, 8), lambda p, i: (0.5 * x(p, i) + bias[p]) ** 2)
    # Spelled out for the first partitions as a cross-check of the formulas above.
    assert list(y2[0]) == [0, 0, 0, 0, 0, 1, 2, 3] and list(y2[1]) == [0, 0, 0, 1, 3, 5, 7, 9]
    assert list(y2[2]) == [0, 0, 0, 0, 0, 0, 0, 0.5] and list(y2[3]) == [5, 4, 3, 2, 1, 0, 0, 0]
    r = f32([[sum(float(v) for v in y2[p]), sum(float(v) for v in y3[p])] for p in range(4)])
    assert list(r[:, 0]) == [6, 25, 0.5, 15]
    return {"y1": ("<f4", y1), "y2": ("<f4", y2), "y3": ("<f4", y3), "r": ("<f4", r)}


def expected_dve():
    d = rows((4, 8), lambda r, i: 8 * r - r * i)
    s = rows((4, 8), lambda r, i: 6 * r + 10 - i / 2)
    red = f32([[64 * r + 28, 6 * r + 6.5] for r in range(4)])
    pb = rows((4, 8), lambda r, i: 8 * r + i)
    ms = np.full((4, 8), -2.5, dtype=np.float32)
    t = rows((4, 2), lambda f, j: 8 * j + f)
    return {"d": ("<f4", d), "s": ("<f4", s), "red": ("<f4", red), "pb": ("<u2", pb), "ms": ("<u2", ms),
            "t": ("<f4", t)}


def expected_dma():
    y = rows((4, 8), lambda r, i: 8 * r + i)
    y[0, 0] = 1.0             # 1 + 2^-8: a tie between 1 and 1 + 2^-7; even is 1
    y[0, 1] = 1 + 2.0 ** -6   # 1 + 3*2^-8: a tie between 1 + 2^-7 and 1 + 2^-6; even is 1 + 2^-6
    return {"y": ("<u2", y), "z": ("<f4", y.T.copy()), "w": ("<f4", y[:, ::-1].copy())}


EXPECTED = {"pe": expected_pe, "act": expected_act, "dve": expected_dve, "dma": expected_dma}


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in EXPECTED:
        sys.exit(f"usage: check_outputs.py {{{','.join(EXPECTED)}}} OUT_DIR [REPORT.json]")
    program, out_dir = sys.argv[1], sys.argv[2]
    expected = EXPECTED[program]()
    failed = False
    for name, (descr, want) in sorted(expected.items()):
        path = os.path.join(out_dir, name + ".npy")
        if not os.path.exists(path):
            print(f"FAIL {name}: {path} missing")
            failed = True
            continue
        got = np.load(path)
        if got.dtype.str != np.dtype(descr).str or got.shape != want.shape:
            print(f"FAIL {name}: {got.dtype.str} {got.shape}, expected {descr} {want.shape}")
            failed = True
            continue
        values = bf16_to_f32(got) if descr == "<u2" else got
        if descr == "<u2":
            assert np.array_equal(bf16_to_f32((want.view(np.uint32) >> 16).astype(np.uint16)), want), \
                f"{name}: expected value not exact in bf16"
        if not np.array_equal(values.view(np.uint32), want.view(np.uint32)):
            bad = np.argwhere(values.view(np.uint32) != want.view(np.uint32))
            print(f"FAIL {name}: {len(bad)} elements differ; first at {tuple(bad[0])}: "
                  f"got {values[tuple(bad[0])]!r}, expected {want[tuple(bad[0])]!r}")
            print("got:\n", values, "\nexpected:\n", want)
            failed = True
        else:
            print(f"ok   {name} {descr} {list(want.shape)}")
    if len(sys.argv) == 4:
        with open(sys.argv[3]) as f:
            report = json.load(f)
        if sorted(report["outputs"]) != sorted(expected):
            print(f"FAIL report outputs {sorted(report['outputs'])}, expected {sorted(expected)}")
            failed = True
        mode = os.environ.get("TESSERA_MODE", "ref")
        if report["mode"] != mode or report["config"] != "tiny":
            print(f"FAIL report mode/config {report['mode']}/{report['config']}, expected {mode}/tiny")
            failed = True
        if mode != "ref" and not (report["cycles"] and report["cycles"] > 0 and report["vs_ref"]["bit_exact"]):
            print(f"FAIL {mode} report: cycles {report['cycles']}, vs_ref {report.get('vs_ref')}")
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
