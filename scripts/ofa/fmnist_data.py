"""Fashion-MNIST (Debian's dataset-fashion-mnist, IDX format) and the
bundled model's architecture, shared by train_fmnist.py and select_levels.py."""

import gzip
import os
import struct

import numpy as np
import torch

DATA_DIR = "/usr/share/datasets/fashion-mnist"

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

# A small OFA MobileNetV3 for 28x28 grayscale: stem stride 2 (28 -> 14), three
# elastic stages (14 -> 7 -> 4 -> 2), depth {2,3}, expand {3,4,6}, kernel
# {3,5,7}, resolutions 16..28. Max subnet ~4 MMACs, min ~0.4 MMACs.
FMNIST_ARCH = {
    "family": "ofa_mbv3", "in_channels": 1,
    "stem": {"out": 16, "kernel": 3, "stride": 2, "act": "h_swish"},
    "first_block": {"out": 16, "kernel": 3, "stride": 1, "act": "relu", "se": False},
    "stages": [
        {"width": 24, "n_blocks": 3, "stride": 2, "act": "relu", "se": False},
        # stride 1 here keeps 7x7 maps through this stage and 4x4 at the end
        # (not 2x2): +30 % training time for several points of accuracy
        {"width": 32, "n_blocks": 3, "stride": 1, "act": "h_swish", "se": True},
        {"width": 48, "n_blocks": 3, "stride": 2, "act": "h_swish", "se": True},
    ],
    "final_expand": 192, "feature_mix": 256, "n_classes": 10,
    "ks_list": [3, 5, 7], "expand_list": [3, 4, 6], "depth_list": [2, 3],
    "resolutions": [16, 20, 24, 28], "bn_eps": 1e-5, "channel_divisible": 8,
}


class DataError(RuntimeError):
    pass


def _read_idx(path, magic, dims):
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise DataError("cannot read %s (%s); install Debian's dataset-fashion-mnist "
                        "(scripts/deps.sh torch)" % (path, e))
    if len(raw) < 4 + 4 * dims or struct.unpack(">I", raw[:4])[0] != magic:
        raise DataError("%s is not an IDX file with magic 0x%08x" % (path, magic))
    shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims)
    if data.size != int(np.prod(shape)):
        raise DataError("%s: header says %s, file holds %d bytes" % (path, shape, data.size))
    return data.reshape(shape)


def load_split(split, data_dir=DATA_DIR):
    """(images uint8 N x 28 x 28, labels int64 N) for 'train' or 't10k'."""
    x = _read_idx(os.path.join(data_dir, "%s-images-idx3-ubyte.gz" % split), 0x803, 3)
    y = _read_idx(os.path.join(data_dir, "%s-labels-idx1-ubyte.gz" % split), 0x801, 1)
    if len(x) != len(y):
        raise DataError("%s: %d images but %d labels" % (split, len(x), len(y)))
    return torch.from_numpy(x.copy()), torch.from_numpy(y.astype(np.int64))


def normalization_of(train_images):
    x = train_images.float() / 255.0
    return {"mean": [round(float(x.mean()), 4)], "std": [round(float(x.std()), 4)]}


def to_input(images_u8, norm, r):
    """uint8 N x 28 x 28 -> normalised float N x 1 x r x r (bilinear resize)."""
    from ofa_mbv3 import resize_batch
    x = images_u8.float().unsqueeze(1) / 255.0
    x = (x - norm["mean"][0]) / norm["std"][0]
    return resize_batch(x, r)


def calib_images(train_images, n, seed=0):
    """A fixed random subset of training images for BN recalibration."""
    g = torch.Generator().manual_seed(seed)
    idx = torch.randperm(len(train_images), generator=g)[:n]
    return train_images[idx]
