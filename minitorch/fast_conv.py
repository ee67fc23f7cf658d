"""The `fast` backend's convolution and pooling kernels, compiled with Numba.

The generic path (`nn.sliding`) builds a convolution from a windows view, a copy into
columns and a matrix product, and pools with a reduction over each window; on the CPU each
of those steps walks the whole tensor again. The kernels here do each job in one pass over
contiguous (N, C, H, W) storage, the padding handled by bounds instead of a padded copy:

- `im2col` writes the columns (N, C * kH * kW, oH * oW) of a convolution straight from the
  input, and `col2im` adds columns back into an input-shaped gradient; the convolution and
  its two gradients are then batched matrix products (the backend's blocked matmul).
  (A direct kernel, a loop nest over outputs, channels and taps, was measured too: see
  benchmarks/RESULTS.md; im2col with the blocked product is faster for every layer there.)
- `max_pool` keeps, for each window, its maximum and where it lies (the flat index h * W + w
  in its channel, as PyTorch's `return_indices`); its backward adds each gradient there.
- `avg_pool` divides each window's sum by its divisor (one per window position, given); its
  backward spreads each gradient over its window.

A 1-D operation is the 2-D one with a height of 1. Each kernel's loop over (batch, channel)
planes runs in parallel: planes never write to each other.
"""

import numpy as np
from numba import prange

from . import operators
from .fast_ops import Kernel
from .tensor_data import TensorData


# ----- the kernels --------------------------------------------------------------------------
def _im2col(cols, x, planes, height, width, kh, kw, sh, sw, top, left, dh, dw, oh, ow):
    """cols[plane, p * kw + q, i * ow + j] = x[plane, i * sh - top + p * dh,
    j * sw - left + q * dw], 0 where that lies in the padding; `x` holds `planes` planes of
    height x width, `cols` the kh * kw rows of oh * ow columns of each."""
    # BEGIN SOLUTION 7.2
    for plane in prange(planes):
        source = plane * height * width
        for p in range(kh):
            for q in range(kw):
                row = (plane * kh * kw + p * kw + q) * oh * ow
                # the outputs j whose input column j * sw - left + q * dw is inside [0, width)
                shift = q * dw - left
                j0 = min(max((-shift + sw - 1) // sw, 0), ow)
                j1 = max(min((width - 1 - shift) // sw + 1, ow), j0)
                for i in range(oh):
                    h = i * sh - top + p * dh
                    out = row + i * ow
                    if h < 0 or h >= height:
                        cols[out:out + ow] = 0
                        continue
                    cols[out:out + j0] = 0
                    at = source + h * width + shift
                    for j in range(j0, j1):
                        cols[out + j] = x[at + j * sw]
                    cols[out + j1:out + ow] = 0
    # END SOLUTION


def _col2im(grad, cols, planes, height, width, kh, kw, sh, sw, top, left, dh, dw, oh, ow):
    """The adjoint of `_im2col`: `grad` (zeroed, planes of height x width) gets each column
    element added where `_im2col` read it; elements read by several windows add up."""
    # BEGIN SOLUTION 7.3
    for plane in prange(planes):
        target = plane * height * width
        for p in range(kh):
            for q in range(kw):
                row = (plane * kh * kw + p * kw + q) * oh * ow
                shift = q * dw - left
                j0 = min(max((-shift + sw - 1) // sw, 0), ow)
                j1 = max(min((width - 1 - shift) // sw + 1, ow), j0)
                for i in range(oh):
                    h = i * sh - top + p * dh
                    if 0 <= h < height:
                        at = target + h * width + shift
                        col = row + i * ow
                        for j in range(j0, j1):
                            grad[at + j * sw] += cols[col + j]
    # END SOLUTION


def _max_pool(out, indices, x, planes, height, width, kh, kw, sh, sw, top, left, dh, dw,
              oh, ow):
    """out[plane, i, j]: the maximum of window (i, j) of the plane (its taps x[i * sh - top
    + p * dh, j * sw - left + q * dw] inside the plane; padding never wins); indices: where
    the first maximum lies, h * width + w. NaN wins, as in PyTorch."""
    # BEGIN SOLUTION 7.4
    for plane in prange(planes):
        source = plane * height * width
        for i in range(oh):
            h0 = i * sh - top
            for j in range(ow):
                w0 = j * sw - left
                best = -np.inf
                where = -1
                for p in range(kh):
                    h = h0 + p * dh
                    if h < 0 or h >= height:
                        continue
                    for q in range(kw):
                        w = w0 + q * dw
                        if 0 <= w < width:
                            v = x[source + h * width + w]
                            if v > best or where < 0 or (v != v and best == best):
                                best, where = v, h * width + w
                at = (plane * oh + i) * ow + j
                out[at] = best
                indices[at] = where
    # END SOLUTION


def _max_pool_backward(grad, out_grad, indices, planes, plane_size, out_size):
    """grad[plane, indices[plane, k]] += out_grad[plane, k]: each window's gradient goes to
    its maximum (`grad` arrives zeroed)."""
    # BEGIN SOLUTION 7.4
    for plane in prange(planes):
        for k in range(plane * out_size, (plane + 1) * out_size):
            grad[plane * plane_size + indices[k]] += out_grad[k]
    # END SOLUTION


def _avg_pool(out, x, divisors, planes, height, width, kh, kw, sh, sw, top, left, oh, ow):
    """out[plane, i, j]: the sum of window (i, j)'s taps inside the plane (zero padding),
    divided by divisors[i * ow + j]."""
    # BEGIN SOLUTION 7.4
    for plane in prange(planes):
        source = plane * height * width
        for i in range(oh):
            h0, h1 = max(i * sh - top, 0), min(i * sh - top + kh, height)
            for j in range(ow):
                w0, w1 = max(j * sw - left, 0), min(j * sw - left + kw, width)
                total = 0.0
                for h in range(h0, h1):
                    for w in range(w0, w1):
                        total += x[source + h * width + w]
                out[(plane * oh + i) * ow + j] = total / divisors[i * ow + j]
    # END SOLUTION


def _avg_pool_backward(grad, out_grad, divisors, planes, height, width, kh, kw, sh, sw,
                       top, left, oh, ow):
    """The adjoint of `_avg_pool`: each window's gradient, divided by its divisor, added to
    each of its taps inside the plane (`grad` arrives zeroed)."""
    # BEGIN SOLUTION 7.4
    for plane in prange(planes):
        target = plane * height * width
        for i in range(oh):
            h0, h1 = max(i * sh - top, 0), min(i * sh - top + kh, height)
            for j in range(ow):
                w0, w1 = max(j * sw - left, 0), min(j * sw - left + kw, width)
                share = out_grad[(plane * oh + i) * ow + j] / divisors[i * ow + j]
                for h in range(h0, h1):
                    for w in range(w0, w1):
                        grad[target + h * width + w] += share
    # END SOLUTION


im2col = Kernel(_im2col)
col2im = Kernel(_col2im)
max_pool = Kernel(_max_pool)
max_pool_backward = Kernel(_max_pool_backward)
avg_pool = Kernel(_avg_pool)
avg_pool_backward = Kernel(_avg_pool_backward)


# ----- the operations on (N, C, H, W) data ---------------------------------------------------
# `geometry` is (kernel, stride, (top, left), dilation, out size), each a pair: where the
# windows lie in the unpadded input.
def _flat(data):
    """The storage of `data` in row-major order: its own when contiguous, else a copy."""
    if data.is_contiguous():
        return data.storage[data.offset:data.offset + data.size] if data.offset else \
            data.storage
    return np.ascontiguousarray(data.numpy()).reshape(-1)


def _columns(x, geometry):
    """The im2col columns (N, C * kH * kW, oH * oW) of `x` (N, C, H, W)."""
    (kh, kw), (sh, sw), (top, left), (dh, dw), (oh, ow) = geometry
    n, c, h, w = x.shape
    cols = np.empty(n * c * kh * kw * oh * ow, dtype=x.storage.dtype)
    im2col(cols.size, cols, _flat(x), n * c, h, w, kh, kw, sh, sw, top, left, dh, dw, oh, ow)
    return TensorData(cols, (n, c * kh * kw, oh * ow))


def conv2d(backend, x, weight, geometry, dtype):
    """The convolution (N, O, oH, oW) of `x` (N, C, H, W) with `weight` (O, C, kH, kW), and
    the columns it used (for the weight's gradient)."""
    cols = _columns(x, geometry)
    o, k = weight.shape[0], cols.shape[1]
    kernels = TensorData(_flat(weight), (1, o, k))
    out = backend.matmul(kernels, cols, (x.shape[0], o, cols.shape[2]), dtype)
    return TensorData(out.storage, (x.shape[0], o, *geometry[4])), cols


def conv2d_input_grad(backend, grad, weight, shape, geometry, dtype):
    """The gradient (of `shape`, the input's) of a convolution with `weight`, given the
    output's gradient `grad`: the columns' gradient W^T G, added back by col2im."""
    (kh, kw), (sh, sw), (top, left), (dh, dw), (oh, ow) = geometry
    n, c, h, w = shape
    o, k = weight.shape[0], c * kh * kw
    kernels_t = TensorData(_flat(weight), (1, k, o), (0, 1, k))
    out_grad = TensorData(_flat(grad), (n, o, oh * ow))
    cols = backend.matmul(kernels_t, out_grad, (n, k, oh * ow), dtype)
    x_grad = np.zeros(n * c * h * w, dtype=cols.storage.dtype)
    col2im(x_grad.size, x_grad, cols.storage, n * c, h, w, kh, kw, sh, sw, top, left, dh, dw,
           oh, ow)
    return TensorData(x_grad, tuple(shape))


def conv2d_weight_grad(backend, x, grad, shape, geometry, dtype, cols=None):
    """The gradient (of `shape`, the weight's) of a convolution of `x`, given the output's
    gradient `grad`: sum over the batch of G_n cols_n^T (`cols`: the forward's, if kept)."""
    if cols is None:
        cols = _columns(x, geometry)
    n, k, positions = cols.shape
    o = shape[0]
    out_grad = TensorData(_flat(grad), (n, o, positions))
    cols_t = cols.view((n, positions, k), (k * positions, 1, positions))
    per_image = backend.matmul(out_grad, cols_t, (n, o, k), dtype)
    total = backend.reduce(operators.add, per_image, 0, 0, dtype)
    return TensorData(total.storage, tuple(shape))


def _planes(shape, nd):
    """(planes, H, W) of data of `shape` (*lead, H, W), or (*lead, W) with H = 1 (1-D)."""
    h, w = (1, shape[-1]) if nd == 1 else shape[-2:]
    planes = 1
    for size in shape[:len(shape) - nd]:
        planes *= size
    return planes, h, w


def max_pool2d(x, geometry, nd):
    """The maxima (*lead, *out) of the windows over the last `nd` dimensions of `x`, and
    their int64 indices h * W + w in their plane."""
    (kh, kw), (sh, sw), (top, left), (dh, dw), (oh, ow) = geometry
    planes, h, w = _planes(x.shape, nd)
    out = np.empty(planes * oh * ow, dtype=x.storage.dtype)
    indices = np.empty(planes * oh * ow, dtype=np.int64)
    max_pool(out.size * kh * kw, out, indices, _flat(x), planes, h, w, kh, kw, sh, sw, top,
             left, dh, dw, oh, ow)
    shape = (*x.shape[:x.dims - nd], *geometry[4][2 - nd:])
    return TensorData(out, shape), TensorData(indices, shape)


def max_pool2d_backward(grad, indices, shape, nd):
    """The gradient (of `shape`, the input's) of max pooling: each window's gradient added at
    its maximum, `indices`."""
    planes, h, w = _planes(shape, nd)
    x_grad = np.zeros(planes * h * w, dtype=grad.storage.dtype)
    max_pool_backward(grad.size, x_grad, _flat(grad), _flat(indices), planes, h * w,
                      grad.size // max(planes, 1))
    return TensorData(x_grad, tuple(shape))


def avg_pool2d(x, divisors, geometry, nd):
    """The window sums of `x` over its last `nd` dimensions, each divided by its divisor
    (`divisors`: a float64 array of oH * oW, the same for every plane)."""
    (kh, kw), (sh, sw), (top, left), _, (oh, ow) = geometry
    planes, h, w = _planes(x.shape, nd)
    out = np.empty(planes * oh * ow, dtype=x.storage.dtype)
    avg_pool(out.size * kh * kw, out, _flat(x), divisors, planes, h, w, kh, kw, sh, sw, top,
             left, oh, ow)
    return TensorData(out, (*x.shape[:x.dims - nd], *geometry[4][2 - nd:]))


def avg_pool2d_backward(grad, divisors, shape, geometry, nd):
    """The gradient (of `shape`, the input's) of average pooling."""
    (kh, kw), (sh, sw), (top, left), _, (oh, ow) = geometry
    planes, h, w = _planes(shape, nd)
    x_grad = np.zeros(planes * h * w, dtype=grad.storage.dtype)
    avg_pool_backward(grad.size * kh * kw, x_grad, _flat(grad), divisors, planes, h, w, kh,
                      kw, sh, sw, top, left, oh, ow)
    return TensorData(x_grad, tuple(shape))


def conv_written():
    """Whether the convolution's kernels (tasks 7.2 and 7.3) are written: until then the
    layers take the generic path."""
    return not (im2col.stub or col2im.stub)


def pool_written():
    """Whether the pooling kernels (task 7.4) are written."""
    return not any(k.stub for k in (max_pool, max_pool_backward, avg_pool, avg_pool_backward))
