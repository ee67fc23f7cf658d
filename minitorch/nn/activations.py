"""The smooth and the clipped activations: `silu`, `elu`, `softplus`, `mish`, `hardtanh`.

Each is a `Function` with its derivative written out, so that its node prints as PyTorch's
(`SiluBackward0`, ...); the backward is made of tensor operations, so it can be
differentiated again. `nn.functional` exports them; the layers are in `activation_layers`.
"""

from .. import inplace as in_place
from ..autodiff import Function
from ..tensor_functions import where


def _softplus(x):
    r"""$\ln(1 + e^x)$ without overflow: $\max(x, 0) + \ln(1 + e^{-|x|})$."""
    return x.clamp(min=0.0) + (-x.abs()).exp().log1p()


class Silu(Function):
    r"""$x \sigma(x)$; the derivative is $\sigma(x)(1 + x(1 - \sigma(x)))$."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x.sigmoid()

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = x.sigmoid()
        return grad * s * (1 + x * (1 - s))


class Elu(Function):
    r"""$x$ for $x > 0$, else $\alpha (e^x - 1)$; the derivative is 1, else $\alpha e^x$."""

    @staticmethod
    def forward(ctx, x, alpha):
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        return where(x > 0, x, (x.exp() - 1) * alpha)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return where(x > 0, grad, grad * x.exp() * ctx.alpha)


class Softplus(Function):
    r"""$\frac{1}{\beta} \ln(1 + e^{\beta x})$, and $x$ where $\beta x > $ `threshold`; the
    derivative is $\sigma(\beta x)$ (1 above the threshold)."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        scaled = x * beta
        return where(scaled > threshold, x, _softplus(scaled) / beta)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        scaled = x * ctx.beta
        return where(scaled > ctx.threshold, grad, grad * scaled.sigmoid())


class Mish(Function):
    r"""$x \tanh(\mathrm{softplus}(x))$; with $t = \tanh(\mathrm{softplus}(x))$ the
    derivative is $t + x \sigma(x) (1 - t^2)$."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * _softplus(x).tanh()

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        t = _softplus(x).tanh()
        return grad * (t + x * x.sigmoid() * (1 - t * t))


class Hardtanh(Function):
    """`x` clipped to `[min_val, max_val]`; the gradient passes strictly inside only."""

    @staticmethod
    def forward(ctx, x, min_val, max_val):
        ctx.save_for_backward(x)
        ctx.bounds = min_val, max_val
        return x.clamp(min_val, max_val)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        low, high = ctx.bounds
        return where((x > low) & (x < high), grad, 0.0)


def _apply(name, function, input, inplace, **options):
    """`function` of `input`, or written into `input` with `inplace=True`."""
    if inplace:
        return in_place.update(input, f"{name}_", lambda x: function.apply(x, **options))
    return function.apply(input, **options)


def silu(input, inplace=False):
    r"""SiLU (swish): $x \sigma(x)$ elementwise."""
    return _apply("silu", Silu, input, inplace)


def elu(input, alpha=1.0, inplace=False):
    r"""ELU: $x$ where $x > 0$, else $\alpha (e^x - 1)$, elementwise."""
    return _apply("elu", Elu, input, inplace, alpha=alpha)


def softplus(input, beta=1.0, threshold=20.0):
    r"""$\frac{1}{\beta} \ln(1 + e^{\beta x})$ elementwise; linear ($x$) where
    $\beta x > $ `threshold`."""
    return Softplus.apply(input, beta=beta, threshold=threshold)


def mish(input, inplace=False):
    r"""Mish: $x \tanh(\ln(1 + e^x))$ elementwise."""
    return _apply("mish", Mish, input, inplace)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clips to `[min_val, max_val]` elementwise."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _apply("hardtanh", Hardtanh, input, inplace, min_val=min_val, max_val=max_val)
