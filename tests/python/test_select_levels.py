"""select_levels.py: candidates, Pareto front, thinning, per-subnet evaluation."""

import os
import tempfile
import unittest

import numpy as np
import torch

import ofa_testutil  # noqa: F401  (sys.path)
import dnngov_model as dm
import select_levels as sl
from ofa_mbv3 import OFAMobileNetV3


def pt(lat, acc):
    return {"latency_ms": lat, "accuracy": acc}


class Selection(unittest.TestCase):
    def test_pareto_front(self):
        pts = [pt(1.0, 80), pt(2.0, 79), pt(2.0, 85), pt(3.0, 85), pt(0.5, 70),
               pt(4.0, 90), pt(3.5, 88), pt(1.0, 81)]
        self.assertEqual(sl.pareto_front(pts), [4, 7, 2, 6, 5])

    def test_near_front_keeps_candidates_within_margin(self):
        pts = [pt(1.0, 80), pt(2.0, 84.5), pt(2.5, 85), pt(3.0, 83.9), pt(3.0, 86),
               pt(3.2, 85.5)]
        self.assertEqual(sl.near_front(pts, 1.0), [0, 1, 2, 4, 5])
        self.assertEqual(sl.near_front(pts, 0.0), [0, 1, 2, 4])

    def test_thin_keeps_ends_and_spreads(self):
        pts = [pt(1.0 * 1.25 ** i, 70 + i) for i in range(20)]
        front = sl.pareto_front(pts)
        self.assertEqual(front, list(range(20)))
        got = sl.thin(pts, front, 6)
        self.assertEqual(len(got), 6)
        self.assertEqual((got[0], got[-1]), (0, 19))
        self.assertEqual(got, sorted(got))
        steps = np.diff([np.log(pts[i]["latency_ms"]) for i in got])
        self.assertLess(steps.max() / steps.min(), 2.0)
        self.assertEqual(sl.thin(pts, front[:4], 6), front[:4])

    def test_candidates_are_valid_and_unique(self):
        arch = dm.tiny_arch()
        c = sl.candidates(arch, 30, seed=3)
        n_uniform = 3 * 3 * 2 * len(arch["resolutions"])
        self.assertEqual(len(c), n_uniform + 30)
        keys = {(tuple(x["ks"]), tuple(x["e"]), tuple(x["d"]), x["r"]) for x in c}
        self.assertEqual(len(keys), len(c))
        for x in c:
            dm.validate_config(arch, x)
        self.assertEqual(c, sl.candidates(arch, 30, seed=3))  # reproducible

    def test_evaluate_fills_levels_the_writer_accepts(self):
        torch.manual_seed(0)
        arch = dm.tiny_arch()
        net = OFAMobileNetV3(arch)
        net.load_tensors(dm.random_tensors(arch, 0))
        g = torch.Generator().manual_seed(0)
        calib = torch.randint(0, 256, (64, 28, 28), generator=g, dtype=torch.uint8)
        test_x = torch.randint(0, 256, (100, 28, 28), generator=g, dtype=torch.uint8)
        test_y = torch.randint(0, 10, (100,), generator=g)
        norm = {"mean": [0.5], "std": [0.25]}
        cands = sl.candidates(arch, 2, seed=1)[::9]
        before = {k: v.clone() for k, v in net.state_dict().items()}
        sl.evaluate(net, cands, calib, test_x, test_y, norm,
                    lambda n, c: c["r"] * 0.01, log=lambda s: None)
        for k, v in net.state_dict().items():  # the supernet is left as it was
            self.assertTrue(torch.equal(v, before[k]), k)
        levels = []
        for i, c in enumerate(cands):
            self.assertTrue(0 <= c["accuracy"] <= 100)
            self.assertGreater(c["macs"], 0)
            want = dm.active_bn_channels(arch, c)
            self.assertEqual({k: len(m) for k, (m, v) in c["bn"].items()}, want)
            levels.append({"name": "L%d" % i, "ks": c["ks"], "e": c["e"], "d": c["d"],
                           "r": c["r"], "accuracy": c["accuracy"],
                           "latency_ms": c["latency_ms"], "bn": c["bn"]})
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "m.dnngov")
            dm.write_model(path, arch, net.export_tensors(), levels,
                           ["c%d" % i for i in range(10)], norm)
            back = dm.read_model(path)
        lv = back["levels"][1]
        # The stored statistics reproduce the measured accuracy.
        net.apply_bn_stats(lv["bn"])
        net.set_active_subnet(lv["ks"], lv["e"], lv["d"])
        self.assertAlmostEqual(sl.accuracy(net, test_x, test_y, norm, lv["r"]),
                               lv["accuracy"], places=2)


if __name__ == "__main__":
    unittest.main()
