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

from .fast_ops import _THREADS, PARALLEL_MIN_WORK, Kernel
from .fast_ops import _helper as _jit_helper
from .tensor_data import TensorData
from .window_shapes import plane_layout, pooled_shape


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
    the first maximum lies, h * width + w (a window of -inf only: its first tap, which may
    lie in the padding, as PyTorch's). NaN wins, as in PyTorch."""
    # BEGIN SOLUTION 7.4
    for plane in prange(planes):
        source = plane * height * width
        for i in range(oh):
            h0 = i * sh - top
            for j in range(ow):
                w0 = j * sw - left
                best = -np.inf
                where = h0 * width + w0
                for p in range(kh):
                    h = h0 + p * dh
                    if h < 0 or h >= height:
                        continue
                    for q in range(kw):
                        w = w0 + q * dw
                        if 0 <= w < width:
                            v = x[source + h * width + w]
                            if v > best or (v != v and best == best):
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


def _gemm(out, a, b, batches, rows, inner, width, groups):
    """out[n, i, :] = sum_k a[n % groups, i, k] * b[n, k, :], for `out` (batches, rows,
    width) zeroed, `a` (groups, rows, inner) and `b` (batches, inner, width), all contiguous:
    the product of a convolution's kernels with its columns, group by group (or of their
    transpose with its output's gradient). Blocks of 4 rows of `out` take 4 rows of `b` per
    pass: 16 multiply-adds for 8 loads and 4 stores, in a loop over `width` that the CPU
    vectorises."""
    blocks = (rows + 3) // 4
    zero = np.zeros(1, out.dtype)[0]
    for task in prange(batches * blocks):
        n, i0 = task // blocks, task % blocks * 4
        base, source = n * rows * width, n * inner * width
        a_at = n % groups * rows * inner
        if i0 + 4 <= rows:
            o0 = out[base + i0 * width:base + (i0 + 1) * width]
            o1 = out[base + (i0 + 1) * width:base + (i0 + 2) * width]
            o2 = out[base + (i0 + 2) * width:base + (i0 + 3) * width]
            o3 = out[base + (i0 + 3) * width:base + (i0 + 4) * width]
            k = 0
            while k < inner:
                step = min(4, inner - k)  # 4 rows of b, or the last 1 to 3 repeated with 0
                x0 = b[source + k * width:source + (k + 1) * width]
                x1 = b[source + (k + min(1, step - 1)) * width:][:width]
                x2 = b[source + (k + min(2, step - 1)) * width:][:width]
                x3 = b[source + (k + min(3, step - 1)) * width:][:width]
                a00, a01, a02, a03 = _four(a, a_at + i0 * inner + k, step, zero)
                a10, a11, a12, a13 = _four(a, a_at + (i0 + 1) * inner + k, step, zero)
                a20, a21, a22, a23 = _four(a, a_at + (i0 + 2) * inner + k, step, zero)
                a30, a31, a32, a33 = _four(a, a_at + (i0 + 3) * inner + k, step, zero)
                for j in range(width):
                    y0, y1, y2, y3 = x0[j], x1[j], x2[j], x3[j]
                    o0[j] += a00 * y0 + a01 * y1 + a02 * y2 + a03 * y3
                    o1[j] += a10 * y0 + a11 * y1 + a12 * y2 + a13 * y3
                    o2[j] += a20 * y0 + a21 * y1 + a22 * y2 + a23 * y3
                    o3[j] += a30 * y0 + a31 * y1 + a32 * y2 + a33 * y3
                k += step
        else:  # the last rows, one at a time
            for i in range(i0, rows):
                row = out[base + i * width:base + (i + 1) * width]
                for k in range(inner):
                    x = b[source + k * width:source + (k + 1) * width]
                    factor = a[a_at + i * inner + k]
                    for j in range(width):
                        row[j] += factor * x[j]


@_jit_helper
def _four(a, at, count, zero):
    """a[at], ..., a[at + 3], those past the first `count` as `zero`."""
    return (a[at], a[at + 1] if count > 1 else zero, a[at + 2] if count > 2 else zero,
            a[at + 3] if count > 3 else zero)


def _gemm_transposed_sum(out, a, b, batches, rows, inner, width, groups):
    """out[part, n % groups, i, k] = sum_{n in part} sum_j a[n, i, j] * b[n, k, j], for `a`
    (batches, rows, width) and `b` (batches, inner, width) contiguous, the batches cut into
    as many parts as `out` has: a convolution's weight gradient, group by group (the parts'
    sum), from its output's gradient and its columns. Each part walks its images one by one,
    so that one image's rows stay in the cache while every 4 x 4 block of sums is added up
    in 16 accumulators (rows past the end repeat the last one; their sums are dropped)."""
    size = groups * rows * inner
    parts = len(out) // size
    zero = np.zeros(1, out.dtype)[0]  # (sums in the storage's dtype: vectorised)
    for part in prange(parts):
        out[part * size:(part + 1) * size] = zero
        for n in range(part * batches // parts, (part + 1) * batches // parts):
            acc = out[part * size + n % groups * rows * inner:][:rows * inner]
            for i0 in range(0, rows, 4):
                g = n * rows * width
                g0, g1 = a[g + i0 * width:][:width], a[g + min(i0 + 1, rows - 1) * width:][:width]
                g2, g3 = (a[g + min(i0 + 2, rows - 1) * width:][:width],
                          a[g + min(i0 + 3, rows - 1) * width:][:width])
                for k0 in range(0, inner, 4):
                    c = n * inner * width
                    c0 = b[c + k0 * width:][:width]
                    c1 = b[c + min(k0 + 1, inner - 1) * width:][:width]
                    c2, c3 = (b[c + min(k0 + 2, inner - 1) * width:][:width],
                              b[c + min(k0 + 3, inner - 1) * width:][:width])
                    s00 = s01 = s02 = s03 = s10 = s11 = s12 = s13 = zero
                    s20 = s21 = s22 = s23 = s30 = s31 = s32 = s33 = zero
                    for j in range(width):
                        y0, y1, y2, y3 = c0[j], c1[j], c2[j], c3[j]
                        s00 += g0[j] * y0; s01 += g0[j] * y1; s02 += g0[j] * y2; s03 += g0[j] * y3  # noqa: E702,E501
                        s10 += g1[j] * y0; s11 += g1[j] * y1; s12 += g1[j] * y2; s13 += g1[j] * y3  # noqa: E702,E501
                        s20 += g2[j] * y0; s21 += g2[j] * y1; s22 += g2[j] * y2; s23 += g2[j] * y3  # noqa: E702,E501
                        s30 += g3[j] * y0; s31 += g3[j] * y1; s32 += g3[j] * y2; s33 += g3[j] * y3  # noqa: E702,E501
                    sums = ((s00, s01, s02, s03), (s10, s11, s12, s13), (s20, s21, s22, s23),
                            (s30, s31, s32, s33))
                    for r in range(min(4, rows - i0)):
                        for q in range(min(4, inner - k0)):
                            acc[(i0 + r) * inner + k0 + q] += sums[r][q]


im2col = Kernel(_im2col)
col2im = Kernel(_col2im)
gemm = Kernel(_gemm, fastmath={"contract"})
gemm_transposed_sum = Kernel(_gemm_transposed_sum, fastmath={"contract", "reassoc"})
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


def conv2d(x, weight, bias, geometry, groups):
    """The convolution (N, O, oH, oW) of `x` (N, C, H, W) with `weight` (O, C / groups, kH,
    kW) plus `bias` (O,) if not None, and the columns it used (for the weight's gradient).
    The columns of group g of image n are rows [g K, (g + 1) K) of its (C kH kW) rows."""
    cols = _columns(x, geometry)
    n, rows, positions = cols.shape
    o, k = weight.shape[0], rows // groups
    out = np.zeros(n * o * positions, dtype=cols.storage.dtype)
    if bias is not None:  # the sums start from the bias
        out.reshape(n, o, positions)[:] = bias.numpy()[None, :, None]
    gemm(out.size * k // 16, out, _flat(weight), cols.storage, n * groups, o // groups, k,
         positions, groups)
    return TensorData(out, (n, o, *geometry[4])), cols


def conv2d_input_grad(grad, weight, shape, geometry, groups):
    """The gradient (of `shape`, the input's) of a convolution with `weight`, given the
    output's gradient `grad`: the columns' gradient W^T G (per group), added back by col2im."""
    (kh, kw), (sh, sw), (top, left), (dh, dw), (oh, ow) = geometry
    n, c, h, w = shape
    o, k = weight.shape[0] // groups, c // groups * kh * kw
    kernels_t = np.ascontiguousarray(_flat(weight).reshape(groups, o, k).transpose(0, 2, 1))
    cols = np.zeros(n * c * kh * kw * oh * ow, dtype=grad.storage.dtype)
    gemm(cols.size * o // 16, cols, kernels_t.reshape(-1), _flat(grad), n * groups, k, o,
         oh * ow, groups)
    x_grad = np.zeros(n * c * h * w, dtype=cols.dtype)
    col2im(x_grad.size, x_grad, cols, n * c, h, w, kh, kw, sh, sw, top, left, dh, dw, oh, ow)
    return TensorData(x_grad, tuple(shape))


def conv2d_weight_grad(x, grad, shape, geometry, groups, cols=None):
    """The gradient (of `shape`, the weight's) of a convolution of `x`, given the output's
    gradient `grad`: sum over the batch of G_n cols_n^T, per group (`cols`: the forward's,
    if kept)."""
    if cols is None:
        cols = _columns(x, geometry)
    n, rows, positions = cols.shape
    o, k = shape[0] // groups, rows // groups
    work = o * rows * n * positions // 16
    parts = min(n * groups, _THREADS) if work >= PARALLEL_MIN_WORK else 1
    out = np.empty(parts * groups * o * k, dtype=cols.storage.dtype)
    gemm_transposed_sum(work, out, _flat(grad), cols.storage, n * groups, o, k, positions,
                        groups)
    total = out.reshape(parts, -1).sum(axis=0) if parts > 1 else out
    return TensorData(total, tuple(shape))


def max_pool2d(x, geometry, nd):
    """The maxima (*lead, *out) of the windows over the last `nd` dimensions of `x`, and
    their int64 indices h * W + w in their plane."""
    (kh, kw), (sh, sw), (top, left), (dh, dw), (oh, ow) = geometry
    planes, h, w = plane_layout(x.shape, nd)
    out = np.empty(planes * oh * ow, dtype=x.storage.dtype)
    indices = np.empty(planes * oh * ow, dtype=np.int64)
    max_pool(out.size * kh * kw, out, indices, _flat(x), planes, h, w, kh, kw, sh, sw, top,
             left, dh, dw, oh, ow)
    shape = pooled_shape(x.shape, geometry, nd)
    return TensorData(out, shape), TensorData(indices, shape)


def max_pool2d_backward(grad, indices, shape, nd):
    """The gradient (of `shape`, the input's) of max pooling: each window's gradient added at
    its maximum, `indices`."""
    planes, h, w = plane_layout(shape, nd)
    x_grad = np.zeros(planes * h * w, dtype=grad.storage.dtype)
    max_pool_backward(grad.size, x_grad, _flat(grad), _flat(indices), planes, h * w,
                      grad.size // max(planes, 1))
    return TensorData(x_grad, tuple(shape))


def avg_pool2d(x, divisors, geometry, nd):
    """The window sums of `x` over its last `nd` dimensions, each divided by its divisor
    (`divisors`: a float64 array of oH * oW, the same for every plane)."""
    (kh, kw), (sh, sw), (top, left), _, (oh, ow) = geometry
    planes, h, w = plane_layout(x.shape, nd)
    out = np.empty(planes * oh * ow, dtype=x.storage.dtype)
    avg_pool(out.size * kh * kw, out, _flat(x), divisors, planes, h, w, kh, kw, sh, sw, top,
             left, oh, ow)
    return TensorData(out, pooled_shape(x.shape, geometry, nd))


def avg_pool2d_backward(grad, divisors, shape, geometry, nd):
    """The gradient (of `shape`, the input's) of average pooling."""
    (kh, kw), (sh, sw), (top, left), _, (oh, ow) = geometry
    planes, h, w = plane_layout(shape, nd)
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
