"""`Tensor`: an n-dimensional array of one dtype, PyTorch's user-facing object.

`TensorCore` holds the data and the autograd state; each method here is the function of
the same name in the module of its kind (`elementwise`, `reductions`, `shape_ops`,
`linalg`, `inplace`, `sampling`, `conversions`), which runs the operation's `Function` of
`tensor_functions` (forward and backward side by side), which computes with the backend.
"""

import numpy as np

from . import (
    conversions,
    cumulative,
    dtypes,
    elementwise,
    histograms,
    inplace,
    linalg,
    reductions,
    repeat_ops,
    sampling,
    selection,
    shape_ops,
    sorting,
)
from . import tensor_functions as F
from .array_data import as_array
from .autograd import run_backward
from .indexing import nonzero
from .size import Size
from .tensor_core import TensorCore
from .tensor_data import TensorData


class Tensor(TensorCore):
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

    # ----- statistics, rounding and sampling (PyTorch's everyday API) --------------------
    median = reductions.median
    mode = reductions.mode
    norm = reductions.norm
    round = elementwise.round
    lerp = elementwise.lerp
    isclose = elementwise.isclose
    bincount = histograms.bincount
    histc = histograms.histc
    multinomial = sampling.multinomial

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradients of this tensor with respect to the leaves it depends on.

        They are added to each leaf's `.grad`. A non-scalar tensor needs `gradient` (the
        gradient of the final result with respect to this tensor).
        """
        if inputs is not None:
            raise NotImplementedError("backward(inputs=...) is not supported; use "
                                      "minitorch.autograd.grad(outputs, inputs)")
        run_backward((self,), (gradient,), retain_graph, create_graph)

    # ----- elementwise ------------------------------------------------------------------
    add = __add__ = elementwise.add
    sub = subtract = __sub__ = elementwise.sub
    mul = multiply = __mul__ = elementwise.mul
    div = divide = true_divide = __truediv__ = elementwise.div
    floor_divide = __floordiv__ = elementwise.floor_divide
    remainder = __mod__ = elementwise.remainder
    pow = __pow__ = elementwise.pow
    square = elementwise.square
    neg = negative = __neg__ = elementwise.neg
    abs = __abs__ = elementwise.abs
    sign = elementwise.sign
    exp = elementwise.exp
    log = elementwise.log
    sqrt = elementwise.sqrt
    log1p = elementwise.log1p
    erf = elementwise.erf
    reciprocal = elementwise.reciprocal
    sin = elementwise.sin
    cos = elementwise.cos
    tanh = elementwise.tanh
    tan = elementwise.tan
    sinh = elementwise.sinh
    cosh = elementwise.cosh
    rsqrt = elementwise.rsqrt
    sigmoid = elementwise.sigmoid
    relu = elementwise.relu
    floor = elementwise.floor
    ceil = elementwise.ceil
    trunc = fix = elementwise.trunc
    nan_to_num = elementwise.nan_to_num
    maximum = elementwise.maximum
    minimum = elementwise.minimum
    clamp = clip = elementwise.clamp
    clamp_min = elementwise.clamp_min
    masked_fill = elementwise.masked_fill
    where = elementwise.where
    __radd__ = elementwise.radd
    __rsub__ = elementwise.rsub
    __rmul__ = elementwise.rmul
    __rtruediv__ = elementwise.rtruediv
    __rfloordiv__ = elementwise.rfloordiv
    __rmod__ = elementwise.rmod
    __rpow__ = elementwise.rpow

    # ----- comparisons and logic --------------------------------------------------------
    lt = less = __lt__ = elementwise.lt
    le = less_equal = __le__ = elementwise.le
    gt = greater = __gt__ = elementwise.gt
    ge = greater_equal = __ge__ = elementwise.ge
    eq = elementwise.eq
    ne = not_equal = elementwise.ne
    isnan = elementwise.isnan
    isinf = elementwise.isinf
    isfinite = elementwise.isfinite
    equal = elementwise.equal
    allclose = elementwise.allclose
    logical_not = elementwise.logical_not
    logical_and = elementwise.logical_and
    logical_or = elementwise.logical_or
    bitwise_and = __and__ = __rand__ = elementwise.bitwise_and
    bitwise_or = __or__ = __ror__ = elementwise.bitwise_or
    bitwise_xor = __xor__ = __rxor__ = elementwise.bitwise_xor
    bitwise_not = __invert__ = elementwise.bitwise_not

    def __eq__(self, other):
        # not an operand (`t == None`): Python then compares identity
        return elementwise.eq(self, other) if elementwise.is_operand(other) else NotImplemented

    def __ne__(self, other):
        return elementwise.ne(self, other) if elementwise.is_operand(other) else NotImplemented

    __hash__ = TensorCore.__hash__  # (defining __eq__ would otherwise remove it)

    # ----- reductions -------------------------------------------------------------------
    sum = reductions.sum
    prod = reductions.prod
    mean = reductions.mean
    var = reductions.var
    std = reductions.std
    logsumexp = reductions.logsumexp
    softmax = reductions.softmax
    log_softmax = reductions.log_softmax
    all = reductions.all
    any = reductions.any
    max = reductions.max
    min = reductions.min
    amax = reductions.amax
    amin = reductions.amin
    argmax = reductions.argmax
    argmin = reductions.argmin

    # ----- shape, slicing and joining ---------------------------------------------------
    view = shape_ops.view
    view_as = shape_ops.view_as
    reshape = shape_ops.reshape
    reshape_as = shape_ops.reshape_as
    flatten = shape_ops.flatten
    unflatten = shape_ops.unflatten
    permute = shape_ops.permute
    transpose = swapaxes = swapdims = shape_ops.transpose
    t = shape_ops.t
    T = property(shape_ops.T)
    mT = property(shape_ops.mT)
    squeeze = shape_ops.squeeze
    unsqueeze = shape_ops.unsqueeze
    expand = shape_ops.expand
    expand_as = shape_ops.expand_as
    broadcast_to = shape_ops.broadcast_to
    flip = shape_ops.flip
    fliplr = shape_ops.fliplr
    flipud = shape_ops.flipud
    roll = shape_ops.roll
    tril = shape_ops.tril
    triu = shape_ops.triu
    narrow = shape_ops.narrow
    select = shape_ops.select
    unbind = shape_ops.unbind
    split = shape_ops.split
    chunk = shape_ops.chunk
    gather = shape_ops.gather
    nonzero = nonzero

    def __getitem__(self, key):
        return F.Index.apply(self, key=key)

    __setitem__ = inplace.setitem

    # ----- matrix products --------------------------------------------------------------
    matmul = __matmul__ = linalg.matmul
    __rmatmul__ = linalg.rmatmul
    mm = linalg.mm
    bmm = linalg.bmm
    mv = linalg.mv
    dot = inner = linalg.dot
    addmm = linalg.addmm
    addmv = linalg.addmv
    baddbmm = linalg.baddbmm

    # ----- repeats, diagonals, running sums, sorting, selection, products ---------------
    repeat = repeat_ops.repeat
    tile = repeat_ops.tile
    repeat_interleave = repeat_ops.repeat_interleave
    diag = shape_ops.diag
    diagonal = shape_ops.diagonal
    unfold = shape_ops.unfold
    cumsum = cumulative.cumsum
    cumprod = cumulative.cumprod
    sort = sorting.sort
    argsort = sorting.argsort
    topk = sorting.topk
    unique = sorting.unique
    index_select = selection.index_select
    masked_select = selection.masked_select
    scatter = selection.scatter
    scatter_add = selection.scatter_add
    trace = linalg.trace
    outer = ger = linalg.outer
    kron = linalg.kron
    cross = linalg.cross

    # ----- in place -----------------------------------------------------------------------
    add_ = __iadd__ = inplace.add_
    sub_ = __isub__ = inplace.sub_
    mul_ = __imul__ = inplace.mul_
    div_ = __itruediv__ = inplace.div_
    pow_ = inplace.pow_
    clamp_ = clip_ = inplace.clamp_
    clamp_min_ = inplace.clamp_min_
    relu_ = inplace.relu_
    masked_fill_ = inplace.masked_fill_
    copy_ = inplace.copy_
    fill_ = inplace.fill_
    zero_ = inplace.zero_

    # ----- random draws -------------------------------------------------------------------
    random_ = sampling.random_
    uniform_ = sampling.uniform_
    normal_ = sampling.normal_
    bernoulli = sampling.bernoulli
    bernoulli_ = sampling.bernoulli_

    # ----- conversions --------------------------------------------------------------------
    to = conversions.to
    float = conversions.float
    double = conversions.double
    long = conversions.long
    int = conversions.int
    bool = conversions.bool
    type = conversions.type
    cpu = conversions.cpu
    cuda = conversions.cuda
    clone = conversions.clone
    contiguous = conversions.contiguous


def construct(dtype, args):
    """PyTorch's legacy constructors: `Tensor(data)`, `Tensor(2, 3)` or `Tensor(size)`."""
    if len(args) == 1 and not isinstance(args[0], (int, Size)):
        array, dtype = as_array(args[0], dtype)
        return Tensor._make(TensorData.from_array(array), dtype)
    shape = shape_ops.sizes_arg(args) if args else (0,)
    return Tensor._make(TensorData.from_array(np.zeros(shape, dtype=dtype.numpy)), dtype)
