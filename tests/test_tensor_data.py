"""Low-level indexing functions of minitorch.tensor_data, checked against NumPy."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import broadcastable_shapes, numel, shapes

import minitorch
from minitorch.tensor_data import (
    TensorData,
    broadcast_index,
    index_to_position,
    shape_broadcast,
    strides_from_shape,
    to_index,
)


def ints(values):
    return np.array(values, dtype=np.int64)


def c_strides(shape):
    """Row-major strides in elements, as NumPy computes them for a non-empty array."""
    a = np.empty(shape, dtype=np.float64)
    return tuple(s // a.itemsize for s in a.strides)


def expected_contiguous(shape, strides):
    """PyTorch's rule: empty tensors are contiguous; sizes of 1 don't constrain their stride."""
    if numel(shape) == 0:
        return True
    expected = 1
    for n, s in zip(reversed(shape), reversed(strides), strict=True):
        if n != 1:
            if s != expected:
                return False
            expected *= n
    return True


@st.composite
def shape_and_index(draw, **kwargs):
    shape = draw(shapes(allow_zero=False, **kwargs))
    index = tuple(draw(st.integers(0, n - 1)) for n in shape)
    return shape, index


# -- index_to_position --------------------------------------------------------------------------


@given(shape_and_index())
def test_index_to_position_contiguous_is_ravel_multi_index(case):
    shape, index = case
    strides = c_strides(shape)
    expected = int(np.ravel_multi_index(index, shape)) if shape else 0
    assert int(index_to_position(ints(index), ints(strides))) == expected


@given(shape_and_index(), st.data())
def test_index_to_position_any_strides(case, data):
    shape, index = case
    strides = tuple(data.draw(st.integers(0, 50)) for _ in shape)
    expected = sum(i * s for i, s in zip(index, strides, strict=True))
    assert int(index_to_position(ints(index), ints(strides))) == expected


# -- to_index -----------------------------------------------------------------------------------


@given(shapes(allow_zero=False), st.data())
def test_to_index_is_unravel_index(shape, data):
    ordinal = data.draw(st.integers(0, numel(shape) - 1))
    out = np.zeros(len(shape), dtype=np.int64)
    result = to_index(ordinal, ints(shape), out)
    assert result is None, "to_index fills out_index and returns None"
    expected = tuple(int(i) for i in np.unravel_index(ordinal, shape)) if shape else ()
    assert tuple(int(i) for i in out) == expected


@given(shapes(allow_zero=False, min_dims=1))
def test_to_index_then_index_to_position_round_trip(shape):
    strides = ints(c_strides(shape))
    out = np.zeros(len(shape), dtype=np.int64)
    for ordinal in range(numel(shape)):
        to_index(ordinal, ints(shape), out)
        assert int(index_to_position(out, strides)) == ordinal


def test_to_index_overwrites_out_index():
    out = np.full(3, 99, dtype=np.int64)
    to_index(5, ints((2, 3, 1)), out)
    assert tuple(int(i) for i in out) == (1, 2, 0)


# -- broadcast_index ----------------------------------------------------------------------------


@given(broadcastable_shapes(n=2, allow_zero=False))
def test_broadcast_index_matches_numpy_broadcast_to(pair):
    small, other = pair
    big = tuple(np.broadcast_shapes(small, other))
    labels = np.arange(numel(small)).reshape(small)
    spread = np.broadcast_to(labels, big)
    out = np.zeros(len(small), dtype=np.int64)
    for big_index in np.ndindex(*big):
        out[:] = 7
        broadcast_index(ints(big_index), ints(big), ints(small), out)
        label = int(spread[big_index])
        expected = tuple(int(i) for i in np.unravel_index(label, small)) if small else ()
        assert tuple(int(i) for i in out) == expected, (big_index, big, small)


def test_broadcast_index_example():
    out = np.zeros(2, dtype=np.int64)
    broadcast_index(ints((4, 2, 3)), ints((5, 3, 4)), ints((1, 4)), out)
    assert tuple(int(i) for i in out) == (0, 3)


# -- shape_broadcast ----------------------------------------------------------------------------


@given(broadcastable_shapes(n=2))
def test_shape_broadcast_matches_numpy(pair):
    a, b = pair
    result = shape_broadcast(a, b)
    assert tuple(result) == tuple(np.broadcast_shapes(a, b))
    assert tuple(shape_broadcast(b, a)) == tuple(np.broadcast_shapes(b, a))


def _named(message, shape):
    shape = tuple(int(n) for n in shape)
    forms = {str(shape), str(list(shape)), f"minitorch.Size({list(shape)})"}
    return any(form in message for form in forms)


@st.composite
def incompatible_shapes(draw):
    a = list(draw(shapes(min_dims=1, allow_zero=False)))
    b = list(a[draw(st.integers(0, len(a) - 1)) :])
    ax = draw(st.integers(1, len(b)))  # counted from the right
    size_a = a[-ax]
    choices = [n for n in range(0, 6) if n not in (1, size_a)]
    if size_a == 1:
        # make `a` the one that is not 1
        a[-ax] = draw(st.sampled_from([2, 3, 4]))
        choices = [n for n in range(0, 6) if n not in (1, a[-ax])]
    b[-ax] = draw(st.sampled_from(choices))
    if draw(st.booleans()):
        return tuple(b), tuple(a)
    return tuple(a), tuple(b)


@given(incompatible_shapes())
def test_shape_broadcast_error_names_both_shapes(pair):
    a, b = pair
    with pytest.raises(ValueError):
        np.broadcast_shapes(a, b)
    with pytest.raises(RuntimeError) as info:
        shape_broadcast(a, b)
    message = str(info.value)
    assert _named(message, a) and _named(message, b), message


def test_shape_broadcast_error_example():
    with pytest.raises(RuntimeError) as info:
        shape_broadcast((2, 3), (4,))
    assert _named(str(info.value), (2, 3)) and _named(str(info.value), (4,)), str(info.value)


# -- strides_from_shape -------------------------------------------------------------------------


@given(shapes(allow_zero=False))
def test_strides_from_shape_is_numpy_c_strides(shape):
    assert tuple(int(s) for s in strides_from_shape(shape)) == c_strides(shape)


def test_strides_from_shape_examples():
    assert tuple(strides_from_shape((2, 3, 4))) == (12, 4, 1)
    assert tuple(strides_from_shape((5,))) == (1,)
    assert tuple(strides_from_shape(())) == ()


# -- TensorData ---------------------------------------------------------------------------------


def values_of(td):
    """A TensorData's elements, read with our own stride arithmetic."""
    shape = tuple(int(n) for n in td.shape)
    strides = tuple(int(s) for s in td.strides)
    out = np.zeros(shape, dtype=td.storage.dtype)
    for index in np.ndindex(*shape):
        out[index] = td.storage[td.offset + sum(i * s for i, s in zip(index, strides, strict=True))]
    return out


@given(shapes(), st.data())
def test_tensor_data_defaults(shape, data):
    storage = np.arange(numel(shape), dtype=np.float64)
    td = TensorData(storage, shape)
    assert tuple(int(n) for n in td.shape) == shape
    assert td.size == numel(shape)
    assert td.dims == len(shape)
    assert int(td.offset) == 0
    if numel(shape):
        assert tuple(int(s) for s in td.strides) == c_strides(shape)
    assert td.is_contiguous()
    np.testing.assert_array_equal(values_of(td), storage.reshape(shape))


@given(shapes(), st.data())
def test_tensor_data_permute_is_numpy_transpose(shape, data):
    order = data.draw(st.permutations(range(len(shape))))
    storage = np.arange(numel(shape), dtype=np.float64) * 10
    td = TensorData(storage, shape)
    permuted = td.permute(*order)
    assert isinstance(permuted, TensorData)
    assert permuted.storage is td.storage or np.shares_memory(permuted.storage, storage)
    expected = np.transpose(storage.reshape(shape), order)
    assert tuple(int(n) for n in permuted.shape) == expected.shape
    np.testing.assert_array_equal(values_of(permuted), expected)
    assert tuple(int(s) for s in permuted.strides) == tuple(int(td.strides[i]) for i in order)
    assert bool(permuted.is_contiguous()) == expected_contiguous(
        expected.shape, tuple(int(s) for s in permuted.strides)
    )


@given(shapes(allow_zero=False, min_dims=1), st.data())
def test_tensor_data_with_offset_and_strides(shape, data):
    strides = tuple(data.draw(st.integers(1, 9)) for _ in shape)
    offset = data.draw(st.integers(0, 5))
    size = offset + sum((n - 1) * s for n, s in zip(shape, strides, strict=True)) + 1
    storage = np.arange(size, dtype=np.int64)
    td = TensorData(storage, shape, strides, offset)
    expected = np.lib.stride_tricks.as_strided(
        storage[offset:], shape, tuple(s * storage.itemsize for s in strides)
    )
    np.testing.assert_array_equal(values_of(td), expected)
    assert bool(td.is_contiguous()) == expected_contiguous(shape, strides)


def test_tensor_data_permute_examples():
    td = TensorData(np.arange(6.0), (2, 3))
    t = td.permute(1, 0)
    assert tuple(t.shape) == (3, 2) and tuple(t.strides) == (1, 3)
    assert not t.is_contiguous()
    assert td.is_contiguous()
    # Moving only a size-1 dim keeps the data contiguous (as in PyTorch).
    single = TensorData(np.arange(3.0), (1, 3)).permute(1, 0)
    assert single.is_contiguous()


def test_tensor_data_permute_rejects_bad_order():
    td = TensorData(np.arange(6.0), (2, 3))
    for order in [(0,), (0, 0), (0, 2), (1, 0, 2)]:
        with pytest.raises((RuntimeError, IndexError, ValueError)):
            td.permute(*order)


@pytest.mark.parametrize(
    ("shape", "strides", "contiguous"),
    [
        ((2, 3), (3, 1), True),
        ((2, 3), (1, 2), False),
        ((2, 1, 3), (3, 99, 1), True),  # a size-1 dim's stride is free
        ((2, 1), (2, 1), False),  # like zeros(4, 1)[::2]
        ((3, 2), (4, 2), False),
        ((0, 3), (7, 5), True),  # empty tensors are contiguous
        ((), (), True),
    ],
)
def test_is_contiguous_rule(shape, strides, contiguous):
    storage = np.zeros(64)
    assert bool(TensorData(storage, shape, strides).is_contiguous()) == contiguous


def test_tensor_is_contiguous_follows_pytorch():
    x = minitorch.zeros(4, 3)
    assert x.is_contiguous()
    assert not x.t().is_contiguous()
    assert not x[::2].is_contiguous()
    assert not x[:, :1].is_contiguous()
    assert x[1:].is_contiguous()
    assert minitorch.zeros(1, 3).permute(1, 0).is_contiguous()
    assert not minitorch.zeros(3).expand(2, 3).is_contiguous()


@given(shapes(), st.data())
def test_tensor_strides_are_contiguous_strides(shape, data):
    assume(numel(shape) > 0)
    x = minitorch.zeros(shape)
    assert tuple(x.stride()) == c_strides(shape)
    for d in range(len(shape)):
        assert x.stride(d) == c_strides(shape)[d]
        assert x.stride(d - len(shape)) == c_strides(shape)[d]


@pytest.mark.parametrize("a, b, sizes, dim", [
    ((2, 3), (3, 4), (3, 4), 1),  # both dims differ: PyTorch names the rightmost
    ((5, 2, 3), (4, 1, 3), (5, 4), 0),
    ((2, 3), (4,), (3, 4), 1),
])
def test_a_broadcast_error_names_the_dimension_pytorch_names(a, b, sizes, dim):
    # (the sizes and dimension torch 2.13 reports for these shapes)
    with pytest.raises(RuntimeError, match=rf"the size of tensor a \({sizes[0]}\) must match "
                       rf"the size of tensor b \({sizes[1]}\) at non-singleton dimension {dim}"):
        shape_broadcast(a, b)
