"""minitorch.utils.data: datasets, DataLoader batching and shuffling, random_split."""

import collections
import warnings

import numpy as np
import pytest

import minitorch
from minitorch.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


def numbers(n):
    """A TensorDataset whose inputs show each sample's index: x[i] = (i, 10 i), y[i] = i."""
    x = minitorch.tensor([[i, 10 * i] for i in range(n)], dtype=minitorch.float32)
    y = minitorch.arange(n)
    return TensorDataset(x, y)


def labels_of(loader):
    return [batch[1].tolist() for batch in loader]


# ----- datasets ---------------------------------------------------------------------------
def test_tensor_dataset_indexes_every_tensor_along_the_first_dimension():
    ds = numbers(5)
    assert len(ds) == 5
    x, y = ds[3]
    assert x.tolist() == [3.0, 30.0] and y.item() == 3
    assert ds[-1][1].item() == 4


def test_tensor_dataset_with_different_first_dimensions_names_both_shapes():
    with pytest.raises(AssertionError, match=r"Size mismatch between tensors.*\[5, 2\].*\[4\]"):
        TensorDataset(minitorch.zeros(5, 2), minitorch.zeros(4))


def test_tensor_dataset_refuses_no_tensors_non_tensors_and_scalars():
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()
    with pytest.raises(TypeError, match="argument 1 is list"):
        TensorDataset(minitorch.zeros(3), [1, 2, 3])
    with pytest.raises(ValueError, match="0-dimensional"):
        TensorDataset(minitorch.tensor(1.0))


def test_adding_datasets_concatenates_them():
    a, b = numbers(3), numbers(2)
    both = a + b
    assert isinstance(both, ConcatDataset)
    assert len(both) == 5
    assert [both[i][1].item() for i in range(5)] == [0, 1, 2, 0, 1]
    assert both[-1][1].item() == 1
    with pytest.raises(IndexError):
        both[5]


def test_subset_picks_indices_in_order():
    sub = Subset(numbers(10), [7, 2, 5])
    assert len(sub) == 3
    assert [sub[i][1].item() for i in range(3)] == [7, 2, 5]


def test_a_custom_dataset_without_getitem_says_what_to_implement():
    class Empty(Dataset):
        def __len__(self):
            return 1

    with pytest.raises(NotImplementedError, match="__getitem__"):
        Empty()[0]


# ----- DataLoader: batches --------------------------------------------------------------
def test_batches_have_the_right_shapes_and_the_last_one_is_shorter():
    loader = DataLoader(numbers(10), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 == len(batches)
    assert [tuple(x.shape) for x, _ in batches] == [(4, 2), (4, 2), (2, 2)]
    assert [tuple(y.shape) for _, y in batches] == [(4,), (4,), (2,)]
    assert batches[0][0].dtype == minitorch.float32 and batches[0][1].dtype == minitorch.int64
    assert labels_of(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_a_batch_is_a_list_of_tensors_as_in_pytorch():
    x, y = batch = next(iter(DataLoader(numbers(3), batch_size=3)))
    assert isinstance(batch, list)
    assert x.tolist() == [[0.0, 0.0], [1.0, 10.0], [2.0, 20.0]]


def test_tensor_dataset_batches_equal_stacked_samples_also_through_subsets():
    """The loader gathers TensorDataset rows in one indexing per tensor; the batches must be
    exactly what stacking the samples one by one gives."""
    x = minitorch.randn(30, 3)
    y = minitorch.randint(0, 5, (30,))
    inner = Subset(TensorDataset(x, y), list(range(29, -1, -1)))
    ds = Subset(inner, [0, 5, -1, 7, 3, 12, 2])
    fast = list(DataLoader(ds, batch_size=3))
    slow = list(DataLoader(ds, batch_size=3, collate_fn=lambda b: default_collate(b)))
    assert len(fast) == len(slow) == 3
    for a, b in zip(fast, slow, strict=True):
        assert isinstance(a, list) and len(a) == 2
        for ta, tb in zip(a, b, strict=True):
            assert ta.dtype == tb.dtype and ta.shape == tb.shape
            np.testing.assert_array_equal(ta.numpy(), tb.numpy())
    assert fast[0][1].tolist() == [y[29].item(), y[24].item(), y[0].item()]
    with pytest.raises(IndexError):
        list(DataLoader(Subset(TensorDataset(x), [30]), batch_size=2))


def test_drop_last_drops_the_short_batch():
    loader = DataLoader(numbers(10), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert labels_of(loader) == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_batch_size_one_is_the_default():
    loader = DataLoader(numbers(3))
    assert len(loader) == 3
    assert labels_of(loader) == [[0], [1], [2]]


def test_batch_size_none_returns_samples_unbatched():
    loader = DataLoader([np.array([1.0, 2.0]), np.array([3.0, 4.0])], batch_size=None)
    samples = list(loader)
    assert len(loader) == 2
    assert isinstance(samples[0], minitorch.Tensor) and samples[0].tolist() == [1.0, 2.0]


def test_the_loader_iterator_has_a_length():
    assert len(iter(DataLoader(numbers(10), batch_size=3))) == 4


def test_a_plain_list_of_pairs_is_a_dataset():
    data = [(1.5, 0), (2.5, 1), (3.5, 0)]
    x, y = next(iter(DataLoader(data, batch_size=3)))
    assert x.dtype == minitorch.float64 and x.tolist() == [1.5, 2.5, 3.5]
    assert y.dtype == minitorch.int64 and y.tolist() == [0, 1, 0]


# ----- DataLoader: shuffling ------------------------------------------------------------
def test_shuffle_visits_every_sample_once_per_epoch_in_a_new_order():
    minitorch.manual_seed(0)
    loader = DataLoader(numbers(50), batch_size=8, shuffle=True)
    epochs = [sum(labels_of(loader), []) for _ in range(3)]
    for order in epochs:
        assert sorted(order) == list(range(50))
    assert epochs[0] != list(range(50))
    assert epochs[0] != epochs[1] != epochs[2]


def test_manual_seed_makes_shuffling_repeat():
    def two_epochs():
        loader = DataLoader(numbers(30), batch_size=7, shuffle=True)
        return [labels_of(loader) for _ in range(2)]

    minitorch.manual_seed(123)
    first = two_epochs()
    minitorch.manual_seed(123)
    assert two_epochs() == first
    minitorch.manual_seed(124)
    assert two_epochs() != first


def test_a_generator_of_its_own_makes_shuffling_repeat_whatever_the_global_state():
    def order(seed):
        loader = DataLoader(numbers(30), batch_size=30, shuffle=True,
                            generator=minitorch.Generator().manual_seed(seed))
        return labels_of(loader)

    minitorch.manual_seed(1)
    a = order(7)
    minitorch.manual_seed(2)
    assert order(7) == a
    assert order(8) != a


def test_without_shuffle_the_order_is_the_datasets():
    loader = DataLoader(numbers(6), batch_size=6, shuffle=False)
    assert labels_of(loader) == [[0, 1, 2, 3, 4, 5]]


def test_samplers_and_batch_samplers_can_be_given():
    ds = numbers(6)
    loader = DataLoader(ds, batch_size=2, sampler=list(reversed(range(6))))
    assert labels_of(loader) == [[5, 4], [3, 2], [1, 0]]
    batches = BatchSampler(SequentialSampler(ds), batch_size=4, drop_last=False)
    loader = DataLoader(ds, batch_sampler=batches)
    assert labels_of(loader) == [[0, 1, 2, 3], [4, 5]]
    assert len(loader) == 2


def test_random_sampler_draws_a_permutation():
    minitorch.manual_seed(0)
    order = list(RandomSampler(range(20)))
    assert sorted(order) == list(range(20)) and order != list(range(20))


# ----- DataLoader: collation ------------------------------------------------------------
def test_custom_collate_fn_receives_the_list_of_samples():
    seen = []

    def collate(samples):
        seen.append(len(samples))
        return [int(y) for _, y in samples]

    loader = DataLoader(numbers(5), batch_size=2, collate_fn=collate)
    assert list(loader) == [[0, 1], [2, 3], [4]]
    assert seen == [2, 2, 1]


def test_default_collate_stacks_tensors_along_a_new_first_dimension():
    out = default_collate([minitorch.tensor([1, 2]), minitorch.tensor([3, 4])])
    assert out.tolist() == [[1, 2], [3, 4]] and out.dtype == minitorch.int64


def test_default_collate_of_numbers_floats_ints_and_bools():
    assert default_collate([1.0, 2.0]).dtype == minitorch.float64
    assert default_collate([1, 2]).dtype == minitorch.int64
    assert default_collate([True, False]).dtype == minitorch.bool
    assert default_collate([np.float32(1), np.float32(2)]).dtype == minitorch.float32


def test_default_collate_of_dicts_namedtuples_and_strings():
    samples = [{"x": minitorch.tensor([1.0]), "name": "a", "y": 0},
               {"x": minitorch.tensor([2.0]), "name": "b", "y": 1}]
    batch = default_collate(samples)
    assert batch["x"].tolist() == [[1.0], [2.0]]
    assert batch["name"] == ["a", "b"]
    assert batch["y"].tolist() == [0, 1]

    Point = collections.namedtuple("Point", "x y")
    point = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(point, Point)
    assert point.x.tolist() == [1, 3] and point.y.tolist() == [2.0, 4.0]


def test_default_collate_of_numpy_arrays():
    batch = default_collate([np.zeros((2, 3), np.float32), np.ones((2, 3), np.float32)])
    assert tuple(batch.shape) == (2, 2, 3) and batch.dtype == minitorch.float32


def test_default_collate_errors_as_pytorch():
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        default_collate([minitorch.zeros(2), minitorch.zeros(3)])
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors.*object"):
        default_collate([object(), object()])


# ----- IterableDataset ------------------------------------------------------------------
def test_an_iterable_dataset_is_batched_in_stream_order():
    class Count(IterableDataset):
        def __iter__(self):
            return iter(range(7))

    assert [b.tolist() for b in DataLoader(Count(), batch_size=3)] == [[0, 1, 2], [3, 4, 5],
                                                                        [6]]
    assert len(list(DataLoader(Count(), batch_size=3, drop_last=True))) == 2
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Count(), shuffle=True)


# ----- DataLoader: argument errors ----------------------------------------------------------
@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True])
def test_batch_size_must_be_a_positive_integer(batch_size):
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        DataLoader(numbers(3), batch_size=batch_size)


def test_mutually_exclusive_options():
    ds = numbers(4)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, shuffle=True, sampler=[0, 1])
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_size=2, batch_sampler=[[0, 1]])
    with pytest.raises(ValueError, match="disables auto-batching"):
        DataLoader(ds, batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(ds, num_workers=-1)


def test_a_dataset_that_cannot_be_indexed_is_refused_at_once():
    with pytest.raises(TypeError, match="__getitem__ and __len__.*int"):
        DataLoader(42)


def test_num_workers_is_accepted_and_loads_in_process():
    loader = DataLoader(numbers(4), batch_size=2, num_workers=2, pin_memory=True)
    assert labels_of(loader) == [[0, 1], [2, 3]]


# ----- random_split -----------------------------------------------------------------------
def indices_of(subsets):
    return [list(s.indices) for s in subsets]


def test_random_split_with_lengths_is_a_disjoint_cover():
    parts = random_split(range(10), [3, 7], generator=minitorch.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [3, 7]
    a, b = indices_of(parts)
    assert sorted(a + b) == list(range(10))
    assert all(isinstance(p, Subset) for p in parts)


@pytest.mark.parametrize("n, fractions, sizes", [
    (10, [0.5, 0.5], [5, 5]),
    (10, [0.33, 0.33, 0.34], [4, 3, 3]),
    (30, [0.3, 0.3, 0.4], [9, 9, 12]),
    (11, [0.8, 0.2], [9, 2]),
    (1797, [0.8, 0.2], [1438, 359]),
    (7, [0.25, 0.25, 0.25, 0.25], [2, 2, 2, 1]),
])
def test_random_split_with_fractions_hands_out_the_remainder_round_robin(n, fractions, sizes):
    parts = random_split(range(n), fractions)
    assert [len(p) for p in parts] == sizes
    flat = sum(indices_of(parts), [])
    assert sorted(flat) == list(range(n))


def test_random_split_repeats_with_the_same_generator_or_seed():
    def split(generator=None):
        return indices_of(random_split(range(20), [0.5, 0.5], generator=generator))

    assert split(minitorch.Generator().manual_seed(3)) == split(
        minitorch.Generator().manual_seed(3))
    minitorch.manual_seed(5)
    first = split()
    minitorch.manual_seed(5)
    assert split() == first
    assert split() != first


def test_random_split_subsets_read_through_to_the_dataset():
    ds = numbers(10)
    train, test = random_split(ds, [8, 2])
    ids = sorted(y.item() for _, y in train) + sorted(y.item() for _, y in test)
    assert sorted(ids) == list(range(10))


def test_random_split_warns_about_an_empty_split():
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        parts = random_split(range(2), [1.0, 0.0])
    assert [len(p) for p in parts] == [2, 0]


def test_random_split_errors_as_pytorch():
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length"):
        random_split(range(10), [0.5, 0.25])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        random_split(range(10), [0.5, 1.5, -1.0])
    with pytest.raises(ValueError, match="non-negative integers"):
        random_split(range(10), [12, -2])


def test_a_loader_over_a_split_shuffles_only_its_part():
    ds = numbers(20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train, _ = random_split(ds, [0.75, 0.25], generator=minitorch.Generator().manual_seed(1))
    seen = sum(labels_of(DataLoader(train, batch_size=4, shuffle=True)), [])
    assert sorted(seen) == sorted(train.indices)
