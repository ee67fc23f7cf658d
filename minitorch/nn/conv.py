r"""Convolutions and the window rearrangements beneath them: `conv1d`, `conv2d`, `unfold`
(im2col) and `fold` (col2im), as PyTorch's `torch.nn.functional`.

A convolution is a sliding dot product: with input $x$ (N, C, H, W) and weight $w$
(O, C / groups, kH, kW),

$$ y_{n,o,i,j} = b_o + \sum_{c,p,q} w_{o,c,p,q}\,
   x_{n,\,g(o) + c,\; i s_h + p d_h,\; j s_w + q d_w} $$

($s$ the stride, $d$ the dilation, $g(o)$ the first input channel of output channel $o$'s
group). Written as im2col: the windows of the padded input are laid out as columns
(N, groups, C / groups * kH * kW, out positions), and one batched matrix product with the
weight, (groups, O / groups, C / groups * kH * kW), gives every output at once. Autograd
differentiates the product, the layout and the windows (see `sliding`).
"""

from .. import window_functions as WF
from .sliding import (
    batched,
    check_tensor,
    fold_windows,
    ntuple,
    pad_spatial,
    window_kernels,
    windows,
)


def conv_padding(padding, kernel, dilation, stride, nd, op):
    """(before, after) per spatial dimension, for an int / tuple padding or 'same' / 'valid'.

    'same' keeps the size at stride 1: the total padding is dilation * (kernel - 1), the
    odd element (for an even kernel) going after, as in PyTorch."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * nd
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: {padding!r}")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    amounts = ntuple(padding, nd, "padding", op)
    if any(p < 0 for p in amounts):
        raise RuntimeError("negative padding is not supported")
    return tuple((p, p) for p in amounts)


def _check_weight(op, input, weight, bias, groups, nd):
    check_tensor(op, "weight", weight)
    if weight.dim() != nd + 2:
        raise RuntimeError(
            f"{op}: expected weight to be {nd + 2}D (out_channels, in_channels / groups, "
            f"*kernel_size), but got weight of size {list(weight.shape)}"
        )
    if not isinstance(groups, int) or groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if weight.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension "
            f"0, but got weight of size {list(weight.shape)} instead"
        )
    if input.shape[1] != weight.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
            f"input{list(input.shape)} to have {weight.shape[1] * groups} channels, but got "
            f"{input.shape[1]} channels instead"
        )
    if bias is not None:
        check_tensor(op, "bias", bias)
        if bias.dim() != 1 or bias.shape[0] != weight.shape[0]:
            raise RuntimeError(
                f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional "
                f"with {weight.shape[0]} elements, but got bias of size {list(bias.shape)} "
                "instead"
            )
    if input.dtype is not weight.dtype:
        raise RuntimeError(
            f"Input type ({input.dtype.torch_name}) and weight type "
            f"({weight.dtype.torch_name}) should be the same"
        )


def _check_fits(padded, kernel, dilation):
    """PyTorch's error when the (dilated) kernel is larger than the padded input."""
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(n < s for n, s in zip(padded, spans)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, spans))}). Kernel size can't be greater than "
            "actual input size"
        )


def _convnd(op, nd, input, weight, bias, stride, padding, dilation, groups):
    """The convolution over the last `nd` dimensions (see the module's docstring)."""
    x, unbatched = batched(input, nd, op)
    _check_weight(op, x, weight, bias, groups, nd)
    kernel = tuple(weight.shape[2:])
    stride = ntuple(stride, nd, "stride", op)
    dilation = ntuple(dilation, nd, "dilation", op)
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    pads = conv_padding(padding, kernel, dilation, stride, nd, op)
    padded = [n + b + e for n, (b, e) in zip(x.shape[2:], pads)]
    _check_fits(padded, kernel, dilation)

    if _has_kernels(x, weight, bias):
        out = _kernel_convnd(nd, x, weight, bias, kernel, stride, pads, dilation, padded, groups)
        return out.squeeze(0) if unbatched else out
    n, channels = x.shape[:2]
    out_channels = weight.shape[0]
    # BEGIN SOLUTION 7.2
    x = pad_spatial(x, pads)
    # (N, groups, C/groups, *out, *kernel) -> columns (N, groups, C/groups * |kernel|, |out|)
    win = windows(x.reshape(n, groups, channels // groups, *padded), kernel, stride, dilation)
    out_size = tuple(win.shape[3:3 + nd])
    order = (0, 1, 2) + tuple(range(3 + nd, 3 + 2 * nd)) + tuple(range(3, 3 + nd))
    columns = win.permute(*order).reshape(n, groups, -1, _numel(out_size))
    kernels = weight.reshape(groups, out_channels // groups, -1)
    out = (kernels @ columns).reshape(n, out_channels, *out_size)
    if bias is not None:
        out = out + bias.reshape(out_channels, *(1,) * nd)
    # END SOLUTION
    return out.squeeze(0) if unbatched else out


def _has_kernels(x, weight, bias):
    """Whether the backend's own convolution kernels can run this one (floats, one backend)."""
    kernels = window_kernels(x)
    return (kernels is not None and kernels.conv_written() and weight.backend is x.backend
            and (bias is None or bias.backend is x.backend))


def _kernel_convnd(nd, x, weight, bias, kernel, stride, pads, dilation, padded, groups):
    """The convolution by the backend's kernels (`window_functions.Conv`); 1-D as 2-D with
    a height of 1."""
    out_size = tuple((n - d * (k - 1) - 1) // s + 1
                     for n, k, s, d in zip(padded, kernel, stride, dilation))
    if nd == 1:
        geometry = ((1, *kernel), (1, *stride), (0, pads[0][0]), (1, *dilation), (1, *out_size))
        return WF.Conv.apply(x.unsqueeze(2), weight.unsqueeze(2), bias, geometry=geometry,
                             groups=groups).squeeze(2)
    geometry = (kernel, stride, (pads[0][0], pads[1][0]), dilation, out_size)
    return WF.Conv.apply(x, weight, bias, geometry=geometry, groups=groups)


def _numel(shape):
    total = 1
    for s in shape:
        total *= s
    return total


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution of `input` (N, C, L) or (C, L) with `weight` (O, C / groups, k) and an
    optional `bias` (O,); `padding` is an int, a 1-tuple, 'valid' (none) or 'same'."""
    return _convnd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution of `input` (N, C, H, W) or (C, H, W) with `weight`
    (O, C / groups, kH, kW) and an optional `bias` (O,). `stride`, `padding` and `dilation`
    are ints or pairs; `padding` may also be 'valid' (none) or 'same' (output size = input
    size, stride 1 only)."""
    return _convnd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def _block_args(kernel_size, dilation, padding, stride, op):
    return (ntuple(kernel_size, 2, "kernel_size", op), ntuple(dilation, 2, "dilation", op),
            ntuple(padding, 2, "padding", op), ntuple(stride, 2, "stride", op))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: the sliding blocks of `input` (N, C, H, W) or (C, H, W) as columns, shape
    (N, C * kH * kW, L) with L the number of blocks; row `c * kH * kW + p * kW + q` holds
    element (p, q) of channel c's blocks."""
    x, unbatched = batched(input, 2, "unfold", "Input Error: Only 3D or 4D input Tensors are "
                           "supported (got input of size: ")
    kernel, dilation, padding, stride = _block_args(kernel_size, dilation, padding, stride,
                                                    "unfold")
    padded = [n + 2 * p for n, p in zip(x.shape[2:], padding)]
    blocks = [(n - d * (k - 1) - 1) // s + 1
              for n, k, d, s in zip(padded, kernel, dilation, stride)]
    if any(b < 1 for b in blocks):
        raise RuntimeError(
            f"Given input with spatial size {tuple(x.shape[2:])}, kernel_size={kernel}, "
            f"dilation={dilation}, padding={padding}, calculated shape of the array of sliding "
            f"blocks as {tuple(blocks)}, but its components must be at least one."
        )
    x = pad_spatial(x, tuple((p, p) for p in padding))
    win = windows(x, kernel, stride, dilation)  # (N, C, bH, bW, kH, kW)
    out = win.permute(0, 1, 4, 5, 2, 3).reshape(x.shape[0], -1, blocks[0] * blocks[1])
    return out.squeeze(0) if unbatched else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im, the adjoint of `unfold`: columns (N, C * kH * kW, L) or (C * kH * kW, L) added
    into an output (N, C, *output_size) where `unfold` would read them, overlaps summed."""
    check_tensor("fold", "input", input)
    if input.dim() not in (2, 3):
        raise RuntimeError(
            "Expected 2D (unbatched) or 3D (batched) input to col2im, but got input of size: "
            f"{list(input.shape)}"
        )
    x, unbatched = (input.unsqueeze(0), True) if input.dim() == 2 else (input, False)
    output_size = ntuple(output_size, 2, "output_size", "fold")
    kernel, dilation, padding, stride = _block_args(kernel_size, dilation, padding, stride,
                                                    "fold")
    k = kernel[0] * kernel[1]
    if x.shape[1] % k:
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={x.shape[1]} and kernel_size={kernel}."
        )
    padded = [n + 2 * p for n, p in zip(output_size, padding)]
    blocks = [(n - d * (kk - 1) - 1) // s + 1
              for n, kk, d, s in zip(padded, kernel, dilation, stride)]
    if any(b < 1 for b in blocks) or x.shape[2] != blocks[0] * blocks[1]:
        raise RuntimeError(
            f"Given output_size={output_size}, kernel_size={kernel}, dilation={dilation}, "
            f"padding={padding}, stride={stride}, expected size of input's dimension 2 to "
            f"match the calculated number of sliding blocks {blocks[0]} * {blocks[1]} = "
            f"{blocks[0] * blocks[1]}, but got input.size(2)={x.shape[2]}."
        )
    n, channels = x.shape[0], x.shape[1] // k
    win = x.reshape(n, channels, *kernel, *blocks).permute(0, 1, 4, 5, 2, 3)
    out = fold_windows(win, (n, channels, *padded), kernel, stride, dilation)
    out = pad_spatial(out, tuple((-p, -p) for p in padding))
    return out.squeeze(0) if unbatched else out
