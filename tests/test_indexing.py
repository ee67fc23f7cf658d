"""Indexing (getitem / setitem) against NumPy's indexing."""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    assert_matches,
    dtypes,
    shapes,
    tensor_arrays,
    to_numpy,
)

import minitorch


@st.composite
def slices(draw, n):
    """A slice with a positive step; bounds may be negative or past the end."""
    start = draw(st.none() | st.integers(-n - 2, n + 2))
    stop = draw(st.none() | st.integers(-n - 2, n + 2))
    step = draw(st.none() | st.integers(1, 3))
    return slice(start, stop, step)


@st.composite
def basic_indices(draw, shape):
    """A basic index: ints (maybe negative), slices, None and at most one Ellipsis.

    The index covers the first k dims (maybe followed by `...`) or, after a leading `...`,
    the last k dims.
    """
    count = draw(st.integers(0, len(shape)))
    where = draw(st.sampled_from(["none", "end", "start"]))
    covered = shape[len(shape) - count :] if where == "start" else shape[:count]
    parts = []
    for n in covered:
        if draw(st.integers(0, 5)) == 0:
            parts.append(None)
        if n > 0 and draw(st.booleans()):
            parts.append(draw(st.integers(-n, n - 1)))
        else:
            parts.append(draw(slices(n)))
    if where == "end":
        parts.append(Ellipsis)
    elif where == "start":
        parts.insert(0, Ellipsis)
    if draw(st.booleans()):
        parts.append(None)
    if len(parts) == 1 and draw(st.booleans()):
        return parts[0]  # a bare int / slice / None / Ellipsis
    return tuple(parts)


@st.composite
def advanced_indices(draw, shape):
    """(tensor-index, numpy-index) with one advanced part: a bool mask or integer list/tensor."""
    kind = draw(st.sampled_from(["mask", "mask_prefix", "ints", "int_list", "mixed"]))
    if kind == "mask":
        mask = draw(
            st.lists(st.booleans(), min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))
        )
        m = np.array(mask, dtype=bool).reshape(shape)
        return minitorch.from_numpy(m.copy()), m
    if kind == "mask_prefix":
        m = np.array(draw(st.lists(st.booleans(), min_size=shape[0], max_size=shape[0])), bool)
        return minitorch.from_numpy(m.copy()), m
    n = shape[0]
    positions = draw(st.lists(st.integers(-n, n - 1), max_size=5)) if n else []
    arr = np.array(positions, dtype=np.int64)
    if kind == "int_list":
        return list(positions), arr
    if kind == "ints":
        two_d = len(positions) % 2 == 0 and positions and draw(st.booleans())
        if two_d:
            arr = arr.reshape(2, -1)
        return minitorch.from_numpy(arr.copy()), arr
    # mixed: an integer tensor on dim 0, then a slice or int on dim 1 (if any)
    rest = ()
    if len(shape) > 1:
        rest = (
            (draw(slices(shape[1])),)
            if draw(st.booleans()) or shape[1] == 0
            else (draw(st.integers(-shape[1], shape[1] - 1)),)
        )
    return (minitorch.from_numpy(arr.copy()),) + rest, (arr,) + rest


# -- getitem ------------------------------------------------------------------------------------


@given(data=st.data(), dtype=dtypes(), shape=shapes())
def test_basic_indexing_is_a_view(data, dtype, shape):
    t, a = data.draw(tensor_arrays(dtype, shape, allow_expand=False))
    index = data.draw(basic_indices(shape))
    expected = a[index]
    result = t[index]
    assert_matches(result, np.asarray(expected))
    if result.numel():
        # basic indexing returns a view: writing into it changes the indexed tensor
        before = to_numpy(t)
        first = (0,) * result.dim()
        old = result[first].item()
        result[first] = (not old) if isinstance(old, bool) else old + 1
        assert (to_numpy(t) != before).sum() == 1


@given(data=st.data(), dtype=dtypes(), shape=shapes(min_dims=1))
def test_advanced_indexing_copies(data, dtype, shape):
    t, a = data.draw(tensor_arrays(dtype, shape))
    t_index, np_index = data.draw(advanced_indices(shape))
    expected = a[np_index]
    result = t[t_index]
    assert_matches(result, expected)
    if result.numel():
        before = to_numpy(t)
        result.zero_() if dtype != "bool" else result.fill_(True)
        np.testing.assert_array_equal(to_numpy(t), before)


@given(data=st.data(), dtype=dtypes(), shape=shapes(min_dims=2))
def test_two_integer_tensors_broadcast_together(data, dtype, shape):
    t, a = data.draw(tensor_arrays(dtype, shape))
    assume_nonempty = shape[0] > 0 and shape[1] > 0
    if not assume_nonempty:
        return
    rows = np.array(data.draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=4)))
    cols = np.array(data.draw(st.integers(-shape[1], shape[1] - 1)))
    expected = a[rows, cols]
    assert_matches(
        t[minitorch.from_numpy(rows.copy()), minitorch.from_numpy(cols.copy())], expected
    )
    assert_matches(t[rows.tolist(), int(cols)], expected)


def test_indexing_examples():
    x = minitorch.arange(12).view(3, 4)
    a = np.arange(12).reshape(3, 4)
    assert_matches(x[-1], a[-1])
    assert_matches(x[1, -2], a[1, -2])
    assert_matches(x[:, ::2], a[:, ::2])
    assert_matches(x[None, 1:, None], a[None, 1:, None])
    assert_matches(x[..., 1], a[..., 1])
    assert_matches(x[x > 5], a[a > 5])
    assert_matches(x[[0, 2]], a[[0, 2]])
    assert_matches(x[minitorch.tensor([2, 0, 2])], a[[2, 0, 2]])
    assert_matches(x[minitorch.tensor([0, 2], dtype=minitorch.int32)], a[[0, 2]])
    assert_matches(x[minitorch.tensor(1)], a[1])
    assert_matches(x[1:, [0, 3]], a[1:, [0, 3]])
    assert_matches(x[minitorch.tensor([True, False, True])], a[[True, False, True]])


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "message"),
    [
        (5, "index 5 is out of bounds for dimension 0 with size 3"),
        (-4, "index -4 is out of bounds for dimension 0 with size 3"),
        ((0, 2), "index 2 is out of bounds for dimension 1 with size 2"),
        ((0, -3), "index -3 is out of bounds for dimension 1 with size 2"),
        ([0, 5], "index 5 is out of bounds for dimension 0 with size 3"),
    ],
)
def test_index_out_of_range(index, message):
    x = minitorch.arange(6).view(3, 2)
    with pytest.raises(IndexError, match=re.escape(message)):
        x[index]
    with pytest.raises(IndexError, match=re.escape(message)):
        x[index] = 0


def test_index_errors():
    x = minitorch.arange(6).view(3, 2)
    with pytest.raises(IndexError, match="too many indices"):
        x[0, 0, 0]
    with pytest.raises(ValueError):
        x[::-1]
    with pytest.raises(ValueError):
        x[::0]
    with pytest.raises(IndexError):
        x[minitorch.tensor([True, False])]  # mask shape mismatch
    with pytest.raises(IndexError):
        x[minitorch.tensor([0.0])]  # float tensors can't index
    with pytest.raises(IndexError):
        x[minitorch.tensor([0, 5])]
    with pytest.raises(IndexError):
        minitorch.tensor(3.0)[0]


# -- setitem ------------------------------------------------------------------------------------


@given(
    data=st.data(),
    dtype=dtypes(),
    shape=shapes(),
    value=st.booleans() | st.integers(-5, 5) | st.floats(-5, 5, allow_subnormal=False),
)
def test_setitem_basic_scalar(data, dtype, shape, value):
    t, a = data.draw(tensor_arrays(dtype, shape, allow_expand=False))
    index = data.draw(basic_indices(shape))
    expected = a.copy()
    expected[index] = np.asarray(np.float64(value)).astype(dtype)
    t[index] = value
    assert_matches(t, expected)


@given(data=st.data(), dtype=dtypes(), value_dtype=dtypes(), shape=shapes())
def test_setitem_basic_tensor_broadcasts(data, dtype, value_dtype, shape):
    t, a = data.draw(tensor_arrays(dtype, shape, allow_expand=False))
    index = data.draw(basic_indices(shape))
    target_shape = np.shape(a[index])
    # a value whose shape is a suffix of the target, with some dims set to 1
    keep = data.draw(st.integers(0, len(target_shape)))
    value_shape = tuple(
        1 if data.draw(st.booleans()) else n for n in target_shape[len(target_shape) - keep :]
    )
    v, b = data.draw(tensor_arrays(value_dtype, value_shape))
    expected = a.copy()
    expected[index] = b.astype(dtype)
    t[index] = v
    assert_matches(t, expected)


@given(data=st.data(), dtype=dtypes(), shape=shapes(min_dims=1))
def test_setitem_advanced(data, dtype, shape):
    t, a = data.draw(tensor_arrays(dtype, shape, allow_expand=False))
    kind = data.draw(st.sampled_from(["mask", "unique_ints"]))
    if kind == "mask":
        m = data.draw(tensor_arrays("bool", shape))[1]
        t_index, np_index = minitorch.from_numpy(m.copy()), m
    else:
        n = shape[0]
        positions = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n)) if n else []
        np_index = np.array(positions, dtype=np.int64)
        t_index = minitorch.from_numpy(np_index.copy())
    expected = a.copy()
    value = data.draw(st.integers(-3, 3))
    expected[np_index] = np.asarray(value).astype(dtype)
    t[t_index] = value
    assert_matches(t, expected)
    # a tensor value with the indexed shape
    target_shape = np.shape(expected[np_index])
    v, b = data.draw(tensor_arrays(dtype, target_shape))
    expected[np_index] = b
    t[t_index] = v
    assert_matches(t, expected)


def test_setitem_examples():
    x = minitorch.arange(6).view(3, 2)
    x[x > 2] = minitorch.tensor([7, 8, 9])
    assert_matches(x, np.array([[0, 1], [2, 7], [8, 9]]))
    x[0] = 2.7  # cast to the tensor's dtype: truncated
    assert_matches(x, np.array([[2, 2], [2, 7], [8, 9]]))
    x[:, 0] = minitorch.tensor([1, 2, 3])
    assert_matches(x, np.array([[1, 2], [2, 7], [3, 9]]))
    with pytest.raises(RuntimeError):
        x[:, 0] = minitorch.tensor([1, 2])


def test_setitem_through_view_changes_base():
    base = minitorch.zeros(3, 4)
    view = base[1:, ::2]
    view[0] = 5.0
    view[:, 1] = minitorch.tensor([1.0, 2.0])
    expected = np.zeros((3, 4), np.float32)
    expected[1:, ::2][0] = 5.0
    expected[1:, ::2][:, 1] = [1.0, 2.0]
    assert_matches(base, expected)


def test_indexing_a_0d_tensor_gives_pytorchs_hints():
    x = minitorch.tensor(3.0)
    with pytest.raises(IndexError, match=re.escape(
            "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
            "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")):
        x[0]
    with pytest.raises(IndexError, match=re.escape("slice() cannot be applied to a 0-dim tensor.")):
        x[:]
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 0"):
        x[(0,)]
    assert x[None].shape == (1,) and x[...].shape == ()
