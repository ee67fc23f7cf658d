"""sort, argsort, topk, unique, searchsorted and bucketize against NumPy (property-based, small
shapes), the gradients of the sorted values, dtypes, node names and errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import arrays, assert_matches, shapes, tensor_arrays

import minitorch
from minitorch import autograd

FEW = settings(max_examples=25)
small = shapes(min_dims=0, max_dims=3, max_side=4, max_numel=24)


def dim_of(data, shape):
    n = max(len(shape), 1)
    return data.draw(st.integers(-n, n - 1))


def stable_descending(a, axis):
    """NumPy's stable ascending order of the reversed values, reversed: largest first, ties
    in their original order (what `sort(descending=True)` promises)."""
    n = a.shape[axis]
    return n - 1 - np.flip(np.argsort(np.flip(a, axis), axis=axis, kind="stable"), axis)


@FEW
@given(data=st.data(), shape=small, descending=st.booleans(),
       dtype=st.sampled_from(["float32", "int64", "bool"]))
def test_sort_and_argsort_are_numpys_stable_sort(data, shape, descending, dtype):
    # few distinct values, so that ties are common
    low, high = (-2, 2) if dtype != "bool" else (None, None)
    x, a = data.draw(tensor_arrays(dtype, shape, low=low, high=high))
    dim = dim_of(data, shape)
    if not shape:
        order = np.zeros((), dtype=np.int64)
    elif descending:
        order = stable_descending(a, dim % len(shape))
    else:
        order = np.argsort(a, axis=dim, kind="stable")
    values, indices = x.sort(dim, descending)
    assert_matches(indices, order, "int64")
    assert_matches(values, np.take_along_axis(a, order, dim) if shape else a, dtype)
    assert_matches(minitorch.argsort(x, dim=dim, descending=descending, stable=True), order)


def test_sort_puts_nan_last_ascending_and_first_descending():
    x = minitorch.tensor([3.0, float("nan"), 1.0])
    assert_matches(x.sort().indices, np.array([2, 0, 1]))
    assert_matches(x.sort(descending=True).indices, np.array([1, 0, 2]))


@FEW
@given(data=st.data(), shape=shapes(min_dims=1, max_dims=3, max_side=4, max_numel=24),
       largest=st.booleans())
def test_topk_is_the_head_of_the_sort(data, shape, largest):
    x, a = data.draw(tensor_arrays("float64", shape, low=-3, high=3))
    dim = dim_of(data, shape)
    k = data.draw(st.integers(0, shape[dim]))
    order = stable_descending(a, dim % len(shape)) if largest else np.argsort(a, dim,
                                                                               kind="stable")
    head = np.take(order, range(k), axis=dim)
    values, indices = x.topk(k, dim, largest=largest)
    assert_matches(indices, head)
    assert_matches(values, np.take_along_axis(a, head, dim))


def test_sort_and_topk_gradients_go_back_to_where_values_came_from():
    a = np.array([[0.3, -1.2, 2.5, 0.7], [1.1, 0.2, -0.4, 3.0]])
    for fn in (lambda x: x.sort(1).values, lambda x: x.sort(0, descending=True)[0],
               lambda x: x.topk(2).values, lambda x: x.topk(1, dim=0, largest=False).values):
        assert autograd.gradcheck(fn, (minitorch.tensor(a, requires_grad=True),))
    x = minitorch.tensor(a, requires_grad=True)
    assert type(x.sort().values.grad_fn).__name__ == "SortBackward0"
    assert type(x.topk(1).values.grad_fn).__name__ == "TopkBackward0"
    assert x.sort().indices.grad_fn is None and x.sort().indices.dtype is minitorch.int64


def test_sort_and_topk_return_named_tuples():
    x = minitorch.tensor([2.0, 1.0])
    result = x.sort()
    assert type(result).__name__ == "sort" and result.values is result[0]
    assert repr(result).startswith("minitorch.return_types.sort(\nvalues=tensor([1., 2.]),")
    assert type(x.topk(1)).__name__ == "topk"
    values, indices = minitorch.tensor(5.0).sort()
    assert values.item() == 5.0 and indices.item() == 0 and indices.dim() == 0


def test_topk_errors():
    x = minitorch.ones(2, 3)
    for k in (4, -1):
        with pytest.raises(RuntimeError, match="selected index k out of range"):
            x.topk(k)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.sort(2)


# ----- unique -------------------------------------------------------------------------------
@FEW
@given(data=st.data(), shape=small, dtype=st.sampled_from(["float32", "int32"]))
def test_unique_is_numpys(data, shape, dtype):
    x, a = data.draw(tensor_arrays(dtype, shape, low=-2, high=2))
    values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True)
    assert_matches(minitorch.unique(x), values, dtype)
    out, inv, cnt = x.unique(return_inverse=True, return_counts=True)
    assert_matches(out, values, dtype)
    assert_matches(inv, inverse.reshape(a.shape), "int64")
    assert_matches(cnt, counts, "int64")


def test_unique_along_a_dim_and_without_gradient():
    x = minitorch.tensor([[1, 2], [1, 2], [0, 1]])
    out, inverse = minitorch.unique(x, dim=0, return_inverse=True)
    assert_matches(out, np.array([[0, 1], [1, 2]]))
    assert_matches(inverse, np.array([1, 1, 0]))
    w = minitorch.tensor([2.0, 1.0, 2.0], requires_grad=True)
    assert not w.unique().requires_grad


# ----- searchsorted, bucketize -------------------------------------------------------------
@FEW
@given(data=st.data(), n=st.integers(0, 5), shape=shapes(max_dims=2, max_side=4),
       right=st.booleans())
def test_searchsorted_and_bucketize_are_numpys(data, n, shape, right):
    boundaries = np.sort(data.draw(arrays("int64", (n,), low=-3, high=3)))
    x, a = data.draw(tensor_arrays("int64", shape, low=-4, high=4))
    side = "right" if right else "left"
    expected = np.searchsorted(boundaries, a, side=side)
    b = minitorch.tensor(boundaries)
    assert_matches(minitorch.searchsorted(b, x, right=right), expected, "int64")
    assert_matches(minitorch.searchsorted(b, x, side=side), expected, "int64")
    assert_matches(minitorch.bucketize(x, b, right=right, out_int32=True), expected, "int32")


def test_searchsorted_row_by_row_and_of_a_number():
    seq = minitorch.tensor([[1, 3, 5], [2, 4, 6]])
    out = minitorch.searchsorted(seq, minitorch.tensor([[3, 6], [3, 6]]), side="right")
    assert_matches(out, np.array([[2, 3], [1, 3]]))
    assert minitorch.searchsorted(seq[0], 3).item() == 1


def test_searchsorted_errors():
    seq = minitorch.tensor([1, 3, 5])
    with pytest.raises(RuntimeError, match="side can only be 'left' or 'right' but got up"):
        minitorch.searchsorted(seq, seq, side="up")
    with pytest.raises(RuntimeError, match="side and right can't be set to opposites"):
        minitorch.searchsorted(seq, seq, side="left", right=True)
    with pytest.raises(RuntimeError, match="first N-1 dimensions of boundaries tensor"):
        minitorch.searchsorted(seq.reshape(1, 3), minitorch.tensor([3, 4]))
    with pytest.raises(RuntimeError, match=r"boundaries tensor must be 1 dimension, but got "
                                           r"dim\(2\)"):
        minitorch.bucketize(seq, seq.reshape(1, 3))
