"""minitorch: a small PyTorch-compatible tensor library, built step by step in the course.

`import minitorch as torch` runs the covered subset of PyTorch code unchanged: the same
names, arguments, defaults, dtypes, printed forms and results.
"""

from . import accelerator, autograd, backends, cuda, dtypes, random, return_types
from ._tensor_str import set_printoptions
from .autodiff import central_difference
from .backends import (
    get_default_backend,
    get_default_device,
    set_default_backend,
    set_default_device,
)
from .conversions import clone
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
    logspace,
    normal,
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
from .cumulative import cumprod, cumsum
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
from .einsum import einsum
from .elementwise import (
    abs,
    add,
    allclose,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    ceil,
    clamp,
    clamp_min,
    clip,
    cos,
    cosh,
    div,
    divide,
    eq,
    equal,
    erf,
    exp,
    fix,
    floor,
    floor_divide,
    ge,
    greater,
    greater_equal,
    gt,
    isclose,
    isfinite,
    isinf,
    isnan,
    le,
    lerp,
    less,
    less_equal,
    log,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    lt,
    masked_fill,
    maximum,
    minimum,
    mul,
    multiply,
    nan_to_num,
    ne,
    neg,
    negative,
    not_equal,
    pow,
    reciprocal,
    relu,
    remainder,
    round,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    sub,
    subtract,
    tan,
    tanh,
    true_divide,
    trunc,
)
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .histograms import bincount, histc
from .indexing import nonzero
from .legacy import BoolTensor, DoubleTensor, FloatTensor, IntTensor, LongTensor
from .linalg import (
    addmm,
    addmv,
    baddbmm,
    bmm,
    cdist,
    cross,
    dot,
    ger,
    inner,
    kron,
    matmul,
    mm,
    mv,
    outer,
    tensordot,
    trace,
)
from .random import Generator, default_generator, initial_seed, manual_seed, seed
from .reductions import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    log_softmax,
    logsumexp,
    max,
    mean,
    median,
    min,
    mode,
    norm,
    prod,
    softmax,
    std,
    std_mean,
    sum,
    var,
    var_mean,
)
from .repeat_ops import meshgrid, repeat_interleave, tile
from .sampling import bernoulli, multinomial, poisson
from .scalar import Scalar
from .selection import index_select, masked_select, scatter, scatter_add
from .shape_ops import (
    broadcast_shapes,
    broadcast_tensors,
    broadcast_to,
    cat,
    chunk,
    diag,
    diagonal,
    flatten,
    flip,
    fliplr,
    flipud,
    gather,
    narrow,
    permute,
    reshape,
    roll,
    select,
    split,
    squeeze,
    stack,
    swapaxes,
    swapdims,
    t,
    transpose,
    tril,
    triu,
    unbind,
    unflatten,
    unsqueeze,
)
from .size import Size
from .sorting import argsort, bucketize, searchsorted, sort, topk, unique
from .tensor import Tensor
from .tensor_functions import where

__version__ = "0.1.0"

concat = concatenate = cat
numel = Tensor.numel
detach = Tensor.detach


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


# PyTorch's short dtype names (they shadow builtins inside this module only)
float = float32
double = float64
int = int32
long = int64
bool = dtypes.bool_

# The layers above the tensor library (they import minitorch, so they come last)
from . import _dynamo, datasets, func, nn, optim, plot, serialization, utils  # noqa: E402
from .compiler import compile  # noqa: E402
from .func import vmap  # noqa: E402
from .serialization import load, save  # noqa: E402
