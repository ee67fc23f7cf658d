"""Data sets for the course, all available offline.

Toy 2-D classification sets (MiniTorch's): `simple`, `diagonal` (alias `diag`), `split`,
`xor`, `circle`, `spiral`. Each `f(n, seed=0)` returns `(X, y)`: `X` a float32 tensor of shape
(n, 2) with points in the unit square, `y` an int64 tensor of n labels 0 or 1. The same
`(n, seed)` always gives the same points; the global generator is neither used nor changed.

    >>> X, y = minitorch.datasets.xor(100)

Real images: `digits()` gives the 1,797 8x8 handwritten digits that ship inside scikit-learn
(no download), and `load_mnist(folder)` reads MNIST's IDX files that you already have.
"""

import gzip
import math
import os
from pathlib import Path

import numpy as np

from . import dtypes
from .creation import tensor

__all__ = [
    "simple", "diagonal", "diag", "split", "xor", "circle", "spiral", "TOY_DATASETS",
    "digits", "load_mnist",
]


# ----- toy 2-D sets -----------------------------------------------------------------------
def _check_n(n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"the number of points must be a non-negative integer, got {n!r}")
    return int(n)


def _points(n, seed):
    """n points drawn uniformly from [0, 1)^2 by a generator of their own, seeded by `seed`."""
    return np.random.default_rng(seed).random((_check_n(n), 2))


def _as_tensors(points, labels):
    X = tensor(np.asarray(points, dtype=np.float32).reshape(-1, 2), dtype=dtypes.float32)
    y = tensor(np.asarray(labels, dtype=np.int64), dtype=dtypes.int64)
    return X, y


def simple(n, seed=0):
    """Label 1 left of the vertical line x1 = 0.5 (about half the points)."""
    X = _points(n, seed)
    return _as_tensors(X, X[:, 0] < 0.5)


def diagonal(n, seed=0):
    """Label 1 below the diagonal x1 + x2 = 0.5 (about one point in eight)."""
    X = _points(n, seed)
    return _as_tensors(X, X[:, 0] + X[:, 1] < 0.5)


diag = diagonal  # MiniTorch's name


def split(n, seed=0):
    """Label 1 in the two outer bands x1 < 0.2 and x1 > 0.8 (about 40% of the points)."""
    X = _points(n, seed)
    return _as_tensors(X, (X[:, 0] < 0.2) | (X[:, 0] > 0.8))


def xor(n, seed=0):
    """Label 1 in the top-left and bottom-right quadrants (about half the points)."""
    X = _points(n, seed)
    left, top = X[:, 0] < 0.5, X[:, 1] > 0.5
    right, bottom = X[:, 0] > 0.5, X[:, 1] < 0.5
    return _as_tensors(X, (left & top) | (right & bottom))


def circle(n, seed=0):
    """Label 1 outside the circle of radius sqrt(0.1) around the centre (about 69%)."""
    X = _points(n, seed)
    centred = X - 0.5
    return _as_tensors(X, (centred ** 2).sum(axis=1) > 0.1)


def spiral(n, seed=0):
    """Two interleaved spirals around (0.5, 0.5), label 0 for one and 1 for the other.

    MiniTorch's construction: arm 0 is the curve (t cos t, t sin t) / 20 + 0.5 and arm 1 its
    mirror image, sampled at evenly spaced angles, so it has no randomness and `seed` changes
    nothing. With n even the points equal MiniTorch's; with n odd arm 0 has one point more.
    The outermost turn reaches slightly past the unit square for small n (radius
    10 (1 + 4 / half) / 20 for half = n // 2 points on an arm).
    """
    n = _check_n(n)
    counts = (n - n // 2, n // 2)
    arms = []
    for arm, m in enumerate(counts):
        if m == 0:
            arms.append(np.zeros((0, 2)))
            continue
        t = 10.0 * np.arange(5, 5 + m, dtype=np.float64) / m
        if arm == 0:
            px, py = t * np.cos(t) / 20.0, t * np.sin(t) / 20.0
        else:  # MiniTorch's second arm: (y(-t), x(-t))
            px, py = -t * np.sin(-t) / 20.0, -t * np.cos(-t) / 20.0
        arms.append(np.stack([px + 0.5, py + 0.5], axis=1))
    labels = np.repeat([0, 1], counts)
    return _as_tensors(np.concatenate(arms), labels)


TOY_DATASETS = {
    "Simple": simple, "Diag": diagonal, "Split": split, "Xor": xor, "Circle": circle,
    "Spiral": spiral,
}


# ----- digits -----------------------------------------------------------------------------
def digits():
    """The 1,797 8x8 handwritten digits of scikit-learn (UCI optdigits), no download.

    Returns `(images, labels)`: float32 of shape (1797, 64), the pixel intensities 0..16
    scaled to [0, 1], each row an image read row by row (`images[i].reshape(8, 8)`); and int64
    labels 0..9.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError:  # pragma: no cover - scikit-learn is a declared dependency
        raise ImportError(
            "minitorch.datasets.digits() reads the digits that ship with scikit-learn: "
            "install it with `pip install 'scikit-learn>=1.5'`"
        ) from None
    bunch = load_digits()
    images = np.asarray(bunch.data, dtype=np.float32) / np.float32(16.0)
    labels = np.asarray(bunch.target, dtype=np.int64)
    return tensor(images, dtype=dtypes.float32), tensor(labels, dtype=dtypes.int64)


# ----- MNIST from IDX files ---------------------------------------------------------------
_IDX_UBYTE = 0x08  # the data-type code of unsigned bytes in an IDX header
_MNIST_FILES = {
    True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def _find(folder, name):
    """`folder/name`, or `folder/name.gz`; a FileNotFoundError listing both otherwise."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"MNIST file not found: neither {folder / name} nor {folder / name}.gz exists. "
        "load_mnist reads the IDX files you already have (it never downloads)."
    )


def _read_bytes(path):
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                return f.read()
        return path.read_bytes()
    except (OSError, EOFError) as err:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"{path}: cannot read the file ({err})") from err


def _read_idx(path, ndim):
    """The array in an IDX file of unsigned bytes with `ndim` dimensions, checked."""
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise ValueError(f"{path}: too short for an IDX header ({len(raw)} bytes)")
    zero, dtype_code, file_ndim = int.from_bytes(raw[:2], "big"), raw[2], raw[3]
    expected_magic = (_IDX_UBYTE << 8) | ndim
    magic = int.from_bytes(raw[:4], "big")
    if zero != 0 or dtype_code != _IDX_UBYTE or file_ndim != ndim:
        raise ValueError(
            f"{path}: bad magic number {magic} (0x{magic:08x}); expected {expected_magic} "
            f"(0x{expected_magic:08x}): an IDX file of unsigned bytes with {ndim} "
            f"dimension{'s' if ndim > 1 else ''}"
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated header: {len(raw)} bytes, expected at least "
                         f"{header}")
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    size = math.prod(shape)
    if len(raw) - header != size:
        raise ValueError(
            f"{path}: the header announces shape {shape} ({size} bytes of data) but the file "
            f"holds {len(raw) - header} bytes after the header"
            + (" (truncated?)" if len(raw) - header < size else "")
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def load_mnist(folder, train=True):
    """MNIST from the IDX files in `folder` (as distributed, optionally gzipped).

    Reads `train-images-idx3-ubyte` / `train-labels-idx1-ubyte` (or `t10k-...` with
    `train=False`), with or without `.gz`. Returns `(images, labels)`: float32 of shape
    (N, 28, 28) with the bytes scaled to [0, 1] (divided by 255), and int64 labels.
    Bad magic numbers, truncated files and mismatched counts raise ValueError naming the file.
    """
    folder = Path(os.fspath(folder))
    if not folder.is_dir():
        raise FileNotFoundError(f"MNIST folder not found: {folder}")
    image_name, label_name = _MNIST_FILES[bool(train)]
    image_path, label_path = _find(folder, image_name), _find(folder, label_name)
    images = _read_idx(image_path, 3)
    labels = _read_idx(label_path, 1)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{image_path} holds {images.shape[0]} images but {label_path} holds "
            f"{labels.shape[0]} labels"
        )
    if images.shape[1:] != (28, 28):
        raise ValueError(f"{image_path}: images are {images.shape[1]}x{images.shape[2]}, "
                         "expected MNIST's 28x28")
    if labels.size and labels.max() > 9:
        raise ValueError(f"{label_path}: label {int(labels.max())} is not a digit 0-9")
    scaled = images.astype(np.float32) / np.float32(255.0)
    return tensor(scaled, dtype=dtypes.float32), tensor(labels.astype(np.int64),
                                                       dtype=dtypes.int64)


mnist = load_mnist  # the name issue 11's notebooks use: `minitorch.datasets.mnist(path)`
