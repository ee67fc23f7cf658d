"""Elementwise operations of `Tensor`: arithmetic, math functions, comparisons and logic.

Differentiable ones go through the Functions of `tensor_functions`; comparisons and bitwise
logic (whose results are bools or integers) compute directly.
"""

from . import dtypes
from . import operators as ops
from . import pointwise as pw
from . import tensor_functions as F


class ElementwiseOps:
    """Mixin: the elementwise part of `Tensor`."""

    __slots__ = ()

    # ----- arithmetic -------------------------------------------------------------------
    def add(self, other, *, alpha=1):
        """`self + alpha * other`."""
        return F.Add.apply(self, _number_or_tensor("add", other), alpha=alpha)

    def sub(self, other, *, alpha=1):
        """`self - alpha * other`."""
        return F.Sub.apply(self, _number_or_tensor("sub", other), alpha=alpha)

    subtract = sub

    def mul(self, other):
        return F.Mul.apply(self, _number_or_tensor("mul", other))

    multiply = mul

    def div(self, other, *, rounding_mode=None):
        """True division (`/`); `rounding_mode='floor'` is `//`, `'trunc'` rounds toward 0."""
        other = _number_or_tensor("div", other)
        if rounding_mode is None:
            return F.Div.apply(self, other)
        if rounding_mode == "floor":
            return self.floor_divide(other)
        if rounding_mode == "trunc":
            return pw.binary(self, other, "div", pw.truncdiv)
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )

    divide = true_divide = div

    def floor_divide(self, other):
        """`self // other`, rounded toward negative infinity (not differentiable)."""
        return pw.binary(self, _number_or_tensor("floor_divide", other), "floor_divide",
                         pw.floordiv)

    def remainder(self, other):
        """`self % other`, with the sign of `other` (Python's and PyTorch's convention)."""
        return F.Remainder.apply(self, _number_or_tensor("remainder", other))

    def pow(self, exponent):
        exponent = _number_or_tensor("pow", exponent)
        if isinstance(exponent, bool) and self.dtype is dtypes.bool_:
            return pw.binary(self, exponent, "pow", ops.int_pow)  # PyTorch allows mask ** True
        return F.Pow.apply(self, exponent)

    def square(self):
        return F.Mul.apply(self, self)

    def neg(self):
        return F.Neg.apply(self)

    negative = neg

    def abs(self):
        return F.Abs.apply(self)

    def sign(self):
        """-1, 0 or 1 by the sign of each element (not differentiable)."""
        return pw.unary(self, ops.sign)

    def exp(self):
        return F.Exp.apply(self)

    def log(self):
        return F.Log.apply(self)

    def sqrt(self):
        return F.Sqrt.apply(self)

    def log1p(self):
        """`log(1 + self)`, accurate for tiny values."""
        return F.Log1p.apply(self)

    def erf(self):
        r"""The error function $\frac{2}{\sqrt\pi}\int_0^x e^{-t^2} dt$, elementwise."""
        return F.Erf.apply(self)

    def reciprocal(self):
        """`1 / self`, elementwise (integers give floats)."""
        return F.Reciprocal.apply(self)

    def sin(self):
        return F.Sin.apply(self)

    def cos(self):
        return F.Cos.apply(self)

    def tanh(self):
        return F.Tanh.apply(self)

    def sigmoid(self):
        return F.Sigmoid.apply(self)

    def relu(self):
        return F.Relu.apply(self)

    def floor(self):
        return pw.unary(self, ops.floor) if self.dtype.is_floating_point else self._copy()

    def ceil(self):
        return pw.unary(self, ops.ceil) if self.dtype.is_floating_point else self._copy()

    def maximum(self, other):
        return F.Maximum.apply(self, _number_or_tensor("maximum", other))

    def minimum(self, other):
        return F.Minimum.apply(self, _number_or_tensor("minimum", other))

    def clamp(self, min=None, max=None):
        """Limit every element to `[min, max]` (either bound may be omitted)."""
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        if hasattr(min, "_data") or hasattr(max, "_data"):
            out = self if min is None else self.maximum(min)
            return out if max is None else out.minimum(max)
        return F.Clamp.apply(self, min=min, max=max)

    clip = clamp

    def clamp_min(self, min):
        """`clamp(min=min)`: every element at least `min`."""
        if hasattr(min, "_data"):  # the gradient goes to self where self >= min, else to min
            return F.where(self >= min, self, min)
        return F.ClampMin.apply(self, min=_number_or_tensor("clamp_min", min))

    def masked_fill(self, mask, value):
        """A copy of `self` with `value` (a number or a 0-d tensor) where `mask` is True.

        `mask` is a bool tensor that broadcasts with `self`; the result keeps `self`'s dtype.
        """
        if getattr(mask, "dtype", None) is not dtypes.bool_:
            got = getattr(mask, "dtype", None)
            got = got.torch_name if got is not None else type(mask).__name__
            raise RuntimeError(
                f"masked_fill only supports boolean masks, but got mask with dtype {got} "
                "(make one with a comparison, e.g. t > 0, or with .bool())"
            )
        if hasattr(value, "_data"):
            if value.dim() != 0:
                raise RuntimeError(
                    "masked_fill only supports a 0-dimensional value tensor, but got tensor "
                    f"with {value.dim()} dimension(s) (shape {list(value.shape)})"
                )
        else:
            value = _number_or_tensor("masked_fill", value)
        return F.MaskedFill.apply(self, mask, value)

    def where(self, condition, other):
        """`self` where `condition` holds, else `other` (see `minitorch.where`)."""
        return F.where(condition, self, other)

    # ----- comparisons and logic (not differentiable) -----------------------------------
    def _compare(self, other, name, fn):
        return pw.binary(self, _number_or_tensor(name, other), name, fn, dtypes.bool_)

    def lt(self, other):
        return self._compare(other, "lt", ops.lt)

    def le(self, other):
        return self._compare(other, "le", ops.le)

    def gt(self, other):
        return self._compare(other, "gt", ops.gt)

    def ge(self, other):
        return self._compare(other, "ge", ops.ge)

    def eq(self, other):
        return self._compare(other, "eq", ops.eq)

    def ne(self, other):
        return self._compare(other, "ne", ops.ne)

    less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne

    def __eq__(self, other):
        if not _is_operand(other):
            return NotImplemented  # Python then compares identity: `t == None` is False
        return self.eq(other)

    def __ne__(self, other):
        if not _is_operand(other):
            return NotImplemented
        return self.ne(other)

    def isnan(self):
        return pw.binary(self, self, "isnan", ops.ne, dtypes.bool_)

    def equal(self, other):
        """True if `other` has the same shape and the same values."""
        return self.shape == other.shape and bool(self.eq(other).all())

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        """True if all `|self - other| <= atol + rtol * |other|`."""
        close = (self - other).abs() <= atol + rtol * other.abs()
        if equal_nan:
            close = close | (self.isnan() & other.isnan())
        return bool(close.all())

    def logical_not(self):
        return pw.unary(self, ops.logical_not, dtypes.bool_)

    def logical_and(self, other):
        return self._compare(other, "logical_and", ops.logical_and)

    def logical_or(self, other):
        return self._compare(other, "logical_or", ops.logical_or)

    def _bitwise(self, other, name, fn):
        other = _number_or_tensor(name, other)
        if dtypes.result_type(self, other).is_floating_point:
            raise RuntimeError(f"\"{name}_cpu\" not implemented for floating-point tensors")
        return pw.binary(self, other, name, fn)

    def bitwise_and(self, other):
        return self._bitwise(other, "bitwise_and", ops.bitwise_and)

    def bitwise_or(self, other):
        return self._bitwise(other, "bitwise_or", ops.bitwise_or)

    def bitwise_xor(self, other):
        return self._bitwise(other, "bitwise_xor", ops.bitwise_xor)

    def bitwise_not(self):
        if self.dtype.is_floating_point:
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                            "tensors")
        return pw.unary(self, ops.bitwise_not)

    # ----- operators --------------------------------------------------------------------
    __add__ = add
    __sub__ = sub
    __mul__ = mul
    __truediv__ = div
    __floordiv__ = floor_divide
    __mod__ = remainder
    __pow__ = pow
    __neg__ = neg
    __abs__ = abs
    __lt__ = lt
    __le__ = le
    __gt__ = gt
    __ge__ = ge
    __and__ = __rand__ = bitwise_and
    __or__ = __ror__ = bitwise_or
    __xor__ = __rxor__ = bitwise_xor
    __invert__ = bitwise_not

    def __radd__(self, other):
        return F.Add.apply(_number_or_tensor("add", other), self)

    def __rsub__(self, other):
        return F.Sub.apply(_number_or_tensor("sub", other), self)

    def __rmul__(self, other):
        return F.Mul.apply(_number_or_tensor("mul", other), self)

    def __rtruediv__(self, other):
        return F.Div.apply(_number_or_tensor("div", other), self)

    def __rfloordiv__(self, other):
        return pw.binary(_number_or_tensor("floor_divide", other), self, "floor_divide",
                         pw.floordiv)

    def __rmod__(self, other):
        return F.Remainder.apply(_number_or_tensor("remainder", other), self)

    def __rpow__(self, other):
        return F.Pow.apply(_number_or_tensor("pow", other), self)


_NUMBERS = (bool, int, float)


def _is_operand(x):
    return hasattr(x, "_data") or isinstance(x, _NUMBERS) or (
        hasattr(x, "item") and getattr(x, "ndim", None) == 0
    )


def _number_or_tensor(name, x):
    """`x` if it can be an operand (a tensor or a number), else a TypeError naming it.

    NumPy numbers become Python numbers, so they promote like Python scalars (as in PyTorch).
    """
    if hasattr(x, "_data"):
        return x
    item = getattr(x, "item", None)
    if item is not None and getattr(x, "ndim", None) == 0:  # NumPy scalar or 0-d array
        return item()
    if isinstance(x, _NUMBERS):
        return x
    raise TypeError(f"{name}(): expected a tensor or a number as operand, got {type(x).__name__}")
