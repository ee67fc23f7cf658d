"""Data types and PyTorch's type-promotion rules.

A `dtype` pairs PyTorch's name (`minitorch.float32`) with the NumPy dtype used for storage.
Promotion follows PyTorch: categories bool < integer < floating; Python scalars and 0-d
tensors only raise the category of a result, never its width within a category.
"""

import numpy as np

__all__ = [
    "dtype", "bool_", "int32", "int64", "float32", "float64",
    "get_default_dtype", "set_default_dtype", "promote_types", "result_type", "dtype_of_numpy",
    "as_dtype", "scalar_dtype",
]

_BOOL, _INT, _FLOAT = 0, 1, 2


class dtype:
    """A tensor element type such as `minitorch.float32`."""

    __slots__ = ("name", "numpy", "category", "itemsize", "torch_name", "_rank")

    def __init__(self, name, numpy_dtype, category, rank, torch_name):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.category = category
        self.itemsize = self.numpy.itemsize
        self.torch_name = torch_name  # PyTorch's short name in messages: "Float", "Long"
        self._rank = rank

    @property
    def legacy_name(self):
        """The legacy tensor type of this dtype: `FloatTensor`, `LongTensor`, ..."""
        return f"{self.torch_name}Tensor"

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


bool_ = dtype("bool", np.bool_, _BOOL, 0, "Bool")
int32 = dtype("int32", np.int32, _INT, 1, "Int")
int64 = dtype("int64", np.int64, _INT, 2, "Long")
float32 = dtype("float32", np.float32, _FLOAT, 3, "Float")
float64 = dtype("float64", np.float64, _FLOAT, 4, "Double")

_ALL = (bool_, int32, int64, float32, float64)
_BY_NAME = {d.name: d for d in _ALL}
_BY_NUMPY = {d.numpy: d for d in _ALL}
_default_float = float32


def _by_name(name):
    return _BY_NAME[name]


_BY_ALIAS = {
    **_BY_NAME, "float": float32, "double": float64, "long": int64, "int": int32,
    **{d.legacy_name: d for d in _ALL},
}
_BY_PYTHON_TYPE = {float: float64, int: int64, bool: bool_}


def as_dtype(spec, default=TypeError):
    """The dtype that `spec` names: a dtype, a Python type (`float` is float64, as in
    PyTorch), a name (`"float32"`, `"minitorch.float32"`, `"torch.LongTensor"`) or a legacy
    tensor type. Unknown specs give `default`, or a TypeError when none is given."""
    if isinstance(spec, dtype):
        return spec
    found = None
    if isinstance(spec, type) and spec in _BY_PYTHON_TYPE:
        found = _BY_PYTHON_TYPE[spec]
    elif isinstance(spec, str):
        found = _BY_ALIAS.get(spec.rpartition(".")[2])
    elif isinstance(getattr(spec, "dtype", None), dtype) and isinstance(spec, type):
        found = spec.dtype  # FloatTensor and friends
    if found is not None:
        return found
    if default is TypeError:
        raise TypeError(f"{spec!r} is not a dtype (use e.g. minitorch.float32 or float)")
    return default


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


# Python and NumPy numbers: operands that promote as scalars (anything else is a tensor)
_NUMBERS = (bool, int, float, np.bool_, np.integer, np.floating)


def scalar_dtype(value):
    """The dtype PyTorch gives a Python number: bool, int64 or the default float."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    if not isinstance(value, (float, np.floating)):
        raise TypeError(f"expected a tensor or a number, got {type(value).__name__}")
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
    if len(operands) == 2:  # the common case first: two tensors of one dtype
        a, b = operands
        if not isinstance(a, _NUMBERS) and not isinstance(b, _NUMBERS) and a.dtype is b.dtype:
            return a.dtype
    dims = zero = scalars = None
    for x in operands:
        if isinstance(x, _NUMBERS):
            d = scalar_dtype(x)
            scalars = d if scalars is None else promote_types(scalars, d)
        elif x.dim() == 0:
            zero = x.dtype if zero is None else promote_types(zero, x.dtype)
        else:
            dims = x.dtype if dims is None else promote_types(dims, x.dtype)
    return _combine(dims, _combine(zero, scalars))
