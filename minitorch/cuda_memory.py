"""GPU memory for the `cuda` backend: allocation, copies between host and device, and what
`minitorch.cuda` reports about them.

Every copy of tensor data between the host and the GPU goes through `to_device` and
`to_host`, which count them in `transfers`: a program that keeps its tensors on the GPU
should see copies only where it asks for host values (`.cpu()`, `.item()`, printing).
Kernels that check their indices on the GPU (gather, scatter) raise a flag there instead of
stopping; like PyTorch's "device-side assert", it is reported at the next copy to the host.
"""

import weakref

import numpy as np
from numba import cuda

# Copies of tensor data: host -> GPU and GPU -> host (tests and benchmarks read them)
transfers = {"to_device": 0, "to_host": 0}

_memory = {"allocated": 0, "peak": 0}


def _track(array):
    """Count `array`'s bytes as allocated until it is freed."""
    size = array.nbytes
    _memory["allocated"] += size
    _memory["peak"] = max(_memory["peak"], _memory["allocated"])
    weakref.finalize(array, _release, size)
    return array


def _release(size):
    _memory["allocated"] -= size


def memory_allocated():
    """Bytes of GPU memory that tensors' storage holds now."""
    return _memory["allocated"]


def max_memory_allocated():
    """The most bytes tensors held at once since the start (or the last reset)."""
    return _memory["peak"]


def reset_peak_memory_stats():
    _memory["peak"] = _memory["allocated"]


def empty(size, np_dtype):
    """Uninitialised GPU storage for `size` elements of `np_dtype`."""
    return _track(cuda.device_array(size, dtype=np_dtype))


def to_device(array):
    """A copy on the GPU of the host array `array` (flat)."""
    transfers["to_device"] += 1
    return _track(cuda.to_device(np.ascontiguousarray(array)))


def constant(array):
    """A small GPU array of fixed values (a kernel's shape, strides or scalar operand): the
    analogue of a CUDA kernel's parameters, cached by its caller, so counted neither as a
    transfer nor as tensors' memory."""
    return cuda.to_device(array)


def to_host(storage):
    """A host copy of the GPU storage `storage` (after the GPU finished writing it)."""
    transfers["to_host"] += 1
    values = storage.copy_to_host()
    check_device_asserts()
    return values


# ----- device-side asserts ------------------------------------------------------------------
_assert = {"flag": None, "pending": None}


def assert_flag():
    """The GPU flag that index-checking kernels set (to 1) on a bad index;
    the next copy to the host reports it."""
    if _assert["flag"] is None:
        _assert["flag"] = constant(np.zeros(1, dtype=np.int32))
    return _assert["flag"]


def expect_asserts(operation):
    """Note that `operation` may set the flag: the next copy to the host looks at it."""
    _assert["pending"] = operation


def check_device_asserts():
    """Raise PyTorch's error if a kernel found a bad index since the last check."""
    operation = _assert["pending"]
    if operation is None:
        return
    _assert["pending"] = None
    flag = _assert["flag"]
    if flag.copy_to_host()[0]:
        flag.copy_to_device(np.zeros(1, dtype=np.int32))
        raise RuntimeError(
            f"CUDA error: device-side assert triggered: an index was out of bounds in "
            f"{operation} (an index tensor, such as a class target, outside [0, size)). Run "
            "the same code on the CPU to see which index and where."
        )
