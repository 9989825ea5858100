#!/usr/bin/env python3
"""Prepare one model's levels for the benchmark: ONNX files, inputs, references.

    /usr/bin/python3 scripts/bench/prepare.py MODEL.dnngov OUTDIR [--levels L1,L3] [--seed S]

For every level of MODEL it freezes the subnet into static PyTorch modules
(static_subnet.py), exports them to OUTDIR/<name>.onnx (opset 14, batch 1,
the level's own resolution), writes a fixed normalised input
OUTDIR/<name>.in.f32 (raw float32 NCHW) and the PyTorch output for it
OUTDIR/<name>.ref.f32, and lists all of it in OUTDIR/manifest.json together
with each level's weight bytes and MACs. The three engines then run exactly
these subnets, weights and inputs.
"""

import argparse
import json
import os
import sys
import warnings

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import static_subnet  # noqa: E402

OPSET = 14  # HardSwish is a single ONNX op from opset 14 on


def export_onnx(module, shape, path):
    x = torch.zeros(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, x, path, opset_version=OPSET, input_names=["x"],
                          output_names=["logits"], do_constant_folding=True)


def prepare(model_path, outdir, only=None, seed=0):
    net, model = static_subnet.load_supernet(model_path)
    cin = model["arch"]["in_channels"]
    os.makedirs(outdir, exist_ok=True)
    names = [lv["name"] for lv in model["levels"]]
    if only:
        unknown = [n for n in only if n not in names]
        if unknown:
            raise ValueError("level %s is not in %s (levels: %s)"
                             % (unknown[0], model_path, ", ".join(names)))
    rng = np.random.default_rng(seed)
    entries = []
    for idx, lv in enumerate(model["levels"]):
        if only and lv["name"] not in only:
            continue
        r = lv["r"]
        shape = [1, cin, r, r]
        st = static_subnet.build(net, lv)
        x = rng.standard_normal(shape).astype(np.float32)
        with torch.no_grad():
            y = st(torch.from_numpy(x)).numpy().astype(np.float32)
        base = lv["name"]
        export_onnx(st, shape, os.path.join(outdir, base + ".onnx"))
        x.tofile(os.path.join(outdir, base + ".in.f32"))
        y.tofile(os.path.join(outdir, base + ".ref.f32"))
        net.set_active_subnet(lv["ks"], lv["e"], lv["d"])
        entries.append({
            "index": idx, "name": base, "r": r, "d": lv["d"],
            "accuracy": lv["accuracy"],
            "onnx": base + ".onnx", "input": base + ".in.f32", "ref": base + ".ref.f32",
            "input_shape": shape, "output_size": int(y.size),
            "weight_bytes": static_subnet.weight_bytes(st),
            "macs": int(static_subnet.ofa_mbv3.count_macs(net, r)),
        })
    manifest = {"model": os.path.abspath(model_path),
                "model_bytes": os.path.getsize(model_path),
                "levels": entries}
    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return manifest


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("outdir")
    ap.add_argument("--levels", default=None, help="comma-separated level names (default: all)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    try:
        m = prepare(a.model, a.outdir, a.levels.split(",") if a.levels else None, a.seed)
    except (ValueError, OSError) as e:
        print("prepare: %s" % e, file=sys.stderr)
        return 1
    print("prepare: %d level(s) of %s in %s" % (len(m["levels"]), a.model, a.outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
