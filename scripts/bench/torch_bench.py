#!/usr/bin/env python3
"""PyTorch eager peer of `make bench`.

    /usr/bin/python3 scripts/bench/torch_bench.py MANIFEST OUTDIR --threads T
        [--warmup W] [--runs N] [--budget-ms B] [--levels a,b]

Runs each level of MANIFEST (bench prepare) as its static module
(static_subnet.py: Conv2d + BatchNorm2d + activations, eval mode, under
torch.no_grad(), torch.set_num_threads(T)), W warm-up runs then N timed runs
(fewer, at least MIN_RUNS, once the level has used B ms, as dnngov-bench does);
each sample has its wall time and its process CPU time.
Prints one JSON line per level (min/median ms) and writes the level's
output to OUTDIR/<name>.torch.f32.
"""

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import static_subnet  # noqa: E402

MIN_RUNS = 5


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("manifest")
    ap.add_argument("outdir")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--budget-ms", type=int, default=0, help="0: no time limit")
    ap.add_argument("--levels", default=None)
    a = ap.parse_args(argv)
    if a.threads < 1 or a.runs < 1 or a.warmup < 0:
        ap.error("--threads and --runs must be >= 1, --warmup >= 0")
    try:
        with open(a.manifest) as f:
            man = json.load(f)
        net, model = static_subnet.load_supernet(man["model"])
    except (OSError, ValueError, KeyError) as e:
        print("torch_bench: cannot load %s: %s; run scripts/bench/prepare.py first" % (a.manifest, e),
              file=sys.stderr)
        return 2
    only = a.levels.split(",") if a.levels else None
    by_name = {lv["name"]: lv for lv in model["levels"]}
    torch.set_num_threads(a.threads)
    os.makedirs(a.outdir, exist_ok=True)
    d = os.path.dirname(a.manifest)
    for ent in man["levels"]:
        if only and ent["name"] not in only:
            continue
        mod = static_subnet.build(net, by_name[ent["name"]])
        x = torch.from_numpy(np.fromfile(os.path.join(d, ent["input"]), np.float32)
                             .reshape(ent["input_shape"]))
        ms, cpu = [], []

        def over(start, limit):
            return limit > 0 and (time.perf_counter_ns() - start) / 1e6 > limit
        with torch.no_grad():
            start = time.perf_counter_ns()
            for _ in range(a.warmup):
                if over(start, a.budget_ms / 2):
                    break
                y = mod(x)
            start = time.perf_counter_ns()
            for i in range(a.runs):
                if i >= MIN_RUNS and over(start, a.budget_ms):
                    break
                t0, c0 = time.perf_counter_ns(), time.process_time_ns()
                y = mod(x)
                ms.append((time.perf_counter_ns() - t0) / 1e6)
                cpu.append((time.process_time_ns() - c0) / 1e6)
        y.numpy().astype(np.float32).tofile(os.path.join(a.outdir, ent["name"] + ".torch.f32"))
        print(json.dumps({"engine": "torch", "level": ent["name"], "threads": a.threads,
                          "runs": len(ms), "min_ms": min(ms),
                          "median_ms": statistics.median(ms), "samples_ms": ms,
                          "cpu_samples_ms": cpu}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
