"""Elementwise operations: arithmetic, math functions, comparisons and logic.

Differentiable ones go through the Functions of `tensor_functions`; comparisons and bitwise
logic (whose results are bools or integers) compute directly.

Each function takes the tensor first (`input`); `tensor.Tensor` binds it as the method of
the same name, and `minitorch` exports the PyTorch functions among them.
"""

import numpy as np

from . import dtypes
from . import operators as ops
from . import pointwise as pw
from . import tensor_functions as F
from .tensor_core import TensorCore


# ----- arithmetic -------------------------------------------------------------------
def add(input, other, *, alpha=1):
    """`input + alpha * other`."""
    if alpha != 1:
        return F.Add.apply(input, _number_or_tensor("add", other), alpha=alpha)
    return F.Add.apply(input, other if isinstance(other, TensorCore) else
                       _number_or_tensor("add", other))


def sub(input, other, *, alpha=1):
    """`input - alpha * other`."""
    return F.Sub.apply(input, _number_or_tensor("sub", other), alpha=alpha)


subtract = sub


def mul(input, other):
    return F.Mul.apply(input, _number_or_tensor("mul", other))


multiply = mul


def div(input, other, *, rounding_mode=None):
    """True division (`/`); `rounding_mode='floor'` is `//`, `'trunc'` rounds toward 0."""
    other = _number_or_tensor("div", other)
    if rounding_mode is None:
        return F.Div.apply(input, other)
    if rounding_mode == "floor":
        return input.floor_divide(other)
    if rounding_mode == "trunc":
        return pw.binary(input, other, "div", pw.truncdiv)
    raise RuntimeError(
        "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
        f"'{rounding_mode}'"
    )


divide = true_divide = div


def floor_divide(input, other):
    """`input // other`, rounded toward negative infinity (not differentiable)."""
    return pw.binary(input, _number_or_tensor("floor_divide", other), "floor_divide",
                     pw.floordiv)


def remainder(input, other):
    """`input % other`, with the sign of `other` (Python's and PyTorch's convention)."""
    return F.Remainder.apply(input, _number_or_tensor("remainder", other))


def pow(input, exponent):
    exponent = _number_or_tensor("pow", exponent)
    if isinstance(exponent, bool) and input.dtype is dtypes.bool_:
        return pw.binary(input, exponent, "pow", ops.int_pow)  # PyTorch allows mask ** True
    return F.Pow.apply(input, exponent)


def square(input):
    return F.Mul.apply(input, input)


def neg(input):
    return F.Neg.apply(input)


negative = neg


def abs(input):
    return F.Abs.apply(input)


def sign(input):
    """-1, 0 or 1 by the sign of each element (not differentiable)."""
    return pw.unary(input, ops.sign)


def exp(input):
    return F.Exp.apply(input)


def log(input):
    return F.Log.apply(input)


def sqrt(input):
    return F.Sqrt.apply(input)


def log1p(input):
    """`log(1 + input)`, accurate for tiny values."""
    return F.Log1p.apply(input)


def erf(input):
    r"""The error function $\frac{2}{\sqrt\pi}\int_0^x e^{-t^2} dt$, elementwise."""
    return F.Erf.apply(input)


def reciprocal(input):
    """`1 / input`, elementwise (integers give floats)."""
    return F.Reciprocal.apply(input)


def sin(input):
    return F.Sin.apply(input)


def cos(input):
    return F.Cos.apply(input)


def tan(input):
    return F.Tan.apply(input)


def sinh(input):
    return F.Sinh.apply(input)


def cosh(input):
    return F.Cosh.apply(input)


def tanh(input):
    return F.Tanh.apply(input)


def rsqrt(input):
    """`1 / sqrt(input)`, elementwise."""
    return F.Rsqrt.apply(input)


def sigmoid(input):
    return F.Sigmoid.apply(input)


def relu(input):
    return F.Relu.apply(input)


def floor(input):
    return pw.unary(input, ops.floor) if input.dtype.is_floating_point else input._copy()


def ceil(input):
    return pw.unary(input, ops.ceil) if input.dtype.is_floating_point else input._copy()


def trunc(input):
    """Rounded toward zero (`fix` is its other name)."""
    return pw.unary(input, ops.trunc) if input.dtype.is_floating_point else input._copy()


fix = trunc


def round(input, *, decimals=0):
    """Rounded to the nearest integer (halves to the even one, as in PyTorch), or to
    `decimals` decimal places (negative: to tens, hundreds, ...)."""
    if not input.dtype.is_floating_point:
        if decimals:
            raise NotImplementedError(
                f'"round_cpu" not implemented for \'{input.dtype.torch_name}\' (with decimals: '
                "convert the tensor with .float() first)")
        return input._copy()  # (integers are rounded already)
    return F.Round.apply(input, decimals=decimals or None)


def lerp(input, end, weight):
    r"""Linear interpolation $\mathrm{input} + \mathrm{weight} (\mathrm{end} - \mathrm{input})$;
    `weight` is a number or a tensor, and all tensors share one floating-point dtype."""
    for name, value in (("end", end), ("weight", weight)):
        if isinstance(value, TensorCore) and value.dtype is not input.dtype:
            raise RuntimeError(f"expected dtype {input.dtype.torch_name.lower()} for `{name}` but "
                               f"got dtype {value.dtype.torch_name.lower()}")
    return F.Lerp.apply(input, end, weight)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN replaced by `nan`, +inf and -inf by `posinf` and `neginf` (by default the
    largest and the lowest finite values of the dtype); integers are copied."""
    if not input.dtype.is_floating_point:
        return input._copy()
    info = np.finfo(input.dtype.numpy)
    return F.NanToNum.apply(input, nan=nan, posinf=info.max if posinf is None else posinf,
                            neginf=info.min if neginf is None else neginf)


def maximum(input, other):
    return F.Maximum.apply(input, _number_or_tensor("maximum", other))


def minimum(input, other):
    return F.Minimum.apply(input, _number_or_tensor("minimum", other))


def clamp(input, min=None, max=None):
    """Limit every element to `[min, max]` (either bound may be omitted)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, TensorCore) or isinstance(max, TensorCore):
        out = input if min is None else input.maximum(min)
        return out if max is None else out.minimum(max)
    return F.Clamp.apply(input, min=min, max=max)


clip = clamp


def clamp_min(input, min):
    """`clamp(min=min)`: every element at least `min`."""
    if isinstance(min, TensorCore):  # the gradient goes to input where input >= min, else to min
        return F.where(input >= min, input, min)
    return F.ClampMin.apply(input, min=_number_or_tensor("clamp_min", min))


def masked_fill(input, mask, value):
    """A copy of `input` with `value` (a number or a 0-d tensor) where `mask` is True.

    `mask` is a bool tensor that broadcasts with `input`; the result keeps `input`'s dtype.
    """
    if getattr(mask, "dtype", None) is not dtypes.bool_:
        got = getattr(mask, "dtype", None)
        got = got.torch_name if got is not None else type(mask).__name__
        raise RuntimeError(
            f"masked_fill only supports boolean masks, but got mask with dtype {got} "
            "(make one with a comparison, e.g. t > 0, or with .bool())"
        )
    if isinstance(value, TensorCore):
        if value.dim() != 0:
            raise RuntimeError(
                "masked_fill only supports a 0-dimensional value tensor, but got tensor "
                f"with {value.dim()} dimension(s) (shape {list(value.shape)})"
            )
    else:
        value = _number_or_tensor("masked_fill", value)
    return F.MaskedFill.apply(input, mask, value)


def where(input, condition, other):
    """`input` where `condition` holds, else `other` (see `minitorch.where`)."""
    return F.where(condition, input, other)


# ----- comparisons and logic (not differentiable) -----------------------------------
def _compare(input, other, name, fn):
    return pw.binary(input, _number_or_tensor(name, other), name, fn, dtypes.bool_)


def lt(input, other):
    return _compare(input, other, "lt", ops.lt)


def le(input, other):
    return _compare(input, other, "le", ops.le)


def gt(input, other):
    return _compare(input, other, "gt", ops.gt)


def ge(input, other):
    return _compare(input, other, "ge", ops.ge)


def eq(input, other):
    return _compare(input, other, "eq", ops.eq)


def ne(input, other):
    return _compare(input, other, "ne", ops.ne)


less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne


def isnan(input):
    return pw.binary(input, input, "isnan", ops.ne, dtypes.bool_)


def isinf(input):
    return pw.unary(input, ops.isinf, dtypes.bool_)


def isfinite(input):
    """Neither NaN nor infinite."""
    return ~(isnan(input) | isinf(input))


def equal(input, other):
    """True if `other` has the same shape and the same values."""
    return input.shape == other.shape and bool(input.eq(other).all())


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise: equal, or finite and `|input - other| <= atol + rtol * |other|`; NaN is
    close to NaN only with `equal_nan=True`. Both tensors must have the same dtype."""
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{input.dtype.torch_name} did not match {other.dtype.torch_name}")
    for name, value in (("rtol", rtol), ("atol", atol)):
        if value < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {value}")
    close = input.eq(other)
    if equal_nan:
        close = close | (input.isnan() & other.isnan())
    if input.dtype is dtypes.bool_:
        return close
    difference = (input - other).abs()
    return close | (difference.isfinite() & (difference <= atol + rtol * other.abs()))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True if all `|input - other| <= atol + rtol * |other|` (see `isclose`)."""
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def logical_not(input):
    return pw.unary(input, ops.logical_not, dtypes.bool_)


def logical_and(input, other):
    return _compare(input, other, "logical_and", ops.logical_and)


def logical_or(input, other):
    return _compare(input, other, "logical_or", ops.logical_or)


def _bitwise(input, other, name, fn):
    other = _number_or_tensor(name, other)
    if dtypes.result_type(input, other).is_floating_point:
        raise RuntimeError(f"\"{name}_cpu\" not implemented for floating-point tensors")
    return pw.binary(input, other, name, fn)


def bitwise_and(input, other):
    return _bitwise(input, other, "bitwise_and", ops.bitwise_and)


def bitwise_or(input, other):
    return _bitwise(input, other, "bitwise_or", ops.bitwise_or)


def bitwise_xor(input, other):
    return _bitwise(input, other, "bitwise_xor", ops.bitwise_xor)


def bitwise_not(input):
    if input.dtype.is_floating_point:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return pw.unary(input, ops.bitwise_not)


# ----- reflected operators (`2 - t`): the number comes first -----------------------------
def radd(input, other):
    return F.Add.apply(_number_or_tensor("add", other), input)


def rsub(input, other):
    return F.Sub.apply(_number_or_tensor("sub", other), input)


def rmul(input, other):
    return F.Mul.apply(_number_or_tensor("mul", other), input)


def rtruediv(input, other):
    return F.Div.apply(_number_or_tensor("div", other), input)


def rfloordiv(input, other):
    return pw.binary(_number_or_tensor("floor_divide", other), input, "floor_divide",
                     pw.floordiv)


def rmod(input, other):
    return F.Remainder.apply(_number_or_tensor("remainder", other), input)


def rpow(input, other):
    return F.Pow.apply(_number_or_tensor("pow", other), input)


_NUMBERS = (bool, int, float)


def is_operand(x):
    """Whether `x` can be an operand of a comparison: a tensor or a number."""
    return isinstance(x, TensorCore) or isinstance(x, _NUMBERS) or (
        hasattr(x, "item") and getattr(x, "ndim", None) == 0
    )


def _number_or_tensor(name, x):
    """`x` if it can be an operand (a tensor or a number), else a TypeError naming it.

    NumPy numbers become Python numbers, so they promote like Python scalars (as in PyTorch).
    """
    if isinstance(x, TensorCore):
        return x
    item = getattr(x, "item", None)
    if item is not None and getattr(x, "ndim", None) == 0:  # NumPy scalar or 0-d array
        return item()
    if isinstance(x, _NUMBERS):
        return x
    raise TypeError(f"{name}(): expected a tensor or a number as operand, got {type(x).__name__}")
