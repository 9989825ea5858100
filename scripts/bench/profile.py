#!/usr/bin/env python3
"""Where the time goes: dnngov against ONNX Runtime on one level, by layer kind.

    /usr/bin/python3 scripts/bench/profile.py [--manifest build/bench/nets6/manifest.json]
        [--level L1] [--runs 200] [--engine build/bin/dnngov-bench]

ONNX Runtime: its own per-node profile (ort_bench.js profile), nodes grouped
by what they compute (node names come from the static subnet's modules:
blocks.N/body.K). dnngov: `perf record` of dnngov-bench latency on the same
level, samples grouped by function (OpenBLAS GEMM, depthwise kernels, SE and
head GEMV, elementwise). Both at 1 thread, both as shares scaled to the
process CPU time per inference, so preemption by other tenants of a shared
machine does not distort the comparison. Run `make bench` first (it writes
the manifest and builds dnngov-bench); perf must be allowed to sample
(kernel.perf_event_paranoid <= 2), otherwise only ONNX Runtime is shown.
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))

STARTUP = "start-up (open, checksum, plans)"
BODY = re.compile(r"/blocks/blocks\.(\d+)/body/body\.(\d+)/(\w+)")


def ort_kind(name, op, se_blocks):
    """Layer kind of one ONNX Runtime node from its (static subnet) name."""
    if op in ("ReorderInput", "ReorderOutput"):
        return "layout (NCHW <-> NCHWc reorders)"
    if name.startswith("/stem/"):
        return "stem conv 3x3"
    if name.startswith("/head/"):
        return "head (final expand, pool, feature mix)"
    if op in ("Gemm", "Flatten"):
        return "classifier"
    m = BODY.match(name)
    if not m:
        return "other"
    blk, k = int(m.group(1)), int(m.group(2))
    if blk == 0:  # first block: dw (0-2), pl (3-4), no IB
        return "depthwise conv" if k <= 2 else "pointwise conv (1x1)"
    if k <= 2:
        return "pointwise conv (1x1)"
    if k <= 5:
        return "depthwise conv"
    if k == 6 and blk in se_blocks:  # SE module; its block's PL is body.7
        return "SE (pool, FCs, scale)"
    return "pointwise conv (1x1)"


def ort_profile(manifest, level, runs):
    out = os.path.join(os.path.dirname(manifest), "profile")
    p = subprocess.run(["node", os.path.join(HERE, "ort_bench.js"), "profile", manifest, out,
                        "--levels", level, "--runs", str(runs)],
                       stdout=subprocess.PIPE, text=True, check=True)
    rec = json.loads(p.stdout.strip().splitlines()[-1])
    with open(rec["profile"]) as f:
        ev = json.load(f)
    n_runs = sum(1 for e in ev if e.get("cat") == "Session" and e.get("name") == "model_run")
    nodes = [e for e in ev if e.get("cat") == "Node" and e["name"].endswith("_kernel_time")]
    # A block has SE when it has a GlobalAveragePool node inside its body.
    se_blocks = {int(m.group(1)) for e in nodes
                 for m in [BODY.match(e["name"])] if m and "GlobalAveragePool" in e["name"]}
    kinds = collections.Counter()
    for e in nodes:
        name = e["name"][:-len("_kernel_time")]
        kinds[ort_kind(name, e["args"].get("op_name", ""), se_blocks)] += e["dur"]
    # Node times are wall clock (preemption included): keep their shares and
    # scale them to the CPU time the runs took.
    total = sum(kinds.values()) or 1
    return {k: v / total * rec["cpu_ms_per_run"] for k, v in kinds.items()}, \
        sum(kinds.values()) / 1000.0 / max(n_runs, 1)


def ours_kind(dso, sym):
    if "openblas" in dso:
        if sym.startswith("sgemm_") or sym.startswith("sgemm"):
            return "pointwise conv (1x1) + stem: OpenBLAS sgemm"
        if sym.startswith("0x") or "gemv" in sym:
            return "SE FCs + head: OpenBLAS sgemv"
        return "OpenBLAS other"
    if (sym.startswith("plane_k") or sym.startswith("small_") or sym.startswith("dg_dw")
            or sym == "dw_kernel" or sym.startswith("__memmove")):
        return "depthwise conv (+ fused IB BN/act)"
    if "memset" in sym:
        return "memset (OpenBLAS beta=0 zeroing of C, buffers)"
    if (sym.startswith("dg_epilogue") or sym.startswith("dg_scale_") or sym.startswith("dg_act")):
        return "elementwise (BN, act, residual, SE scale or fold)"
    if sym.startswith("dg_im2col"):
        return "stem im2col"
    if dso.startswith("[kernel"):
        return "kernel (page faults, scheduling)"
    if "libz" in dso or sym.startswith("dg_model") or sym.startswith("dg_plan") or "json" in dso:
        return STARTUP
    return "other (%s)" % sym


def ours_profile(engine, manifest, level, runs):
    if not shutil.which("perf"):
        return None, "perf is not installed (apt-get install linux-perf)"
    d = os.path.dirname(manifest)
    with open(manifest) as f:
        model = json.load(f)["model"]
    data = os.path.join(d, "profile", "%s-ours.perf" % level)
    os.makedirs(os.path.dirname(data), exist_ok=True)
    rec = subprocess.run(["perf", "record", "-F", "4000", "-o", data, "--", engine, "latency",
                          model, d, os.path.join(d, "profile"), "--threads", "1",
                          "--warmup", "5", "--runs", str(runs), "--levels", level],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         # no idle OpenBLAS workers spinning beside the one engine thread
                         env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    if rec.returncode != 0:
        return None, "perf record failed: " + rec.stderr.strip()[-300:]
    lat = json.loads(rec.stdout.strip().splitlines()[-1])
    rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                          "--sort", "dso,symbol", "-g", "none"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    kinds = collections.Counter()
    for line in rep.stdout.splitlines():
        m = re.match(r"\s+([\d.]+)%\s+(\S+)\s+\[.\]\s+(\S+)", line)
        if m:
            kinds[ours_kind(m.group(2), m.group(3))] += float(m.group(1))
    # perf samples CPU time: shares of the samples outside start-up, scaled to
    # the mean CPU time of one inference.
    kinds.pop(STARTUP, None)
    total = sum(kinds.values()) or 1
    mean = sum(lat["cpu_samples_ms"]) / len(lat["cpu_samples_ms"])
    return {k: v / total * mean for k, v in kinds.items()}, None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--manifest", default=os.path.join(TOP, "build", "bench", "nets6",
                                                       "manifest.json"))
    ap.add_argument("--level", default="L1")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--engine", default=os.path.join(TOP, "build", "bin", "dnngov-bench"))
    a = ap.parse_args(argv)
    if not os.path.exists(a.manifest):
        print("profile: %s is missing: run `make bench` first" % a.manifest, file=sys.stderr)
        return 1
    if not os.access(a.engine, os.X_OK):
        print("profile: %s is missing: run `make bench` first" % a.engine, file=sys.stderr)
        return 1
    blas = subprocess.run([a.engine, "blas"], stdout=subprocess.PIPE, text=True, check=True)
    os.environ["OPENBLAS_CORETYPE"] = json.loads(blas.stdout)["openblas_core"]
    ort, ort_wall = ort_profile(a.manifest, a.level, a.runs)
    ours, why = ours_profile(a.engine, a.manifest, a.level, a.runs)
    print("### %s, 1 thread: CPU ms per inference by layer kind" % a.level)
    print()
    print("ONNX Runtime (shares of its node profile, %.2f ms wall per run, scaled to %.2f ms "
          "CPU per run):" % (ort_wall, sum(ort.values())))
    print()
    print("| kind | ms |")
    print("|---|---|")
    for k, v in sorted(ort.items(), key=lambda kv: -kv[1]):
        print("| %s | %.3f |" % (k, v))
    print()
    if ours is None:
        print("dnngov: not profiled: %s" % why)
        return 0
    print("dnngov (shares of perf samples outside start-up, scaled to %.2f ms CPU per run):"
          % sum(ours.values()))
    print()
    print("| kind | ms |")
    print("|---|---|")
    for k, v in sorted(ours.items(), key=lambda kv: -kv[1]):
        if v >= 0.005:
            print("| %s | %.3f |" % (k, v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
