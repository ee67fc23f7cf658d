"""`minitorch.compile`: PyTorch's `torch.compile` API, which runs the model eagerly.

What it does, honestly: it checks the arguments as PyTorch does (an unknown `backend` or
`mode` is an error), and returns a function or module that gives exactly the results of the
original, with no speed-up. Every backend behaves as PyTorch's `backend="eager"`: minitorch
captures no graph and generates no code. Code written for `torch.compile` (tutorials,
training scripts, `state_dict` keys prefixed `_orig_mod.`) runs unchanged.
"""

import functools

from . import _dynamo
from .nn.module import Module

_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")


class OptimizedModule(Module):
    """What `compile(module)` returns, as PyTorch's: it holds the module as `_orig_mod` (so
    its `state_dict` keys start with `_orig_mod.`), forwards calls to it, and reads through
    to its attributes (`compiled.weight is module.weight`)."""

    def __init__(self, mod):
        super().__init__()
        self._orig_mod = mod

    def forward(self, *args, **kwargs):
        return self._orig_mod(*args, **kwargs)

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            if name == "_modules" or "_orig_mod" not in self.__dict__.get("_modules", ()):
                raise
            return getattr(self._modules["_orig_mod"], name)


def _check(mode, options, backend):
    if mode is not None and options is not None:
        raise RuntimeError(
            "Either mode or options can be specified, but both can't be specified at the "
            "same time."
        )
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    if callable(backend):
        raise NotImplementedError(
            "minitorch.compile cannot call a custom backend: minitorch captures no graph to "
            "give it (it runs the model eagerly, as backend='eager'). Pass a backend name."
        )
    if backend not in _dynamo.list_backends(exclude_tags=()):
        raise _dynamo.InvalidBackend(backend)


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, disable=False):
    """PyTorch's `torch.compile`: returns `model` (a function or `nn.Module`) ready to call,
    with the same results. Also a decorator, with or without arguments (`@compile`,
    `@compile(mode="max-autotune")`).

    minitorch does not compile: whatever `backend`, `mode`, `fullgraph` and `dynamic` say,
    the result runs the model eagerly (PyTorch's `backend="eager"`), so it is exactly as
    fast as the model itself. Unknown backends and modes are refused as in PyTorch. A
    module comes back wrapped in an `OptimizedModule` (state_dict keys `_orig_mod.*`); with
    `disable=True` the model comes back unchanged.
    """
    _check(mode, options, backend)
    if model is None:
        return functools.partial(compile, fullgraph=fullgraph, dynamic=dynamic,
                                 backend=backend, mode=mode, options=options, disable=disable)
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    if disable:
        return model
    if isinstance(model, Module):
        return OptimizedModule(model)

    @functools.wraps(model)
    def compiled(*args, **kwargs):
        return model(*args, **kwargs)

    return compiled
