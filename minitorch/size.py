"""`minitorch.Size`: the shape of a tensor, a tuple that prints like PyTorch's."""

import math


class Size(tuple):
    """A tuple of dimension sizes, printed as `minitorch.Size([2, 3])`."""

    __slots__ = ()

    def __repr__(self):
        return f"minitorch.Size({list(self)})"

    __str__ = __repr__

    def __getitem__(self, key):
        item = tuple.__getitem__(self, key)
        return Size(item) if isinstance(key, slice) else item

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def numel(self):
        """The number of elements a tensor of this shape holds."""
        return math.prod(self)
