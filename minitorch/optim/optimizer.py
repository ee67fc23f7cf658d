r"""`Optimizer`: the base class of every optimizer (`SGD`, `Adam`, `AdamW`, ...).

An optimizer holds the tensors it updates in *parameter groups*: dicts with a list of
tensors under ``"params"`` and the hyper-parameters that apply to them (``"lr"``,
``"momentum"``, ...). Per-parameter memory (a momentum buffer, Adam's moment estimates)
lives in ``optimizer.state[p]``. A training step is always the same three lines::

    optimizer.zero_grad()          # forget the gradients of the previous step
    loss_fn(model(x), y).backward()  # fill p.grad for every parameter p
    optimizer.step()               # p <- p - (something computed from p.grad)

The update runs under `minitorch.no_grad()` and writes into each parameter's own storage
(`p.add_(...)`), so the parameters stay the same leaf tensors (a module that holds them sees
the new values) and no graph is recorded. As in PyTorch, a parameter whose ``.grad`` is
None (it took no part in the loss) is skipped.
"""

import copy
import warnings
from collections import defaultdict
from itertools import chain

from .. import grad_mode
from ..tensor import Tensor


class _RequiredParameter:
    """The default of a hyper-parameter that every group must give (PyTorch's `required`)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj):
    if isinstance(obj, Tensor):
        return "minitorch." + type(obj).__name__
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module == "builtins" else f"{module}.{name}"


def _get_value(x):
    """A Python number from a number or a one-element tensor (the `step` counter)."""
    return x.item() if isinstance(x, Tensor) else x


class Optimizer:
    r"""Base class of all optimizers.

    Args:
        params: an iterable of tensors, or of dicts (parameter groups) each with a
            ``"params"`` entry and, optionally, hyper-parameters that override `defaults`
            for that group::

                SGD([{"params": model.body.parameters()},
                     {"params": model.head.parameters(), "lr": 1e-2}], lr=1e-3, momentum=0.9)

        defaults: the hyper-parameters a group takes when it does not name them.

    Subclasses implement `step()`; this class provides the bookkeeping: `param_groups`,
    `state`, `zero_grad`, `add_param_group`, `state_dict` and `load_state_dict`.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                "dicts, but got " + _typename(params)
            )
        self.state = defaultdict(dict)
        self.param_groups = []

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # ----- pickling / copying (the scheduler may wrap `step` on the instance) ------------
    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # ----- groups ------------------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with ``"params"`` and optional options).

        Useful to start training layers that were frozen so far. Options the group does not
        give are taken from the optimizer's `defaults`.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list "
                "instead."
            )
        else:
            param_group["params"] = list(params)

        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    + _typename(param)
                )
            if not param.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            param_group.setdefault(name, default)

        params = param_group["params"]
        if len({id(p) for p in params}) != len(params):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, "
                "this will cause an error; see github.com/pytorch/pytorch/issues/40967 for "
                "more information",
                stacklevel=3,
            )
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ----- gradients -----------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors.

        With ``set_to_none=True`` (the default) each ``p.grad`` becomes None: the next
        `backward()` stores a fresh gradient, and `step()` skips parameters that received
        none. With ``set_to_none=False`` the gradient tensors are kept and filled with zeros
        (a zero gradient still moves a parameter under momentum or weight decay).
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    with grad_mode.no_grad():
                        p.grad.zero_()

    def step(self, closure=None):
        """Perform one optimization step (update every parameter that has a gradient).

        `closure`, if given, is a function that re-evaluates the model and returns the loss;
        it runs with gradients enabled and its value is returned.
        """
        raise NotImplementedError(
            f"{type(self).__name__}.step: an optimizer subclass must implement step()"
        )

    def _evaluate(self, closure):
        """Run `closure` (with the graph recorded) and return its loss, or None."""
        if closure is None:
            return None
        with grad_mode.enable_grad():
            return closure()

    # ----- saving and restoring -------------------------------------------------------------
    def state_dict(self):
        """The optimizer's state as a dict, with parameters replaced by their index.

        ``{"state": {index: {"momentum_buffer": tensor, ...}, ...},
        "param_groups": [{"lr": ..., ..., "params": [0, 1]}, ...]}``. Indices count the
        parameters across the groups in order, so the dict can be loaded into a new optimizer
        built over the same parameters (e.g. after `model.load_state_dict`). As in PyTorch,
        the state tensors are the optimizer's own (not copies); `minitorch.save` writes them.
        """
        mapping = {}
        start = 0

        def pack_group(group):
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {
            (mapping[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()
        }
        return {"state": packed_state, "param_groups": param_groups}

    def load_state_dict(self, state_dict):
        """Restore a state saved by `state_dict()` (hyper-parameters and per-parameter state).

        The saved groups must match this optimizer's: the same number of groups, with the
        same number of parameters each. Saved state tensors are copied (cast to each
        parameter's floating dtype), so two optimizers never share a buffer.
        """
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= state_dict.keys():
            raise ValueError(
                "load_state_dict expects a dict with the keys 'state' and 'param_groups' "
                "(what optimizer.state_dict() returns)"
            )
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError(
                "loaded state dict has a different number of parameter groups "
                f"(it has {len(saved_groups)}, this optimizer has {len(groups)})"
            )
        for i, (g, s) in enumerate(zip(groups, saved_groups)):
            if len(g["params"]) != len(s["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size "
                    f"of optimizer's group (group {i}: {len(s['params'])} saved parameters, "
                    f"{len(g['params'])} in this optimizer)"
                )
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def cast(param, value, key=None):
            if isinstance(value, Tensor):
                if key != "step" and param.is_floating_point():
                    value = value.to(param.dtype)
                return value.detach().clone()
            if isinstance(value, dict):
                return {k: cast(param, v, key=k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v)
            else:
                state[k] = v
        for g, s in zip(groups, saved_groups):
            s["params"] = g["params"]
        self.__setstate__({"state": state, "param_groups": saved_groups})
