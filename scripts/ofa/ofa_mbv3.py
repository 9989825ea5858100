"""Independent PyTorch implementation of the Once-for-All MobileNetV3 supernet.

Follows mit-han-lab/once-for-all (ofa/imagenet_classification/elastic_nn/
{modules/dynamic_op.py, modules/dynamic_layers.py, networks/ofa_mbv3.py},
ofa/utils/layers.py) op for op, but is driven by the dnngov `arch` dict
(Documentation/model-format.md) so that any stage list, width, stride,
activation, SE flag and input channel count can be built.

Module names reproduce OFA's *legacy* state_dict layout
(`blocks.N.mobile_inverted_conv.…`, `.bn.bn.`, `.conv.conv.`), so a real
checkpoint loads after convert_ofa.py's key remap and our tensors can be
written to a model file under the names the C engine expects.
"""

import copy
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

ACTS = ("relu", "h_swish", "none")


def make_divisible(v, divisor=8, min_val=None):
    """OFA's make_divisible: round to a multiple of divisor, >= 90 % of v."""
    if min_val is None:
        min_val = divisor
    new_v = max(min_val, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def sub_filter_start_end(kernel_size, sub_kernel_size):
    center = kernel_size // 2
    dev = sub_kernel_size // 2
    return center - dev, center + dev + 1


def h_sigmoid(x):
    return F.relu6(x + 3.0) / 6.0


def h_swish(x):
    return x * F.relu6(x + 3.0) / 6.0


def activate(x, act):
    if act == "relu":
        return F.relu(x)
    if act == "h_swish":
        return h_swish(x)
    return x


class ArchError(ValueError):
    """The arch dict is malformed; the message names the offending field."""


def _need(d, key, where, kind=None):
    if not isinstance(d, dict) or key not in d:
        raise ArchError("arch: %s is missing '%s'" % (where, key))
    v = d[key]
    if kind is int and (not isinstance(v, int) or isinstance(v, bool) or v <= 0):
        raise ArchError("arch: %s.%s must be a positive integer, got %r" % (where, key, v))
    return v


def _check_act(v, where):
    if v not in ACTS:
        raise ArchError("arch: %s must be one of %s, got %r" % (where, "/".join(ACTS), v))
    return v


def validate_arch(arch):
    """Check every field the supernet needs; raise ArchError naming the bad one."""
    if not isinstance(arch, dict):
        raise ArchError("arch must be a dict, got %s" % type(arch).__name__)
    if arch.get("family", "ofa_mbv3") != "ofa_mbv3":
        raise ArchError("arch.family must be 'ofa_mbv3', got %r" % arch.get("family"))
    _need(arch, "in_channels", "arch", int)
    for key in ("stem", "first_block"):
        blk = _need(arch, key, "arch")
        for f in ("out", "kernel", "stride"):
            _need(blk, f, "arch." + key, int)
        if blk["kernel"] % 2 == 0:
            raise ArchError("arch.%s.kernel must be odd, got %d" % (key, blk["kernel"]))
        _check_act(_need(blk, "act", "arch." + key), "arch.%s.act" % key)
    stages = _need(arch, "stages", "arch")
    if not isinstance(stages, list) or not stages:
        raise ArchError("arch.stages must be a non-empty list")
    for i, st in enumerate(stages):
        w = "arch.stages[%d]" % i
        for f in ("width", "n_blocks", "stride"):
            _need(st, f, w, int)
        _check_act(_need(st, "act", w), w + ".act")
        if not isinstance(_need(st, "se", w), bool):
            raise ArchError("%s.se must be true or false" % w)
    for f in ("final_expand", "feature_mix", "n_classes"):
        _need(arch, f, "arch", int)
    for f in ("ks_list", "expand_list", "depth_list"):
        v = _need(arch, f, "arch")
        if (not isinstance(v, list) or not v
                or not all(isinstance(x, int) and x > 0 for x in v)):
            raise ArchError("arch.%s must be a non-empty list of positive integers" % f)
    if any(k % 2 == 0 for k in arch["ks_list"]):
        raise ArchError("arch.ks_list must hold odd kernel sizes, got %r" % arch["ks_list"])
    for i, st in enumerate(stages):
        if max(arch["depth_list"]) > st["n_blocks"]:
            raise ArchError("arch.stages[%d].n_blocks=%d is below max(depth_list)=%d"
                            % (i, st["n_blocks"], max(arch["depth_list"])))
    res = arch.get("resolutions", [])
    if not isinstance(res, list) or not all(isinstance(x, int) and x > 0 for x in res):
        raise ArchError("arch.resolutions must be a list of positive integers")
    return arch


def n_stage_blocks(arch):
    return sum(st["n_blocks"] for st in arch["stages"])


def mid_max_of(arch, in_ch):
    return make_divisible(round(in_ch * max(arch["expand_list"])),
                          arch.get("channel_divisible", 8))


# ---------------------------------------------------------------- operators

class SlicedBN(nn.BatchNorm2d):
    """BatchNorm2d used on a prefix of its channels (DynamicBatchNorm2d's bn).

    While `calib` is a dict (set by recalibrate_bn) it normalises with batch
    statistics and accumulates them, like OFA's set_running_statistics."""

    calib = None

    def forward(self, x):
        c = x.size(1)
        if self.calib is not None:
            mean = x.mean(dim=(0, 2, 3), keepdim=True)
            var = ((x - mean) * (x - mean)).mean(dim=(0, 2, 3), keepdim=True)
            mean, var = mean.flatten(), var.flatten()
            s = self.calib
            n = x.size(0)
            s["n"] = s.get("n", 0) + n
            s["mean"] = s.get("mean", 0) + mean.detach() * n
            s["var"] = s.get("var", 0) + var.detach() * n
            s["c"] = c
            return F.batch_norm(x, mean, var, self.weight[:c], self.bias[:c],
                                False, 0.0, self.eps)
        training = self.training
        factor = self.momentum if training else 0.0
        if training:
            self.num_batches_tracked += 1
        return F.batch_norm(x, self.running_mean[:c], self.running_var[:c],
                            self.weight[:c], self.bias[:c], training, factor, self.eps)


class DynamicBatchNorm2d(nn.Module):
    def __init__(self, max_feature_dim, eps):
        super().__init__()
        self.bn = SlicedBN(max_feature_dim, eps=eps, momentum=0.1)

    def forward(self, x):
        return self.bn(x)


class DynamicConv2d(nn.Module):
    """1x1 conv on weight[:out, :in] (IB and PL of a dynamic MBConv)."""

    def __init__(self, max_in, max_out):
        super().__init__()
        self.conv = nn.Conv2d(max_in, max_out, 1, bias=False)

    def forward(self, x, out_channel):
        w = self.conv.weight[:out_channel, :x.size(1)].contiguous()
        return F.conv2d(x, w)


class DynamicSeparableConv2d(nn.Module):
    """Depthwise conv with OFA's elastic kernel (KERNEL_TRANSFORM_MODE = 1)."""

    def __init__(self, max_channels, ks_list, stride):
        super().__init__()
        self.ks_set = sorted(set(ks_list))
        self.max_ks = self.ks_set[-1]
        self.stride = stride
        self.conv = nn.Conv2d(max_channels, max_channels, self.max_ks, stride,
                              groups=max_channels, bias=False)
        for small, large in zip(self.ks_set[:-1], self.ks_set[1:]):
            self.register_parameter("%dto%d_matrix" % (large, small),
                                    nn.Parameter(torch.eye(small * small)))

    def active_filter(self, channels, ks):
        w = self.conv.weight[:channels]
        if ks == self.max_ks:
            return w
        # Walk down the kernel ladder: crop the centre, then F.linear(x, M).
        for i in range(len(self.ks_set) - 1, 0, -1):
            src = self.ks_set[i]
            if src <= ks:
                break
            dst = self.ks_set[i - 1]
            s, e = sub_filter_start_end(src, dst)
            crop = w[:, :, s:e, s:e].contiguous().view(-1, dst * dst)
            m = getattr(self, "%dto%d_matrix" % (src, dst))
            w = F.linear(crop, m).view(channels, 1, dst, dst)
        return w

    def forward(self, x, ks):
        c = x.size(1)
        w = self.active_filter(c, ks).contiguous()
        return F.conv2d(x, w, None, self.stride, ks // 2, 1, c)


class SE(nn.Module):
    """SEModule / DynamicSE: reduce to make_divisible(C // 4, 8) of the active C."""

    def __init__(self, max_channels, divisor):
        super().__init__()
        self.divisor = divisor
        hidden = make_divisible(max_channels // 4, divisor)
        self.fc = nn.Sequential(OrderedDict([
            ("reduce", nn.Conv2d(max_channels, hidden, 1, bias=True)),
            ("relu", nn.ReLU()),
            ("expand", nn.Conv2d(hidden, max_channels, 1, bias=True)),
        ]))

    def forward(self, x):
        c = x.size(1)
        mid = make_divisible(c // 4, self.divisor)
        y = x.mean(3, keepdim=True).mean(2, keepdim=True)
        r, ex = self.fc.reduce, self.fc.expand
        y = F.conv2d(y, r.weight[:mid, :c].contiguous(), r.bias[:mid])
        y = F.relu(y)
        y = F.conv2d(y, ex.weight[:c, :mid].contiguous(), ex.bias[:c])
        return x * h_sigmoid(y)


class ConvLayer(nn.Module):
    """OFA ConvLayer, ops order weight_bn_act, no conv bias."""

    def __init__(self, cin, cout, k, stride, act, eps, use_bn=True):
        super().__init__()
        self.act = act
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, bias=False)
        if use_bn:
            self.bn = SlicedBN(cout, eps=eps, momentum=0.1)

    def forward(self, x):
        x = self.conv(x)
        if hasattr(self, "bn"):
            x = self.bn(x)
        return activate(x, self.act)


class StaticMBConv(nn.Module):
    """Block 0: MBConvLayer with expand_ratio 1 (no inverted bottleneck)."""

    def __init__(self, cin, cout, k, stride, act, se, eps, divisor):
        super().__init__()
        self.act = act
        self.depth_conv = nn.Sequential(OrderedDict([
            ("conv", nn.Conv2d(cin, cin, k, stride, k // 2, groups=cin, bias=False)),
            ("bn", SlicedBN(cin, eps=eps, momentum=0.1)),
        ]))
        if se:
            self.depth_conv.add_module("se", SE(cin, divisor))
        self.point_linear = nn.Sequential(OrderedDict([
            ("conv", nn.Conv2d(cin, cout, 1, bias=False)),
            ("bn", SlicedBN(cout, eps=eps, momentum=0.1)),
        ]))

    def forward(self, x):
        dc = self.depth_conv
        x = activate(dc.bn(dc.conv(x)), self.act)
        if hasattr(dc, "se"):
            x = dc.se(x)
        return self.point_linear.bn(self.point_linear.conv(x))


class DynamicMBConv(nn.Module):
    """DynamicMBConvLayer: elastic kernel (DW) and expand ratio (prefix mid)."""

    def __init__(self, cin, cout, ks_list, expand_list, stride, act, se, eps, divisor):
        super().__init__()
        self.act = act
        self.cout = cout
        self.divisor = divisor
        mid = make_divisible(round(cin * max(expand_list)), divisor)
        self.inverted_bottleneck = nn.Sequential(OrderedDict([
            ("conv", DynamicConv2d(cin, mid)),
            ("bn", DynamicBatchNorm2d(mid, eps)),
        ]))
        self.depth_conv = nn.Sequential(OrderedDict([
            ("conv", DynamicSeparableConv2d(mid, ks_list, stride)),
            ("bn", DynamicBatchNorm2d(mid, eps)),
        ]))
        if se:
            self.depth_conv.add_module("se", SE(mid, divisor))
        self.point_linear = nn.Sequential(OrderedDict([
            ("conv", DynamicConv2d(mid, cout)),
            ("bn", DynamicBatchNorm2d(cout, eps)),
        ]))
        self.active_ks = max(ks_list)
        self.active_e = max(expand_list)

    def active_mid(self, cin):
        return make_divisible(round(cin * self.active_e), self.divisor)

    def forward(self, x):
        mid = self.active_mid(x.size(1))
        ib = self.inverted_bottleneck
        x = activate(ib.bn(ib.conv(x, mid)), self.act)
        dc = self.depth_conv
        x = activate(dc.bn(dc.conv(x, self.active_ks)), self.act)
        if hasattr(dc, "se"):
            x = dc.se(x)
        return self.point_linear.bn(self.point_linear.conv(x, self.cout))


class ResidualBlock(nn.Module):
    def __init__(self, conv, shortcut):
        super().__init__()
        self.mobile_inverted_conv = conv
        self.shortcut = shortcut

    def forward(self, x):
        y = self.mobile_inverted_conv(x)
        return y + x if self.shortcut else y


class LinearLayer(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.linear = nn.Linear(cin, cout, bias=True)

    def forward(self, x):
        return self.linear(x)


# ---------------------------------------------------------------- network

class OFAMobileNetV3(nn.Module):
    def __init__(self, arch):
        super().__init__()
        validate_arch(arch)
        self.arch = copy.deepcopy(arch)
        eps = float(arch.get("bn_eps", 1e-5))
        div = int(arch.get("channel_divisible", 8))
        stem, fb = arch["stem"], arch["first_block"]
        self.first_conv = ConvLayer(arch["in_channels"], stem["out"], stem["kernel"],
                                    stem["stride"], stem["act"], eps)
        blocks = [ResidualBlock(
            StaticMBConv(stem["out"], fb["out"], fb["kernel"], fb["stride"], fb["act"],
                         bool(fb.get("se", False)), eps, div),
            fb["stride"] == 1 and stem["out"] == fb["out"])]
        self.block_group_info = []
        cin = fb["out"]
        for st in arch["stages"]:
            group = []
            for j in range(st["n_blocks"]):
                stride = st["stride"] if j == 0 else 1
                conv = DynamicMBConv(cin, st["width"], arch["ks_list"], arch["expand_list"],
                                     stride, st["act"], st["se"], eps, div)
                group.append(len(blocks))
                blocks.append(ResidualBlock(conv, stride == 1 and cin == st["width"]))
                cin = st["width"]
            self.block_group_info.append(group)
        self.blocks = nn.ModuleList(blocks)
        self.final_expand_layer = ConvLayer(cin, arch["final_expand"], 1, 1, "h_swish", eps)
        self.feature_mix_layer = ConvLayer(arch["final_expand"], arch["feature_mix"], 1, 1,
                                           "h_swish", eps, use_bn=False)
        self.classifier = LinearLayer(arch["feature_mix"], arch["n_classes"])
        self.runtime_depth = [len(g) for g in self.block_group_info]

    # -- subnet selection
    def normalize_config(self, ks=None, e=None, d=None):
        """Expand scalars, check ranges; return (ks list, e list, d list)."""
        arch = self.arch
        nb = n_stage_blocks(arch)
        ns = len(arch["stages"])

        def expand(v, n, allowed, name, default):
            if v is None:
                v = default
            if isinstance(v, int):
                v = [v] * n
            v = list(v)
            if len(v) != n:
                raise ValueError("subnet %s: expected %d values (one per %s), got %d"
                                 % (name, n, "stage" if name == "d" else "stage block", len(v)))
            for i, x in enumerate(v):
                if x not in allowed:
                    raise ValueError("subnet %s[%d]=%r is not in %r" % (name, i, x, allowed))
            return [int(x) for x in v]

        return (expand(ks, nb, arch["ks_list"], "ks", max(arch["ks_list"])),
                expand(e, nb, arch["expand_list"], "e", max(arch["expand_list"])),
                expand(d, ns, arch["depth_list"], "d", max(arch["depth_list"])))

    def set_active_subnet(self, ks=None, e=None, d=None):
        ks, e, d = self.normalize_config(ks, e, d)
        for i, blk in enumerate(self.blocks[1:]):
            blk.mobile_inverted_conv.active_ks = ks[i]
            blk.mobile_inverted_conv.active_e = e[i]
        self.runtime_depth = [min(len(g), x) for g, x in zip(self.block_group_info, d)]

    def set_max_net(self):
        self.set_active_subnet()

    def active_block_ids(self):
        ids = [0]
        for g, depth in zip(self.block_group_info, self.runtime_depth):
            ids += g[:depth]
        return ids

    def forward(self, x):
        if x.dim() != 4 or x.size(1) != self.arch["in_channels"]:
            raise ValueError("input must be N x %d x H x W, got %s"
                             % (self.arch["in_channels"], tuple(x.shape)))
        x = self.first_conv(x)
        for i in self.active_block_ids():
            x = self.blocks[i](x)
        x = self.final_expand_layer(x)
        x = x.mean(3, keepdim=True).mean(2, keepdim=True)
        x = self.feature_mix_layer(x)
        return self.classifier(x.flatten(1))

    # -- tensors in the model-file layout
    def export_tensors(self):
        """state_dict as float32 numpy arrays, without num_batches_tracked."""
        return OrderedDict((k, v.detach().cpu().float().numpy().copy())
                           for k, v in self.state_dict().items()
                           if not k.endswith("num_batches_tracked"))

    def load_tensors(self, tensors, strict=True):
        """Load name -> array (numpy or torch), checking every shape."""
        own = self.state_dict()
        missing = [k for k in own if not k.endswith("num_batches_tracked") and k not in tensors]
        extra = [k for k in tensors if k not in own]
        if strict and (missing or extra):
            msg = []
            if missing:
                msg.append("missing %d tensor(s), first: %s" % (len(missing), missing[0]))
            if extra:
                msg.append("unexpected %d tensor(s), first: %s" % (len(extra), extra[0]))
            raise ValueError("tensors do not match the arch: " + "; ".join(msg))
        with torch.no_grad():
            for k, v in tensors.items():
                if k not in own:
                    continue
                t = torch.as_tensor(v)
                if tuple(t.shape) != tuple(own[k].shape):
                    raise ValueError("tensor %s has shape %s, the arch needs %s"
                                     % (k, tuple(t.shape), tuple(own[k].shape)))
                own[k].copy_(t.to(own[k].dtype))

    def bn_modules(self):
        """(prefix, SlicedBN) for every BN, prefix as in the model file."""
        return [(n, m) for n, m in self.named_modules() if isinstance(m, SlicedBN)]

    def apply_bn_stats(self, stats):
        """Write per-level BN statistics {prefix: (mean, var)} into the prefixes."""
        mods = dict(self.bn_modules())
        with torch.no_grad():
            for name, (mean, var) in stats.items():
                if name not in mods:
                    raise ValueError("level BN statistics name unknown module %s" % name)
                m = mods[name]
                mean, var = torch.as_tensor(mean), torch.as_tensor(var)
                c = mean.numel()
                if c > m.num_features or var.numel() != c:
                    raise ValueError("level BN statistics for %s have %d/%d channels, max %d"
                                     % (name, c, var.numel(), m.num_features))
                m.running_mean[:c].copy_(mean.flatten())
                m.running_var[:c].copy_(var.flatten())


def active_bn_channels(net):
    """{bn prefix: active channel count} for the current subnet (BN in use only)."""
    counts = {}
    hooks = []
    for name, m in net.bn_modules():
        hooks.append(m.register_forward_hook(
            lambda mod, inp, out, name=name: counts.__setitem__(name, inp[0].size(1))))
    try:
        with torch.no_grad():
            r = 8
            net.eval()
            net(torch.zeros(1, net.arch["in_channels"], r, r))
    finally:
        for h in hooks:
            h.remove()
    return counts


@torch.no_grad()
def recalibrate_bn(net, images, batch_size=200):
    """OFA set_running_statistics: running stats of the active subnet from images.

    images: N x C x r x r tensor (already at the subnet's resolution and
    normalised). Returns {bn prefix: (mean, var)} of the active channels and
    writes them into running_mean[:C] / running_var[:C]."""
    mods = net.bn_modules()
    was_training = net.training
    net.eval()
    for _, m in mods:
        m.calib = {}
    try:
        for i in range(0, images.size(0), batch_size):
            net(images[i:i + batch_size])
        stats = {}
        for name, m in mods:
            s = m.calib
            if not s:
                continue  # BN of an inactive block
            mean = s["mean"] / s["n"]
            var = s["var"] / s["n"]
            c = s["c"]
            m.running_mean[:c].copy_(mean)
            m.running_var[:c].copy_(var)
            stats[name] = (mean.clone(), var.clone())
    finally:
        for _, m in mods:
            m.calib = None
        net.train(was_training)
    return stats


def count_macs(net, r):
    """Multiply-accumulates of the active subnet at resolution r (OFA's rules:
    every conv and the classifier; BN, activations and adds not counted)."""
    total = [0]
    orig = F.conv2d

    def counting_conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
        y = orig(x, w, b, stride, padding, dilation, groups)
        total[0] += y[0].numel() * w.size(1) * w.size(2) * w.size(3)
        return y

    F.conv2d = counting_conv2d
    try:
        net.eval()
        with torch.no_grad():
            net(torch.zeros(1, net.arch["in_channels"], r, r))
    finally:
        F.conv2d = orig
    return total[0] + net.arch["feature_mix"] * net.arch["n_classes"]


def resize_batch(x, r):
    """Resize N x C x H x W to r x r (bilinear, no antialias) as training does."""
    if x.size(-1) == r and x.size(-2) == r:
        return x
    return F.interpolate(x, size=(r, r), mode="bilinear", align_corners=False)
