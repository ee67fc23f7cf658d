"""logsumexp, softmax, log_softmax, gather, erf, log1p, reciprocal, clamp_min, masked_fill and
bernoulli against NumPy (property-based, seeded by the hypothesis profile), their gradients'
values, their numerical stability and their errors."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, shapes, tensors_from

import minitorch

FLOATS = ["float32", "float64"]
TOL = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-12)}
small = shapes(max_dims=3, max_side=4, max_numel=24)
nonempty = shapes(min_dims=1, max_dims=3, max_side=4, allow_zero=False, max_numel=24)


@st.composite
def values(draw, dtype, shape, low=-10.0, high=10.0):
    """An array of `dtype` with values in [low, high]."""
    a = draw(arrays("float64", shape, elements_strategy=st.floats(
        low, high, allow_nan=False, allow_subnormal=False)))
    return a.astype(dtype)


def np_logsumexp(a, axis, keepdims=False):
    """log(sum(exp(a))) over `axis`, computed stably in float64."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0:
        return a.copy()
    m = np.max(a, axis=axis, keepdims=True) if a.size else np.zeros([1] * a.ndim)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def assert_close(t, expected, dtype):
    assert str(t.dtype) == f"minitorch.{dtype}"
    np.testing.assert_allclose(t.detach().numpy(), np.asarray(expected, dtype=np.float64),
                               **TOL[dtype])


@st.composite
def tensor_and_dim(draw, shape_strategy=small, dtype=None):
    dtype = dtype or draw(st.sampled_from(FLOATS))
    shape = draw(shape_strategy)
    a = draw(values(dtype, shape))
    t, _ = draw(tensors_from(a))
    n = max(len(shape), 1)
    return t, a, draw(st.integers(-n, n - 1)), dtype


# ----- logsumexp, softmax, log_softmax ---------------------------------------------------
@given(case=tensor_and_dim(), keepdim=st.booleans())
def test_logsumexp_matches_numpy(case, keepdim):
    t, a, dim, dtype = case
    out = t.logsumexp(dim, keepdim=keepdim)
    axis = dim % max(a.ndim, 1)
    expected = np_logsumexp(a, axis, keepdims=keepdim) if a.ndim else a
    assert tuple(out.shape) == np.shape(expected)
    assert_close(out, expected, dtype)
    assert_close(minitorch.logsumexp(t, dim, keepdim), expected, dtype)


@given(case=tensor_and_dim(shapes(min_dims=2, max_dims=3, max_side=3, max_numel=18)))
def test_logsumexp_over_several_dims(case):
    t, a, _, dtype = case
    assert_close(t.logsumexp((0, -1)), np_logsumexp(a, (0, a.ndim - 1)), dtype)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(case=tensor_and_dim())
def test_softmax_and_log_softmax_match_numpy(name, case):
    t, a, dim, dtype = case
    axis = dim % max(a.ndim, 1)
    log_p = a - np_logsumexp(a, axis, keepdims=True) if a.ndim else np.zeros_like(a)
    expected = np.exp(log_p) if name == "softmax" else log_p
    out = getattr(t, name)(dim)
    assert tuple(out.shape) == a.shape
    assert_close(out, expected, dtype)
    assert_close(getattr(minitorch, name)(t, dim), expected, dtype)


@given(case=tensor_and_dim(nonempty))
def test_softmax_is_a_distribution_along_dim(case):
    t, a, dim, _ = case
    p = t.softmax(dim).numpy()
    assert np.all(p >= 0) and np.all(p <= 1)
    np.testing.assert_allclose(p.sum(axis=dim % a.ndim), 1.0, rtol=1e-5)


@pytest.mark.parametrize("dtype", FLOATS)
def test_large_logits_stay_finite(dtype):
    mt = getattr(minitorch, dtype)
    x = minitorch.tensor([[1000.0, 999.0, -1000.0], [-1000.0, -1001.0, -1002.0]], dtype=mt)
    lse = x.logsumexp(1)
    np.testing.assert_allclose(lse.numpy(), [1000 + math.log1p(math.exp(-1)),
                                             -1000 + math.log(1 + math.exp(-1) + math.exp(-2))],
                               rtol=1e-6)
    for out in (x.softmax(1), x.log_softmax(1), x.softmax(0), x.log_softmax(0)):
        assert np.all(np.isfinite(out.numpy()))
    np.testing.assert_allclose(x.softmax(1).numpy()[0], [1 / (1 + math.exp(-1)),
                                                         math.exp(-1) / (1 + math.exp(-1)), 0],
                               rtol=1e-6, atol=1e-30)


def test_infinite_inputs():
    x = minitorch.tensor([[-math.inf, -math.inf], [0.0, -math.inf], [math.inf, 1.0]])
    np.testing.assert_equal(x.logsumexp(1).numpy(), [-np.inf, 0.0, np.inf])
    np.testing.assert_equal(x[1].softmax(0).numpy(), [1.0, 0.0])
    assert x[:0].logsumexp(1).shape == (0,)
    np.testing.assert_equal(minitorch.zeros(2, 0).logsumexp(1).numpy(), [-np.inf, -np.inf])


def test_gradients_of_softmax_family_have_their_closed_forms():
    a = np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 3.0]])
    g = np.array([[1.0, -2.0, 0.5], [0.3, 0.1, -0.7]])
    p = np.exp(a - np_logsumexp(a, 1, keepdims=True))
    x = minitorch.tensor(a, requires_grad=True)
    x.softmax(1).backward(minitorch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), p * (g - (g * p).sum(1, keepdims=True)))
    x.grad = None
    x.log_softmax(1).backward(minitorch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), g - p * g.sum(1, keepdims=True))
    x.grad = None
    x.logsumexp(1).backward(minitorch.tensor(g[:, 0]))
    np.testing.assert_allclose(x.grad.numpy(), p * g[:, :1])


def test_softmax_dtype_argument_and_integer_inputs():
    ints = minitorch.tensor([1, 2, 3])
    assert ints.logsumexp(0).dtype == minitorch.float32
    assert ints.softmax(0, dtype=minitorch.float64).dtype == minitorch.float64
    assert minitorch.softmax(ints, 0, dtype=minitorch.float32).dtype == minitorch.float32
    with pytest.raises(RuntimeError, match="float"):
        ints.softmax(0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        minitorch.ones(2, 3).softmax(2)


def test_softmax_grad_fn_names():
    x = minitorch.ones(2, 3, requires_grad=True)
    assert x.softmax(1).grad_fn.name() == "SoftmaxBackward0"
    assert x.log_softmax(1).grad_fn.name() == "LogSoftmaxBackward0"
    assert x.logsumexp(1).grad_fn.name() == "LogsumexpBackward0"


# ----- gather ------------------------------------------------------------------------------
@st.composite
def gather_cases(draw):
    dtype = draw(st.sampled_from(FLOATS + ["int64"]))
    shape = draw(nonempty)
    a = draw(arrays(dtype, shape))
    n = len(shape)
    dim = draw(st.integers(-n, n - 1))
    d = dim % n
    index_shape = tuple(draw(st.integers(0, 4)) if i == d else draw(st.integers(1, size))
                        for i, size in enumerate(shape))
    index = draw(arrays("int64", index_shape, low=0, high=shape[d] - 1))
    return a, dim, index


@given(case=gather_cases(), data=st.data())
def test_gather_matches_numpy(case, data):
    a, dim, index = case
    t, _ = data.draw(tensors_from(a))
    d = dim % a.ndim
    # take_along_axis needs `a` cut down to the index's size in the other dimensions
    trimmed = a[tuple(slice(0, n) if i != d else slice(None) for i, n in enumerate(index.shape))]
    expected = np.take_along_axis(trimmed, index, axis=d)
    out = t.gather(dim, minitorch.from_numpy(index))
    assert out.dtype == t.dtype
    np.testing.assert_array_equal(out.numpy(), expected)
    np.testing.assert_array_equal(minitorch.gather(t, dim, minitorch.from_numpy(index)).numpy(),
                                  expected)


@given(case=gather_cases())
def test_gather_gradient_is_a_scatter_add(case):
    a, dim, index = case
    x = minitorch.from_numpy(a.astype(np.float64)).requires_grad_()
    g = np.arange(1.0, index.size + 1).reshape(index.shape)
    x.gather(dim, minitorch.from_numpy(index)).backward(minitorch.from_numpy(g))
    expected = np.zeros(a.shape)
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim % a.ndim] = index
    np.add.at(expected, tuple(grid), g)
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_gather_of_0d_tensors():
    x = minitorch.tensor(3.0, requires_grad=True)
    out = x.gather(0, minitorch.tensor(0))
    assert out.shape == () and out.item() == 3.0
    x.gather(-1, minitorch.tensor([0, 0])).sum().backward()
    assert x.grad.item() == 2.0


@pytest.mark.cpu_only  # (on a GPU, a bad index is reported later: a device-side assert)
def test_gather_errors_name_the_problem():
    x = minitorch.ones(2, 3)
    with pytest.raises(RuntimeError, match="int64"):
        x.gather(1, minitorch.tensor([[0]], dtype=minitorch.int32))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        x.gather(1, minitorch.tensor([0, 1]))
    with pytest.raises(RuntimeError, match=r"index 3 is out of bounds for dimension 1 with size 3"):
        x.gather(1, minitorch.tensor([[0, 3]]))
    with pytest.raises(RuntimeError, match=r"index -1 is out of bounds"):
        x.gather(0, minitorch.tensor([[-1]]))
    with pytest.raises(RuntimeError, match=r"expected index \[3, 1\] to be no larger than self "
                                           r"\[2, 3\] apart from dimension 1"):
        x.gather(1, minitorch.zeros(3, 1, dtype=minitorch.int64))
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.gather(2, minitorch.zeros(1, 1, dtype=minitorch.int64))


# ----- elementwise: erf, log1p, reciprocal, clamp_min ------------------------------------
ERF = np.vectorize(math.erf, otypes=[np.float64])


@pytest.mark.parametrize("name,reference,low,high", [
    ("erf", ERF, -5.0, 5.0),
    ("log1p", np.log1p, -0.99, 10.0),
    ("reciprocal", lambda a: 1 / a, 0.1, 10.0),
    ("clamp_min", lambda a: np.maximum(a, 0.25), -3.0, 3.0),
    ("tan", np.tan, -1.4, 1.4),
    ("sinh", np.sinh, -5.0, 5.0),
    ("cosh", np.cosh, -5.0, 5.0),
    ("rsqrt", lambda a: 1 / np.sqrt(a), 0.01, 10.0),
    ("trunc", np.trunc, -5.0, 5.0),
    ("nan_to_num", np.nan_to_num, -5.0, 5.0),
])
@given(data=st.data())
def test_elementwise_ops_match_numpy(name, reference, low, high, data):
    dtype = data.draw(st.sampled_from(FLOATS))
    a = data.draw(values(dtype, data.draw(small), low, high))
    if name == "reciprocal":
        a = a * data.draw(arrays("float64", a.shape, elements_strategy=st.sampled_from([-1, 1])))
        a = a.astype(dtype)
    t, _ = data.draw(tensors_from(a))
    expected = reference(a.astype(np.float64))
    out = t.clamp_min(0.25) if name == "clamp_min" else getattr(t, name)()
    assert_close(out, expected, dtype)
    module_level = minitorch.clamp_min(t, 0.25) if name == "clamp_min" else \
        getattr(minitorch, name)(t)
    assert_close(module_level, expected, dtype)


def test_elementwise_edges():
    np.testing.assert_equal(minitorch.tensor([0.0, -0.0]).reciprocal().numpy(), [np.inf, -np.inf])
    np.testing.assert_equal(minitorch.tensor([-1.0, -2.0]).log1p().numpy(), [-np.inf, np.nan])
    np.testing.assert_allclose(minitorch.tensor([1e-10], dtype=minitorch.float64).log1p().numpy(),
                               [1e-10 - 5e-21], rtol=1e-15)
    np.testing.assert_equal(minitorch.tensor([-np.inf, np.inf, 0.0]).erf().numpy(),
                            [-1.0, 1.0, 0.0])
    ints = minitorch.tensor([1, 2])
    assert ints.erf().dtype == ints.reciprocal().dtype == minitorch.float32
    np.testing.assert_allclose(ints.reciprocal().numpy(), [1.0, 0.5])
    assert ints.clamp_min(2).dtype == minitorch.int64


def test_edges_of_tan_sinh_cosh_rsqrt_and_nan_to_num_follow_numpy():
    a = np.array([0.0, -0.0, 710.0, -710.0, 711.0, np.inf, -np.inf, np.nan, -4.0])
    t = minitorch.tensor(a, dtype=minitorch.float32)  # e^710 is out of its range
    with np.errstate(all="ignore"):
        for name in ("tan", "sinh", "cosh"):
            np.testing.assert_allclose(getattr(t, name)().numpy(),
                                       getattr(np, name)(a.astype(np.float32)), rtol=1e-6,
                                       err_msg=name)
        np.testing.assert_allclose(  # (finite above e^709.78: no overflow too early)
            minitorch.tensor(a, dtype=minitorch.float64).sinh().numpy(), np.sinh(a), rtol=1e-13)
        np.testing.assert_array_equal(t.rsqrt().numpy(), 1 / np.sqrt(a.astype(np.float32)))
    np.testing.assert_array_equal(t.isinf().numpy(), np.isinf(a))
    np.testing.assert_array_equal(t.isfinite().numpy(), np.isfinite(a))
    np.testing.assert_array_equal(t.nan_to_num(nan=1.0, posinf=2.0).numpy(),
                                  np.nan_to_num(a.astype(np.float32), nan=1.0, posinf=2.0))
    np.testing.assert_array_equal(t.nan_to_num().numpy(), np.nan_to_num(a.astype(np.float32)))
    ints = minitorch.tensor([-3, 2])
    assert ints.trunc().tolist() == [-3, 2] and ints.nan_to_num().dtype == minitorch.int64


@pytest.mark.parametrize("name", ["tan", "sinh", "cosh", "rsqrt", "nan_to_num"])
def test_gradients_of_tan_sinh_cosh_rsqrt_nan_to_num(name):
    x = minitorch.tensor([0.3, 0.7, 1.2], dtype=minitorch.float64, requires_grad=True)
    assert minitorch.autograd.gradcheck(lambda x: getattr(x, name)(), (x,))
    out = getattr(x, name)()
    assert out.grad_fn.name() == {"nan_to_num": "NanToNumBackward0"}.get(
        name, f"{name.capitalize()}Backward0")  # (PyTorch's names)


def test_nan_to_num_passes_no_gradient_where_it_replaced():
    x = minitorch.tensor([1.0, float("nan"), float("inf")], requires_grad=True)
    x.nan_to_num().sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 0.0]


def test_erf_gradient_is_the_gaussian():
    a = np.linspace(-3, 3, 13)
    x = minitorch.tensor(a, requires_grad=True)
    x.erf().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 / math.sqrt(math.pi) * np.exp(-a * a),
                               rtol=1e-12)


def test_clamp_min_gradient_and_tensor_bound():
    x = minitorch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    x.clamp_min(0.5).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 1.0])  # at the bound: passes
    low = minitorch.tensor([0.0, 1.0, 3.0], requires_grad=True)
    x.grad = None
    x.clamp_min(low).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(low.grad.numpy(), [1.0, 1.0, 1.0])


# ----- masked_fill -------------------------------------------------------------------------
@given(data=st.data())
def test_masked_fill_matches_numpy_where(data):
    dtype = data.draw(st.sampled_from(FLOATS + ["int64"]))
    shape = data.draw(small)
    a = data.draw(arrays(dtype, shape))
    mask_shape = shape[data.draw(st.integers(0, len(shape))):]
    mask = data.draw(arrays("bool", mask_shape))
    t, _ = data.draw(tensors_from(a))
    value = data.draw(st.sampled_from([0, -2.5, 7]))
    out = t.masked_fill(minitorch.from_numpy(mask), value)
    assert out.dtype == t.dtype and out.shape == t.shape
    np.testing.assert_array_equal(out.numpy(), np.where(mask, np.array(value).astype(a.dtype), a))
    as_tensor = minitorch.masked_fill(t, minitorch.from_numpy(mask), minitorch.tensor(value))
    np.testing.assert_array_equal(as_tensor.numpy(), out.numpy())


def test_masked_fill_gradients_and_errors():
    x = minitorch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    v = minitorch.tensor(5.0, requires_grad=True)
    mask = minitorch.tensor([True, False])
    out = x.masked_fill(mask, v)
    np.testing.assert_array_equal(out.detach().numpy(), [[5.0, 2.0], [5.0, 4.0]])
    out.backward(minitorch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 2.0], [0.0, 4.0]])
    assert v.grad.item() == 4.0
    assert out.grad_fn.name() == "MaskedFillBackward1"
    with pytest.raises(RuntimeError, match="boolean masks"):
        x.masked_fill(minitorch.tensor([1, 0]), 0.0)
    with pytest.raises(RuntimeError, match="0-dimensional value tensor"):
        x.masked_fill(mask, minitorch.tensor([1.0]))


def test_in_place_variants():
    x = minitorch.tensor([-1.0, 0.5, 2.0])
    assert x.masked_fill_(x > 1, 0.0) is x
    np.testing.assert_array_equal(x.numpy(), [-1.0, 0.5, 0.0])
    x.clamp_min_(0.0)
    np.testing.assert_array_equal(x.numpy(), [0.0, 0.5, 0.0])
    y = minitorch.tensor([-1.0, 3.0])
    y.relu_()
    np.testing.assert_array_equal(y.numpy(), [0.0, 3.0])


# ----- bernoulli ---------------------------------------------------------------------------
def test_bernoulli_is_reproducible_and_has_the_right_mean():
    p = minitorch.full((4000,), 0.3)
    minitorch.manual_seed(5)
    a = minitorch.bernoulli(p)
    minitorch.manual_seed(5)
    b = p.bernoulli()
    assert a.dtype == minitorch.float32
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert set(np.unique(a.numpy())) <= {0.0, 1.0}
    assert abs(a.numpy().mean() - 0.3) < 0.03
    np.testing.assert_array_equal(minitorch.tensor([0.0, 1.0]).bernoulli().numpy(), [0.0, 1.0])
    filled = minitorch.empty(3000).bernoulli_(0.8)
    assert abs(filled.numpy().mean() - 0.8) < 0.03
    g = minitorch.Generator().manual_seed(1)
    h = minitorch.Generator().manual_seed(1)
    np.testing.assert_array_equal(p.bernoulli(generator=g).numpy(),
                                  p.bernoulli(generator=h).numpy())


def test_bernoulli_rejects_probabilities_outside_0_1():
    with pytest.raises(RuntimeError, match=r"\[0, 1\]"):
        minitorch.tensor([0.5, 1.5]).bernoulli()
    with pytest.raises(RuntimeError, match=r"\[0, 1\]"):
        minitorch.empty(3).bernoulli_(-0.1)
