"""The differentiable tensor operations: each `Function` pairs a forward with its backward.

Forwards compute on the backend, through `pointwise` (elementwise), `tensor_compute`
(reductions, views, joins, matmul) and `indexing`, which never call back into `Tensor`:
`x.sum()` goes `Tensor.sum` (= `reductions.sum`) -> `Sum.forward` -> `tensor_compute.reduce`
-> `Backend.reduce` -> the kernel. Backwards are written with tensor operations, so that a
backward pass can itself be recorded (`create_graph=True`) and differentiated again.

What a backward gets and gives: `grad` is the gradient of the loss with respect to the
output (same shape as the output); it returns one gradient per input of forward, each with
that input's shape and dtype (`_to_input` does both: it sums a broadcast gradient back with
`unbroadcast` and casts it), or None for an input that is a Python number or needs none.
What forward kept: `ctx.saved_tensors` (tensors or numbers, as saved), `ctx.likes` (the
(shape, dtype) of inputs whose values backward does not need), and any other `ctx.` field.
"""

import math

import numpy as np

from . import dtypes, grad_mode, indexing, return_types
from . import operators as ops
from . import pointwise as pw
from . import tensor_compute as tc
from .autodiff import Function
from .tensor_core import TensorCore
from .tensor_data import TensorData, shape_broadcast, shape_size


def unbroadcast(grad, shape):
    """Sum `grad` back to `shape`, undoing the broadcast that stretched an input to it.

    Dimensions that broadcasting added in front are summed away; dimensions where the
    input had size 1 are summed and kept as size 1.
    """
    # BEGIN SOLUTION 2.5
    extra = grad.dim() - len(shape)
    dims = tuple(range(extra)) + tuple(
        extra + i for i, size in enumerate(shape) if size == 1 and grad.shape[extra + i] != 1
    )
    if dims:
        grad = grad.sum(dim=dims, keepdim=True)
    return grad.reshape(shape) if grad.shape != tuple(shape) else grad
    # END SOLUTION


def _like(x):
    """What backward needs to know of an input: its (shape, dtype), or None for a number."""
    return (x._data.shape, x.dtype) if isinstance(x, TensorCore) else None


def _to_input(grad, like):
    """`grad` shaped and typed like the input described by `like` (None for a number)."""
    if like is None or grad is None:
        return None
    shape, dtype = like
    grad = unbroadcast(grad, shape)
    return grad if grad.dtype is dtype else grad.to(dtype)


# ----- arithmetic ------------------------------------------------------------------------
class Add(Function):
    r"""$a + \alpha b$: the gradient passes through, times $\alpha$ for `b`."""

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.likes, ctx.alpha = (_like(a), _like(b)), alpha
        dtype = dtypes.result_type(a, b)
        if alpha != 1:
            b = pw.scaled(pw.leading(a, b), b, alpha, dtype)
        return pw.binary(a, b, "add", ops.add, None, dtype)

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION 2.6
        a, b = ctx.likes
        return _to_input(grad, a), _to_input(grad * ctx.alpha if ctx.alpha != 1 else grad, b)
        # END SOLUTION


class Sub(Function):
    r"""$a - \alpha b$: the gradient passes to `a`, negated and times $\alpha$ to `b`."""

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        pw.check_not_bool(a, b)
        ctx.likes, ctx.alpha = (_like(a), _like(b)), alpha
        if not isinstance(a, TensorCore):
            ctx.name = "RsubBackward1"
        dtype = dtypes.result_type(a, b)
        return pw.binary(a, pw.scaled(pw.leading(a, b), b, alpha, dtype), "sub", ops.sub, None,
                         dtype)

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION 2.6
        a, b = ctx.likes
        return _to_input(grad, a), _to_input(-grad * ctx.alpha, b)
        # END SOLUTION


class Mul(Function):
    r"""$ab$: $\partial/\partial a = b$, $\partial/\partial b = a$."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return pw.binary(a, b, "mul", ops.mul)

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION 2.6
        a, b = ctx.saved_tensors
        return _to_input(grad * b, _like(a)), _to_input(grad * a, _like(b))
        # END SOLUTION


class Div(Function):
    r"""$a / b$: $\partial/\partial a = 1/b$, $\partial/\partial b = -a/b^2$."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        dtype = pw.true_div_dtype(a, b)
        return pw.binary(a, b, "div", ops.div, dtype, dtype)

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION 2.6
        a, b = ctx.saved_tensors
        return _to_input(grad / b, _like(a)), _to_input(-grad * a / (b * b), _like(b))
        # END SOLUTION


class Remainder(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return pw.binary(a, b, "remainder", pw.mod)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _to_input(grad, _like(a)), _to_input(-grad * (a // b), _like(b))


class Pow(Function):
    r"""$a^b$: $\partial/\partial a = b a^{b-1}$ (0 when the exponent is the number 0),
    $\partial/\partial b = a^b \ln a$ (0 where $a = 0$ and $b \ge 0$, as PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        out = pw.binary(a, b, "pow", pw.power)
        ctx.save_for_backward(a, b, out)
        if not isinstance(b, TensorCore):
            ctx.name = "PowBackward0"  # a tensor to a number's power
        else:
            ctx.name = "PowBackward1" if isinstance(a, TensorCore) else "PowBackward2"
        return out

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION 2.6
        a, b, out = ctx.saved_tensors
        grad_a = grad_b = None
        needs = ctx.needs_input_grad or (True, True)  # a Context made by hand: compute both
        if needs[0]:
            zero_power = not isinstance(b, TensorCore) and b == 0  # d/da a**0 is 0, even at a = 0
            grad_a = grad * 0 if zero_power else grad * b * a ** (b - 1)
        if needs[1]:
            log_a = a.log() if isinstance(a, TensorCore) else ops.log(a)
            grad_b = grad * out * log_a
            if isinstance(a, TensorCore):  # 0 ** b for b >= 0 has derivative 0, not nan
                grad_b = where((a == 0) & (b >= 0), 0.0, grad_b)
        return _to_input(grad_a, _like(a)), _to_input(grad_b, _like(b))
        # END SOLUTION


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        pw.check_not_bool(a)
        return pw.unary(a, ops.neg)

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Maximum(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return pw.binary(a, b, "maximum", ops.maximum)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _split_between(grad, a, b, a > b)


class Minimum(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return pw.binary(a, b, "minimum", ops.minimum)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _split_between(grad, a, b, a < b)


def _split_between(grad, a, b, a_wins):
    """Gradients of max/min of `a` and `b`: to the winner, half each on a tie (as PyTorch)."""
    half = grad / 2
    tie = a == b
    grad_a = where(a_wins, grad, where(tie, half, 0.0))
    grad_b = where(a_wins, 0.0, where(tie, half, grad))
    return _to_input(grad_a, _like(a)), _to_input(grad_b, _like(b))


class Clamp(Function):
    @staticmethod
    def forward(ctx, a, min=None, max=None):
        ctx.save_for_backward(a)
        ctx.bounds, ctx.name = (min, max), "ClampBackward1"
        out = a
        if min is not None:
            out = pw.binary(out, min, "clamp", ops.maximum)
        if max is not None:
            out = pw.binary(out, max, "clamp", ops.minimum)
        return out

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        low, high = ctx.bounds
        inside = (a >= low) if low is not None else None
        if high is not None:
            inside = (a <= high) if inside is None else inside & (a <= high)
        return _to_input(where(inside, grad, 0.0), _like(a))


class ClampMin(Clamp):
    """`clamp_min(min)`: `clamp` with a lower bound only (PyTorch's own node name)."""

    @staticmethod
    def forward(ctx, a, min):
        out = Clamp.forward(ctx, a, min=min)
        ctx.name = "ClampMinBackward0"
        return out


class MaskedFill(Function):
    r"""`a` with `value` where `mask` is True: the gradient passes to `a` where the mask is
    False, and (summed) to a 0-d tensor `value` where it is True."""

    @staticmethod
    def forward(ctx, a, mask, value):
        ctx.save_for_backward(mask)
        ctx.likes = (_like(a), _like(value))
        ctx.name = "MaskedFillBackward" + ("1" if isinstance(value, TensorCore) else "0")
        out = pw.select(mask, value, a)
        return out if out.dtype is a.dtype else out._cast(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        a, value = ctx.likes
        grad_value = None
        if value is not None:
            grad_value = _to_input(where(mask, grad, 0.0).sum(), value)
        return _to_input(where(mask, 0.0, grad), a), None, grad_value


class Where(Function):
    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.save_for_backward(condition)
        ctx.likes = (_like(a), _like(b))
        return pw.select(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        (condition,) = ctx.saved_tensors
        a, b = ctx.likes
        return None, _to_input(where(condition, grad, 0.0), a), _to_input(
            where(condition, 0.0, grad), b)


_NOT_GIVEN = object()


def where(condition, input=_NOT_GIVEN, other=_NOT_GIVEN):
    """Elementwise `input` where `condition` is True, else `other` (tensors or numbers).

    `where(condition)` alone is `condition.nonzero(as_tuple=True)`.
    """
    if input is _NOT_GIVEN and other is _NOT_GIVEN:
        return condition.nonzero(as_tuple=True)
    return Where.apply(condition, input, other)


# ----- math functions --------------------------------------------------------------------
class Exp(Function):
    r"""$e^a$: the derivative is the output itself."""

    @staticmethod
    def forward(ctx, a):
        out = pw.float_unary(a, ops.exp)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION 2.7
        (out,) = ctx.saved_tensors
        return grad * out
        # END SOLUTION


class Log(Function):
    r"""$\\ln a$: the derivative is $1/a$."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return pw.float_unary(a, ops.log)

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION 2.7
        (a,) = ctx.saved_tensors
        return grad / a
        # END SOLUTION


class Sqrt(Function):
    @staticmethod
    def forward(ctx, a):
        out = pw.float_unary(a, ops.sqrt)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (2 * out)


class Sin(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return pw.float_unary(a, ops.sin)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a.cos()


class Cos(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return pw.float_unary(a, ops.cos)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return -grad * a.sin()


class Tan(Function):
    r"""$\tan a$: the derivative is $1 + \tan^2 a$, from the output."""

    @staticmethod
    def forward(ctx, a):
        out = pw.float_unary(a, ops.tan)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 + out * out)


class Sinh(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return pw.float_unary(a, ops.sinh)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a.cosh()


class Cosh(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return pw.float_unary(a, ops.cosh)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a.sinh()


class Rsqrt(Function):
    r"""$a^{-1/2}$: the derivative is $-\frac{1}{2} a^{-3/2}$, from the output."""

    @staticmethod
    def forward(ctx, a):
        out = pw.float_unary(a, ops.rsqrt)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * -0.5 * out * out * out


class NanToNum(Function):
    """NaN, +inf and -inf replaced by numbers; the gradient passes where the input was
    finite."""

    @staticmethod
    def forward(ctx, a, nan, posinf, neginf):
        finite = ~(a.isnan() | a.isinf())
        ctx.save_for_backward(finite)
        out = where(a.isnan(), nan, a)
        out = where(a == math.inf, posinf, out)
        return where(a == -math.inf, neginf, out)

    @staticmethod
    def backward(ctx, grad):
        (finite,) = ctx.saved_tensors
        return where(finite, grad, 0.0)


class Tanh(Function):
    @staticmethod
    def forward(ctx, a):
        out = pw.float_unary(a, ops.tanh)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)


class Sigmoid(Function):
    r"""$\\sigma(a)$: the derivative is $\\sigma(a)(1 - \\sigma(a))$, from the output."""

    @staticmethod
    def forward(ctx, a):
        out = pw.float_unary(a, ops.sigmoid)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION 2.7
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)
        # END SOLUTION


class Relu(Function):
    r"""$\\max(a, 0)$: the gradient passes where the output is positive."""

    @staticmethod
    def forward(ctx, a):
        out = pw.numeric_unary(a, "relu", ops.relu)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION 2.7
        (out,) = ctx.saved_tensors
        return where(out > 0, grad, 0.0)
        # END SOLUTION


class Log1p(Function):
    r"""$\ln(1 + a)$, accurate for tiny $a$: the derivative is $1/(1 + a)$."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        ctx.name = "Log1PBackward0"
        return pw.float_unary(a, ops.log1p)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a + 1)


class Erf(Function):
    r"""The error function $\mathrm{erf}(a) = \frac{2}{\sqrt\pi}\int_0^a e^{-t^2} dt$:
    the derivative is $\frac{2}{\sqrt\pi} e^{-a^2}$."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return pw.float_unary(a, ops.erf)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (-(a * a)).exp() * _TWO_OVER_SQRT_PI


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class Reciprocal(Function):
    r"""$1 / a$: the derivative is $-1/a^2$, from the output: $-\mathrm{out}^2$."""

    @staticmethod
    def forward(ctx, a):
        out = pw.float_unary(a, ops.reciprocal)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return -grad * out * out


class Abs(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return pw.numeric_unary(a, "abs", ops.abs)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a.sign()


# ----- conversions -----------------------------------------------------------------------
class ToCopy(Function):
    """A copy with another dtype and/or backend; gradients flow back (to the input's dtype
    and backend) only into floating-point inputs."""

    @staticmethod
    def forward(ctx, a, dtype, backend):
        ctx.dtype, ctx.backend = a.dtype, a.backend
        if backend.device != a.device:  # (through the host: `_make` copies to a GPU)
            return a._make_from_numpy(a._data.numpy(), dtype, backend)
        out = a._cast(dtype)
        out.backend = backend
        return out

    @staticmethod
    def backward(ctx, grad):
        if not ctx.dtype.is_floating_point:
            return None
        return grad.to(ctx.dtype, backend=ctx.backend)


class Clone(Function):
    @staticmethod
    def forward(ctx, a):
        return a._copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


# ----- reductions ------------------------------------------------------------------------
def _expand_back(grad, shape, dims, keepdim):
    """A reduction's output gradient stretched back over the input `shape`."""
    if not keepdim:
        for d in dims:
            grad = grad.unsqueeze(d)
    return grad.expand(shape)


class Sum(Function):
    r"""Sum over `dim`: every input element gets the gradient of its sum."""

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        out = tc.reduce(a, ops.add, 0, dim, keepdim, dtype)
        ctx.shape, ctx.dtype, ctx.name = a.shape, a.dtype, _variant("Sum", dim)
        ctx.dims, ctx.keepdim = tc.reduced_dims(dim, a.dim()), keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION 2.8
        grad = _expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim)
        return grad if grad.dtype is ctx.dtype else grad.to(ctx.dtype)
        # END SOLUTION


def _variant(name, dim):
    """PyTorch numbers a reduction's node 0 over everything and 1 over given dims."""
    return f"{name}Backward{0 if dim is None else 1}"


class Mean(Function):
    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, tc.reduced_dims(dim, a.dim()), keepdim
        ctx.count = count = tc.count(a, dim)
        ctx.name = _variant("Mean", dim)
        return pw.binary(tc.reduce(a, ops.add, 0, dim, keepdim, dtype), count, "div", ops.div)

    @staticmethod
    def backward(ctx, grad):
        return _expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim) / ctx.count


class Prod(Function):
    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        out = tc.reduce(a, ops.mul, 1, dim, keepdim, dtype)
        ctx.save_for_backward(a, out)
        ctx.name = _variant("Prod", dim)
        ctx.dims, ctx.keepdim = tc.reduced_dims(dim, a.dim()), keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        """d(prod)/dx_i is the product of the other elements: out / x_i when no x is 0.

        Recorded for a second derivative (or with zeros), it is computed without division,
        since the derivative of out / x_i is unstable for tiny x_i.
        """
        a, out = ctx.saved_tensors
        grad = _expand_back(grad, a.shape, ctx.dims, ctx.keepdim)
        if not grad_mode.is_grad_enabled() and not bool((a == 0).any()):
            return grad * _expand_back(out, a.shape, ctx.dims, ctx.keepdim) / a
        return grad * _product_of_others(a, ctx.dims)


def _product_of_others(a, dims):
    """For each element, the product of the other elements of its group (over `dims`).

    Exact when there are zeros and differentiable again, since it divides by nothing: each
    group of n elements is laid out n times with the element itself replaced by 1.
    """
    keep = [d for d in range(a.dim()) if d not in dims]
    order = keep + list(dims)
    moved = a.permute(*order)
    outer = tuple(moved.shape[: len(keep)])
    n = shape_size(moved.shape[len(keep) :])
    rows = moved.reshape(*outer, 1, n).expand(*outer, n, n)
    diagonal = a._make_from_numpy(np.eye(n, dtype=bool), dtypes.bool_)
    others = where(diagonal, 1.0, rows).prod(-1).reshape(moved.shape)
    inverse = [0] * len(order)
    for i, d in enumerate(order):
        inverse[d] = i
    return others.permute(*inverse)


class Extreme(Function):
    """max() / min() / amax / amin over dims: the gradient is shared by the tied extremes."""

    @staticmethod
    def forward(ctx, a, name, fn, start, dim=None, keepdim=False):
        out = tc.reduce(a, fn, start, dim, keepdim, a.dtype)
        ctx.save_for_backward(a, out)
        ctx.dims, ctx.keepdim = tc.reduced_dims(dim, a.dim()), keepdim
        ctx.name = f"{name.capitalize()}Backward{0 if name.startswith('a') else 1}"
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        hits = a == _expand_back(out, a.shape, ctx.dims, ctx.keepdim)
        count = _expand_back(hits.sum(ctx.dims, keepdim=True), a.shape, ctx.dims, True)
        return where(hits, _expand_back(grad, a.shape, ctx.dims, ctx.keepdim) / count, 0.0)


class ExtremeAlongDim(Function):
    """max(dim) / min(dim): (values, indices); the gradient goes to the chosen index."""

    @staticmethod
    def forward(ctx, a, name, fn, start, dim, keepdim=False):
        result = tc.extreme_along(a, name, fn, start, dim, keepdim)
        ctx.save_for_backward(result.indices)
        ctx.name = f"{name.capitalize()}Backward0"
        ctx.shape, ctx.dim, ctx.keepdim = a.shape, dim % max(a.dim(), 1), keepdim
        return result

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved_tensors
        if not ctx.shape:
            return grad
        if not ctx.keepdim:
            grad, indices = grad.unsqueeze(ctx.dim), indices.unsqueeze(ctx.dim)
        n = ctx.shape[ctx.dim]
        positions = _arange_along(grad, n, ctx.dim, len(ctx.shape))
        return where(positions == indices, grad, 0.0)


def _arange_along(like, n, dim, ndim):
    """0, ..., n - 1 along dimension `dim` of `ndim` (size 1 along the others)."""
    return tc.view(tc.arange(like, n), tuple(n if i == dim else 1 for i in range(ndim)))


# ----- log-sum-exp, softmax, log-softmax -------------------------------------------------
def _shifted_log_sum(a, dims):
    r"""`(a - m, ln sum e^(a - m))` over `dims` (kept as size 1), with $m$ the maximum, so that
    no $e^{a}$ overflows: $\mathrm{logsumexp}(a) = m + \ln \sum e^{a - m}$. An infinite
    maximum is replaced by 0 (so rows of `-inf` give `-inf`, not NaN)."""
    m = tc.reduce(a, ops.maximum, -math.inf, dims, True, a.dtype)
    m = pw.unary(m, ops.finite_or_zero)
    shifted = pw.binary(a, m, "sub", ops.sub)
    total = tc.reduce(pw.unary(shifted, ops.exp), ops.add, 0, dims, True, a.dtype)
    return shifted, m, total


def _logsumexp_raw(a, dims):
    _, m, total = _shifted_log_sum(a, dims)
    return pw.binary(pw.unary(total, ops.log), m, "add", ops.add)


class LogSumExp(Function):
    r"""$\ln \sum_i e^{a_i}$ over `dim`: the derivative is $e^{a_i - \mathrm{out}}$, the
    softmax of `a`."""

    @staticmethod
    def forward(ctx, a, dim, keepdim=False):
        dims = tc.reduced_dims(dim, a.dim())
        out = _logsumexp_raw(a, dims)
        if not keepdim:
            shape = tuple(n for i, n in enumerate(out.shape) if i not in dims)
            out = out._wrap(TensorData(out._data.storage, shape))
        ctx.save_for_backward(a, out)  # the output itself: a second derivative needs its graph
        ctx.dims, ctx.keepdim, ctx.name = dims, keepdim, "LogsumexpBackward0"
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        grad = _expand_back(grad, a.shape, ctx.dims, ctx.keepdim)
        return grad * (a - _expand_back(out, a.shape, ctx.dims, ctx.keepdim)).exp()


class Softmax(Function):
    r"""$\mathrm{out}_i = e^{a_i} / \sum_j e^{a_j}$ along `dim`, computed as
    $e^{a_i - m} / \sum_j e^{a_j - m}$ with $m$ the maximum (no overflow). The backward is
    $\mathrm{out} \odot (g - \sum_j g_j \mathrm{out}_j)$."""

    @staticmethod
    def forward(ctx, a, dim):
        shifted, _, total = _shifted_log_sum(a, (dim,))
        out = pw.binary(pw.unary(shifted, ops.exp), total, "div", ops.div)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return out * (grad - (grad * out).sum(ctx.dim, keepdim=True))


class LogSoftmax(Function):
    r"""$\mathrm{out}_i = a_i - \mathrm{logsumexp}(a)$ along `dim`, computed as
    $(a_i - m) - \ln \sum_j e^{a_j - m}$ with $m$ the maximum. The backward is
    $g - e^{\mathrm{out}} \sum_j g_j$."""

    @staticmethod
    def forward(ctx, a, dim):
        shifted, _, total = _shifted_log_sum(a, (dim,))
        out = pw.binary(shifted, pw.unary(total, ops.log), "sub", ops.sub)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - out.exp() * grad.sum(ctx.dim, keepdim=True)


# ----- shape -----------------------------------------------------------------------------
class View(Function):
    """A reshaping (view, flatten, unflatten): backward reshapes the gradient back."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return tc.view(a, shape)

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION 2.8
        return grad.reshape(ctx.shape)
        # END SOLUTION


class Reshape(View):
    """A view where the storage allows it, else a copy; `ViewBackward0` when a view, as
    PyTorch names it."""

    @staticmethod
    def forward(ctx, a, shape, name="View"):
        ctx.shape, ctx.name = a.shape, f"{name}Backward0"
        return tc.reshape(a, shape)


class Squeeze(View):
    """Dimensions of size 1 taken out (`shape` and `strides` are the view's)."""

    @staticmethod
    def forward(ctx, a, shape, strides, variant=0):
        ctx.shape, ctx.name = a.shape, f"SqueezeBackward{variant}"
        return tc.as_strided(a, shape, strides)


class Unsqueeze(View):
    """A dimension of size 1 put in (`shape` and `strides` are the view's)."""

    @staticmethod
    def forward(ctx, a, shape, strides):
        ctx.shape = a.shape
        return tc.as_strided(a, shape, strides)


class Permute(Function):
    r"""A reordering of dimensions: the gradient is permuted back."""

    @staticmethod
    def forward(ctx, a, order, name="Permute"):
        ctx.order, ctx.name = order, f"{name}Backward0"
        return a._as_view(a._data.permute(*order))

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION 2.8
        inverse = [0] * len(ctx.order)
        for i, d in enumerate(ctx.order):
            inverse[d] = i
        return grad.permute(*inverse)
        # END SOLUTION


class Expand(Function):
    r"""A broadcast view: the gradient is summed back (`unbroadcast`)."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return tc.expand(a, shape)

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION 2.8
        return unbroadcast(grad, ctx.shape)
        # END SOLUTION


class Flip(Function):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        for d in dims:
            reverse = np.arange(a.shape[d] - 1, -1, -1)
            a = indexing.getitem(a, (slice(None),) * d + (reverse,))
        return a if dims else a._copy()

    @staticmethod
    def backward(ctx, grad):
        return Flip.apply(grad, dims=ctx.dims)


class Roll(Function):
    """Elements shifted along `dims`, wrapping around; no `dims`: over the flattened
    tensor."""

    @staticmethod
    def forward(ctx, a, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        out = a.reshape(-1) if not dims else a
        for shift, d in zip(shifts, dims or (0,)):
            source = (np.arange(out.shape[d]) - shift) % max(out.shape[d], 1)
            out = indexing.getitem(out, (slice(None),) * d + (source,))
        return out.view(a.shape) if not dims else out

    @staticmethod
    def backward(ctx, grad):
        return Roll.apply(grad, shifts=tuple(-s for s in ctx.shifts), dims=ctx.dims)


class Triangle(Function):
    """`tril` (`lower`) or `triu` of the last two dimensions: the gradient passes inside."""

    @staticmethod
    def forward(ctx, a, diagonal, lower):
        rows, cols = a.shape[-2:]
        offsets = np.arange(cols)[None, :] - np.arange(rows)[:, None]  # j - i
        keep = offsets <= diagonal if lower else offsets >= diagonal
        ctx.keep = a._make_from_numpy(keep, dtypes.bool_)
        ctx.name = "TrilBackward0" if lower else "TriuBackward0"
        return pw.select(ctx.keep, a, 0)

    @staticmethod
    def backward(ctx, grad):
        return pw.select(ctx.keep, grad, 0)


class Index(Function):
    """`a[key]`: the gradient flows back to the selected positions (summed on repeats)."""

    @staticmethod
    def forward(ctx, a, key):
        ctx.shape, ctx.key = a.shape, key
        out = indexing.getitem(a, key)
        ctx.name = _index_node_name(key, out._base is not None)
        return out

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, key=ctx.key, shape=ctx.shape)


def _index_node_name(key, is_view):
    """PyTorch's node for `a[key]`: named by the last index that selects or slices."""
    if not is_view:
        return "IndexBackward0"
    for item in reversed(key if isinstance(key, tuple) else (key,)):
        if item is None:
            return "UnsqueezeBackward0"
        if isinstance(item, slice):
            if item != slice(None):
                return "SliceBackward0"
        elif item is not Ellipsis:
            return "SelectBackward0"
    return "SliceBackward0"


class IndexAdd(Function):
    """Zeros of `shape` with `values` added at `key` (repeated positions add up)."""

    @staticmethod
    def forward(ctx, values, key, shape):
        ctx.key = key
        out = values._wrap(values.backend.full(shape, 0, values.dtype.numpy))
        indexing.index_add(out, key, values)
        return out

    @staticmethod
    def backward(ctx, grad):
        return Index.apply(grad, key=ctx.key)


class IndexPut(Function):
    """`a` with `a[key] = value`, as a new tensor (the differentiable form of setitem)."""

    @staticmethod
    def forward(ctx, a, value, key):
        out = a._copy()
        indexing.setitem(out, key, value)
        ctx.key, ctx.likes = key, (_like(a), _like(value))
        return out

    @staticmethod
    def backward(ctx, grad):
        a, value = ctx.likes
        kept = IndexPut.apply(grad, 0.0, key=ctx.key)
        return kept, _to_input(Index.apply(grad, key=ctx.key), value)


class Gather(Function):
    r"""`out[i][j] = a[index[i][j]][j]` (for `dim=0`): the gradient is added back at the
    gathered positions (a scatter-add; positions gathered twice add up)."""

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.shape, ctx.dim, ctx.index = a.shape, dim, index
        return indexing.gather(a, dim, index)

    @staticmethod
    def backward(ctx, grad):
        return ScatterAdd.apply(grad, dim=ctx.dim, index=ctx.index, shape=ctx.shape)


class ScatterAdd(Function):
    """Zeros of `shape` with `values[i][j]` added at `[index[i][j]][j]` (for `dim=0`)."""

    @staticmethod
    def forward(ctx, values, dim, index, shape):
        ctx.dim, ctx.index = dim, index
        return indexing.scatter_add_into(values, shape, dim, index)

    @staticmethod
    def backward(ctx, grad):
        return Gather.apply(grad, dim=ctx.dim, index=ctx.index)


class Cat(Function):
    @staticmethod
    def forward(ctx, *tensors, dim=0, name="Cat"):
        out = tc.cat(tensors, dim)
        ctx.dim, ctx.name = dim % out.dim(), f"{name}Backward0"
        ctx.likes = [_like(t) for t in tensors]
        return out

    @staticmethod
    def backward(ctx, grad):
        grads, start = [], 0
        for like in ctx.likes:
            size = like[0][ctx.dim]
            grads.append(_to_input(grad.narrow(ctx.dim, start, size), like))
            start += size
        return tuple(grads)


class Repeat(Function):
    """`a` laid out `repeats[d]` times along each dimension `d` (`repeats` may add leading
    dimensions), as a copy. Each input element appears once per tile, so its gradient is the
    output gradient summed over the tiles."""

    @staticmethod
    def forward(ctx, a, repeats):
        shape = (1,) * (len(repeats) - a.dim()) + tuple(a.shape)
        ctx.tiles = tuple(x for r, n in zip(repeats, shape) for x in (r, n))  # (r0, n0, r1, ...)
        ctx.shape = a.shape
        spread = tc.reshape(a, tuple(x for n in shape for x in (1, n)))
        out = tc.expand(spread, ctx.tiles)._copy()
        return tc.view(out, tuple(r * n for r, n in zip(repeats, shape)))

    @staticmethod
    def backward(ctx, grad):
        tile_dims = tuple(range(0, len(ctx.tiles), 2))
        return grad.reshape(ctx.tiles).sum(tile_dims).reshape(ctx.shape)


class Diagonal(Function):
    """The diagonal of dimensions `dim1` and `dim2`, `offset` off the main one, as a view
    (or a copy for `diag`): the gradient goes back onto that diagonal, zeros elsewhere."""

    @staticmethod
    def forward(ctx, a, offset, dim1, dim2, copy=False):
        ctx.args, ctx.shape = (offset, dim1, dim2), a.shape
        ctx.name = "DiagonalBackward0" + ("_copy" if copy else "")
        out = tc.diagonal(a, offset, dim1, dim2)
        return out._copy() if copy else out

    @staticmethod
    def backward(ctx, grad):
        offset, dim1, dim2 = ctx.args
        return DiagonalScatter.apply(grad, shape=ctx.shape, offset=offset, dim1=dim1, dim2=dim2)


class DiagonalScatter(Function):
    """Zeros of `shape` with `values` (last dimension along the diagonal) written on the
    diagonal of `dim1` and `dim2`, `offset` off the main one; the gradient is that diagonal
    of the output gradient. `diag` of a vector (`DiagEmbedBackward0`) and the gradient of
    `Diagonal`."""

    @staticmethod
    def forward(ctx, values, shape, offset, dim1, dim2, name="DiagonalScatter"):
        ctx.args, ctx.name = (offset, dim1, dim2), f"{name}Backward0"
        out = values._wrap(values.backend.full(shape, 0, values.dtype.numpy))
        values.backend.copy(values._data, tc.diagonal(out, offset, dim1, dim2)._data)
        return out

    @staticmethod
    def backward(ctx, grad):
        offset, dim1, dim2 = ctx.args
        return Diagonal.apply(grad, offset=offset, dim1=dim1, dim2=dim2)


class Unfold(Function):
    """`Tensor.unfold`: the windows of `size` elements, `step` apart, along `dim`, as a view
    (a new last dimension runs through each window). Elements read by several windows get
    the sum of their gradients (`Fold`, with `dim` and the window moved last)."""

    @staticmethod
    def forward(ctx, a, dim, size, step):
        ctx.args, ctx.shape = (dim, size, step), a.shape
        return tc.unfold(a, dim, size, step)

    @staticmethod
    def backward(ctx, grad):
        dim, size, step = ctx.args
        if not ctx.shape:
            return grad.reshape(())
        ndim = len(ctx.shape)
        last = [d for d in range(ndim) if d != dim] + [dim]  # `dim` moved last
        moved = grad.permute(*last, ndim)
        shape = tuple(ctx.shape[d] for d in last)
        folded = Fold.apply(moved, shape=shape, args=((size,), (step,), (1,)))
        return folded.permute(*[last.index(d) for d in range(ndim)])


class Cumsum(Function):
    r"""Running sums along `dim`: $out_i = \sum_{j \le i} a_j$. Each $a_j$ counts in every
    later sum, so its gradient is the sum of the output gradients from $j$ on: the running
    sum of the gradient taken from the end."""

    @staticmethod
    def forward(ctx, a, dim, dtype):
        ctx.dim, ctx.like = dim, _like(a)
        return tc.scan(a if a.dtype is dtype else a._cast(dtype), dim, ops.add, 0)

    @staticmethod
    def backward(ctx, grad):
        if grad.dim() == 0:
            return _to_input(grad, ctx.like)
        return _to_input(grad.flip(ctx.dim).cumsum(ctx.dim).flip(ctx.dim), ctx.like)


class Cumprod(Function):
    r"""Running products along `dim`: $out_i = \prod_{j \le i} a_j$. The gradient of $a_j$
    is $\sum_{i \ge j} g_i \prod_{k \le i, k \ne j} a_k$: with no zeros, the running
    sum from the end of $g \cdot out$, over $a_j$; else (or recorded for a second derivative)
    computed without division."""

    @staticmethod
    def forward(ctx, a, dim, dtype):
        a = a if a.dtype is dtype else a._cast(dtype)
        out = tc.scan(a, dim, ops.mul, 1)
        ctx.save_for_backward(a, out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        if a.dim() == 0:
            return grad
        d = ctx.dim
        if not grad_mode.is_grad_enabled() and not bool((a == 0).any()):
            return (grad * out).flip(d).cumsum(d).flip(d) / a
        # row j of `others` is `a` with a_j replaced by 1: its running products are those
        # without a_j, which the output gradients from j on weigh
        n = a.shape[d]
        moved = a.transpose(d, -1)
        rows = moved.unsqueeze(-2).expand(*moved.shape[:-1], n, n)
        diagonal = a._make_from_numpy(np.eye(n, dtype=bool), dtypes.bool_)
        others = where(diagonal, 1.0, rows).cumprod(-1)
        weighted = (others * grad.transpose(d, -1).unsqueeze(-2)).triu().sum(-1)
        return weighted.transpose(d, -1)


class IndexSelect(Function):
    """The entries of `a` at positions `index` (a vector) along `dim`: a gather with the
    index spread over the other dimensions; the gradient is added back there."""

    @staticmethod
    def forward(ctx, a, dim, index):
        shape = tuple(index.numel() if d == dim else 1 for d in range(a.dim()))
        spread = tuple(index.numel() if d == dim else n for d, n in enumerate(a.shape))
        index = tc.expand(tc.reshape(index, shape), spread)
        ctx.shape, ctx.dim, ctx.index = a.shape, dim, index
        return indexing.gather(a, dim, index)

    backward = staticmethod(Gather.backward)


class Scatter(Function):
    """`a` with the values of `src` (a tensor, or one number) written at `index` along `dim`
    (`out[index[i][j]][j] = src[i][j]` for `dim=0`). The overwritten positions get no
    gradient; `src` gets the output gradient at the positions it was written to."""

    @staticmethod
    def forward(ctx, a, src, dim, index):
        ctx.dim, ctx.index, ctx.like = dim, index, _like(src)
        ctx.name = "ScatterBackward0" if isinstance(src, TensorCore) else "ScatterBackward1"
        out = a._copy()
        indexing.scatter_into(out, dim, index, _leading_part(src, index.shape))
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_src = None
        if ctx.like is not None:
            grad_src = _padded_to(grad.gather(ctx.dim, ctx.index), ctx.like[0])
        return Scatter.apply(grad, 0.0, dim=ctx.dim, index=ctx.index), grad_src


class ScatterAddInto(Function):
    """`a` with the values of `src` added at `index` along `dim` (`Tensor.scatter_add`;
    repeated positions add up): the gradient passes to `a`, and to `src` from the positions
    it was added to."""

    @staticmethod
    def forward(ctx, a, src, dim, index):
        ctx.dim, ctx.index, ctx.shape, ctx.name = dim, index, src.shape, "ScatterAddBackward0"
        added = indexing.scatter_add_into(_leading_part(src, index.shape), a.shape, dim, index)
        return pw.binary(a, added, "scatter_add", ops.add)

    @staticmethod
    def backward(ctx, grad):
        return grad, _padded_to(grad.gather(ctx.dim, ctx.index), ctx.shape)


def _leading_part(src, shape):
    """The first `shape` entries of each dimension of tensor `src` (a number as it is): the
    part of `src` that a scatter with an index of `shape` reads."""
    if not isinstance(src, TensorCore) or src.shape == tuple(shape):
        return src
    return indexing.getitem(src, tuple(slice(0, n) for n in shape))


def _padded_to(grad, shape):
    """`grad` with zeros after it in each dimension, up to `shape` (undoes `_leading_part`)."""
    if grad.shape == tuple(shape):
        return grad
    return ConstantPad.apply(grad, pads=tuple((0, n - g) for n, g in zip(shape, grad.shape)))


class MaskedSelect(Function):
    """The elements of `a` where `mask` is True (both broadcast), as a vector; the gradient
    goes back to those positions."""

    @staticmethod
    def forward(ctx, a, mask):
        shape = shape_broadcast(a.shape, mask.shape)
        ctx.key = (tc.expand(mask, shape)._data.numpy(),)
        ctx.shape, ctx.like = shape, _like(a)
        return indexing.getitem(tc.expand(a, shape), ctx.key)

    @staticmethod
    def backward(ctx, grad):
        return _to_input(IndexAdd.apply(grad, key=ctx.key, shape=ctx.shape), ctx.like), None


class Sort(Function):
    """(values, indices) of `a` sorted along `dim`; with `k`, only the first `k` of them
    (`topk`). The gradient of each value goes back to the position it came from."""

    @staticmethod
    def forward(ctx, a, dim, descending, stable=True, k=None):
        order = indexing.sort_order(a, dim, descending, stable)
        if k is not None:
            order = order[(slice(None),) * dim + (slice(0, k),)] if order.ndim else order
        indices = a._make_from_numpy(order, dtypes.int64)
        ctx.shape, ctx.dim, ctx.index = a.shape, dim, indices
        ctx.name = "SortBackward0" if k is None else "TopkBackward0"
        result = return_types.sort if k is None else return_types.topk
        return result(indexing.gather(a, dim, indices), indices)

    backward = staticmethod(Gather.backward)


# ----- padding and sliding windows -------------------------------------------------------
class ConstantPad(Function):
    """`a` with `pads[d] = (before, after)` elements of `value` around dimension `d` (negative:
    cropped). The gradient is the output gradient with the same padding taken off again:
    the padding with every amount negated."""

    @staticmethod
    def forward(ctx, a, pads, value=0):
        ctx.pads, ctx.name = pads, "ConstantPadNdBackward0"
        return tc.pad(a, pads, value)

    @staticmethod
    def backward(ctx, grad):
        return ConstantPad.apply(grad, pads=tuple((-b, -e) for b, e in ctx.pads))


class Windows(Function):
    """The sliding windows of the last `len(kernel)` dimensions, as a view (see
    `tensor_compute.windows`). Overlapping windows read an element several times, so its
    gradient is the sum of theirs: `Fold`."""

    @staticmethod
    def forward(ctx, a, kernel, stride, dilation):
        ctx.args, ctx.shape, ctx.name = (kernel, stride, dilation), a.shape, "UnfoldBackward0"
        return tc.windows(a, kernel, stride, dilation)

    @staticmethod
    def backward(ctx, grad):
        return Fold.apply(grad, shape=ctx.shape, args=ctx.args)


class Fold(Function):
    """Windows (*batch, *out, *kernel) added back into a tensor of `shape` where `Windows`
    read them; the gradient of each window element is the output gradient where it lands."""

    @staticmethod
    def forward(ctx, windowed, shape, args):
        ctx.args = args
        return tc.fold(windowed, shape, *args)

    @staticmethod
    def backward(ctx, grad):
        kernel, stride, dilation = ctx.args
        return Windows.apply(grad, kernel=kernel, stride=stride, dilation=dilation)


# ----- matrix product --------------------------------------------------------------------
class MatMul(Function):
    r"""Batched matrix product $C = AB$ of tensors with at least 2 dimensions each:
    $\partial L/\partial A = G B^T$ and $\partial L/\partial B = A^T G$ for the output
    gradient $G$, summed back over batch dimensions that were broadcast."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        ctx.name = "MmBackward0" if a.dim() == b.dim() == 2 else "UnsafeViewBackward0"
        return tc.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION 2.9
        a, b = ctx.saved_tensors
        return _to_input(grad @ b.mT, _like(a)), _to_input(a.mT @ grad, _like(b))
        # END SOLUTION


class Addmm(Function):
    r"""$\beta\,\mathrm{input} + \alpha\,(A B)$ in one node, as PyTorch's `addmm` (and, named
    by `name`, `addmv` with a vector $B$ and `baddbmm` with batches): the gradient reaches
    `input` times $\beta$ (summed back over its broadcast), $A$ as $\alpha G B^T$ and $B$ as
    $\alpha A^T G$."""

    @staticmethod
    def forward(ctx, input, a, b, beta=1, alpha=1, name="AddmmBackward0"):
        ctx.save_for_backward(a, b)
        ctx.like, ctx.beta, ctx.alpha, ctx.name = _like(input), beta, alpha, name
        if b.dim() == 1:  # a matrix times a vector: the vector as a one-column matrix
            product = tc.view(tc.matmul(a, tc.reshape(b, (b.shape[0], 1))), (a.shape[0],))
        else:
            product = tc.matmul(a, b)
        if alpha != 1:
            product = pw.binary(product, alpha, "mul", ops.mul, None, product.dtype)
        if beta == 0:  # PyTorch ignores input then (nan and inf in it do not propagate)
            return product
        scaled = input if beta == 1 else pw.binary(input, beta, "mul", ops.mul, None,
                                                   input.dtype)
        return pw.binary(scaled, product, "add", ops.add, None, product.dtype)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_input, need_a, need_b = ctx.needs_input_grad
        grad_input = _to_input(grad * ctx.beta if ctx.beta != 1 else grad, ctx.like)
        grad = grad * ctx.alpha if ctx.alpha != 1 else grad
        grad_a = grad_b = None
        if b.dim() == 1:
            grad_a = grad.unsqueeze(-1) * b if need_a else None
            grad_b = a.mT @ grad if need_b else None
        else:
            grad_a = grad @ b.mT if need_a else None
            grad_b = a.mT @ grad if need_b else None
        return grad_input if need_input else None, grad_a, grad_b


class Trace(Function):
    """The sum of the main diagonal of a matrix: each diagonal element gets the gradient."""

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.shape, ctx.like = a.shape, _like(a)
        return tc.reduce(tc.diagonal(a, 0, 0, 1), ops.add, 0, None, False, dtype)

    @staticmethod
    def backward(ctx, grad):
        n = min(ctx.shape)
        on_diagonal = DiagonalScatter.apply(grad.expand(n), shape=ctx.shape, offset=0, dim1=0,
                                            dim2=1)
        return _to_input(on_diagonal, ctx.like)


def _cross(a, b, dim):
    r"""$a \times b$ along `dim` (of size 3): component $i$ is
    $a_{i+1} b_{i+2} - a_{i+2} b_{i+1}$ (indices mod 3), from rolled copies."""
    return a.roll(-1, dim) * b.roll(-2, dim) - a.roll(-2, dim) * b.roll(-1, dim)


class Cross(Function):
    r"""The cross product $c = a \times b$ along `dim`. Since $g \cdot (a \times b) =
    a \cdot (b \times g) = b \cdot (g \times a)$, the gradients are $b \times g$ for `a`
    and $g \times a$ for `b`."""

    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.save_for_backward(a, b)
        ctx.dim, ctx.name = dim, "LinalgCrossBackward0"
        return _cross(a, b, dim)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (_to_input(Cross.apply(b, grad, dim=ctx.dim), _like(a)),
                _to_input(Cross.apply(grad, a, dim=ctx.dim), _like(b)))


class Cdist(Function):
    r"""The p-norm distances $\|x_i - y_j\|_p$ between the rows of `a` (..., P, M) and of `b`
    (..., R, M). With $d = x_i - y_j$, the gradient for $x_i$ is
    $g \, \mathrm{sign}(d) |d|^{p-1} / \mathrm{out}^{p-1}$ (0 at distance 0), summed over
    $j$, and its negative, summed over $i$, for $y_j$; for $p = \infty$ it goes to the
    coordinates where $|d|$ is the maximum, and for $p = 0$ (a count) there is none."""

    @staticmethod
    def forward(ctx, a, b, p):
        diff = (a.unsqueeze(-2) - b.unsqueeze(-3)).abs()
        if p == 0:
            out = (diff != 0).sum(-1).to(diff.dtype)
        elif p == math.inf:
            out = diff.amax(-1)
        elif p == 1:
            out = diff.sum(-1)
        elif p == 2:
            out = (diff * diff).sum(-1).sqrt()
        else:
            out = (diff ** p).sum(-1) ** (1 / p)
        ctx.save_for_backward(a, b, out)
        ctx.p = p
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        p = ctx.p
        diff = a.unsqueeze(-2) - b.unsqueeze(-3)
        if p == 0:
            term = diff * 0
        elif p == math.inf:
            term = diff.sign() * (diff.abs() == out.unsqueeze(-1)) * grad.unsqueeze(-1)
        elif p == 1:
            term = diff.sign() * grad.unsqueeze(-1)
        else:
            scale = where(out == 0, 0.0, grad / (out ** (p - 1) if p != 2 else out))
            power = diff if p == 2 else diff.sign() * diff.abs() ** (p - 1)
            term = power * scale.unsqueeze(-1)
        return _to_input(term.sum(-2), _like(a)), _to_input(-term.sum(-3), _like(b))


# ----- order statistics, norms, rounding, interpolation ---------------------------------
class Pick(Function):
    """One element of `a` per position along `dim`, at `index` (an int64 tensor with size 1
    along `dim`, found by the caller: median, mode): `(values, indices)`. The gradient goes
    back to the picked element."""

    @staticmethod
    def forward(ctx, a, dim, index, keepdim, name, result):
        ctx.shape, ctx.dim, ctx.index, ctx.keepdim, ctx.name = a.shape, dim, index, keepdim, name
        values = indexing.gather(a, dim, index)
        if not keepdim:
            values, index = tc.squeeze_dim(values, dim), tc.squeeze_dim(index, dim)
        return result(values, index)

    @staticmethod
    def backward(ctx, grad):
        if not ctx.keepdim:
            grad = grad.unsqueeze(ctx.dim)
        return ScatterAdd.apply(grad, dim=ctx.dim, index=ctx.index, shape=ctx.shape)


class Norm(Function):
    r"""The vector $p$-norm $(\sum |a|^p)^{1/p}$ over `dims` ($p = \infty$: the largest $|a|$,
    $p = 0$: the count of non-zeros). Its derivative is
    $\mathrm{sign}(a) |a|^{p-1} / \mathrm{out}^{p-1}$ (0 where the norm is 0)."""

    @staticmethod
    def forward(ctx, a, p, dims, keepdim):
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        ctx.name = "LinalgVectorNormBackward0"
        x = a.abs()
        if p == math.inf:
            out = x.amax(dims, keepdim)
        elif p == -math.inf:
            out = x.amin(dims, keepdim)
        elif p == 0:
            out = (x != 0).sum(dims, keepdim).to(a.dtype)
        elif p == 1:
            out = x.sum(dims, keepdim)
        elif p == 2:
            out = (x * x).sum(dims, keepdim).sqrt()
        else:
            out = (x ** p).sum(dims, keepdim) ** (1.0 / p)
        ctx.save_for_backward(a, out)  # the output itself: a second derivative needs its graph
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        p, dims = ctx.p, ctx.dims
        grad = _expand_back(grad, a.shape, dims, ctx.keepdim)
        out = _expand_back(out, a.shape, dims, ctx.keepdim)
        if p == 0:
            return grad * 0.0
        if p == 1:
            return grad * a.sign()
        if p in (math.inf, -math.inf):
            hits = (a.abs() == out).to(a.dtype)
            return grad * a.sign() * hits / hits.sum(dims, keepdim=True)
        if p == 2:
            return where(out == 0, 0.0, grad * a / out)
        return where(out == 0, 0.0, grad * a.sign() * a.abs() ** (p - 1) / out ** (p - 1))


class Round(Function):
    """Rounded to `decimals` places (halves to even); its derivative is 0 everywhere."""

    @staticmethod
    def forward(ctx, a, decimals=None):
        ctx.likes = (_like(a),)
        ctx.name = "RoundBackward0" if decimals is None else "RoundBackward1"
        if not decimals:
            return pw.unary(a, ops.round_half_even)
        scale = 10.0 ** abs(decimals)
        up, down = (ops.mul, ops.div) if decimals > 0 else (ops.div, ops.mul)
        scaled = pw.unary(pw.binary(a, scale, "round", up), ops.round_half_even)
        return pw.binary(scaled, scale, "round", down)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0.0


class Lerp(Function):
    r"""$a + w (b - a)$: $\partial/\partial a = 1 - w$, $\partial/\partial b = w$,
    $\partial/\partial w = b - a$."""

    @staticmethod
    def forward(ctx, a, b, weight):
        ctx.save_for_backward(a, b, weight)
        ctx.name = "LerpBackward1" if isinstance(weight, TensorCore) else "LerpBackward0"
        step = pw.binary(pw.binary(b, a, "lerp", ops.sub), weight, "lerp", ops.mul)
        return pw.binary(a, step, "lerp", ops.add)

    @staticmethod
    def backward(ctx, grad):
        a, b, weight = ctx.saved_tensors
        return (_to_input(grad * (1 - weight), _like(a)), _to_input(grad * weight, _like(b)),
                _to_input(grad * (b - a), _like(weight)))
