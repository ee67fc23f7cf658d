"""`minitorch.autograd`: `backward` and `grad` over several outputs, and `Function` for
user-defined differentiable operations (`forward(ctx, ...)` / `backward(ctx, grad)`).
"""

import numpy as np

from . import grad_mode
from .autodiff import Function, backpropagate, graph_edge
from .tensor_data import TensorData

__all__ = ["Function", "GradcheckError", "backward", "grad", "gradcheck"]


def _seed_gradient(output, gradient):
    """The gradient to start from: `gradient`, or 1 for a one-element output."""
    if gradient is not None:
        if gradient.shape != output.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[0] has a shape of {list(gradient.shape)} and "
                f"output[0] has a shape of {list(output.shape)}."
            )
        return gradient
    if output.numel() != 1:
        raise RuntimeError(
            f"grad can be implicitly created only for scalar outputs (this output has shape "
            f"{list(output.shape)}): pass `gradient=` (e.g. minitorch.ones_like(output)) or "
            "reduce it first (output.sum().backward())."
        )
    ones = TensorData(np.ones(1, dtype=output.dtype.numpy), output.shape)
    return output._make(ones, output.dtype, output.backend)


def _root(output, i):
    node = graph_edge(output)
    if node is None:
        raise RuntimeError(
            f"element {i} of tensors does not require grad and does not have a grad_fn: "
            "nothing it was computed from has requires_grad=True (set it on the inputs before "
            "computing, and do not compute under no_grad())."
        )
    return node


def run_backward(outputs, gradients, retain_graph=None, create_graph=False, capture=None):
    """Backpropagate from each output with its gradient (the engine of backward and grad)."""
    retain_graph = create_graph if retain_graph is None else retain_graph
    with grad_mode.set_grad_enabled(create_graph):
        for i, (output, gradient) in enumerate(zip(outputs, gradients)):
            root = _root(output, i)
            backpropagate(root, _seed_gradient(output, gradient), retain_graph, capture)


def _as_tuple(x):
    if x is None:
        return None
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False):
    """`t.backward(g)` for each tensor and gradient of the sequences given."""
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors) or (None,) * len(tensors)
    run_backward(tensors, grad_tensors, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """The gradients of `outputs` with respect to each of `inputs`, as a tuple.

    Unlike `backward()`, nothing is added to any `.grad`.
    """
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs) or (None,) * len(outputs)
    nodes = []
    for i, x in enumerate(inputs):
        if not getattr(x, "_requires_grad", False):
            raise RuntimeError(
                f"One of the differentiated Tensors (input {i}) does not require grad: set "
                "requires_grad=True on it before computing the outputs."
            )
        nodes.append(graph_edge(x))
    capture = dict.fromkeys(nodes)
    total = {}
    for output, gradient in zip(outputs, grad_outputs):
        run_backward((output,), (gradient,), retain_graph, create_graph, capture)
        for node in nodes:  # several outputs: their contributions add up
            if capture[node] is not None:
                total[node] = capture[node] if node not in total else total[node] + capture[node]
                capture[node] = None
    result = tuple(total.get(node) for node in nodes)
    if not allow_unused and any(g is None for g in result):
        raise RuntimeError(
            "One of the differentiated Tensors appears to not have been used in the graph. "
            "Set allow_unused=True if this is the desired behavior."
        )
    return result


from .gradcheck import GradcheckError, gradcheck  # noqa: E402 - gradcheck builds on grad above
