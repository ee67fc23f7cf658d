"""`minitorch.device`: where a tensor's storage lives."""


class device:
    """A device such as `device(type='cpu')`; GPUs arrive with the CUDA backend."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        name, _, number = str(type).partition(":")
        if name not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {type}"
            )
        self.type = name
        self.index = int(number) if number else index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


cpu = device("cpu")


def check_device(dev):
    """The device a creation or `.to()` call asked for; only the CPU exists so far."""
    if dev is None:
        return cpu
    dev = dev if isinstance(dev, device) else device(dev)
    if dev.type != "cpu":
        raise RuntimeError(
            f"minitorch has no '{dev.type}' backend yet: tensors live on the CPU. "
            "The CUDA backend is built in assignment 06."
        )
    return cpu
