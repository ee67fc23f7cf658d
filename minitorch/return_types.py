"""Named results of reductions and sorts, printed like PyTorch's `torch.return_types`."""

from collections import namedtuple


def _named_result(name):
    base = namedtuple(name, ["values", "indices"])

    def __repr__(self):
        return f"minitorch.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"

    return type(name, (base,), {"__slots__": (), "__repr__": __repr__})


max = _named_result("max")
min = _named_result("min")
median = _named_result("median")
mode = _named_result("mode")
sort = _named_result("sort")
topk = _named_result("topk")
