"""In-place operations of `Tensor` (`add_`, `mul_`, `copy_`, `t[...] = v`, ...).

An in-place update computes its result out of place and then writes it into the tensor's
own storage, so views see it and overlapping operands (`t += t.T`) stay correct. When the
graph is recorded, the tensor takes the new result's place in it; PyTorch's rules apply:
a leaf that requires grad cannot be changed in place, and a tensor saved for a backward
pass that is then changed makes that backward pass fail (its version counter moved).
"""

from . import dtypes, grad_mode
from . import operators as ops
from . import pointwise as pw
from . import tensor_functions as F
from .pointwise import raw_data
from .tensor_data import shape_broadcast


def _requires_grad(x):
    return getattr(x, "_requires_grad", False)


class InplaceOps:
    """Mixin: in-place updates of `Tensor`."""

    __slots__ = ()

    def _records_update(self, name, *operands):
        """Whether this update must be recorded in the graph (and may be, by PyTorch's rules)."""
        if not grad_mode._state["enabled"]:
            return False
        if not (self._requires_grad or any(_requires_grad(x) for x in operands)):
            return False
        if self._requires_grad and self._grad_fn is None:
            raise RuntimeError(
                f"{name}: a leaf Variable that requires grad is being used in an in-place "
                "operation. Update parameters inside `with minitorch.no_grad():` (as optimizers "
                "do), or use an out-of-place operation (w = w - lr * w.grad)."
            )
        if self._base is not None:
            raise RuntimeError(
                f"{name}: minitorch cannot record an in-place change of a view (it would have "
                "to update the gradient of the tensor the view belongs to). Use an out-of-place "
                "operation instead, e.g. y = y + 1."
            )
        return True

    def _check_writable(self, name):
        if self.numel() and any(s == 0 and n > 1 for n, s in zip(self._data.shape,
                                                                  self._data.strides)):
            raise RuntimeError(
                f"{name}: unsupported operation: more than one element of the written-to tensor "
                "refers to a single memory location (it is an expanded view). Please clone() "
                "the tensor before performing the operation."
            )

    def _snapshot(self):
        """The current values in new storage, with this tensor's place in the graph."""
        copy = self._copy()
        copy._grad_fn, copy._requires_grad = self._grad_fn, self._requires_grad
        return copy

    def _bump_version(self):
        self._version_counter[0] += 1

    def _update(self, name, compute, *operands):
        """Replace the values of `self` by `compute(self)`, an out-of-place result.

        When the graph is recorded, `compute` sees a copy of `self` at its place in the graph,
        so what the operation saves for backward is not changed by the write that follows.
        """
        self._check_writable(name)
        records = self._records_update(name, *operands)
        result = compute(self._snapshot() if records else self)
        if result.dtype.category > self.dtype.category:
            raise RuntimeError(
                f"{name}: result type {result.dtype.torch_name} can't be cast to the desired "
                f"output type {self.dtype.torch_name}"
            )
        if result.shape != self.shape:
            raise RuntimeError(
                f"{name}: output with shape {list(self.shape)} doesn't match the broadcast "
                f"shape {list(result.shape)}"
            )
        self.backend.copy(result._data, self._data)
        self._bump_version()
        if records:
            result = result if result.dtype is self.dtype else result.to(self.dtype)
            self._grad_fn = result._grad_fn
            self._requires_grad = True
        return self

    def _update_directly(self, name, fn, other, alpha=1):
        """`self = fn(self, alpha * other)` written straight into this tensor's storage, when
        that gives what `_update` gives (one pass, no copy: optimizers' updates); else False."""
        if not self._updatable_directly(other):
            return False
        self._check_writable(name)
        if alpha != 1:
            other = pw.scaled(self, other, alpha, self.dtype)
        pw.binary(self, other, name, fn, compute_dtype=self.dtype, out=self._data)
        self._bump_version()
        return True

    def _updatable_directly(self, other):
        if grad_mode._state["enabled"] and (self._requires_grad or _requires_grad(other)):
            return False  # the graph records the update, or refuses it
        if isinstance(other, bool) or dtypes.bool_ in (self.dtype, getattr(other, "dtype", None)):
            return False  # bool arithmetic has its own rules and errors
        if hasattr(other, "_data"):
            if other._data.storage is self._data.storage or other.backend is not self.backend:
                return False  # memory that the write would change under the reads, or an error
            try:
                if shape_broadcast(self.shape, other.shape) != self.shape:
                    return False  # an error: `self` cannot take the broadcast shape
            except RuntimeError:
                return False
        elif not isinstance(other, (int, float)):
            return False
        return dtypes.result_type(self, other) is self.dtype  # else a cast, or an error

    def add_(self, other, *, alpha=1):
        if self._update_directly("add_", ops.add, other, alpha):
            return self
        return self._update("add_", lambda t: t.add(other, alpha=alpha), other)

    def sub_(self, other, *, alpha=1):
        if self._update_directly("sub_", ops.sub, other, alpha):
            return self
        return self._update("sub_", lambda t: t.sub(other, alpha=alpha), other)

    def mul_(self, other):
        if self._update_directly("mul_", ops.mul, other):
            return self
        return self._update("mul_", lambda t: t.mul(other), other)

    def div_(self, other, *, rounding_mode=None):
        return self._update("div_", lambda t: t.div(other, rounding_mode=rounding_mode), other)

    def pow_(self, exponent):
        return self._update("pow_", lambda t: t.pow(exponent), exponent)

    def clamp_(self, min=None, max=None):
        return self._update("clamp_", lambda t: t.clamp(min, max), min, max)

    clip_ = clamp_

    def clamp_min_(self, min):
        return self._update("clamp_min_", lambda t: t.clamp_min(min), min)

    def relu_(self):
        return self._update("relu_", lambda t: t.relu())

    def masked_fill_(self, mask, value):
        """Set the elements where `mask` (a bool tensor) is True to `value`."""
        return self._update("masked_fill_", lambda t: t.masked_fill(mask, value), value)

    def copy_(self, src):
        """Copy `src` (broadcast to this shape, cast to this dtype) into this tensor."""
        if not hasattr(src, "_data"):
            raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")
        if src.shape != self.shape and shape_broadcast(self.shape, src.shape) != self.shape:
            raise RuntimeError(
                f"copy_: the source of shape {list(src.shape)} cannot be broadcast to the "
                f"destination's shape {list(self.shape)}"
            )
        return self._update("copy_", lambda t: src.expand(self.shape).to(self.dtype), src)

    def fill_(self, value):
        """Set every element to `value` (a number or a 0-d tensor)."""
        if hasattr(value, "_data"):
            if value.dim():
                raise RuntimeError(
                    "fill_ only supports 0-dimension value tensor but got tensor with "
                    f"{value.dim()} dimensions."
                )
        elif not isinstance(value, (bool, int, float)):
            raise TypeError(f"fill_(): argument 'value' must be a number, not "
                            f"{type(value).__name__}")
        return self._overwrite("fill_", raw_data(value, self.dtype))

    def _overwrite(self, name, data):
        """Replace every value by `data` (broadcast); the result no longer depends on the old
        values, so a non-leaf tensor leaves the graph."""
        self._check_writable(name)
        self._records_update(name)
        self.backend.copy(data, self._data)
        self._bump_version()
        if self._grad_fn is not None:
            self._grad_fn = None
            self._requires_grad = False
        return self

    def zero_(self):
        return self.fill_(0)

    def __setitem__(self, key, value):
        if value is None or isinstance(value, (str, bytes)):
            raise TypeError(f"can't assign a {type(value).__name__} to a Tensor")
        self._check_writable("__setitem__")
        if self._records_update("__setitem__", value):
            return self._update("__setitem__", lambda t: F.IndexPut.apply(t, value, key=key),
                                value)
        self._setitem(key, value)
        self._bump_version()

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_
