"""Whether operations record the graph that `backward()` walks: `no_grad`, `enable_grad`,
`set_grad_enabled`, each usable as a context manager or as a decorator.
"""

import functools

_state = {"enabled": True}


def is_grad_enabled():
    return _state["enabled"]


class _GradModeContext:
    """A context manager and decorator that sets the grad mode to `mode` inside."""

    mode = True

    def __enter__(self):
        self.prev = _state["enabled"]
        _state["enabled"] = self.mode
        return self

    def __exit__(self, *exc):
        _state["enabled"] = self.prev
        return False

    def __call__(self, fn):
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = _state["enabled"]
            _state["enabled"] = mode
            try:
                return fn(*args, **kwargs)
            finally:
                _state["enabled"] = prev

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
        self.prev = _state["enabled"]
        _state["enabled"] = self.mode

    def __enter__(self):
        return self

    def __call__(self, fn):
        _state["enabled"] = self.prev  # as a decorator it changes nothing until `fn` runs
        return super().__call__(fn)
