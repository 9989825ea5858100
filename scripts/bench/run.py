#!/usr/bin/env python3
"""`make bench`: this engine against ONNX Runtime and PyTorch eager, side by side.

    /usr/bin/python3 scripts/bench/run.py [--out build/bench] [--engine build/bin/dnngov-bench]
        [--rounds R] [--runs N] [--torch-runs M] [--warmup W] [--budget-s S] [--threads 1,2]
        [--model TAG=PATH ...] [--smoke]

Models: the Dynamic-OFA nets_6 library on a random-weight w1.2 supernet
(written from ../shared/data; skipped when that is absent) and the bundled
models/fmnist-ofa.dnngov (while it is absent: its architecture with random
weights and levels, tag fmnist-arch), or any --model TAG=PATH.
For every model: prepare.py exports each level as a static ONNX graph and a
fixed input; then, in R rounds, each engine (order rotated per round) runs
every level with 1 and 2 threads (N runs each, M for PyTorch eager, after W
warm-ups; a level stops early, after at least 5 runs, once it has used S
seconds, so that a loaded machine cannot stretch the run without bound). Samples of all rounds are pooled: min and median per level.
Then: the outputs of the three engines on the same input are compared (max
|a - b| / max |reference|, tolerance 1e-3), the level-switch cost and the
resident memory of one engine against one ONNX Runtime session per level.
Writes build/bench/results.{md,csv,json} and prints the Markdown table.
Figures are printed, not asserted; the exit status is non-zero only when a
run failed or the outputs disagree.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
PY = "/usr/bin/python3"
TOL = 1e-3

sys.path.insert(0, HERE)
import report  # noqa: E402


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def run_json(cmd, threads=None):
    """Run cmd, return its stdout's JSON lines; raise with its stderr on failure.

    threads: also cap the thread pools a library starts on its own when it
    loads (OpenBLAS, OpenMP). torch.set_num_threads(1) does not reach
    OpenBLAS's pool: PyTorch's convolutions then ran their GEMMs on 2
    threads (process CPU time twice the wall time)."""
    env = None
    if threads:
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if p.returncode != 0:
        raise RuntimeError("%s failed (exit %d):\n%s" % (" ".join(cmd), p.returncode,
                                                         p.stderr.strip()[-2000:]))
    return [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]


def ort_ready():
    return os.path.isdir(os.path.join(HERE, "node_modules", "onnxruntime-node"))


def install_ort():
    log("installing onnxruntime-node into scripts/bench/node_modules (npm, no install scripts)")
    env = dict(os.environ, ONNXRUNTIME_NODE_INSTALL="skip")
    subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"],
                   cwd=HERE, env=env, check=True)


def stale(path, *writers):
    """Is the generated model `path` missing or older than a script in scripts/ofa that writes it?"""
    if not os.path.exists(path):
        return True
    t = os.path.getmtime(path)
    return any(os.path.getmtime(os.path.join(TOP, "scripts", "ofa", w)) > t for w in writers)


def nets6_model(outdir):
    data = os.path.join(TOP, "..", "shared", "data", "dynamic-ofa", "subnets.json")
    if not os.path.exists(data):
        log("../shared/data is absent: skipping the Dynamic-OFA nets_6 model")
        return None
    path = os.path.join(outdir, "w12-nets6.dnngov")
    if stale(path, "dnngov_model.py"):
        subprocess.run([PY, os.path.join(TOP, "scripts", "ofa", "dnngov_model.py"), "random",
                        path, "--arch", "w1.2", "--library", "nets_6"], check=True,
                       stdout=subprocess.DEVNULL)
    return path


def fmnist_arch_model(outdir):
    """The bundled model's architecture with random weights and 8 random levels.

    Stands in for models/fmnist-ofa.dnngov until it exists: latency does not
    depend on the weights, but the levels are not the trained model's."""
    path = os.path.join(outdir, "fmnist-arch.dnngov")
    if not stale(path, "dnngov_model.py", "fmnist_data.py"):
        return path
    sys.path.insert(0, os.path.join(TOP, "scripts", "ofa"))
    import numpy as np
    import dnngov_model as dm
    from fmnist_data import FMNIST_ARCH
    rng = np.random.default_rng(7)
    res = sorted(FMNIST_ARCH["resolutions"])
    levels = [{"name": "L%d" % (k + 1), "accuracy": 80.0 + k, "latency_ms": None, "bn": None,
               **dm.random_config(FMNIST_ARCH, rng, r=res[k * len(res) // 8])}
              for k in range(8)]
    dm.write_model(path, FMNIST_ARCH, dm.random_tensors(FMNIST_ARCH, 7), levels,
                   ["class%d" % i for i in range(FMNIST_ARCH["n_classes"])],
                   {"mean": [0.2860], "std": [0.3530]})
    return path


def models(a):
    if a.model:
        out = []
        for spec in a.model:
            tag, sep, path = spec.partition("=")
            if not sep or not tag or not os.path.exists(path):
                raise SystemExit("bench: --model wants TAG=PATH of an existing file, got %r" % spec)
            out.append((tag, path))
        return out
    out = []
    p = nets6_model(a.out)
    if p:
        out.append(("nets6", p))
    bundled = os.path.join(TOP, "models", "fmnist-ofa.dnngov")
    if os.path.exists(bundled):
        out.append(("fmnist", bundled))
    else:
        log("models/fmnist-ofa.dnngov is absent: timing its architecture with random "
            "weights and levels instead (tag fmnist-arch)")
        out.append(("fmnist-arch", fmnist_arch_model(a.out)))
    if not out:
        raise SystemExit("bench: no model to run (need ../shared/data or models/fmnist-ofa.dnngov)")
    return out


def time_engines(a, tag, model, d, levels_arg):
    """Pooled samples {(engine, threads, level): {"wall": [ms], "cpu": [ms]}}, by rounds."""
    samples = {}
    outdir = os.path.join(d, "out")
    os.makedirs(outdir, exist_ok=True)
    man = os.path.join(d, "manifest.json")
    sel = ["--levels", levels_arg] if levels_arg else []
    engines = list(a.engines)
    for rnd in range(a.rounds):
        k = rnd % len(engines)
        order = engines[k:] + engines[:k]
        for t in a.threads:
            for eng in order:
                w = str(a.warmup)
                budget = ["--budget-ms", str(int(a.budget_s * 1000))]
                if eng == "ours":
                    cmd = [a.engine, "latency", model, d, outdir, "--threads", str(t),
                           "--warmup", w, "--runs", str(a.runs)] + budget + sel
                elif eng == "ort":
                    cmd = ["node", os.path.join(HERE, "ort_bench.js"), "latency", man, outdir,
                           "--threads", str(t), "--warmup", w, "--runs", str(a.runs)] + budget + sel
                else:
                    cmd = [PY, os.path.join(HERE, "torch_bench.py"), man,
                           outdir, "--threads", str(t), "--warmup", w,
                           "--runs", str(a.torch_runs)] + budget + sel
                t0 = time.time()
                for rec in run_json(cmd, t):
                    pool = samples.setdefault((eng, t, rec["level"]), {"wall": [], "cpu": []})
                    pool["wall"].extend(rec["samples_ms"])
                    pool["cpu"].extend(rec["cpu_samples_ms"])
                log("%s round %d/%d %s %d thread(s): %.1f s"
                    % (tag, rnd + 1, a.rounds, eng, t, time.time() - t0))
    return samples


def parity(d, manifest, engines):
    """Max relative difference of each engine's output to the PyTorch reference."""
    import numpy as np
    rows = []
    for ent in manifest["levels"]:
        ref = np.fromfile(os.path.join(d, ent["ref"]), np.float32)
        scale = max(float(np.abs(ref).max()), 1e-12)
        row = {"level": ent["name"]}
        for eng in engines:
            p = os.path.join(d, "out", "%s.%s.f32" % (ent["name"], eng))
            if not os.path.exists(p):
                row[eng] = None
                continue
            y = np.fromfile(p, np.float32)
            row[eng] = (float(np.abs(y - ref).max()) / scale if y.size == ref.size
                        else float("inf"))
        rows.append(row)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(TOP, "build", "bench"))
    ap.add_argument("--engine", default=os.path.join(TOP, "build", "bin", "dnngov-bench"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=60, help="timed runs per round, ours and ORT")
    ap.add_argument("--torch-runs", type=int, default=20, help="timed runs per round, PyTorch")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--budget-s", type=float, default=2.5,
                    help="time limit per engine, level, thread count and round (0: none)")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--model", action="append", help="TAG=PATH (repeatable)")
    ap.add_argument("--levels", default=None, help="only these level names (comma-separated)")
    ap.add_argument("--no-engine", action="store_true",
                    help="peers only (no dnngov-bench): to check the harness or the peers")
    ap.add_argument("--no-install", action="store_true",
                    help="do not npm-install onnxruntime-node; skip ONNX Runtime if absent")
    ap.add_argument("--record", metavar="SUITE",
                    help="write the agreement counts with scripts/record-result.sh SUITE")
    ap.add_argument("--quiet", action="store_true", help="do not print the Markdown table")
    ap.add_argument("--smoke", action="store_true",
                    help="one round, few runs, 1 thread, no switch/memory figures")
    a = ap.parse_args(argv)
    a.threads = [int(x) for x in a.threads.split(",")]
    if a.smoke:
        a.rounds, a.runs, a.torch_runs, a.warmup, a.threads = 1, 3, 2, 1, [1]
    if min([a.rounds, a.runs, a.torch_runs] + a.threads) < 1 or a.warmup < 0:
        ap.error("--rounds, --runs, --torch-runs and --threads must be >= 1")
    if not a.no_engine and not os.access(a.engine, os.X_OK):
        raise SystemExit("bench: %s is missing: build it with `make bench` (or make userspace)"
                         % a.engine)
    os.makedirs(a.out, exist_ok=True)
    blas = "as the environment says"
    if not a.no_engine:
        # PyTorch's 1x1 convolutions use the same OpenBLAS: give it the
        # kernels the engine picks (dnngov_blas_check_coretype), not SSE3.
        blas = run_json([a.engine, "blas"])[0]["openblas_core"]
        os.environ["OPENBLAS_CORETYPE"] = blas
    a.engines = [] if a.no_engine else ["ours"]
    if not ort_ready() and not a.no_install:
        install_ort()
    if ort_ready():
        a.engines.append("ort")
    else:
        log("onnxruntime-node is not installed: ONNX Runtime skipped (make bench installs it)")
    a.engines.append("torch")

    results = {"machine": report.machine(), "models": [], "rounds": a.rounds,
               "runs": a.runs, "torch_runs": a.torch_runs, "warmup": a.warmup,
               "budget_s": a.budget_s,
               "threads": a.threads, "openblas_core": blas}
    passed = failed = 0
    for tag, model in models(a):
        d = os.path.join(a.out, tag)
        log("%s: preparing levels of %s" % (tag, model))
        prep = [PY, os.path.join(HERE, "prepare.py"), model, d]
        subprocess.run(prep + (["--levels", a.levels] if a.levels else []), check=True,
                       stdout=subprocess.DEVNULL)
        with open(os.path.join(d, "manifest.json")) as f:
            manifest = json.load(f)
        samples = time_engines(a, tag, model, d, a.levels)
        par = parity(d, manifest, a.engines)
        for row in par:
            for eng in a.engines:
                if row[eng] is None or not row[eng] <= TOL:
                    log("%s %s: %s output differs from the reference by %s (tolerance %g)"
                        % (tag, row["level"], eng, row[eng], TOL))
                    failed += 1
                else:
                    passed += 1
        m = {"tag": tag, "model": model, "manifest": manifest, "parity": par,
             "latency": report.summarise(samples)}
        if not a.smoke and not a.no_engine:
            log("%s: level-switch cost and resident memory" % tag)
            m["switch"] = run_json([a.engine, "switch", model])[0]
            m["memory_ours"] = run_json([a.engine, "memory", model])[0]
            m["memory_ort"] = run_json(["node", os.path.join(HERE, "ort_bench.js"), "memory",
                                        os.path.join(d, "manifest.json")])[0]
        results["models"].append(m)

    md, csv = report.render(results)
    for name, text in (("results.md", md), ("results.csv", csv)):
        with open(os.path.join(a.out, name), "w") as f:
            f.write(text)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    if not a.quiet:
        print(md)
    log("wrote %s/results.{md,csv,json}" % a.out)
    skipped = 0 if "ort" in a.engines else sum(len(m["parity"]) for m in results["models"])
    if a.record:
        subprocess.run(["sh", os.path.join(TOP, "scripts", "record-result.sh"), a.record,
                        str(passed), str(failed), str(skipped)], check=True)
    print("%d passed, %d failed (output agreement, engine x level)" % (passed, failed))
    if failed:
        log("FAILED: the engines' outputs disagree (see the parity table)")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, subprocess.CalledProcessError, OSError) as e:
        log("FAILED: %s" % e)
        sys.exit(1)
