"""Indexing: `t[...]` and `t[...] = value` with PyTorch's rules.

Basic indices (ints, slices, None, ...) give views that share storage. Advanced indices
(bool masks, integer tensors or lists) gather a copy, following NumPy's rules once the
integer indices have been applied, as PyTorch does.
"""

import numpy as np

from . import dtypes
from . import tensor_functions as F
from .tensor_data import TensorData, normalize_dim


def _is_int(item):
    return isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)) or (
        hasattr(item, "_data") and item.dim() == 0 and not item.dtype.is_floating_point
        and item.dtype is not dtypes.bool_
    )


def _is_advanced(item):
    return isinstance(item, (list, np.ndarray, bool, np.bool_)) or (
        hasattr(item, "_data") and not _is_int(item)
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
    if hasattr(item, "_data"):
        return item._data.numpy()
    if isinstance(item, list):
        array = np.array([_as_numpy_index(i) if hasattr(i, "_data") else i for i in item])
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


class IndexingOps:
    """Mixin: `t[key]` of `Tensor`, and the raw helpers behind assignment and its gradient."""

    __slots__ = ()

    def __getitem__(self, key):
        return F.Index.apply(self, key=key)

    def nonzero(self, *, as_tuple=False):
        """The indices of the nonzero elements: an (n, dim) tensor, or one tensor per dim."""
        indices = np.nonzero(self._data.numpy())
        columns = [self._make_from_numpy(i, dtypes.int64) for i in indices]
        if as_tuple:
            return tuple(columns)
        stacked = np.stack(indices, axis=1) if indices else np.zeros((0, 0), dtype=np.int64)
        return self._make_from_numpy(stacked, dtypes.int64)

    def _getitem(self, key):
        """`self[key]` without autograd: a view for basic keys, else a gathered copy."""
        view, advanced = locate(self._data, key)
        if advanced is None:
            return self._as_view(view)
        try:
            values = view.numpy()[advanced]
        except IndexError as e:
            raise _numpy_error(e) from None
        return self._wrap(TensorData.from_array(values))

    def _setitem(self, key, value):
        """`self[key] = value` without autograd; `value` broadcasts and is cast."""
        view, advanced = locate(self._data, key)
        target = view.numpy()
        source = value._data.numpy() if hasattr(value, "_data") else np.asarray(value)
        index = () if advanced is None else advanced
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

    def _index_add(self, key, values):
        """Add `values` at `self[key]`, summing where an index repeats (for gradients)."""
        view, advanced = locate(self._data, key)
        with np.errstate(all="ignore"):
            if advanced is None:
                target = view.numpy()
                target += values._data.numpy()
            else:
                np.add.at(view.numpy(), advanced, values._data.numpy())

    # ----- gather ----------------------------------------------------------------------
    def gather(self, dim, index):
        """Values picked along `dim` by `index` (int64, same number of dimensions):

            out[i][j][k] = self[index[i][j][k]][j][k]   # dim == 0
            out[i][j][k] = self[i][index[i][j][k]][k]   # dim == 1

        The result has `index`'s shape; `index` may be smaller than `self` in the other
        dimensions. Its gradient adds the output gradient back at the picked positions.
        """
        d = normalize_dim(dim, self.dim())
        _check_gather_index("gather", self, d, index)
        return F.Gather.apply(self, dim=d, index=index)

    def _gather(self, dim, index):
        """`self.gather(dim, index)` without autograd."""
        values = self._data.numpy().reshape(self.shape or (1,))  # 0-d as 1-d, as PyTorch
        picked = values[_positions(dim, index)]
        return self._wrap(TensorData.from_array(picked.reshape(index.shape)))

    def _scatter_add_into(self, shape, dim, index):
        """Zeros of `shape` with this tensor's values (shaped like `index`) added at
        `index` along `dim`; repeated positions add up."""
        out = np.zeros(tuple(shape) or (1,), dtype=self.dtype.numpy)
        idx_shape = tuple(index.shape) or (1,)
        np.add.at(out, _positions(dim, index), self._data.numpy().reshape(idx_shape))
        return self._wrap(TensorData.from_array(out.reshape(shape)))


def _positions(dim, index):
    """The NumPy index that picks position `index[i][j]` along `dim` (the other coordinates
    being those of the element of `index`): an open grid with `index` at `dim`."""
    idx = index._data.numpy()
    if idx.ndim == 0:
        idx = idx.reshape(1)
    grid = list(np.indices(idx.shape, sparse=True))
    grid[dim] = idx
    return tuple(grid)


def _check_gather_index(name, input, dim, index):
    """PyTorch's checks of a gather / scatter index, with the shapes named."""
    if not hasattr(index, "_data"):
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
    if index.numel():
        values = index._data.numpy()
        bad = values[(values < 0) | (values >= size)]
        if bad.size:
            raise RuntimeError(
                f"{name}(): index {int(bad.flat[0])} is out of bounds for dimension {dim} with "
                f"size {size}"
            )
