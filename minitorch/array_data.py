"""Python data as a NumPy array for a new tensor: numbers, nested lists (checked to be
regular), NumPy arrays and tensors, with PyTorch's dtype inference (float32 for Python
floats, int64 for ints, bool for bools; NumPy arrays and tensors keep theirs).
"""

import numpy as np

from . import dtypes
from .tensor_core import TensorCore


def as_array(data, dtype=None):
    """`(array, dtype)`: a new NumPy array holding `data` as `dtype` (inferred when None)."""
    if isinstance(data, TensorCore):
        dtype = data.dtype if dtype is None else dtype
        return data._data.numpy().astype(dtype.numpy), dtype
    if isinstance(data, np.ndarray):
        dtype = dtypes.dtype_of_numpy(data.dtype) if dtype is None else dtype
        return data.astype(dtype.numpy, copy=True), dtype
    shape, leaves = _nested_shape(data)
    dtype = infer_dtype(leaves) if dtype is None else dtype
    values = [x.item() if isinstance(x, TensorCore) else x for x in leaves]
    with np.errstate(all="ignore"):
        return np.array(values, dtype=dtype.numpy).reshape(shape), dtype


def _nested_shape(data):
    """The shape of nested lists, and their leaves in row-major order, checked to be regular."""
    shape = []
    probe = data
    while isinstance(probe, (list, tuple)):
        shape.append(len(probe))
        if not probe:
            break
        probe = probe[0]
    leaves = []

    def walk(x, d):
        if d == len(shape):
            if isinstance(x, (list, tuple)):
                raise ValueError(f"expected a number at dim {d}, but got a sequence: {x!r}")
            leaves.append(x)
            return
        if not isinstance(x, (list, tuple)):
            raise ValueError(
                f"expected sequence of length {shape[d]} at dim {d} (got {type(x).__name__})"
            )
        if len(x) != shape[d]:
            raise ValueError(f"expected sequence of length {shape[d]} at dim {d} (got {len(x)})")
        for element in x:
            walk(element, d + 1)

    walk(data, 0)
    return tuple(shape), leaves


def _leaf_dtype(x):
    """A number's own dtype: NumPy scalars and tensors keep theirs, Python numbers as PyTorch."""
    if isinstance(x, TensorCore):
        return x.dtype
    if isinstance(x, np.generic):
        return dtypes.dtype_of_numpy(x.dtype)
    if isinstance(x, (bool, int, float)):
        return dtypes.scalar_dtype(x)
    raise TypeError(f"Could not infer dtype of {type(x).__name__}")


def infer_dtype(leaves):
    """The dtype that holds all `leaves` (default float for no leaves at all)."""
    if not leaves:
        return dtypes.get_default_dtype()
    dtype = _leaf_dtype(leaves[0])
    for x in leaves[1:]:
        dtype = dtypes.promote_types(dtype, _leaf_dtype(x))
    return dtype
