#!/usr/bin/python3
"""Export one level (or a subnet config) of a dnngov model file to ONNX.

The graph is a *static* subnet (scripts/bench/static_subnet.py): plain convs
holding the sliced weights and the transformed elastic kernels, BN in eval
mode (folded by the exporter), the level's own BN statistics when the file
has them. Opset 13, input `x` [1, C, r, r], output `logits` [1, n_classes].

    export_onnx.py models/fmnist-ofa.dnngov --level 6 out.onnx
    export_onnx.py model.dnngov --config cfg.json out.onnx   # {"ks","e","d","r"}
"""

import argparse
import json
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "bench"))

import dnngov_model as dm  # noqa: E402


class ExportError(Exception):
    pass


def pick_level(model, level=None, config=None):
    """The level dict for a 1-based level number, or a config {ks, e, d, r}."""
    if (level is None) == (config is None):
        raise ExportError("give exactly one of --level N or --config cfg.json")
    if level is not None:
        n = len(model["levels"])
        if not 1 <= level <= n:
            raise ExportError("--level %d: the model has levels 1..%d" % (level, n))
        return model["levels"][level - 1]
    try:
        cfg = dm.validate_config(model["arch"], config, "config")
    except dm.ModelFormatError as e:
        raise ExportError(str(e))
    return dict(cfg, name="config", bn=None)


def export(model_path, out_path, level=None, config=None, batch=1):
    import torch
    import static_subnet
    net, model = static_subnet.load_supernet(model_path)
    lv = pick_level(model, level, config)
    static = static_subnet.build(net, lv).eval()
    r = lv["r"]
    x = torch.zeros(batch, model["arch"]["in_channels"], r, r)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(static, x, out_path, opset_version=13, input_names=["x"],
                          output_names=["logits"], do_constant_folding=True)
    return static, lv


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help=".dnngov model file")
    ap.add_argument("out", help="ONNX file to write")
    ap.add_argument("--level", type=int, help="1-based level number (1 = smallest)")
    ap.add_argument("--config", help="JSON file {\"ks\":[..],\"e\":[..],\"d\":[..],\"r\":N}")
    a = ap.parse_args(argv)
    try:
        config = None
        if a.config:
            with open(a.config) as f:
                try:
                    config = json.load(f)
                except ValueError as e:
                    raise ExportError("%s: not valid JSON (%s)" % (a.config, e))
        _, lv = export(a.model, a.out, a.level, config)
    except (ExportError, dm.ModelFormatError, OSError) as e:
        print("export_onnx: %s" % e, file=sys.stderr)
        return 1
    print("export_onnx: wrote %s (%s, r=%d)" % (a.out, lv["name"], lv["r"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
