"""In-place operations (`add_`, `mul_`, `copy_`, `t[...] = v`, ...).

An in-place update computes its result out of place and then writes it into the tensor's
own storage, so views see it and overlapping operands (`t += t.T`) stay correct. When the
graph is recorded, the tensor takes the new result's place in it; PyTorch's rules apply:
a leaf that requires grad cannot be changed in place, and a tensor saved for a backward
pass that is then changed makes that backward pass fail (its version counter moved).

Each function takes the tensor first (`input`); `tensor.Tensor` binds it as the method of
the same name, and `minitorch` exports the PyTorch functions among them.
"""

from . import dtypes, grad_mode, indexing
from . import operators as ops
from . import pointwise as pw
from . import tensor_functions as F
from .pointwise import raw_data
from .tensor_core import TensorCore
from .tensor_data import shape_broadcast


def _requires_grad(x):
    """Whether `x` (a tensor or a number) requires grad."""
    return isinstance(x, TensorCore) and x._requires_grad


def _records_update(input, name, *operands):
    """Whether this update must be recorded in the graph (and may be, by PyTorch's rules)."""
    if not grad_mode._state["enabled"]:
        return False
    if not (input._requires_grad or any(_requires_grad(x) for x in operands)):
        return False
    if input._requires_grad and input._grad_fn is None:
        raise RuntimeError(
            f"{name}: a leaf Variable that requires grad is being used in an in-place "
            "operation. Update parameters inside `with minitorch.no_grad():` (as optimizers "
            "do), or use an out-of-place operation (w = w - lr * w.grad)."
        )
    if input._base is not None:
        raise RuntimeError(
            f"{name}: minitorch cannot record an in-place change of a view (it would have "
            "to update the gradient of the tensor the view belongs to). Use an out-of-place "
            "operation instead, e.g. y = y + 1."
        )
    return True


def _check_writable(input, name):
    if input.numel() and any(s == 0 and n > 1 for n, s in zip(input._data.shape,
                                                              input._data.strides)):
        raise RuntimeError(
            f"{name}: unsupported operation: more than one element of the written-to tensor "
            "refers to a single memory location (it is an expanded view). Please clone() "
            "the tensor before performing the operation."
        )


def _snapshot(input):
    """The current values in new storage, with this tensor's place in the graph."""
    copy = input._copy()
    copy._grad_fn, copy._requires_grad = input._grad_fn, input._requires_grad
    return copy


def _bump_version(input):
    input._version_counter[0] += 1


def update(input, name, compute, *operands):
    """Replace the values of `input` by `compute(input)`, an out-of-place result.

    When the graph is recorded, `compute` sees a copy of `input` at its place in the graph,
    so what the operation saves for backward is not changed by the write that follows.
    """
    _check_writable(input, name)
    records = _records_update(input, name, *operands)
    result = compute(_snapshot(input) if records else input)
    if result.dtype.category > input.dtype.category:
        raise RuntimeError(
            f"{name}: result type {result.dtype.torch_name} can't be cast to the desired "
            f"output type {input.dtype.torch_name}"
        )
    if result.shape != input.shape:
        raise RuntimeError(
            f"{name}: output with shape {list(input.shape)} doesn't match the broadcast "
            f"shape {list(result.shape)}"
        )
    input.backend.copy(result._data, input._data)
    _bump_version(input, )
    if records:
        result = result if result.dtype is input.dtype else result.to(input.dtype)
        input._grad_fn = result._grad_fn
        input._requires_grad = True
    return input


def _update_directly(input, name, fn, other, alpha=1):
    """`input = fn(input, alpha * other)` written straight into this tensor's storage, when
    that gives what `_update` gives (one pass, no copy: optimizers' updates); else False."""
    if not _updatable_directly(input, other):
        return False
    _check_writable(input, name)
    if alpha != 1:
        other = pw.scaled(input, other, alpha, input.dtype)
    pw.binary(input, other, name, fn, compute_dtype=input.dtype, out=input._data)
    _bump_version(input, )
    return True


def _updatable_directly(input, other):
    if grad_mode._state["enabled"] and (input._requires_grad or _requires_grad(other)):
        return False  # the graph records the update, or refuses it
    if isinstance(other, bool) or dtypes.bool_ in (input.dtype, getattr(other, "dtype", None)):
        return False  # bool arithmetic has its own rules and errors
    if isinstance(other, TensorCore):
        if other._data.storage is input._data.storage or other.backend is not input.backend:
            return False  # memory that the write would change under the reads, or an error
        try:
            if shape_broadcast(input.shape, other.shape) != input.shape:
                return False  # an error: `input` cannot take the broadcast shape
        except RuntimeError:
            return False
    elif not isinstance(other, (int, float)):
        return False
    return dtypes.result_type(input, other) is input.dtype  # else a cast, or an error


def add_(input, other, *, alpha=1):
    if _update_directly(input, "add_", ops.add, other, alpha):
        return input
    return update(input, "add_", lambda t: t.add(other, alpha=alpha), other)


def sub_(input, other, *, alpha=1):
    if _update_directly(input, "sub_", ops.sub, other, alpha):
        return input
    return update(input, "sub_", lambda t: t.sub(other, alpha=alpha), other)


def mul_(input, other):
    if _update_directly(input, "mul_", ops.mul, other):
        return input
    return update(input, "mul_", lambda t: t.mul(other), other)


def div_(input, other, *, rounding_mode=None):
    return update(input, "div_", lambda t: t.div(other, rounding_mode=rounding_mode), other)


def pow_(input, exponent):
    return update(input, "pow_", lambda t: t.pow(exponent), exponent)


def clamp_(input, min=None, max=None):
    return update(input, "clamp_", lambda t: t.clamp(min, max), min, max)


clip_ = clamp_


def clamp_min_(input, min):
    return update(input, "clamp_min_", lambda t: t.clamp_min(min), min)


def relu_(input):
    return update(input, "relu_", lambda t: t.relu())


def masked_fill_(input, mask, value):
    """Set the elements where `mask` (a bool tensor) is True to `value`."""
    return update(input, "masked_fill_", lambda t: t.masked_fill(mask, value), value)


def copy_(input, src):
    """Copy `src` (broadcast to this shape, cast to this dtype) into this tensor."""
    if not isinstance(src, TensorCore):
        raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")
    if src.shape != input.shape and shape_broadcast(input.shape, src.shape) != input.shape:
        raise RuntimeError(
            f"copy_: the source of shape {list(src.shape)} cannot be broadcast to the "
            f"destination's shape {list(input.shape)}"
        )
    return update(input, "copy_", lambda t: src.expand(input.shape).to(input.dtype), src)


def fill_(input, value):
    """Set every element to `value` (a number or a 0-d tensor)."""
    if isinstance(value, TensorCore):
        if value.dim():
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value.dim()} dimensions."
            )
    elif not isinstance(value, (bool, int, float)):
        raise TypeError(f"fill_(): argument 'value' must be a number, not "
                        f"{type(value).__name__}")
    return overwrite(input, "fill_", raw_data(value, input.dtype))


def overwrite(input, name, data):
    """Replace every value by `data` (broadcast); the result no longer depends on the old
    values, so a non-leaf tensor leaves the graph."""
    _check_writable(input, name)
    _records_update(input, name)
    input.backend.copy(data, input._data)
    _bump_version(input, )
    if input._grad_fn is not None:
        input._grad_fn = None
        input._requires_grad = False
    return input


def zero_(input):
    return input.fill_(0)


def setitem(input, key, value):
    """`input[key] = value`, recorded in the graph when it must be."""
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"can't assign a {type(value).__name__} to a Tensor")
    _check_writable(input, "__setitem__")
    if _records_update(input, "__setitem__", value):
        return update(input, "__setitem__", lambda t: F.IndexPut.apply(t, value, key=key),
                            value)
    indexing.setitem(input, key, value)
    _bump_version(input, )

