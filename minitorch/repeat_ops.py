"""Copies that lay a tensor out several times: `repeat` and `tile` (whole tensor, per
dimension), `repeat_interleave` (each element in place), and `meshgrid` (coordinate grids,
as broadcast views).

Each function takes the tensor first (`input`); `tensor.Tensor` binds it as the method of
the same name, and `minitorch` exports the PyTorch functions among them.
"""

import warnings

import numpy as np

from . import dtypes
from . import tensor_functions as F
from .shape_ops import sizes_arg
from .tensor_core import TensorCore
from .tensor_data import normalize_dim


def repeat(input, *repeats):
    """`input` laid out `repeats[d]` times along each dimension `d`; extra leading `repeats`
    add dimensions (`tensor([1, 2]).repeat(2)` is [1, 2, 1, 2])."""
    repeats = sizes_arg(repeats, "repeats")
    if len(repeats) < input.dim():
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           f"of dimensions of tensor (repeat dims {list(repeats)}, tensor of "
                           f"shape {list(input.shape)})")
    shape = (1,) * (len(repeats) - input.dim()) + tuple(input.shape)
    negative = [r * n for r, n in zip(repeats, shape) if r < 0]
    if negative:
        raise RuntimeError(f"Trying to create tensor with negative dimension {negative[0]}: "
                           f"{[r * n for r, n in zip(repeats, shape)]}")
    return F.Repeat.apply(input, repeats=repeats)


def tile(input, dims):
    """`repeat`, where fewer `dims` than dimensions repeat the last ones (the others once)."""
    dims = sizes_arg((dims,) if isinstance(dims, int) else tuple(dims), "dims")
    return repeat(input, *((1,) * (input.dim() - len(dims)) + dims))


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element repeated in place along `dim` (over the flattened tensor without `dim`):
    `repeats` times, or `repeats[i]` times for element `i` (a tensor of counts).

    `repeat_interleave(counts)` alone repeats each index `i` `counts[i]` times.
    """
    if repeats is None:
        return _indices_repeated(input)
    if dim is None:
        input, d = input.reshape(-1), 0
    else:
        d = normalize_dim(dim, input.dim())
    if isinstance(repeats, TensorCore) and repeats.numel() != 1:
        if repeats.dim() != 1 or repeats.shape[0] != input.shape[d]:
            raise RuntimeError(
                "repeats must have the same size as input along dim, but got "
                f"repeats.size(0) = {repeats.shape[0] if repeats.dim() else 1} and "
                f"input.size({d}) = {input.shape[d]}")
        return input.index_select(d, _indices_repeated(repeats, output_size))
    count = int(repeats)
    if count < 0:
        raise RuntimeError("Repeats must be non-negative")
    spread = input.unsqueeze(d + 1)
    shape = list(spread.shape)
    shape[d + 1] = count
    merged = list(input.shape)
    merged[d] *= count
    return spread.expand(*shape).reshape(*merged)


def _indices_repeated(counts, output_size=None):
    """0, 1, ... each repeated `counts[i]` times (int64), computed on the host."""
    if counts.dtype.is_floating_point or counts.dtype is dtypes.bool_:
        raise NotImplementedError(
            f'"repeat_interleave" not implemented for \'{counts.dtype.torch_name}\' '
            "(repeats must be an integer tensor)")
    values = counts._data.numpy().reshape(-1)
    if (values < 0).any():
        raise RuntimeError("repeats can not be negative")
    out = np.repeat(np.arange(values.size, dtype=np.int64), values)
    if output_size is not None and output_size != out.size:
        raise RuntimeError(f"allocated size does not match required size (output_size = "
                           f"{output_size}, required {out.size})")
    return counts._make_from_numpy(out, dtypes.int64)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids of 1-D tensors, as broadcast views: with `indexing="ij"` the result
    has shape (len(t0), len(t1), ...) and grid `i` varies along dimension `i`; `"xy"` swaps
    the first two dimensions (Cartesian, as NumPy's default)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    for t in tensors:
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype (got "
                               f"{tensors[0].dtype} and {t.dtype})")
        if t.dim() > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got a tensor of shape {list(t.shape)}")
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(tensors)
    for t, axis in zip(tensors, axes):
        shape[axis] = t.numel()
    grids = []
    for t, axis in zip(tensors, axes):
        along = [1] * len(tensors)
        along[axis] = t.numel()
        grids.append(t.reshape(along).expand(*shape))
    return tuple(grids)
