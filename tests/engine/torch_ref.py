#!/usr/bin/python3
"""Independent PyTorch forward of a dnngov model file, written from
Documentation/model-format.md (not from the C code), to check dnngov-infer:

    torch_ref.py MODEL LEVEL INPUT.f32 LOGITS.f32   -> prints max relative error

forward(model, level_dict, x) takes a level dict (ks, e, d, r, bn) or a config.
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/scripts/ofa")
from dnngov_model import make_divisible, read_model, stage_blocks  # noqa: E402


def act(x, a):
    return {"relu": F.relu, "h_swish": F.hardswish, "none": lambda t: t}[a](x)


def bn(x, t, prefix, c, eps, lvbn):
    mean, var = t[prefix + ".running_mean"][:c], t[prefix + ".running_var"][:c]
    if lvbn and prefix in lvbn:
        mean, var = (torch.from_numpy(a) for a in lvbn[prefix])
    return F.batch_norm(x, mean, var, t[prefix + ".weight"][:c], t[prefix + ".bias"][:c],
                        False, 0.0, eps)


def se(x, t, p, mid):
    s = make_divisible(mid // 4, 8)
    y = x.mean((2, 3), keepdim=True)
    y = F.relu(F.conv2d(y, t[p + ".reduce.weight"][:s, :mid], t[p + ".reduce.bias"][:s]))
    y = F.conv2d(y, t[p + ".expand.weight"][:mid, :s], t[p + ".expand.bias"][:mid])
    return x * F.hardsigmoid(y)


def dw_kernel(t, p, k, ks_list):
    w = t[p + ".depth_conv.conv.conv.weight"]
    ks = sorted(ks_list, reverse=True)
    for a, b in zip(ks, ks[1:]):
        if k > b:
            break
        o = (a - b) // 2
        c = w[:, :, o:o + b, o:o + b].reshape(w.shape[0], b * b)
        w = F.linear(c, t[f"{p}.depth_conv.conv.{a}to{b}_matrix"]).reshape(w.shape[0], 1, b, b)
    return w


def forward(m, lv, x):
    a, t, eps = m["arch"], {k: torch.from_numpy(v) for k, v in m["tensors"].items()}, m["arch"]["bn_eps"]
    lb = lv.get("bn")
    st = a["stem"]
    x = F.conv2d(x, t["first_conv.conv.weight"], stride=st["stride"], padding=st["kernel"] // 2)
    x = act(bn(x, t, "first_conv.bn", st["out"], eps, lb), st["act"])
    fb, p = a["first_block"], "blocks.0.mobile_inverted_conv"
    c = st["out"]
    y = F.conv2d(x, t[p + ".depth_conv.conv.weight"], stride=fb["stride"], padding=fb["kernel"] // 2,
                 groups=c)
    y = act(bn(y, t, p + ".depth_conv.bn", c, eps, lb), fb["act"])
    if fb["se"]:
        y = se(y, t, p + ".depth_conv.se.fc", c)
    y = bn(F.conv2d(y, t[p + ".point_linear.conv.weight"]), t, p + ".point_linear.bn", fb["out"], eps, lb)
    x = y + x if fb["stride"] == 1 and c == fb["out"] else y
    for i, b in enumerate(stage_blocks(a), start=1):
        if b["j"] >= lv["d"][b["stage"]]:
            continue
        p = f"blocks.{i}.mobile_inverted_conv"
        k, mid = lv["ks"][i - 1], make_divisible(round(b["in"] * lv["e"][i - 1]), 8)
        y = F.conv2d(x, t[p + ".inverted_bottleneck.conv.conv.weight"][:mid, :b["in"]])
        y = act(bn(y, t, p + ".inverted_bottleneck.bn.bn", mid, eps, lb), b["act"])
        w = dw_kernel(t, p, k, a["ks_list"])[:mid]
        y = F.conv2d(y, w, stride=b["stride"], padding=k // 2, groups=mid)
        y = act(bn(y, t, p + ".depth_conv.bn.bn", mid, eps, lb), b["act"])
        if b["se"]:
            y = se(y, t, p + ".depth_conv.se.fc", mid)
        y = F.conv2d(y, t[p + ".point_linear.conv.conv.weight"][:, :mid])
        y = bn(y, t, p + ".point_linear.bn.bn", b["out"], eps, lb)
        x = y + x if b["stride"] == 1 and b["in"] == b["out"] else y
    x = F.conv2d(x, t["final_expand_layer.conv.weight"])
    x = act(bn(x, t, "final_expand_layer.bn", a["final_expand"], eps, lb), a.get("final_expand_act", "h_swish"))
    x = x.mean((2, 3), keepdim=True)
    x = act(F.conv2d(x, t["feature_mix_layer.conv.weight"]), a.get("feature_mix_act", "h_swish"))
    return F.linear(x.flatten(1), t["classifier.linear.weight"], t["classifier.linear.bias"])


def main():
    path, level, inp, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    m = read_model(path)
    lv = m["levels"][level]
    c, r = m["arch"]["in_channels"], lv["r"]
    x = torch.from_numpy(np.fromfile(inp, dtype="<f4").reshape(1, c, r, r))
    with torch.no_grad():
        ref = forward(m, lv, x)[0].numpy()
    got = np.fromfile(out, dtype="<f4")
    err = np.max(np.abs(got - ref)) / max(np.max(np.abs(ref)), 1e-6)
    print(f"level {level}: max |engine - torch| / max |torch| = {err:.3g}")
    sys.exit(0 if err < 1e-4 else 1)


if __name__ == "__main__":
    main()
