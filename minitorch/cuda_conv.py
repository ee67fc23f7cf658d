"""The `cuda` backend's convolution and pooling kernels, in numba.cuda: the GPU twins of
`fast_conv`, with the same functions and arguments (`window_functions` calls them), on
storage in GPU memory. Nothing is copied to or from the host.

Each kernel gives one GPU thread one element of what it writes:

- `im2col`: one element of the columns (N, C * kH * kW, oH * oW) of a convolution, read
  from the input or 0 in the padding; `col2im`, its adjoint: one element of the input's
  gradient, the sum of the column elements read from there (no two threads add to one
  place, so no atomics: the result does not depend on the threads' order);
- the convolution and its two gradients are then products of the kernels with the columns,
  group by group (`product`: tiles in shared memory, like `cuda_ops`' matmul);
- `max_pool` and `avg_pool`: one output each; the backward of average pooling one input
  element each; that of max pooling one window each, adding its gradient at the window's
  maximum atomically (windows that overlap may share it).

A 1-D operation is the 2-D one with a height of 1. On the CUDA simulator every GPU thread
is a Python thread: keep tensors tiny there.
"""

import math

import numpy as np
from numba import cuda

from . import cuda_memory
from .cuda_ops import MAX_GRID_Z, TPB, _grid, _kernel, _PerDtype, _Stub
from .tensor_data import TensorData
from .window_shapes import plane_layout, pooled_shape


# ----- the kernels (one thread per element written) -----------------------------------------
def _im2col(cols, x, height, width, kh, kw, sh, sw, top, left, dh, dw, oh, ow, size):
    """Thread t writes cols[t]: for t = ((plane * kh + p) * kw + q) * oh * ow + i * ow + j,
    x[plane, i * sh - top + p * dh, j * sw - left + q * dw], 0 where that lies in the
    padding; `x` holds planes of height x width."""
    # BEGIN SOLUTION 7.2
    t = cuda.grid(1)
    if t < size:
        window = t % (oh * ow)
        i, j = window // ow, window % ow
        tap = t // (oh * ow)
        plane, p, q = tap // (kh * kw), tap // kw % kh, tap % kw
        h, w = i * sh - top + p * dh, j * sw - left + q * dw
        if 0 <= h < height and 0 <= w < width:
            cols[t] = x[(plane * height + h) * width + w]
        else:
            cols[t] = 0
    # END SOLUTION


def _col2im(grad, cols, height, width, kh, kw, sh, sw, top, left, dh, dw, oh, ow, size):
    """The adjoint of `_im2col`: thread t writes grad[t] (t = (plane * height + h) * width
    + w), the sum of the column elements that `_im2col` read from there."""
    # BEGIN SOLUTION 7.3
    t = cuda.grid(1)
    if t < size:
        plane, h, w = t // (height * width), t // width % height, t % width
        total = cols[0] * 0
        for p in range(kh):
            down = h + top - p * dh  # = i * sh for the output row i whose tap p reads h
            if down >= 0 and down % sh == 0 and down // sh < oh:
                for q in range(kw):
                    right = w + left - q * dw
                    if right >= 0 and right % sw == 0 and right // sw < ow:
                        total += cols[((plane * kh + p) * kw + q) * oh * ow
                                      + down // sh * ow + right // sw]
        grad[t] = total
    # END SOLUTION


def _max_pool(out, indices, x, height, width, kh, kw, sh, sw, top, left, dh, dw, oh, ow,
              size):
    """Thread t writes out[t], the maximum of window (i, j) of its plane (t = (plane * oh
    + i) * ow + j; padding never wins), and indices[t], where the first maximum lies,
    h * width + w (a window of -inf only: its first tap, as PyTorch's). NaN wins."""
    # BEGIN SOLUTION 7.4
    t = cuda.grid(1)
    if t < size:
        plane, i, j = t // (oh * ow), t // ow % oh, t % ow
        source = plane * height * width
        h0, w0 = i * sh - top, j * sw - left
        best = -math.inf
        where = h0 * width + w0
        for p in range(kh):
            h = h0 + p * dh
            if 0 <= h < height:
                for q in range(kw):
                    w = w0 + q * dw
                    if 0 <= w < width:
                        v = x[source + h * width + w]
                        if v > best or (v != v and best == best):
                            best, where = v, h * width + w
        out[t] = best
        indices[t] = where
    # END SOLUTION


def _max_pool_backward(grad, out_grad, indices, plane_size, out_size, size):
    """Thread t adds window t's gradient at its maximum: grad[plane, indices[t]] (atomically:
    overlapping windows may share a maximum; `grad` arrives zeroed)."""
    # BEGIN SOLUTION 7.4
    t = cuda.grid(1)
    if t < size:
        cuda.atomic.add(grad, t // out_size * plane_size + indices[t], out_grad[t])
    # END SOLUTION


def _avg_pool(out, x, divisors, height, width, kh, kw, sh, sw, top, left, oh, ow, size):
    """Thread t writes out[t] (t = (plane * oh + i) * ow + j): the sum of window (i, j)'s
    taps inside the plane (zero padding), divided by divisors[i * ow + j]."""
    # BEGIN SOLUTION 7.4
    t = cuda.grid(1)
    if t < size:
        plane, window = t // (oh * ow), t % (oh * ow)
        i, j = window // ow, window % ow
        source = plane * height * width
        total = x[0] * 0
        for h in range(max(i * sh - top, 0), min(i * sh - top + kh, height)):
            for w in range(max(j * sw - left, 0), min(j * sw - left + kw, width)):
                total += x[source + h * width + w]
        out[t] = total / divisors[window]
    # END SOLUTION


def _avg_pool_backward(grad, out_grad, divisors, height, width, kh, kw, sh, sw, top, left,
                       oh, ow, size):
    """The adjoint of `_avg_pool`: thread t writes grad[t] (t = (plane * height + h) * width
    + w), the sum over the windows holding (h, w) of their gradient over their divisor."""
    # BEGIN SOLUTION 7.4
    t = cuda.grid(1)
    if t < size:
        plane, h, w = t // (height * width), t // width % height, t % width
        # the windows i with i * sh - top <= h < i * sh - top + kh (likewise j)
        low, right = h + top - kh + 1, w + left - kw + 1
        i0, j0 = (max(low, 0) + sh - 1) // sh, (max(right, 0) + sw - 1) // sw
        total = out_grad[0] * 0
        for i in range(i0, min((h + top) // sh + 1, oh)):
            for j in range(j0, min((w + left) // sw + 1, ow)):
                at = i * ow + j
                total += out_grad[plane * oh * ow + at] / divisors[at]
        grad[t] = total
    # END SOLUTION


im2col = _kernel(_im2col)
col2im = _kernel(_col2im)
max_pool = _kernel(_max_pool)
max_pool_backward = _kernel(_max_pool_backward)
avg_pool = _kernel(_avg_pool)
avg_pool_backward = _kernel(_avg_pool_backward)


# ----- the backend's own kernels (not tasks): products, copies, zeros ------------------------
def _product_kernel(dtype):
    """The grouped product of storages of `dtype` (a numba type); see `_product`."""

    def _product(out, a, b, bias, has_bias, rows, cols, depth, span, groups, a_strides,
                 b_strides, first):
        """Block (x, y, z) computes the TPB x TPB tile at rows y * TPB.., columns x * TPB..
        of matrix z' = first + z of `out` (contiguous, z' = n * groups + g):

        out[z', i, j] = sum_{m < depth, s < span} A[n, g, i, m, s] * B[n, g, m, s, j]
                        (+ bias[g * rows + i] if has_bias),

        A and B read from `a` and `b` with `a_strides` and `b_strides` (5 each, by index)."""
        a_tile = cuda.shared.array((TPB, TPB), dtype)
        b_tile = cuda.shared.array((TPB, TPB), dtype)
        tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
        i, j = cuda.blockIdx.y * TPB + ty, cuda.blockIdx.x * TPB + tx
        z = first + cuda.blockIdx.z
        n, g = z // groups, z % groups
        a_row = n * a_strides[0] + g * a_strides[1] + i * a_strides[2]
        b_col = n * b_strides[0] + g * b_strides[1] + j * b_strides[4]
        inner = depth * span
        acc = dtype(0)
        for k0 in range(0, inner, TPB):
            k = k0 + tx
            if i < rows and k < inner:
                a_tile[ty, tx] = a[a_row + k // span * a_strides[3] + k % span * a_strides[4]]
            else:
                a_tile[ty, tx] = 0
            k = k0 + ty
            if k < inner and j < cols:
                b_tile[ty, tx] = b[b_col + k // span * b_strides[2] + k % span * b_strides[3]]
            else:
                b_tile[ty, tx] = 0
            cuda.syncthreads()
            for k in range(TPB):
                acc += a_tile[ty, k] * b_tile[k, tx]
            cuda.syncthreads()
        if i < rows and j < cols:
            if has_bias:
                acc += bias[g * rows + i]
            out[(z * rows + i) * cols + j] = acc

    return _product


_product_kernels = _PerDtype(_product_kernel)


def product(out, a, b, bias, sizes, groups, a_strides, b_strides):
    """Launch the grouped product into `out` (see `_product_kernel`); `sizes` is (matrices,
    rows, columns, depth, span), `bias` None or added to each row of each group."""
    matrices, rows, cols, depth, span = sizes
    if matrices * rows * cols == 0:
        return
    kernel = _product_kernels[out.dtype]
    tiles = ((cols + TPB - 1) // TPB, (rows + TPB - 1) // TPB)
    for first in range(0, matrices, MAX_GRID_Z):
        kernel[(*tiles, min(MAX_GRID_Z, matrices - first)), (TPB, TPB)](
            out, a, b, out if bias is None else bias, bias is not None, rows, cols, depth,
            span, groups, a_strides, b_strides, first)


@cuda.jit
def _copy_strided(out, x, shape, strides, size):
    """out[t] = the t-th element (row-major) of the view of `x` with `shape` and `strides`."""
    t = cuda.grid(1)
    if t < size:
        position, rest = 0, t
        for d in range(len(shape) - 1, -1, -1):
            position += rest % shape[d] * strides[d]
            rest //= shape[d]
        out[t] = x[position]


@cuda.jit
def _fill_zero(out, size):
    t = cuda.grid(1)
    if t < size:
        out[t] = 0


def _launch(kernel, size, *args):
    """`kernel` on `args` and `size`, one thread per element of `size` (none for 0)."""
    if size:
        kernel[_grid(size)](*args, size)


def _empty(size, dtype):
    return cuda_memory.empty(size, dtype)


def _zeros(size, dtype):
    out = _empty(size, dtype)
    _launch(_fill_zero, size, out)
    return out


def _flat(data):
    """The elements of `data` in row-major order, on the GPU: its own storage when it is
    contiguous, else a copy made there."""
    if data.is_contiguous():
        return data.storage[data.offset:data.offset + data.size]
    out = _empty(data.size, data.storage.dtype)
    _launch(_copy_strided, data.size, out, data.local_storage(), data.shape, data.strides)
    return out


_divisors = {}  # the bytes of a divisors array -> the array on the GPU


def _on_gpu(divisors):
    """The float64 host array `divisors` on the GPU: a launch constant, copied once."""
    key = divisors.tobytes()
    found = _divisors.get(key)
    if found is None:
        if len(_divisors) > 256:
            _divisors.clear()
        found = _divisors[key] = cuda_memory.constant(np.ascontiguousarray(divisors))
    return found


# ----- the operations on (N, C, H, W) data (the functions of `fast_conv`) ---------------------
# `geometry` is (kernel, stride, (top, left), dilation, out size), each a pair: where the
# windows lie in the unpadded input.
def _columns(x, geometry):
    """The im2col columns (N, C * kH * kW, oH * oW) of `x` (N, C, H, W)."""
    (kh, kw), (sh, sw), (top, left), (dh, dw), (oh, ow) = geometry
    n, c, h, w = x.shape
    cols = _empty(n * c * kh * kw * oh * ow, x.storage.dtype)
    _launch(im2col, cols.size, cols, _flat(x), h, w, kh, kw, sh, sw, top, left, dh, dw, oh, ow)
    return TensorData(cols, (n, c * kh * kw, oh * ow))


def conv2d(x, weight, bias, geometry, groups):
    """The convolution (N, O, oH, oW) of `x` (N, C, H, W) with `weight` (O, C / groups, kH,
    kW) plus `bias` (O,) if not None, and the columns it used (for the weight's gradient):
    per image and group, W_g (O / groups, K) times the group's K rows of columns."""
    cols = _columns(x, geometry)
    n, rows, positions = cols.shape
    o, k = weight.shape[0], rows // groups
    out = _empty(n * o * positions, cols.storage.dtype)
    product(out, _flat(weight), cols.storage, None if bias is None else _flat(bias),
            (n * groups, o // groups, positions, 1, k), groups,
            (0, o // groups * k, k, 0, 1), (rows * positions, k * positions, 0, positions, 1))
    return TensorData(out, (n, o, *geometry[4])), cols


def conv2d_input_grad(grad, weight, shape, geometry, groups):
    """The gradient (of `shape`, the input's) of a convolution with `weight`, given the
    output's gradient `grad`: the columns' gradient W_g^T G (per group), added back by
    col2im."""
    (kh, kw), (sh, sw), (top, left), (dh, dw), (oh, ow) = geometry
    n, c, h, w = shape
    o = weight.shape[0]
    og, k, positions = o // groups, c // groups * kh * kw, oh * ow
    cols = _empty(n * c * kh * kw * positions, grad.storage.dtype)
    product(cols, _flat(weight), _flat(grad), None, (n * groups, k, positions, 1, og), groups,
            (0, og * k, 1, 0, k), (o * positions, og * positions, 0, positions, 1))
    x_grad = _empty(n * c * h * w, cols.dtype)
    _launch(col2im, x_grad.size, x_grad, cols, h, w, kh, kw, sh, sw, top, left, dh, dw, oh,
            ow)
    return TensorData(x_grad, tuple(shape))


def conv2d_weight_grad(x, grad, shape, geometry, groups, cols=None):
    """The gradient (of `shape`, the weight's) of a convolution of `x`, given the output's
    gradient `grad`: per group, the sum over the images n and positions s of G[n, g, :, s]
    times cols[n, g, :, s] (`cols`: the forward's, if kept)."""
    if cols is None:
        cols = _columns(x, geometry)
    n, rows, positions = cols.shape
    o = shape[0]
    og, k = o // groups, rows // groups
    out = _empty(o * k, cols.storage.dtype)
    product(out, _flat(grad), cols.storage, None, (groups, og, k, n, positions), groups,
            (0, og * positions, positions, o * positions, 1),
            (0, k * positions, rows * positions, 1, positions))
    return TensorData(out, tuple(shape))


def max_pool2d(x, geometry, nd):
    """The maxima (*lead, *out) of the windows over the last `nd` dimensions of `x`, and
    their int64 indices h * W + w in their plane."""
    (kh, kw), (sh, sw), (top, left), (dh, dw), (oh, ow) = geometry
    planes, h, w = plane_layout(x.shape, nd)
    out = _empty(planes * oh * ow, x.storage.dtype)
    indices = _empty(planes * oh * ow, np.int64)
    _launch(max_pool, out.size, out, indices, _flat(x), h, w, kh, kw, sh, sw, top, left, dh,
            dw, oh, ow)
    shape = pooled_shape(x.shape, geometry, nd)
    return TensorData(out, shape), TensorData(indices, shape)


def max_pool2d_backward(grad, indices, shape, nd):
    """The gradient (of `shape`, the input's) of max pooling: each window's gradient added at
    its maximum, `indices`."""
    planes, h, w = plane_layout(shape, nd)
    x_grad = _zeros(planes * h * w, grad.storage.dtype)
    _launch(max_pool_backward, grad.size, x_grad, _flat(grad), _flat(indices), h * w,
            grad.size // max(planes, 1))
    return TensorData(x_grad, tuple(shape))


def avg_pool2d(x, divisors, geometry, nd):
    """The window sums of `x` over its last `nd` dimensions, each divided by its divisor
    (`divisors`: a float64 host array of oH * oW, the same for every plane)."""
    (kh, kw), (sh, sw), (top, left), _, (oh, ow) = geometry
    planes, h, w = plane_layout(x.shape, nd)
    out = _empty(planes * oh * ow, x.storage.dtype)
    _launch(avg_pool, out.size, out, _flat(x), _on_gpu(divisors), h, w, kh, kw, sh, sw, top,
            left, oh, ow)
    return TensorData(out, pooled_shape(x.shape, geometry, nd))


def avg_pool2d_backward(grad, divisors, shape, geometry, nd):
    """The gradient (of `shape`, the input's) of average pooling."""
    (kh, kw), (sh, sw), (top, left), _, (oh, ow) = geometry
    planes, h, w = plane_layout(shape, nd)
    x_grad = _empty(planes * h * w, grad.storage.dtype)
    _launch(avg_pool_backward, x_grad.size, x_grad, _flat(grad), _on_gpu(divisors), h, w, kh,
            kw, sh, sw, top, left, oh, ow)
    return TensorData(x_grad, tuple(shape))


def conv_written():
    """Whether the convolution's kernels (tasks 7.2 and 7.3) are written: until then the
    layers take the generic path."""
    return not (isinstance(im2col, _Stub) or isinstance(col2im, _Stub))


def pool_written():
    """Whether the pooling kernels (task 7.4) are written."""
    return not any(isinstance(k, _Stub) for k in (max_pool, max_pool_backward, avg_pool,
                                         avg_pool_backward))
