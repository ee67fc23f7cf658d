"""Pooling, as PyTorch's `torch.nn.functional`: `max_pool1d`, `max_pool2d`, `avg_pool1d`,
`avg_pool2d`, `adaptive_avg_pool1d`, `adaptive_avg_pool2d`.

Max and average pooling reduce each sliding window of the padded input (see `sliding`):
max pooling pads with -inf (padding never wins) and takes the max over the flattened
window, whose gradient goes to the first maximum, as PyTorch's; average pooling pads with 0
and divides each window's sum by its count. Adaptive average pooling averages the windows
[floor(i n / out), ceil((i + 1) n / out)), which is a matrix product with an averaging
matrix along each dimension.
"""

import math

import numpy as np

from .. import dtypes
from .. import window_functions as WF
from .sliding import check_tensor, ntuple, pad_spatial, window_kernels, windows


def _pool_args(op, nd, kernel_size, stride, padding, dilation):
    """kernel, stride (default: the kernel), padding, dilation as `nd`-tuples, checked."""
    def expand(value, name):
        if isinstance(value, (tuple, list)) and len(value) not in (1, nd) or not isinstance(
                value, (int, tuple, list)):
            raise RuntimeError(f"{op}: {name} must either be a single int, or a tuple of "
                               f"{nd} ints")
        return ntuple(value, nd, name, op)

    kernel = expand(kernel_size, "kernel_size")
    stride = kernel if stride is None or stride == [] or stride == () else expand(stride,
                                                                                  "stride")
    padding, dilation = expand(padding, "padding"), expand(dilation, "dilation")
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"{op}: kernel_size must be greater than zero, but got "
                           f"kernel_size={kernel}")
    if any(s <= 0 for s in stride):
        raise RuntimeError("stride should not be zero")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation={dilation}")
    for k, p, d in zip(kernel, padding, dilation):
        if p < 0 or p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(
                "pad should be at most half of effective kernel size, but got "
                f"pad={p}, kernel_size={k} and dilation={d}"
            )
    return kernel, stride, padding, dilation


def _out_size(n, k, s, p, d, ceil_mode):
    """Windows along a dimension of `n`; in ceil mode a last, partial window counts when it
    starts inside the input or its left padding."""
    span = n + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _pooled_size(nd, input, kernel, stride, padding, dilation, ceil_mode):
    """The output size (a list, one per spatial dimension); PyTorch's error when it is 0."""
    sizes = input.shape[input.dim() - nd:]
    out = [_out_size(n, k, s, p, d, ceil_mode)
           for n, k, s, p, d in zip(sizes, kernel, stride, padding, dilation)]
    if any(o < 1 for o in out):
        lead = list(input.shape[max(input.dim() - nd - 1, 0):input.dim() - nd])
        raise RuntimeError(
            f"Given input size: ({'x'.join(map(str, lead + list(sizes)))}). Calculated output "
            f"size: ({'x'.join(map(str, lead + out))}). Output size is too small"
        )
    return out


def _pooled_windows(op, nd, input, kernel, stride, padding, dilation, ceil_mode, fill):
    """The windows (N, C, *out, *kernel) of `input` padded with `fill` (and, in ceil mode,
    past its end for the last partial windows); the batched input; the output size."""
    sizes = input.shape[input.dim() - nd:]
    out = _pooled_size(nd, input, kernel, stride, padding, dilation, ceil_mode)
    pads = []
    for n, k, s, p, d, o in zip(sizes, kernel, stride, padding, dilation, out):
        overhang = max((o - 1) * s + d * (k - 1) + 1 - (n + 2 * p), 0)  # ceil mode only
        pads.append((p, p + overhang))
    padded = pad_spatial(input, tuple(pads), fill)
    return windows(padded, kernel, stride, dilation), out


def _check_rank(op, input, nd):
    """PyTorch's error for an input of the wrong rank, with the input's size."""
    check_tensor(op, "input", input)
    if input.dim() not in (nd + 1, nd + 2) or input.numel() == 0 and input.dim() == nd + 1:
        if nd == 1:
            raise RuntimeError(
                f"{op}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
                f"for input, but got:{list(input.shape)}"
            )
        raise RuntimeError(
            f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input, but got "
            f"input of size: {list(input.shape)}"
        )


def _lowest(dtype):
    return -math.inf if dtype.is_floating_point else int(np.iinfo(dtype.numpy).min)


def _max_poolnd(op, nd, input, kernel_size, stride, padding, dilation, ceil_mode,
                return_indices):
    _check_rank(op, input, nd)
    kernel, stride, padding, dilation = _pool_args(op, nd, kernel_size, stride, padding,
                                                   dilation)
    if _has_kernels(input):
        out = _pooled_size(nd, input, kernel, stride, padding, dilation, ceil_mode)
        geometry = _geometry(nd, kernel, stride, padding, dilation, out)
        values, indices = WF.MaxPool.apply(input, geometry=geometry, nd=nd)
        return (values, indices) if return_indices else values
    # BEGIN SOLUTION 7.4
    win, out = _pooled_windows(op, nd, input, kernel, stride, padding, dilation, ceil_mode,
                               _lowest(input.dtype))
    flat = win.reshape(*win.shape[:win.dim() - nd], -1)
    values, positions = flat.max(dim=-1)
    # END SOLUTION
    if not return_indices:
        return values
    return values, _input_indices(input, positions, nd, kernel, stride, padding, dilation, out)


def _input_indices(input, positions, nd, kernel, stride, padding, dilation, out):
    """Flat indices into each channel's input (as PyTorch's `return_indices`) of the maxima
    at `positions` within their flattened windows."""
    sizes = input.shape[input.dim() - nd:]
    flat_index = None
    rest = positions
    for i in reversed(range(nd)):  # window position -> (k_1, ..., k_nd), last fastest
        k_i = rest % kernel[i]
        rest = rest // kernel[i]
        starts = np.arange(out[i], dtype=np.int64) * stride[i] - padding[i]
        shape = [1] * positions.dim()
        shape[positions.dim() - nd + i] = out[i]
        start = input._make_from_numpy(starts.reshape(shape), dtypes.int64)
        coordinate = start + k_i * dilation[i]
        place = int(np.prod(sizes[i + 1:], dtype=np.int64))
        term = coordinate * place
        flat_index = term if flat_index is None else flat_index + term
    return flat_index


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum of each window of `input` (N, C, L) or (C, L); with `return_indices`,
    also where each maximum lies (an index into L)."""
    return _max_poolnd("max_pool1d", 1, input, kernel_size, stride, padding, dilation,
                       ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum of each kH x kW window of `input` (N, C, H, W) or (C, H, W), the windows
    `stride` apart (default: `kernel_size`, no overlap); padding counts as -inf. With
    `return_indices`, also where each maximum lies: its flat index h * W + w in its channel."""
    return _max_poolnd("max_pool2d", 2, input, kernel_size, stride, padding, dilation,
                       ceil_mode, return_indices)


def _avg_poolnd(op, nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override):
    _check_rank(op, input, nd)
    kernel, stride, padding, dilation = _pool_args(op, nd, kernel_size, stride, padding, 1)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if _has_kernels(input):
        out = _pooled_size(nd, input, kernel, stride, padding, dilation, ceil_mode)
        divisors = _divisors(input, nd, kernel, stride, padding, out, count_include_pad,
                             divisor_override)
        return WF.AvgPool.apply(input, divisors=divisors.reshape(-1), nd=nd,
                                geometry=_geometry(nd, kernel, stride, padding, dilation, out))
    # BEGIN SOLUTION 7.4
    win, out = _pooled_windows(op, nd, input, kernel, stride, padding, dilation, ceil_mode, 0)
    sums = win.sum(dim=tuple(range(win.dim() - nd, win.dim())))
    # END SOLUTION
    if divisor_override is not None:
        return sums / divisor_override
    divisor = _divisors(input, nd, kernel, stride, padding, out, count_include_pad, None)
    return sums / input._make_from_numpy(divisor, sums.dtype)


def _divisors(input, nd, kernel, stride, padding, out, count_include_pad, divisor_override):
    """What each window's sum is divided by: a float64 array of the output's spatial size."""
    if divisor_override is not None:
        return np.full(out, float(divisor_override))
    sizes = input.shape[input.dim() - nd:]
    divisor = np.ones((), dtype=np.float64)
    for n, k, s, p, o in zip(sizes, kernel, stride, padding, out):
        counts = _window_counts(n, k, s, p, o, count_include_pad)
        divisor = np.multiply.outer(divisor, counts)
    return divisor


def _has_kernels(input):
    """Whether the backend's own pooling kernels can run this pooling (see `window_kernels`)."""
    kernels = window_kernels(input)
    return kernels is not None and kernels.pool_written()


def _geometry(nd, kernel, stride, padding, dilation, out):
    """The pooling kernels' geometry: pairs, a 1-D pooling being 2-D with a height of 1."""
    lead = 2 - nd
    return ((1,) * lead + tuple(kernel), (1,) * lead + tuple(stride),
            (0,) * lead + tuple(padding), (1,) * lead + tuple(dilation),
            (1,) * lead + tuple(out))


def _window_counts(n, k, s, p, out, count_include_pad):
    """How many elements each window along a dimension averages: those inside the padded
    input (count_include_pad), or inside the input itself."""
    # BEGIN SOLUTION 7.4
    start = np.arange(out) * s - p
    end = np.minimum(start + k, n + p)
    if count_include_pad:
        return (end - start).astype(np.float64)
    return (np.minimum(end, n) - np.maximum(start, 0)).astype(np.float64)
    # END SOLUTION


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """The mean of each window of `input` (N, C, L) or (C, L) (see `avg_pool2d`)."""
    return _avg_poolnd("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode,
                       count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of each kH x kW window of `input` (N, C, H, W) or (C, H, W). Zero padding
    counts in the mean with `count_include_pad` (the default), else only input elements do;
    `divisor_override` divides every window's sum by that number instead."""
    return _avg_poolnd("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                       count_include_pad, divisor_override)


def _averaging_matrix(n, out):
    """(out, n): row i averages the elements [floor(i n / out), ceil((i + 1) n / out))."""
    matrix = np.zeros((out, n))
    for i in range(out):
        start, end = (i * n) // out, -(-((i + 1) * n) // out)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


def _adaptive_avg_poolnd(op, nd, input, output_size):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{list(input.shape)}")
    if isinstance(output_size, (tuple, list)) and len(output_size) != nd:
        raise RuntimeError(f"{op}: output_size must be {nd}")
    sizes = input.shape[input.dim() - nd:]
    if not isinstance(output_size, (tuple, list)):
        output_size = (output_size,) * nd
    output_size = [n if o is None else int(o) for n, o in zip(sizes, output_size)]
    if any(o < 0 for o in output_size):
        raise RuntimeError(f"{op}: elements of output_size must be greater than or equal to "
                           f"0 but received {output_size}")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f'"{op}" not implemented for \'{input.dtype.torch_name}\'')
    out = input
    for i in range(nd):  # average along the dimension -nd + i: x @ A^T on the last one
        dim = input.dim() - nd + i
        matrix = input._make_from_numpy(_averaging_matrix(sizes[i], output_size[i]).T,
                                        input.dtype)
        out = (out.transpose(dim, -1) @ matrix).transpose(dim, -1)
    return out


def adaptive_avg_pool1d(input, output_size):
    """Average pooling of `input` (N, C, L) or (C, L) to length `output_size`."""
    return _adaptive_avg_poolnd("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling of `input` (N, C, H, W) or (C, H, W) to `output_size` (an int, or a
    pair whose None entries keep the input's size): window i of a dimension of n spans
    [floor(i n / out), ceil((i + 1) n / out))."""
    return _adaptive_avg_poolnd("adaptive_avg_pool2d", 2, input, output_size)
