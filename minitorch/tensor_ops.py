"""The `simple` backend: map, zip, reduce and matmul over strided storage, in plain Python.

Each function builds a kernel from a scalar function of `operators`. Kernels take storages
together with their shapes and strides and write into an output storage, so they work on
any view (transposed, sliced, broadcast) without copying. This is the code students write
in assignment 01; the fast backends keep the same kernel signatures.
"""

import numpy as np

from .tensor_data import broadcast_index, index_to_position, shape_size, to_index


def tensor_map(fn):
    """A kernel applying `fn` to each element of `in_storage`, broadcast to `out_shape`."""

    def _map(out, out_shape, out_strides, in_storage, in_shape, in_strides):
        """Set every element of `out` to `fn` of the input element broadcasting puts there.

        Args:
            out, in_storage: flat storages (NumPy arrays), positions counted from 0.
            out_shape, out_strides, in_shape, in_strides: how each storage is laid out.
                `in_shape` broadcasts to `out_shape`.
        """
        # BEGIN SOLUTION 1.6
        out_index = np.zeros(len(out_shape), dtype=np.int64)
        in_index = np.zeros(len(in_shape), dtype=np.int64)
        for ordinal in range(shape_size(out_shape)):
            to_index(ordinal, out_shape, out_index)
            broadcast_index(out_index, out_shape, in_shape, in_index)
            value = in_storage[index_to_position(in_index, in_strides)]
            out[index_to_position(out_index, out_strides)] = fn(value)
        # END SOLUTION

    return _map


def tensor_zip(fn):
    """A kernel writing `fn(a, b)` for each pair of elements of `a` and `b`, broadcast."""

    def _zip(out, out_shape, out_strides, a_storage, a_shape, a_strides,
             b_storage, b_shape, b_strides):
        """Set every element of `out` to `fn(a, b)` of the broadcast input elements."""
        # BEGIN SOLUTION 1.7
        out_index = np.zeros(len(out_shape), dtype=np.int64)
        a_index = np.zeros(len(a_shape), dtype=np.int64)
        b_index = np.zeros(len(b_shape), dtype=np.int64)
        for ordinal in range(shape_size(out_shape)):
            to_index(ordinal, out_shape, out_index)
            broadcast_index(out_index, out_shape, a_shape, a_index)
            broadcast_index(out_index, out_shape, b_shape, b_index)
            a = a_storage[index_to_position(a_index, a_strides)]
            b = b_storage[index_to_position(b_index, b_strides)]
            out[index_to_position(out_index, out_strides)] = fn(a, b)
        # END SOLUTION

    return _zip


def tensor_reduce(fn):
    """A kernel folding `a` along `reduce_dim` with `fn` into `out` (size 1 along that dim).

    `out` arrives holding the start value (0 for sum, 1 for prod, ...) at every position:
    a value that `fn` leaves the other operand unchanged with, so a kernel may fold parts
    of a row separately, each from it, and then fold the parts together.
    """

    def _reduce(out, out_shape, out_strides, a_storage, a_shape, a_strides, reduce_dim):
        """Fold the `a_shape[reduce_dim]` elements behind each element of `out` into it.

        `out_shape` equals `a_shape` except that `out_shape[reduce_dim]` is 1.
        """
        # BEGIN SOLUTION 1.8
        out_index = np.zeros(len(out_shape), dtype=np.int64)
        for ordinal in range(shape_size(out_shape)):
            to_index(ordinal, out_shape, out_index)
            out_pos = index_to_position(out_index, out_strides)
            a_pos = index_to_position(out_index, a_strides)
            acc = out[out_pos]
            for _ in range(a_shape[reduce_dim]):
                acc = fn(acc, a_storage[a_pos])
                a_pos += a_strides[reduce_dim]
            out[out_pos] = acc
        # END SOLUTION

    return _reduce


def tensor_matmul(out, out_shape, out_strides, a_storage, a_shape, a_strides,
                  b_storage, b_shape, b_strides):
    """Batched matrix product: `out[..., i, j] = sum_k a[..., i, k] * b[..., k, j]`.

    All three have the same number of dimensions; the leading (batch) dimensions of `a`
    and `b` broadcast to those of `out`.
    """
    # BEGIN SOLUTION 1.9
    out_index = np.zeros(len(out_shape), dtype=np.int64)
    a_index = np.zeros(len(a_shape), dtype=np.int64)
    b_index = np.zeros(len(b_shape), dtype=np.int64)
    inner = a_shape[-1]
    for ordinal in range(shape_size(out_shape)):
        to_index(ordinal, out_shape, out_index)
        broadcast_index(out_index, out_shape, a_shape, a_index)
        broadcast_index(out_index, out_shape, b_shape, b_index)
        a_index[-1] = 0  # a[..., i, 0]
        b_index[-2] = 0  # b[..., 0, j]
        a_pos = index_to_position(a_index, a_strides)
        b_pos = index_to_position(b_index, b_strides)
        acc = 0
        for _ in range(inner):
            acc += a_storage[a_pos] * b_storage[b_pos]
            a_pos += a_strides[-1]
            b_pos += b_strides[-2]
        out[index_to_position(out_index, out_strides)] = acc
    # END SOLUTION
