"""The core of `Tensor`: its data, dtype and device, conversions, and Python protocols.

The operations live in mixins by concern (elementwise, reductions, shape, indexing,
linalg, in-place, autograd); `tensor.Tensor` puts them together.
"""

import numpy as np

from . import dtypes
from . import tensor_functions as F
from ._tensor_str import tensor_repr
from .backends import default_backend, get_backend
from .device import check_device, cpu
from .size import Size
from .tensor_data import TensorData, normalize_dim


class TensorCore:
    """Storage view + dtype; everything else a tensor can do comes from the mixins."""

    __slots__ = (
        "_data", "dtype", "backend", "grad", "_requires_grad", "_grad_fn", "_accumulator",
        "_version_counter", "_base", "__weakref__",
    )

    __array_priority__ = 1000  # NumPy scalars defer to Tensor's reflected operators

    @classmethod
    def _make(cls, data, dtype, backend=None):
        """Wrap a TensorData without copying; the fast path every operation uses."""
        t = object.__new__(cls)
        t._data = data
        t.dtype = dtype
        t.backend = default_backend() if backend is None else backend
        t.grad = t._grad_fn = t._accumulator = t._base = None
        t._requires_grad = False
        t._version_counter = [0]
        return t

    def _wrap(self, data, dtype=None):
        """A new tensor on this tensor's backend."""
        return self._make(data, self.dtype if dtype is None else dtype, self.backend)

    def _make_from_numpy(self, values, dtype):
        """A new tensor on this tensor's backend holding a copy of NumPy `values`."""
        array = np.array(values, dtype=dtype.numpy)
        return self._make(TensorData.from_array(array), dtype, self.backend)

    def _as_view(self, data):
        """A tensor that shows this one's storage through `data`: it shares the version
        counter, so in-place changes through either are seen by autograd's checks."""
        view = self._make(data, self.dtype, self.backend)
        view._version_counter = self._version_counter
        view._base = self if self._base is None else self._base
        return view

    # ----- properties -------------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape, or the size of dimension `dim`."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[normalize_dim(dim, self._data.dims)]

    def stride(self, dim=None):
        """Steps through storage per dimension, in elements, or that of dimension `dim`."""
        if dim is None:
            return self._data.strides
        return self._data.strides[normalize_dim(dim, self._data.dims)]

    def dim(self):
        return len(self._data.shape)

    ndimension = dim

    @property
    def ndim(self):
        return len(self._data.shape)

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self.dtype.itemsize

    def storage_offset(self):
        return self._data.offset

    def is_contiguous(self):
        return self._data.is_contiguous()

    def is_floating_point(self):
        return self.dtype.is_floating_point

    @property
    def device(self):
        return cpu

    @property
    def is_cuda(self):
        return False

    # ----- conversions ------------------------------------------------------------------
    def to(self, *args, **kwargs):
        """Cast and/or move: `.to(dtype)`, `.to(device)`, `.to(other)`, `.to(device, dtype)`,
        and (a minitorch addition) `.to(backend="simple" | "fast")`."""
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
        check_device(device)
        dtype = self.dtype if dtype is None else dtypes.as_dtype(dtype)
        backend = self.backend if backend is None else get_backend(backend)
        if dtype is self.dtype and backend is self.backend and not copy:
            return self
        return F.ToCopy.apply(self, dtype=dtype, backend=backend)

    def _cast(self, dtype):
        """A copy of the values as `dtype`, without autograd."""
        out = TensorData.empty(self._data.shape, dtype.numpy)
        self.backend.copy(self._data, out)
        return self._wrap(out, dtype)

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def long(self):
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def bool(self):
        return self.to(dtypes.bool_)

    def type(self, dtype=None):
        """The legacy type name (`'minitorch.FloatTensor'`), or a cast to `dtype`."""
        if dtype is None:
            return f"minitorch.{self.dtype.legacy_name}"
        return self.to(dtypes.as_dtype(dtype))

    def cpu(self):
        return self

    def cuda(self, device=None):
        check_device("cuda")

    def _copy(self):
        """A contiguous copy of the values, without autograd."""
        return self._cast(self.dtype)

    def clone(self):
        """A copy with its own storage (gradients flow through it)."""
        return F.Clone.apply(self)

    def contiguous(self):
        """This tensor if its elements are in row-major order, else a row-major copy."""
        return self if self._data.is_contiguous() else self.clone()

    def numpy(self):
        """A NumPy array sharing this tensor's memory."""
        if self._requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        return self._data.numpy()

    def __array__(self, dtype=None, copy=None):
        array = self._data.numpy()
        return array if dtype is None else array.astype(dtype)

    def tolist(self):
        """Nested Python lists of Python numbers (a number for a 0-d tensor)."""
        return self._data.numpy().tolist()

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.numpy().reshape(()).item()

    def _python_number(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __float__(self):
        return float(self._python_number())

    def __int__(self):
        return int(self._python_number())

    def __index__(self):
        if self.dtype.is_floating_point or self._data.size != 1:
            raise TypeError(
                "only integer tensors of a single element can be converted to an index"
            )
        return int(self.item())

    def __bool__(self):
        if self._data.size != 1:
            what = "no values" if self._data.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {what} is ambiguous")
        return bool(self.item())

    def __len__(self):
        if not self._data.shape:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if not self._data.shape:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __hash__(self):
        return id(self)

    # ----- printing ---------------------------------------------------------------------
    def _repr_suffixes(self):
        if self._grad_fn is not None:
            return [f"grad_fn=<{self._grad_fn.name()}>"]
        return ["requires_grad=True"] if self._requires_grad else []

    def __repr__(self):
        return tensor_repr(self._data.numpy(), self.dtype, self._repr_suffixes())

    def __format__(self, spec):
        if self._data.dims == 0:  # like PyTorch: f"{loss}" shows the number
            return format(self.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)
