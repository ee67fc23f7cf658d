"""Indexing without autograd: `t[...]`, `t[...] = value`, gather and scatter, with PyTorch's
rules (the Functions `Index`, `IndexPut`, `Gather` and `ScatterAdd` compute with these).

Basic indices (ints, slices, None, ...) give views that share storage. Advanced indices
(bool masks, integer tensors or lists) gather a copy, following NumPy's rules once the
integer indices have been applied, as PyTorch does.
"""

import numpy as np

from . import dtypes
from . import operators as ops
from .backends import positions_along
from .tensor_core import TensorCore
from .tensor_data import TensorData


def _is_int(item):
    return isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)) or (
        isinstance(item, TensorCore) and item.dim() == 0 and not item.dtype.is_floating_point
        and item.dtype is not dtypes.bool_
    )


def _is_advanced(item):
    return isinstance(item, (list, np.ndarray, bool, np.bool_)) or (
        isinstance(item, TensorCore) and not _is_int(item)
    )


def _check_item(item):
    if item is None or item is Ellipsis or isinstance(item, slice) or _is_int(item) \
            or _is_advanced(item):
        return
    raise IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
        f"valid indices (got {type(item).__name__})"
    )


def _as_numpy_index(item):
    if isinstance(item, TensorCore):
        return item._data.numpy()
    if isinstance(item, list):
        array = np.array([_as_numpy_index(i) if isinstance(i, TensorCore) else i for i in item])
        return array if array.size else array.astype(np.int64)  # [] selects nothing
    return item


def _check_int_bounds(index, dim, size):
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for dimension {dim} with size {size}")


def _expand_ellipsis(key, ndim):
    """`key` with its Ellipsis (at most one) replaced by the full slices it stands for."""
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis)
    if n_real > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim} (got {n_real})")
    at = next((i for i, k in enumerate(key) if k is Ellipsis), None)
    if at is None:
        return key
    rest = tuple(k for k in key[at + 1 :] if k is not Ellipsis)  # `...` twice means once
    return key[:at] + (slice(None),) * (ndim - n_real) + rest


def _basic_view(data, key):
    """The view that ints, slices and None select (`key` has no Ellipsis)."""
    shape, strides, offset, dim = [], [], data.offset, 0
    for item in key:
        if item is None:
            following = data.shape[dim] * data.strides[dim] if dim < data.dims else 1
            shape.append(1)
            strides.append(following)
        elif isinstance(item, slice):
            start, stop, step = item.indices(data.shape[dim])
            if step <= 0:
                raise ValueError("step must be greater than zero")
            length = len(range(start, stop, step))
            shape.append(length)
            strides.append(data.strides[dim] * step)
            if length:
                offset += start * data.strides[dim]
            dim += 1
        else:
            index, size = int(item), data.shape[dim]
            _check_int_bounds(index, dim, size)
            offset += (index % size) * data.strides[dim]
            dim += 1
    shape.extend(data.shape[dim:])
    strides.extend(data.strides[dim:])
    return data.view(tuple(shape), tuple(strides), offset)


def locate(data, key):
    """Split indexing into a view and what remains for NumPy.

    Returns `(view, advanced)`: `view` is what the basic indices select; `advanced` is None,
    or the NumPy index that gathers from `view` when the key holds masks or index arrays.
    Integer indices are applied first, as in PyTorch (`t[0, :, [1, 2]]` keeps the slice's
    dimension in front).
    """
    if data.dims == 0 and not isinstance(key, tuple):
        if _is_int(key):
            raise IndexError(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
            )
        if isinstance(key, slice):
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    key = key if isinstance(key, tuple) else (key,)
    for item in key:
        _check_item(item)
    key = _expand_ellipsis(key, data.dims)
    if not any(_is_advanced(item) for item in key):
        return _basic_view(data, key), None
    ints_only = tuple(item if _is_int(item) else slice(None) for item in key if item is not None)
    view = _basic_view(data, ints_only)
    rest = tuple(_as_numpy_index(item) for item in key if not _is_int(item))
    return view, rest


def _numpy_error(e):
    """NumPy's indexing message in PyTorch's words (dimension, not axis)."""
    return IndexError(str(e).replace("axis", "dimension"))


def nonzero(input, *, as_tuple=False):
    """The indices of the nonzero elements: an (n, dim) tensor, or one tensor per dim."""
    indices = np.nonzero(input._data.numpy())
    columns = [input._make_from_numpy(i, dtypes.int64) for i in indices]
    if as_tuple:
        return tuple(columns)
    stacked = np.stack(indices, axis=1) if indices else np.zeros((0, 0), dtype=np.int64)
    return input._make_from_numpy(stacked, dtypes.int64)


def getitem(input, key):
    """`input[key]` without autograd: a view for basic keys, else a gathered copy."""
    view, advanced = locate(input._data, key)
    if advanced is None:
        return input._as_view(view)
    try:
        values = view.numpy()[advanced]
    except IndexError as e:
        raise _numpy_error(e) from None
    return input._wrap(TensorData.from_array(values))


def setitem(input, key, value):
    """`input[key] = value` without autograd; `value` broadcasts and is cast."""
    view, advanced = locate(input._data, key)
    source = value._data.numpy() if isinstance(value, TensorCore) else np.asarray(value)
    with input.backend.host_edit(view) as target:
        _assign(target, () if advanced is None else advanced, source)


def _assign(target, index, source):
    """`target[index] = source` (NumPy arrays), with PyTorch's rules and messages."""
    try:
        selected_ndim = target[index].ndim
        while source.ndim > selected_ndim and source.shape[0] == 1:
            source = source[0]  # PyTorch drops leading size-1 dims of the value
        with np.errstate(all="ignore"):
            target[index] = source
    except IndexError as e:
        raise _numpy_error(e) from None
    except ValueError as e:
        raise RuntimeError(
            f"cannot assign a value of shape {list(np.shape(source))} to the indexed part "
            f"of the tensor: {e}"
        ) from None


def index_add(input, key, values):
    """Add `values` at `input[key]`, summing where an index repeats (for gradients)."""
    view, advanced = locate(input._data, key)
    if advanced is None:
        input.backend.zip(ops.add, view, values._data, input.dtype, out=view)
        return
    with np.errstate(all="ignore"), input.backend.host_edit(view) as target:
        np.add.at(target, advanced, values._data.numpy())


def gather(input, dim, index):
    """The values of `input` that `index` picks along `dim` (see `Tensor.gather`)."""
    return input._wrap(input.backend.gather(input._data, dim, index._data))


def scatter_add_into(input, shape, dim, index):
    """Zeros of `shape` with this tensor's values (shaped like `index`) added at
    `index` along `dim`; repeated positions add up."""
    return input._wrap(input.backend.scatter_add(input._data, shape, dim, index._data))


def check_gather_index(name, input, dim, index):
    """PyTorch's checks of a gather / scatter index, with the shapes named."""
    if not isinstance(index, TensorCore):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index.dtype is not dtypes.int64:
        raise RuntimeError(
            f"{name}(): Expected dtype int64 for index, got {index.dtype.torch_name} (convert it "
            "with .long())"
        )
    if index.dim() != input.dim() and not (index.dim() <= 1 and input.dim() <= 1):
        raise RuntimeError(
            f"{name}(): Index tensor must have the same number of dimensions as input tensor "
            f"(index of shape {list(index.shape)}, input of shape {list(input.shape)})"
        )
    for d in range(index.dim()):
        if d != dim and input.dim() and index.shape[d] > input.shape[d]:
            raise RuntimeError(
                f"{name}(): Size does not match at dimension {d} expected index "
                f"{list(index.shape)} to be no larger than self {list(input.shape)} apart from "
                f"dimension {dim}"
            )
    size = input.shape[dim] if input.dim() else 1
    if index.numel() and not index.is_cuda:  # (on the GPU, the kernel checks them)
        values = index._data.numpy()
        bad = values[(values < 0) | (values >= size)]
        if bad.size:
            raise RuntimeError(
                f"{name}(): index {int(bad.flat[0])} is out of bounds for dimension {dim} with "
                f"size {size}"
            )


def sort_order(input, dim, descending, stable=True):
    """The int64 positions along `dim` that put `input` in order (ascending, or descending),
    computed on the host. Equal values keep their order; NaN counts as the largest value,
    as in PyTorch. A 0-d tensor is its own order."""
    values = input._data.numpy()
    if values.ndim == 0:
        return np.zeros((), dtype=np.int64)
    if not descending:
        return np.argsort(values, axis=dim, kind="stable").astype(np.int64)
    # the stable ascending order of the reversed values, reversed: largest first, ties in
    # their original order, NaN first
    n = values.shape[dim]
    order = np.flip(np.argsort(np.flip(values, dim), axis=dim, kind="stable"), dim)
    return (n - 1 - order).astype(np.int64)


def scatter_into(input, dim, index, values):
    """Write `values` (shaped like `index`, or a number) into `input` in place at `index`
    along `dim` (see `Tensor.scatter`); of repeated positions, the last write wins."""
    source = values._data.numpy() if isinstance(values, TensorCore) else values
    with input.backend.host_edit(input._data) as target:
        target = target.reshape(target.shape or (1,))
        target[positions_along(dim, index._data)] = source
