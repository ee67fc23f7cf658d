"""Matrix products against np.matmul: matmul / @ / mm / bmm / dot / mv."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    assert_matches,
    mt_dtype,
    numel,
    tensor_arrays,
)

import minitorch

NUMERIC = ["int32", "int64", "float32", "float64"]
TOL = {"float32": {"rtol": 1e-5, "atol": 1e-4}}


def sizes(low=0):
    return st.integers(low, 4)


@st.composite
def matmul_shapes(draw):
    """Shapes of a and b for np.matmul: 1-D, 2-D or batched with broadcast batch dims."""
    n, k, m = draw(sizes()), draw(sizes()), draw(sizes())
    kind_a = draw(st.sampled_from(["1d", "2d", "batched"]))
    kind_b = draw(st.sampled_from(["1d", "2d", "batched"]))
    batch = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)))
    a = {"1d": (k,), "2d": (n, k), "batched": None}[kind_a]
    b = {"1d": (k,), "2d": (k, m), "batched": None}[kind_b]
    if a is None:
        keep = draw(st.integers(1, len(batch)))
        a_batch = tuple(1 if draw(st.booleans()) else s for s in batch[len(batch) - keep :])
        a = a_batch + (n, k)
    if b is None:
        keep = draw(st.integers(1, len(batch)))
        b_batch = tuple(1 if draw(st.booleans()) else s for s in batch[len(batch) - keep :])
        b = b_batch + (k, m)
    return a, b


def expected_matmul(a, b, dtype):
    compute = "float64" if dtype.startswith("float") else "int64"
    return np.asarray(np.matmul(a.astype(compute), b.astype(compute))).astype(dtype)


@given(
    data=st.data(),
    dtype=st.sampled_from(NUMERIC),
    shapes_=matmul_shapes(),
    form=st.sampled_from(["operator", "method", "function"]),
)
def test_matmul(data, dtype, shapes_, form):
    sa, sb = shapes_
    ta, a = data.draw(tensor_arrays(dtype, sa, low=-5, high=5))
    tb, b = data.draw(tensor_arrays(dtype, sb, low=-5, high=5))
    expected = expected_matmul(a, b, dtype)
    assert numel(expected.shape) <= 200
    call = {
        "operator": lambda: ta @ tb,
        "method": lambda: ta.matmul(tb),
        "function": lambda: minitorch.matmul(ta, tb),
    }[form]
    assert_matches(call(), expected, dtype=dtype, **TOL.get(dtype, {}))


@given(data=st.data(), dtype=st.sampled_from(NUMERIC), n=sizes(), k=sizes(), m=sizes())
def test_mm(data, dtype, n, k, m):
    ta, a = data.draw(tensor_arrays(dtype, (n, k)))
    tb, b = data.draw(tensor_arrays(dtype, (k, m)))
    expected = expected_matmul(a, b, dtype)
    assert_matches(ta.mm(tb), expected, **TOL.get(dtype, {}))
    assert_matches(minitorch.mm(ta, tb), expected, **TOL.get(dtype, {}))


@given(
    data=st.data(),
    dtype=st.sampled_from(NUMERIC),
    batch=st.integers(0, 3),
    n=sizes(),
    k=sizes(),
    m=sizes(),
)
def test_bmm(data, dtype, batch, n, k, m):
    ta, a = data.draw(tensor_arrays(dtype, (batch, n, k)))
    tb, b = data.draw(tensor_arrays(dtype, (batch, k, m)))
    expected = expected_matmul(a, b, dtype)
    assert_matches(ta.bmm(tb), expected, **TOL.get(dtype, {}))
    assert_matches(minitorch.bmm(ta, tb), expected, **TOL.get(dtype, {}))


@given(data=st.data(), dtype=st.sampled_from(NUMERIC), n=sizes(), k=sizes())
def test_dot_and_mv(data, dtype, n, k):
    tm, mat = data.draw(tensor_arrays(dtype, (n, k)))
    tv, vec = data.draw(tensor_arrays(dtype, (k,)))
    tw, w = data.draw(tensor_arrays(dtype, (k,)))
    assert_matches(tv.dot(tw), expected_matmul(vec, w, dtype), **TOL.get(dtype, {}))
    assert_matches(minitorch.dot(tv, tw), expected_matmul(vec, w, dtype), **TOL.get(dtype, {}))
    assert_matches(tm.mv(tv), expected_matmul(mat, vec, dtype), **TOL.get(dtype, {}))
    assert_matches(minitorch.mv(tm, tv), expected_matmul(mat, vec, dtype), **TOL.get(dtype, {}))


def test_integer_matmul_is_exact():
    a = np.array([[2**20, 3], [-7, 2**21]], dtype=np.int64)
    b = np.array([[2**22, 1], [5, -(2**20)]], dtype=np.int64)
    result = minitorch.from_numpy(a.copy()) @ minitorch.from_numpy(b.copy())
    assert_matches(result, a @ b)  # 2**42-sized products, exact in int64 (not in float32)


def test_matmul_examples():
    a = minitorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    v = minitorch.tensor([1.0, -1.0])
    assert_matches(a @ v, np.array([-1.0, -1.0], np.float32))
    assert_matches(v @ a, np.array([-2.0, -2.0], np.float32))
    assert_matches(v @ v, np.array(2.0, np.float32))
    batch = minitorch.ones(3, 1, 2, 2)
    assert tuple((batch @ minitorch.ones(4, 2, 5)).shape) == (3, 4, 2, 5)


@pytest.mark.parametrize(
    ("shape_a", "shape_b", "inner"),
    [
        ((2, 3), (4, 5), ("3", "4")),
        ((3,), (4,), ("3", "4")),
        ((2, 7), (5,), ("7", "5")),
        ((6,), (4, 2), ("6", "4")),
        ((2, 2, 3), (2, 4, 2), ("3", "4")),
    ],
)
def test_matmul_shape_mismatch_names_inner_sizes(shape_a, shape_b, inner):
    a, b = minitorch.zeros(shape_a), minitorch.zeros(shape_b)
    with pytest.raises(RuntimeError) as info:
        a @ b
    message = str(info.value)
    assert all(size in message for size in inner), message


def test_mm_bmm_dot_mv_check_dims():
    with pytest.raises(RuntimeError):
        minitorch.mm(minitorch.zeros(2, 3), minitorch.zeros(3))
    with pytest.raises(RuntimeError):
        minitorch.bmm(minitorch.zeros(2, 3), minitorch.zeros(3, 2))
    with pytest.raises(RuntimeError):
        minitorch.bmm(minitorch.zeros(2, 2, 3), minitorch.zeros(3, 3, 2))
    with pytest.raises(RuntimeError):
        minitorch.dot(minitorch.zeros(2, 3), minitorch.zeros(3))
    with pytest.raises(RuntimeError):
        minitorch.dot(minitorch.zeros(3), minitorch.zeros(4))
    with pytest.raises(RuntimeError):
        minitorch.mv(minitorch.zeros(2, 3), minitorch.zeros(2))
    with pytest.raises(RuntimeError):
        minitorch.matmul(minitorch.tensor(1.0), minitorch.zeros(2))


@pytest.mark.parametrize(
    ("da", "db"),
    [("float32", "int64"), ("int64", "float32"), ("int32", "int64"), ("float32", "float64")],
)
@pytest.mark.parametrize("op", ["matmul", "mm", "dot"])
def test_mixed_dtype_products_raise(da, db, op):
    shape_a, shape_b = ((3,), (3,)) if op == "dot" else ((2, 3), (3, 2))
    a = minitorch.ones(shape_a, dtype=mt_dtype(da))
    b = minitorch.ones(shape_b, dtype=mt_dtype(db))
    with pytest.raises(RuntimeError):
        getattr(minitorch, op)(a, b)
