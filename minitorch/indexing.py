"""Indexing: `t[...]` and `t[...] = value` with PyTorch's (and NumPy's) rules.

Basic indices (ints, slices, None, ...) give views that share storage. Advanced indices
(bool masks, integer tensors or lists) gather a copy.
"""

import numpy as np

from . import dtypes
from .tensor_data import TensorData


def _is_advanced(item):
    return isinstance(item, (list, np.ndarray, bool, np.bool_)) or (
        hasattr(item, "_data") and (item.dim() > 0 or item.dtype is dtypes.bool_)
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


def _numpy_error(e):
    """NumPy's indexing message in PyTorch's words (dimension, not axis)."""
    return IndexError(str(e).replace("axis", "dimension"))


def _basic_view(data, key):
    """The (shape, strides, offset) that ints, slices, None and Ellipsis select."""
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis)
    if n_real > data.dims:
        raise IndexError(
            f"too many indices for tensor of dimension {data.dims} (got {n_real} indices)"
        )
    shape, strides, offset, dim = [], [], data.offset, 0
    for item in key:
        if item is None:
            shape.append(1)
            strides.append(0)
        elif item is Ellipsis:
            for _ in range(data.dims - n_real):
                shape.append(data.shape[dim])
                strides.append(data.strides[dim])
                dim += 1
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
            index = int(item)
            size = data.shape[dim]
            _check_int_bounds(index, dim, size)
            offset += (index % size) * data.strides[dim]
            dim += 1
    shape.extend(data.shape[dim:])
    strides.extend(data.strides[dim:])
    return tuple(shape), tuple(strides), offset


class IndexingOps:
    """Mixin: `__getitem__` and `__setitem__` of `Tensor`."""

    __slots__ = ()

    def __getitem__(self, key):
        key = key if isinstance(key, tuple) else (key,)
        for item in key:
            if not (item is None or item is Ellipsis or isinstance(item, (int, slice, np.integer))
                    or _is_advanced(item) or hasattr(item, "_data")):
                raise IndexError(
                    "only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                    f"Variables are valid indices (got {type(item).__name__})"
                )
        if not any(_is_advanced(item) for item in key):
            shape, strides, offset = _basic_view(self._data, key)
            return self._wrap(self._data.view(shape, strides, offset))
        try:
            values = self._data.numpy()[tuple(_as_numpy_index(k) for k in key)]
        except IndexError as e:
            raise _numpy_error(e) from None
        return self._wrap(TensorData.from_array(values))

    def __setitem__(self, key, value):
        key = key if isinstance(key, tuple) else (key,)
        target = self._data.numpy()
        source = value._data.numpy() if hasattr(value, "_data") else value
        if not any(_is_advanced(item) for item in key):
            shape, strides, offset = _basic_view(self._data, key)
            target = self._data.view(shape, strides, offset).numpy()
            key = ()
        try:
            with np.errstate(all="ignore"):
                target[tuple(_as_numpy_index(k) for k in key)] = source
        except IndexError as e:
            raise _numpy_error(e) from None
        except ValueError as e:
            raise RuntimeError(
                f"cannot assign a value of shape {list(np.shape(source))} to the indexed part "
                f"of shape {list(target[tuple(_as_numpy_index(k) for k in key)].shape)}: {e}"
            ) from None
