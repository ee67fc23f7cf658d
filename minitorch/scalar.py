"""`Scalar`: one differentiable number, the warm-up of the autograd lecture.

A Scalar behaves like a 0-d tensor of PyTorch with its graph machinery laid bare: every
arithmetic operation on Scalars runs a `Function` from `scalar_functions.py`, and when an
input requires grad, `Function.apply` records a node (`grad_fn`) linking the result to its
inputs. `backward()` walks those nodes back to the leaves (`autodiff.backpropagate`), the
same walk that `Tensor.backward()` does.

    >>> x = Scalar(2.0, requires_grad=True)
    >>> y = x * x + x
    >>> y
    Scalar(6.0000, grad_fn=<AddBackward0>)
    >>> y.backward()
    >>> x.grad
    5.0
"""

import numbers

from . import scalar_functions as F
from .autodiff import Differentiable, backpropagate, graph_edge


class Scalar(Differentiable):
    """A Python float that records how it was computed, so gradients can flow back to it.

    `Scalar(value, requires_grad=False)` makes a leaf, as `torch.tensor(value)` does.
    Gradients flow only into Scalars that require grad; a result requires grad when any
    input does, and is then a non-leaf with a `grad_fn`.
    """

    __slots__ = ("data", "grad")

    def __init__(self, value, requires_grad=False):
        self.data = float(value)
        self.grad = None  # float after a backward pass; set it to None to reset
        self._requires_grad = bool(requires_grad)
        self._grad_fn = None  # the Node that computed this Scalar (None for a leaf)
        self._accumulator = None  # a leaf's AccumulateGrad node, made on first use

    # -- autograd -------------------------------------------------------------------------

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if not self.is_leaf:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to "
                "use a computed variable in a subgraph that doesn't require differentiation "
                "use var_no_grad = var.detach()."
            )
        self._requires_grad = bool(value)

    def _attach(self, node):
        """Make this Scalar the output of `node` (called by `Function.apply`)."""
        self._grad_fn = node
        self._requires_grad = True

    def _accumulate_grad(self, grad):
        """Add a gradient that reached this leaf: the first is stored, later ones summed."""
        self.grad = grad if self.grad is None else self.grad + grad

    def backward(self, d_output=1.0, retain_graph=False):
        r"""Compute $\partial\,\mathrm{self} / \partial x$ for every leaf $x$ that requires
        grad, and add it to `x.grad`.

        `d_output` is the gradient of some final result with respect to this Scalar (1.0
        when this Scalar is the final result). The graph's saved values are freed on the
        way unless `retain_graph=True`, so a second backward through it then fails.
        """
        if not self._requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn. "
                "Hint: make the inputs leaves that record gradients, e.g. "
                "Scalar(2.0, requires_grad=True), before computing with them."
            )
        backpropagate(graph_edge(self), float(d_output), retain_graph)

    # -- arithmetic: each runs a Function, with Scalars or Python numbers on either side --

    def __add__(self, other):
        return F.Add.apply(self, other) if _is_operand(other) else NotImplemented

    def __radd__(self, other):
        return F.Add.apply(other, self) if _is_operand(other) else NotImplemented

    def __sub__(self, other):
        return F.Sub.apply(self, other) if _is_operand(other) else NotImplemented

    def __rsub__(self, other):
        return F.Sub.apply(other, self) if _is_operand(other) else NotImplemented

    def __mul__(self, other):
        return F.Mul.apply(self, other) if _is_operand(other) else NotImplemented

    def __rmul__(self, other):
        return F.Mul.apply(other, self) if _is_operand(other) else NotImplemented

    def __truediv__(self, other):
        return F.Div.apply(self, other) if _is_operand(other) else NotImplemented

    def __rtruediv__(self, other):
        return F.Div.apply(other, self) if _is_operand(other) else NotImplemented

    def __pow__(self, other):
        return F.Pow.apply(self, other) if _is_operand(other) else NotImplemented

    def __rpow__(self, other):
        return F.Pow.apply(other, self) if _is_operand(other) else NotImplemented

    def __neg__(self):
        return F.Neg.apply(self)

    def exp(self):
        return F.Exp.apply(self)

    def log(self):
        return F.Log.apply(self)

    def sigmoid(self):
        return F.Sigmoid.apply(self)

    def relu(self):
        return F.Relu.apply(self)

    def tanh(self):
        return F.Tanh.apply(self)

    # -- comparisons: plain Python bools, not differentiable --------------------------------

    def __lt__(self, other):
        return self.data < float(other) if _is_operand(other) else NotImplemented

    def __le__(self, other):
        return self.data <= float(other) if _is_operand(other) else NotImplemented

    def __gt__(self, other):
        return self.data > float(other) if _is_operand(other) else NotImplemented

    def __ge__(self, other):
        return self.data >= float(other) if _is_operand(other) else NotImplemented

    def __eq__(self, other):
        return self.data == float(other) if _is_operand(other) else NotImplemented

    def __ne__(self, other):
        return self.data != float(other) if _is_operand(other) else NotImplemented

    # `==` compares values, so hashing goes by identity (as for tensors): Scalars can be
    # dict keys and set members without two equal values colliding.
    __hash__ = object.__hash__

    # -- conversions and printing ---------------------------------------------------------

    def __float__(self):
        return self.data

    def __bool__(self):
        return self.data != 0

    def item(self):
        """The value as a Python float (as `Tensor.item()`)."""
        return self.data

    def __repr__(self):
        if self._grad_fn is not None:
            suffix = f", grad_fn=<{self._grad_fn.name()}>"
        elif self._requires_grad:
            suffix = ", requires_grad=True"
        else:
            suffix = ""
        return f"Scalar({self.data:.4f}{suffix})"


def _is_operand(x):
    """Scalars and real Python numbers (bools, ints, floats) combine with a Scalar."""
    return isinstance(x, Scalar | numbers.Real)
