"""`Parameter`: a tensor that a `Module` registers as one of its learnable weights."""

from .. import grad_mode
from ..creation import empty, tensor
from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad and that modules register when it is assigned.

    `Parameter(t)` shares storage with `t` (as in PyTorch), so `nn.Parameter(minitorch.zeros(3))`
    costs no copy. Operations on a parameter give plain tensors: only the parameter itself is
    a `Parameter`, so `model.parameters()` finds exactly the learnable weights.
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter(): argument 'data' must be a Tensor, not {type(data).__name__} "
                "(wrap numbers in minitorch.tensor(...) first)"
            )
        param = object.__new__(cls)
        param._data, param.dtype, param.backend = data._data, data.dtype, data.backend
        param.grad = param._grad_fn = param._accumulator = param._base = None
        param._requires_grad = False
        param._version_counter = data._version_counter
        param.requires_grad = requires_grad  # raises for integer dtypes, as in PyTorch
        return param

    def __init__(self, data=None, requires_grad=True):
        pass

    @classmethod
    def _make(cls, data, dtype, backend=None):
        """Results of operations (and views, detach()) are plain tensors, as in PyTorch."""
        if backend is None:
            return Tensor._make(data, dtype)
        return Tensor._make(data, dtype, backend)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        with grad_mode.no_grad():
            result = type(self)(self.detach()._copy(), self.requires_grad)
        if self.grad is not None:
            result.grad = self.grad._copy()
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        """Pickle the values as a NumPy array (the backend's compiled kernels do not pickle)."""
        return _rebuild_parameter, (self._data.numpy().copy(), self.dtype, self.requires_grad)


def _rebuild_parameter(values, dtype, requires_grad):
    return Parameter(tensor(values, dtype=dtype), requires_grad)
