"""Shape operations. Views (view, permute, transpose, expand, squeeze, ...) share storage and
change only shape, strides and offset; `reshape` copies only when no view can express it.
"""

from . import dtypes
from . import tensor_functions as F
from .tensor_data import TensorData, normalize_dim, shape_size, strides_from_shape


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


class ShapeOps:
    """Mixin: the shape operations of `Tensor`."""

    __slots__ = ()

    def _view_raw(self, shape):
        """A view with `shape` (already checked to hold the same number of elements)."""
        data = self._data
        if data.is_contiguous() or data.size == 0 or not data.shape:
            return self._as_view(data.view(shape, strides_from_shape(shape)))
        strides = view_strides(data.shape, data.strides, shape)
        if strides is None:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). This tensor is not contiguous "
                f"(shape {tuple(data.shape)}, strides {data.strides}): use .reshape(...) instead, "
                "or call .contiguous() before .view(...)."
            )
        return self._as_view(data.view(shape, strides))

    def _reshape_raw(self, shape):
        data = self._data
        if data.shape and data.size and not data.is_contiguous() and \
                view_strides(data.shape, data.strides, shape) is None:
            return self._copy()._view_raw(shape)
        return self._view_raw(shape)

    def view(self, *shape):
        """The same storage seen with another shape (one size may be -1)."""
        if len(shape) == 1 and isinstance(shape[0], dtypes.dtype):
            raise NotImplementedError("view(dtype) is not supported; use .to(dtype)")
        shape = infer_shape(sizes_arg(shape), self._data.size)
        return F.View.apply(self, make=lambda a: a._view_raw(shape))

    def view_as(self, other):
        return self.view(other.shape)

    def reshape(self, *shape):
        """`view` when the storage allows it, else a contiguous copy with the new shape."""
        shape = infer_shape(sizes_arg(shape), self._data.size)
        return F.Reshape.apply(self, make=lambda a: a._reshape_raw(shape))

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge dimensions `start_dim` to `end_dim` (inclusive) into one."""
        if self.dim() == 0:
            return self.reshape(1)
        start = normalize_dim(start_dim, self.dim())
        end = normalize_dim(end_dim, self.dim())
        if start > end:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        if start == end:
            return self
        merged = shape_size(self.shape[start : end + 1])
        return self.reshape(self.shape[:start] + (merged,) + self.shape[end + 1 :])

    def unflatten(self, dim, sizes):
        d = normalize_dim(dim, self.dim())
        return self.reshape(self.shape[:d] + tuple(sizes) + self.shape[d + 1 :])

    def permute(self, *dims):
        """A view with dimensions reordered: dimension `i` of the result is `dims[i]`."""
        dims = sizes_arg(dims, "dims")
        if len(dims) != self.dim():
            raise RuntimeError(
                f"permute(): got {len(dims)} dims for a tensor with {self.dim()} dimensions: "
                f"name each dimension exactly once (input.dim() = {self.dim()} is not equal to "
                f"len(dims) = {len(dims)})"
            )
        order = tuple(normalize_dim(d, self.dim()) for d in dims)
        if len(set(order)) != len(order):
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        return F.Permute.apply(self, order=order)

    def transpose(self, dim0, dim1):
        """A view with dimensions `dim0` and `dim1` swapped."""
        order = list(range(self.dim()))
        a, b = normalize_dim(dim0, self.dim()), normalize_dim(dim1, self.dim())
        if order:
            order[a], order[b] = order[b], order[a]
        return F.Permute.apply(self, order=tuple(order), name="Transpose")

    swapaxes = swapdims = transpose

    def t(self):
        """Transpose of a matrix (vectors and 0-d tensors are returned as they are)."""
        if self.dim() > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {self.dim()}D"
            )
        order = (1, 0) if self.dim() == 2 else tuple(range(self.dim()))
        return F.Permute.apply(self, order=order, name="T")

    @property
    def T(self):
        """All dimensions reversed."""
        return F.Permute.apply(self, order=tuple(range(self.dim() - 1, -1, -1)))

    @property
    def mT(self):
        """The last two dimensions swapped: a batch of transposed matrices."""
        if self.dim() < 2:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices.")
        return self.transpose(-2, -1)

    def squeeze(self, dim=None):
        """Drop dimensions of size 1 (all of them, or those among `dim`)."""
        if dim is None:
            dims = range(self.dim())
        elif isinstance(dim, (tuple, list)):
            dims = [normalize_dim(d, self.dim()) for d in dim]
        else:
            dims = [normalize_dim(dim, self.dim())]
        drop = {d for d in dims if self.dim() and self.shape[d] == 1}
        keep = [i for i in range(self.dim()) if i not in drop]
        shape = tuple(self.shape[i] for i in keep)
        strides = tuple(self._data.strides[i] for i in keep)
        variant = 0 if dim is None else 2 if isinstance(dim, (tuple, list)) else 1
        return F.Squeeze.apply(self, make=lambda a: a._as_view(a._data.view(shape, strides)),
                               variant=variant)

    def unsqueeze(self, dim):
        """Insert a dimension of size 1 at position `dim`."""
        d = normalize_dim(dim, self.dim() + 1)
        shape, strides = list(self.shape), list(self._data.strides)
        stride = shape[d] * strides[d] if d < len(shape) else 1
        shape.insert(d, 1)
        strides.insert(d, stride)
        return F.Unsqueeze.apply(
            self, make=lambda a: a._as_view(a._data.view(tuple(shape), tuple(strides)))
        )

    def expand(self, *sizes):
        """A broadcast view: size-1 dimensions repeat (stride 0), -1 keeps a size."""
        sizes = sizes_arg(sizes)
        if len(sizes) < self.dim():
            raise RuntimeError(
                f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal "
                f"to the number of dimensions in the tensor ({self.dim()})"
            )
        lead = len(sizes) - self.dim()
        shape, strides = [], []
        for i, size in enumerate(sizes):
            if i < lead:
                if size < 0:
                    raise RuntimeError(
                        f"expand: the size -1 is not allowed in a leading, new dimension ({i})"
                    )
                shape.append(size)
                strides.append(0)
                continue
            old, stride = self.shape[i - lead], self._data.strides[i - lead]
            if size == -1 or size == old:
                shape.append(old)
                strides.append(stride)
            elif old == 1:
                shape.append(size)
                strides.append(0)
            else:
                raise RuntimeError(
                    f"The expanded size of the tensor ({size}) must match the existing size "
                    f"({old}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                    f"Tensor sizes: {list(self.shape)}"
                )
        if tuple(shape) == self.shape:
            return self
        return F.Expand.apply(
            self, make=lambda a: a._as_view(a._data.view(tuple(shape), tuple(strides)))
        )

    def expand_as(self, other):
        return self.expand(other.shape)

    def narrow(self, dim, start, length):
        """A view of `length` entries of dimension `dim` from `start`."""
        d = normalize_dim(dim, self.dim())
        if start < 0:
            start += self.shape[d]
        if not (0 <= start and 0 <= length and start + length <= self.shape[d]):
            raise IndexError(
                f"narrow(): start ({start}) + length ({length}) exceeds dimension size "
                f"({self.shape[d]})."
            )
        return self[(slice(None),) * d + (slice(start, start + length),)]

    def select(self, dim, index):
        d = normalize_dim(dim, self.dim())
        return self[(slice(None),) * d + (index,)]

    def unbind(self, dim=0):
        d = normalize_dim(dim, self.dim())
        return tuple(self.select(d, i) for i in range(self.shape[d]))

    def split(self, split_size, dim=0):
        """Pieces of `split_size` along `dim` (the last may be smaller), or of the given sizes."""
        d = normalize_dim(dim, self.dim())
        n = self.shape[d]
        if isinstance(split_size, int):
            if split_size <= 0:
                raise RuntimeError(f"split(): split_size must be positive, got {split_size}")
            sizes = [min(split_size, n - s) for s in range(0, n, split_size)] or [0]
        else:
            sizes = list(split_size)
        starts = [sum(sizes[:i]) for i in range(len(sizes))]
        return tuple(self.narrow(d, s, k) for s, k in zip(starts, sizes))

    def chunk(self, chunks, dim=0):
        if chunks <= 0:
            raise RuntimeError(f"chunk(): chunks must be positive, got {chunks}")
        d = normalize_dim(dim, self.dim())
        return self.split(max(-(-self.shape[d] // chunks), 1), d)

    def _cat_raw(self, tensors, dim):
        """The tensors joined along `dim` (checked by `cat`), without autograd."""
        dtype = dtypes.result_type(*tensors)
        shape = list(tensors[0].shape)
        shape[dim] = sum(t.shape[dim] for t in tensors)
        out = self._wrap(TensorData.empty(shape, dtype.numpy), dtype)
        start = 0
        for t in tensors:
            piece = out._data.view(
                tuple(t.shape), out._data.strides, start * out._data.strides[dim]
            )
            self.backend.copy(t._data, piece)
            start += t.shape[dim]
        return out


def _tensors_arg(name, tensors):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{name}(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not hasattr(t, "_data"):
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
