#!/usr/bin/python3
"""Pick the subnet library of a trained supernet and write its model file.

Candidates: every uniform config over ks x e x d x resolution plus seeded
random mixed ones. Each gets a latency, the C engine's
`dnngov-infer --config ... --bench N --threads 1` (min of N runs) when --infer
is given, PyTorch eager (1 thread, min of N) otherwise, and a screening
accuracy on the first --screen test images with BN statistics from
--screen-calib training images. Candidates within --margin points of the
screening front are then re-measured as OFA evaluates a subnet: BN statistics
from 2000 training images at the subnet's resolution (set_running_statistics),
top-1 on all 10,000 test images. The Pareto front of those (latency,
accuracy) points is thinned to --levels points spread evenly in log latency
and written, with per-level BN statistics, classes and normalisation, through
dnngov_model.write_model.

    select_levels.py build/fmnist/supernet.pt models/fmnist-ofa.dnngov \
        --infer build/bin/dnngov-infer
"""

import argparse
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see train_fmnist.py
import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dnngov_model as dm  # noqa: E402
from fmnist_data import CLASSES, calib_images, load_split, to_input  # noqa: E402
from ofa_mbv3 import OFAMobileNetV3, count_macs, n_stage_blocks, recalibrate_bn  # noqa: E402


class SelectError(Exception):
    pass


def candidates(arch, n_random, seed):
    """Uniform configs over every choice and resolution, then seeded random ones."""
    nb, ns = n_stage_blocks(arch), len(arch["stages"])
    out, seen = [], set()

    def add(ks, e, d, r):
        key = (tuple(ks), tuple(e), tuple(d), r)
        if key not in seen:
            seen.add(key)
            out.append({"ks": list(ks), "e": list(e), "d": list(d), "r": r})

    for r in arch["resolutions"]:
        for k in arch["ks_list"]:
            for e in arch["expand_list"]:
                for d in arch["depth_list"]:
                    add([k] * nb, [e] * nb, [d] * ns, r)
    rng = random.Random(seed)
    target = len(out) + n_random
    for _ in range(100 * n_random):
        if len(out) >= target:
            break
        add([rng.choice(arch["ks_list"]) for _ in range(nb)],
            [rng.choice(arch["expand_list"]) for _ in range(nb)],
            [rng.choice(arch["depth_list"]) for _ in range(ns)],
            rng.choice(arch["resolutions"]))
    return out


def pareto_front(points):
    """Indices of points not dominated in (lower latency, higher accuracy), by latency."""
    order = sorted(range(len(points)),
                   key=lambda i: (points[i]["latency_ms"], -points[i]["accuracy"]))
    front, best = [], -math.inf
    for i in order:
        if points[i]["accuracy"] > best:
            front.append(i)
            best = points[i]["accuracy"]
    return front


def thin(points, front, n):
    """n front points spread evenly in log latency, always both ends."""
    if len(front) <= n:
        return list(front)
    lat = [math.log(points[i]["latency_ms"]) for i in front]
    chosen = []
    for k in range(n):
        target = lat[0] + (lat[-1] - lat[0]) * k / (n - 1)
        j = min((j for j in range(len(front)) if front[j] not in chosen),
                key=lambda j: abs(lat[j] - target))
        chosen.append(front[j])
    return sorted(chosen, key=lambda i: points[i]["latency_ms"])


@torch.no_grad()
def accuracy(net, images_u8, labels, norm, r, batch=1000):
    net.eval()
    ok = 0
    for i in range(0, len(images_u8), batch):
        out = net(to_input(images_u8[i:i + batch], norm, r))
        ok += int((out.argmax(1) == labels[i:i + batch]).sum())
    return 100.0 * ok / len(images_u8)


def engine_latency(infer, model_path, cfg, runs, workdir):
    path = os.path.join(workdir, "cfg.json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    p = subprocess.run([infer, "--model", model_path, "--config", path, "--threads", "1",
                        "--bench", str(runs)], capture_output=True, text=True, timeout=300)
    m = re.search(r"min ([0-9.]+) ms, median ([0-9.]+) ms", p.stdout)
    if p.returncode != 0 or not m:
        raise SelectError("%s failed on %s: %s" % (infer, cfg, (p.stderr or p.stdout).strip()))
    return float(m.group(1))


@torch.no_grad()
def torch_latency(net, in_channels, r, runs):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        x = torch.zeros(1, in_channels, r, r)
        for _ in range(5):
            net(x)
        best = math.inf
        for _ in range(runs):
            t = time.perf_counter()
            net(x)
            best = min(best, time.perf_counter() - t)
    finally:
        torch.set_num_threads(threads)
    return best * 1e3


def evaluate(net, cands, calib_u8, test_x, test_y, norm, latency_fn, log=print):
    """Fill accuracy, latency_ms, macs and bn (per-subnet statistics) of every candidate."""
    clean = {k: v.clone() for k, v in net.state_dict().items()}
    t0 = time.time()
    for n, c in enumerate(cands):
        net.load_state_dict(clean)
        net.set_active_subnet(c["ks"], c["e"], c["d"])
        stats = recalibrate_bn(net, to_input(calib_u8, norm, c["r"]))
        c["bn"] = {k: (m.numpy(), v.numpy()) for k, (m, v) in stats.items()}
        c["accuracy"] = round(accuracy(net, test_x, test_y, norm, c["r"]), 2)
        c["latency_ms"] = round(latency_fn(net, c), 4)
        c["macs"] = count_macs(net, c["r"])
        log("  [%3d/%d] r=%d d=%s ks=%s e=%s  acc %.2f%%  %.3f ms  %.2f MMACs  (%.0fs)"
            % (n + 1, len(cands), c["r"], c["d"], "".join(map(str, c["ks"])),
               "".join(map(str, c["e"])), c["accuracy"], c["latency_ms"], c["macs"] / 1e6,
               time.time() - t0))
    net.load_state_dict(clean)
    return cands


def near_front(points, margin):
    """Indices of points that no faster-or-equal point beats by more than margin pp."""
    return [i for i, p in enumerate(points)
            if not any(q["latency_ms"] <= p["latency_ms"]
                       and q["accuracy"] > p["accuracy"] + margin
                       for j, q in enumerate(points) if j != i)]


@torch.no_grad()
def remeasure(net, c, calib_u8, test_x, test_y, norm):
    """Recalibrate a candidate's BN on calib_u8 and measure it on the full test set."""
    clean = {k: v.clone() for k, v in net.state_dict().items()}
    try:
        net.set_active_subnet(c["ks"], c["e"], c["d"])
        stats = recalibrate_bn(net, to_input(calib_u8, norm, c["r"]))
        c["bn"] = {k: (m.numpy(), v.numpy()) for k, (m, v) in stats.items()}
        return round(accuracy(net, test_x, test_y, norm, c["r"]), 2)
    finally:
        net.load_state_dict(clean)


def supernet_bn_accuracy(net, c, test_x, test_y, norm):
    """Accuracy of a subnet with the supernet's own (sliced) BN statistics."""
    net.set_active_subnet(c["ks"], c["e"], c["d"])
    return round(accuracy(net, test_x, test_y, norm, c["r"]), 2)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("supernet", help="checkpoint written by train_fmnist.py")
    ap.add_argument("out", help="model file to write (.dnngov)")
    ap.add_argument("--infer", help="dnngov-infer binary for C-engine latency "
                                    "(default: PyTorch eager latency)")
    ap.add_argument("--levels", type=int, default=8, help="levels to keep (>= 6; default 8)")
    ap.add_argument("--random", type=int, default=24, help="random mixed candidates (24)")
    ap.add_argument("--runs", type=int, default=100, help="timed runs per latency (100)")
    ap.add_argument("--screen", type=int, default=1000,
                    help="screen every candidate on the first N test images, then re-measure "
                         "those near the front on all of them (default 1000)")
    ap.add_argument("--screen-calib", type=int, default=500,
                    help="BN calibration images while screening (default 500; finalists get "
                         "all 2000)")
    ap.add_argument("--margin", type=float, default=1.5,
                    help="screening margin in top-1 points (default 1.5)")
    ap.add_argument("--limit", type=int, default=0,
                    help="evaluate only N evenly spaced candidates (quick trial runs)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--report", help="JSON file for every candidate's figures")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    try:
        if a.levels < 6:
            raise SelectError("--levels must be >= 6")
        try:
            ck = torch.load(a.supernet, map_location="cpu")
        except (OSError, RuntimeError) as e:
            raise SelectError("cannot read %s: %s" % (a.supernet, e))
        if not isinstance(ck, dict) or not {"arch", "state_dict", "normalization"} <= set(ck):
            raise SelectError("%s is not a train_fmnist.py checkpoint" % a.supernet)
        torch.manual_seed(a.seed)
        torch.set_num_threads(a.threads)
        arch, norm = ck["arch"], ck["normalization"]
        net = OFAMobileNetV3(arch)
        net.load_state_dict(ck["state_dict"])
        net.eval()
        train_x, _ = load_split("train")
        test_x, test_y = load_split("t10k")
        calib_u8 = calib_images(train_x, 2000, seed=a.seed)
        cands = candidates(arch, a.random, a.seed)
        if a.limit and a.limit < len(cands):
            cands = [cands[i * len(cands) // a.limit] for i in range(a.limit)]
        tensors = net.export_tensors()
        with tempfile.TemporaryDirectory() as tmp:
            if a.infer:
                if not os.access(a.infer, os.X_OK):
                    raise SelectError("%s is not an executable dnngov-infer" % a.infer)
                bench_model = os.path.join(tmp, "bench.dnngov")
                c0 = cands[0]
                dm.write_model(bench_model, arch, tensors,
                               [dict(c0, name="bench", accuracy=0.0, latency_ms=None, bn=None)],
                               CLASSES, norm)

                def latency_fn(_net, c):
                    return engine_latency(a.infer, bench_model,
                                          {k: c[k] for k in ("ks", "e", "d", "r")}, a.runs, tmp)
                source = "C engine (dnngov-infer --threads 1, min of %d)" % a.runs
            else:
                def latency_fn(n, c):
                    return torch_latency(n, arch["in_channels"], c["r"], a.runs)
                source = "PyTorch eager (1 thread, min of %d)" % a.runs
            print("select_levels: %d candidates, latency from %s" % (len(cands), source),
                  flush=True)
            screen = min(a.screen, len(test_x))
            evaluate(net, cands, calib_u8[:a.screen_calib], test_x[:screen], test_y[:screen],
                     norm, latency_fn, log=lambda s: print(s, flush=True))
        # Re-measure the candidates near the screening front with BN statistics
        # from all calibration images, on all test images.
        finalists = near_front(cands, a.margin)
        print("select_levels: %d candidates within %.1f pp of the front on %d test images; "
              "re-measuring them on all %d" % (len(finalists), a.margin, screen, len(test_x)),
              flush=True)
        for i in finalists:
            c = cands[i]
            c["screen_accuracy"] = c["accuracy"]
            c["accuracy"] = remeasure(net, c, calib_u8, test_x, test_y, norm)
            print("  r=%d d=%s ks=%s e=%s  acc %.2f%% (screen %.2f%%)  %.3f ms"
                  % (c["r"], c["d"], "".join(map(str, c["ks"])), "".join(map(str, c["e"])),
                     c["accuracy"], c["screen_accuracy"], c["latency_ms"]), flush=True)
        sub = [cands[i] for i in finalists]
        front = [finalists[j] for j in pareto_front(sub)]
        chosen = thin(cands, front, a.levels)
        if len(chosen) < 6:
            raise SelectError("the Pareto front has only %d points; add candidates (--random)"
                              % len(chosen))
        for i in chosen:
            cands[i]["accuracy_supernet_bn"] = supernet_bn_accuracy(net, cands[i], test_x,
                                                                    test_y, norm)
        levels = []
        for k, i in enumerate(chosen):
            c = cands[i]
            levels.append({"name": "L%d" % (k + 1), "ks": c["ks"], "e": c["e"], "d": c["d"],
                           "r": c["r"], "accuracy": c["accuracy"],
                           "latency_ms": c["latency_ms"], "bn": c["bn"]})
        dm.write_model(a.out, arch, tensors, levels, CLASSES, norm)
        speedup = levels[-1]["latency_ms"] / levels[0]["latency_ms"]
        print("select_levels: Pareto front %d of %d candidates; wrote %s (%d bytes), %d levels, "
              "%.2fx latency span" % (len(front), len(cands), a.out, os.path.getsize(a.out),
                                      len(levels), speedup))
        for lv, i in zip(levels, chosen):
            print("  %s r=%d d=%s ks=%s e=%s acc %.2f%% (supernet BN %.2f%%) latency %.3f ms "
                  "MMACs %.2f" % (lv["name"], lv["r"], lv["d"], "".join(map(str, lv["ks"])),
                                  "".join(map(str, lv["e"])), lv["accuracy"],
                                  cands[i]["accuracy_supernet_bn"], lv["latency_ms"],
                                  cands[i]["macs"] / 1e6))
        if a.report:
            with open(a.report, "w") as f:
                json.dump({"latency_source": source, "screen_images": screen,
                           "finalists": finalists, "front": front, "chosen": chosen,
                           "candidates": [{k: v for k, v in c.items() if k != "bn"}
                                          for c in cands]}, f, indent=1)
    except (SelectError, dm.ModelFormatError, OSError) as e:
        print("select_levels: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
