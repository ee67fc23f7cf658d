"""`minitorch.autograd`: `backward` and `grad` over several outputs, `Function` for
user-defined differentiable operations (`forward(ctx, ...)` / `backward(ctx, grad)`), and
`gradcheck`, which compares the gradients `grad` computes with central differences, and
`graph.saved_tensors_hooks`, which sees what the graph keeps for backward.
"""

from types import SimpleNamespace

import numpy as np

from . import grad_mode
from .autodiff import Function, backpropagate, central_difference, graph_edge, saved_tensors_hooks
from .tensor_core import TensorCore

__all__ = ["Function", "GradcheckError", "backward", "grad", "gradcheck", "graph"]

# `minitorch.autograd.graph`: the part of PyTorch's `torch.autograd.graph` that minitorch has.
graph = SimpleNamespace(saved_tensors_hooks=saved_tensors_hooks)


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
    ones = output.backend.full(output.shape, 1, output.dtype.numpy)
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
        if not isinstance(x, TensorCore):
            raise TypeError(f"grad(): input {i} is a {type(x).__name__}, not a Tensor")
        if not x._requires_grad:
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


class GradcheckError(RuntimeError):
    """Autograd's gradient and the finite-difference estimate disagree."""


def _outputs(func, inputs):
    out = func(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in outs if isinstance(o, TensorCore) and o.dtype.is_floating_point]


def _flat_values(outputs):
    return np.concatenate([o._data.numpy().astype(np.float64).reshape(-1) for o in outputs]) \
        if outputs else np.zeros(0)


def _numerical_column(func, inputs, i, k, eps):
    """d(all outputs)/d(element k of input i), by a central difference in float64."""
    base = inputs[i]._data.numpy().astype(np.float64).reshape(-1)

    def outputs_at(value):
        values = base.copy()
        values[k] = value
        moved = inputs[i]._make_from_numpy(values.reshape(inputs[i].shape), inputs[i].dtype)
        moved.requires_grad_()  # `func` may itself differentiate (autograd.grad inside)
        args = list(inputs)
        args[i] = moved
        return _flat_values(_outputs(func, args))

    return central_difference(outputs_at, base[k], epsilon=eps)


def _analytical_rows(outputs, inputs, checked):
    """Per output element, the gradient of that element with respect to each checked input."""
    rows = []
    for o in outputs:
        for j in range(o.numel()):
            onehot = np.zeros(o.numel())
            onehot[j] = 1.0
            seed = o._make_from_numpy(onehot.reshape(o.shape), o.dtype)
            grads = grad(o, [inputs[i] for i in checked], grad_outputs=seed,
                         retain_graph=True, allow_unused=True)
            rows.append([np.zeros(inputs[i].numel()) if g is None
                         else g._data.numpy().astype(np.float64).reshape(-1)
                         for i, g in zip(checked, grads)])
    return rows


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """True if `func`'s gradients at `inputs` match central differences; else a
    `GradcheckError` naming the input and output whose Jacobians differ (or False when
    `raise_exception=False`).

    As `torch.autograd.gradcheck`: for every input that requires grad and every output, the
    Jacobian from backward passes must match the one from finite differences. Use float64
    inputs: in float32 the finite differences are too coarse for the tolerances.
    """
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, TensorCore) and x._requires_grad]
    if not checked:
        raise ValueError("gradcheck expects at least one input tensor to require gradient")
    outputs = _outputs(func, inputs)
    n_out = sum(o.numel() for o in outputs)
    rows = _analytical_rows(outputs, inputs, checked)
    for position, i in enumerate(checked):
        n_in = inputs[i].numel()
        analytical = np.array([row[position] for row in rows]).reshape(n_out, n_in).T
        numerical = np.array(
            [_numerical_column(func, inputs, i, k, eps) for k in range(n_in)]
        ).reshape(n_in, n_out)
        if not np.allclose(analytical, numerical, rtol=rtol, atol=atol, equal_nan=True):
            if not raise_exception:
                return False
            raise GradcheckError(
                f"Jacobian mismatch for the outputs with respect to input {i} "
                f"(shape {list(inputs[i].shape)}, rows: input elements, columns: output "
                f"elements),\nnumerical:\n{numerical}\nanalytical:\n{analytical}\n"
                "The backward of an operation on the way gives a wrong gradient."
            )
    return True


class _VariableType(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, TensorCore)  # as PyTorch's: every tensor is a Variable


class Variable(metaclass=_VariableType):
    """The wrapper of PyTorch before 0.4, which older code still calls:
    `Variable(x, requires_grad=True)` returns a tensor sharing `x`'s storage (`.data`,
    `.grad` and the rest are the tensor's own)."""

    def __new__(cls, data, requires_grad=False, volatile=False):
        if not isinstance(data, TensorCore):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(requires_grad)
