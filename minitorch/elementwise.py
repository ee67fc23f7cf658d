"""Elementwise operations: arithmetic, math functions, comparisons, `where`, in-place updates.

Every binary operation broadcasts its operands and picks its result dtype with PyTorch's
promotion rules (`dtypes.result_type`); Python scalars become 0-d tensors of that dtype.
"""

import numpy as np

from . import dtypes
from . import operators as ops
from .tensor_data import TensorData, shape_broadcast

_INT, _FLOAT = 1, 2


def _scalar_data(value, dtype):
    return TensorData(np.array([value], dtype=dtype.numpy), ())


def _raw_data(x, dtype):
    """The TensorData of a tensor, or a Python scalar as 0-d data of `dtype`."""
    data = getattr(x, "_data", None)
    return data if data is not None else _scalar_data(x, dtype)


def _operand(x, dtype):
    """An operand as TensorData of the computation's `dtype`, cast first if need be.

    PyTorch converts every operand to the promoted dtype before computing, so a float64
    0-d tensor meets a float32 tensor as a float32 value.
    """
    if isinstance(x, TensorData):
        return x
    if getattr(x, "dtype", dtype) is not dtype:
        return x._cast(dtype)._data
    return _raw_data(x, dtype)


def _check_not_bool(*operands):
    """PyTorch refuses `-` with bool tensors: the inverse of a mask is `~mask`."""
    if any(isinstance(x, bool) or getattr(x, "dtype", None) is dtypes.bool_ for x in operands):
        what = "Subtraction, the `-` operator, with a bool tensor" if len(operands) > 1 else (
            "Negation, the `-` operator, on a bool tensor")
        raise RuntimeError(
            f"{what} is not supported. If you are trying to invert a mask, "
            "use the `~` or `logical_not()` operator instead."
        )


class _ByCategory:
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


class ElementwiseOps:
    """Mixin: the elementwise part of `Tensor`."""

    __slots__ = ()

    # ----- building blocks ------------------------------------------------------------------
    def _binary(self, other, name, fn, out_dtype=None, compute_dtype=None):
        """Broadcast `fn` over `self` and `other`; `fn` may depend on the computation dtype."""
        dtype = compute_dtype or dtypes.result_type(self, other)
        if isinstance(fn, _ByCategory):
            fn = fn.pick(dtype)
        a, b = _operand(self, dtype), _operand(other, dtype)
        try:
            out = self.backend.zip(fn, a, b, out_dtype or dtype)
        except RuntimeError as e:
            if "cannot be broadcast" in str(e):
                raise RuntimeError(f"{name}(): {e}") from None
            raise
        return self._wrap(out, out_dtype or dtype)

    def _rbinary(self, other, name, fn, out_dtype=None):
        """`other <op> self` for a Python scalar `other`."""
        dtype = dtypes.result_type(self, other)
        return self._make(_scalar_data(other, dtype), dtype, self.backend)._binary(
            self, name, fn, out_dtype, dtype
        )

    def _unary(self, fn, out_dtype=None):
        out_dtype = out_dtype or self.dtype
        return self._wrap(self.backend.map(fn, self._data, out_dtype), out_dtype)

    def _float_unary(self, fn):
        """A math function whose result is floating point even for integer input."""
        if self.dtype.is_floating_point:
            return self._unary(fn)
        return self.to(dtypes.get_default_dtype())._unary(fn)

    def _numeric_unary(self, name, fn):
        """A function defined on numbers but not on bools (PyTorch refuses abs(mask))."""
        if self.dtype is dtypes.bool_:
            raise RuntimeError(f"Boolean inputs not supported for {name}")
        return self._unary(fn)

    def _scaled(self, other, alpha, dtype):
        """`alpha * other` in the operation's dtype, for `add(other, alpha=...)` and friends."""
        if alpha == 1:
            return other
        if isinstance(alpha, float) and not dtype.is_floating_point:
            raise RuntimeError(
                "For integral input tensors, argument alpha must not be a floating point number."
            )
        return self.backend.zip(ops.mul, _operand(other, dtype), _scalar_data(alpha, dtype), dtype)

    def _true_div_dtype(self, other):
        dtype = dtypes.result_type(self, other)
        return dtype if dtype.is_floating_point else dtypes.get_default_dtype()

    # ----- arithmetic -------------------------------------------------------------------
    def add(self, other, *, alpha=1):
        """`self + alpha * other`."""
        dtype = dtypes.result_type(self, other)
        return self._binary(self._scaled(other, alpha, dtype), "add", ops.add, None, dtype)

    def sub(self, other, *, alpha=1):
        """`self - alpha * other`."""
        _check_not_bool(self, other)
        dtype = dtypes.result_type(self, other)
        return self._binary(self._scaled(other, alpha, dtype), "sub", ops.sub, None, dtype)

    subtract = sub

    def mul(self, other):
        return self._binary(other, "mul", ops.mul)

    multiply = mul

    def div(self, other, *, rounding_mode=None):
        """True division (`/`); `rounding_mode='floor'` is `//`, `'trunc'` rounds toward 0."""
        if rounding_mode == "floor":
            return self.floor_divide(other)
        if rounding_mode == "trunc":
            return self._binary(other, "div", _truncdiv)
        if rounding_mode is not None:
            raise RuntimeError(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                f"'{rounding_mode}'"
            )
        dtype = self._true_div_dtype(other)
        return self._binary(other, "div", ops.div, dtype, dtype)

    divide = true_divide = div

    def floor_divide(self, other):
        return self._binary(other, "floor_divide", _floordiv)

    def remainder(self, other):
        return self._binary(other, "remainder", _mod)

    def pow(self, exponent):
        if isinstance(exponent, bool) and self.dtype is dtypes.bool_:
            return self._binary(exponent, "pow", ops.int_pow)  # PyTorch allows mask ** True
        return self._binary(exponent, "pow", _pow)

    def neg(self):
        _check_not_bool(self)
        return self._unary(ops.neg)

    negative = neg

    def abs(self):
        return self._numeric_unary("abs", ops.abs)

    def exp(self):
        return self._float_unary(ops.exp)

    def log(self):
        return self._float_unary(ops.log)

    def sqrt(self):
        return self._float_unary(ops.sqrt)

    def sin(self):
        return self._float_unary(ops.sin)

    def cos(self):
        return self._float_unary(ops.cos)

    def tanh(self):
        return self._float_unary(ops.tanh)

    def sigmoid(self):
        return self._float_unary(ops.sigmoid)

    def relu(self):
        return self._numeric_unary("relu", ops.relu)

    def maximum(self, other):
        return self._binary(other, "maximum", ops.maximum)

    def minimum(self, other):
        return self._binary(other, "minimum", ops.minimum)

    def clamp(self, min=None, max=None):
        """Limit every element to `[min, max]` (either bound may be omitted)."""
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        out = self
        if min is not None:
            out = out.maximum(min)
        if max is not None:
            out = out.minimum(max)
        return out

    clip = clamp

    def where(self, condition, other):
        """`self` where `condition` holds, else `other` (see `minitorch.where`)."""
        return where(condition, self, other)

    # ----- comparisons and logic --------------------------------------------------------
    def lt(self, other):
        return self._binary(other, "lt", ops.lt, dtypes.bool_)

    def le(self, other):
        return self._binary(other, "le", ops.le, dtypes.bool_)

    def gt(self, other):
        return self._binary(other, "gt", ops.gt, dtypes.bool_)

    def ge(self, other):
        return self._binary(other, "ge", ops.ge, dtypes.bool_)

    def eq(self, other):
        return self._binary(other, "eq", ops.eq, dtypes.bool_)

    def ne(self, other):
        return self._binary(other, "ne", ops.ne, dtypes.bool_)

    less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne

    def logical_not(self):
        return self._unary(ops.logical_not, dtypes.bool_)

    def logical_and(self, other):
        return self._binary(other, "logical_and", ops.logical_and, dtypes.bool_)

    def logical_or(self, other):
        return self._binary(other, "logical_or", ops.logical_or, dtypes.bool_)

    def _bitwise(self, other, name, fn):
        if dtypes.result_type(self, other).is_floating_point:
            raise RuntimeError(f"\"{name}_cpu\" not implemented for floating-point tensors")
        return self._binary(other, name, fn)

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
        return self._unary(ops.bitwise_not)

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
    __eq__ = eq
    __ne__ = ne
    __and__ = bitwise_and
    __or__ = bitwise_or
    __xor__ = bitwise_xor
    __invert__ = bitwise_not

    def __radd__(self, other):
        return self._rbinary(other, "add", ops.add)

    def __rsub__(self, other):
        _check_not_bool(other, self)
        return self._rbinary(other, "sub", ops.sub)

    def __rmul__(self, other):
        return self._rbinary(other, "mul", ops.mul)

    def __rtruediv__(self, other):
        dtype = self._true_div_dtype(other)
        return self._make(_scalar_data(other, dtype), dtype, self.backend)._binary(
            self, "div", ops.div, dtype, dtype
        )

    def __rfloordiv__(self, other):
        return self._rbinary(other, "floor_divide", _floordiv)

    def __rmod__(self, other):
        return self._rbinary(other, "remainder", _mod)

    def __rpow__(self, other):
        return self._rbinary(other, "pow", _pow)

    __rand__ = bitwise_and
    __ror__ = bitwise_or
    __rxor__ = bitwise_xor

    # ----- in place -----------------------------------------------------------------------
    def _inplace(self, other, name, fn, dtype=None, alpha=1):
        """Write `fn(self, alpha * other)` into `self`'s own storage (through views too)."""
        overlapping = any(s == 0 and n > 1 for n, s in zip(self.shape, self.stride()))
        if overlapping and self.numel():
            raise RuntimeError(
                f"{name}: unsupported operation: more than one element of the written-to tensor "
                "refers to a single memory location (it is an expanded view). Please clone() "
                "the tensor before performing the operation."
            )
        dtype = dtype or dtypes.result_type(self, other)
        if dtype.category > self.dtype.category:
            raise RuntimeError(
                f"result type {_TORCH_NAMES[dtype.name]} can't be cast to the desired output "
                f"type {_TORCH_NAMES[self.dtype.name]}"
            )
        if isinstance(fn, _ByCategory):
            fn = fn.pick(dtype)
        b = _operand(self._scaled(other, alpha, dtype), dtype)
        if b.shape != self.shape:
            shape = shape_broadcast(self.shape, b.shape)
            if shape != self.shape:
                raise RuntimeError(
                    f"{name}: output with shape {list(self.shape)} doesn't match the broadcast "
                    f"shape {list(shape)}"
                )
        self.backend.zip(fn, _operand(self, dtype), b, self.dtype, out=self._data)
        return self

    def add_(self, other, *, alpha=1):
        return self._inplace(other, "add_", ops.add, alpha=alpha)

    def sub_(self, other, *, alpha=1):
        _check_not_bool(self, other)
        return self._inplace(other, "sub_", ops.sub, alpha=alpha)

    def mul_(self, other):
        return self._inplace(other, "mul_", ops.mul)

    def div_(self, other, *, rounding_mode=None):
        if rounding_mode is not None:
            return self.copy_(self.div(other, rounding_mode=rounding_mode))
        return self._inplace(other, "div_", ops.div, self._true_div_dtype(other))

    def clamp_(self, min=None, max=None):
        return self.copy_(self.clamp(min, max))

    def fill_(self, value):
        """Set every element to `value`."""
        self.backend.copy(_raw_data(value, self.dtype), self._data)
        return self

    def zero_(self):
        return self.fill_(0)

    def copy_(self, src):
        """Copy `src` (broadcast to this shape, cast to this dtype) into this tensor."""
        data = _raw_data(src, self.dtype)
        if data.shape != self.shape and shape_broadcast(self.shape, data.shape) != self.shape:
            raise RuntimeError(
                f"copy_: the source of shape {list(data.shape)} cannot be broadcast to the "
                f"destination's shape {list(self.shape)}"
            )
        self.backend.copy(data, self._data)
        return self

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_


def where(condition, input, other):
    """Elementwise choice: `input` where `condition` is True, else `other`.

    `input` and `other` may be tensors or Python scalars; all three broadcast together.
    """
    if getattr(condition, "dtype", None) is not dtypes.bool_:
        got = getattr(condition, "dtype", type(condition).__name__)
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got {got}")
    dtype = dtypes.result_type(input, other)
    a, b = _raw_data(input, dtype), _raw_data(other, dtype)
    shape = shape_broadcast(shape_broadcast(condition.shape, a.shape), b.shape)
    values = np.where(condition._data.numpy(), a.numpy(), b.numpy()).astype(dtype.numpy)
    return condition._make(TensorData.from_array(values.reshape(shape)), dtype, condition.backend)


_truncdiv = _ByCategory("div_trunc", ops.int_truncdiv, ops.float_truncdiv)
_floordiv = _ByCategory("floor_divide", ops.int_floordiv, ops.float_floordiv)
_mod = _ByCategory("remainder", ops.int_mod, ops.float_mod)
_pow = _ByCategory("pow", ops.int_pow, ops.float_pow)

_TORCH_NAMES = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
                "bool": "Bool"}
