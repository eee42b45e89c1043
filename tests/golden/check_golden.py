#!/usr/bin/env python3
"""Cycle baselines (docs/kernels.md "Cycle baselines"): runs cases of a golden file and compares
their cycles with the stored ones.

  check_golden.py [--tessera BIN] GOLDEN.json [NAME...]   check the named cases (default: all)
  check_golden.py [--tessera BIN] --update GOLDEN.json     rewrite every case's cycles
  check_golden.py [--tessera BIN] --all-kernels GOLDEN.json  every kernel of `tessera list
                                                            kernels` has a case

A golden file holds its config, its mode and a list of cases {name, kernel, flags, cycles}; the
flags (dtype, sizes, seed, ...) are passed as `--FLAG VALUE` in their order. Exit codes: 0 equal,
1 cycles differ (or a kernel lacks a case), 2 anything else (a failing tessera run, a bad file).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def default_tessera():
    build = os.environ.get("TESSERA_BUILD_DIR", os.path.join(ROOT, "build"))
    return os.environ.get("TESSERA", os.path.join(build, "sim", "tessera"))


def fail(msg):
    print(f"check_golden: error: {msg}", file=sys.stderr)
    sys.exit(2)


def load(path):
    with open(path) as f:
        golden = json.load(f)
    names = [c["name"] for c in golden["cases"]]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        fail(f"{path}: case names given twice: {', '.join(sorted(dup))}")
    return golden


def command(tessera, golden, case):
    cmd = [tessera, "run", case["kernel"], "--config", golden["config"], "--mode", golden["mode"]]
    for flag, value in case["flags"].items():
        cmd += [f"--{flag}", str(value)]
    return cmd


def describe(case):
    return f"kernel {case['kernel']} flags " + " ".join(f"--{k} {v}" for k, v in case["flags"].items())


def measure(tessera, golden, case):
    """The case's cycles from tessera's JSON report; the run must pass its own checks (exit 0):
    cycles of a wrong result are no baseline."""
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        cmd = command(tessera, golden, case) + ["--report", report]
        run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if run.returncode != 0:
            fail(f"{describe(case)}: tessera exited {run.returncode}\n$ {' '.join(cmd)}\n{run.stdout}")
        with open(report) as f:
            return json.load(f)["cycles"]


def check(tessera, path, golden, names):
    by_name = {c["name"]: c for c in golden["cases"]}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        fail(f"{path} has no case {', '.join(unknown)}")
    status = 0
    for case in [by_name[n] for n in names] if names else golden["cases"]:
        got, want = measure(tessera, golden, case), case["cycles"]
        where = f"{case['name']} on {golden['config']} ({golden['mode']}): {describe(case)}"
        if want is None:
            print(f"FAIL {where}: cycles {got}, no golden yet (scripts/regen_golden.sh {golden['config']})")
            status = 1
        elif got != want:
            d = got - want
            print(f"FAIL {where}: cycles {got}, golden {want} ({d:+d}, {100 * d / want:+.3g}%)")
            status = 1
        else:
            print(f"ok   {where}: cycles {got}")
    if status:
        print(f"An intended timing change? Regenerate with scripts/regen_golden.sh {golden['config']} "
              "and say so in the commit (docs/kernels.md, Cycle baselines).")
    return status


def write(path, golden):
    """One case per line, so that a changed baseline is a one-line diff in review."""
    head = {k: v for k, v in golden.items() if k != "cases"}
    lines = [f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
    cases = ",\n".join(f"    {json.dumps(c)}" for c in golden["cases"])
    text = "{\n" + "\n".join(lines) + '\n  "cases": [\n' + cases + "\n  ]\n}\n"
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def update(tessera, path, golden):
    changed = 0
    for case in golden["cases"]:
        got, old = measure(tessera, golden, case), case["cycles"]
        if got != old:
            change = f"was {old}, {got - old:+d}" if old is not None else "new"
            print(f"{case['name']}: {got} ({change})")
            changed += 1
        case["cycles"] = got
    write(path, golden)
    print(f"{path}: {changed} of {len(golden['cases'])} cases changed")
    return 0


def all_kernels(tessera, path, golden):
    # `tessera list kernels`: a header line, then a line per kernel starting with its name (its
    # continuation lines are indented).
    text = subprocess.run([tessera, "list", "kernels"], stdout=subprocess.PIPE, text=True, check=True).stdout
    kernels = [line.split()[0] for line in text.splitlines()[1:] if line and not line[0].isspace()]
    covered = {c["kernel"] for c in golden["cases"]}
    missing = [k for k in kernels if k not in covered]
    for k in missing:
        print(f"FAIL kernel {k} has no case in {path}: add one with \"cycles\": null and run "
              f"scripts/regen_golden.sh {golden['config']}")
    if not missing:
        print(f"ok   all {len(kernels)} kernels have a case in {path}")
    return 1 if missing else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tessera", default=default_tessera(), help="tessera binary (default: $TESSERA, else build/sim/tessera)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--update", action="store_true", help="rewrite the cycles of every case")
    mode.add_argument("--all-kernels", action="store_true", help="check that every kernel has a case")
    p.add_argument("golden")
    p.add_argument("names", nargs="*")
    a = p.parse_args()
    if not os.access(a.tessera, os.X_OK):
        fail(f"no tessera binary at {a.tessera} (build it, or give --tessera or $TESSERA)")
    if (a.update or a.all_kernels) and a.names:
        fail("--update and --all-kernels take no case names")
    golden = load(a.golden)
    if a.update:
        return update(a.tessera, a.golden, golden)
    if a.all_kernels:
        return all_kernels(a.tessera, a.golden, golden)
    return check(a.tessera, a.golden, golden, a.names)


if __name__ == "__main__":
    sys.exit(main())
