"""Tensor storage: a flat array, a shape and strides that say where each element lives.

A tensor of shape `(2, 3)` with strides `(3, 1)` keeps element `[i, j]` at position
`offset + 3*i + 1*j` of its storage. Views (transpose, slicing, expand, ...) share storage
and differ only in shape, strides and offset. The functions here work on plain ints and
NumPy integer arrays so that Numba can compile them unchanged for the fast backends.
"""

import numpy as np


def index_to_position(index, strides):
    """The storage position (relative to the offset) of the element at a multi-index.

    Args:
        index: one index per dimension.
        strides: the tensor's strides, one per dimension.
    """
    # BEGIN SOLUTION 1.1
    position = 0
    for i in range(len(index)):
        position += index[i] * strides[i]
    return position
    # END SOLUTION


def to_index(ordinal, shape, out_index):
    """Write into `out_index` the multi-index of the `ordinal`-th element in row-major order.

    Row-major: the last dimension changes fastest, so in shape `(2, 3)` ordinal 4 is `[1, 1]`.
    """
    # BEGIN SOLUTION 1.2
    for i in range(len(shape) - 1, -1, -1):
        out_index[i] = ordinal % shape[i]
        ordinal //= shape[i]
    # END SOLUTION


def broadcast_index(big_index, big_shape, shape, out_index):
    """Write into `out_index` the index in `shape` that broadcasting reads for `big_index`.

    Shapes are aligned on the right; where `shape` has size 1 the index is 0, and the
    leading dimensions of `big_shape` that `shape` lacks are dropped.
    """
    # BEGIN SOLUTION 1.3
    extra = len(big_shape) - len(shape)
    for i in range(len(shape)):
        out_index[i] = 0 if shape[i] == 1 else big_index[extra + i]
    # END SOLUTION


def shape_broadcast(shape1, shape2):
    """The shape that `shape1` and `shape2` broadcast to, or a RuntimeError naming both.

    Aligned on the right, each pair of sizes must be equal or contain a 1; a missing leading
    dimension counts as 1.
    """
    # BEGIN SOLUTION 1.4
    n = max(len(shape1), len(shape2))
    a = (1,) * (n - len(shape1)) + tuple(shape1)
    b = (1,) * (n - len(shape2)) + tuple(shape2)
    out = [0] * n
    for i in range(n - 1, -1, -1):  # from the right, so the error names PyTorch's dimension
        if a[i] != b[i] and a[i] != 1 and b[i] != 1:
            raise RuntimeError(
                f"shapes {tuple(shape1)} and {tuple(shape2)} cannot be broadcast: "
                f"the size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) "
                f"at non-singleton dimension {i}"
            )
        out[i] = b[i] if a[i] == 1 else a[i]
    return tuple(out)
    # END SOLUTION


def shape_size(shape):
    """The number of elements in a tensor of `shape` (1 for a 0-d tensor)."""
    n = 1
    for s in shape:
        n *= s
    return n


def strides_from_shape(shape):
    """Row-major (C-contiguous) strides, in elements, for `shape`."""
    strides = [1] * len(shape)
    step = 1
    for i in range(len(shape) - 1, -1, -1):
        strides[i] = step
        step *= max(shape[i], 1)
    return tuple(strides)


def normalize_dim(dim, ndim):
    """`dim` as a non-negative axis of a tensor with `ndim` dimensions, as PyTorch checks it."""
    bound = max(ndim, 1)  # a 0-d tensor accepts dim 0 and -1, like PyTorch
    if not isinstance(dim, int):
        if not hasattr(dim, "__index__"):
            raise TypeError(f"dim must be an int, got {type(dim).__name__} ({dim!r})")
        dim = dim.__index__()
    if not -bound <= dim < bound:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-bound}, {bound - 1}], "
            f"but got {dim})"
        )
    return dim + bound if dim < 0 else dim


# The strides and size of row-major storage, by shape: new outputs take them, many times
_ROW_MAJOR = {}


class TensorData:
    """A view onto flat storage: `storage`, `shape`, `strides` (in elements) and `offset`."""

    __slots__ = ("storage", "shape", "strides", "offset", "size")

    def __init__(self, storage, shape, strides=None, offset=0):
        self.storage = storage
        self.shape = tuple(shape)
        self.strides = strides_from_shape(self.shape) if strides is None else tuple(strides)
        self.offset = offset
        self.size = shape_size(self.shape)

    @classmethod
    def from_array(cls, array):
        """TensorData holding `array`'s values, sharing them when `array` is C-contiguous."""
        array = np.require(array, requirements="C")
        return cls(array.reshape(-1), array.shape)

    @classmethod
    def empty(cls, shape, np_dtype, allocate=np.empty):
        """A fresh contiguous TensorData of `shape`, its values not yet written, in storage
        from `allocate(size, np_dtype)` (on the GPU: `cuda_memory.empty`)."""
        shape = tuple(shape)
        layout = _ROW_MAJOR.get(shape)
        if layout is None:
            if len(_ROW_MAJOR) > 4096:
                _ROW_MAJOR.clear()
            layout = _ROW_MAJOR[shape] = (strides_from_shape(shape), shape_size(shape))
        data = object.__new__(cls)
        data.strides, data.size = layout
        data.storage, data.shape, data.offset = allocate(data.size, np_dtype), shape, 0
        return data

    @property
    def dims(self):
        return len(self.shape)

    def is_contiguous(self):
        """True when the elements lie in row-major order without gaps (size-1 dims ignored)."""
        if self.size == 0:
            return True
        expected = 1
        for size, stride in zip(reversed(self.shape), reversed(self.strides)):
            if size != 1:
                if stride != expected:
                    return False
                expected *= size
        return True

    def view(self, shape, strides, offset=None):
        """Another view onto the same storage."""
        return TensorData(self.storage, shape, strides, self.offset if offset is None else offset)

    def permute(self, *order):
        """A view with the dimensions reordered: dimension `i` of the result is `order[i]`.

        `order` must name every dimension exactly once.
        """
        if sorted(order) != list(range(self.dims)):
            raise RuntimeError(
                f"permute: dims {tuple(order)} must name each of the tensor's {self.dims} "
                f"dimensions exactly once"
            )
        # BEGIN SOLUTION 1.5
        shape = tuple(self.shape[i] for i in order)
        strides = tuple(self.strides[i] for i in order)
        return self.view(shape, strides)
        # END SOLUTION

    def local_storage(self):
        """The storage from this view's offset on, so positions count from 0."""
        return self.storage[self.offset :] if self.offset else self.storage

    def numpy(self):
        """A NumPy array of this view that shares its memory; a copy of it, for storage in
        GPU memory (see `cuda_memory`)."""
        storage = self.storage
        if self.size == 0:
            return np.empty(self.shape, dtype=storage.dtype)
        if not isinstance(storage, np.ndarray):
            from . import cuda_memory

            storage = cuda_memory.to_host(storage)
        itemsize = storage.itemsize
        return np.ndarray(
            self.shape,
            dtype=storage.dtype,
            buffer=storage,
            offset=self.offset * itemsize,
            strides=tuple(s * itemsize for s in self.strides),
        )
