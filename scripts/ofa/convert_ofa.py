#!/usr/bin/python3
"""Convert a published OFA MobileNetV3 supernet checkpoint to a dnngov model file.

Handles ofa_mbv3_d234_e346_k357_w1.0 and _w1.2 (width inferred from the
shapes): both torch serialisations (legacy non-zip and zip), a
{'state_dict': ...} wrapper, a DataParallel 'module.' prefix, old
(`.mobile_inverted_conv.`) and new (`.conv.`) block names, the `.bn.bn.` /
`.conv.conv.` / `.linear.linear.` aliases OFA's own load_state_dict accepts,
and `num_batches_tracked`. Every tensor's shape is checked against the arch.

    convert_ofa.py ofa_mbv3_d234_e346_k357_w1.2 out.dnngov --library nets_6
"""

import argparse
import os
import re
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dnngov_model as dm  # noqa: E402

IMAGENET_NORM = {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}
WIDTHS = {16: 1.0, 24: 1.2}  # stem channels -> width multiplier
DEFAULT_DATA = os.path.join(HERE, "..", "..", "..", "shared", "data")


class ConvertError(Exception):
    """The checkpoint can't be converted; the message says which key and why."""


def load_checkpoint(path):
    """Return {name: numpy float32 array} from a legacy or zip torch file."""
    import torch
    if not os.path.isfile(path):
        raise ConvertError("%s: no such file" % path)
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:  # a torch without weights_only
        obj = torch.load(path, map_location="cpu")
    except Exception as e:  # noqa: BLE001 - torch raises many types here
        raise ConvertError("%s: not a readable torch checkpoint (%s: %s)"
                           % (path, type(e).__name__, str(e).splitlines()[0][:200]))
    for wrapper in ("state_dict", "model_state_dict", "model"):
        if isinstance(obj, dict) and isinstance(obj.get(wrapper), dict):
            obj = obj[wrapper]
            break
    if not isinstance(obj, dict) or not obj:
        raise ConvertError("%s: expected a state_dict (or {'state_dict': ...}), got %s"
                           % (path, type(obj).__name__))
    out = {}
    for k, v in obj.items():
        if not isinstance(k, str) or not hasattr(v, "detach"):
            raise ConvertError("%s: entry %r is not a named tensor" % (path, k))
        out[k] = v.detach().cpu().float().numpy()
    return out


def _candidates(key):
    """Names OFA's load_state_dict would try for a checkpoint key, best first."""
    k = key[len("module."):] if key.startswith("module.") else key
    k = re.sub(r"^(blocks\.\d+)\.conv\.", r"\1.mobile_inverted_conv.", k)
    cands = [k]
    for a, b in ((".bn.bn.", ".bn."), (".conv.conv.weight", ".conv.weight"),
                 (".linear.linear.", ".linear."), (".linear.", ".linear.linear."),
                 ("bn.", "bn.bn."), ("conv.weight", "conv.conv.weight")):
        if a in k:
            cands.append(k.replace(a, b, 1))
    return cands


def remap(raw):
    """Map checkpoint keys onto the legacy layout; infer and return (arch, tensors)."""
    stem = None
    for key in raw:
        if "first_conv" in key and key.endswith("conv.weight"):
            stem = raw[key]
    if stem is None or stem.ndim != 4:
        raise ConvertError("no first_conv.conv.weight [C, 3, 3, 3] in the checkpoint: "
                           "not an OFA MobileNetV3 supernet")
    if stem.shape[0] not in WIDTHS:
        raise ConvertError("first_conv.conv.weight has %d output channels; expected 16 (w1.0) "
                           "or 24 (w1.2)" % stem.shape[0])
    cls = [v for k, v in raw.items() if "classifier" in k and k.endswith("weight")]
    n_classes = cls[0].shape[0] if cls and cls[0].ndim == 2 else 1000
    arch = dm.ofa_mbv3_arch(WIDTHS[stem.shape[0]], n_classes)
    expected = dict(dm.expected_tensors(arch))
    tensors = {}
    source = {}
    for key, val in raw.items():
        if key.endswith("num_batches_tracked"):
            continue
        name = next((c for c in _candidates(key) if c in expected), None)
        if name is None:
            raise ConvertError("checkpoint key %r is not part of an OFA MobileNetV3 w%s "
                               "supernet (no legacy-layout name matches)"
                               % (key, WIDTHS[stem.shape[0]]))
        if name in tensors:
            raise ConvertError("checkpoint keys %r and %r both map to %s"
                               % (source[name], key, name))
        if tuple(val.shape) != tuple(expected[name]):
            raise ConvertError("checkpoint key %r (%s) has shape %s, the w%s arch needs %s"
                               % (key, name, tuple(val.shape), WIDTHS[stem.shape[0]],
                                  tuple(expected[name])))
        if not np.all(np.isfinite(val)):
            raise ConvertError("checkpoint key %r holds NaN or Inf" % key)
        tensors[name] = val.astype(np.float32)
        source[name] = key
    missing = [n for n in expected if n not in tensors]
    if missing:
        raise ConvertError("%d tensor(s) missing from the checkpoint, first: %s"
                           % (len(missing), ", ".join(missing[:3])))
    return arch, tensors


def library_levels(arch, library, data_dir, accuracy):
    if library in ("nets_6", "nets_7"):
        if arch["stem"]["out"] != 24:
            raise ConvertError("--library %s is a w1.2 library; this checkpoint is w1.0" % library)
        path = os.path.join(data_dir, "dynamic-ofa", "subnets.json")
        if not os.path.isfile(path):
            raise ConvertError("--library %s needs %s (pass --data-dir)" % (library, path))
        return dm.dynamic_ofa_levels(library, data_dir)
    if library == "max":
        nb = sum(s["n_blocks"] for s in arch["stages"])
        return [{"name": "max", "ks": [max(arch["ks_list"])] * nb,
                 "e": [max(arch["expand_list"])] * nb,
                 "d": [max(arch["depth_list"])] * len(arch["stages"]),
                 "r": max(arch["resolutions"]), "accuracy": accuracy,
                 "latency_ms": None, "bn": None}]
    raise ConvertError("--library must be nets_6, nets_7 or max, got %r" % library)


def convert(src, dst, library="max", data_dir=DEFAULT_DATA, classes=None, accuracy=0.0):
    arch, tensors = remap(load_checkpoint(src))
    levels = library_levels(arch, library, data_dir, accuracy)
    if classes is None:
        classes = ["imagenet-%d" % i for i in range(arch["n_classes"])]
    dm.write_model(dst, arch, tensors, levels, classes, IMAGENET_NORM)
    return arch, levels


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoint", help="OFA supernet file (torch legacy or zip format)")
    ap.add_argument("out", help="model file to write (.dnngov)")
    ap.add_argument("--library", default="max",
                    help="levels: nets_6 | nets_7 (Dynamic-OFA, w1.2 only) | max "
                         "(one level, the largest subnet; default)")
    ap.add_argument("--data-dir", default=DEFAULT_DATA,
                    help="shared data directory holding dynamic-ofa/subnets.json")
    ap.add_argument("--classes", help="text file with one class name per line")
    ap.add_argument("--accuracy", type=float, default=0.0,
                    help="top-1 %% recorded for the 'max' level (0 = not measured)")
    a = ap.parse_args(argv)
    try:
        classes = None
        if a.classes:
            with open(a.classes) as f:
                classes = [line.strip() for line in f if line.strip()]
        arch, levels = convert(a.checkpoint, a.out, a.library, a.data_dir, classes, a.accuracy)
    except (ConvertError, dm.ModelFormatError, OSError) as e:
        print("convert_ofa: %s" % e, file=sys.stderr)
        return 1
    print("convert_ofa: wrote %s (w%s, %d levels)"
          % (a.out, WIDTHS[arch["stem"]["out"]], len(levels)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
