"""Selecting and scattering along a dimension: `index_select`, `masked_select`, `scatter`,
`scatter_add` (the differentiable counterparts of `t[index]` and `t[index] = src`).

Each function takes the tensor first (`input`); `tensor.Tensor` binds it as the method of
the same name, and `minitorch` exports the PyTorch functions.
"""

from . import dtypes, indexing
from . import tensor_functions as F
from .tensor_core import TensorCore
from .tensor_data import normalize_dim


def index_select(input, dim, index):
    """The entries of `input` at the positions of the vector `index` along `dim`, in that
    order (positions may repeat): `x.index_select(0, i)` is `x[i]`."""
    d = normalize_dim(dim, input.dim())
    if not isinstance(index, TensorCore):
        raise TypeError(
            f"index_select(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index.dtype not in (dtypes.int32, dtypes.int64):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if index.dim() > 1:
        raise IndexError("index_select(): Index is supposed to be a vector (got an index of "
                         f"shape {list(index.shape)})")
    size = input.shape[d] if input.dim() else 1
    if index.numel() and not index.is_cuda:
        values = index._data.numpy()
        if values.min() < 0 or values.max() >= size:
            raise IndexError(f"index out of range in self (index_select(): positions must lie "
                             f"in [0, {size}) along dimension {d})")
    return F.IndexSelect.apply(input, dim=d, index=_as_int64(index))


def masked_select(input, mask):
    """The elements of `input` where the bool `mask` is True (the two broadcast together), as
    a 1-D tensor in row-major order."""
    if not isinstance(mask, TensorCore) or mask.dtype is not dtypes.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask (compare to get one, "
                           "e.g. x > 0)")
    return F.MaskedSelect.apply(input, mask)


def _checked_index(name, input, dim, index, src):
    d = normalize_dim(dim, input.dim())
    if isinstance(index, TensorCore) and index.dtype is dtypes.int32:
        index = _as_int64(index)
    indexing.check_gather_index(name, input, d, index)
    if isinstance(src, TensorCore):
        if src.dtype is not input.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype "
                               f"(got {input.dtype.torch_name} and {src.dtype.torch_name})")
        too_big = [i for i in range(index.dim()) if index.shape[i] > src.shape[i]] \
            if src.dim() == index.dim() else [0]
        if too_big:
            raise RuntimeError(
                f"Expected index {list(index.shape)} to be no larger than self "
                f"{list(input.shape)} apart from dimension {d} and to be no larger size than "
                f"src {list(src.shape)}")
    return d, index


def scatter(input, dim, index, src=None, *, value=None):
    """A copy of `input` with `src[i][j]` written at row `index[i][j]` (for `dim=0`;
    `out[i][index[i][j]] = src[i][j]` for `dim=1`), or the number `value` at every indexed
    position. Of several writes to one position, one wins."""
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter() missing required argument 'src' (or 'value')")
    d, index = _checked_index("scatter", input, dim, index, src)
    return F.Scatter.apply(input, src, dim=d, index=index)


def scatter_add(input, dim, index, src):
    """A copy of `input` with `src[i][j]` added at row `index[i][j]` (for `dim=0`); values
    sent to the same position add up."""
    d, index = _checked_index("scatter_add", input, dim, index, src)
    return F.ScatterAddInto.apply(input, src, dim=d, index=index)


def _as_int64(index):
    return index if index.dtype is dtypes.int64 else index._cast(dtypes.int64)
