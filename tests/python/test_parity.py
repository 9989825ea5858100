"""Parity of the C engine (build/bin/dnngov-infer) with the PyTorch supernet.

Both run the same model file on the same input; the logits must agree to
max|c - torch| / max|torch| <= 1e-4. Cases: every level of the Dynamic-OFA
nets_6 and nets_7 libraries on a w1.2 supernet at their real resolutions
(nets_6 converted from a synthetic OFA checkpoint, nets_7 with per-level BN
statistics), min/max/random w1.0 subnets, odd resolutions on a small
supernet, and every level of the bundled Fashion-MNIST model."""

import copy
import json
import os
import subprocess
import tempfile
import unittest

import numpy as np
import torch

from ofa_testutil import INFER, SHARED_DATA, TOP, have_shared_data
import convert_ofa
import dnngov_model as dm
from ofa_mbv3 import OFAMobileNetV3

TOL = 1e-4
BUNDLED = os.path.join(TOP, "models", "fmnist-ofa.dnngov")


def rel_err(c, ref):
    return float(np.max(np.abs(c - ref)) / max(np.max(np.abs(ref)), 1e-30))


class Reference:
    """The PyTorch side: one supernet per model file, fresh statistics per run."""

    def __init__(self, path):
        self.model = dm.read_model(path)
        self.net = OFAMobileNetV3(self.model["arch"]).eval()
        self.net.load_tensors(self.model["tensors"])
        self.clean = copy.deepcopy(self.net.state_dict())

    @torch.no_grad()
    def logits(self, cfg, x):
        self.net.load_state_dict(self.clean)
        if cfg.get("bn"):
            self.net.apply_bn_stats(cfg["bn"])
        self.net.set_active_subnet(cfg["ks"], cfg["e"], cfg["d"])
        return self.net(torch.from_numpy(x)).numpy()[0]


class Parity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(INFER, os.X_OK):
            raise AssertionError("%s is missing: build it with 'make %s'" % (INFER, INFER))
        cls.tmp = tempfile.TemporaryDirectory()
        cls.worst = []

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "tmp", None):
            cls.tmp.cleanup()
        if getattr(cls, "worst", None):
            name, err = max(cls.worst, key=lambda w: w[1])
            print("\nparity: %d runs, worst relative error %.2e (%s)"
                  % (len(cls.worst), err, name))

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def infer(self, model, x, level=None, cfg=None):
        xin, out = self.path("in.f32"), self.path("out.f32")
        x.astype("<f4").tofile(xin)
        cmd = [INFER, "--model", model, "--input", xin, "--output", out]
        if level is not None:
            cmd += ["--level", str(level)]
        else:
            with open(self.path("cfg.json"), "w") as f:
                json.dump({k: cfg[k] for k in ("ks", "e", "d", "r")}, f)
            cmd += ["--config", self.path("cfg.json")]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, "%s failed: %s" % (" ".join(cmd), p.stderr))
        return np.fromfile(out, dtype="<f4")

    def check(self, model, ref, cfg, seed, level=None, name=""):
        arch = ref.model["arch"]
        x = np.random.default_rng(seed).standard_normal(
            (1, arch["in_channels"], cfg["r"], cfg["r"])).astype(np.float32)
        want = ref.logits(cfg, x)
        got = self.infer(model, x, level=level, cfg=cfg)
        self.assertEqual(got.shape, want.shape, name)
        self.assertGreater(np.std(want), 1e-3, "%s: degenerate reference logits" % name)
        err = rel_err(got, want)
        self.worst.append((name, err))
        self.assertLessEqual(err, TOL, "%s: relative error %.3e > %.0e" % (name, err, TOL))

    def levels_of(self, model, ref, tag):
        for i, lv in enumerate(ref.model["levels"]):
            with self.subTest(level=lv["name"]):
                self.check(model, ref, lv, 100 + i, level=i,
                           name="%s %s r=%d" % (tag, lv["name"], lv["r"]))

    @unittest.skipUnless(have_shared_data(), "needs ../shared/data")
    def test_nets_6_converted_w12(self):
        arch = dm.ofa_mbv3_arch(1.2)
        ckpt = self.path("w12.pth")
        torch.save({"state_dict": {k.replace(".mobile_inverted_conv.", ".conv."):
                                   torch.from_numpy(v)
                                   for k, v in dm.random_tensors(arch, 6).items()}},
                   ckpt, _use_new_zipfile_serialization=False)
        model = self.path("nets6.dnngov")
        convert_ofa.convert(ckpt, model, library="nets_6", data_dir=SHARED_DATA)
        self.levels_of(model, Reference(model), "nets_6")

    @unittest.skipUnless(have_shared_data(), "needs ../shared/data")
    def test_nets_7_with_level_bn(self):
        arch = dm.ofa_mbv3_arch(1.2)
        rng = np.random.default_rng(7)
        levels = dm.dynamic_ofa_levels("nets_7", SHARED_DATA)
        for lv in levels[::2]:  # per-level statistics on every other level
            lv["bn"] = {p: ((0.1 * rng.standard_normal(c)).astype(np.float32),
                            rng.uniform(0.5, 1.5, c).astype(np.float32))
                        for p, c in dm.active_bn_channels(arch, lv).items()}
        model = self.path("nets7.dnngov")
        dm.write_model(model, arch, dm.random_tensors(arch, 7), levels,
                       ["c%d" % i for i in range(1000)], convert_ofa.IMAGENET_NORM)
        self.levels_of(model, Reference(model), "nets_7")

    def test_w10_min_max_random(self):
        arch = dm.ofa_mbv3_arch(1.0)
        nb = 20
        cfgs = [("max", {"ks": [7] * nb, "e": [6] * nb, "d": [4] * 5, "r": 64}),
                ("min", {"ks": [3] * nb, "e": [3] * nb, "d": [2] * 5, "r": 56})]
        rng = np.random.default_rng(10)
        for i, r in enumerate((48, 72, 100)):
            cfgs.append(("random%d" % i, dm.random_config(arch, rng, r=r)))
        model = self.path("w10.dnngov")
        dm.write_model(model, arch, dm.random_tensors(arch, 10),
                       [dict(cfgs[0][1], name="max", accuracy=0.0, latency_ms=None, bn=None)],
                       ["c%d" % i for i in range(1000)], convert_ofa.IMAGENET_NORM)
        ref = Reference(model)
        for i, (name, cfg) in enumerate(cfgs):
            with self.subTest(config=name):
                self.check(model, ref, cfg, 200 + i, name="w1.0 %s r=%d" % (name, cfg["r"]))

    def test_small_supernet_odd_resolutions(self):
        arch = dm.tiny_arch()
        rng = np.random.default_rng(11)
        model = self.path("tiny.dnngov")
        dm.write_model(model, arch, dm.random_tensors(arch, 11),
                       [dict(dm.random_config(arch, rng, r=28), name="L1", accuracy=1.0,
                             latency_ms=None, bn=None)],
                       ["c%d" % i for i in range(10)], {"mean": [0.5], "std": [0.25]})
        ref = Reference(model)
        for i, r in enumerate((9, 13, 28, 33)):
            cfg = dm.random_config(arch, rng, r=r)
            with self.subTest(r=r):
                self.check(model, ref, cfg, 300 + i, name="tiny r=%d" % r)

    @unittest.skipUnless(os.path.isfile(BUNDLED), "no bundled model yet")
    def test_bundled_model_levels(self):
        self.levels_of(BUNDLED, Reference(BUNDLED), "fmnist")


if __name__ == "__main__":
    unittest.main()
