"""Random fills and draws of a tensor's shape: `random_`, `uniform_`, `normal_`, `bernoulli`,
`bernoulli_`, `poisson`, `multinomial`, from a `Generator` (the default one unless
`generator=` is given).

Each function takes the tensor first (`input`); `tensor.Tensor` binds it as the method of
the same name, and `minitorch` exports the PyTorch functions among them.
"""

import numpy as np

from . import dtypes, inplace
from .random import generator_or_default
from .tensor_core import TensorCore
from .tensor_data import TensorData

# The integers each dtype holds exactly: `random_()` draws below these
_EXACT_INTEGER_LIMIT = {
    "float32": 2**24 + 1, "float64": 2**53 + 1, "int32": 2**31, "int64": 2**63, "bool": 2,
}


def _fill_with(input, values):
    """Overwrite `input` with the NumPy array `values` (drawn by a generator)."""
    return inplace.overwrite(input, "random fill", TensorData.from_array(values))


def random_(input, from_=None, to=None, *, generator=None):
    """Integers drawn uniformly from [from_, to); `random_(10)` draws from 0 to 9.

    Without bounds: from 0 to the largest integer the dtype holds exactly.
    """
    if to is None:
        from_, to = 0, _EXACT_INTEGER_LIMIT[input.dtype.name] if from_ is None else from_
    values = generator_or_default(generator).integers(from_, to, input.shape)
    return _fill_with(input, values)


def uniform_(input, a=0.0, b=1.0, *, generator=None):
    """Values drawn uniformly from [a, b)."""
    return _fill_with(input, generator_or_default(generator).uniform(a, b, input.shape))


def normal_(input, mean=0.0, std=1.0, *, generator=None):
    """Values drawn from a normal distribution with the given mean and std."""
    return _fill_with(input, generator_or_default(generator).normal(mean, std, input.shape))


def bernoulli(input, p=None, *, generator=None):
    """0 / 1 values (this tensor's dtype), each 1 with probability `input` (or `p`)."""
    probabilities = input._data.numpy() if p is None else _probabilities(p)
    _check_probabilities(probabilities)
    draws = generator_or_default(generator).random(input.shape) < probabilities
    return input._make(TensorData.from_array(draws.astype(input.dtype.numpy)), input.dtype,
                      input.backend)


def bernoulli_(input, p=0.5, *, generator=None):
    """Fill with 0 / 1, each 1 with probability `p` (a number or a tensor)."""
    probabilities = _probabilities(p)
    _check_probabilities(probabilities)
    draws = generator_or_default(generator).random(input.shape) < probabilities
    return _fill_with(input, draws)


def _probabilities(p):
    """`p` (a number or a tensor) as a NumPy array of probabilities."""
    return p._data.numpy() if isinstance(p, TensorCore) else np.asarray(p, dtype=np.float64)


def _check_probabilities(p):
    if np.size(p) and not (np.all(p >= 0) and np.all(p <= 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true: bernoulli "
                           "probabilities must lie in [0, 1]")


def poisson(input, generator=None):
    """Counts drawn from Poisson distributions with the rates in `input` (same shape and
    dtype)."""
    rates = input._data.numpy()
    if np.any(rates < 0):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    draws = generator_or_default(generator).poisson(rates)
    return input._make_from_numpy(draws, input.dtype)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """`num_samples` category indices drawn for each row of weights `input` (1-d or 2-d;
    the weights need not sum to 1). Without `replacement` no index repeats in a row."""
    if not input.dtype.is_floating_point:
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{input.dtype.torch_name}")
    if input.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    weights = input._data.numpy().astype(np.float64).reshape(-1, input.shape[-1])
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > weights.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    totals = weights.sum(axis=1, keepdims=True)
    if np.any(totals <= 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = generator_or_default(generator)
    if replacement:
        cumulative = np.cumsum(weights / totals, axis=1)
        cumulative[:, -1] = 1.0
        uniforms = rng.random((weights.shape[0], num_samples))
        draws = np.stack([np.searchsorted(c, u, side="right")
                          for c, u in zip(cumulative, uniforms)])
    else:  # the smallest exponential(1) / weight keys: a draw without replacement
        with np.errstate(divide="ignore"):
            keys = rng.exponential(size=weights.shape) / weights
        draws = np.argsort(keys, axis=1, kind="stable")[:, :num_samples]
    draws = draws.reshape(input.shape[:-1] + (num_samples,))
    return input._make_from_numpy(draws, dtypes.int64)
