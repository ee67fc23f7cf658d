"""minitorch: a small PyTorch-compatible tensor library, built step by step in the course.

`import minitorch as torch` runs the covered subset of PyTorch code unchanged: the same
names, arguments, defaults, dtypes, printed forms and results.
"""

from . import autograd, cuda, dtypes, random, return_types
from ._tensor_str import set_printoptions
from .autodiff import central_difference
from .backends import get_default_backend, set_default_backend
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .device import device
from .dtypes import (
    dtype,
    float32,
    float64,
    get_default_dtype,
    int32,
    int64,
    promote_types,
    result_type,
    set_default_dtype,
)
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .legacy import BoolTensor, DoubleTensor, FloatTensor, IntTensor, LongTensor
from .random import Generator, default_generator, initial_seed, manual_seed, seed
from .scalar import Scalar
from .shape_ops import cat, stack
from .size import Size
from .tensor import Tensor
from .tensor_functions import where

__version__ = "0.1.0"


def _function(name):
    """`minitorch.<name>(input, ...)`: the module-level form of the method `Tensor.<name>`."""
    method = getattr(Tensor, name)

    def function(input, *args, **kwargs):
        if not isinstance(input, Tensor):  # minitorch.pow(2, t): a number as a 0-d tensor
            input = tensor(input)
        return method(input, *args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = method.__doc__
    return function


_FUNCTIONS = (
    "add sub subtract mul multiply div divide true_divide floor_divide remainder pow neg "
    "negative square abs sign exp log log1p sqrt sin cos tanh sigmoid relu erf reciprocal floor "
    "ceil maximum minimum clamp clip clamp_min masked_fill isnan equal allclose "
    "lt le gt ge eq ne less less_equal greater greater_equal not_equal logical_not logical_and "
    "logical_or bitwise_and bitwise_or bitwise_xor bitwise_not "
    "sum mean prod max min amax amin argmax argmin all any var std logsumexp softmax "
    "log_softmax "
    "reshape flatten transpose swapaxes swapdims t permute squeeze unsqueeze narrow unbind "
    "unflatten select chunk split gather matmul mm bmm mv dot inner numel clone detach nonzero "
    "bernoulli"
).split()
globals().update({name: _function(name) for name in _FUNCTIONS})


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


concat = concatenate = cat

# PyTorch's short dtype names (they shadow builtins inside this module only)
float = float32
double = float64
int = int32
long = int64
bool = dtypes.bool_

# The layers above the tensor library (they import minitorch, so they come last)
from . import datasets, nn, optim, plot, serialization, utils  # noqa: E402
from .serialization import load, save  # noqa: E402
