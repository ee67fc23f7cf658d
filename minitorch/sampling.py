"""Random fills and draws of a tensor's shape: `random_`, `uniform_`, `normal_`, `bernoulli`,
`bernoulli_`, from a `Generator` (the default one unless `generator=` is given).

Each function takes the tensor first (`input`); `tensor.Tensor` binds it as the method of
the same name, and `minitorch` exports the PyTorch functions among them.
"""

import numpy as np

from . import inplace
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
