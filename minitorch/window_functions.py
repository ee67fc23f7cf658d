"""Convolution and pooling as single differentiable operations, on the dedicated kernels of
a backend that has them (the `fast` backend's `fast_conv`).

The generic path (`nn.sliding`) is made of small operations that autograd chains; these
Functions do the same work in one kernel call each, with a backward of one or two more.
Each backward is itself made of these Functions (or tensor operations), so gradients can be
differentiated again: for y = conv(x, w),

- dL/dx = `ConvInputGrad`(G, w), a transposed convolution: linear in G and w;
- dL/dw = `ConvWeightGrad`(x, G): linear in x and G;

and the derivatives of those two are convolutions and the two gradients again. Inputs are
batched 2-D (N, C, H, W), contiguous or not; `geometry` is (kernel, stride, (top, left)
padding, dilation, output size), each a pair, checked by the caller.
"""

import math

from . import dtypes
from .autodiff import Function


def _kernels(x):
    return x.backend.window_kernels()


class Conv(Function):
    """conv2d of `x` with `weight` (O, C / groups, kH, kW), plus `bias` (O,) if given."""

    @staticmethod
    def forward(ctx, x, weight, bias, geometry, groups):
        data, cols = _kernels(x).conv2d(x._data, weight._data,
                                        None if bias is None else bias._data, geometry, groups)
        ctx.save_for_backward(x, weight)
        ctx.args, ctx.cols, ctx.name = (geometry, groups), cols, "ConvolutionBackward0"
        ctx.has_bias = bias is not None
        return x._wrap(data)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        geometry, groups = ctx.args
        x_grad = ConvInputGrad.apply(grad, weight, shape=x.shape, geometry=geometry,
                                     groups=groups) if needs[0] else None
        weight_grad = ConvWeightGrad.apply(x, grad, shape=weight.shape, geometry=geometry,
                                           groups=groups, cols=ctx.cols) if needs[1] else None
        bias_grad = grad.sum(dim=(0, 2, 3)) if ctx.has_bias and needs[2] else None
        return x_grad, weight_grad, bias_grad


class ConvInputGrad(Function):
    """The input gradient (of `shape`) of a convolution with `weight`, from the output's
    gradient `grad`."""

    @staticmethod
    def forward(ctx, grad, weight, shape, geometry, groups):
        ctx.save_for_backward(grad, weight)
        ctx.args, ctx.name = (geometry, groups), "ConvolutionBackwardBackward0"
        data = _kernels(grad).conv2d_input_grad(grad._data, weight._data, shape, geometry,
                                                groups)
        return grad._wrap(data)

    @staticmethod
    def backward(ctx, gg):
        grad, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        # x_grad = T(G, w) is linear in both: its derivatives are conv(gg, w) for G and the
        # weight gradient of a convolution of gg with output gradient G for w
        geometry, groups = ctx.args
        grad_grad = Conv.apply(gg, weight, None, geometry=geometry, groups=groups) \
            if needs[0] else None
        weight_grad = ConvWeightGrad.apply(gg, grad, shape=weight.shape, geometry=geometry,
                                           groups=groups) if needs[1] else None
        return grad_grad, weight_grad


class ConvWeightGrad(Function):
    """The weight gradient (of `shape`) of a convolution of `x`, from the output's gradient
    `grad` (`cols`: the forward's columns of `x`, when kept)."""

    @staticmethod
    def forward(ctx, x, grad, shape, geometry, groups, cols=None):
        ctx.save_for_backward(x, grad)
        ctx.args, ctx.name = (geometry, groups), "ConvolutionBackwardBackward0"
        data = _kernels(x).conv2d_weight_grad(x._data, grad._data, shape, geometry, groups,
                                              cols)
        return x._wrap(data)

    @staticmethod
    def backward(ctx, gg):
        x, grad = ctx.saved_tensors
        needs = ctx.needs_input_grad
        geometry, groups = ctx.args
        x_grad = ConvInputGrad.apply(grad, gg, shape=x.shape, geometry=geometry,
                                     groups=groups) if needs[0] else None
        grad_grad = Conv.apply(x, gg, None, geometry=geometry, groups=groups) \
            if needs[1] else None
        return x_grad, grad_grad


class MaxPool(Function):
    """The maximum of each window over the last `nd` dimensions, and (not differentiable)
    where it lies: its flat index h * W + w in its plane."""

    @staticmethod
    def forward(ctx, x, geometry, nd):
        values, indices = _kernels(x).max_pool2d(x._data, geometry, nd)
        indices = x._wrap(indices, dtypes.int64)
        ctx.shape, ctx.indices, ctx.nd = x.shape, indices, nd
        ctx.name = "MaxPool2DWithIndicesBackward0"
        return x._wrap(values), indices

    @staticmethod
    def backward(ctx, grad):
        return MaxPoolGrad.apply(grad, indices=ctx.indices, shape=ctx.shape, nd=ctx.nd)


class MaxPoolGrad(Function):
    """Zeros of `shape` with each window's gradient added at its maximum (`indices`)."""

    @staticmethod
    def forward(ctx, grad, indices, shape, nd):
        ctx.indices, ctx.nd = indices, nd
        ctx.name = "MaxPool2DWithIndicesBackwardBackward0"
        return grad._wrap(_kernels(grad).max_pool2d_backward(grad._data, indices._data, shape,
                                                             nd))

    @staticmethod
    def backward(ctx, gg):
        """The gradient at each window's maximum: a gather of `gg` by the indices."""
        windows = ctx.indices.shape
        planes = gg.reshape(-1, math.prod(gg.shape[len(gg.shape) - ctx.nd:]))
        picked = planes.gather(1, ctx.indices.reshape(planes.shape[0], -1))
        return picked.reshape(windows)


class AvgPool(Function):
    """Each window's sum (over the last `nd` dimensions) divided by its divisor
    (`divisors`: a float64 NumPy array of oH * oW, one per window position)."""

    @staticmethod
    def forward(ctx, x, divisors, geometry, nd):
        ctx.shape, ctx.args = x.shape, (divisors, geometry, nd)
        ctx.name = "AvgPool2DBackward0"
        return x._wrap(_kernels(x).avg_pool2d(x._data, divisors, geometry, nd))

    @staticmethod
    def backward(ctx, grad):
        divisors, geometry, nd = ctx.args
        return AvgPoolGrad.apply(grad, divisors=divisors, shape=ctx.shape, geometry=geometry,
                                 nd=nd)


class AvgPoolGrad(Function):
    """The adjoint of `AvgPool`: each window's gradient, over its divisor, spread over it."""

    @staticmethod
    def forward(ctx, grad, divisors, shape, geometry, nd):
        ctx.args, ctx.name = (divisors, geometry, nd), "AvgPool2DBackwardBackward0"
        return grad._wrap(_kernels(grad).avg_pool2d_backward(grad._data, divisors, shape,
                                                             geometry, nd))

    @staticmethod
    def backward(ctx, gg):
        divisors, geometry, nd = ctx.args
        return AvgPool.apply(gg, divisors=divisors, geometry=geometry, nd=nd)
