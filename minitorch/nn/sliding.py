"""What convolutions, pooling, `unfold` and `fold` share: their size arguments (an int or one
per spatial dimension), `pad` (PyTorch's `F.pad`) and the sliding windows of a padded input.

A window operation pads the input, then takes the *view* of all its windows
(`tensor_functions.Windows`: no copy; overlapping windows share elements) and reduces each
window: a matrix product with the kernel for a convolution, a max or a mean for pooling.
Autograd differentiates the result; the windows' backward adds each window's gradient back
where the window was read (`Fold`), so each operation runs on every backend without a kernel
of its own. On the fast backend, convolutions and pooling of float tensors take dedicated Numba
kernels instead (`fast_conv.py`, through `window_functions.py`): the same results, faster.
"""

import numbers

from .. import dtypes
from .. import tensor_functions as TF
from ..creation import tensor
from ..selection import index_select
from ..tensor import Tensor


def ntuple(value, n, name, op):
    """`value` as a tuple of `n` ints: an int repeated, or a sequence of 1 or `n` ints."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return (int(value),) * n
    if isinstance(value, (tuple, list)) and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value):
        if len(value) == n:
            return tuple(int(v) for v in value)
        if len(value) == 1:
            return (int(value[0]),) * n
    raise RuntimeError(
        f"{op}: expected {name} to be a single integer value or a list of {n} values to match "
        f"the {n}-d operation, but got {name}={value!r}"
    )


def check_tensor(op, arg, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(x).__name__}")


def batched(input, nd, op, message=None):
    """`input` with a batch dimension (an unbatched (C, *spatial) input gets one of size 1),
    and whether it was added; PyTorch's error for any other rank, naming the input's size."""
    check_tensor(op, "input", input)
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(
            (message or f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op}, "
             "but got input of size: ") + f"{list(input.shape)}"
        )
    if input.dim() == nd + 1:
        return input.unsqueeze(0), True
    return input, False


def pad(input, pad, mode="constant", value=None):
    """`input` padded: `pad` holds (before, after) amounts from the *last* dimension backwards,
    `(left, right, top, bottom, ...)`, as in PyTorch. `mode='constant'` fills with `value`
    (default 0), and a negative amount crops; `'reflect'` mirrors the input about its edge
    elements, `'replicate'` repeats the edge elements, `'circular'` wraps around."""
    check_tensor("pad", "input", input)
    if mode not in ("constant",) + tuple(_INDEX_PADS):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > 2 * input.dim():
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {input.dim()}"
        )
    pairs = [(0, 0)] * input.dim()
    for i in range(len(pad) // 2):
        pairs[input.dim() - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    for d, (n, (b, e)) in enumerate(zip(input.shape, pairs)):
        if n + b + e < 0:
            raise RuntimeError(
                f"The input size {n}, plus negative padding {b} and {e} resulted in a negative "
                f"output size, which is invalid. Check dimension {d} of your input."
            )
    if mode != "constant":
        return _index_pad(input, pad, pairs, mode, value)
    if all(p == (0, 0) for p in pairs):
        return input
    return TF.ConstantPad.apply(input, pads=tuple(pairs), value=0 if value is None else value)


def _reflect(j, n):
    """Mirrored about the edge elements, which are not repeated."""
    return -j if j < 0 else (2 * (n - 1) - j if j >= n else j)


def _circular(j, n, b, e):
    lo, hi = max(-b, 0), n - max(-e, 0)  # a negative amount crops before the wrap, as PyTorch
    return lo + (j - lo) % (hi - lo)


# Where output position j (counted from the input's first element) reads along a dimension of
# n elements padded by (b, e).
_INDEX_PADS = {
    "reflect": lambda j, n, b, e: _reflect(j, n),
    "replicate": lambda j, n, b, e: min(max(j, 0), n - 1),
    "circular": _circular,
}


def _index_pad(input, pad, pairs, mode, value):
    """Padding that repeats input elements: each padded dimension is an `index_select` of
    the positions `mode` reads, so the gradient adds back to where each element came from."""
    if value is not None:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    spatial = len(pad) // 2
    if spatial not in (1, 2, 3) or input.dim() not in (spatial + 1, spatial + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    out = input
    for d in range(input.dim() - spatial, input.dim()):
        n, (b, e) = input.shape[d], pairs[d]
        if (b, e) == (0, 0):
            continue
        if mode == "reflect" and max(b, e) >= n:
            raise RuntimeError(
                f"Argument #{len(pad) + 2}: Padding size should be less than the "
                f"corresponding input dimension, but got: padding ({b}, {e}) at dimension {d} "
                f"of input {list(input.shape)}")
        if mode == "circular" and max(b, e) > n - max(-b, 0) - max(-e, 0):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if n == 0:
            raise RuntimeError(f"padding mode {mode!r} needs a non-empty dimension {d}")
        positions = [_INDEX_PADS[mode](j, n, b, e) for j in range(-b, n + e)]
        out = index_select(out, d, tensor(positions, dtype=dtypes.int64, device=input.device))
    return out


def pad_spatial(input, pads, value=0):
    """`input` padded by `pads[i] = (before, after)` along its last `len(pads)` dimensions."""
    pairs = ((0, 0),) * (input.dim() - len(pads)) + tuple(pads)
    if all(p == (0, 0) for p in pairs):
        return input
    return TF.ConstantPad.apply(input, pads=pairs, value=value)


def window_kernels(input):
    """The dedicated convolution and pooling kernels of `input`'s backend (the fast
    backend's `fast_conv`) when they apply to its dtype, else None (the generic path)."""
    if input.dtype not in (dtypes.float32, dtypes.float64):
        return None
    return input.backend.window_kernels()


def windows(input, kernel, stride, dilation):
    """The view (*batch, *out, *kernel) of the sliding windows over the last `len(kernel)`
    dimensions of `input` (which the windows must fit)."""
    return TF.Windows.apply(input, kernel=tuple(kernel), stride=tuple(stride),
                            dilation=tuple(dilation))


def fold_windows(input, shape, kernel, stride, dilation):
    """Windows (*batch, *out, *kernel) summed back into a tensor of `shape` (the inverse of
    `windows` for sums: elements read by several windows get all their values added)."""
    return TF.Fold.apply(input, shape=tuple(shape),
                         args=(tuple(kernel), tuple(stride), tuple(dilation)))
