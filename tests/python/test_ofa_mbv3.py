"""The PyTorch OFA MobileNetV3 supernet (scripts/ofa/ofa_mbv3.py) against OFA's rules."""

import copy
import unittest

import numpy as np
import torch

import ofa_testutil  # noqa: F401  (sys.path)
import dnngov_model as dm
import static_subnet
from ofa_mbv3 import (ArchError, OFAMobileNetV3, count_macs, make_divisible,
                      recalibrate_bn, validate_arch)


def tiny(seed=0):
    torch.manual_seed(seed)
    arch = dm.tiny_arch()
    net = OFAMobileNetV3(arch)
    net.load_tensors(dm.random_tensors(arch, seed))
    return net.eval()


class MakeDivisible(unittest.TestCase):
    def test_ofa_values(self):
        # w1.2 widths of OFA: 16*1.2 -> 24 (the +8 rule), 28.8 -> 32, 134.4 -> 136.
        self.assertEqual(make_divisible(16 * 1.2, 8), 24)
        self.assertEqual(make_divisible(24 * 1.2, 8), 32)
        self.assertEqual(make_divisible(112 * 1.2, 8), 136)
        self.assertEqual(make_divisible(3, 8), 8)
        self.assertEqual(make_divisible(144 // 4, 8), 40)


class Architecture(unittest.TestCase):
    def test_state_dict_is_the_legacy_layout(self):
        for w in (1.0, 1.2):
            arch = dm.ofa_mbv3_arch(w)
            net = OFAMobileNetV3(arch)
            got = {k: tuple(v.shape) for k, v in net.state_dict().items()
                   if not k.endswith("num_batches_tracked")}
            self.assertEqual(got, dict(dm.expected_tensors(arch)))
            self.assertIn("blocks.20.mobile_inverted_conv.depth_conv.conv.7to5_matrix", got)
            self.assertEqual(got["blocks.1.mobile_inverted_conv.depth_conv.conv.conv.weight"],
                             (96 if w == 1.0 else 144, 1, 7, 7))

    def test_macs_match_ofa(self):
        # ofa.md 3.2: w1.0 max@224 = 566 M, min@160 = 63 M, @128 = 41 M; w1.2 843 / 100 M.
        for w, mx, mn in ((1.0, 566.2, 63.2), (1.2, 843.1, 100.3)):
            net = OFAMobileNetV3(dm.ofa_mbv3_arch(w))
            net.set_active_subnet()
            self.assertAlmostEqual(count_macs(net, 224) / 1e6, mx, delta=0.1)
            net.set_active_subnet(3, 3, 2)
            self.assertAlmostEqual(count_macs(net, 160) / 1e6, mn, delta=0.1)

    def test_bad_arch_names_the_field(self):
        arch = dm.tiny_arch()
        arch["stages"][1]["act"] = "gelu"
        with self.assertRaisesRegex(ArchError, r"stages\[1\]\.act"):
            validate_arch(arch)
        arch = dm.tiny_arch()
        arch["stages"][0]["n_blocks"] = 1
        with self.assertRaisesRegex(ArchError, r"stages\[0\]\.n_blocks"):
            validate_arch(arch)
        with self.assertRaisesRegex(ArchError, "in_channels"):
            validate_arch({k: v for k, v in dm.tiny_arch().items() if k != "in_channels"})


class ElasticKernel(unittest.TestCase):
    def test_transform_is_crop_then_linear(self):
        net = tiny(1)
        conv = net.blocks[2].mobile_inverted_conv.depth_conv.conv
        w7 = conv.conv.weight.detach().numpy()
        m75 = getattr(conv, "7to5_matrix").detach().numpy()
        m53 = getattr(conv, "5to3_matrix").detach().numpy()
        c = 20
        k5 = (w7[:c, :, 1:6, 1:6].reshape(-1, 25) @ m75.T).reshape(c, 1, 5, 5)
        k3 = (k5[:, :, 1:4, 1:4].reshape(-1, 9) @ m53.T).reshape(c, 1, 3, 3)
        np.testing.assert_allclose(conv.active_filter(c, 5).detach().numpy(), k5,
                                   rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(conv.active_filter(c, 3).detach().numpy(), k3,
                                   rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(conv.active_filter(c, 7).detach().numpy(), w7[:c])

    def test_identity_matrices_give_the_centre_crop(self):
        net = OFAMobileNetV3(dm.tiny_arch())
        conv = net.blocks[1].mobile_inverted_conv.depth_conv.conv
        w = conv.conv.weight.detach()
        self.assertTrue(torch.equal(conv.active_filter(8, 3), w[:8, :, 2:5, 2:5]))


class ElasticWidthAndDepth(unittest.TestCase):
    def poison_outside(self, net, ks, e, d):
        """Set every weight a subnet must not read to NaN; return the poisoned count."""
        net.set_active_subnet(ks, e, d)
        n = 0
        with torch.no_grad():
            active = set(net.active_block_ids())
            for i, blk in enumerate(net.blocks):
                m = blk.mobile_inverted_conv
                if i == 0:
                    continue
                if i not in active:
                    for p in m.parameters():
                        p.fill_(float("nan"))
                        n += p.numel()
                    continue
                cin = m.inverted_bottleneck.conv.conv.in_channels
                mid = m.active_mid(cin)
                m.inverted_bottleneck.conv.conv.weight[mid:] = float("nan")
                m.depth_conv.conv.conv.weight[mid:] = float("nan")
                m.point_linear.conv.conv.weight[:, mid:] = float("nan")
                for bn in (m.inverted_bottleneck.bn.bn, m.depth_conv.bn.bn):
                    bn.weight[mid:] = float("nan")
                    bn.running_var[mid:] = float("nan")
                if hasattr(m.depth_conv, "se"):
                    hid = make_divisible(mid // 4, 8)
                    fc = m.depth_conv.se.fc
                    fc.reduce.weight[hid:] = float("nan")
                    fc.reduce.weight[:, mid:] = float("nan")
                    fc.expand.weight[mid:] = float("nan")
                    fc.expand.weight[:, hid:] = float("nan")
                    fc.reduce.bias[hid:] = float("nan")
                    n += 1
                if m.active_ks < 7:
                    # Only the centre ks x ks of the 7x7 is read.
                    s = (7 - 5) // 2 if m.active_ks == 5 else 1
                    w = m.depth_conv.conv.conv.weight
                    w[:, :, :s] = float("nan")
                    w[:, :, -s:] = float("nan")
                n += mid
        return n

    def test_subnet_reads_only_its_prefix(self):
        ks = [3, 5, 7, 5, 3, 7, 3, 5, 3]
        e = [3, 4, 6, 3, 6, 4, 4, 3, 3]
        d = [2, 3, 2]
        net = tiny(2)
        x = torch.randn(2, 1, 20, 20)
        self.assertGreater(self.poison_outside(net, ks, e, d), 0)
        net.set_active_subnet(ks, e, d)
        y = net(x)
        self.assertTrue(torch.isfinite(y).all())
        # ... and the poison is reachable: the largest subnet now reads NaN.
        net.set_active_subnet()
        self.assertFalse(torch.isfinite(net(x)).all())

    def test_static_copy_matches_supernet(self):
        net = tiny(3)
        rng = np.random.default_rng(3)
        for _ in range(3):
            cfg = dm.random_config(net.arch, rng, r=24)
            net.set_active_subnet(cfg["ks"], cfg["e"], cfg["d"])
            x = torch.randn(3, 1, 24, 24)
            with torch.no_grad():
                a = net(x)
                b = static_subnet.build(net, dict(cfg, bn=None))(x)
            self.assertLess(float((a - b).abs().max() / a.abs().max()), 1e-5)

    def test_any_resolution(self):
        net = tiny(4)
        for r in (8, 13, 28, 41):
            with torch.no_grad():
                self.assertEqual(tuple(net(torch.randn(2, 1, r, r)).shape), (2, 10))

    def test_bad_config_is_a_clear_error(self):
        net = tiny()
        with self.assertRaisesRegex(ValueError, r"ks\[2\]=4"):
            net.set_active_subnet([3, 3, 4] + [3] * 6, 3, 2)
        with self.assertRaisesRegex(ValueError, "expected 3 values"):
            net.set_active_subnet(3, 3, [2, 2])
        with self.assertRaisesRegex(ValueError, "input must be N x 1"):
            net(torch.zeros(1, 3, 8, 8))


class BatchNorm(unittest.TestCase):
    def test_recalibration_sets_batch_statistics(self):
        net = tiny(5)
        net.set_active_subnet(5, 3, 2)
        images = torch.randn(64, 1, 16, 16)
        seen = {}
        bn = net.blocks[4].mobile_inverted_conv.depth_conv.bn.bn
        h = bn.register_forward_hook(lambda m, i, o: seen.setdefault("x", i[0].detach()))
        before = bn.running_mean.clone()
        stats = recalibrate_bn(net, images, batch_size=64)
        h.remove()
        x = seen["x"]
        c = x.size(1)
        self.assertLess(c, bn.num_features)
        np.testing.assert_allclose(bn.running_mean[:c].numpy(), x.mean((0, 2, 3)).numpy(),
                                   rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(bn.running_var[:c].numpy(),
                                   x.var((0, 2, 3), unbiased=False).numpy(), rtol=1e-4, atol=1e-5)
        self.assertTrue(torch.equal(bn.running_mean[c:], before[c:]))
        # Exactly the BN layers this subnet uses, with their active widths.
        want = dm.active_bn_channels(net.arch, {"e": [3] * 9, "d": [2, 2, 2]})
        self.assertEqual({k: len(v[0]) for k, v in stats.items()}, want)

    def test_recalibrated_eval_matches_train_mode_on_that_batch(self):
        # Recalibrated on one batch, every BN's running stats are the batch
        # statistics of its input, so eval equals train-mode BN on that batch.
        net = tiny(6)
        net.set_active_subnet(7, 6, 3)
        x = torch.randn(32, 1, 12, 12)
        with torch.no_grad():
            ref = copy.deepcopy(net).train()(x)
        stats = recalibrate_bn(net, x, batch_size=32)
        with torch.no_grad():
            a = net.eval()(x)
        self.assertLess(float((a - ref).abs().max() / ref.abs().max()), 1e-4)
        # The returned statistics reproduce the state on a fresh copy.
        other = tiny(6)
        other.set_active_subnet(7, 6, 3)
        other.apply_bn_stats(stats)
        with torch.no_grad():
            self.assertTrue(torch.equal(other(x), a))

    def test_apply_bn_stats_rejects_unknown_module(self):
        net = tiny()
        with self.assertRaisesRegex(ValueError, "unknown module blocks.99"):
            net.apply_bn_stats({"blocks.99.x.bn": (np.zeros(8), np.ones(8))})


class Tensors(unittest.TestCase):
    def test_round_trip_and_shape_errors(self):
        net = tiny(7)
        t = net.export_tensors()
        self.assertFalse(any(k.endswith("num_batches_tracked") for k in t))
        other = OFAMobileNetV3(dm.tiny_arch())
        other.load_tensors(t)
        x = torch.randn(1, 1, 16, 16)
        with torch.no_grad():
            self.assertTrue(torch.equal(net(x), other.eval()(x)))
        t["classifier.linear.bias"] = np.zeros(11, np.float32)
        with self.assertRaisesRegex(ValueError, r"classifier.linear.bias has shape \(11,\)"):
            other.load_tensors(t)
        del t["classifier.linear.bias"]
        with self.assertRaisesRegex(ValueError, "missing 1 tensor"):
            other.load_tensors(t)


if __name__ == "__main__":
    unittest.main()
