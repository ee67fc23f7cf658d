"""Running sums and products along a dimension: `cumsum`, `cumprod`.

Computed on the backend as a scan of log2(n) elementwise passes (`tensor_compute.scan`).
As for `sum` and `prod`, bool and integer tensors give int64 results unless `dtype` says
otherwise; `dtype` converts the input before the first addition.

Each function takes the tensor first (`input`); `tensor.Tensor` binds it as the method of
the same name, and `minitorch` exports the PyTorch functions.
"""

from . import dtypes
from . import tensor_functions as F
from .tensor_data import normalize_dim


def _result_dtype(input, dtype):
    if dtype is not None:
        return dtypes.as_dtype(dtype)
    return input.dtype if input.dtype.is_floating_point else dtypes.int64


def cumsum(input, dim, *, dtype=None):
    """Running sums along `dim`: `out[i] = input[0] + ... + input[i]`."""
    d = normalize_dim(dim, input.dim())
    return F.Cumsum.apply(input, dim=d, dtype=_result_dtype(input, dtype))


def cumprod(input, dim, *, dtype=None):
    """Running products along `dim`: `out[i] = input[0] * ... * input[i]`."""
    d = normalize_dim(dim, input.dim())
    return F.Cumprod.apply(input, dim=d, dtype=_result_dtype(input, dtype))
