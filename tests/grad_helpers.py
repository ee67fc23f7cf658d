"""Small helpers the op tests share: float64 leaves, a gradcheck assertion, a node's name."""

import numpy as np

import minitorch
from minitorch import autograd


def leaf(a):
    """A float64 leaf that requires grad, holding `a`."""
    return minitorch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


def check(fn, *inputs):
    """`fn`'s gradients at `inputs` match central differences."""
    assert autograd.gradcheck(fn, inputs)


def node(t):
    """The printed name of the node that made `t` (`MulBackward0`, ...)."""
    return type(t.grad_fn).__name__
