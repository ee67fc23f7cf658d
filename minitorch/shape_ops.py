"""Shape, slicing and joining operations. Views (view, permute, transpose, expand, squeeze,
...) share storage and change only shape, strides and offset; `reshape` copies only when no
view can express it.

Each function takes the tensor first (`input`); `tensor.Tensor` binds it as the method of
the same name, and `minitorch` exports the PyTorch functions among them.
"""

from . import dtypes, indexing
from . import tensor_functions as F
from .size import Size
from .tensor_core import TensorCore
from .tensor_data import normalize_dim, shape_broadcast, shape_size


def sizes_arg(args, name="size"):
    """Shape arguments given either spread out (`view(2, 3)`) or as one sequence of ints."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    for i, s in enumerate(args):
        if not isinstance(s, int) and not _is_int_like(s):
            raise TypeError(
                f"argument '{name}' must be a tuple of ints, but found element of type "
                f"{type(s).__name__} at pos {i}"
            )
    return tuple(int(s) for s in args)


def _is_int_like(x):
    return hasattr(x, "__index__") and not isinstance(x, float)


def infer_shape(shape, numel):
    """`shape` with its one `-1` replaced by what makes the element count `numel`."""
    known = 1
    unknown = None
    for i, s in enumerate(shape):
        if s == -1:
            if unknown is not None:
                raise RuntimeError("only one dimension can be inferred")
            unknown = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s}")
        else:
            known *= s
    if unknown is not None and known != 0 and numel % known == 0:
        shape = shape[:unknown] + (numel // known,) + shape[unknown + 1 :]
    elif unknown is not None or known != numel:
        raise RuntimeError(
            f"shape '{list(shape)}' is invalid for input of size {numel}"
            + (" (the sizes must multiply to the number of elements)" if unknown is None else "")
        )
    return shape


def view(input, *shape):
    """The same storage seen with another shape (one size may be -1)."""
    if len(shape) == 1 and isinstance(shape[0], dtypes.dtype):
        raise NotImplementedError("view(dtype) is not supported; use .to(dtype)")
    shape = infer_shape(sizes_arg(shape), input._data.size)
    return F.View.apply(input, shape=shape)


def view_as(input, other):
    return input.view(other.shape)


def reshape(input, *shape):
    """`view` when the storage allows it, else a contiguous copy with the new shape."""
    shape = infer_shape(sizes_arg(shape), input._data.size)
    return F.Reshape.apply(input, shape=shape)


def reshape_as(input, other):
    return input.reshape(other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dimensions `start_dim` to `end_dim` (inclusive) into one."""
    if input.dim() == 0:
        return input.reshape(1)
    start = normalize_dim(start_dim, input.dim())
    end = normalize_dim(end_dim, input.dim())
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    merged = shape_size(input.shape[start : end + 1])
    return input.reshape(input.shape[:start] + (merged,) + input.shape[end + 1 :])


def unflatten(input, dim, sizes):
    d = normalize_dim(dim, input.dim())
    return input.reshape(input.shape[:d] + tuple(sizes) + input.shape[d + 1 :])


def permute(input, *dims):
    """A view with dimensions reordered: dimension `i` of the result is `dims[i]`."""
    dims = sizes_arg(dims, "dims")
    if len(dims) != input.dim():
        raise RuntimeError(
            f"permute(): got {len(dims)} dims for a tensor with {input.dim()} dimensions: "
            f"name each dimension exactly once (input.dim() = {input.dim()} is not equal to "
            f"len(dims) = {len(dims)})"
        )
    order = tuple(normalize_dim(d, input.dim()) for d in dims)
    if len(set(order)) != len(order):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return F.Permute.apply(input, order=order)


def transpose(input, dim0, dim1):
    """A view with dimensions `dim0` and `dim1` swapped."""
    order = list(range(input.dim()))
    a, b = normalize_dim(dim0, input.dim()), normalize_dim(dim1, input.dim())
    if order:
        order[a], order[b] = order[b], order[a]
    return F.Permute.apply(input, order=tuple(order), name="Transpose")


swapaxes = swapdims = transpose


def t(input):
    """Transpose of a matrix (vectors and 0-d tensors are returned as they are)."""
    if input.dim() > 2:
        raise RuntimeError(
            f"t() expects a tensor with <= 2 dimensions, but input is {input.dim()}D"
        )
    order = (1, 0) if input.dim() == 2 else tuple(range(input.dim()))
    return F.Permute.apply(input, order=order, name="T")


def T(input):
    """All dimensions reversed (`Tensor.T`)."""
    return F.Permute.apply(input, order=tuple(range(input.dim() - 1, -1, -1)))


def mT(input):
    """The last two dimensions swapped: a batch of transposed matrices (`Tensor.mT`)."""
    if input.dim() < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices.")
    return input.transpose(-2, -1)


def squeeze(input, dim=None):
    """Drop dimensions of size 1 (all of them, or those among `dim`)."""
    if dim is None:
        dims = range(input.dim())
    elif isinstance(dim, (tuple, list)):
        dims = [normalize_dim(d, input.dim()) for d in dim]
    else:
        dims = [normalize_dim(dim, input.dim())]
    drop = {d for d in dims if input.dim() and input.shape[d] == 1}
    keep = [i for i in range(input.dim()) if i not in drop]
    shape = tuple(input.shape[i] for i in keep)
    strides = tuple(input._data.strides[i] for i in keep)
    variant = 0 if dim is None else 2 if isinstance(dim, (tuple, list)) else 1
    return F.Squeeze.apply(input, shape=shape, strides=strides, variant=variant)


def unsqueeze(input, dim):
    """Insert a dimension of size 1 at position `dim`."""
    d = normalize_dim(dim, input.dim() + 1)
    shape, strides = list(input.shape), list(input._data.strides)
    stride = shape[d] * strides[d] if d < len(shape) else 1
    shape.insert(d, 1)
    strides.insert(d, stride)
    return F.Unsqueeze.apply(input, shape=tuple(shape), strides=tuple(strides))


def expand(input, *sizes):
    """A broadcast view: size-1 dimensions repeat (stride 0), -1 keeps a size."""
    sizes = sizes_arg(sizes)
    if len(sizes) < input.dim():
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal "
            f"to the number of dimensions in the tensor ({input.dim()})"
        )
    lead = len(sizes) - input.dim()
    shape = []
    for i, size in enumerate(sizes):
        if i < lead:
            if size < 0:
                raise RuntimeError(
                    f"expand: the size -1 is not allowed in a leading, new dimension ({i})"
                )
            shape.append(size)
            continue
        old = input.shape[i - lead]
        if size != -1 and size != old and old != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({size}) must match the existing size "
                f"({old}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                f"Tensor sizes: {list(input.shape)}"
            )
        shape.append(old if size == -1 else size)
    if tuple(shape) == input.shape:
        return input
    return F.Expand.apply(input, shape=tuple(shape))


def expand_as(input, other):
    return input.expand(other.shape)


def narrow(input, dim, start, length):
    """A view of `length` entries of dimension `dim` from `start`."""
    d = normalize_dim(dim, input.dim())
    if start < 0:
        start += input.shape[d]
    if not (0 <= start and 0 <= length and start + length <= input.shape[d]):
        raise IndexError(
            f"narrow(): start ({start}) + length ({length}) exceeds dimension size "
            f"({input.shape[d]})."
        )
    return input[(slice(None),) * d + (slice(start, start + length),)]


def select(input, dim, index):
    d = normalize_dim(dim, input.dim())
    return input[(slice(None),) * d + (index,)]


def unbind(input, dim=0):
    d = normalize_dim(dim, input.dim())
    return tuple(input.select(d, i) for i in range(input.shape[d]))


def split(input, split_size, dim=0):
    """Pieces of `split_size` along `dim` (the last may be smaller), or of the given sizes."""
    d = normalize_dim(dim, input.dim())
    n = input.shape[d]
    if isinstance(split_size, int):
        if split_size <= 0:
            raise RuntimeError(f"split(): split_size must be positive, got {split_size}")
        sizes = [min(split_size, n - s) for s in range(0, n, split_size)] or [0]
    else:
        sizes = list(split_size)
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    return tuple(input.narrow(d, s, k) for s, k in zip(starts, sizes))


def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError(f"chunk(): chunks must be positive, got {chunks}")
    d = normalize_dim(dim, input.dim())
    return input.split(max(-(-input.shape[d] // chunks), 1), d)


def _tensors_arg(name, tensors):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{name}(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, TensorCore):
            raise TypeError(
                f"{name}(): expected a sequence of Tensors, but element {i} is "
                f"{type(t).__name__}"
            )
    return tensors


def cat(tensors, dim=0):
    """Join tensors along an existing dimension; their other sizes must match."""
    tensors = _tensors_arg("cat", tensors)
    first = tensors[0]
    d = normalize_dim(dim, max(first.dim(), 1))
    for i, t in enumerate(tensors):
        if t.dim() != first.dim():
            raise RuntimeError(
                f"cat(): Tensors must have same number of dimensions: got {first.dim()} and "
                f"{t.dim()} (tensor number {i} in the list)"
            )
        if first.dim() == 0:
            raise RuntimeError(
                f"zero-dimensional tensor (at position {i}) cannot be concatenated"
            )
        for k in range(first.dim()):
            if k != d and t.shape[k] != first.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{first.shape[k]} but got size {t.shape[k]} for tensor number {i} in the list."
                )
    return F.Cat.apply(*tensors, dim=d)


def stack(tensors, dim=0):
    """Join same-shaped tensors along a new dimension `dim`."""
    tensors = _tensors_arg("stack", tensors)
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} "
                f"at entry 0 and {list(t.shape)} at entry {i}"
            )
    d = normalize_dim(dim, tensors[0].dim() + 1)
    return F.Cat.apply(*[t.unsqueeze(d) for t in tensors], dim=d, name="Stack")


# ----- gather ----------------------------------------------------------------------
def gather(input, dim, index):
    """Values picked along `dim` by `index` (int64, same number of dimensions):

        out[i][j][k] = input[index[i][j][k]][j][k]   # dim == 0
        out[i][j][k] = input[i][index[i][j][k]][k]   # dim == 1

    The result has `index`'s shape; `index` may be smaller than `input` in the other
    dimensions. Its gradient adds the output gradient back at the picked positions.
    """
    d = normalize_dim(dim, input.dim())
    indexing.check_gather_index("gather", input, d, index)
    return F.Gather.apply(input, dim=d, index=index)


def broadcast_to(input, size):
    """`input` as a broadcast view of `size` (see `expand`)."""
    return expand(input, *sizes_arg((size,)))


def broadcast_shapes(*shapes):
    """The shape that tensors of `shapes` broadcast to."""
    out = ()
    for shape in shapes:
        out = shape_broadcast(out, sizes_arg((shape,)) if not isinstance(shape, int)
                              else (shape,))
    return Size(out)


def broadcast_tensors(*tensors):
    """The tensors as broadcast views of their common shape."""
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(expand(t, *shape) for t in tensors)


def _dims_arg(dims, ndim):
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    dims = tuple(normalize_dim(d, ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dims has duplicates, original flip dims size={len(dims)}, "
                           f"but unique flip dims size={len(set(dims))}")
    return dims


def flip(input, dims):
    """A copy with the order of elements reversed along each of `dims`."""
    return F.Flip.apply(input, dims=_dims_arg(dims, input.dim()))


def fliplr(input):
    return flip(input, 1)


def flipud(input):
    return flip(input, 0)


def roll(input, shifts, dims=None):
    """A copy with the elements shifted by `shifts` along `dims` (wrapping around); without
    `dims`, over the flattened tensor, then reshaped."""
    if dims is None:
        if not isinstance(shifts, int) and len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                               "dims:0")
        shift = shifts if isinstance(shifts, int) else shifts[0]
        return F.Roll.apply(input, shifts=(shift,), dims=())
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(dims)}")
    return F.Roll.apply(input, shifts=shifts,
                        dims=tuple(normalize_dim(d, input.dim()) for d in dims))


def _triangle(name, input, diagonal, lower):
    if input.dim() < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    return F.Triangle.apply(input, diagonal=diagonal, lower=lower)


def tril(input, diagonal=0):
    """The lower triangle of the last two dimensions (elements with `j - i <= diagonal`);
    0 elsewhere."""
    return _triangle("tril", input, diagonal, True)


def triu(input, diagonal=0):
    """The upper triangle of the last two dimensions (elements with `j - i >= diagonal`);
    0 elsewhere."""
    return _triangle("triu", input, diagonal, False)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """A view of the diagonal of dimensions `dim1` and `dim2`, `offset` above the main one
    (below it when negative); the two dimensions are replaced by one at the end."""
    d1, d2 = normalize_dim(dim1, input.dim()), normalize_dim(dim2, input.dim())
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return F.Diagonal.apply(input, offset=offset, dim1=d1, dim2=d2)


def diag(input, diagonal=0):
    """A vector's elements on the `diagonal` of a new square matrix (zeros elsewhere), or a
    copy of a matrix's `diagonal` as a vector; `diagonal` > 0 is above the main one."""
    if input.dim() == 1:
        n = input.shape[0] + abs(diagonal)
        return F.DiagonalScatter.apply(input, shape=(n, n), offset=diagonal, dim1=0, dim2=1,
                                       name="DiagEmbed")
    if input.dim() != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.dim()}D")
    return F.Diagonal.apply(input, offset=diagonal, dim1=0, dim2=1, copy=True)


def unfold(input, dimension, size, step):
    """A view of every window of `size` elements along `dimension`, windows `step` apart:
    `dimension` then counts the windows, and a new last dimension of `size` runs through
    each one (`x.unfold(0, 2, 1)` of [1, 2, 3] is [[1, 2], [2, 3]])."""
    d = normalize_dim(dimension, input.dim())
    length = input.shape[d] if input.dim() else 1
    if size > length:
        raise RuntimeError(
            f"maximum size for tensor at dimension {d} is {length} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    return F.Unfold.apply(input, dim=d, size=size, step=step)
