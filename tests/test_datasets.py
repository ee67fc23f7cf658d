"""minitorch.datasets: the toy 2-D sets, the packaged digits, and the MNIST IDX reader."""

import gzip
import math
import struct

import numpy as np
import pytest

import minitorch
from minitorch import datasets

# name -> (function, the label rule as MiniTorch states it, expected share of label 1)
TOY = {
    "simple": (datasets.simple, lambda a, b: a < 0.5, 0.5),
    "diagonal": (datasets.diagonal, lambda a, b: a + b < 0.5, 0.125),
    "split": (datasets.split, lambda a, b: a < 0.2 or a > 0.8, 0.4),
    "xor": (datasets.xor, lambda a, b: (a < 0.5 and b > 0.5) or (a > 0.5 and b < 0.5), 0.5),
    "circle": (datasets.circle, lambda a, b: (a - 0.5) ** 2 + (b - 0.5) ** 2 > 0.1,
               1 - math.pi * 0.1),
}


# ----- toy sets ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", [*TOY, "spiral"])
def test_toy_sets_have_the_promised_shapes_and_dtypes(name):
    make = getattr(datasets, name)
    for n in (0, 1, 7, 100):
        X, y = make(n)
        assert isinstance(X, minitorch.Tensor) and isinstance(y, minitorch.Tensor)
        assert tuple(X.shape) == (n, 2) and X.dtype == minitorch.float32
        assert tuple(y.shape) == (n,) and y.dtype == minitorch.int64
        assert set(y.tolist()) <= {0, 1}


@pytest.mark.parametrize("name", list(TOY))
def test_random_toy_sets_lie_in_the_unit_square_and_follow_their_rule(name):
    make, rule, _ = TOY[name]
    X, y = make(500)
    points = X.numpy()
    assert points.min() >= 0 and points.max() < 1
    expected = [int(rule(a, b)) for a, b in points.astype(np.float64)]
    # float32 rounding may move a point that lies within 1e-6 of a boundary
    disagree = sum(e != label for e, label in zip(expected, y.tolist()))
    assert disagree <= 1


@pytest.mark.parametrize("name", list(TOY))
def test_toy_label_balance_is_what_the_rule_gives(name):
    make, _, share = TOY[name]
    y = make(4000)[1].numpy()
    assert y.mean() == pytest.approx(share, abs=0.03)
    assert 0 < y.sum() < len(y)


@pytest.mark.parametrize("name", [*TOY, "spiral"])
def test_toy_sets_are_deterministic_and_leave_the_global_generator_alone(name):
    make = getattr(datasets, name)
    minitorch.manual_seed(0)
    before = minitorch.rand(3).tolist()
    minitorch.manual_seed(0)
    a, b = make(50), make(50)
    assert minitorch.rand(3).tolist() == before
    np.testing.assert_array_equal(a[0].numpy(), b[0].numpy())
    np.testing.assert_array_equal(a[1].numpy(), b[1].numpy())


@pytest.mark.parametrize("name", list(TOY))
def test_the_seed_changes_the_random_toy_sets(name):
    make = TOY[name][0]
    assert not np.array_equal(make(50, seed=0)[0].numpy(), make(50, seed=1)[0].numpy())
    np.testing.assert_array_equal(make(50, seed=3)[0].numpy(), make(50, seed=3)[0].numpy())


def test_spiral_matches_minitorchs_construction():
    """MiniTorch's own formula (its datasets.spiral), written out with Python floats."""

    def x(t):
        return t * math.cos(t) / 20.0

    def y(t):
        return t * math.sin(t) / 20.0

    n = 100
    h = n // 2
    expected = [(x(10.0 * (i / h)) + 0.5, y(10.0 * (i / h)) + 0.5) for i in range(5, 5 + h)]
    expected += [(y(-10.0 * (i / h)) + 0.5, x(-10.0 * (i / h)) + 0.5) for i in range(5, 5 + h)]
    X, labels = datasets.spiral(n)
    np.testing.assert_allclose(X.numpy(), np.array(expected, dtype=np.float32), rtol=1e-6)
    assert labels.tolist() == [0] * h + [1] * h


def test_spiral_is_centred_on_the_middle_of_the_square():
    X, y = datasets.spiral(1000)
    points = X.numpy()
    np.testing.assert_allclose(points.mean(axis=0), [0.5, 0.5], atol=0.05)
    assert points.min() > 0 and points.max() < 1
    assert y.tolist().count(0) == y.tolist().count(1) == 500
    assert datasets.spiral(7)[1].tolist() == [0, 0, 0, 0, 1, 1, 1]


def test_diag_is_minitorchs_name_for_diagonal_and_the_table_lists_all_six():
    assert datasets.diag is datasets.diagonal
    assert sorted(datasets.TOY_DATASETS) == ["Circle", "Diag", "Simple", "Spiral", "Split", "Xor"]


@pytest.mark.parametrize("n", [-1, 2.5, "10", True])
def test_a_bad_number_of_points_is_refused(n):
    with pytest.raises(ValueError, match="non-negative integer"):
        datasets.xor(n)


# ----- digits ---------------------------------------------------------------------------
def test_digits_are_1797_images_of_64_pixels_in_the_unit_interval():
    images, labels = datasets.digits()
    assert tuple(images.shape) == (1797, 64) and images.dtype == minitorch.float32
    assert tuple(labels.shape) == (1797,) and labels.dtype == minitorch.int64
    pixels = images.numpy()
    assert pixels.min() == 0.0 and pixels.max() == 1.0
    assert sorted(set(labels.tolist())) == list(range(10))
    assert np.bincount(labels.numpy()).min() >= 170  # about 180 of each digit
    # the pixels are multiples of 1/16 (intensities 0..16)
    np.testing.assert_allclose(pixels * 16, np.round(pixels * 16), atol=1e-5)


def test_digit_zero_looks_like_a_zero():
    images, labels = datasets.digits()
    zero = images.numpy()[labels.numpy() == 0].mean(axis=0).reshape(8, 8)
    assert zero[3:5, 3:5].mean() < 0.2 < zero[3:5, 1].mean()  # a hole in a ring


# ----- MNIST IDX files --------------------------------------------------------------------
def idx_bytes(array, magic=None):
    array = np.asarray(array, dtype=np.uint8)
    magic = (0x08 << 8 | array.ndim) if magic is None else magic
    return struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape) + \
        array.tobytes()


def write_mnist(folder, n=5, train=True, gz=False, images=None, labels=None):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, 28, 28)) if images is None else images
    labels = rng.integers(0, 10, n) if labels is None else labels
    prefix = "train" if train else "t10k"
    for name, data in ((f"{prefix}-images-idx3-ubyte", idx_bytes(images)),
                       (f"{prefix}-labels-idx1-ubyte", idx_bytes(labels))):
        if gz:
            with gzip.open(folder / f"{name}.gz", "wb") as f:
                f.write(data)
        else:
            (folder / name).write_bytes(data)
    return np.asarray(images, dtype=np.uint8), np.asarray(labels)


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("train", [True, False])
def test_load_mnist_reads_idx_files_plain_or_gzipped(tmp_path, gz, train):
    raw_images, raw_labels = write_mnist(tmp_path, n=6, train=train, gz=gz)
    images, labels = datasets.load_mnist(tmp_path, train=train)
    assert tuple(images.shape) == (6, 28, 28) and images.dtype == minitorch.float32
    assert labels.dtype == minitorch.int64 and labels.tolist() == raw_labels.tolist()
    np.testing.assert_allclose(images.numpy(), raw_images / 255.0, rtol=1e-6)
    assert images.numpy().max() <= 1.0


def test_load_mnist_reads_the_split_asked_for(tmp_path):
    write_mnist(tmp_path, n=4, train=True)
    write_mnist(tmp_path, n=2, train=False)
    assert datasets.load_mnist(str(tmp_path))[0].shape[0] == 4
    assert datasets.load_mnist(tmp_path, train=False)[0].shape[0] == 2


def test_load_mnist_says_which_file_is_missing(tmp_path):
    write_mnist(tmp_path, train=True)
    with pytest.raises(FileNotFoundError, match=r"t10k-images-idx3-ubyte.*\.gz.*never downloads"):
        datasets.load_mnist(tmp_path, train=False)
    with pytest.raises(FileNotFoundError, match="MNIST folder not found"):
        datasets.load_mnist(tmp_path / "nowhere")


def test_load_mnist_rejects_a_bad_magic_number(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(
        idx_bytes(np.zeros(5), magic=0x00000803))
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte: bad magic number 2051 "
                                         r"\(0x00000803\); expected 2049"):
        datasets.load_mnist(tmp_path)


def test_load_mnist_rejects_a_truncated_file(tmp_path):
    write_mnist(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte: the header announces "
                                         r"shape \(5, 28, 28\).*truncated"):
        datasets.load_mnist(tmp_path)
    path.write_bytes(b"\x00\x00")
    with pytest.raises(ValueError, match="too short for an IDX header"):
        datasets.load_mnist(tmp_path)


def test_load_mnist_rejects_a_corrupted_gzip(tmp_path):
    write_mnist(tmp_path, gz=True)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte\.gz: cannot read the file"):
        datasets.load_mnist(tmp_path)


def test_load_mnist_rejects_mismatched_counts_and_sizes(tmp_path):
    write_mnist(tmp_path, images=np.zeros((5, 28, 28)), labels=np.zeros(4))
    with pytest.raises(ValueError, match="holds 5 images but .* holds 4 labels"):
        datasets.load_mnist(tmp_path)
    write_mnist(tmp_path, images=np.zeros((5, 8, 8)), labels=np.zeros(5))
    with pytest.raises(ValueError, match="images are 8x8, expected MNIST's 28x28"):
        datasets.load_mnist(tmp_path)
    write_mnist(tmp_path, labels=np.full(5, 12))
    with pytest.raises(ValueError, match="label 12 is not a digit"):
        datasets.load_mnist(tmp_path)
