"""Normalisation by groups of channels (`group_norm`) and by the root mean square
(`rms_norm`), composed of tensor operations (autograd differentiates them). `nn.functional`
exports them; the layers are in `norm_layers`."""

import numbers

import numpy as np


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    r"""Each sample's channels (dimension 1 of (N, C, *)) split into `num_groups` groups,
    each normalised to mean 0 and variance 1 (biased) over its channels and positions:
    $(x - \mu) / \sqrt{\sigma^2 + \epsilon}$, then scaled by `weight` and shifted by `bias`
    (per channel, shape (C,))."""
    if input.dim() < 2 or input.shape[1] % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {list(input.shape)} and num_groups={num_groups}")
    n, channels = input.shape[0], input.shape[1]
    groups = input.reshape(n, num_groups, -1)
    mean = groups.mean(-1, keepdim=True)
    centered = groups - mean
    var = (centered * centered).mean(-1, keepdim=True)
    out = (centered / (var + eps).sqrt()).reshape(input.shape)
    per_channel = (channels,) + (1,) * (input.dim() - 2)
    if weight is not None:
        out = out * weight.reshape(per_channel)
    if bias is not None:
        out = out + bias.reshape(per_channel)
    return out


def normalized_shape_arg(normalized_shape):
    """`normalized_shape` as a tuple (an int is one dimension)."""
    if isinstance(normalized_shape, numbers.Integral):
        return (int(normalized_shape),)
    return tuple(normalized_shape)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    r"""$x / \sqrt{\mathrm{mean}(x^2) + \epsilon}$ over the last `len(normalized_shape)`
    dimensions, times `weight`; `eps=None` is the dtype's machine epsilon."""
    shape = normalized_shape_arg(normalized_shape)
    if input.dim() < len(shape) or tuple(input.shape[input.dim() - len(shape):]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*{', '.join(str(s) for s in shape)}], but got input of size{list(input.shape)}")
    if eps is None:
        eps = float(np.finfo(input.dtype.numpy).eps)
    dims = tuple(range(-len(shape), 0))
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight
