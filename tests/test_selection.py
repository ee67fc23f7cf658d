"""index_select, masked_select, scatter and scatter_add against NumPy (property-based, small
shapes), their gradients (gradcheck), node names and errors."""

import numpy as np
import pytest
from grad_helpers import leaf, node
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import arrays, assert_matches, shapes, tensor_arrays

import minitorch
from minitorch import autograd

FEW = settings(max_examples=25)
small = shapes(min_dims=1, max_dims=3, max_side=4, max_numel=24, allow_zero=False)




@FEW
@given(data=st.data(), shape=small, dtype=st.sampled_from(["int64", "int32"]))
def test_index_select_is_numpys_take(data, shape, dtype):
    x, a = data.draw(tensor_arrays("float32", shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    picks = np.array(data.draw(st.lists(st.integers(0, shape[dim] - 1), max_size=5)),
                     dtype=dtype)
    out = x.index_select(dim, minitorch.tensor(picks))
    assert_matches(out, np.take(a, picks, axis=dim))
    assert_matches(minitorch.index_select(x, dim, minitorch.tensor(picks)),
                   np.take(a, picks, axis=dim))


@FEW
@given(data=st.data(), shape=small)
def test_masked_select_is_numpys_mask(data, shape):
    x, a = data.draw(tensor_arrays("float64", shape))
    mask_shape = data.draw(st.sampled_from([shape, shape[-1:], (1,) * len(shape)]))
    mask = data.draw(arrays("bool", mask_shape))
    expected = a[np.broadcast_to(mask, shape)]
    assert_matches(x.masked_select(minitorch.tensor(mask)), expected)


@st.composite
def scatter_case(draw, dtype="float64"):
    """(input, array, dim, index array, src array): an index no larger than the input apart
    from `dim`, whose positions along `dim` do not repeat within a column (so that the
    result of `scatter` does not depend on which write wins)."""
    shape = draw(small)
    x, a = draw(tensor_arrays(dtype, shape))
    dim = draw(st.integers(0, len(shape) - 1))
    index_shape = tuple(draw(st.integers(1, n)) for n in shape)
    # each column along `dim`: the start of a permutation of the positions, from random keys
    keys_shape = tuple(shape[dim] if d == dim else n for d, n in enumerate(index_shape))
    keys = draw(arrays("float64", keys_shape))
    index = np.take(np.argsort(keys, axis=dim, kind="stable"), range(index_shape[dim]), dim)
    src = draw(arrays(dtype, tuple(n + draw(st.integers(0, 1)) for n in index_shape)))
    return x, a, dim, index, src


def np_scatter(a, dim, index, src, add=False):
    out = a.copy()
    for pos in np.ndindex(index.shape):
        target = list(pos)
        target[dim] = index[pos]
        if add:
            out[tuple(target)] += src[pos]
        else:
            out[tuple(target)] = src[pos]
    return out


@FEW
@given(case=scatter_case())
def test_scatter_is_the_loop_of_its_definition(case):
    x, a, dim, index, src = case
    i = minitorch.tensor(index)
    assert_matches(x.scatter(dim, i, minitorch.tensor(src)), np_scatter(a, dim, index, src))
    assert_matches(minitorch.scatter(x, dim, i, value=2.5),
                   np_scatter(a, dim, index, np.full(index.shape, 2.5)))


@FEW
@given(case=scatter_case("int64"), repeat=st.booleans())
def test_scatter_add_is_the_loop_of_its_definition(case, repeat):
    x, a, dim, index, src = case
    if repeat:
        index = np.zeros_like(index)  # every value goes to position 0: they add up
    out = x.scatter_add(dim, minitorch.tensor(index), minitorch.tensor(src))
    assert_matches(out, np_scatter(a, dim, index, src, add=True))


def test_selection_gradients_and_nodes():
    a = np.arange(12.0).reshape(3, 4) / 7
    index = minitorch.tensor([[2, 0, 1], [0, 1, 2]])
    src = np.arange(8.0).reshape(2, 4) / 3  # larger than index: its last column is unused
    for fn in (lambda x: x.index_select(1, minitorch.tensor([3, 0, 3])),
               lambda x: x.masked_select(minitorch.tensor([True, False, True, True])),
               lambda x: x.scatter(0, index, 1.5)):
        assert autograd.gradcheck(fn, (leaf(a),))
    for fn in (lambda x, s: x.scatter(0, index, s), lambda x, s: x.scatter_add(0, index, s)):
        assert autograd.gradcheck(fn, (leaf(a), leaf(src)))
    x, s = leaf(a), leaf(src)
    assert node(x.index_select(0, minitorch.tensor([1]))) == "IndexSelectBackward0"
    assert node(x.masked_select(x > 0.5)) == "MaskedSelectBackward0"
    assert node(x.scatter(0, index, s)) == "ScatterBackward0"
    assert node(x.scatter(0, index, 1.0)) == "ScatterBackward1"
    assert node(x.scatter_add(0, index, s)) == "ScatterAddBackward0"


def test_selection_errors():
    x = minitorch.ones(3, 4)
    with pytest.raises(IndexError, match="index out of range in self"):
        x.index_select(0, minitorch.tensor([3]))
    with pytest.raises(RuntimeError, match="Expected dtype int32 or int64 for index"):
        x.index_select(0, minitorch.tensor([1.0]))
    with pytest.raises(IndexError, match="Index is supposed to be a vector"):
        x.index_select(0, minitorch.tensor([[1]]))
    with pytest.raises(RuntimeError, match="expected BoolTensor for mask"):
        x.masked_select(minitorch.tensor([1, 0, 1, 0]))
    with pytest.raises(RuntimeError, match="must match the size"):
        x.masked_select(minitorch.tensor([True, False]))
    index = minitorch.tensor([[1, 0]])
    with pytest.raises(RuntimeError, match="Expected self.dtype to be equal to src.dtype"):
        x.scatter(0, index, minitorch.ones(1, 2, dtype=minitorch.float64))
    with pytest.raises(RuntimeError, match="to be no larger size than src"):
        x.scatter_add(0, index, minitorch.ones(1, 1))
    with pytest.raises(RuntimeError, match="index 3 is out of bounds for dimension 0"):
        x.scatter(0, minitorch.tensor([[3, 0]]), 5.0)
