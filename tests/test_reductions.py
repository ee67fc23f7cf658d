"""Reductions against NumPy: sum, mean, prod, max, min, argmax, argmin, all, any, var, std."""

import warnings
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    DTYPE_NAMES,
    assert_matches,
    category,
    dtypes,
    mt_dtype,
    numel,
    shapes,
    tensor_arrays,
)

import minitorch


@st.composite
def dims_for(draw, ndim, allow_tuple=True, allow_none=True):
    """None, an int (maybe negative) or a tuple of distinct dims (maybe negative)."""
    options = ["int"]
    if allow_none:
        options.insert(0, "none")
    if allow_tuple:
        options.append("tuple")
    kind = draw(st.sampled_from(options))
    if kind == "none":
        return None
    span = max(ndim, 1)  # 0-d tensors accept dim 0 / -1, as in PyTorch
    if kind == "int":
        return draw(st.integers(-span, span - 1))
    chosen = draw(st.lists(st.integers(0, span - 1), min_size=1, max_size=span, unique=True))
    return tuple(d - span if draw(st.booleans()) else d for d in chosen)


def numpy_axis(dim, ndim):
    """The NumPy `axis` for a PyTorch `dim` (0-d tensors: dim 0 means the whole tensor)."""
    if dim is None or ndim == 0:
        return None
    if isinstance(dim, tuple):
        return tuple(d % ndim for d in dim)
    return dim % ndim


def reduced_count(shape, dim):
    axis = numpy_axis(dim, len(shape))
    if axis is None:
        return numel(shape)
    axes = axis if isinstance(axis, tuple) else (axis,)
    return numel([shape[a] for a in axes])


def kwargs_for(dim, keepdim):
    kwargs = {}
    if dim is not None:
        kwargs["dim"] = dim
    if keepdim is not None:
        kwargs["keepdim"] = keepdim
    return kwargs


def numpy_reduce(fn, a, dim, keepdim, keep_all=False, **extra):
    """NumPy's reduction; `keep_all`: keepdim applies when dim is None too (var/std)."""
    axis = numpy_axis(dim, a.ndim)
    keep = bool(keepdim) and (dim is not None or keep_all)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fn(a, axis=axis, keepdims=keep, **extra)
    return np.asarray(out)


@dataclass
class Reduction:
    name: str
    reference: object
    result: str  # "acc" (int/bool -> int64), "same", "bool"
    float_only: bool = False
    tuple_dims: bool = True
    low: float = None
    high: float = None


REDUCTIONS = [
    Reduction("sum", np.sum, "acc"),
    Reduction("mean", np.mean, "same", float_only=True),
    Reduction("prod", np.prod, "acc", tuple_dims=False, low=-2, high=2),
    Reduction("all", np.all, "bool"),
    Reduction("any", np.any, "bool"),
]

TOL = {"float32": {"rtol": 1e-5, "atol": 1e-4}, "float64": {"rtol": 1e-10, "atol": 1e-10}}


def result_dtype(red, dtype):
    if red.result == "bool":
        return "bool"
    if red.result == "acc" and category(dtype) < 2:
        return "int64"
    return dtype


@pytest.mark.parametrize("red", REDUCTIONS, ids=lambda r: r.name)
@given(
    data=st.data(),
    dtype=dtypes(),
    shape=shapes(),
    keepdim=st.none() | st.booleans(),
    form=st.sampled_from(["method", "function"]),
)
def test_reduction(red, data, dtype, shape, keepdim, form):
    t, a = data.draw(tensor_arrays(dtype, shape, low=red.low, high=red.high))
    dim = data.draw(dims_for(len(shape), allow_tuple=red.tuple_dims, allow_none=True))
    if dim is None:
        keepdim = None  # the dim=None overload has no keepdim for sum/mean/prod/all/any
    kwargs = kwargs_for(dim, keepdim)

    def call():
        if form == "method":
            return getattr(t, red.name)(**kwargs)
        return getattr(minitorch, red.name)(t, **kwargs)

    if red.float_only and category(dtype) < 2:
        with pytest.raises(RuntimeError):
            call()
        return
    out = result_dtype(red, dtype)
    compute = "float64" if category(out) == 2 else out
    expected = numpy_reduce(red.reference, a.astype(compute), dim, keepdim).astype(out)
    assert_matches(call(), expected, dtype=out, **TOL.get(out, {}))
    assert_matches(t, a)


@pytest.mark.parametrize("name", ["var", "std"])
@given(
    data=st.data(),
    dtype=st.sampled_from(["float32", "float64"]),
    shape=shapes(),
    keepdim=st.booleans(),
    correction=st.sampled_from([None, 0, 1, 2, "unbiased=False", "unbiased=True"]),
)
def test_var_std(name, data, dtype, shape, keepdim, correction):
    t, a = data.draw(tensor_arrays(dtype, shape))
    dim = data.draw(dims_for(len(shape)))
    if dim is None and isinstance(correction, str):
        keepdim = False  # the (unbiased) overload without dim has no keepdim
        kwargs = {}
    else:
        kwargs = kwargs_for(dim, keepdim)  # dim=None, keepdim=True keeps every dim as 1
    if correction is None:
        ddof = 1
    elif isinstance(correction, str):
        ddof = 0 if correction.endswith("False") else 1
        kwargs["unbiased"] = correction.endswith("True")
    else:
        ddof = correction
        kwargs["correction"] = correction
    fn = np.var if name == "var" else np.std
    n = reduced_count(shape, dim)
    expected = numpy_reduce(fn, a.astype(np.float64), dim, keepdim, True, ddof=min(ddof, n))
    if n - ddof <= 0:
        # PyTorch divides by max(0, n - correction): 0 / 0 -> nan, x / 0 -> inf
        with np.errstate(all="ignore"):
            squares = numpy_reduce(np.var, a.astype(np.float64), dim, keepdim, True) * n
            expected = squares / 0.0
            if name == "std":
                expected = np.sqrt(expected)
    result = getattr(t, name)(**kwargs)
    assert_matches(result, expected.astype(dtype), dtype=dtype, **TOL[dtype])
    assert_matches(
        getattr(minitorch, name)(t, **kwargs), expected.astype(dtype), dtype=dtype, **TOL[dtype]
    )


@pytest.mark.parametrize("name", ["mean", "var", "std"])
@pytest.mark.parametrize("dtype", ["bool", "int32", "int64"])
def test_mean_var_std_of_integers_raise(name, dtype):
    x = minitorch.tensor([1, 2, 3]).to(mt_dtype(dtype))
    with pytest.raises(RuntimeError):
        getattr(x, name)()
    with pytest.raises(RuntimeError):
        getattr(x, name)(dim=0)


def test_var_std_examples():
    x = minitorch.tensor([[1.0, 2.0, 3.0], [4.0, 6.0, 8.0]])
    assert_matches(x.var(), np.array(np.var([1, 2, 3, 4, 6, 8], ddof=1), np.float32))
    assert_matches(x.std(dim=1), np.array([1.0, 2.0], np.float32))
    assert_matches(
        x.std(dim=1, unbiased=False), np.std([[1, 2, 3], [4, 6, 8]], axis=1).astype(np.float32)
    )
    assert_matches(
        x.var(dim=(0, 1), keepdim=True),
        np.var([[1, 2, 3, 4, 6, 8]], ddof=1, keepdims=True).astype(np.float32),
    )


# -- dtypes and empty reductions ----------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_sum_prod_result_dtypes(dtype):
    x = minitorch.tensor([[1, 0, 1], [1, 1, 1]]).to(mt_dtype(dtype))
    acc = "int64" if category(dtype) < 2 else dtype
    assert_matches(x.sum(), np.array(5, acc))
    assert_matches(x.sum(dim=0), np.array([2, 1, 2], acc))
    assert_matches(x.prod(dim=1), np.array([0, 1], acc))
    assert_matches(x.prod(), np.array(0, acc))
    assert_matches(x.sum(dtype=minitorch.float64), np.array(5.0))


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_empty_reductions(dtype):
    x = minitorch.zeros(0, 3, dtype=mt_dtype(dtype))
    acc = "int64" if category(dtype) < 2 else dtype
    assert_matches(x.sum(), np.array(0, acc))
    assert_matches(x.sum(dim=0), np.zeros(3, acc))
    assert_matches(x.sum(dim=1), np.zeros(0, acc))
    assert_matches(x.prod(), np.array(1, acc))
    assert_matches(x.prod(dim=0), np.ones(3, acc))
    assert_matches(x.all(), np.array(True))
    assert_matches(x.any(), np.array(False))
    if category(dtype) == 2:
        assert_matches(x.mean(), np.array(np.nan, dtype))
        assert_matches(x.mean(dim=0), np.full(3, np.nan, dtype))


def test_reduction_errors():
    x = minitorch.zeros(2, 3)
    with pytest.raises(
        IndexError,
        match=r"Dimension out of range \(expected to be in range of "
        r"\[-2, 1\], but got 2\)",
    ):
        x.sum(dim=2)
    with pytest.raises(IndexError, match=r"but got -3"):
        x.mean(dim=-3)
    with pytest.raises(RuntimeError):
        x.sum(dim=(0, 0))
    with pytest.raises(RuntimeError):
        x.sum(dim=(1, -1))
    with pytest.raises(IndexError):
        minitorch.tensor(3.0).sum(dim=1)


def test_zero_dim_reductions():
    x = minitorch.tensor(3.0)
    assert_matches(x.sum(0), np.array(3.0, np.float32))
    assert_matches(x.sum(-1), np.array(3.0, np.float32))
    result = x.max(dim=0)
    assert_matches(result.values, np.array(3.0, np.float32))
    assert_matches(result.indices, np.array(0))


# -- max / min / argmax / argmin ----------------------------------------------------------------

EXTREMA = {"max": (np.max, np.argmax), "min": (np.min, np.argmin)}


@pytest.mark.parametrize("name", ["max", "min"])
@given(data=st.data(), dtype=dtypes(), shape=shapes(), form=st.sampled_from(["method", "function"]))
def test_max_min_without_dim(name, data, dtype, shape, form):
    t, a = data.draw(tensor_arrays(dtype, shape, low=-3, high=3))
    call = (
        (lambda: getattr(t, name)()) if form == "method" else (lambda: getattr(minitorch, name)(t))
    )
    if a.size == 0:
        with pytest.raises(RuntimeError):
            call()
        return
    assert_matches(call(), np.asarray(EXTREMA[name][0](a)), dtype=dtype)


@pytest.mark.parametrize("name", ["max", "min"])
@given(
    data=st.data(),
    dtype=dtypes(),
    shape=shapes(),
    keepdim=st.booleans(),
    form=st.sampled_from(["method", "function", "unpack"]),
)
def test_max_min_with_dim(name, data, dtype, shape, keepdim, form):
    # a small range gives many ties: the first index of the extreme value wins
    t, a = data.draw(tensor_arrays(dtype, shape, low=-3, high=3))
    dim = data.draw(dims_for(len(shape), allow_tuple=False, allow_none=False))

    def call():
        if form == "function":
            return getattr(minitorch, name)(t, dim=dim, keepdim=keepdim)
        return getattr(t, name)(dim, keepdim)

    if reduced_count(shape, dim) == 0:
        with pytest.raises(IndexError):
            call()
        return
    value_fn, index_fn = EXTREMA[name]
    axis = numpy_axis(dim, a.ndim)
    values = np.asarray(value_fn(a, axis=axis, keepdims=keepdim and axis is not None))
    if axis is None:
        indices = np.array(0)
    else:
        indices = np.asarray(index_fn(a, axis=axis, keepdims=keepdim))
    result = call()
    if form == "unpack":
        got_values, got_indices = result
    else:
        got_values, got_indices = result.values, result.indices
        assert result[0] is got_values or np.array_equal(result[0].numpy(), got_values.numpy())
    assert_matches(got_values, values, dtype=dtype)
    assert_matches(got_indices, indices, dtype="int64")


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@given(
    data=st.data(),
    dtype=st.sampled_from(["int32", "int64", "float32", "float64"]),
    shape=shapes(),
    keepdim=st.booleans(),
    form=st.sampled_from(["method", "function"]),
)
def test_argmax_argmin(name, data, dtype, shape, keepdim, form):
    t, a = data.draw(tensor_arrays(dtype, shape, low=-3, high=3))
    dim = data.draw(dims_for(len(shape), allow_tuple=False))
    kwargs = {"dim": dim, "keepdim": keepdim}

    def call():
        if form == "method":
            return getattr(t, name)(**kwargs)
        return getattr(minitorch, name)(t, **kwargs)

    if reduced_count(shape, dim) == 0:
        with pytest.raises(IndexError):
            call()
        return
    fn = np.argmax if name == "argmax" else np.argmin
    axis = numpy_axis(dim, a.ndim)
    if dim is None:
        expected = np.asarray(fn(a))
        if keepdim:
            expected = expected.reshape((1,) * a.ndim)
    elif axis is None:
        expected = np.array(0)
    else:
        expected = np.asarray(fn(a, axis=axis, keepdims=keepdim))
    assert_matches(call(), expected, dtype="int64")


def test_argmax_of_bool_raises():
    with pytest.raises(RuntimeError):
        minitorch.tensor([True, False]).argmax()


def test_max_ties_take_the_first_index():
    x = minitorch.tensor([[1, 3, 3], [2, 2, 0]])
    result = x.max(dim=1)
    assert_matches(result.values, np.array([3, 2]))
    assert_matches(result.indices, np.array([1, 0]))
    result = x.min(dim=0)
    assert_matches(result.indices, np.array([0, 1, 1]))
    assert_matches(x.argmax(), np.array(1))
    assert_matches(x.argmin(dim=1, keepdim=True), np.array([[0], [2]]))
    assert "values=" in repr(result) and "indices=" in repr(result)


def test_max_min_of_empty_tensor_raise():
    with pytest.raises(RuntimeError):
        minitorch.zeros(0).max()
    with pytest.raises(IndexError):
        minitorch.zeros(0, 3).max(dim=0)
    with pytest.raises(IndexError):
        minitorch.zeros(0).argmax()
    result = minitorch.zeros(0, 3).max(dim=1)
    assert tuple(result.values.shape) == (0,)
