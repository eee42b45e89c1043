#!/usr/bin/env python3
"""`tessera train mlp` against PyTorch (SPEC section 8; docs/kernels.md "tessera train mlp").

torch mode (default): generates x, y, w1, b1, w2, b2 as .npy, runs `tessera train mlp` and the
same program in PyTorch fp32 (torch.optim.AdamW or SGD, float32 everywhere, same initial
tensors), prints both loss curves and checks
  - every step k:  |loss_tessera(k) - loss_torch(k)| <= 6 u sigma_k + 2^-16 loss_torch(k)
  - every final weight tensor W, for two random sign vectors r (fixed seed):
                   |<r, W_tessera - W_torch>|     <= 6 u sigma_r + 2^-16 sum|W_torch|
with u = 2^-8 and the sigmas derived as follows (no tuned constant).

  The difference between the two runs is, to first order, caused by the bf16 (RNE) operand
  roundings Tessera does and PyTorch fp32 does not: bf16 keeps 8 significant bits, so a
  rounded operand is z (1 + e) with |e| <= u = 2^-8 (half the spacing 2^-7 of bf16 values in
  [1, 2); a rounded operand with relative error 2^-8 exists: 1 + 2^-8 rounds to 1).
  Tessera rounds x (once: it does not change), w1 and w2 (every step, from the fp32 masters;
  w2's bf16 values serve the forward and the backward), a = gelu(h), dlogits and dL/du (the
  backward's operands). `sensitivities` writes the PyTorch program unrolled over all steps in
  float64 with a factor (1 + e) at each of these points and computes, by autograd at e = 0,
  the gradient of each step's loss (and of <r, W_final>) with respect to every e:
  sigma = ||d quantity / d e||_2. Rounding errors are modelled as independent, mean-zero and
  bounded by u (the standard probabilistic model of rounding, Higham & Mary 2019); Hoeffding's
  inequality then gives P(|sum_i a_i e_i| > lambda u ||a||_2) <= 2 exp(-lambda^2 / 2): with
  lambda = 6, 3e-8 per compared quantity. The 2^-16 relative term covers the fp32 differences
  (summation order, activation ulps: each of order n 2^-24 with n <= 128, i.e. <= 2^-17).
  Not covered: terms of second order in u (~u^2 = 1.5e-5 relative of the first-order ones).
  A worst-case (triangle-inequality) version of the same analysis grows like (1 + lr L)^k
  and was useless after a few steps (the loss bound exceeded the loss), so it is not used.

cli mode: the command line's outputs, report and bad-input errors (numpy only).

bitexact mode: runs `tessera train mlp` in --mode rtl and --mode ref on the same inputs and
compares loss.csv's losses and the final weights byte for byte (numpy only).

--expect-fail: exit 0 only if the comparison FAILS (used with --perturb to show that the test
can fail: --perturb lr runs PyTorch with a 5% larger learning rate, --perturb weight moves
w2[0, 0] of PyTorch's initial weights by 0.05, about 100 of its bf16 ulps).
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

U = 2.0 ** -8     # bf16 unit roundoff

def make_inputs(seed, B, D, H, C):
    """A learnable problem: labels of a random linear teacher; PyTorch's Linear init scales."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((B, D)).astype(np.float32)
    teacher = rng.standard_normal((D, C))
    y = np.argmax(x.astype(np.float64) @ teacher, axis=1).astype(np.int64)
    k1, k2 = 1 / math.sqrt(D), 1 / math.sqrt(H)
    return {
        "x": x, "y": y,
        "w1": rng.uniform(-k1, k1, (H, D)).astype(np.float32), "b1": rng.uniform(-k1, k1, H).astype(np.float32),
        "w2": rng.uniform(-k2, k2, (C, H)).astype(np.float32), "b2": rng.uniform(-k2, k2, C).astype(np.float32),
    }


MICRO_BATCH = []  # ["--micro-batch", N] from the command line: the batch in passes


def run_tessera(tessera, mode, config, opt, lr, steps, files, out_dir):
    cmd = [tessera, "train", "mlp", "--config", config, "--mode", mode, "--steps", str(steps), "--optimizer", opt,
           "--lr", repr(lr), "--out-dir", out_dir] + MICRO_BATCH
    for name, path in files.items():
        cmd += ["--in", f"{name}={path}"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stdout.write(r.stdout)
        sys.stderr.write(r.stderr)
        raise SystemExit(f"tessera train mlp --mode {mode} failed with exit code {r.returncode}")
    with open(os.path.join(out_dir, "loss.csv")) as f:
        lines = f.read().splitlines()
    assert lines[0] == "step,loss,cycles", lines[0]
    rows = [l.split(",") for l in lines[1:]]
    assert [int(r[0]) for r in rows] == list(range(1, steps + 1))
    losses = [float(r[1]) for r in rows]
    cycles = [r[2] for r in rows]
    weights = {k: np.load(os.path.join(out_dir, k + ".npy")) for k in ("w1", "b1", "w2", "b2")}
    return lines, losses, cycles, weights


def torch_trajectory(inp, opt, lr, steps):
    """PyTorch fp32: the program of SPEC section 8. Returns losses, per-step states, final weights."""
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(1)
    P = {k: torch.tensor(inp[k], dtype=torch.float32, requires_grad=True) for k in ("w1", "b1", "w2", "b2")}
    x = torch.tensor(inp["x"], dtype=torch.float32)
    y = torch.tensor(inp["y"], dtype=torch.int64)
    params = [P["w1"], P["b1"], P["w2"], P["b2"]]
    if opt == "adamw":
        optim = torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    else:
        optim = torch.optim.SGD(params, lr=lr)
    losses, states = [], []
    for _ in range(steps):
        W = {k: p.detach().double().numpy().copy() for k, p in P.items()}
        M, V = {}, {}
        for k, p in P.items():
            st = optim.state.get(p, {})
            M[k] = st["exp_avg"].double().numpy().copy() if "exp_avg" in st else np.zeros(p.shape)
            V[k] = st["exp_avg_sq"].double().numpy().copy() if "exp_avg_sq" in st else np.zeros(p.shape)
        states.append((W, M, V))
        optim.zero_grad()
        h = F.linear(x, P["w1"], P["b1"])
        a = F.gelu(h, approximate="tanh")
        z = F.linear(a, P["w2"], P["b2"])
        loss = F.cross_entropy(z, y)
        loss.backward()
        optim.step()
        losses.append(float(loss.item()))
    final = {k: p.detach().numpy().copy() for k, p in P.items()}
    return losses, states, final


def sensitivities(inp, opt, lr, steps, n_proj, seed):
    """The PyTorch program unrolled in float64 with a relative perturbation (1 + e) at every
    bf16 rounding of Tessera's step, and the gradients of every step's loss and of random
    projections of the final weights with respect to all the e (at e = 0).

    Rounding points per step: x (one rounding, the same every step: x does not change), w1, w2
    (each step: the DMA casts the current master weights; w2's bf16 values serve the forward and
    the backward), a = gelu(h), dlogits and dL/du (the backward's bf16 copies). Returns
    (losses, [||dL_k/de||_2 for each k], {name: [(r, ||d<r, W_N>/de||_2), ...]})."""
    import torch
    torch.set_num_threads(1)
    f64 = torch.float64
    x = torch.tensor(inp["x"], dtype=f64)
    B = x.shape[0]
    W = {k: torch.tensor(inp[k], dtype=f64) for k in ("w1", "b1", "w2", "b2")}
    C = W["w2"].shape[0]
    onehot = torch.zeros(B, C, dtype=f64)
    onehot[torch.arange(B), torch.tensor(inp["y"])] = 1
    eps_list = []

    def rnd(t):
        e = torch.zeros_like(t, requires_grad=True)
        eps_list.append(e)
        return t * (1 + e)

    c0 = math.sqrt(2 / math.pi)
    b1, b2, eps, wd = 0.9, 0.999, 1e-8, 0.01
    M = {k: torch.zeros_like(v) for k, v in W.items()}
    V = {k: torch.zeros_like(v) for k, v in W.items()}
    xr = rnd(x)
    losses = []
    for t in range(1, steps + 1):
        w1r, w2r = rnd(W["w1"]), rnd(W["w2"])
        h = xr @ w1r.T + W["b1"]
        th = torch.tanh(c0 * (h + 0.044715 * h ** 3))
        a = 0.5 * h * (1 + th)
        ar = rnd(a)
        z = ar @ w2r.T + W["b2"]
        zs = z - z.max(dim=1, keepdim=True).values.detach()
        lse = torch.log(torch.exp(zs).sum(dim=1))
        losses.append((lse - (zs * onehot).sum(dim=1)).mean())
        p = torch.exp(zs - lse[:, None])
        d = (p - onehot) / B
        dr = rnd(d)
        g = {"w2": dr.T @ ar, "b2": d.sum(dim=0)}
        da = dr @ w2r
        gp = 0.5 * (1 + th) + 0.5 * h * (1 - th * th) * c0 * (1 + 3 * 0.044715 * h * h)
        dh = da * gp
        dhr = rnd(dh)
        g["w1"] = dhr.T @ xr
        g["b1"] = dh.sum(dim=0)
        for k in W:
            if opt == "sgd":
                W[k] = W[k] - lr * g[k]
                continue
            M[k] = b1 * M[k] + (1 - b1) * g[k]
            V[k] = b2 * V[k] + (1 - b2) * g[k] * g[k]
            mh, vh = M[k] / (1 - b1 ** t), V[k] / (1 - b2 ** t)
            W[k] = W[k] * (1 - lr * wd) - lr * mh / (torch.sqrt(vh + 1e-300) + eps)

    def norm_of(scalar):
        grads = torch.autograd.grad(scalar, eps_list, retain_graph=True, allow_unused=True)
        return math.sqrt(sum(float((gr * gr).sum()) for gr in grads if gr is not None))

    sig_loss = [norm_of(L) for L in losses]
    rng = np.random.default_rng(seed)
    proj = {}
    for k in ("w1", "b1", "w2", "b2"):
        proj[k] = []
        for _ in range(n_proj):
            r = rng.choice([-1.0, 1.0], size=tuple(W[k].shape))
            proj[k].append((r, norm_of((W[k] * torch.tensor(r, dtype=f64)).sum())))
    return [float(L) for L in losses], sig_loss, proj


LAMBDA = 6.0   # Hoeffding: P(|sum a_i e_i| > LAMBDA u ||a||_2) <= 2 exp(-LAMBDA^2 / 2) = 3e-8
FP32 = 2.0 ** -16  # fp32 slack, relative (summation order, activation ulps: ~2^-18 and below)


def torch_mode(args):
    inp = make_inputs(args.seed, args.batch, args.in_features, args.hidden, args.classes)
    with tempfile.TemporaryDirectory(prefix="tessera_train_") as tmp:
        files = {}
        for k, v in inp.items():
            files[k] = os.path.join(tmp, k + ".npy")
            np.save(files[k], v)
        _, t_losses, _, t_w = run_tessera(args.tessera, "ref", args.config, args.optimizer, args.lr, args.steps, files,
                                          os.path.join(tmp, "out"))
    ref_inp = {k: v.copy() for k, v in inp.items()}
    torch_lr = args.lr
    if args.perturb == "lr":
        torch_lr = args.lr * 1.05
    elif args.perturb == "weight":
        ref_inp["w2"][0, 0] += np.float32(0.05)
    p_losses, _, p_w = torch_trajectory(ref_inp, args.optimizer, torch_lr, args.steps)
    _, sig, proj = sensitivities(ref_inp, args.optimizer, torch_lr, args.steps, 2, args.seed)
    tols = [LAMBDA * U * sk + FP32 * lp for sk, lp in zip(sig, p_losses)]

    ok = True
    print(f"train mlp vs PyTorch fp32: config {args.config}, {args.optimizer} lr {args.lr}, B {args.batch} "
          f"D {args.in_features} H {args.hidden} C {args.classes}, {args.steps} steps"
          + (f", PERTURBED ({args.perturb})" if args.perturb != "none" else ""))
    print(f"{'step':>4} {'tessera':>12} {'torch':>12} {'|diff|':>10} {'rel diff':>9} {'bound':>10} {'used':>6}")
    worst = 0.0
    for k, (lt, lp, tol) in enumerate(zip(t_losses, p_losses, tols), start=1):
        diff = abs(lt - lp)
        used = diff / tol
        worst = max(worst, used)
        flag = "" if diff <= tol else "  FAIL"
        ok = ok and diff <= tol
        print(f"{k:>4} {lt:>12.7f} {lp:>12.7f} {diff:>10.3g} {diff / lp:>9.2e} {tol:>10.3g} {used:>6.3f}{flag}")
    print(f"loss: largest |diff| / bound {worst:.3f}; bound at the last step {tols[-1] / p_losses[-1]:.2e} of the loss")
    for k in ("w1", "b1", "w2", "b2"):
        wt, wp = t_w[k].astype(np.float64), p_w[k].astype(np.float64)
        diff = wt - wp
        rel = float(np.linalg.norm(diff) / np.linalg.norm(wp))
        init = np.linalg.norm(wp - inp[k].astype(np.float64))
        moved = float(np.linalg.norm(diff) / init) if init > 0 else float("nan")
        uses = []
        for r, sk in proj[k]:
            tol = LAMBDA * U * sk + FP32 * float(np.abs(wp).sum())
            uses.append(abs(float((r * diff).sum())) / tol)
        wok = max(uses) <= 1
        ok = ok and wok
        print(f"{k}: ||diff|| / ||w|| {rel:.2e}, ||diff|| / ||w - w0|| {moved:.2e}, random projections "
              f"|<r, diff>| / bound {', '.join(f'{x:.3f}' for x in uses)}" + ("" if wok else "  FAIL"))
    print("PASS" if ok else "FAIL: outside the derived bf16 bound")
    return ok


def bitexact_mode(args):
    inp = make_inputs(args.seed, args.batch, args.in_features, args.hidden, args.classes)
    with tempfile.TemporaryDirectory(prefix="tessera_train_") as tmp:
        files = {}
        for k, v in inp.items():
            files[k] = os.path.join(tmp, k + ".npy")
            np.save(files[k], v)
        rtl = run_tessera(args.tessera, "rtl", args.config, args.optimizer, args.lr, args.steps, files,
                          os.path.join(tmp, "rtl"))
        ref = run_tessera(args.tessera, "ref", args.config, args.optimizer, args.lr, args.steps, files,
                          os.path.join(tmp, "ref"))
        ok = True
        print("rtl loss.csv:\n  " + "\n  ".join(rtl[0]))
        print("ref loss.csv:\n  " + "\n  ".join(ref[0]))
        if [l.split(",")[:2] for l in rtl[0]] != [l.split(",")[:2] for l in ref[0]]:
            print("FAIL: the losses differ")
            ok = False
        if not all(c for c in rtl[2]) or any(c for c in ref[2]):
            print("FAIL: cycles must be given in rtl mode and empty in ref mode")
            ok = False
        for k in ("w1", "b1", "w2", "b2"):
            a = open(os.path.join(tmp, "rtl", k + ".npy"), "rb").read()
            b = open(os.path.join(tmp, "ref", k + ".npy"), "rb").read()
            same = a == b
            print(f"{k}.npy: {'identical' if same else 'DIFFERENT'} ({len(a)} bytes)")
            ok = ok and same
        print("PASS" if ok else "FAIL")
        return ok


def cli_mode(args):
    """The command line: a good run's outputs and report, and bad inputs (exit 2, one line on
    stderr, no output left behind)."""
    import json
    ok = True
    B, D, H, C = 6, 5, 7, 3
    inp = make_inputs(args.seed, B, D, H, C)
    with tempfile.TemporaryDirectory(prefix="tessera_train_cli_") as tmp:
        files = {}
        for k, v in inp.items():
            files[k] = os.path.join(tmp, k + ".npy")
            np.save(files[k], v)
        bad = {
            "y_range.npy": np.array([0, 1, 2, 3, 0, 1], dtype=np.int32),
            "y_float.npy": np.zeros(B, dtype=np.float32),
            "y_short.npy": np.zeros(B - 1, dtype=np.int64),
            "w1_shape.npy": np.zeros((H, D + 1), dtype=np.float32),
            "b2_2d.npy": np.zeros((C, 1), dtype=np.float32),
            "x_f64.npy": np.zeros((B, D), dtype=np.float64),
        }
        for k, v in bad.items():
            np.save(os.path.join(tmp, k), v)
        out = os.path.join(tmp, "out")

        def run(extra, over=None, steps="2"):
            paths = dict(files, **(over or {}))
            cmd = [args.tessera, "train", "mlp", "--config", "tiny", "--out-dir", out] + extra
            if "--steps" not in extra:
                cmd += ["--steps", steps]
            for k, v in paths.items():
                cmd += ["--in", f"{k}={v}"]
            return subprocess.run(cmd, capture_output=True, text=True)

        t = lambda name: os.path.join(tmp, name)  # noqa: E731
        cases = [
            ("label out of range", [], {"y": t("y_range.npy")}, "outside [0, 3)"),
            ("float labels", [], {"y": t("y_float.npy")}, "'<i4' or '<i8'"),
            ("labels of another batch", [], {"y": t("y_short.npy")}, "'y' has shape [5]"),
            ("w1 of another shape", [], {"w1": t("w1_shape.npy")}, "w1_shape.npy"),
            ("2-D bias", [], {"b2": t("b2_2d.npy")}, "must be 1-D"),
            ("float64 x", [], {"x": t("x_f64.npy")}, "x_f64.npy"),
            ("flag against file", ["--hidden", "8"], {}, "--hidden"),
            ("unknown optimizer", ["--optimizer", "adam"], {}, "--optimizer"),
            ("zero steps", ["--steps", "0"], {}, "--steps"),
            ("zero micro-batch", ["--micro-batch", "0"], {}, "--micro-batch"),
            ("unknown input", [], {"z": files["x"]}, "--in z"),
            ("negative lr", ["--lr", "-1"], {}, "--lr"),
        ]
        for name, extra, over, text in cases:
            r = run(extra, over)
            lines = r.stderr.strip().splitlines()
            good = (r.returncode == 2 and len(lines) == 1 and lines[0].startswith("tessera: error: ")
                    and text in lines[0] and not (os.path.exists(out) and os.listdir(out)))
            print(f"{'ok  ' if good else 'FAIL'} {name}: exit {r.returncode}: {r.stderr.strip()}")
            ok = ok and good
        r = subprocess.run([args.tessera, "train", "mlp", "--config", "tiny", "--steps", "1", "--out-dir", out,
                            "--batch", "64", "--hidden", "512"], capture_output=True, text=True)
        good = r.returncode == 2 and "does not fit" in r.stderr and not (os.path.exists(out) and os.listdir(out))
        print(f"{'ok  ' if good else 'FAIL'} too large for the SBUF: exit {r.returncode}: {r.stderr.strip()}")
        ok = ok and good
        # A good run: every output, with the documented names, shapes and contents.
        r = run(["--report", os.path.join(tmp, "r.json")])
        good = r.returncode == 0
        names = sorted(os.listdir(out)) if os.path.isdir(out) else []
        want = sorted(["loss.csv", "report.json", "x.npy", "y.npy"] +
                      [f"{k}{s}.npy" for k in ("w1", "b1", "w2", "b2") for s in ("", "_init")])
        good = good and names == want
        if good:
            lines = open(os.path.join(out, "loss.csv")).read().splitlines()
            good = lines[0] == "step,loss,cycles" and len(lines) == 3 and all(l.endswith(",") for l in lines[1:])
            rep = json.load(open(os.path.join(tmp, "r.json")))
            good = good and rep == json.load(open(os.path.join(out, "report.json")))
            for key in ("config", "mode", "optimizer", "steps", "loss", "per_step", "cycles", "flops", "mfu", "check",
                        "outputs", "batch", "in_features", "hidden", "classes"):
                good = good and key in rep
            good = good and rep["cycles"] is None and rep["mfu"] is None and rep["check"]["pass"]
            good = good and [round(l, 6) for l in rep["loss"]] == [round(float(l.split(",")[1]), 6) for l in lines[1:]]
            w1 = np.load(os.path.join(out, "w1.npy"))
            good = good and w1.dtype == np.float32 and w1.shape == (H, D)
            good = good and np.array_equal(np.load(os.path.join(out, "w1_init.npy")), inp["w1"])
            good = good and np.array_equal(np.load(os.path.join(out, "y.npy")), inp["y"])
        print(f"{'ok  ' if good else 'FAIL'} a good run writes {want}: exit {r.returncode} {r.stderr.strip()}")
        ok = ok and good
    print("PASS" if ok else "FAIL")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--mode", choices=["torch", "bitexact", "cli"], default="torch")
    ap.add_argument("--config", default="small")
    ap.add_argument("--optimizer", choices=["adamw", "sgd"], default="adamw")
    ap.add_argument("--lr", type=float, default=None)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--in-features", type=int, default=32)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--micro-batch", type=int, default=None, help="tessera's rows per pass")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--perturb", choices=["none", "lr", "weight"], default="none")
    ap.add_argument("--expect-fail", action="store_true")
    args = ap.parse_args()
    if args.micro_batch is not None:
        MICRO_BATCH.extend(["--micro-batch", str(args.micro_batch)])
    if args.lr is None:
        args.lr = 1e-3 if args.optimizer == "adamw" else 0.1
    ok = {"torch": torch_mode, "bitexact": bitexact_mode, "cli": cli_mode}[args.mode](args)
    if args.expect_fail:
        print("expected to fail:", "it did" if not ok else "it PASSED (the test cannot fail?)")
        return 0 if not ok else 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
