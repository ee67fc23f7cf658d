"""minitorch.utils.data against torch.utils.data, where PyTorch is installed.

- `default_collate` gives the same structure, dtypes, shapes and values for the sample
  types it covers (tensors, NumPy arrays and scalars, Python numbers, strings, dicts,
  namedtuples, lists, tuples);
- `random_split` gives the same split sizes (the permutation itself comes from a different
  random generator, so only sizes and the partition property are compared), and the same
  error class for bad lengths;
- `DataLoader` gives the same number of batches and batch shapes.
"""

import collections

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minitorch  # noqa: E402
from minitorch.utils import data as mdata  # noqa: E402

tdata = torch.utils.data

Point = collections.namedtuple("Point", "x y")


def in_torch(sample):
    """The same sample built with torch tensors instead of minitorch ones."""
    if isinstance(sample, minitorch.Tensor):
        return torch.from_numpy(sample.numpy().copy())
    if isinstance(sample, dict):
        return {k: in_torch(v) for k, v in sample.items()}
    if isinstance(sample, Point):
        return Point(*(in_torch(v) for v in sample))
    if isinstance(sample, (list, tuple)):
        return type(sample)(in_torch(v) for v in sample)
    return sample


def assert_same(ours, theirs, where="batch"):
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, minitorch.Tensor), f"{where}: {type(ours).__name__}"
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], where
        assert tuple(ours.shape) == tuple(theirs.shape), where
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy(), err_msg=where)
    elif isinstance(theirs, dict):
        assert type(ours) is type(theirs) and list(ours) == list(theirs), where
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{where}[{key!r}]")
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f"{where}[{i}]")
    else:
        assert ours == theirs, where


SAMPLES = {
    "tensors": lambda i: minitorch.tensor([[i, i + 1.0]]),
    "int tensors": lambda i: minitorch.tensor([i, 2 * i]),
    "0-d tensors": lambda i: minitorch.tensor(i),
    "pairs": lambda i: (minitorch.tensor([i * 0.5, 1.0]), minitorch.tensor(i % 3)),
    "floats": lambda i: i * 0.25,
    "ints": lambda i: i,
    "bools": lambda i: i % 2 == 0,
    "strings": lambda i: f"s{i}",
    "numpy float32": lambda i: np.full((2, 2), i, np.float32),
    "numpy int64 scalars": lambda i: np.int64(i),
    "numpy float64 scalars": lambda i: np.float64(i / 3),
    "dicts": lambda i: {"x": minitorch.tensor([float(i)]), "label": i, "name": str(i)},
    "namedtuples": lambda i: Point(i, float(i)),
    "lists": lambda i: [i, minitorch.tensor([i, i])],
    "nested": lambda i: {"pair": (i, [i * 1.0, "a"]), "t": minitorch.tensor([[i]])},
}


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_default_collate_matches_pytorch(kind):
    samples = [SAMPLES[kind](i) for i in range(4)]
    ours = mdata.default_collate(samples)
    theirs = tdata.default_collate([in_torch(s) for s in samples])
    assert_same(ours, theirs, kind)


@pytest.mark.parametrize("n, lengths", [
    (10, [3, 7]),
    (10, [0.5, 0.5]),
    (10, [0.33, 0.33, 0.34]),
    (30, [0.3, 0.3, 0.4]),
    (11, [0.8, 0.2]),
    (101, [0.7, 0.2, 0.1]),
    (1797, [0.8, 0.2]),
    (7, [0.25, 0.25, 0.25, 0.25]),
    (3, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
    (0, [0.5, 0.5]),
])
def test_random_split_sizes_match_pytorch(n, lengths):
    with pytest.warns() if n < len(lengths) else _no_warning():
        ours = [len(s) for s in mdata.random_split(range(n), lengths)]
    with pytest.warns() if n < len(lengths) else _no_warning():
        theirs = [len(s) for s in tdata.random_split(range(n), lengths)]
    assert ours == theirs


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("lengths", [[3, 3], [0.5, 0.25], [0.5, 1.5, -1.0]])
def test_random_split_errors_match_pytorch(lengths):
    with pytest.raises(ValueError) as theirs:
        tdata.random_split(range(10), lengths)
    with pytest.raises(ValueError) as ours:
        mdata.random_split(range(10), lengths)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("n, batch_size, drop_last", [(10, 3, False), (10, 3, True),
                                                      (8, 4, False), (5, 8, False),
                                                      (5, 8, True)])
def test_loader_lengths_and_batch_shapes_match_pytorch(n, batch_size, drop_last):
    x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n, dtype=np.int64)
    ours = mdata.DataLoader(mdata.TensorDataset(minitorch.tensor(x), minitorch.tensor(y)),
                            batch_size=batch_size, drop_last=drop_last)
    theirs = tdata.DataLoader(tdata.TensorDataset(torch.tensor(x), torch.tensor(y)),
                              batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert_same(a, b)
