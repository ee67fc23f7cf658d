"""Creating tensors: from data (`tensor`, `from_numpy`), filled (`zeros`, `full`, `eye`, ...),
ranges (`arange`, `linspace`) and random (`rand`, `randn`, `randint`).
"""

import math

import numpy as np

from . import dtypes
from .backends import simple
from .device import check_device
from .random import generator_or_default
from .shape_ops import sizes_arg
from .tensor import Tensor
from .tensor_data import TensorData


def _from_array(array, dtype, requires_grad=False, device=None):
    """A tensor holding `array` (already of `dtype`), without copying it if contiguous."""
    check_device(device)
    t = Tensor._make(TensorData.from_array(array), dtype, simple)
    if requires_grad:
        t.requires_grad = True
    return t


def _nested_shape(data):
    """The shape of nested lists, and their leaves in row-major order, checked to be regular."""
    shape = []
    probe = data
    while isinstance(probe, (list, tuple)):
        shape.append(len(probe))
        if not probe:
            break
        probe = probe[0]
    leaves = []

    def walk(x, d):
        if d == len(shape):
            if isinstance(x, (list, tuple)):
                raise ValueError(f"expected a number at dim {d}, but got a sequence: {x!r}")
            leaves.append(x)
            return
        if not isinstance(x, (list, tuple)):
            raise ValueError(
                f"expected sequence of length {shape[d]} at dim {d} (got {type(x).__name__})"
            )
        if len(x) != shape[d]:
            raise ValueError(f"expected sequence of length {shape[d]} at dim {d} (got {len(x)})")
        for element in x:
            walk(element, d + 1)

    walk(data, 0)
    return tuple(shape), leaves


def _leaf_dtype(x):
    """A number's own dtype: NumPy scalars and tensors keep theirs, Python numbers as PyTorch."""
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, np.generic):
        return dtypes.dtype_of_numpy(x.dtype)
    if isinstance(x, (bool, int, float)):
        return dtypes.scalar_dtype(x)
    raise TypeError(f"Could not infer dtype of {type(x).__name__}")


def _infer_dtype(leaves):
    """The dtype that holds all `leaves` (default float for no leaves at all)."""
    if not leaves:
        return dtypes.get_default_dtype()
    dtype = _leaf_dtype(leaves[0])
    for x in leaves[1:]:
        dtype = dtypes.promote_types(dtype, _leaf_dtype(x))
    return dtype


def tensor(data, *, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of `data`: a number, nested lists, a NumPy array or a tensor.

    The dtype is inferred as in PyTorch (float32 for Python floats, int64 for ints, bool for
    bools; NumPy arrays keep theirs) unless `dtype` is given.
    """
    if isinstance(data, Tensor):
        return _from_array(data.numpy().astype((dtype or data.dtype).numpy), dtype or data.dtype,
                           requires_grad, device)
    if isinstance(data, np.ndarray):
        dtype = dtype or dtypes.dtype_of_numpy(data.dtype)
        return _from_array(data.astype(dtype.numpy, copy=True), dtype, requires_grad, device)
    shape, leaves = _nested_shape(data)
    dtype = dtype or _infer_dtype(leaves)
    values = [x.item() if isinstance(x, Tensor) else x for x in leaves]
    with np.errstate(all="ignore"):
        array = np.array(values, dtype=dtype.numpy).reshape(shape)
    return _from_array(array, dtype, requires_grad, device)


as_tensor = tensor


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
    return Tensor._make(TensorData(storage, ndarray.shape, strides), dtype, simple)


def _filled(size, value, dtype, requires_grad, device):
    shape = sizes_arg(size)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(shape)}")
    return _from_array(np.full(shape, value, dtype=dtype.numpy), dtype, requires_grad, device)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    return _filled(size, 0, dtype or dtypes.get_default_dtype(), requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False):
    return _filled(size, 1, dtype or dtypes.get_default_dtype(), requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False):
    """A tensor of the given size; its values are unspecified (here: zeros)."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    """A tensor of `size` filled with `fill_value` (whose type decides the default dtype)."""
    return _filled(size, fill_value, dtype or _infer_dtype([fill_value]), requires_grad, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    """The `n` x `m` identity matrix (ones on the diagonal)."""
    dtype = dtype or dtypes.get_default_dtype()
    return _from_array(np.eye(n, n if m is None else m, dtype=dtype.numpy), dtype,
                       requires_grad, device)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
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
    dtype = dtype or _infer_dtype([start, end, step])
    n = max(math.ceil((end - start) / step), 0)
    values = start + np.arange(n, dtype=np.float64 if dtype.is_floating_point else np.int64) * step
    return _from_array(values.astype(dtype.numpy), dtype, requires_grad, device)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    """`steps` evenly spaced values from `start` to `end`, both included."""
    dtype = dtype or dtypes.get_default_dtype()
    if steps < 0:
        raise RuntimeError(f"number of steps must be non-negative, got {steps}")
    values = np.linspace(start, end, steps, dtype=np.float64)
    return _from_array(values.astype(dtype.numpy), dtype, requires_grad, device)


def _like_of(make):
    """`make_like(input, ...)`: `make` with `input`'s shape and, by default, its dtype."""

    def like(input, *, dtype=None, device=None, requires_grad=False):
        return make(input.shape, dtype=dtype or input.dtype, device=device,
                    requires_grad=requires_grad)

    like.__name__ = like.__qualname__ = f"{make.__name__}_like"
    like.__doc__ = f"`{make.__name__}` with the shape (and by default the dtype) of `input`."
    return like


zeros_like = _like_of(zeros)
ones_like = _like_of(ones)
empty_like = _like_of(empty)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False):
    return full(input.shape, fill_value, dtype=dtype or input.dtype, device=device,
                requires_grad=requires_grad)


def _random_float_dtype(dtype):
    dtype = dtype or dtypes.get_default_dtype()
    if not dtype.is_floating_point:
        raise RuntimeError(f"random floats need a floating point dtype, got {dtype}")
    return dtype


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform random values in [0, 1)."""
    dtype = _random_float_dtype(dtype)
    values = generator_or_default(generator).random(sizes_arg(size), dtype=dtype.numpy)
    return _from_array(values, dtype, requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal random values (mean 0, variance 1)."""
    dtype = _random_float_dtype(dtype)
    values = generator_or_default(generator).standard_normal(sizes_arg(size), dtype=dtype.numpy)
    return _from_array(values, dtype, requires_grad, device)


def randint(*args, generator=None, dtype=None, device=None, requires_grad=False, **kwargs):
    """Random integers in [low, high): `randint(high, size)` or `randint(low, high, size)`."""
    if "size" in kwargs:
        args = args + (kwargs.pop("size"),)
    if "high" in kwargs:
        args = (kwargs.pop("low", 0), kwargs.pop("high")) + args
    if kwargs:
        raise TypeError(f"randint() got unexpected keyword arguments {sorted(kwargs)}")
    if len(args) == 2:
        args = (0,) + args
    low, high, size = args
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    dtype = dtype or dtypes.int64
    values = generator_or_default(generator).integers(low, high, sizes_arg((size,)))
    return _from_array(values.astype(dtype.numpy), dtype, requires_grad, device)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0, ..., n-1."""
    dtype = dtype or dtypes.int64
    values = generator_or_default(generator).permutation(n)
    return _from_array(values.astype(dtype.numpy), dtype, requires_grad, device)


rand_like = _like_of(rand)
randn_like = _like_of(randn)
