"""Shared helpers of the Python tool tests: paths, small archs, ONNX peeking."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
OFA_DIR = os.path.join(TOP, "scripts", "ofa")
SHARED_DATA = os.path.abspath(os.path.join(TOP, "..", "shared", "data"))
SUBNETS_JSON = os.path.join(SHARED_DATA, "dynamic-ofa", "subnets.json")
INFER = os.path.join(os.environ.get("BUILD", os.path.join(TOP, "build")), "bin", "dnngov-infer")

for p in (OFA_DIR, os.path.join(TOP, "scripts", "bench")):
    if p not in sys.path:
        sys.path.insert(0, p)


def have_shared_data():
    return os.path.isfile(SUBNETS_JSON)


def _varint(buf, i):
    v = s = 0
    while True:
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << s
        s += 7
        if not b & 0x80:
            return v, i


def _fields(buf):
    """Yield (field number, wire type, value) of one protobuf message."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(buf, i)
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 2:
            n, i = _varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("unsupported protobuf wire type %d" % wt)
        yield num, wt, v


def _sub(buf, num):
    return [v for n, wt, v in _fields(buf) if n == num and wt == 2]


def onnx_io(path):
    """({input name: dims}, {output name: dims}, opset) of an ONNX file, without onnx.

    ModelProto: graph=7, opset_import=8 (version=2); GraphProto: input=11,
    output=12; ValueInfoProto: name=1, type=2; TypeProto.tensor_type=1;
    Tensor: shape=2; Shape.dim=1; Dimension: dim_value=1, dim_param=2."""
    with open(path, "rb") as f:
        buf = f.read()
    graph = _sub(buf, 7)[0]
    opset = max(v for op in _sub(buf, 8) for n, wt, v in _fields(op) if n == 2 and wt == 0)

    def vis(num):
        out = {}
        for vi in _sub(graph, num):
            name = _sub(vi, 1)[0].decode()
            dims = []
            for tt in _sub(_sub(vi, 2)[0], 1):
                for shape in _sub(tt, 2):
                    for dim in _sub(shape, 1):
                        vals = [v for n, wt, v in _fields(dim) if n == 1 and wt == 0]
                        dims.append(vals[0] if vals else _sub(dim, 2)[0].decode())
            out[name] = dims
        return out
    return vis(11), vis(12), opset
