"""Backends turn the kernels of a device into operations on `TensorData`.

A backend allocates outputs, broadcasts shapes and calls a kernel; the kernels themselves
(`tensor_ops` for `simple`, later Numba CPU and CUDA ones) only loop over storage.
"""

import numpy as np

from . import tensor_ops
from .tensor_data import TensorData, shape_broadcast, shape_size


class Backend:
    """map, zip, reduce, matmul and copy for one kind of kernel."""

    def __init__(self, name, map_factory, zip_factory, reduce_factory, matmul_kernel):
        self.name = name
        self._factories = {"map": map_factory, "zip": zip_factory, "reduce": reduce_factory}
        self._kernels = {}
        self._matmul = matmul_kernel

    def __repr__(self):
        return f"<minitorch backend '{self.name}'>"

    def _kernel(self, kind, fn):
        """The kernel for `fn`, built once. The key includes the factory's code, so that a
        student's edit reloaded into a running notebook (%autoreload) builds a new one."""
        factory = self._factories[kind]
        key = (kind, fn, factory.__code__)
        kernel = self._kernels.get(key)
        if kernel is None:
            kernel = self._kernels[key] = factory(fn)
        return kernel

    def map(self, fn, a, out_dtype, out=None):
        """`fn` of each element of `a`, into `out` (broadcast to its shape) or a new tensor."""
        if out is None:
            out = TensorData.empty(a.shape, out_dtype.numpy)
        with np.errstate(all="ignore"):
            self._kernel("map", fn)(
                out.local_storage(), out.shape, out.strides,
                a.local_storage(), a.shape, a.strides,
            )
        return out

    def zip(self, fn, a, b, out_dtype, out=None):
        """`fn(x, y)` over the broadcast elements of `a` and `b`."""
        if out is None:
            shape = a.shape if a.shape == b.shape else shape_broadcast(a.shape, b.shape)
            out = TensorData.empty(shape, out_dtype.numpy)
        with np.errstate(all="ignore"):
            self._kernel("zip", fn)(
                out.local_storage(), out.shape, out.strides,
                a.local_storage(), a.shape, a.strides,
                b.local_storage(), b.shape, b.strides,
            )
        return out

    def reduce(self, fn, a, dim, start, out_dtype):
        """Fold dimension `dim` of `a` with `fn` from `start`; the result keeps it as size 1."""
        shape = list(a.shape)
        shape[dim] = 1
        out = TensorData(np.full(shape_size(shape), start, dtype=out_dtype.numpy), shape)
        with np.errstate(all="ignore"):
            self._kernel("reduce", fn)(
                out.local_storage(), out.shape, out.strides,
                a.local_storage(), a.shape, a.strides, dim,
            )
        return out

    def matmul(self, a, b, out_shape, out_dtype):
        """Batched matrix product of same-rank `a` and `b` into a new tensor of `out_shape`."""
        out = TensorData.empty(out_shape, out_dtype.numpy)
        with np.errstate(all="ignore"):
            self._matmul(
                out.local_storage(), out.shape, out.strides,
                a.local_storage(), a.shape, a.strides,
                b.local_storage(), b.shape, b.strides,
            )
        return out

    @staticmethod
    def copy(src, dst):
        """Write `src` (broadcast to `dst`'s shape, cast to its dtype) into the view `dst`."""
        if dst.size:
            with np.errstate(all="ignore"):
                np.copyto(dst.numpy(), src.numpy(), casting="unsafe")


simple = Backend(
    "simple",
    tensor_ops.tensor_map,
    tensor_ops.tensor_zip,
    tensor_ops.tensor_reduce,
    tensor_ops.tensor_matmul,
)
