"""Pointwise computations without autograd: the forward work of elementwise operations.

A binary operation broadcasts its operands and picks its result dtype with PyTorch's
promotion rules (`dtypes.result_type`); a Python scalar operand becomes 0-d data of that
dtype. Either operand may be the Python scalar (`2 - t`).
"""

import numpy as np

from . import dtypes
from . import operators as ops
from .tensor_core import TensorCore
from .tensor_data import TensorData, shape_broadcast

_FLOAT = 2


def scalar_data(value, dtype):
    return TensorData(np.array([value], dtype=dtype.numpy), ())


def raw_data(x, dtype):
    """The TensorData of a tensor, or a Python scalar as 0-d data of `dtype`."""
    return x._data if isinstance(x, TensorCore) else scalar_data(x, dtype)


def operand(x, dtype):
    """An operand as TensorData of the computation's `dtype`, cast first if need be.

    PyTorch converts every operand to the promoted dtype before computing, so a float64
    0-d tensor meets a float32 tensor as a float32 value.
    """
    if isinstance(x, TensorCore):
        return x._data if x.dtype is dtype else x._cast(dtype)._data
    return x if isinstance(x, TensorData) else scalar_data(x, dtype)


def check_same_backend(operation, a, b):
    """PyTorch's rule for devices, also for backends: an operation's operands share one."""
    if isinstance(a, TensorCore) and isinstance(b, TensorCore) and a.backend is not b.backend:
        if a.device != b.device:
            if _cpu_number(a) or _cpu_number(b):
                return
            raise RuntimeError(
                "Expected all tensors to be on the same device, but found at least two "
                f"devices, {a.device} and {b.device}! (in {operation}: move one with "
                f".to('{a.device}') or .to('{b.device}'))"
            )
        first, second = sorted((a.backend.name, b.backend.name))
        raise RuntimeError(
            f"Expected all tensors to be on the same backend, but found at least two backends, "
            f"'{first}' and '{second}' (in {operation}). Move one with "
            f".to(backend='{first}') or .to(backend='{second}')."
        )


def _cpu_number(t):
    """A 0-d CPU tensor: PyTorch lets it join an operation on the GPU, as a number."""
    return t._data.dims == 0 and t.backend.device.type == "cpu"


def leading(a, b):
    """The operand whose backend computes `a op b`: a tensor, on the GPU if one is."""
    if not isinstance(a, TensorCore) or (isinstance(b, TensorCore) and _cpu_number(a)):
        return b
    return a


def check_not_bool(*operands):
    """PyTorch refuses `-` with bool tensors: the inverse of a mask is `~mask`."""
    if any(isinstance(x, bool) or getattr(x, "dtype", None) is dtypes.bool_ for x in operands):
        what = "Subtraction, the `-` operator, with a bool tensor" if len(operands) > 1 else (
            "Negation, the `-` operator, on a bool tensor")
        raise RuntimeError(
            f"{what} is not supported. If you are trying to invert a mask, "
            "use the `~` or `logical_not()` operator instead."
        )


class ByCategory:
    """A scalar function chosen by the computation's dtype: integer or floating point.

    Like PyTorch, these operations (`//`, `%`, `**`) are not defined on two bools.
    """

    __slots__ = ("name", "int_fn", "float_fn")

    def __init__(self, name, int_fn, float_fn):
        self.name, self.int_fn, self.float_fn = name, int_fn, float_fn

    def pick(self, dtype):
        if dtype is dtypes.bool_:
            raise RuntimeError(f'"{self.name}" not implemented for \'Bool\' tensors')
        return self.float_fn if dtype.category == _FLOAT else self.int_fn


truncdiv = ByCategory("div_trunc", ops.int_truncdiv, ops.float_truncdiv)
floordiv = ByCategory("floor_divide", ops.int_floordiv, ops.float_floordiv)
mod = ByCategory("remainder", ops.int_mod, ops.float_mod)
power = ByCategory("pow", ops.int_pow, ops.float_pow)


def binary(a, b, name, fn, out_dtype=None, compute_dtype=None, out=None):
    """`fn` over the broadcast elements of `a` and `b` (at least one of them a tensor), into
    a new tensor or into the TensorData `out`."""
    dtype = compute_dtype or dtypes.result_type(a, b)
    if isinstance(fn, ByCategory):
        fn = fn.pick(dtype)
    tensor = a if isinstance(a, TensorCore) else b
    if isinstance(b, TensorCore) and b.backend is not tensor.backend:
        check_same_backend(name, a, b)  # (raises unless one is a CPU number, as PyTorch)
        tensor = leading(a, b)
    try:
        out = tensor.backend.zip(fn, operand(a, dtype), operand(b, dtype), out_dtype or dtype,
                                 out)
    except RuntimeError as e:
        if "cannot be broadcast" in str(e):
            raise RuntimeError(f"{name}(): {e}") from None
        raise
    return tensor._wrap(out, out_dtype or dtype)


def unary(t, fn, out_dtype=None):
    out_dtype = out_dtype or t.dtype
    return t._wrap(t.backend.map(fn, t._data, out_dtype), out_dtype)


def float_unary(t, fn):
    """A math function whose result is floating point even for integer input."""
    if t.dtype.is_floating_point:
        return unary(t, fn)
    return unary(t._cast(dtypes.get_default_dtype()), fn)


def numeric_unary(t, name, fn):
    """A function defined on numbers but not on bools (PyTorch refuses abs(mask))."""
    if t.dtype is dtypes.bool_:
        raise RuntimeError(f"Boolean inputs not supported for {name}")
    return unary(t, fn)


def scaled(like, other, alpha, dtype):
    """`alpha * other` in the operation's `dtype`, for `add(other, alpha=...)` and friends."""
    if alpha == 1:
        return other
    if isinstance(alpha, float) and not dtype.is_floating_point:
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )
    return like.backend.zip(ops.mul, operand(other, dtype), scalar_data(alpha, dtype), dtype)


def true_div_dtype(a, b):
    dtype = dtypes.result_type(a, b)
    return dtype if dtype.is_floating_point else dtypes.get_default_dtype()


def check_condition(condition):
    if getattr(condition, "dtype", None) is not dtypes.bool_:
        got = getattr(condition, "dtype", type(condition).__name__)
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got {got}")


def select(condition, a, b):
    """Elementwise `a` where `condition` holds, else `b`; all three broadcast together."""
    check_condition(condition)
    dtype = dtypes.result_type(a, b)
    check_same_backend("where", condition, a)
    check_same_backend("where", condition, b)
    da, db = raw_data(a, dtype), raw_data(b, dtype)
    shape = shape_broadcast(shape_broadcast(condition.shape, da.shape), db.shape)
    backend = condition.backend
    return condition._make(backend.where(condition._data, da, db, shape, dtype.numpy), dtype,
                           backend)
