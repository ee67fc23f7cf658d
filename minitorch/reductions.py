"""Reductions: sum, mean, prod, max/min (with indices), argmax/argmin, all/any, var/std,
std_mean/var_mean, median/mode (with indices) and the vector norms.

Each reduces over `dim` (an int, a tuple, or None for every dimension; negative dims count
from the end) and keeps the reduced dimensions as size 1 when `keepdim=True`.

Each function takes the tensor first (`input`); `tensor.Tensor` binds it as the method of
the same name, and `minitorch` exports the PyTorch functions among them.
"""

import builtins
import math

import numpy as np

from . import dtypes, return_types
from . import operators as ops
from . import tensor_compute as tc
from . import tensor_functions as F
from .tensor_core import TensorCore
from .tensor_data import normalize_dim


def _lowest(dtype):
    if dtype.is_floating_point:
        return -np.inf
    return False if dtype is dtypes.bool_ else np.iinfo(dtype.numpy).min


def _highest(dtype):
    if dtype.is_floating_point:
        return np.inf
    return True if dtype is dtypes.bool_ else np.iinfo(dtype.numpy).max


def _default_sum_dtype(input, dtype):
    """PyTorch's: the input's dtype when floating point, else int64."""
    if dtype is not None:
        return dtype
    return input.dtype if input.dtype.is_floating_point else dtypes.int64


def _float_dtype(input, name, dtype):
    dtype = dtype or input.dtype
    if not dtype.is_floating_point:
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {dtype.torch_name} "
            "(convert the tensor with .float() first)"
        )
    return dtype


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum of the elements over `dim` (all of them by default)."""
    return F.Sum.apply(input, dim=dim, keepdim=keepdim, dtype=_default_sum_dtype(input, dtype))


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """The product of the elements over `dim` (all of them by default)."""
    return F.Prod.apply(input, dim=dim, keepdim=keepdim, dtype=_default_sum_dtype(input, dtype))


def mean(input, dim=None, keepdim=False, *, dtype=None):
    dtype = _float_dtype(input, "mean", dtype)
    return F.Mean.apply(input, dim=dim, keepdim=keepdim, dtype=dtype)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    r"""Variance $\frac{1}{N - c}\sum (x - \bar x)^2$ with Bessel's correction $c = 1$."""
    if isinstance(unbiased, bool) and correction is None:
        correction = 1 if unbiased else 0
    correction = 1 if correction is None else correction
    _float_dtype(input, "var", None)
    centered = input - input.mean(dim, keepdim=True)
    squares = (centered * centered).sum(dim, keepdim)
    return squares.div(builtins.max(tc.count(input, dim) - correction, 0))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return input.var(dim, unbiased, keepdim, correction=correction).sqrt()


# ----- log-sum-exp and softmax ------------------------------------------------------
def softmax_input(input, name, dim, dtype):
    """The input cast for a softmax-like operation, and `dim` checked (non-negative)."""
    if dim is None:
        raise TypeError(f"{name}() missing required argument 'dim': say along which "
                        f"dimension, e.g. {name}(dim=-1) for the last one")
    d = normalize_dim(dim, input.dim())
    x = input if dtype is None else input.to(dtype)
    if not x.dtype.is_floating_point:
        raise RuntimeError(
            f"{name}(): not implemented for '{x.dtype.torch_name}' tensors: convert the "
            "input with .float() first, or pass dtype=minitorch.float32"
        )
    return x, d


def logsumexp(input, dim, keepdim=False):
    r"""$\ln \sum e^{x}$ over `dim`, computed stably as $m + \ln \sum e^{x - m}$ with $m$
    the maximum (no overflow for large $x$). Integer inputs give floats."""
    x = input if input.dtype.is_floating_point else input._cast(dtypes.get_default_dtype())
    return F.LogSumExp.apply(x, dim=dim, keepdim=keepdim)


def softmax(input, dim, dtype=None):
    r"""$e^{x_i} / \sum_j e^{x_j}$ along `dim`: non-negative, summing to 1 along `dim`.

    Computed as $e^{x_i - m} / \sum_j e^{x_j - m}$ with $m$ the maximum along `dim`, so
    large inputs do not overflow.
    """
    x, d = softmax_input(input, "softmax", dim, dtype)
    return F.Softmax.apply(x, dim=d)


def log_softmax(input, dim, dtype=None):
    r"""$x_i - \ln \sum_j e^{x_j}$ along `dim`: the log of `softmax`, computed stably."""
    x, d = softmax_input(input, "log_softmax", dim, dtype)
    return F.LogSoftmax.apply(x, dim=d)


def all(input, dim=None, keepdim=False):
    return tc.reduce(input, ops.logical_and, True, dim, keepdim, dtypes.bool_)


def any(input, dim=None, keepdim=False):
    return tc.reduce(input, ops.logical_or, False, dim, keepdim, dtypes.bool_)


def _extreme(input, name, fn, start, dim, keepdim):
    if dim is None or isinstance(dim, (tuple, list)):
        if input.numel() == 0:
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        return F.Extreme.apply(input, name=name, fn=fn, start=start, dim=dim,
                               keepdim=keepdim)
    return F.ExtremeAlongDim.apply(input, name=name, fn=fn, start=start, dim=dim,
                                   keepdim=keepdim)


def max(input, dim=None, keepdim=False):
    """The largest value; with `dim`, a `(values, indices)` pair; with a tensor, `maximum`."""
    if isinstance(dim, TensorCore):
        return input.maximum(dim)
    return _extreme(input, "max", ops.maximum, _lowest(input.dtype), dim, keepdim)


def min(input, dim=None, keepdim=False):
    """The smallest value; with `dim`, a `(values, indices)` pair; with a tensor, `minimum`."""
    if isinstance(dim, TensorCore):
        return input.minimum(dim)
    return _extreme(input, "min", ops.minimum, _highest(input.dtype), dim, keepdim)


def amax(input, dim=(), keepdim=False):
    return F.Extreme.apply(input, name="amax", fn=ops.maximum, start=_lowest(input.dtype),
                           dim=dim, keepdim=keepdim)


def amin(input, dim=(), keepdim=False):
    return F.Extreme.apply(input, name="amin", fn=ops.minimum, start=_highest(input.dtype),
                           dim=dim, keepdim=keepdim)


def argmax(input, dim=None, keepdim=False):
    """The index of the first largest value (in the flattened tensor when `dim` is None)."""
    return _arg(input, "max", dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    """The index of the first smallest value (in the flattened tensor when `dim` is None)."""
    return _arg(input, "min", dim, keepdim)


def _arg(input, extreme, dim, keepdim):
    if input.dtype is dtypes.bool_:
        raise RuntimeError(f"arg{extreme}(): does not support bool input")
    if dim is not None:
        return getattr(input.detach(), extreme)(dim, keepdim).indices
    if input.numel() == 0:
        raise IndexError(
            f"arg{extreme}(): Expected reduction dim to be specified for input.numel() == 0."
        )
    index = getattr(input.detach().reshape(-1), extreme)(0).indices
    return index.view([1] * input.dim()) if keepdim else index




# ----- statistics in pairs --------------------------------------------------------------
def _pair_args(name, input, dim, unbiased, correction):
    """PyTorch's `std_mean(input, unbiased)` reads a bool where `dim` stands."""
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"{name} only support floating point and complex dtypes")
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return dim, unbiased


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """`(var, mean)` over `dim`, as a tuple (see `var` for `correction` / `unbiased`)."""
    dim, unbiased = _pair_args("var_mean", input, dim, unbiased, correction)
    return (input.var(dim, unbiased, keepdim, correction=correction),
            input.mean(dim, keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """`(std, mean)` over `dim`, as a tuple (see `var` for `correction` / `unbiased`)."""
    dim, unbiased = _pair_args("std_mean", input, dim, unbiased, correction)
    return (input.std(dim, unbiased, keepdim, correction=correction),
            input.mean(dim, keepdim))


# ----- median and mode: one element picked per row ---------------------------------------
def _check_orderable(name, input):
    if input.dtype is dtypes.bool_:
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'Bool\'')


def _pick(input, name, dim, keepdim, find):
    """The element of each row along `dim` whose position `find(rows)` gives (rows: a NumPy
    array with the reduced dimension last), as PyTorch's `(values, indices)`."""
    x = input if input.dim() else input.reshape(1)
    d = normalize_dim(dim, x.dim())
    if x.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    rows = np.moveaxis(x._data.numpy(), d, -1)
    index = np.moveaxis(find(rows)[..., None], -1, d).astype(np.int64)
    index = x._make_from_numpy(index, dtypes.int64)
    return F.Pick.apply(x, dim=d, index=index, keepdim=keepdim and input.dim() > 0,
                        name=f"{name.capitalize()}Backward{0 if name == 'mode' else 1}",
                        result=getattr(return_types, name))


def _lower_median_position(rows):
    """Where the lower median of each row sits (where its first NaN is, if it has one)."""
    order = np.argsort(rows, axis=-1, kind="stable")  # (NaN sorts last)
    median = np.take(order, (rows.shape[-1] - 1) // 2, axis=-1)
    nan = np.isnan(rows) if rows.dtype.kind == "f" else np.zeros(rows.shape, bool)
    return np.where(nan.any(axis=-1), nan.argmax(axis=-1), median)


def median(input, dim=None, keepdim=False):
    """The lower median (of two middle values, the smaller): of all elements, or with `dim`
    a `(values, indices)` pair for each row. NaN is the median of a row that holds one."""
    _check_orderable("median", input)
    if dim is not None:
        return _pick(input, "median", dim, keepdim, _lower_median_position)
    if input.numel() == 0:
        return input._make_from_numpy(math.nan, input.dtype)
    return F.Pick.apply(input.reshape(-1), dim=0,
                        index=input._make_from_numpy([_lower_median_position(
                            input._data.numpy().reshape(-1))], dtypes.int64),
                        keepdim=False, name="MedianBackward0",
                        result=return_types.median).values


def _mode_position(rows):
    """Where the most frequent value of each row last occurs (the smallest value on a tie)."""
    flat = rows.reshape(-1, rows.shape[-1])
    positions = np.empty(flat.shape[0], dtype=np.int64)
    for i, row in enumerate(flat):
        values, inverse, counts = np.unique(row, return_inverse=True, return_counts=True)
        winner = np.argmax(counts)  # (values are sorted: the first maximum is the smallest)
        positions[i] = np.flatnonzero(inverse.reshape(-1) == winner)[-1]
    return positions.reshape(rows.shape[:-1])


def mode(input, dim=-1, keepdim=False):
    """The most frequent value of each row along `dim` (the smallest on a tie) and where it
    last occurs, as a `(values, indices)` pair."""
    _check_orderable("mode", input)
    return _pick(input, "mode", dim, keepdim, _mode_position)


# ----- norms -----------------------------------------------------------------------------
def vector_norm(input, ord=2, dim=None, keepdim=False, *, dtype=None):
    r"""The $p$-norm ($p$ = `ord`) of the elements over `dim` (all by default):
    $(\sum |x|^p)^{1/p}$; `inf` is the largest $|x|$, `-inf` the smallest, 0 counts non-zeros."""
    x = input if dtype is None else input.to(dtype)
    if not x.dtype.is_floating_point:
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor "
                           f"as input. Got {x.dtype.torch_name} (convert it with .float())")
    if isinstance(dim, int):
        dim = (dim,)
    return F.Norm.apply(x, p=builtins.float(ord), dims=tc.reduced_dims(dim, x.dim()),
                        keepdim=keepdim)


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """The vector norm of `input` over `dim` (all elements by default): `p` is 'fro' (the
    2-norm), a number, `inf` or `-inf`. (PyTorch's 'nuc' needs singular values: not here.)"""
    if out is not None:
        raise NotImplementedError("norm(out=...) is not supported: use the returned tensor")
    if p == "fro":
        if isinstance(dim, (tuple, list)) and len(dim) > 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
        p = 2
    elif isinstance(p, str):
        raise NotImplementedError(
            f"norm(p={p!r}) is not supported: minitorch has the vector norms ('fro', a "
            "number, inf, -inf), not the nuclear norm")
    return vector_norm(input, p, dim, keepdim, dtype=dtype)
