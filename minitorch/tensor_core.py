"""`TensorCore`: what a tensor is before it has operations: storage seen through a shape and
strides (`TensorData`), a dtype, a backend, and its place in the autograd graph.

The layers that compute with tensors (`pointwise`, `tensor_compute`, `indexing`,
`tensor_functions`) know tensors by this class; `tensor.Tensor` adds the operations. Also
here: conversions to Python and NumPy, printing, and the autograd state (`requires_grad`,
`grad_fn`, hooks, `detach`). Leaves are the tensors a user creates; tensors computed from
ones that require grad get a `grad_fn` (the graph node that made them); `Tensor.backward()`
sends gradients from a result back to the leaves, where they accumulate in `.grad`.
"""

import numpy as np

from . import grad_mode
from ._tensor_str import tensor_repr
from .autodiff import Differentiable, graph_edge
from .backends import default_backend
from .device import cpu
from .size import Size
from .tensor_data import TensorData, normalize_dim


class _HookHandle:
    """What `register_hook` returns: `.remove()` takes the hook off again."""

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class TensorCore(Differentiable):
    """Storage view, dtype, backend and autograd state; `tensor.Tensor` adds the operations."""

    __slots__ = ("_data", "dtype", "backend", "grad", "_version_counter", "_base", "__weakref__")

    __array_priority__ = 1000  # NumPy scalars defer to Tensor's reflected operators

    @classmethod
    def _make(cls, data, dtype, backend=None):
        """Wrap a TensorData without copying; the fast path every operation uses."""
        t = object.__new__(cls)
        t.backend = backend = default_backend() if backend is None else backend
        if backend.device is not cpu and isinstance(data.storage, np.ndarray):
            data = backend.from_host(data)  # (computed on the host: see `host_edit`)
        t._data = data
        t.dtype = dtype
        t.grad = t._grad_fn = t._accumulator = t._base = None
        t._requires_grad = False
        t._version_counter = [0]
        return t

    def _wrap(self, data, dtype=None):
        """A new tensor on this tensor's backend."""
        return self._make(data, self.dtype if dtype is None else dtype, self.backend)

    def _make_from_numpy(self, values, dtype, backend=None):
        """A new tensor on this tensor's backend (or `backend`) holding a copy of NumPy
        `values`."""
        array = np.array(values, dtype=dtype.numpy)
        return self._make(TensorData.from_array(array), dtype, backend or self.backend)

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
        return self.backend.device

    @property
    def is_cuda(self):
        return self.backend.device.type == "cuda"

    def get_device(self):
        """The GPU's index for a CUDA tensor, -1 for a CPU tensor (as PyTorch)."""
        return self.backend.device.index if self.is_cuda else -1

    def _cast(self, dtype):
        """A copy of the values as `dtype`, without autograd."""
        out = self.backend.empty(self._data.shape, dtype.numpy)
        self.backend.copy(self._data, out)
        return self._wrap(out, dtype)

    def _copy(self):
        """A contiguous copy of the values, without autograd."""
        return self._cast(self.dtype)

    # ----- conversions to Python and NumPy ----------------------------------------------
    def numpy(self):
        """A NumPy array sharing this tensor's memory (on the CPU)."""
        if self.is_cuda:
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to "
                "copy the tensor to host memory first."
            )
        if self._requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        return self._data.numpy()

    def __array__(self, dtype=None, copy=None):
        array = self.detach().numpy()
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

    # ----- autograd ---------------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        if self._grad_fn is not None:
            if flag:
                return  # it already requires grad: nothing to change
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if flag and not self.dtype.is_floating_point:
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients "
                f"(this tensor is {self.dtype}; convert it with .float() first)"
            )
        self._requires_grad = bool(flag)

    @property
    def _version(self):
        """How many times this tensor's storage was changed in place."""
        return self._version_counter[0]

    def _attach(self, node):
        """Become the output of `node` in the graph (called by `Function.apply`)."""
        if self.dtype.is_floating_point:
            self._grad_fn = node
            self._requires_grad = True

    def _accumulate_grad(self, grad):
        """Add a gradient arriving at this leaf to `.grad` (called by backpropagation)."""
        recording = grad_mode.is_grad_enabled()  # True in a create_graph backward pass
        if self.grad is None:
            self.grad = grad.clone() if recording else grad._copy()
        elif recording:
            self.grad = self.grad + grad
        else:
            self.grad.add_(grad)

    @property
    def data(self):
        """The values without the graph (shares storage): `w.data -= lr * w.grad`."""
        return self.detach()

    @data.setter
    def data(self, other):
        self._data, self.dtype, self.backend = other._data, other.dtype, other.backend

    def detach(self):
        """The same values, sharing storage, outside any gradient computation."""
        view = self._as_view(self._data)
        view._base = self._base
        return view

    def detach_(self):
        """Make this tensor a leaf that does not require grad."""
        self._grad_fn = None
        self._requires_grad = False
        return self

    def register_hook(self, hook):
        """Call `hook(grad)` with this tensor's gradient during backward; it may return a
        replacement gradient. Returns a handle whose `.remove()` unregisters it."""
        if not self._requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient"
            )
        node = graph_edge(self)
        if node.hooks is None:
            node.hooks = []
        node.hooks.append(hook)
        return _HookHandle(node.hooks, hook)

    def retain_grad(self):
        """Keep `.grad` for this non-leaf tensor too (leaves always keep theirs)."""
        if self._grad_fn is None:
            return

        def keep(grad):
            self.grad = grad.detach()._copy() if self.grad is None else self.grad + grad.detach()

        self.register_hook(keep)

    # ----- printing ---------------------------------------------------------------------
    def _repr_suffixes(self):
        if self._grad_fn is not None:
            return [f"grad_fn=<{self._grad_fn.name()}>"]
        return ["requires_grad=True"] if self._requires_grad else []

    def _repr_device(self):
        return f"device='{self.device}'" if self.is_cuda else None

    def __repr__(self):
        return tensor_repr(self._data.numpy(), self.dtype, self._repr_suffixes(),
                           self._repr_device())

    def __format__(self, spec):
        if self._data.dims == 0:  # like PyTorch: f"{loss}" shows the number
            return format(self.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)
