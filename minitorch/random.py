"""Random number generators: `manual_seed` makes every random tensor reproducible."""

import secrets

import numpy as np

from .tensor_data import TensorData

_EXACT_INTEGER_LIMIT = {
    "float32": 2**24 + 1, "float64": 2**53 + 1, "int32": 2**31, "int64": 2**63, "bool": 2,
}
_DEFAULT_SEED = 67280421310721  # PyTorch's default seed: runs are reproducible until reseeded


class Generator:
    """A source of random numbers, like `torch.Generator`; seed it with `manual_seed`."""

    def __init__(self, device="cpu"):
        self.device = device
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed):
        """Restart the stream from `seed`; the same seed gives the same numbers in every run."""
        seed = int(seed)
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed & (2**64 - 1)))
        return self

    def seed(self):
        """Reseed from the operating system's entropy and return the new seed."""
        seed = secrets.randbits(63)
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        return self._seed

    @property
    def numpy(self):
        """The NumPy generator that draws the numbers."""
        return self._rng


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator so that random tensors repeat across runs."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def generator_or_default(generator):
    return (generator or default_generator).numpy


class RandomFills:
    """Mixin: in-place random fills of `Tensor` (`random_`, `uniform_`, `normal_`)."""

    __slots__ = ()

    def _fill_with(self, values):
        return self._overwrite("random fill", TensorData.from_array(values))

    def random_(self, from_=None, to=None, *, generator=None):
        """Integers drawn uniformly from [from_, to); `random_(10)` draws from 0 to 9.

        Without bounds: from 0 to the largest integer the dtype holds exactly.
        """
        if to is None:
            from_, to = 0, _EXACT_INTEGER_LIMIT[self.dtype.name] if from_ is None else from_
        values = generator_or_default(generator).integers(from_, to, self.shape)
        return self._fill_with(values)

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        """Values drawn uniformly from [a, b)."""
        return self._fill_with(generator_or_default(generator).uniform(a, b, self.shape))

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        """Values drawn from a normal distribution with the given mean and std."""
        return self._fill_with(generator_or_default(generator).normal(mean, std, self.shape))

    def bernoulli(self, p=None, *, generator=None):
        """0 / 1 values (this tensor's dtype), each 1 with probability `self` (or `p`)."""
        probabilities = self._data.numpy() if p is None else _probabilities(p)
        _check_probabilities(probabilities)
        draws = generator_or_default(generator).random(self.shape) < probabilities
        return self._make(TensorData.from_array(draws.astype(self.dtype.numpy)), self.dtype,
                          self.backend)

    def bernoulli_(self, p=0.5, *, generator=None):
        """Fill with 0 / 1, each 1 with probability `p` (a number or a tensor)."""
        probabilities = _probabilities(p)
        _check_probabilities(probabilities)
        draws = generator_or_default(generator).random(self.shape) < probabilities
        return self._fill_with(draws)


def _probabilities(p):
    return p._data.numpy() if hasattr(p, "_data") else np.asarray(p, dtype=np.float64)


def _check_probabilities(p):
    if np.size(p) and not (np.all(p >= 0) and np.all(p <= 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true: bernoulli "
                           "probabilities must lie in [0, 1]")
