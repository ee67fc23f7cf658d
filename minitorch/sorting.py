"""Ordering and searching: `sort`, `argsort`, `topk` (differentiable in their values),
`unique`, and the binary searches `searchsorted` and `bucketize` (which give positions, so
no gradients).

The orders and positions are computed on the host with NumPy, as `nonzero` is: they are
integer bookkeeping, and the values they pick are gathered on the tensor's backend.

Each function takes the tensor first (`input`); `tensor.Tensor` binds it as the method of
the same name, and `minitorch` exports the PyTorch functions.
"""

import numpy as np

from . import dtypes
from . import tensor_functions as F
from .tensor_core import TensorCore
from .tensor_data import normalize_dim


def sort(input, dim=-1, descending=False, *, stable=False):
    """(values, indices): `input` sorted along `dim`, ascending unless `descending`, and the
    int64 positions the values came from. Equal values keep their order (so the sort is
    always stable); NaN sorts as the largest value."""
    d = normalize_dim(dim, input.dim())
    return F.Sort.apply(input, dim=d, descending=descending, stable=stable)


def argsort(input, dim=-1, descending=False, *, stable=False):
    """The int64 positions that sort `input` along `dim` (`sort(...).indices`)."""
    return sort(input, dim, descending, stable=stable).indices


def topk(input, k, dim=-1, largest=True, sorted=True):
    """(values, indices) of the `k` largest elements along `dim` (the smallest unless
    `largest`), in sorted order (also when `sorted=False`, which allows any order)."""
    d = normalize_dim(-1 if dim is None else dim, input.dim())
    n = input.shape[d] if input.dim() else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"selected index k out of range (k = {k}, and dimension {d} has "
                           f"{n} elements)")
    return F.Sort.apply(input, dim=d, descending=largest, k=k)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values of `input` in ascending order (the distinct slices along `dim`),
    and, when asked for, where each element went in them (`inverse`, int64, shaped like the
    input, or its length along `dim`) and how often each value occurs (`counts`). No
    gradient flows through it."""
    values = input._data.numpy()
    axis = None if dim is None else normalize_dim(dim, input.dim())
    found, inverse, counts = np.unique(values, return_inverse=True, return_counts=True,
                                       axis=axis)
    inverse = inverse.reshape(values.shape if axis is None else (values.shape[axis],))
    out = input._make_from_numpy(found, input.dtype)
    extra = [input._make_from_numpy(a, dtypes.int64) for a, wanted in
             ((inverse, return_inverse), (counts, return_counts)) if wanted]
    return (out, *extra) if extra else out


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None):
    """For each value of `input`, the position in `sorted_sequence` (ascending along its last
    dimension) where it would be inserted to keep it sorted: before equal values, or after
    them with `right=True` (`side="right"`). A sequence of several dimensions is searched
    row by row; its leading dimensions must match those of `input`."""
    if side not in (None, "left", "right"):
        raise RuntimeError(
            f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
    if side == "left" and right:
        raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got "
                           "side of left while right was True")
    side = side or ("right" if right else "left")
    boundaries = sorted_sequence._data.numpy()
    if sorter is not None:
        boundaries = np.take_along_axis(boundaries, sorter._data.numpy(), axis=-1)
    scalar = not isinstance(input, TensorCore)
    values = np.asarray(input) if scalar else input._data.numpy()
    if boundaries.ndim == 1:
        found = np.searchsorted(boundaries, values, side=side)
    elif values.ndim and boundaries.shape[:-1] == values.shape[:-1]:
        rows = boundaries.reshape(-1, boundaries.shape[-1])
        flat = values.reshape(len(rows), -1)
        found = np.stack([np.searchsorted(r, v, side=side) for r, v in zip(rows, flat)])
        found = found.reshape(values.shape)
    else:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(boundaries.shape)} and input value tensor "
            f"{list(values.shape)}")
    dtype = dtypes.int32 if out_int32 else dtypes.int64
    return sorted_sequence._make_from_numpy(found, dtype)


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """For each value of `input`, the index of its bucket among the ascending 1-D
    `boundaries`: `i` such that `boundaries[i-1] < x <= boundaries[i]`, or
    `boundaries[i-1] <= x < boundaries[i]` with `right=True`."""
    if boundaries.dim() != 1:
        raise RuntimeError(
            f"boundaries tensor must be 1 dimension, but got dim({boundaries.dim()})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
