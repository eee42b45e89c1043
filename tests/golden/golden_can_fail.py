#!/usr/bin/env python3
"""Shows that a golden test can fail: with one case's golden cycles raised by 1 (in a copy of
the golden file), check_golden.py must exit 1 and name the case, its flags and the difference.

  golden_can_fail.py --tessera BIN GOLDEN.json NAME
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

p = argparse.ArgumentParser()
p.add_argument("--tessera", required=True)
p.add_argument("golden")
p.add_argument("name")
a = p.parse_args()

with open(a.golden) as f:
    golden = json.load(f)
case = next(c for c in golden["cases"] if c["name"] == a.name)
cycles = case["cycles"]
case["cycles"] = cycles + 1
with tempfile.TemporaryDirectory() as tmp:
    altered = os.path.join(tmp, "altered.json")
    with open(altered, "w") as f:
        json.dump(golden, f)
    checker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_golden.py")
    run = subprocess.run([sys.executable, checker, "--tessera", a.tessera, altered, a.name],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
print(run.stdout, end="")
want = [f"FAIL {a.name} on {golden['config']}", f"kernel {case['kernel']} flags --",
        f"cycles {cycles}, golden {cycles + 1} (-1, -"]
missing = [w for w in want if w not in run.stdout]
if run.returncode != 1 or missing:
    print(f"golden_can_fail: expected exit 1 and {want}; got exit {run.returncode}, missing {missing}")
    sys.exit(1)
print("golden_can_fail: the altered baseline fails as it should")
