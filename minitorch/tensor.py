"""`Tensor`: an n-dimensional array of one dtype, PyTorch's user-facing object.

Its parts live by concern: `tensor_core` (data, dtype, conversions, printing),
`elementwise`, `reductions`, `shape_ops`, `indexing` and `linalg`.
"""

from . import dtypes
from .elementwise import ElementwiseOps
from .indexing import IndexingOps
from .linalg import LinalgOps
from .random import RandomFills
from .reductions import ReductionOps
from .shape_ops import ShapeOps
from .tensor_core import TensorCore


class Tensor(
    TensorCore, ElementwiseOps, ReductionOps, ShapeOps, IndexingOps, LinalgOps, RandomFills
):
    """An n-dimensional array: storage viewed through a shape and strides.

    Create tensors with `minitorch.tensor`, `zeros`, `randn`, ...; `Tensor(data)` with a
    nested list makes a float32 tensor and `Tensor(2, 3)` an uninitialised 2 x 3 one, as in
    PyTorch.
    """

    __slots__ = ()

    def __new__(cls, *args):
        from .creation import empty, tensor  # creation builds on this class

        if len(args) == 1 and not isinstance(args[0], int):
            return tensor(args[0], dtype=dtypes.float32)
        return empty(*args, dtype=dtypes.float32)

    def __init__(self, *args):
        pass

