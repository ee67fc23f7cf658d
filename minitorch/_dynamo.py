"""`minitorch._dynamo`: the names of `torch._dynamo` that code around `minitorch.compile`
uses: the backends it accepts, `reset()`, and the error for an unknown backend.

minitorch captures no graphs (see `minitorch.compiler`), so there is nothing to cache or
reset; the names exist so that PyTorch code runs unchanged.
"""

_BACKENDS = {"inductor": (), "cudagraphs": (), "eager": ("debug",), "aot_eager": ("debug",)}


class TorchDynamoException(RuntimeError):
    """The base of the errors `compile` raises, as in PyTorch."""


class InvalidBackend(TorchDynamoException):
    """`compile(backend=...)` named a backend that does not exist."""

    def __init__(self, name):
        super().__init__(
            f"Invalid backend: {name!r}, see `torch._dynamo.list_backends()` for available "
            "backends."
        )


def list_backends(exclude_tags=("debug", "experimental")):
    """The names `compile(backend=...)` accepts, without those tagged as in `exclude_tags`
    (PyTorch hides its debugging backends, `eager` among them, by default)."""
    exclude = set(exclude_tags or ())
    return sorted(name for name, tags in _BACKENDS.items() if not exclude & set(tags))


def reset():
    """Forget compiled code: minitorch keeps none, so this does nothing."""
