#!/usr/bin/python3
"""Writer, reader and validator of dnngov model files (.dnngov).

The format is specified in Documentation/model-format.md; the C parser is
agent/lib/model.c. Both sides validate the same things, so a file this module
writes is one the engine accepts.

Python API (the contract with the training/conversion tools):

    from dnngov_model import write_model, read_model
    write_model(path, arch, tensors, levels, classes, normalization)
    model = read_model(path)  # dict: arch, tensors, levels, classes, normalization

Command line:

    dnngov_model.py random OUT [--arch w1.2|w1.0|tiny|micro] [--library nets_6|nets_7|random:N]
                               [--level-bn] [--seed S]
    dnngov_model.py info FILE
"""

import argparse
import json
import math
import os
import struct
import sys
import zlib

import numpy as np

MAGIC = b"DNNGOVMF"
VERSION = 1
HEADER_SIZE = 64
ALIGN = 64
# magic, version, header_size, file_size, meta_offset, meta_size,
# data_offset, data_size, crc32, flags
HEADER_FMT = "<8sIIQQQQQII"
CRC_OFFSET = 56
ACTS = ("relu", "h_swish", "none")
MAX_META = 64 << 20

BN_SUFFIXES = ("weight", "bias", "running_mean", "running_var")


class ModelFormatError(ValueError):
    """A model file or the data for one is invalid; the message says what to fix."""


def _fail(msg):
    raise ModelFormatError(msg)


def make_divisible(v, divisor=8, min_val=None):
    """OFA's make_divisible (ofa/utils/common_tools.py)."""
    if min_val is None:
        min_val = divisor
    new_v = max(min_val, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def _align(n):
    return (n + ALIGN - 1) // ALIGN * ALIGN


# ---------------------------------------------------------------- arch ----

def _int(d, key, where, lo=1, hi=1 << 20):
    v = d.get(key) if isinstance(d, dict) else None
    if isinstance(v, bool) or not isinstance(v, int):
        _fail(f"{where}.{key}: expected an integer, got {v!r}")
    if not lo <= v <= hi:
        _fail(f"{where}.{key}: {v} is out of range [{lo}, {hi}]")
    return v


def _act(d, key, where):
    v = d.get(key)
    if v not in ACTS:
        _fail(f"{where}.{key}: expected one of {list(ACTS)}, got {v!r}")
    return v


def _bool(d, key, where):
    v = d.get(key)
    if not isinstance(v, bool):
        _fail(f"{where}.{key}: expected true or false, got {v!r}")
    return v


def _int_list(d, key, where, lo=1, hi=4096):
    v = d.get(key)
    if not isinstance(v, list) or not v:
        _fail(f"{where}.{key}: expected a non-empty list of integers, got {v!r}")
    for x in v:
        if isinstance(x, bool) or not isinstance(x, int) or not lo <= x <= hi:
            _fail(f"{where}.{key}: {x!r} is not an integer in [{lo}, {hi}]")
    if len(set(v)) != len(v):
        _fail(f"{where}.{key}: duplicate entries in {v}")
    return v


def validate_arch(arch):
    """Check an arch dict; raise ModelFormatError naming the bad field."""
    if not isinstance(arch, dict):
        _fail("arch: expected a dict")
    if arch.get("family") != "ofa_mbv3":
        _fail(f"arch.family: expected 'ofa_mbv3', got {arch.get('family')!r}")
    _int(arch, "in_channels", "arch", 1, 16)
    stem = arch.get("stem")
    if not isinstance(stem, dict):
        _fail("arch.stem: expected a dict with out, kernel, stride, act")
    _int(stem, "out", "arch.stem", 1, 4096)
    k = _int(stem, "kernel", "arch.stem", 1, 11)
    if k % 2 == 0:
        _fail(f"arch.stem.kernel: must be odd, got {k}")
    _int(stem, "stride", "arch.stem", 1, 2)
    _act(stem, "act", "arch.stem")
    fb = arch.get("first_block")
    if not isinstance(fb, dict):
        _fail("arch.first_block: expected a dict with out, kernel, stride, act, se")
    _int(fb, "out", "arch.first_block", 1, 4096)
    k = _int(fb, "kernel", "arch.first_block", 1, 11)
    if k % 2 == 0:
        _fail(f"arch.first_block.kernel: must be odd, got {k}")
    _int(fb, "stride", "arch.first_block", 1, 2)
    _act(fb, "act", "arch.first_block")
    _bool(fb, "se", "arch.first_block")
    stages = arch.get("stages")
    if not isinstance(stages, list) or not 1 <= len(stages) <= 16:
        _fail("arch.stages: expected a list of 1..16 stage dicts")
    depth_list = _int_list(arch, "depth_list", "arch", 1, 64)
    for i, s in enumerate(stages):
        w = f"arch.stages[{i}]"
        if not isinstance(s, dict):
            _fail(f"{w}: expected a dict with width, n_blocks, stride, act, se")
        _int(s, "width", w, 1, 4096)
        nb = _int(s, "n_blocks", w, 1, 64)
        _int(s, "stride", w, 1, 2)
        _act(s, "act", w)
        _bool(s, "se", w)
        if nb < max(depth_list):
            _fail(f"{w}.n_blocks: {nb} is smaller than max(depth_list) = {max(depth_list)}")
    _int(arch, "final_expand", "arch", 1, 16384)
    _int(arch, "feature_mix", "arch", 1, 16384)
    _int(arch, "n_classes", "arch", 1, 100000)
    ks = _int_list(arch, "ks_list", "arch", 1, 11)
    for k in ks:
        if k % 2 == 0:
            _fail(f"arch.ks_list: kernel sizes must be odd, got {k}")
    _int_list(arch, "expand_list", "arch", 1, 16)
    _int_list(arch, "resolutions", "arch", 8, 1024)
    eps = arch.get("bn_eps")
    if not isinstance(eps, (int, float)) or isinstance(eps, bool) or not 0 < eps < 1:
        _fail(f"arch.bn_eps: expected a number in (0, 1), got {eps!r}")
    _int(arch, "channel_divisible", "arch", 1, 64)
    for key in ("final_expand_act", "feature_mix_act"):
        if key in arch:
            _act(arch, key, "arch")
    known = {"family", "in_channels", "stem", "first_block", "stages", "final_expand",
             "feature_mix", "n_classes", "ks_list", "expand_list", "depth_list",
             "resolutions", "bn_eps", "channel_divisible", "final_expand_act",
             "feature_mix_act"}
    extra = set(arch) - known
    if extra:
        _fail(f"arch: unknown keys {sorted(extra)} (known: {sorted(known)})")


def stage_blocks(arch):
    """Per stage block (flat index 1..): dict(stage, index_in_stage, in, out, stride, act, se, mid_max, se_max)."""
    div = arch["channel_divisible"]
    emax = max(arch["expand_list"])
    out = []
    c = arch["first_block"]["out"]
    for si, s in enumerate(arch["stages"]):
        for j in range(s["n_blocks"]):
            mid_max = make_divisible(round(c * emax), div)
            out.append({
                "stage": si, "j": j, "in": c, "out": s["width"],
                "stride": s["stride"] if j == 0 else 1,
                "act": s["act"], "se": s["se"], "mid_max": mid_max,
                "se_max": make_divisible(mid_max // 4, div) if s["se"] else 0,
            })
            c = s["width"]
    return out


def _bn(prefix, c):
    return [(f"{prefix}.{s}", (c,)) for s in BN_SUFFIXES]


def kernel_transforms(ks_list):
    """[(name_suffix, size)] of the transform matrices: '7to5_matrix' (25x25), ..."""
    ks = sorted(ks_list, reverse=True)
    return [(f"{a}to{b}_matrix", b * b) for a, b in zip(ks, ks[1:])]


def expected_tensors(arch):
    """Ordered [(name, shape)] of every tensor a model of this arch must hold."""
    validate_arch(arch)
    div = arch["channel_divisible"]
    t = []
    cin = arch["in_channels"]
    st = arch["stem"]
    t.append(("first_conv.conv.weight", (st["out"], cin, st["kernel"], st["kernel"])))
    t += _bn("first_conv.bn", st["out"])
    fb = arch["first_block"]
    c = st["out"]
    b0 = "blocks.0.mobile_inverted_conv"
    t.append((f"{b0}.depth_conv.conv.weight", (c, 1, fb["kernel"], fb["kernel"])))
    t += _bn(f"{b0}.depth_conv.bn", c)
    if fb["se"]:
        se = make_divisible(c // 4, div)
        t += [(f"{b0}.depth_conv.se.fc.reduce.weight", (se, c, 1, 1)),
              (f"{b0}.depth_conv.se.fc.reduce.bias", (se,)),
              (f"{b0}.depth_conv.se.fc.expand.weight", (c, se, 1, 1)),
              (f"{b0}.depth_conv.se.fc.expand.bias", (c,))]
    t.append((f"{b0}.point_linear.conv.weight", (fb["out"], c, 1, 1)))
    t += _bn(f"{b0}.point_linear.bn", fb["out"])
    kmax = max(arch["ks_list"])
    for i, b in enumerate(stage_blocks(arch), start=1):
        p = f"blocks.{i}.mobile_inverted_conv"
        m = b["mid_max"]
        t.append((f"{p}.inverted_bottleneck.conv.conv.weight", (m, b["in"], 1, 1)))
        t += _bn(f"{p}.inverted_bottleneck.bn.bn", m)
        t.append((f"{p}.depth_conv.conv.conv.weight", (m, 1, kmax, kmax)))
        for name, n in kernel_transforms(arch["ks_list"]):
            t.append((f"{p}.depth_conv.conv.{name}", (n, n)))
        t += _bn(f"{p}.depth_conv.bn.bn", m)
        if b["se"]:
            se = b["se_max"]
            t += [(f"{p}.depth_conv.se.fc.reduce.weight", (se, m, 1, 1)),
                  (f"{p}.depth_conv.se.fc.reduce.bias", (se,)),
                  (f"{p}.depth_conv.se.fc.expand.weight", (m, se, 1, 1)),
                  (f"{p}.depth_conv.se.fc.expand.bias", (m,))]
        t.append((f"{p}.point_linear.conv.conv.weight", (b["out"], m, 1, 1)))
        t += _bn(f"{p}.point_linear.bn.bn", b["out"])
    last = arch["stages"][-1]["width"]
    fe, fm = arch["final_expand"], arch["feature_mix"]
    t.append(("final_expand_layer.conv.weight", (fe, last, 1, 1)))
    t += _bn("final_expand_layer.bn", fe)
    t.append(("feature_mix_layer.conv.weight", (fm, fe, 1, 1)))
    t.append(("classifier.linear.weight", (arch["n_classes"], fm)))
    t.append(("classifier.linear.bias", (arch["n_classes"],)))
    return t


# -------------------------------------------------------------- levels ----

def validate_config(arch, cfg, where="config"):
    """Check a subnet config {ks, e, d, r}; return it with r as an int."""
    nblk = sum(s["n_blocks"] for s in arch["stages"])
    for key, allowed, n in (("ks", arch["ks_list"], nblk), ("e", arch["expand_list"], nblk),
                            ("d", arch["depth_list"], len(arch["stages"]))):
        v = cfg.get(key)
        if not isinstance(v, list) or len(v) != n:
            _fail(f"{where}.{key}: expected a list of {n} integers, got {v!r}")
        for x in v:
            if isinstance(x, bool) or not isinstance(x, int) or x not in allowed:
                _fail(f"{where}.{key}: {x!r} is not in the arch's list {allowed}")
    r = cfg.get("r")
    if isinstance(r, list) and len(r) == 1:
        r = r[0]
    if isinstance(r, bool) or not isinstance(r, int) or not 8 <= r <= 1024:
        _fail(f"{where}.r: expected an integer resolution in [8, 1024], got {r!r}")
    return {"ks": list(cfg["ks"]), "e": list(cfg["e"]), "d": list(cfg["d"]), "r": r}


def active_bn_channels(arch, cfg):
    """{bn_prefix: active channel count} for the BN layers a subnet config uses."""
    div = arch["channel_divisible"]
    ch = {"first_conv.bn": arch["stem"]["out"],
          "blocks.0.mobile_inverted_conv.depth_conv.bn": arch["stem"]["out"],
          "blocks.0.mobile_inverted_conv.point_linear.bn": arch["first_block"]["out"],
          "final_expand_layer.bn": arch["final_expand"]}
    for i, b in enumerate(stage_blocks(arch), start=1):
        if b["j"] >= cfg["d"][b["stage"]]:
            continue
        mid = make_divisible(round(b["in"] * cfg["e"][i - 1]), div)
        p = f"blocks.{i}.mobile_inverted_conv"
        ch[f"{p}.inverted_bottleneck.bn.bn"] = mid
        ch[f"{p}.depth_conv.bn.bn"] = mid
        ch[f"{p}.point_linear.bn.bn"] = b["out"]
    return ch


def _level_bn_name(i, prefix, stat):
    return f"levels.{i}.{prefix}.{stat}"


def _validate_levels(arch, levels):
    if not isinstance(levels, list) or not 1 <= len(levels) <= 64:
        _fail("levels: expected a list of 1..64 level dicts")
    names = set()
    out = []
    for i, lv in enumerate(levels):
        w = f"levels[{i}]"
        if not isinstance(lv, dict):
            _fail(f"{w}: expected a dict with name, ks, e, d, r, accuracy, latency_ms, bn")
        name = lv.get("name")
        if not isinstance(name, str) or not name or len(name) > 64:
            _fail(f"{w}.name: expected a string of 1..64 characters, got {name!r}")
        if name in names:
            _fail(f"{w}.name: duplicate level name {name!r}")
        names.add(name)
        cfg = validate_config(arch, lv, w)
        acc = lv.get("accuracy")
        if isinstance(acc, bool) or not isinstance(acc, (int, float)) or not 0 <= acc <= 100:
            _fail(f"{w}.accuracy: expected top-1 % in [0, 100], got {acc!r}")
        lat = lv.get("latency_ms")
        if lat is not None and (isinstance(lat, bool) or not isinstance(lat, (int, float))
                                or not math.isfinite(lat) or lat < 0):
            _fail(f"{w}.latency_ms: expected a non-negative number or None, got {lat!r}")
        bn = lv.get("bn")
        bnout = None
        if bn is not None:
            if not isinstance(bn, dict):
                _fail(f"{w}.bn: expected None or {{bn_prefix: (mean, var)}}")
            act = active_bn_channels(arch, cfg)
            bnout = {}
            for prefix, mv in bn.items():
                if prefix not in act:
                    _fail(f"{w}.bn: {prefix!r} is not a BN layer this level uses "
                          f"(inactive block or unknown name; e.g. {next(iter(act))!r})")
                if not isinstance(mv, (tuple, list)) or len(mv) != 2:
                    _fail(f"{w}.bn[{prefix!r}]: expected a (mean, var) pair")
                pair = []
                for stat, a in zip(("mean", "var"), mv):
                    a = np.ascontiguousarray(np.asarray(a, dtype="<f4")).reshape(-1)
                    if a.shape[0] != act[prefix]:
                        _fail(f"{w}.bn[{prefix!r}].{stat}: {a.shape[0]} values, expected "
                              f"{act[prefix]} (the active channel count)")
                    if not np.all(np.isfinite(a)):
                        _fail(f"{w}.bn[{prefix!r}].{stat}: contains NaN or Inf")
                    if stat == "var" and np.any(a < 0):
                        _fail(f"{w}.bn[{prefix!r}].var: negative variance")
                    pair.append(a)
                bnout[prefix] = tuple(pair)
        out.append({"name": name, **cfg, "accuracy": float(acc),
                    "latency_ms": None if lat is None else float(lat), "bn": bnout})
    return out


def _validate_classes_norm(arch, classes, normalization):
    if (not isinstance(classes, list) or len(classes) != arch["n_classes"]
            or not all(isinstance(c, str) and 0 < len(c) <= 256 for c in classes)):
        _fail(f"classes: expected a list of {arch['n_classes']} non-empty strings (<= 256 chars)")
    if not isinstance(normalization, dict):
        _fail("normalization: expected {'mean': [...], 'std': [...]}")
    out = {}
    for key in ("mean", "std"):
        v = normalization.get(key)
        if (not isinstance(v, (list, tuple)) or len(v) != arch["in_channels"]
                or not all(isinstance(x, (int, float)) and not isinstance(x, bool)
                           and math.isfinite(x) for x in v)):
            _fail(f"normalization.{key}: expected {arch['in_channels']} finite numbers, got {v!r}")
        out[key] = [float(x) for x in v]
    if any(s <= 0 for s in out["std"]):
        _fail("normalization.std: every value must be > 0")
    return out


# ---------------------------------------------------------------- write ---

def write_model(path, arch, tensors, levels, classes, normalization):
    """Validate everything and write a .dnngov model file atomically."""
    validate_arch(arch)
    exp = expected_tensors(arch)
    names = {n for n, _ in exp}
    given = {k for k in tensors if not k.endswith("num_batches_tracked")}
    missing = [n for n, _ in exp if n not in given]
    if missing:
        _fail(f"tensors: {len(missing)} missing for this arch, first: {missing[:5]}")
    extra = sorted(given - names)
    if extra:
        _fail(f"tensors: {len(extra)} not part of this arch, first: {extra[:5]}")
    levels = _validate_levels(arch, levels)
    normalization = _validate_classes_norm(arch, classes, normalization)

    blobs = []
    for name, shape in exp:
        a = tensors[name]
        if hasattr(a, "detach"):  # torch.Tensor
            a = a.detach().cpu().numpy()
        a = np.asarray(a)
        if tuple(a.shape) != shape:
            _fail(f"tensors[{name!r}]: shape {tuple(a.shape)}, expected {shape}")
        a = np.ascontiguousarray(a, dtype="<f4")
        if not np.all(np.isfinite(a)):
            _fail(f"tensors[{name!r}]: contains NaN or Inf")
        blobs.append((name, shape, a))
    for i, lv in enumerate(levels):
        for prefix in sorted(lv["bn"] or {}):
            mean, var = lv["bn"][prefix]
            blobs.append((_level_bn_name(i, prefix, "running_mean"), mean.shape, mean))
            blobs.append((_level_bn_name(i, prefix, "running_var"), var.shape, var))

    table = {}
    off = 0
    for name, shape, a in blobs:
        table[name] = {"dtype": "F32", "shape": list(shape), "offset": off, "nbytes": a.nbytes}
        off = _align(off + a.nbytes)
    data_size = off

    meta = {
        "format": "dnngov-model", "version": VERSION,
        "arch": arch, "classes": list(classes), "normalization": normalization,
        "levels": [{"name": lv["name"], "ks": lv["ks"], "e": lv["e"], "d": lv["d"], "r": lv["r"],
                    "accuracy": lv["accuracy"], "latency_ms": lv["latency_ms"],
                    "bn": None if lv["bn"] is None else sorted(lv["bn"])} for lv in levels],
        "tensors": table,
    }
    mbytes = json.dumps(meta, separators=(",", ":"), allow_nan=False).encode("utf-8")
    meta_off = HEADER_SIZE
    data_off = _align(meta_off + len(mbytes))
    file_size = data_off + data_size

    buf = bytearray(file_size)
    buf[meta_off:meta_off + len(mbytes)] = mbytes
    for name, _, a in blobs:
        o = data_off + table[name]["offset"]
        buf[o:o + a.nbytes] = a.tobytes()
    struct.pack_into(HEADER_FMT, buf, 0, MAGIC, VERSION, HEADER_SIZE, file_size, meta_off,
                     len(mbytes), data_off, data_size, 0, 0)
    struct.pack_into("<I", buf, CRC_OFFSET, zlib.crc32(buf) & 0xFFFFFFFF)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(buf)
    os.replace(tmp, path)


# ----------------------------------------------------------------- read ---

def read_model(path):
    """Read and fully validate a model file; return the dict write_model took."""
    with open(path, "rb") as f:
        buf = f.read()
    if len(buf) < HEADER_SIZE:
        _fail(f"{path}: {len(buf)} bytes, too short for the {HEADER_SIZE}-byte header")
    (magic, ver, hsize, fsize, moff, msize, doff, dsize, crc,
     flags) = struct.unpack_from(HEADER_FMT, buf, 0)
    if magic != MAGIC:
        _fail(f"{path}: bad magic {magic!r}, expected {MAGIC!r} (not a dnngov model file)")
    if ver != VERSION:
        _fail(f"{path}: format version {ver}, this reader supports {VERSION}")
    if hsize != HEADER_SIZE or flags != 0:
        _fail(f"{path}: header_size {hsize} / flags {flags}, expected {HEADER_SIZE} / 0")
    if fsize != len(buf):
        _fail(f"{path}: header says file_size {fsize}, file has {len(buf)} bytes (truncated?)")
    if (moff != HEADER_SIZE or not 2 <= msize <= MAX_META or doff % ALIGN
            or doff < moff + msize or doff + dsize != fsize):
        _fail(f"{path}: inconsistent layout meta_offset {moff} meta_size {msize} "
              f"data_offset {doff} data_size {dsize} file_size {fsize}")
    b = bytearray(buf)
    b[CRC_OFFSET:CRC_OFFSET + 4] = b"\0\0\0\0"
    got = zlib.crc32(b) & 0xFFFFFFFF
    if got != crc:
        _fail(f"{path}: checksum mismatch (stored {crc:08x}, computed {got:08x}): file corrupted")
    try:
        meta = json.loads(buf[moff:moff + msize].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        _fail(f"{path}: metadata is not valid JSON: {e}")
    if not isinstance(meta, dict) or meta.get("format") != "dnngov-model" \
            or meta.get("version") != VERSION:
        _fail(f"{path}: metadata format/version is not dnngov-model/{VERSION}")
    arch = meta.get("arch")
    validate_arch(arch)
    table = meta.get("tensors")
    if not isinstance(table, dict):
        _fail(f"{path}: metadata.tensors: expected an object")
    raw = {}
    spans = []
    for name, e in table.items():
        w = f"tensors[{name!r}]"
        if not isinstance(e, dict) or e.get("dtype") != "F32":
            _fail(f"{w}: expected dtype 'F32'")
        shape, off, nb = e.get("shape"), e.get("offset"), e.get("nbytes")
        if (not isinstance(shape, list) or not 1 <= len(shape) <= 4
                or not all(isinstance(x, int) and 0 < x < 1 << 31 for x in shape)):
            _fail(f"{w}.shape: expected 1..4 positive integers, got {shape!r}")
        if not isinstance(off, int) or not isinstance(nb, int) or off < 0 or off % ALIGN:
            _fail(f"{w}.offset: expected a non-negative multiple of {ALIGN}, got {off!r}")
        if nb != 4 * int(np.prod(shape)):
            _fail(f"{w}.nbytes: {nb} does not match shape {shape} (float32)")
        if off + nb > dsize:
            _fail(f"{w}: data [{off}, {off + nb}) runs past the data section ({dsize} bytes)")
        spans.append((off, off + nb, name))
        raw[name] = np.frombuffer(buf, dtype="<f4", count=nb // 4,
                                  offset=doff + off).reshape(shape).astype(np.float32)
    spans.sort()
    for (a0, a1, an), (b0, _, bname) in zip(spans, spans[1:]):
        if b0 < a1:
            _fail(f"tensors {an!r} and {bname!r} overlap")

    tensors = {}
    for name, shape in expected_tensors(arch):
        if name not in raw:
            _fail(f"{path}: tensor {name!r} missing")
        if tuple(raw[name].shape) != shape:
            _fail(f"{path}: tensor {name!r} has shape {raw[name].shape}, expected {shape}")
        tensors[name] = raw.pop(name)
    levels_in = meta.get("levels")
    if not isinstance(levels_in, list):
        _fail(f"{path}: metadata.levels: expected a list")
    levels = []
    for i, lv in enumerate(levels_in):
        if not isinstance(lv, dict):
            _fail(f"levels[{i}]: expected an object")
        lv = dict(lv)
        bn = lv.get("bn")
        if bn is not None:
            if not isinstance(bn, list):
                _fail(f"levels[{i}].bn: expected null or a list of BN prefixes")
            d = {}
            for prefix in bn:
                names = [_level_bn_name(i, prefix, s) for s in ("running_mean", "running_var")]
                for n in names:
                    if n not in raw:
                        _fail(f"levels[{i}].bn: tensor {n!r} missing")
                d[prefix] = (raw.pop(names[0]), raw.pop(names[1]))
            lv["bn"] = d
        levels.append(lv)
    if raw:
        _fail(f"{path}: {len(raw)} unexpected tensors, first: {sorted(raw)[:5]}")
    levels = _validate_levels(arch, levels)
    classes = meta.get("classes")
    norm = _validate_classes_norm(arch, classes, meta.get("normalization"))
    return {"arch": arch, "tensors": tensors, "levels": levels, "classes": classes,
            "normalization": norm}


# -------------------------------------------------------------- presets ---

def ofa_mbv3_arch(width_mult=1.2, n_classes=1000):
    """The OFA MobileNetV3 supernet arch (ofa_mbv3_d234_e346_k357_w{1.0,1.2})."""
    base = [16, 16, 24, 40, 80, 112, 160, 960, 1280]
    final_expand = make_divisible(base[-2] * width_mult, 8)
    feature_mix = make_divisible(base[-1] * width_mult, 8)
    w = [make_divisible(x * width_mult, 8) for x in base[:-2]]
    acts = ["relu", "relu", "h_swish", "h_swish", "h_swish"]
    ses = [False, True, False, True, True]
    strides = [2, 2, 2, 1, 2]
    lo = 160 if width_mult > 1.0 else 128
    return {
        "family": "ofa_mbv3", "in_channels": 3,
        "stem": {"out": w[0], "kernel": 3, "stride": 2, "act": "h_swish"},
        "first_block": {"out": w[1], "kernel": 3, "stride": 1, "act": "relu", "se": False},
        "stages": [{"width": w[2 + i], "n_blocks": 4, "stride": strides[i], "act": acts[i],
                    "se": ses[i]} for i in range(5)],
        "final_expand": final_expand, "feature_mix": feature_mix, "n_classes": n_classes,
        "ks_list": [3, 5, 7], "expand_list": [3, 4, 6], "depth_list": [2, 3, 4],
        "resolutions": list(range(lo, 225, 4)), "bn_eps": 1e-5, "channel_divisible": 8,
    }


def tiny_arch(n_classes=10, in_channels=1):
    """A small supernet for tests (Fashion-MNIST-sized): every feature, few channels."""
    return {
        "family": "ofa_mbv3", "in_channels": in_channels,
        "stem": {"out": 8, "kernel": 3, "stride": 1, "act": "h_swish"},
        "first_block": {"out": 8, "kernel": 3, "stride": 1, "act": "relu", "se": False},
        "stages": [{"width": 16, "n_blocks": 3, "stride": 2, "act": "relu", "se": False},
                   {"width": 24, "n_blocks": 3, "stride": 2, "act": "h_swish", "se": True},
                   {"width": 32, "n_blocks": 3, "stride": 1, "act": "h_swish", "se": True}],
        "final_expand": 96, "feature_mix": 128, "n_classes": n_classes,
        "ks_list": [3, 5, 7], "expand_list": [3, 4, 6], "depth_list": [2, 3],
        "resolutions": [28, 32], "bn_eps": 1e-5, "channel_divisible": 8,
    }


def micro_arch():
    """The smallest arch with every feature (SE, shortcut, elastic k/e/d): fuzz seeds."""
    return {
        "family": "ofa_mbv3", "in_channels": 1,
        "stem": {"out": 8, "kernel": 3, "stride": 2, "act": "h_swish"},
        "first_block": {"out": 8, "kernel": 3, "stride": 1, "act": "relu", "se": True},
        "stages": [{"width": 8, "n_blocks": 2, "stride": 1, "act": "h_swish", "se": True}],
        "final_expand": 8, "feature_mix": 8, "n_classes": 2,
        "ks_list": [3, 5], "expand_list": [1, 2], "depth_list": [1, 2],
        "resolutions": [8], "bn_eps": 1e-5, "channel_divisible": 8,
    }


def random_tensors(arch, seed=0):
    """Random weights with sane scales (He init, BN near identity) so activations stay bounded."""
    rng = np.random.default_rng(seed)
    t = {}
    for name, shape in expected_tensors(arch):
        if name.endswith("_matrix"):
            n = shape[0]
            t[name] = (np.eye(n) + 0.05 * rng.standard_normal((n, n))).astype(np.float32)
        elif name.endswith("running_var"):
            t[name] = rng.uniform(0.5, 1.5, shape).astype(np.float32)
        elif name.endswith("running_mean") or name.endswith(".bias"):
            t[name] = (0.1 * rng.standard_normal(shape)).astype(np.float32)
        elif ".bn." in name and name.endswith(".weight"):
            t[name] = rng.uniform(0.5, 1.0, shape).astype(np.float32)
        else:
            fan_in = int(np.prod(shape[1:]))
            t[name] = (rng.standard_normal(shape) * math.sqrt(2.0 / fan_in)).astype(np.float32)
    return t


def random_config(arch, rng, r=None):
    nblk = sum(s["n_blocks"] for s in arch["stages"])
    return {"ks": [int(x) for x in rng.choice(arch["ks_list"], nblk)],
            "e": [int(x) for x in rng.choice(arch["expand_list"], nblk)],
            "d": [int(x) for x in rng.choice(arch["depth_list"], len(arch["stages"]))],
            "r": int(r if r is not None else rng.choice(arch["resolutions"]))}


def dynamic_ofa_levels(name, data_dir=None):
    """Levels of the Dynamic-OFA library nets_6 / nets_7 from shared/data (w1.2 supernet)."""
    if data_dir is None:
        here = os.path.dirname(os.path.abspath(__file__))
        data_dir = os.path.join(here, "..", "..", "..", "shared", "data")
    p = os.path.join(data_dir, "dynamic-ofa", "subnets.json")
    with open(p) as f:
        lib = json.load(f)["libraries"][name]
    return [{"name": f"L{x['level']}", "ks": x["ks"], "e": x["e"], "d": x["d"], "r": x["r"],
             "accuracy": x["top1"], "latency_ms": None, "bn": None} for x in lib]


def _with_random_bn(arch, levels, rng):
    for lv in levels:
        lv["bn"] = {p: ((0.1 * rng.standard_normal(c)).astype(np.float32),
                        rng.uniform(0.5, 1.5, c).astype(np.float32))
                    for p, c in active_bn_channels(arch, lv).items()}
    return levels


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("random", help="write a random-weight model")
    r.add_argument("out")
    r.add_argument("--arch", default="w1.2", choices=["w1.2", "w1.0", "tiny", "micro"])
    r.add_argument("--library", default=None,
                   help="nets_6 | nets_7 (needs ../shared/data) | random:N (default: "
                        "nets_6 for w1.2, random:4 otherwise)")
    r.add_argument("--level-bn", action="store_true", help="add random per-level BN statistics")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--data-dir", default=None)
    i = sub.add_parser("info", help="validate a model file and print a summary")
    i.add_argument("file")
    a = ap.parse_args(argv)
    try:
        if a.cmd == "random":
            arch = {"w1.2": lambda: ofa_mbv3_arch(1.2), "w1.0": lambda: ofa_mbv3_arch(1.0),
                    "tiny": tiny_arch, "micro": micro_arch}[a.arch]()
            rng = np.random.default_rng(a.seed + 1)
            lib = a.library or ("nets_6" if a.arch == "w1.2" else "random:4")
            if lib.startswith("random:"):
                n = int(lib.split(":", 1)[1])
                levels = [{"name": f"L{k + 1}", **random_config(arch, rng),
                           "accuracy": 50.0 + k, "latency_ms": None, "bn": None}
                          for k in range(n)]
            else:
                if a.arch != "w1.2":
                    _fail(f"--library {lib} is a w1.2 library; use --arch w1.2")
                levels = dynamic_ofa_levels(lib, a.data_dir)
            if a.level_bn:
                _with_random_bn(arch, levels, rng)
            classes = [f"class{k}" for k in range(arch["n_classes"])]
            c = arch["in_channels"]
            norm = {"mean": [0.485, 0.456, 0.406][:c] + [0.5] * max(0, c - 3),
                    "std": [0.229, 0.224, 0.225][:c] + [0.25] * max(0, c - 3)}
            write_model(a.out, arch, random_tensors(arch, a.seed), levels, classes, norm)
            print(f"wrote {a.out} ({os.path.getsize(a.out)} bytes, {len(levels)} levels)")
        else:
            m = read_model(a.file)
            n = sum(x.size for x in m["tensors"].values())
            print(f"{a.file}: ok, {len(m['tensors'])} tensors, {n} parameters, "
                  f"{m['arch']['n_classes']} classes")
            for lv in m["levels"]:
                print(f"  {lv['name']}: r={lv['r']} d={lv['d']} acc={lv['accuracy']:.2f} "
                      f"lat={lv['latency_ms']} bn={'per-level' if lv['bn'] else 'supernet'}")
    except (ModelFormatError, OSError, KeyError) as e:
        print(f"dnngov_model: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
