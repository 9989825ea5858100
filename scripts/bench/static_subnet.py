"""Static PyTorch modules for one level of a dnngov model file.

The benchmark runs every peer on *static* subnets: plain Conv2d / BatchNorm2d
modules holding copies of the sliced (and, for the elastic kernel,
transformed) weights, so PyTorch eager and the exported ONNX graph do no
slicing work at run time, as a deployed fixed model would not. The numbers
come from scripts/ofa/ofa_mbv3.py's supernet, which already matches OFA op for
op; here we only freeze one configuration of it.
"""

import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ofa"))

import dnngov_model  # noqa: E402  (scripts/ofa)
import ofa_mbv3  # noqa: E402


def _act(name):
    if name == "relu":
        return nn.ReLU()
    if name == "h_swish":
        return nn.Hardswish()
    return nn.Identity()


def _bn(src, c, eps):
    bn = nn.BatchNorm2d(c, eps=eps)
    bn.weight.data.copy_(src.weight[:c])
    bn.bias.data.copy_(src.bias[:c])
    bn.running_mean.copy_(src.running_mean[:c])
    bn.running_var.copy_(src.running_var[:c])
    return bn


def _conv(w, stride=1, groups=1):
    k = w.size(-1)
    conv = nn.Conv2d(w.size(1) * groups, w.size(0), k, stride, k // 2,
                     groups=groups, bias=False)
    conv.weight.data.copy_(w)
    return conv


class SE(nn.Module):
    def __init__(self, reduce_w, reduce_b, expand_w, expand_b):
        super().__init__()
        self.reduce = nn.Conv2d(reduce_w.size(1), reduce_w.size(0), 1)
        self.expand = nn.Conv2d(expand_w.size(1), expand_w.size(0), 1)
        self.reduce.weight.data.copy_(reduce_w)
        self.reduce.bias.data.copy_(reduce_b)
        self.expand.weight.data.copy_(expand_w)
        self.expand.bias.data.copy_(expand_b)

    def forward(self, x):
        y = F.adaptive_avg_pool2d(x, 1)
        y = self.expand(F.relu(self.reduce(y)))
        return x * F.hardsigmoid(y)


class Block(nn.Module):
    def __init__(self, layers, shortcut):
        super().__init__()
        self.body = nn.Sequential(*layers)
        self.shortcut = shortcut

    def forward(self, x):
        y = self.body(x)
        return y + x if self.shortcut else y


class StaticNet(nn.Module):
    def __init__(self, stem, blocks, head, classifier):
        super().__init__()
        self.stem = stem
        self.blocks = nn.Sequential(*blocks)
        self.head = head
        self.classifier = classifier

    def forward(self, x):
        x = self.blocks(self.stem(x))
        x = self.head(x)
        return self.classifier(torch.flatten(x, 1))


def _se_of(se_mod, c, divisor):
    mid = ofa_mbv3.make_divisible(c // 4, divisor)
    r, e = se_mod.fc.reduce, se_mod.fc.expand
    return SE(r.weight[:mid, :c], r.bias[:mid], e.weight[:c, :mid], e.bias[:c])


@torch.no_grad()
def build(net, level):
    """Freeze `level` (a model-file level dict) of the supernet into a StaticNet."""
    arch = net.arch
    eps = float(arch.get("bn_eps", 1e-5))
    div = int(arch.get("channel_divisible", 8))
    net.set_active_subnet(level["ks"], level["e"], level["d"])
    saved = None
    if level.get("bn"):
        # Per-level statistics overwrite the supernet's prefixes: put them back after.
        saved = [(m, m.running_mean.clone(), m.running_var.clone()) for _, m in net.bn_modules()]
        net.apply_bn_stats(level["bn"])
    try:
        return _build(net, eps, div)
    finally:
        for m, mean, var in saved or []:
            m.running_mean.copy_(mean)
            m.running_var.copy_(var)


def _build(net, eps, div):
    fc = net.first_conv
    stem = nn.Sequential(_conv(fc.conv.weight, fc.conv.stride[0]),
                         _bn(fc.bn, fc.conv.out_channels, eps), _act(fc.act))
    blocks = []
    for i in net.active_block_ids():
        rb = net.blocks[i]
        m = rb.mobile_inverted_conv
        layers = []
        if isinstance(m, ofa_mbv3.StaticMBConv):
            c = m.depth_conv.conv.in_channels
            dc = m.depth_conv
            layers += [_conv(dc.conv.weight, dc.conv.stride[0], c), _bn(dc.bn, c, eps),
                       _act(m.act)]
            if hasattr(dc, "se"):
                layers.append(_se_of(dc.se, c, div))
            pl = m.point_linear
            layers += [_conv(pl.conv.weight), _bn(pl.bn, pl.conv.out_channels, eps)]
        else:
            cin = m.inverted_bottleneck.conv.conv.in_channels
            mid = m.active_mid(cin)
            ib, dc, pl = m.inverted_bottleneck, m.depth_conv, m.point_linear
            layers += [_conv(ib.conv.conv.weight[:mid, :cin]), _bn(ib.bn.bn, mid, eps),
                       _act(m.act)]
            w = dc.conv.active_filter(mid, m.active_ks)
            layers += [_conv(w, dc.conv.stride, mid), _bn(dc.bn.bn, mid, eps), _act(m.act)]
            if hasattr(dc, "se"):
                layers.append(_se_of(dc.se, mid, div))
            layers += [_conv(pl.conv.conv.weight[:m.cout, :mid]), _bn(pl.bn.bn, m.cout, eps)]
        blocks.append(Block(layers, rb.shortcut))
    fe, fm = net.final_expand_layer, net.feature_mix_layer
    head = nn.Sequential(_conv(fe.conv.weight), _bn(fe.bn, fe.conv.out_channels, eps),
                         _act(fe.act), nn.AdaptiveAvgPool2d(1),
                         _conv(fm.conv.weight), _act(fm.act))
    lin = net.classifier.linear
    cls = nn.Linear(lin.in_features, lin.out_features)
    cls.weight.data.copy_(lin.weight)
    cls.bias.data.copy_(lin.bias)
    return StaticNet(stem, blocks, head, cls).eval()


def load_supernet(path):
    """(supernet, model dict) from a .dnngov file, in eval mode."""
    model = dnngov_model.read_model(path)
    net = ofa_mbv3.OFAMobileNetV3(model["arch"])
    net.load_tensors(model["tensors"])
    return net.eval(), model


def weight_bytes(module):
    """float32 bytes of everything a static subnet needs (weights, BN, SE, classifier)."""
    return sum(t.numel() * 4 for k, t in module.state_dict().items()
               if not k.endswith("num_batches_tracked"))
