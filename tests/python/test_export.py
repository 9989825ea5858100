"""export_onnx.py: static ONNX graphs of model-file levels and configs."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import torch

from ofa_testutil import OFA_DIR, TOP, onnx_io
import dnngov_model as dm
import export_onnx
import static_subnet

ORT = os.path.join(TOP, "scripts", "bench", "node_modules", "onnxruntime-node")
RUN_ORT = r"""
const ort = require(process.argv[2]);
const fs = require('fs');
(async () => {
  const s = await ort.InferenceSession.create(process.argv[3]);
  const buf = fs.readFileSync(process.argv[4]);
  const x = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  const dims = JSON.parse(process.argv[5]);
  const r = await s.run({x: new ort.Tensor('float32', x, dims)});
  fs.writeFileSync(process.argv[6], Buffer.from(r.logits.data.buffer));
})().catch(e => { console.error(e); process.exit(1); });
"""


class Export(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        arch = dm.tiny_arch()
        rng = np.random.default_rng(5)
        levels = [dict(dm.random_config(arch, rng, r=r), name="L%d" % (i + 1),
                       accuracy=80.0 + i, latency_ms=None, bn=None)
                  for i, r in enumerate((20, 28))]
        levels[1]["bn"] = {p: ((0.1 * rng.standard_normal(c)).astype(np.float32),
                               rng.uniform(0.5, 1.5, c).astype(np.float32))
                           for p, c in dm.active_bn_channels(arch, levels[1]).items()}
        cls.model = os.path.join(cls.tmp.name, "tiny.dnngov")
        dm.write_model(cls.model, arch, dm.random_tensors(arch, 5), levels,
                       ["c%d" % i for i in range(10)], {"mean": [0.5], "std": [0.25]})

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def out(self, name):
        return os.path.join(self.tmp.name, name)

    def test_level_graph_io(self):
        onnx = self.out("l2.onnx")
        export_onnx.export(self.model, onnx, level=2)
        inputs, outputs, opset = onnx_io(onnx)
        self.assertEqual(inputs, {"x": [1, 1, 28, 28]})
        self.assertEqual(outputs, {"logits": [1, 10]})
        self.assertEqual(opset, 13)

    def test_config_graph_io(self):
        cfg = {"ks": [3] * 9, "e": [4] * 9, "d": [2, 3, 2], "r": 17}
        path = self.out("cfg.json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        onnx = self.out("cfg.onnx")
        p = subprocess.run([sys.executable, os.path.join(OFA_DIR, "export_onnx.py"), self.model,
                            onnx, "--config", path], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(onnx_io(onnx)[0], {"x": [1, 1, 17, 17]})

    def test_static_graph_uses_level_bn(self):
        net, model = static_subnet.load_supernet(self.model)
        lv = model["levels"][1]
        x = torch.randn(1, 1, 28, 28)
        with torch.no_grad():
            a = static_subnet.build(net, lv)(x)
            net.apply_bn_stats(lv["bn"])
            net.set_active_subnet(lv["ks"], lv["e"], lv["d"])
            b = net(x)
        self.assertLess(float((a - b).abs().max() / b.abs().max()), 1e-5)

    @unittest.skipUnless(shutil.which("node") and os.path.isdir(ORT),
                         "needs node and scripts/bench/node_modules/onnxruntime-node")
    def test_onnx_runtime_agrees(self):
        onnx = self.out("ort.onnx")
        static, lv = export_onnx.export(self.model, onnx, level=1)
        x = np.random.default_rng(1).standard_normal((1, 1, 20, 20)).astype(np.float32)
        xin, yout = self.out("x.f32"), self.out("y.f32")
        x.tofile(xin)
        js = self.out("run.js")
        with open(js, "w") as f:
            f.write(RUN_ORT)
        p = subprocess.run(["node", js, ORT, onnx, xin, "[1,1,20,20]", yout],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        got = np.fromfile(yout, dtype=np.float32)
        with torch.no_grad():
            want = static(torch.from_numpy(x)).numpy()[0]
        self.assertLess(float(np.abs(got - want).max() / np.abs(want).max()), 1e-4)

    def test_errors(self):
        with self.assertRaisesRegex(export_onnx.ExportError, "levels 1..2"):
            export_onnx.export(self.model, self.out("x.onnx"), level=3)
        with self.assertRaisesRegex(export_onnx.ExportError, "exactly one"):
            export_onnx.export(self.model, self.out("x.onnx"))
        with self.assertRaisesRegex(export_onnx.ExportError, r"config\.d"):
            export_onnx.export(self.model, self.out("x.onnx"),
                               config={"ks": [3] * 9, "e": [3] * 9, "d": [2], "r": 20})


if __name__ == "__main__":
    unittest.main()
