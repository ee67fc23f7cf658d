"""`minitorch.device`: where a tensor's storage lives."""


class device:
    """Where a tensor's storage lives: `device(type='cpu')` or `device(type='cuda', index=0)`
    (the GPU, or Numba's CUDA simulator standing in for one)."""

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


def as_device(dev):
    """The device a creation or `.to()` call names (a string, an int for a GPU, a device),
    or None where none is named."""
    if dev is None or isinstance(dev, device):
        return dev
    if isinstance(dev, int) and not isinstance(dev, bool):
        return device("cuda", dev)
    return device(dev)
