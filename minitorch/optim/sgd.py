r"""`SGD`: stochastic gradient descent, with optional momentum, Nesterov momentum and
weight decay (PyTorch's `torch.optim.SGD`, the same update to the last rounding)."""

from .. import grad_mode
from .optimizer import Optimizer


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum).

    For each parameter :math:`\theta` with gradient :math:`g_t = \nabla_\theta f(\theta_{t-1})`
    (learning rate :math:`\gamma`, momentum :math:`\mu`, dampening :math:`\tau`, weight decay
    :math:`\lambda`):

    .. math::

        g_t &\leftarrow -g_t \quad\text{if maximize} \\
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \quad\text{if } \lambda \ne 0 \\
        b_t &\leftarrow \begin{cases} g_t & t = 1 \\
                                      \mu\, b_{t-1} + (1 - \tau)\, g_t & t > 1 \end{cases}
              \quad\text{if } \mu \ne 0 \\
        g_t &\leftarrow \begin{cases} g_t + \mu\, b_t & \text{nesterov} \\
                                      b_t & \text{otherwise} \end{cases}
              \quad\text{if } \mu \ne 0 \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma\, g_t

    The momentum buffer :math:`b` starts as the first gradient itself (not zero), as in
    PyTorch; it is kept in ``optimizer.state[p]["momentum_buffer"]``.

    Args:
        params: tensors to optimize, or parameter groups (dicts).
        lr (float): learning rate :math:`\gamma`. Default: 1e-3.
        momentum (float): momentum factor :math:`\mu`. Default: 0.
        dampening (float): dampening :math:`\tau` of the momentum. Default: 0.
        weight_decay (float): L2 penalty :math:`\lambda`. Default: 0.
        nesterov (bool): use Nesterov momentum (needs momentum > 0 and dampening 0).
        maximize (bool): maximize the objective instead of minimizing it.

    Example::

        optimizer = minitorch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)

    @grad_mode.no_grad()
    def step(self, closure=None):
        """Perform one SGD step; returns the closure's loss if a closure is given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, momentum = group["lr"], group["momentum"]
            dampening, weight_decay = group["dampening"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad.neg() if group["maximize"] else p.grad
                # BEGIN SOLUTION 5.4
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = grad.detach().clone()
                        state["momentum_buffer"] = buf
                    else:
                        buf.mul_(momentum).add_(grad, alpha=1 - dampening)
                    grad = grad.add(buf, alpha=momentum) if group["nesterov"] else buf
                p.add_(grad, alpha=-lr)
                # END SOLUTION
        return loss
