"""Random number generators: `manual_seed` makes every random tensor reproducible."""

import secrets

import numpy as np

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
