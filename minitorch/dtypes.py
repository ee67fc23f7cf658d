"""Data types and PyTorch's type-promotion rules.

A `dtype` pairs PyTorch's name (`minitorch.float32`) with the NumPy dtype used for storage.
Promotion follows PyTorch: categories bool < integer < floating; Python scalars and 0-d
tensors only raise the category of a result, never its width within a category.
"""

import numpy as np

__all__ = [
    "dtype", "bool_", "int32", "int64", "float32", "float64",
    "get_default_dtype", "set_default_dtype", "promote_types", "result_type", "dtype_of_numpy",
]

_BOOL, _INT, _FLOAT = 0, 1, 2


class dtype:
    """A tensor element type such as `minitorch.float32`."""

    __slots__ = ("name", "numpy", "category", "itemsize", "_rank")

    def __init__(self, name, numpy_dtype, category, rank):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.category = category
        self.itemsize = self.numpy.itemsize
        self._rank = rank

    @property
    def is_floating_point(self):
        return self.category == _FLOAT

    @property
    def is_signed(self):
        return self.category != _BOOL

    def __repr__(self):
        return f"minitorch.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))


bool_ = dtype("bool", np.bool_, _BOOL, 0)
int32 = dtype("int32", np.int32, _INT, 1)
int64 = dtype("int64", np.int64, _INT, 2)
float32 = dtype("float32", np.float32, _FLOAT, 3)
float64 = dtype("float64", np.float64, _FLOAT, 4)

_ALL = (bool_, int32, int64, float32, float64)
_BY_NAME = {d.name: d for d in _ALL}
_BY_NUMPY = {d.numpy: d for d in _ALL}
_default_float = float32


def _by_name(name):
    return _BY_NAME[name]


def get_default_dtype():
    """The dtype of tensors made from Python floats (float32 unless changed)."""
    return _default_float


def set_default_dtype(d):
    """Make `d` (float32 or float64) the dtype of tensors made from Python floats."""
    global _default_float
    if d not in (float32, float64):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_float = d


def dtype_of_numpy(np_dtype):
    """The minitorch dtype stored as `np_dtype`, or a TypeError naming the supported ones."""
    try:
        return _BY_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        names = ", ".join(d.numpy.name for d in _ALL)
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).name}. "
            f"The only supported types are: {names}."
        ) from None


def promote_types(a, b):
    """The smallest dtype both `a` and `b` convert to without losing their category."""
    return a if a._rank >= b._rank else b


def scalar_dtype(value):
    """The dtype PyTorch gives a Python number: bool, int64 or the default float."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    return _default_float


def _combine(higher, lower):
    """PyTorch's rule: a lower-priority group only matters if it raises the category."""
    if higher is None:
        return lower
    if lower is None or higher.category == _FLOAT:
        return higher
    if higher.category == _BOOL or lower.category == _FLOAT:
        return promote_types(higher, lower)
    return higher


def result_type(*operands):
    """The dtype of an elementwise operation over tensors and Python scalars, as in PyTorch.

    Tensors with dimensions decide first; 0-d tensors and then Python scalars only change
    the result when they belong to a higher category (int -> float, bool -> int).
    """
    dims = zero = scalars = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if d is None:
            d = scalar_dtype(x)
            scalars = d if scalars is None else promote_types(scalars, d)
        elif x.dim() == 0:
            zero = d if zero is None else promote_types(zero, d)
        else:
            dims = d if dims is None else promote_types(dims, d)
    return _combine(dims, _combine(zero, scalars))
