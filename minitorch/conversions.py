"""Conversions of a tensor: to another dtype, backend or device (`to`, `float`, `long`, ...),
and copies (`clone`, `contiguous`).

Each function takes the tensor first (`input`); `tensor.Tensor` binds it as the method of
the same name, and `minitorch` exports the PyTorch functions among them.
"""

from . import dtypes
from . import tensor_functions as F
from .backends import backend_for, get_backend
from .device import as_device
from .tensor_core import TensorCore


def to_arguments(args, kwargs):
    """`(dtype, device, backend, copy)` from the arguments of `.to(...)`: a dtype, a device,
    a tensor (its dtype and device), in any order, or keywords (None where not given)."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    backend = kwargs.pop("backend", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, TensorCore):
            dtype, device = arg.dtype, arg.device
        elif dtypes.as_dtype(arg, None) is not None:
            dtype = arg
        else:
            device = arg
    return dtype, device, backend, copy


def to(input, *args, **kwargs):
    """Cast and/or move: `.to(dtype)`, `.to(device)`, `.to(other)`, `.to(device, dtype)`,
    and (a minitorch addition) `.to(backend="simple" | "fast" | "cuda")`."""
    dtype, device, backend, copy = to_arguments(args, kwargs)
    dtype = input.dtype if dtype is None else dtypes.as_dtype(dtype)
    if backend is None:
        backend = backend_for(as_device(device), input.backend)
    else:
        backend = get_backend(backend)
    if dtype is input.dtype and backend is input.backend and not copy:
        return input
    return F.ToCopy.apply(input, dtype=dtype, backend=backend)


def float(input):
    return to(input, dtypes.float32)


def double(input):
    return to(input, dtypes.float64)


def long(input):
    return to(input, dtypes.int64)


def int(input):
    return to(input, dtypes.int32)


def bool(input):
    return to(input, dtypes.bool_)


def type(input, dtype=None):
    """The legacy type name (`'minitorch.FloatTensor'`), or a cast to `dtype`."""
    if dtype is None:
        return f"minitorch.{input.dtype.legacy_name}"
    return to(input, dtypes.as_dtype(dtype))


def cpu(input):
    """`input` on the CPU: itself if it is there, else a copy."""
    return to(input, "cpu")


def cuda(input, device=None):
    """`input` on the GPU: itself if it is there, else a copy."""
    return to(input, "cuda" if device is None else as_device(device))


def clone(input):
    """A copy with its own storage (gradients flow through it)."""
    return F.Clone.apply(input)


def contiguous(input):
    """`input` if its elements are in row-major order, else a row-major copy."""
    return input if input._data.is_contiguous() else clone(input)
