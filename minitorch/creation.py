"""Creating tensors: from data (`tensor`, `from_numpy`), filled (`zeros`, `full`, `eye`, ...),
ranges (`arange`, `linspace`, `logspace`) and random (`rand`, `randn`, `randint`, `normal`).
"""

import math

import numpy as np

from . import dtypes
from .array_data import as_array, infer_dtype
from .backends import backend_for, default_backend, get_backend
from .device import as_device
from .random import generator_or_default
from .shape_ops import sizes_arg
from .tensor import Tensor
from .tensor_data import TensorData


def creation_backend(device, backend):
    """The backend of a new tensor: `backend` if given, else the one for `device`."""
    if backend is not None:
        return get_backend(backend)
    return backend_for(as_device(device), default_backend())


def _from_array(array, dtype, requires_grad=False, device=None, backend=None):
    """A tensor holding `array` (already of `dtype`), without copying it if contiguous (on
    the CPU; on the GPU, a copy there)."""
    t = Tensor._make(TensorData.from_array(array), dtype, creation_backend(device, backend))
    if requires_grad:
        t.requires_grad = True
    return t


def _dtype(dtype, default):
    """The dtype asked for (a dtype, `float`, `"float64"`, ...), or `default` for None."""
    return default() if dtype is None else dtypes.as_dtype(dtype)


def tensor(data, *, dtype=None, device=None, requires_grad=False, backend=None):
    """A new tensor holding a copy of `data`: a number, nested lists, a NumPy array or a tensor.

    The dtype is inferred as in PyTorch (float32 for Python floats, int64 for ints, bool for
    bools; NumPy arrays keep theirs) unless `dtype` is given. `backend` ("simple" or "fast",
    a minitorch addition) chooses the kernels that compute with it; by default, the default
    backend's (`minitorch.get_default_backend()`).
    """
    array, dtype = as_array(data, None if dtype is None else dtypes.as_dtype(dtype))
    return _from_array(array, dtype, requires_grad, device, backend)


def as_tensor(data, dtype=None, device=None):
    """`data` as a tensor, sharing memory where it can: a tensor of the right dtype is
    returned as it is, a NumPy array of a supported dtype is wrapped (see `from_numpy`)."""
    if isinstance(data, Tensor) and (dtype is None or dtypes.as_dtype(dtype) is data.dtype):
        return data
    if isinstance(data, np.ndarray) and data.dtype in (d.numpy for d in dtypes._ALL) and (
            dtype is None or dtypes.as_dtype(dtype).numpy == data.dtype) and \
            all(s >= 0 for s in data.strides):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray):
    """A tensor that shares memory with `ndarray`: writes to either show in both."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dtype = dtypes.dtype_of_numpy(ndarray.dtype)
    itemsize = ndarray.itemsize
    if any(s < 0 for s in ndarray.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with negative "
            "strides are not currently supported. (You can probably work around this by making "
            "a copy of your array with array.copy().)"
        )
    if any(s % itemsize for s in ndarray.strides):
        raise ValueError("given numpy array strides not a multiple of the element byte size. "
                         "Copy the numpy array to reallocate the memory.")
    strides = tuple(s // itemsize for s in ndarray.strides)
    extent = 1 + sum((n - 1) * s for n, s in zip(ndarray.shape, strides)) if ndarray.size else 0
    storage = np.lib.stride_tricks.as_strided(ndarray, shape=(extent,), strides=(itemsize,))
    return Tensor._make(TensorData(storage, ndarray.shape, strides), dtype)


def _filled(size, value, dtype, requires_grad, device, backend=None):
    shape = sizes_arg(size)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(shape)}")
    backend = creation_backend(device, backend)
    t = Tensor._make(backend.full(shape, value, dtype.numpy), dtype, backend)  # (on its device)
    if requires_grad:
        t.requires_grad = True
    return t


def zeros(*size, dtype=None, device=None, requires_grad=False, backend=None, **kwargs):
    """A tensor of zeros: `zeros(2, 3)`, `zeros((2, 3))` or `zeros(size=(2, 3))`."""
    return _filled(_size_arg(size, kwargs), 0, _dtype(dtype, dtypes.get_default_dtype),
                   requires_grad, device, backend)


def ones(*size, dtype=None, device=None, requires_grad=False, backend=None, **kwargs):
    """A tensor of ones: `ones(2, 3)`, `ones((2, 3))` or `ones(size=(2, 3))`."""
    return _filled(_size_arg(size, kwargs), 1, _dtype(dtype, dtypes.get_default_dtype),
                   requires_grad, device, backend)


def empty(*size, dtype=None, device=None, requires_grad=False, backend=None, **kwargs):
    """A tensor of the given size; its values are unspecified (here: zeros)."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad,
                backend=backend, **kwargs)


def _size_arg(size, kwargs):
    """The size given spread out, as one sequence, or as the keyword `size=`."""
    if "size" in kwargs:
        size = (kwargs.pop("size"),)
    if kwargs:
        raise TypeError(f"unexpected keyword arguments {sorted(kwargs)}")
    return size


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, backend=None):
    """A tensor of `size` filled with `fill_value` (whose type decides the default dtype)."""
    return _filled(size, fill_value, _dtype(dtype, lambda: infer_dtype([fill_value])),
                   requires_grad, device, backend)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, backend=None):
    """The `n` x `m` identity matrix (ones on the diagonal)."""
    dtype = _dtype(dtype, dtypes.get_default_dtype)
    return _from_array(np.eye(n, n if m is None else m, dtype=dtype.numpy), dtype,
                       requires_grad, device, backend)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False, backend=None):
    """Values from `start` (default 0) up to but excluding `end`, `step` apart."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            "upper bound and larger bound inconsistent with step sign "
            f"(start={start}, end={end}, step={step})"
        )
    if not all(math.isfinite(v) for v in (start, end, step)):
        raise RuntimeError(f"unsupported range: {start} -> {end} (step {step})")
    dtype = _dtype(dtype, lambda: infer_dtype([start, end, step]))
    n = max(math.ceil((end - start) / step), 0)
    values = start + np.arange(n, dtype=np.float64 if dtype.is_floating_point else np.int64) * step
    return _from_array(values.astype(dtype.numpy), dtype, requires_grad, device, backend)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, backend=None):
    """`steps` evenly spaced values from `start` to `end`, both included."""
    dtype = _dtype(dtype, dtypes.get_default_dtype)
    if steps < 0:
        raise RuntimeError(f"number of steps must be non-negative, got {steps}")
    values = np.linspace(start, end, steps, dtype=np.float64)
    return _from_array(values.astype(dtype.numpy), dtype, requires_grad, device, backend)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False,
             backend=None):
    """`steps` values from `base ** start` to `base ** end`, evenly spaced in the exponent."""
    dtype = _dtype(dtype, dtypes.get_default_dtype)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    values = np.power(float(base), np.linspace(start, end, steps, dtype=np.float64))
    return _from_array(values.astype(dtype.numpy), dtype, requires_grad, device, backend)


def _like_of(make):
    """`make_like(input, ...)`: `make` with `input`'s shape and, by default, its dtype."""

    def like(input, *, dtype=None, device=None, requires_grad=False, backend=None):
        return make(input.shape, dtype=_dtype(dtype, lambda: input.dtype), device=device,
                    requires_grad=requires_grad, backend=backend or input.backend)

    like.__name__ = like.__qualname__ = f"{make.__name__}_like"
    like.__doc__ = f"`{make.__name__}` with the shape (and by default the dtype) of `input`."
    return like


zeros_like = _like_of(zeros)
ones_like = _like_of(ones)
empty_like = _like_of(empty)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False, backend=None):
    return full(input.shape, fill_value, dtype=_dtype(dtype, lambda: input.dtype), device=device,
                requires_grad=requires_grad, backend=backend or input.backend)


def _random_float_dtype(dtype):
    dtype = _dtype(dtype, dtypes.get_default_dtype)
    if not dtype.is_floating_point:
        raise RuntimeError(f"random floats need a floating point dtype, got {dtype}")
    return dtype


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, backend=None,
         **kwargs):
    """Uniform random values in [0, 1)."""
    dtype = _random_float_dtype(dtype)
    shape = sizes_arg(_size_arg(size, kwargs))
    values = generator_or_default(generator).random(shape, dtype=dtype.numpy)
    return _from_array(values, dtype, requires_grad, device, backend)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, backend=None,
          **kwargs):
    """Standard normal random values (mean 0, variance 1)."""
    dtype = _random_float_dtype(dtype)
    shape = sizes_arg(_size_arg(size, kwargs))
    values = generator_or_default(generator).standard_normal(shape, dtype=dtype.numpy)
    return _from_array(values, dtype, requires_grad, device, backend)


def randint(*args, generator=None, dtype=None, device=None, requires_grad=False, backend=None,
            **kwargs):
    """Random integers in [low, high): `randint(high, size)` or `randint(low, high, size)`."""
    if "size" in kwargs:
        args = args + (kwargs.pop("size"),)
    if "high" in kwargs:
        args = (kwargs.pop("low", 0), kwargs.pop("high")) + args
    if kwargs:
        raise TypeError(f"randint() got unexpected keyword arguments {sorted(kwargs)}")
    if len(args) < 2:
        raise TypeError("randint() needs the size: randint(high, size) or "
                        "randint(low, high, size), e.g. randint(10, (3,))")
    if len(args) == 2:
        args = (0,) + args
    low, high, size = args
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    dtype = _dtype(dtype, lambda: dtypes.int64)
    values = generator_or_default(generator).integers(low, high, sizes_arg((size,)))
    return _from_array(values.astype(dtype.numpy), dtype, requires_grad, device, backend)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False, backend=None):
    """A random permutation of 0, ..., n-1."""
    dtype = _dtype(dtype, lambda: dtypes.int64)
    values = generator_or_default(generator).permutation(n)
    return _from_array(values.astype(dtype.numpy), dtype, requires_grad, device, backend)


rand_like = _like_of(rand)
randn_like = _like_of(randn)


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False, backend=None):
    """Values drawn from normal distributions: `mean` and `std` are tensors (each element its
    own distribution; they broadcast) or numbers; with two numbers, `size` gives the shape."""
    tensors = [x for x in (mean, std) if isinstance(x, Tensor)]
    if not tensors:
        if size is None:
            raise TypeError(
                "normal() received an invalid combination of arguments - got (float, float): "
                "with a number for both mean and std, give the size too, e.g. "
                "normal(0.0, 1.0, size=(2, 3))")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        dtype = _random_float_dtype(dtype)
        values = generator_or_default(generator).normal(mean, std, sizes_arg((size,)))
        return _from_array(values.astype(dtype.numpy), dtype, requires_grad, device, backend)
    like = tensors[0]
    means, stds = (x._data.numpy() if isinstance(x, Tensor) else x for x in (mean, std))
    if np.any(np.asarray(stds) < 0):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    shape = np.broadcast_shapes(np.shape(means), np.shape(stds))
    values = generator_or_default(generator).normal(means, stds, shape)
    return _from_array(values.astype(like.dtype.numpy), like.dtype, backend=like.backend)
