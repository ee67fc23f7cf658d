"""`gradcheck`: compare the gradients autograd computes with central differences.

Like `torch.autograd.gradcheck`: for every input that requires grad and every output, the
Jacobian from backward passes must match the one from finite differences. Use float64
inputs: in float32 the finite differences are too coarse for the tolerances.
"""

import numpy as np

from .autodiff import central_difference
from .autograd import grad


class GradcheckError(RuntimeError):
    """Autograd's gradient and the finite-difference estimate disagree."""


def _outputs(func, inputs):
    out = func(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in outs if hasattr(o, "_data") and o.dtype.is_floating_point]


def _flat_values(outputs):
    return np.concatenate([o.detach().numpy().astype(np.float64).reshape(-1) for o in outputs]) \
        if outputs else np.zeros(0)


def _numerical_column(func, inputs, i, k, eps):
    """d(all outputs)/d(element k of input i), by a central difference in float64."""
    base = inputs[i].detach().numpy().astype(np.float64).reshape(-1)

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
                         else g.detach().numpy().astype(np.float64).reshape(-1)
                         for i, g in zip(checked, grads)])
    return rows


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """True if `func`'s gradients at `inputs` match central differences; else a
    `GradcheckError` naming the input and output whose Jacobians differ (or False when
    `raise_exception=False`)."""
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    checked = [i for i, x in enumerate(inputs) if getattr(x, "_requires_grad", False)]
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
