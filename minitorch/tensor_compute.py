"""The forward work of reductions, views, joins and matrix products, without autograd.

A `Function`'s forward (`tensor_functions`) calls these, and they call the backend: this
is the layer between an operation's bookkeeping and its kernel. Elementwise work is in
`pointwise`, indexing in `indexing`. Inputs are tensors (`TensorCore`), checked by the
caller; results are new tensors on the input's backend.
"""

import functools
import itertools

from . import dtypes, return_types
from . import operators as ops
from . import pointwise as pw
from .tensor_data import TensorData, normalize_dim, shape_broadcast, strides_from_shape

# Sums fold blocks of this many elements, then the blocks' sums the same way: the rounding
# error of a float32 sum then grows with the block size and the number of levels (a few),
# not with the length, as PyTorch's cascaded sums do, and no float64 copy is needed.
SUM_BLOCK = 1024


def reduced_dims(dim, ndim):
    """The sorted, non-negative dimensions that `dim` names (all of them for None)."""
    if ndim == 0:
        if dim is not None and not isinstance(dim, (tuple, list)):
            normalize_dim(dim, 0)
        return ()
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        dims = sorted(normalize_dim(d, ndim) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"dim {dim} appears multiple times in the list of dims")
        return tuple(dims)
    return (normalize_dim(dim, ndim),)


def count(a, dim):
    """How many elements of `a` each result of a reduction over `dim` folds."""
    n = 1
    for d in reduced_dims(dim, a.dim()):
        n *= a.shape[d]
    return n


def reduce(a, fn, start, dim, keepdim, dtype):
    """Fold the dimensions `dim` of `a` with `fn` from `start` into a `dtype` result."""
    dims = reduced_dims(dim, a.dim())
    if not dims:
        return a._cast(dtype)
    data = a._data  # (the kernels read it in its dtype and fold into `dtype`)
    folds = dims
    if len(dims) == data.dims and data.dims > 1 and data.is_contiguous():
        data, folds = data.view((data.size,), (1,)), (0,)  # everything: one flat fold
    for d in folds:
        if fn is ops.add and dtype.is_floating_point:  # (integer sums are exact anyway)
            data = _blocked_sum(a.backend, data, d, dtype)
        else:
            data = a.backend.reduce(fn, data, d, start, dtype)
    shape = list(a.shape)
    for d in reversed(dims):
        if keepdim:
            shape[d] = 1
        else:
            del shape[d]
    return a._wrap(TensorData(data.storage, tuple(shape)), dtype)


def _blocked_sum(backend, data, dim, dtype):
    """The sum over `dim` of `data`, kept as size 1: blocks of SUM_BLOCK elements are summed
    first, then their sums the same way, then the elements left over are added."""
    n = data.shape[dim]
    if n <= SUM_BLOCK:
        return backend.reduce(ops.add, data, dim, 0, dtype)
    size = _block_size(n)
    blocks, rest = divmod(n, size)
    shape, strides, step = list(data.shape), list(data.strides), data.strides[dim]
    split = data.view(tuple(shape[:dim] + [blocks, size] + shape[dim + 1:]),
                      tuple(strides[:dim] + [step * size, step] + strides[dim + 1:]))
    sums = backend.reduce(ops.add, split, dim + 1, 0, dtype)
    sums = sums.view(split.shape[:dim + 1] + split.shape[dim + 2:],
                     sums.strides[:dim + 1] + sums.strides[dim + 2:])
    total = _blocked_sum(backend, sums, dim, dtype)
    if rest:
        shape[dim] = rest
        tail = data.view(tuple(shape), data.strides, data.offset + blocks * size * step)
        total = backend.zip(ops.add, total, backend.reduce(ops.add, tail, dim, 0, dtype), dtype)
    return total


@functools.lru_cache(maxsize=1024)
def _block_size(n):
    """The divisor of `n` nearest to SUM_BLOCK, at most SUM_BLOCK / 16 away (then no elements
    are left over, which saves two kernel launches), else SUM_BLOCK."""
    for distance in range(SUM_BLOCK // 16 + 1):
        for size in (SUM_BLOCK - distance, SUM_BLOCK + distance):
            if n % size == 0:
                return size
    return SUM_BLOCK


def extreme_along(a, name, fn, start, dim, keepdim):
    """(values, indices) of the extremes of `a` along `dim`; the first one wins a tie."""
    d = normalize_dim(dim, a.dim())
    result = getattr(return_types, name)
    if a.dim() == 0:
        return result(a._copy(), view(arange(a, 1), ()))
    n = a.shape[d]
    if n == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    values = reduce(a, fn, start, d, True, a.dtype)
    hits = pw.binary(a, values, "eq", ops.same_or_both_nan, dtypes.bool_, a.dtype)
    positions = view(arange(a, n), tuple(n if i == d else 1 for i in range(a.dim())))
    indices = reduce(pw.select(hits, positions, n), ops.minimum, n, d, True, dtypes.int64)
    if not keepdim:
        values, indices = squeeze_dim(values, d), squeeze_dim(indices, d)
    return result(values, indices)


def arange(like, n):
    """0, 1, ..., n - 1 as int64, on the backend of `like`."""
    return like._make(like.backend.arange(n), dtypes.int64, like.backend)


def squeeze_dim(a, d):
    """A view of `a` without its dimension `d` (of size 1)."""
    data = a._data
    return as_strided(a, data.shape[:d] + data.shape[d + 1:],
                      data.strides[:d] + data.strides[d + 1:])


# ----- views and joins -------------------------------------------------------------------
def as_strided(a, shape, strides):
    """A view of `a`'s storage from its offset with `shape` and `strides` (computed by the
    caller: squeeze, unsqueeze, expand)."""
    return a._as_view(a._data.view(tuple(shape), tuple(strides)))


def expand(a, shape):
    """A view of `a` broadcast to `shape` (checked by the caller): new leading dimensions and
    stretched size-1 dimensions get stride 0."""
    data = a._data
    lead = len(shape) - data.dims
    strides = [0] * lead + [stride if size == new else 0 for size, stride, new
                            in zip(data.shape, data.strides, shape[lead:])]
    return as_strided(a, shape, strides)


def view_strides(old_shape, old_strides, new_shape):
    """Strides that show the same elements in `new_shape` without copying, or None.

    Possible when each run of merged or split dimensions is contiguous in memory.
    """
    strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_stride = old_strides[-1]
    tensor_numel = view_numel = 1
    for d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[d]
        chunk_ends = d == 0 or (
            old_shape[d - 1] != 1 and old_strides[d - 1] != tensor_numel * chunk_stride
        )
        if chunk_ends:
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                strides[view_d] = view_numel * chunk_stride
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if d > 0:
                chunk_stride = old_strides[d - 1]
                tensor_numel = view_numel = 1
    return tuple(strides) if view_d == -1 else None


def view(a, shape):
    """A view of `a` with `shape` (already checked to hold the same number of elements)."""
    data = a._data
    if data.is_contiguous() or data.size == 0 or not data.shape:
        return a._as_view(data.view(shape, strides_from_shape(shape)))
    strides = view_strides(data.shape, data.strides, shape)
    if strides is None:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). This tensor is not contiguous "
            f"(shape {tuple(data.shape)}, strides {data.strides}): use .reshape(...) instead, "
            "or call .contiguous() before .view(...)."
        )
    return a._as_view(data.view(shape, strides))


def reshape(a, shape):
    """`view(a, shape)` where the storage allows it, else a contiguous copy with `shape`."""
    data = a._data
    if data.shape and data.size and not data.is_contiguous() and \
            view_strides(data.shape, data.strides, shape) is None:
        return view(a._copy(), shape)
    return view(a, shape)


def cat(tensors, dim):
    """The tensors joined along `dim` (checked by the caller)."""
    dtype = dtypes.result_type(*tensors)
    shape = list(tensors[0].shape)
    shape[dim] = sum(t.shape[dim] for t in tensors)
    first = tensors[0]
    out = first._wrap(first.backend.empty(shape, dtype.numpy), dtype)
    start = 0
    for t in tensors:
        piece = out._data.view(tuple(t.shape), out._data.strides,
                               start * out._data.strides[dim])
        first.backend.copy(t._data, piece)
        start += t.shape[dim]
    return out


def diagonal(a, offset, dim1, dim2):
    """A view of the diagonal of dimensions `dim1` and `dim2` (checked, non-negative), `offset`
    above the main one (below it when negative), as a last dimension: one step along it is a
    step along both."""
    data = a._data
    n1, n2 = data.shape[dim1], data.shape[dim2]
    length = max(min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2), 0)
    start = data.offset
    if length:
        start += offset * data.strides[dim2] if offset >= 0 else -offset * data.strides[dim1]
    others = [d for d in range(data.dims) if d not in (dim1, dim2)]
    shape = tuple(data.shape[d] for d in others) + (length,)
    strides = tuple(data.strides[d] for d in others) + (data.strides[dim1] + data.strides[dim2],)
    return a._as_view(data.view(shape, strides, start))


def unfold(a, dim, size, step):
    """A view of the windows of `size` elements, `step` apart, along `dim` (checked): `dim`
    counts the windows and a new last dimension runs through each one."""
    data = a._data
    if not data.dims:
        return a._as_view(data.view((size,), (1,)))
    shape, strides = list(data.shape), list(data.strides)
    shape[dim] = (shape[dim] - size) // step + 1
    strides[dim] = data.strides[dim] * step
    return a._as_view(data.view(tuple(shape) + (size,), tuple(strides) + (data.strides[dim],)))


def scan(a, dim, fn, identity):
    """The inclusive scan of `a` along `dim` with the associative `fn` (running sums for add):
    in round k each element combines with the element 2**k before it (`identity` before the
    start), so log2(n) elementwise passes on the backend give every prefix."""
    out, n, shift = a, a.shape[dim] if a.dim() else 1, 1
    while shift < n:
        pads = tuple((shift, -shift) if d == dim else (0, 0) for d in range(a.dim()))
        out = pw.binary(out, pad(out, pads, identity), "scan", fn)
        shift *= 2
    return out if out is not a else a._copy()


# ----- padding and sliding windows ------------------------------------------------------------
def pad(a, pads, value):
    """A new tensor: `a` with `pads[d] = (before, after)` elements of `value` added around each
    dimension `d` (a negative amount crops instead); checked by the caller."""
    shape = tuple(n + b + e for n, (b, e) in zip(a.shape, pads))
    out = a._wrap(a.backend.full(shape, value, a.dtype.numpy))
    src, dst = a._data, out._data
    src_offset, dst_offset, inner = src.offset, dst.offset, []
    for n, (b, e), s_stride, d_stride in zip(a.shape, pads, src.strides, dst.strides):
        src_offset += max(-b, 0) * s_stride
        dst_offset += max(b, 0) * d_stride
        inner.append(n - max(-b, 0) - max(-e, 0))
    if all(n > 0 for n in inner):
        a.backend.copy(src.view(tuple(inner), src.strides, src_offset),
                       dst.view(tuple(inner), dst.strides, dst_offset))
    return out


def window_shape(shape, kernel, stride, dilation):
    """The shape of the windows view of a tensor of `shape` (see `windows`)."""
    d = len(kernel)
    spatial = shape[len(shape) - d:]
    # BEGIN SOLUTION 7.1
    out = tuple((n - dil * (k - 1) - 1) // s + 1
                for n, k, s, dil in zip(spatial, kernel, stride, dilation))
    # END SOLUTION
    return tuple(shape[:len(shape) - d]) + out + tuple(kernel)


def windows(a, kernel, stride, dilation):
    """A view of the sliding windows over the last `len(kernel)` dimensions of `a`: for
    `a` of shape (*batch, *spatial), the result has shape (*batch, *out, *kernel), and
    `result[..., o1, o2, k1, k2]` is `a[..., o1 * s1 + k1 * d1, o2 * s2 + k2 * d2]`. Windows
    that overlap share elements: no copy is made (the window must fit, checked by the caller)."""
    data = a._data
    lead = data.dims - len(kernel)
    # BEGIN SOLUTION 7.1
    spatial_strides = data.strides[lead:]
    strides = (data.strides[:lead] + tuple(st * s for st, s in zip(spatial_strides, stride))
               + tuple(st * dil for st, dil in zip(spatial_strides, dilation)))
    # END SOLUTION
    return a._as_view(data.view(window_shape(a.shape, kernel, stride, dilation), strides))


def fold(windowed, shape, kernel, stride, dilation):
    """The inverse of `windows` for gradients: zeros of `shape` with every element of the
    windows (*batch, *out, *kernel) added at the position it was read from, so that elements
    shared by overlapping windows add up. One in-place add per kernel offset."""
    out = windowed._wrap(windowed.backend.full(shape, 0, windowed.dtype.numpy))
    target, source = out._data, windowed._data
    d = len(kernel)
    lead = len(shape) - d
    view_shape = source.shape[:lead + d]
    # BEGIN SOLUTION 7.3
    target_strides = target.strides[:lead] + tuple(
        st * s for st, s in zip(target.strides[lead:], stride))
    for offsets in itertools.product(*(range(k) for k in kernel)):
        at = target.offset + sum(o * dil * st for o, dil, st
                                 in zip(offsets, dilation, target.strides[lead:]))
        into = target.view(view_shape, target_strides, at)
        read = source.offset + sum(o * st for o, st in zip(offsets, source.strides[lead + d:]))
        piece = source.view(view_shape, source.strides[:lead + d], read)
        windowed.backend.zip(ops.add, into, piece, windowed.dtype, out=into)
    # END SOLUTION
    return out


# ----- matrix product ----------------------------------------------------------------------
def matmul(a, b):
    """The batched product of two tensors of at least 2 dimensions."""
    pw.check_same_backend("matmul", a, b)
    try:
        batch = shape_broadcast(a.shape[:-2], b.shape[:-2])
    except RuntimeError as e:
        if "cannot be broadcast" not in str(e):
            raise  # e.g. a task not implemented yet
        raise RuntimeError(f"matmul(): batch dimensions {e}") from None
    ndim = len(batch) + 2
    x, y = a._data, b._data
    if x.dims < ndim:
        x = x.view((1,) * (ndim - x.dims) + x.shape, (0,) * (ndim - x.dims) + x.strides)
    if y.dims < ndim:
        y = y.view((1,) * (ndim - y.dims) + y.shape, (0,) * (ndim - y.dims) + y.strides)
    out_shape = batch + (x.shape[-2], y.shape[-1])
    return a._wrap(a.backend.matmul(x, y, out_shape, a.dtype))
