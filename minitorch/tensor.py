"""`Tensor`: an n-dimensional array of one dtype, PyTorch's user-facing object.

Its parts live by concern: `tensor_core` (data, dtype, conversions, printing),
`tensor_autograd`, `elementwise`, `inplace`, `reductions`, `shape_ops`, `indexing`,
`linalg` and `random`.
"""

from . import dtypes
from .elementwise import ElementwiseOps
from .indexing import IndexingOps
from .inplace import InplaceOps
from .linalg import LinalgOps
from .random import RandomFills
from .reductions import ReductionOps
from .shape_ops import ShapeOps
from .size import Size
from .tensor_autograd import AutogradOps
from .tensor_core import TensorCore


class Tensor(
    TensorCore, AutogradOps, ElementwiseOps, InplaceOps, ReductionOps, ShapeOps, IndexingOps,
    LinalgOps, RandomFills,
):
    """An n-dimensional array: storage viewed through a shape and strides.

    Create tensors with `minitorch.tensor`, `zeros`, `randn`, ...; `Tensor(data)` with a
    nested list makes a float32 tensor and `Tensor(2, 3)` an uninitialised 2 x 3 one, as in
    PyTorch.
    """

    __slots__ = ()

    def __new__(cls, *args):
        return construct(dtypes.float32, args)

    def __init__(self, *args):
        pass


def construct(dtype, args):
    """PyTorch's legacy constructors: `Tensor(data)`, `Tensor(2, 3)` or `Tensor(size)`."""
    from .creation import empty, tensor  # creation builds on this module

    if len(args) == 1 and not isinstance(args[0], (int, Size)):
        return tensor(args[0], dtype=dtype)
    if not args:
        return empty(0, dtype=dtype)
    return empty(*args, dtype=dtype)
