"""Datasets and data loading, as `torch.utils.data`.

A `Dataset` is anything with `__getitem__(i)` and `__len__()`. A `DataLoader` walks a dataset
in mini-batches: a *sampler* decides the order of the indices (in order, or shuffled anew each
epoch), a *batch sampler* groups them `batch_size` at a time, and a *collate function* turns a
list of samples into one batch (by default: tensors stacked along a new first dimension).

    >>> dataset = TensorDataset(images, labels)
    >>> train, test = random_split(dataset, [0.8, 0.2])
    >>> for x, y in DataLoader(train, batch_size=32, shuffle=True):
    ...     ...

Loading happens in the calling process: `num_workers` and the other multiprocessing options
are accepted, so PyTorch code runs unchanged, but do not start workers.
"""

import bisect
import collections.abc
import copy
import itertools
import math
import warnings

import numpy as np

from ..creation import as_tensor, tensor
from ..dtypes import float64
from ..random import generator_or_default
from ..shape_ops import stack
from ..tensor import Tensor

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "Subset",
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler",
    "DataLoader", "default_collate", "default_convert", "random_split", "get_worker_info",
]


# ----- datasets ---------------------------------------------------------------------------
class Dataset:
    """A map-style dataset: subclasses implement `__getitem__(index)` and `__len__()`.

    `a + b` chains two datasets into a `ConcatDataset`.
    """

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset read as a stream: subclasses implement `__iter__()` instead of indexing."""

    def __iter__(self):
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other):
        raise TypeError("IterableDataset does not support '+'; chain the iterators instead")


class TensorDataset(Dataset):
    """Samples are rows of the given tensors: `dataset[i] == (t[i] for t in tensors)`.

    All tensors must have the same size in their first dimension.
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor, e.g. "
                             "TensorDataset(inputs, targets)")
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset expects tensors, but argument {i} is "
                                f"{type(t).__name__}")
            if t.dim() == 0:
                raise ValueError(f"TensorDataset: tensor {i} is 0-dimensional; each tensor "
                                 "needs a first dimension that indexes the samples")
        first = tensors[0]
        for i, t in enumerate(tensors):
            if t.size(0) != first.size(0):
                # PyTorch raises an AssertionError("Size mismatch between tensors") here.
                raise AssertionError(
                    f"Size mismatch between tensors: tensor 0 has {first.size(0)} samples "
                    f"(shape {list(first.shape)}) but tensor {i} has {t.size(0)} "
                    f"(shape {list(t.shape)}); the first dimensions must be equal"
                )
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].size(0)


class ConcatDataset(Dataset):
    """Several datasets one after another."""

    @staticmethod
    def cumsum(sequence):
        return list(itertools.accumulate(len(d) for d in sequence))

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        dataset_idx = bisect.bisect_right(self.cumulative_sizes, idx)
        if dataset_idx == len(self.datasets):
            raise IndexError(f"index {idx} is out of range for a dataset of length {len(self)}")
        sample_idx = idx if dataset_idx == 0 else idx - self.cumulative_sizes[dataset_idx - 1]
        return self.datasets[dataset_idx][sample_idx]


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices):
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=None):
    """Split `dataset` at random into non-overlapping `Subset`s of the given lengths.

    `lengths` are sizes that add up to `len(dataset)`, or fractions that add up to 1: each
    split then gets `floor(len(dataset) * fraction)` samples and the remaining ones are handed
    out one at a time to the splits in order (PyTorch's rule). The order comes from
    `generator` (default: the global one, so `manual_seed` makes it repeat).
    """
    lengths = list(lengths)
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        subset_lengths = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            subset_lengths.append(math.floor(n * frac))
        remainder = n - sum(subset_lengths)
        for i in range(remainder):  # one each, round-robin, until none is left
            subset_lengths[i % len(subset_lengths)] += 1
        lengths = subset_lengths
        for i, length in enumerate(lengths):
            if length == 0:
                warnings.warn(f"Length of split at index {i} is 0. "
                              "This might result in an empty dataset.", stacklevel=2)
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    for i, length in enumerate(lengths):
        if isinstance(length, float) and not length.is_integer() or length < 0:
            raise ValueError(
                f"random_split: lengths must be non-negative integers or fractions that sum "
                f"to 1, but got {length!r} at index {i} (lengths={lengths})"
            )
    lengths = [int(length) for length in lengths]
    indices = generator_or_default(generator).permutation(n).tolist()
    return [Subset(dataset, indices[offset - length:offset])
            for offset, length in zip(itertools.accumulate(lengths), lengths)]


# ----- samplers ---------------------------------------------------------------------------
class Sampler:
    """An iterable over dataset indices (subclasses implement `__iter__` and usually
    `__len__`)."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1, in order."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """The indices in a random order, a new one each time it is iterated (each epoch).

    The order is drawn from `generator`, or from the global generator when it is None, so
    `minitorch.manual_seed(s)` makes the whole sequence of epochs repeat.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError("replacement should be a boolean value, but got "
                            f"replacement={replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        rng = generator_or_default(self.generator)
        if self.replacement:
            yield from rng.integers(0, n, self.num_samples).tolist()
            return
        for _ in range(self.num_samples // n):
            yield from rng.permutation(n).tolist()
        yield from rng.permutation(n)[:self.num_samples % n].tolist()

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order, a new one each epoch."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in generator_or_default(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class BatchSampler(Sampler):
    """Groups the indices of `sampler` into lists of `batch_size` (the last one may be
    shorter, unless `drop_last`)."""

    def __init__(self, sampler, batch_size, drop_last):
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError("batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError("drop_last should be a boolean value, but got "
                             f"drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        """Lists of `batch_size` indices, taken from `self.sampler` in its order."""
        # BEGIN SOLUTION 5.6
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch
        # END SOLUTION

    def __len__(self):
        """The number of batches that `__iter__` yields."""
        # BEGIN SOLUTION 5.6
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
        # END SOLUTION


# ----- collation --------------------------------------------------------------------------
_COLLATE_ERROR = ("default_collate: batch must contain tensors, numpy arrays, numbers, "
                  "dicts or lists; found {}")


def _is_numeric_array(array):
    return array.dtype.kind in "biuf"  # no strings, objects, complex, dates


def default_collate(batch):
    """One batch from a list of samples, as PyTorch's `default_collate`:

    - tensors are stacked along a new first dimension (they must have equal shapes);
    - NumPy arrays become tensors, then are stacked; NumPy scalars become a 1-D tensor;
    - Python floats become a float64 tensor, ints an int64 tensor (bools a bool tensor);
    - strings stay as they are, a list (or tuple) of strings;
    - dicts are collated key by key, namedtuples field by field, and other sequences
      (tuples, lists) position by position: `[(x0, y0), (x1, y1)]` -> `[stack(x), stack(y)]`
      (a list, for tuples as in PyTorch).
    """
    elem = batch[0]
    elem_type = type(elem)
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if isinstance(elem, np.ndarray):
        if not _is_numeric_array(elem):
            raise TypeError(_COLLATE_ERROR.format(elem.dtype))
        return default_collate([as_tensor(b) for b in batch])
    if isinstance(elem, np.generic):
        if isinstance(elem, (np.str_, np.bytes_)):
            return batch
        return as_tensor(np.array(batch))
    if isinstance(elem, float):
        return tensor(batch, dtype=float64)
    if isinstance(elem, int):
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update(collated)
                return clone
            return elem_type(collated)
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))  # tuples: strings stay tuples, as in PyTorch
        if isinstance(elem, tuple):
            return [default_collate(samples) for samples in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = default_collate(samples)
                return clone
            return elem_type([default_collate(samples) for samples in transposed])
        except TypeError:
            return [default_collate(samples) for samples in transposed]
    raise TypeError(_COLLATE_ERROR.format(elem_type))


def default_convert(data):
    """What a sample becomes without batching (`batch_size=None`): NumPy arrays and scalars
    become tensors, containers are converted element by element, the rest stays as it is."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return as_tensor(data) if _is_numeric_array(data) else data
    if isinstance(data, np.generic) and not isinstance(data, (np.str_, np.bytes_)):
        return as_tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return type(data)([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def get_worker_info():
    """None: minitorch loads data in the calling process (there are no workers)."""
    return None


# ----- the loader -------------------------------------------------------------------------
class DataLoader:
    """Iterate over `dataset` in mini-batches.

    Each `for batch in loader` is one epoch: with `shuffle=True` the samples come in a new
    random order every epoch, drawn from `generator` (or the global generator, so
    `minitorch.manual_seed` makes training repeat). Samples are grouped `batch_size` at a time
    and merged by `collate_fn` (default: `default_collate`, which stacks tensors); the last
    batch is shorter unless `drop_last=True`. `len(loader)` is the number of batches.
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError("num_workers option should be non-negative; "
                             "use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if batch_size is not None and (isinstance(batch_size, bool)
                                       or not isinstance(batch_size, int) or batch_size <= 0):
            raise ValueError("batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        self.dataset = dataset
        self.num_workers = num_workers  # accepted for compatibility; loading is in-process
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.generator = generator
        self._iterable = isinstance(dataset, IterableDataset)

        if self._iterable:
            if shuffle not in (None, False):
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            if not (callable(getattr(dataset, "__getitem__", None))
                    and callable(getattr(dataset, "__len__", None))):
                raise TypeError(
                    f"DataLoader needs a dataset with __getitem__ and __len__ (a Dataset, a "
                    f"TensorDataset, a list, ...), got {type(dataset).__name__}"
                )
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None and not self._iterable:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None or (self._iterable and self.batch_size is not None)

    def __iter__(self):
        return _LoaderIter(self)

    def __len__(self):
        if self._iterable:
            n = len(self.dataset)  # a TypeError for streams without a length, as in PyTorch
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
            return n
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)

    def __repr__(self):
        return (f"DataLoader(dataset={type(self.dataset).__name__}, batch_size={self.batch_size}, "
                f"shuffle={isinstance(self.sampler, RandomSampler)}, drop_last={self.drop_last})")


def _gather_tensor_rows(dataset, indices):
    """`default_collate([dataset[i] for i in indices])` in one indexing per tensor, for a
    TensorDataset (possibly inside Subsets): the same batch, without stacking row by row.
    None for any other dataset."""
    while type(dataset) is Subset:
        indices = [dataset.indices[i] for i in indices]
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset or not indices:
        return None
    n = len(dataset)
    if not all(isinstance(i, (int, np.integer)) and -n <= i < n for i in indices):
        return None  # let the row-by-row path raise its IndexError
    return [t[indices] for t in dataset.tensors]


class _LoaderIter:
    """One pass (epoch) over a DataLoader; `len()` is the number of batches."""

    def __init__(self, loader):
        self._loader = loader
        self._length = None
        self._batches = self._generate(loader)

    def _fetch(self, indices):
        """The samples at `indices`, as a list: `[dataset[i] for i in indices]` (or the
        dataset's own `__getitems__(indices)`, for datasets that fetch many at once)."""
        dataset = self._loader.dataset
        if callable(getattr(dataset, "__getitems__", None)):
            return dataset.__getitems__(indices)
        return [dataset[i] for i in indices]

    def _generate(self, loader):
        collate = loader.collate_fn
        if loader._iterable:
            stream = iter(loader.dataset)
            if loader.batch_size is None:
                for sample in stream:
                    yield collate(sample)
                return
            while True:
                batch = list(itertools.islice(stream, loader.batch_size))
                if not batch or (loader.drop_last and len(batch) < loader.batch_size):
                    return
                yield collate(batch)
        elif loader.batch_sampler is not None:
            for indices in loader.batch_sampler:
                yield self._batch(list(indices))
        else:
            for index in loader.sampler:
                yield collate(loader.dataset[index])

    def _batch(self, indices):
        """One batch: the samples at `indices` (a list), merged by the loader's `collate_fn`."""
        loader = self._loader
        if loader.collate_fn is default_collate:
            # A shortcut for a TensorDataset: one indexing per tensor instead of stacking the
            # samples one by one; the same batch as the general way below.
            batch = _gather_tensor_rows(loader.dataset, indices)
            if batch is not None:
                return batch
        # BEGIN SOLUTION 5.6
        samples = self._fetch(indices)
        return loader.collate_fn(samples)
        # END SOLUTION

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._batches)

    def __len__(self):
        return len(self._loader)

