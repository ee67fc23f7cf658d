"""The autograd side of `Tensor`: `requires_grad`, `grad_fn`, `backward()`, hooks, detach.

Leaves are the tensors a user creates; tensors computed from ones that require grad get a
`grad_fn` (the graph node that made them). `backward()` sends gradients from a result back
to the leaves, where they accumulate in `.grad` until zeroed.
"""

from . import grad_mode
from .autodiff import graph_edge
from .autograd import run_backward


class _HookHandle:
    """What `register_hook` returns: `.remove()` takes the hook off again."""

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class AutogradOps:
    """Mixin: the autograd part of `Tensor`."""

    __slots__ = ()

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

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        """True for tensors not computed by a recorded operation (their `.grad` is kept)."""
        return self._grad_fn is None

    @property
    def grad_fn(self):
        """The graph node that computed this tensor, or None for a leaf."""
        return self._grad_fn

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
        self._data, self.dtype = other._data, other.dtype

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

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradients of this tensor with respect to the leaves it depends on.

        They are added to each leaf's `.grad`. A non-scalar tensor needs `gradient` (the
        gradient of the final result with respect to this tensor).
        """
        if inputs is not None:
            raise NotImplementedError("backward(inputs=...) is not supported; use "
                                      "minitorch.autograd.grad(outputs, inputs)")
        run_backward((self,), (gradient,), retain_graph, create_graph)

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

