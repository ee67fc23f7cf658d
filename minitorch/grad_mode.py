"""Whether operations record the graph that `backward()` walks: `no_grad`, `enable_grad`,
`set_grad_enabled`, `inference_mode`, each usable as a context manager or as a decorator.
"""

import functools

_state = {"enabled": True, "inference": False}


def is_grad_enabled():
    return _state["enabled"]


def is_inference_mode_enabled():
    return _state["inference"]


class _GradModeContext:
    """A context manager and decorator that sets the grad mode to `mode` inside."""

    mode = True

    def _settings(self):
        """The entries of `_state` to set inside."""
        return {"enabled": self.mode}

    def __enter__(self):
        settings = self._settings()
        self.prev = {key: _state[key] for key in settings}
        _state.update(settings)
        return self

    def __exit__(self, *exc):
        _state.update(self.prev)
        return False

    def __call__(self, fn):
        settings = self._settings()

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = {key: _state[key] for key in settings}
            _state.update(settings)
            try:
                return fn(*args, **kwargs)
            finally:
                _state.update(prev)

        return wrapper


class no_grad(_GradModeContext):
    """Inside, operations record no graph: for inference and for updating parameters."""

    mode = False


class enable_grad(_GradModeContext):
    """Inside, operations record the graph again (even within `no_grad`)."""

    mode = True


class set_grad_enabled(_GradModeContext):
    """Turn gradient recording on or off: `with set_grad_enabled(False): ...`.

    Called plainly (`set_grad_enabled(False)`) it switches the mode until switched back.
    """

    def __init__(self, mode):
        self.mode = bool(mode)
        self.prev = {"enabled": _state["enabled"]}
        _state["enabled"] = self.mode

    def __enter__(self):
        return self

    def __call__(self, fn):
        _state.update(self.prev)  # as a decorator it changes nothing until `fn` runs
        return super().__call__(fn)


class inference_mode(_GradModeContext):
    """`no_grad` for inference: inside (with `mode=True`), operations record no graph and
    `is_inference_mode_enabled()` is True. (PyTorch also marks the tensors made inside as
    inference tensors; minitorch does not.) `@inference_mode` works without parentheses too."""

    def __new__(cls, mode=True):
        if callable(mode):
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        self.mode = bool(mode)

    def _settings(self):
        if not self.mode:
            return {"inference": False}
        return {"enabled": False, "inference": True}
