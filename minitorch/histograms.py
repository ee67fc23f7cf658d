"""Counting values: `bincount` (how often each non-negative integer occurs) and `histc`
(how many values fall in each of equal-width bins).

Counts are not differentiable, and the bins a value falls in depend on comparisons only,
so both count on the host with NumPy and return a tensor on the input's backend.
"""

import numpy as np

from . import dtypes


def bincount(input, weights=None, minlength=0):
    """`out[i]`: how often `i` occurs in the 1-d non-negative integer `input` (or the sum
    of the `weights` where it occurs); at least `minlength` bins."""
    if input.dtype.is_floating_point or input.dtype is dtypes.bool_:
        raise NotImplementedError(f'"bincount_cpu" not implemented for '
                                  f"'{input.dtype.torch_name}'")
    values = input._data.numpy()
    if input.dim() != 1 or (values.size and values.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return input._make_from_numpy(np.bincount(values, minlength=minlength), dtypes.int64)
    if weights.dim() != 1 or weights.shape[0] != input.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    dtype = weights.dtype if weights.dtype.is_floating_point else dtypes.float64
    counts = np.bincount(values, weights=weights._data.numpy(), minlength=minlength)
    return input._make_from_numpy(counts, dtype)


def histc(input, bins=100, min=0, max=0):
    """The histogram of `input` in `bins` equal bins from `min` to `max` (the last bin
    includes `max`; values outside are not counted). With `min == max` (the default), the
    smallest and largest values are the range."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"histogram_cpu" not implemented for '
                                  f"'{input.dtype.torch_name}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    if min > max:
        raise RuntimeError("torch.histc: max must be larger than min")
    values = input._data.numpy().reshape(-1)
    if min == max and values.size:
        min, max = float(values.min()), float(values.max())
    if min == max:
        min, max = min - 1, max + 1
    counts, _ = np.histogram(values, bins=bins, range=(min, max))
    return input._make_from_numpy(counts, input.dtype)
