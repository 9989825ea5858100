"""convert_ofa.py on synthetic checkpoints with OFA's published key layout and shapes.

The real ofa_mbv3_d234_e346_k357_w{1.0,1.2} files can't be downloaded here, so
the checkpoints are random weights under the names and shapes those files
use, saved in both torch serialisations."""

import json
import os
import subprocess
import sys
import tempfile
import unittest
import zipfile

import numpy as np
import torch

from ofa_testutil import OFA_DIR, SHARED_DATA, SUBNETS_JSON, have_shared_data
import convert_ofa
import dnngov_model as dm
from ofa_mbv3 import OFAMobileNetV3


def legacy_state_dict(arch, seed):
    """Random weights as an OFA state_dict (legacy names, with num_batches_tracked)."""
    sd = {k: torch.from_numpy(v) for k, v in dm.random_tensors(arch, seed).items()}
    for k in list(sd):
        if k.endswith(".running_var"):
            sd[k[:-len("running_var")] + "num_batches_tracked"] = torch.tensor(1000)
    return sd


def rename(sd, old, new):
    return {k.replace(old, new): v for k, v in sd.items()}


class Convert(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.arch10 = dm.ofa_mbv3_arch(1.0)
        cls.arch12 = dm.ofa_mbv3_arch(1.2)
        cls.sd10 = legacy_state_dict(cls.arch10, 10)
        cls.sd12 = legacy_state_dict(cls.arch12, 12)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def save(self, obj, name, legacy):
        p = self.path(name)
        torch.save(obj, p, _use_new_zipfile_serialization=not legacy)
        self.assertEqual(zipfile.is_zipfile(p), not legacy)
        return p

    def check_same(self, out, sd_legacy, arch, cfg, r):
        m = dm.read_model(out)
        self.assertEqual(m["arch"], arch)
        for k, v in m["tensors"].items():
            np.testing.assert_array_equal(v, sd_legacy[k].numpy(), err_msg=k)
        # The converted file and the source weights compute the same subnet.
        a, b = OFAMobileNetV3(arch).eval(), OFAMobileNetV3(m["arch"]).eval()
        a.load_tensors({k: v for k, v in sd_legacy.items()
                        if not k.endswith("num_batches_tracked")})
        b.load_tensors(m["tensors"])
        x = torch.randn(1, 3, r, r)
        for net in (a, b):
            net.set_active_subnet(*cfg)
        with torch.no_grad():
            self.assertTrue(torch.equal(a(x), b(x)))
        return m

    def test_legacy_serialisation_old_names_w10(self):
        src = self.save({"state_dict": self.sd10, "epoch": 3}, "w10_legacy", legacy=True)
        out = self.path("w10.dnngov")
        arch, levels = convert_ofa.convert(src, out)
        self.assertEqual(arch["stem"]["out"], 16)
        self.assertEqual(arch["final_expand"], 960)
        self.assertEqual([lv["name"] for lv in levels], ["max"])
        self.check_same(out, self.sd10, self.arch10, ([3, 5, 7, 5] * 5, [3, 4, 6, 4] * 5,
                                                      [2, 3, 4, 3, 2]), 64)

    def test_zip_serialisation_new_names_w12(self):
        sd = rename(self.sd12, ".mobile_inverted_conv.", ".conv.")
        self.assertIn("blocks.5.conv.depth_conv.se.fc.reduce.weight", sd)
        src = self.save(sd, "w12_zip", legacy=False)
        out = self.path("w12.dnngov")
        arch, _ = convert_ofa.convert(src, out)
        self.assertEqual((arch["stem"]["out"], arch["final_expand"], arch["feature_mix"]),
                         (24, 1152, 1536))
        self.check_same(out, self.sd12, self.arch12, (7, 6, 4), 48)

    def test_aliases_and_dataparallel_prefix(self):
        sd = rename(self.sd10, ".bn.bn.", ".bn.")
        sd = rename(sd, ".conv.conv.weight", ".conv.weight")
        sd = {"module." + k: v for k, v in rename(sd, "classifier.linear.",
                                                   "classifier.linear.linear.").items()}
        self.assertIn("module.blocks.3.mobile_inverted_conv.inverted_bottleneck.bn.weight", sd)
        src = self.save({"state_dict": sd}, "w10_alias", legacy=True)
        out = self.path("alias.dnngov")
        convert_ofa.convert(src, out)
        self.check_same(out, self.sd10, self.arch10, (3, 3, 2), 32)

    def test_wrong_shape_names_the_key(self):
        sd = dict(self.sd10)
        k = "blocks.7.mobile_inverted_conv.point_linear.conv.conv.weight"
        sd[k] = torch.zeros(40, 239, 1, 1)
        src = self.save(sd, "badshape", legacy=False)
        with self.assertRaisesRegex(convert_ofa.ConvertError,
                                    r"blocks\.7\..*point_linear.* has shape \(40, 239, 1, 1\)"
                                    r".*needs \(40, 240, 1, 1\)"):
            convert_ofa.convert(src, self.path("x.dnngov"))

    def test_missing_and_unknown_keys(self):
        sd = dict(self.sd10)
        del sd["blocks.12.mobile_inverted_conv.depth_conv.conv.5to3_matrix"]
        src = self.save(sd, "missing", legacy=False)
        with self.assertRaisesRegex(convert_ofa.ConvertError,
                                    r"1 tensor\(s\) missing.*blocks\.12\..*5to3_matrix"):
            convert_ofa.convert(src, self.path("x.dnngov"))
        sd = dict(self.sd10)
        sd["blocks.3.mobile_inverted_conv.extra.weight"] = torch.zeros(3)
        src = self.save(sd, "unknown", legacy=False)
        with self.assertRaisesRegex(convert_ofa.ConvertError, r"'blocks\.3\..*extra\.weight'"):
            convert_ofa.convert(src, self.path("x.dnngov"))

    def test_not_an_ofa_checkpoint(self):
        p = self.path("garbage")
        with open(p, "wb") as f:
            f.write(b"not a torch file")
        with self.assertRaisesRegex(convert_ofa.ConvertError, "not a readable torch checkpoint"):
            convert_ofa.convert(p, self.path("x.dnngov"))
        sd = dict(self.sd10)
        sd["first_conv.conv.weight"] = torch.zeros(20, 3, 3, 3)
        src = self.save(sd, "w20", legacy=False)
        with self.assertRaisesRegex(convert_ofa.ConvertError, "20 output channels"):
            convert_ofa.convert(src, self.path("x.dnngov"))
        src = self.save([1, 2], "list", legacy=False)
        with self.assertRaisesRegex(convert_ofa.ConvertError, "expected a state_dict"):
            convert_ofa.convert(src, self.path("x.dnngov"))
        src = self.save({"state_dict": {"first_conv.conv.weight": 3}}, "int", legacy=False)
        with self.assertRaisesRegex(convert_ofa.ConvertError,
                                    "'first_conv.conv.weight' is not a named tensor"):
            convert_ofa.convert(src, self.path("x.dnngov"))

    @unittest.skipUnless(have_shared_data(), "needs ../shared/data")
    def test_dynamic_ofa_library(self):
        src = self.save({"state_dict": self.sd12}, "w12_lib", legacy=True)
        out = self.path("nets6.dnngov")
        convert_ofa.convert(src, out, library="nets_6", data_dir=SHARED_DATA)
        m = dm.read_model(out)
        with open(SUBNETS_JSON) as f:
            lib = json.load(f)["libraries"]["nets_6"]
        self.assertEqual([lv["r"] for lv in m["levels"]], [x["r"] for x in lib])
        self.assertEqual([lv["d"] for lv in m["levels"]], [x["d"] for x in lib])
        self.assertEqual(m["levels"][0]["ks"], lib[0]["ks"])
        src10 = self.save({"state_dict": self.sd10}, "w10_lib", legacy=False)
        with self.assertRaisesRegex(convert_ofa.ConvertError, "w1.2 library"):
            convert_ofa.convert(src10, out, library="nets_7", data_dir=SHARED_DATA)

    def test_cli_reports_errors_without_traceback(self):
        p = subprocess.run([sys.executable, os.path.join(OFA_DIR, "convert_ofa.py"),
                            self.path("does-not-exist"), self.path("x.dnngov")],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("convert_ofa: ", p.stderr)
        self.assertIn("no such file", p.stderr)
        self.assertNotIn("Traceback", p.stderr)
        src = self.save({"state_dict": self.sd10}, "cli", legacy=True)
        p = subprocess.run([sys.executable, os.path.join(OFA_DIR, "convert_ofa.py"), src,
                            self.path("cli.dnngov"), "--library", "bogus"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("--library must be", p.stderr)


if __name__ == "__main__":
    unittest.main()
