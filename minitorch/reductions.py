"""Reductions: sum, mean, prod, max/min (with indices), argmax/argmin, all/any, var/std.

Each reduces over `dim` (an int, a tuple, or None for every dimension; negative dims count
from the end) and keeps the reduced dimensions as size 1 when `keepdim=True`.
"""

import numpy as np

from . import dtypes, return_types
from . import operators as ops
from . import pointwise as pw
from . import tensor_functions as F
from .tensor_data import TensorData, normalize_dim


def _dims(dim, ndim):
    """The sorted, non-negative dimensions that `dim` names (all of them for None)."""
    if ndim == 0:
        if dim is not None and not isinstance(dim, (tuple, list)):
            normalize_dim(dim, 0)
        return ()
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        dims = sorted(normalize_dim(d, ndim) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"dim {dim} appears multiple times in the list of dims")
        return tuple(dims)
    return (normalize_dim(dim, ndim),)


def _lowest(dtype):
    if dtype.is_floating_point:
        return -np.inf
    return False if dtype is dtypes.bool_ else np.iinfo(dtype.numpy).min


def _highest(dtype):
    if dtype.is_floating_point:
        return np.inf
    return True if dtype is dtypes.bool_ else np.iinfo(dtype.numpy).max


class ReductionOps:
    """Mixin: the reductions of `Tensor`."""

    __slots__ = ()

    def _reduced_dims(self, dim):
        return _dims(dim, self.dim())

    def _reduce(self, fn, start, dim, keepdim, dtype):
        """Fold the dimensions `dim` with `fn` from `start` (no autograd) into a `dtype` result.

        Sums of float32 accumulate in float64, so that long sums keep float32's accuracy.
        """
        dims = _dims(dim, self.dim())
        if not dims:
            return self._cast(dtype)
        accumulate = dtypes.float64 if fn is ops.add and dtype is dtypes.float32 else dtype
        data = self._data
        if len(dims) == data.dims and data.dims > 1 and data.is_contiguous():
            out = self.backend.reduce(fn, data.view((data.size,), (1,)), 0, start, accumulate)
        else:
            out = data
            for d in dims:
                out = self.backend.reduce(fn, out, d, start, accumulate)
        shape = list(self.shape)
        for d in reversed(dims):
            if keepdim:
                shape[d] = 1
            else:
                del shape[d]
        result = self._wrap(TensorData(out.storage, tuple(shape)), accumulate)
        return result if accumulate is dtype else result._cast(dtype)

    def _default_sum_dtype(self, dtype):
        if dtype is not None:
            return dtype
        return self.dtype if self.dtype.is_floating_point else dtypes.int64

    def _float_dtype(self, name, dtype):
        dtype = dtype or self.dtype
        if not dtype.is_floating_point:
            raise RuntimeError(
                f"{name}(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {dtype.torch_name} "
                "(convert the tensor with .float() first)"
            )
        return dtype

    def _divide_raw(self, count):
        return pw.binary(self, count, "div", ops.div)

    def _count(self, dim):
        n = 1
        for d in _dims(dim, self.dim()):
            n *= self.shape[d]
        return n

    def sum(self, dim=None, keepdim=False, *, dtype=None):
        """The sum of the elements over `dim` (all of them by default)."""
        return F.Sum.apply(self, dim=dim, keepdim=keepdim, dtype=self._default_sum_dtype(dtype))

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        """The product of the elements over `dim` (all of them by default)."""
        return F.Prod.apply(self, dim=dim, keepdim=keepdim, dtype=self._default_sum_dtype(dtype))

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        dtype = self._float_dtype("mean", dtype)
        return F.Mean.apply(self, dim=dim, keepdim=keepdim, dtype=dtype)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        r"""Variance $\frac{1}{N - c}\sum (x - \bar x)^2$ with Bessel's correction $c = 1$."""
        if isinstance(unbiased, bool) and correction is None:
            correction = 1 if unbiased else 0
        correction = 1 if correction is None else correction
        self._float_dtype("var", None)
        centered = self - self.mean(dim, keepdim=True)
        squares = (centered * centered).sum(dim, keepdim)
        return squares.div(max(self._count(dim) - correction, 0))

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return self.var(dim, unbiased, keepdim, correction=correction).sqrt()

    # ----- log-sum-exp and softmax ------------------------------------------------------
    def _softmax_input(self, name, dim, dtype):
        """The input cast for a softmax-like operation, and `dim` checked (non-negative)."""
        if dim is None:
            raise TypeError(f"{name}() missing required argument 'dim': say along which "
                            f"dimension, e.g. {name}(dim=-1) for the last one")
        d = normalize_dim(dim, self.dim())
        x = self if dtype is None else self.to(dtype)
        if not x.dtype.is_floating_point:
            raise RuntimeError(
                f"{name}(): not implemented for '{x.dtype.torch_name}' tensors: convert the "
                "input with .float() first, or pass dtype=minitorch.float32"
            )
        return x, d

    def logsumexp(self, dim, keepdim=False):
        r"""$\ln \sum e^{x}$ over `dim`, computed stably as $m + \ln \sum e^{x - m}$ with $m$
        the maximum (no overflow for large $x$). Integer inputs give floats."""
        x = self if self.dtype.is_floating_point else self._cast(dtypes.get_default_dtype())
        return F.LogSumExp.apply(x, dim=dim, keepdim=keepdim)

    def softmax(self, dim, dtype=None):
        r"""$e^{x_i} / \sum_j e^{x_j}$ along `dim`: non-negative, summing to 1 along `dim`.

        Computed as $e^{x_i - m} / \sum_j e^{x_j - m}$ with $m$ the maximum along `dim`, so
        large inputs do not overflow.
        """
        x, d = self._softmax_input("softmax", dim, dtype)
        return F.Softmax.apply(x, dim=d)

    def log_softmax(self, dim, dtype=None):
        r"""$x_i - \ln \sum_j e^{x_j}$ along `dim`: the log of `softmax`, computed stably."""
        x, d = self._softmax_input("log_softmax", dim, dtype)
        return F.LogSoftmax.apply(x, dim=d)

    def all(self, dim=None, keepdim=False):
        return self._reduce(ops.logical_and, True, dim, keepdim, dtypes.bool_)

    def any(self, dim=None, keepdim=False):
        return self._reduce(ops.logical_or, False, dim, keepdim, dtypes.bool_)

    def _extreme(self, name, fn, start, dim, keepdim):
        if dim is None or isinstance(dim, (tuple, list)):
            if self.numel() == 0:
                raise RuntimeError(
                    f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                    "Specify the reduction dim with the 'dim' argument."
                )
            return F.Extreme.apply(self, name=name, fn=fn, start=start, dim=dim,
                                   keepdim=keepdim)
        return F.ExtremeAlongDim.apply(self, name=name, fn=fn, start=start, dim=dim,
                                       keepdim=keepdim)

    def _extreme_along(self, name, fn, start, dim, keepdim):
        """(values, indices) of the extremes along `dim`; the first one wins a tie."""
        d = normalize_dim(dim, self.dim())
        result = getattr(return_types, name)
        if self.dim() == 0:
            return result(self._copy(), self._arange(1).view(()))
        n = self.shape[d]
        if n == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        values = self._reduce(fn, start, d, True, self.dtype)
        hits = pw.binary(self, values, "eq", ops.same_or_both_nan, dtypes.bool_, self.dtype)
        positions = self._arange(n).view([n if i == d else 1 for i in range(self.dim())])
        indices = pw.select(hits, positions, n)._reduce(ops.minimum, n, d, True, dtypes.int64)
        if not keepdim:
            values, indices = values.squeeze(d), indices.squeeze(d)
        return result(values, indices)

    def _arange(self, n):
        data = TensorData(np.arange(n, dtype=np.int64), (n,))
        return self._make(data, dtypes.int64, self.backend)

    def max(self, dim=None, keepdim=False):
        """The largest value; with `dim`, a `(values, indices)` pair; with a tensor, `maximum`."""
        if hasattr(dim, "_data"):
            return self.maximum(dim)
        return self._extreme("max", ops.maximum, _lowest(self.dtype), dim, keepdim)

    def min(self, dim=None, keepdim=False):
        """The smallest value; with `dim`, a `(values, indices)` pair; with a tensor, `minimum`."""
        if hasattr(dim, "_data"):
            return self.minimum(dim)
        return self._extreme("min", ops.minimum, _highest(self.dtype), dim, keepdim)

    def amax(self, dim=(), keepdim=False):
        return F.Extreme.apply(self, name="amax", fn=ops.maximum, start=_lowest(self.dtype),
                               dim=dim, keepdim=keepdim)

    def amin(self, dim=(), keepdim=False):
        return F.Extreme.apply(self, name="amin", fn=ops.minimum, start=_highest(self.dtype),
                               dim=dim, keepdim=keepdim)

    def argmax(self, dim=None, keepdim=False):
        """The index of the first largest value (in the flattened tensor when `dim` is None)."""
        return self._arg("max", dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        """The index of the first smallest value (in the flattened tensor when `dim` is None)."""
        return self._arg("min", dim, keepdim)

    def _arg(self, extreme, dim, keepdim):
        if self.dtype is dtypes.bool_:
            raise RuntimeError(f"arg{extreme}(): does not support bool input")
        if dim is not None:
            return getattr(self.detach(), extreme)(dim, keepdim).indices
        if self.numel() == 0:
            raise IndexError(
                f"arg{extreme}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        index = getattr(self.detach().reshape(-1), extreme)(0).indices
        return index.view([1] * self.dim()) if keepdim else index
