"""The recorded graph against PyTorch's, where PyTorch is installed: for the same
computation, `grad_fn.next_functions` has the same (node type, input_nr) pairs all the way
down to the leaves' AccumulateGrad nodes, with (None, 0) for inputs that need no gradient.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minitorch  # noqa: E402


def shape_of_graph(node):
    """The graph below `node` as nested (type name, input_nr, children) tuples."""
    if node is None:
        return None
    return (type(node).__name__,
            tuple((shape_of_graph(parent), nr) for parent, nr in node.next_functions))


GRAPHS = {
    "mul and add": lambda lib, x, w: x * w[0] + 3,
    "linear": lambda lib, x, w: lib.nn.functional.linear(x, w, w[0]),
    "exp used twice": lambda lib, x, w: w.exp() * w.exp().sum(),
    "matmul and relu": lambda lib, x, w: (x @ w.t()).relu(),
}


@pytest.mark.parametrize("name", list(GRAPHS))
def test_next_functions_match_pytorch(name):
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(2, 3)), rng.normal(size=(3, 3))
    ours = GRAPHS[name](minitorch, minitorch.tensor(x), minitorch.tensor(w, requires_grad=True))
    theirs = GRAPHS[name](torch, torch.tensor(x), torch.tensor(w, requires_grad=True))
    assert shape_of_graph(ours.grad_fn) == shape_of_graph(theirs.grad_fn)
