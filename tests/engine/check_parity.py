#!/usr/bin/python3
"""Engine vs an independent PyTorch forward (torch_ref.py), through the CLI:
every library level of each model, plus random configs via --config.

    check_parity.py DNNGOV_INFER MODEL... [--configs N]

Prints one line per case and "parity: P passed, F failed"; exit 1 on any
failure, 77 when torch is not installed (skipped).
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts", "ofa"))
try:
    import torch
except ImportError:
    print("parity: 0 passed, 0 failed (skipped: python3-torch not installed)")
    sys.exit(77)
from dnngov_model import random_config, read_model  # noqa: E402
from torch_ref import forward  # noqa: E402

TOL = 1e-4


def run_case(infer, path, m, lv, sel, tmp, seed):
    c, r = m["arch"]["in_channels"], lv["r"]
    x = np.random.default_rng(seed).standard_normal((c, r, r)).astype("<f4")
    inp, out = os.path.join(tmp, "in.f32"), os.path.join(tmp, "out.f32")
    x.tofile(inp)
    p = subprocess.run([infer, "--model", path, *sel, "--input", inp, "--output", out],
                       capture_output=True, text=True)
    if p.returncode:
        return None, p.stderr.strip()
    got = np.fromfile(out, dtype="<f4")
    with torch.no_grad():
        ref = forward(m, lv, torch.from_numpy(x[None]))[0].numpy()
    return float(np.max(np.abs(got - ref)) / max(np.max(np.abs(ref)), 1e-6)), ""


def main():
    args = sys.argv[1:]
    nconf = 2
    if "--configs" in args:
        i = args.index("--configs")
        nconf = int(args[i + 1])
        del args[i:i + 2]
    infer, models = args[0], args[1:]
    passed = failed = 0
    rng = np.random.default_rng(5)
    with tempfile.TemporaryDirectory() as tmp:
        for path in models:
            m = read_model(path)
            cases = [(f"level {i}", lv, ["--level", str(i)]) for i, lv in enumerate(m["levels"])]
            for k in range(nconf):
                cfg = random_config(m["arch"], rng, r=int(rng.integers(24, 48)))
                cp = os.path.join(tmp, f"cfg{k}.json")
                with open(cp, "w") as f:
                    json.dump(cfg, f)
                cases.append((f"config {k} r={cfg['r']}", dict(cfg, bn=None), ["--config", cp]))
            for seed, (name, lv, sel) in enumerate(cases):
                err, msg = run_case(infer, path, m, lv, sel, tmp, seed)
                ok = err is not None and err < TOL
                passed += ok
                failed += not ok
                print(f"{'ok  ' if ok else 'FAIL'} {os.path.basename(path)} {name}: "
                      + (f"max rel error {err:.2e}" if err is not None else msg))
    print(f"parity: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
