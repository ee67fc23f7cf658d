r"""Gradient clipping, between `backward()` and `optimizer.step()`: it bounds one step's size
when a gradient spikes (a bad batch, the start of training, recurrent networks).

- `clip_grad_norm_(parameters, max_norm)` rescales all the gradients together, by
  $\min(1, \text{max\_norm} / (\lVert g \rVert + 10^{-6}))$, where $\lVert g \rVert$ is
  the norm of the per-tensor norms (for p > 0: of all gradients as one vector); the direction
  of the step is kept.
- `clip_grad_value_(parameters, clip_value)` clamps each element to
  $[-\text{clip\_value}, \text{clip\_value}]$; the direction changes.

Both change the `.grad` tensors in place, as PyTorch's do.
"""

import math

from ... import grad_mode
from ...creation import tensor
from ...shape_ops import stack
from ...tensor import Tensor


def _grads(parameters):
    """The `.grad` tensors of a tensor or an iterable of tensors (those that have one)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _norm(x, norm_type):
    """The p-norm of all elements of `x`, as `torch.linalg.vector_norm`: the largest
    magnitude for p = inf, the smallest for -inf, the number of non-zeros for 0."""
    if math.isinf(norm_type):
        return x.abs().max() if norm_type > 0 else x.abs().min()
    if norm_type == 0:
        return (x != 0).to(x.dtype).sum()
    return (x.abs() ** norm_type).sum() ** (1.0 / norm_type)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Scale the gradients of `parameters` so that their total `norm_type`-norm is at most
    `max_norm`; returns the total norm before clipping (a 0-d tensor). `foreach` is accepted
    for PyTorch's signature; there is one implementation."""
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return tensor(0.0)
    with grad_mode.no_grad():
        total = _norm(stack([_norm(g, norm_type) for g in grads]), norm_type)
        value = total.item()
        if error_if_nonfinite and not math.isfinite(value):
            raise RuntimeError(
                f"The total norm of order {norm_type} for gradients from `parameters` is "
                "non-finite, so it cannot be clipped. To disable this error and scale the "
                "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
        scale = min(1.0, float(max_norm) / (value + 1e-6))
        for g in grads:
            g.mul_(scale)
    return total


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element of `parameters` to [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    with grad_mode.no_grad():
        for g in _grads(parameters):
            g.clamp_(-clip_value, clip_value)
