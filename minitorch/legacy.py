"""PyTorch's legacy typed constructors: `FloatTensor`, `LongTensor`, ...

`minitorch.LongTensor(4, 6)` makes a 4 x 6 int64 tensor and `minitorch.FloatTensor([1, 2])`
a float32 one from data; `isinstance(t, minitorch.FloatTensor)` checks the dtype, as in
older tutorials.
"""

from . import dtypes
from .tensor import Tensor, construct


class _TypedTensorMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype

    def __call__(cls, *args):
        return construct(cls.dtype, args)


def _typed(name, dtype):
    return _TypedTensorMeta(name, (), {"dtype": dtype, "__doc__": f"A {dtype} tensor."})


FloatTensor = _typed("FloatTensor", dtypes.float32)
DoubleTensor = _typed("DoubleTensor", dtypes.float64)
LongTensor = _typed("LongTensor", dtypes.int64)
IntTensor = _typed("IntTensor", dtypes.int32)
BoolTensor = _typed("BoolTensor", dtypes.bool_)
