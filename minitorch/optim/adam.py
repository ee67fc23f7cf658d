r"""`Adam` and `AdamW`: adaptive moment estimation, with L2 or decoupled weight decay
(PyTorch's `torch.optim.Adam` / `torch.optim.AdamW`, the same update step by step)."""

from .. import grad_mode
from ..creation import tensor, zeros_like
from ..dtypes import float32
from ..tensor import Tensor
from .optimizer import Optimizer, _get_value


def _lerp_(start, end, weight):
    """`start += weight * (end - start)` in place, rounded as PyTorch's `lerp_` rounds it."""
    if weight < 0.5:
        return start.add_(end - start, alpha=weight)
    return start.copy_(end - (end - start) * (1 - weight))


class Adam(Optimizer):
    r"""Adam: gradient descent with per-coordinate step sizes from running moment estimates.

    For each parameter :math:`\theta` with gradient :math:`g_t` at step :math:`t = 1, 2, ...`
    (learning rate :math:`\gamma`, betas :math:`\beta_1, \beta_2`, weight decay
    :math:`\lambda`; :math:`m_0 = v_0 = \hat v_0^{max} = 0`):

    .. math::

        g_t &\leftarrow -g_t \quad\text{if maximize} \\
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1}
              \quad\text{(L2 penalty; AdamW instead uses }
              \theta_{t-1} \leftarrow (1 - \gamma\lambda)\,\theta_{t-1}) \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t
              \quad\text{(first moment: a running mean of } g) \\
        v_t &\leftarrow \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2
              \quad\text{(second moment: a running mean of } g^2) \\
        \hat m_t &= m_t / (1 - \beta_1^t), \qquad \hat v_t = v_t / (1 - \beta_2^t)
              \quad\text{(bias correction: } m_0 = v_0 = 0 \text{ pulls early values to 0)} \\
        \hat v_t &\leftarrow v_t^{max} / (1 - \beta_2^t),\ v_t^{max} = \max(v_{t-1}^{max}, v_t)
              \quad\text{if amsgrad} \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    As in PyTorch the last line is computed as
    :math:`\theta - \frac{\gamma}{1-\beta_1^t}\, m_t / (\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon)`.
    ``optimizer.state[p]`` holds ``step`` (a 0-d float32 tensor), ``exp_avg`` (:math:`m`),
    ``exp_avg_sq`` (:math:`v`) and, with amsgrad, ``max_exp_avg_sq``.

    Args:
        params: tensors to optimize, or parameter groups (dicts).
        lr (float): learning rate :math:`\gamma`. Default: 1e-3.
        betas (tuple[float, float]): :math:`(\beta_1, \beta_2)`. Default: (0.9, 0.999).
        eps (float): :math:`\epsilon`, added to the denominator. Default: 1e-8.
        weight_decay (float): :math:`\lambda`. Default: 0.
        amsgrad (bool): use the maximum of past second moments (AMSGrad). Default: False.
        maximize (bool): maximize the objective instead of minimizing it.
        decoupled_weight_decay (bool): apply weight decay as AdamW does. Default: False.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False, decoupled_weight_decay=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "betas": tuple(_get_value(b) for b in betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("decoupled_weight_decay", False)
            for p in group["params"]:
                p_state = self.state.get(p, {})
                if p_state and not isinstance(p_state.get("step"), Tensor):
                    p_state["step"] = tensor(float(p_state["step"]), dtype=float32)

    def _init_state(self, p, group):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = tensor(0.0, dtype=float32)
            state["exp_avg"] = zeros_like(p)
            state["exp_avg_sq"] = zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = zeros_like(p)
        return state

    @grad_mode.no_grad()
    def step(self, closure=None):
        """Perform one Adam step; returns the closure's loss if a closure is given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self._init_state(p, group)
                grad = p.grad.neg() if group["maximize"] else p.grad
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                state["step"] += 1
                step = _get_value(state["step"])  # t = 1, 2, ... (a Python number)
                # BEGIN SOLUTION 5.5
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        p.mul_(1 - lr * weight_decay)
                    else:
                        grad = grad.add(p, alpha=weight_decay)

                _lerp_(exp_avg, grad, 1 - beta1)
                exp_avg_sq.mul_(beta2).add_(grad * grad, alpha=1 - beta2)

                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                step_size = lr / bias_correction1
                bias_correction2_sqrt = bias_correction2**0.5

                if group["amsgrad"]:
                    max_exp_avg_sq = state["max_exp_avg_sq"]
                    max_exp_avg_sq.copy_(max_exp_avg_sq.maximum(exp_avg_sq))
                    denom = (max_exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
                else:
                    denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
                p.add_(exp_avg / denom, alpha=-step_size)
                # END SOLUTION
        return loss


class AdamW(Adam):
    r"""AdamW: Adam with *decoupled* weight decay.

    Plain Adam adds :math:`\lambda\theta` to the gradient, so the decay is rescaled by the
    adaptive step like any gradient. AdamW shrinks the parameter directly before the Adam
    step, by the same factor for every coordinate:

    .. math::

        \theta_{t-1} \leftarrow (1 - \gamma\lambda)\,\theta_{t-1}, \qquad
        \text{then the Adam update of } \theta \text{ with the plain gradient } g_t.

    Same arguments as `Adam`, with ``weight_decay`` defaulting to 1e-2.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
