"""median, mode, norm, std_mean / var_mean, round, lerp, isclose, bincount and histc against
NumPy formulas (property-based), their gradients (gradcheck), their misuse errors, and the
same results on every backend."""

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import arrays, shapes

import minitorch
from minitorch import autograd

nonempty = shapes(min_dims=1, max_dims=3, max_side=4, allow_zero=False, max_numel=24)
FINITE = st.floats(-50, 50, allow_nan=False, allow_subnormal=False)


@st.composite
def array_and_dim(draw, elements=FINITE, dtype="float64"):
    shape = draw(nonempty)
    a = draw(arrays(dtype, shape, elements_strategy=elements))
    return a, draw(st.integers(-len(shape), len(shape) - 1))


def lower_median(a, axis):
    """The smaller of the two middle values (NumPy's median averages them)."""
    s = np.sort(a, axis=axis)
    return np.take(s, (a.shape[axis] - 1) // 2, axis=axis)


# ----- median and mode --------------------------------------------------------------------
@settings(max_examples=25)
@given(array_and_dim(), st.booleans())
def test_median_along_dim_is_the_lower_median_and_indices_point_at_it(case, keepdim):
    a, dim = case
    result = minitorch.tensor(a).median(dim, keepdim=keepdim)
    expected = lower_median(a, dim)
    values = result.values.numpy()
    np.testing.assert_array_equal(values, np.expand_dims(expected, dim) if keepdim else expected)
    index = result.indices.numpy() if keepdim else np.expand_dims(result.indices.numpy(), dim)
    np.testing.assert_array_equal(np.take_along_axis(a, index, dim), np.expand_dims(expected, dim))


@settings(max_examples=25)
@given(array_and_dim())
def test_median_of_all_elements(case):
    a, _ = case
    assert minitorch.median(minitorch.tensor(a)).item() == lower_median(a.reshape(-1), 0)


def test_median_of_a_row_with_nan_is_nan_and_of_nothing_is_nan():
    result = minitorch.tensor([[1.0, math.nan, 0.0], [3.0, 2.0, 1.0]]).median(1)
    assert math.isnan(result.values[0].item()) and result.values[1].item() == 2.0
    assert result.indices.tolist() == [1, 1]
    assert math.isnan(minitorch.median(minitorch.zeros(0)).item())


def numpy_mode(row):
    """The most frequent value (the smallest on a tie) and its last position."""
    counts = Counter(row.tolist())
    best = min(counts, key=lambda v: (-counts[v], v))
    return best, max(i for i, v in enumerate(row.tolist()) if v == best)


@settings(max_examples=25)
@given(array_and_dim(elements=st.integers(0, 3), dtype="int64"))
def test_mode_is_the_most_frequent_value_where_it_last_occurs(case):
    a, dim = case
    result = minitorch.tensor(a).mode(dim)
    rows = np.moveaxis(a, dim, -1).reshape(-1, a.shape[dim])
    expected = [numpy_mode(row) for row in rows]
    assert result.values.reshape(-1).tolist() == [v for v, _ in expected]
    assert result.indices.reshape(-1).tolist() == [i for _, i in expected]
    assert result.values.dtype is minitorch.int64


def test_median_and_mode_gradients_go_to_the_picked_element():
    x = minitorch.tensor([[3.0, 1.0, 2.0], [0.5, 4.0, 2.5]], dtype=minitorch.float64,
                         requires_grad=True)
    assert autograd.gradcheck(lambda t: t.median(1).values, (x,))
    assert autograd.gradcheck(lambda t: t.median(), (x,))
    assert autograd.gradcheck(lambda t: t.mode(0, keepdim=True).values, (x,))
    assert type(x.median().grad_fn).__name__ == "MedianBackward0"
    assert x.median(0).values.grad_fn.name() == "MedianBackward1"
    assert x.mode().values.grad_fn.name() == "ModeBackward0"


def test_median_and_mode_errors():
    with pytest.raises(IndexError, match="Expected reduction dim 0 to have non-zero size"):
        minitorch.zeros(0, 3).median(0)
    with pytest.raises(NotImplementedError, match="Bool"):
        minitorch.tensor([True]).median()
    with pytest.raises(IndexError):
        minitorch.zeros(2).mode(1)


# ----- norms ------------------------------------------------------------------------------
def numpy_norm(a, p, axis, keepdims):
    x = np.abs(a)
    if p == math.inf:
        return x.max(axis=axis, keepdims=keepdims)
    if p == -math.inf:
        return x.min(axis=axis, keepdims=keepdims)
    if p == 0:
        return (x != 0).sum(axis=axis, keepdims=keepdims).astype(a.dtype)
    return (x ** p).sum(axis=axis, keepdims=keepdims) ** (1 / p)


@settings(max_examples=30)
@given(array_and_dim(), st.sampled_from([1, 2, 3, 0.5, math.inf, -math.inf, 0, "fro"]),
       st.booleans(), st.booleans())
def test_norm_matches_the_formula(case, p, over_all, keepdim):
    a, dim = case
    axis = None if over_all else dim
    expected = numpy_norm(a, 2 if p == "fro" else p, axis, keepdim)
    got = minitorch.tensor(a).norm(p, None if over_all else dim, keepdim)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-10, atol=1e-12)


def test_norm_gradients():
    x = minitorch.tensor([[3.0, -1.0, 2.0], [0.5, -4.0, 2.5]], dtype=minitorch.float64,
                         requires_grad=True)
    for p in (1, 2, 3, math.inf, -math.inf):
        assert autograd.gradcheck(lambda t, p=p: minitorch.norm(t, p, dim=1), (x,))
    assert autograd.gradcheck(lambda t: t.norm(), (x,))
    zero = minitorch.zeros(3, dtype=minitorch.float64, requires_grad=True)
    zero.norm().backward()
    assert zero.grad.tolist() == [0.0, 0.0, 0.0]  # (the subgradient PyTorch picks at 0)
    assert x.norm().grad_fn.name() == "LinalgVectorNormBackward0"


def test_vector_norm_and_norm_errors():
    x = minitorch.tensor([[3.0, 4.0]])
    assert minitorch.linalg.vector_norm(x, ord=1).item() == 7.0
    a = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])
    for order in ("fro", 1, -1, math.inf, -math.inf):
        assert minitorch.linalg.matrix_norm(minitorch.tensor(a, dtype=minitorch.float64), order) \
            .item() == pytest.approx(np.linalg.norm(a, order))
    assert minitorch.norm(x, dtype=minitorch.float64).dtype is minitorch.float64
    with pytest.raises(RuntimeError, match="Expected a floating point"):
        minitorch.tensor([1, 2]).norm()
    with pytest.raises(NotImplementedError, match="nuclear"):
        x.norm("nuc")


# ----- std_mean, var_mean -----------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:Degrees of freedom")
@settings(max_examples=25)
@given(array_and_dim(), st.sampled_from([0, 1]), st.booleans())
def test_std_mean_and_var_mean(case, correction, keepdim):
    a, dim = case
    t = minitorch.tensor(a)
    var, mean = minitorch.var_mean(t, dim, keepdim=keepdim, correction=correction)
    std, mean2 = minitorch.std_mean(t, dim, keepdim=keepdim, correction=correction)
    with np.errstate(all="ignore"):  # (one element with correction 1: NaN in both)
        np.testing.assert_allclose(var.numpy(), a.var(dim, ddof=correction, keepdims=keepdim),
                                   rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(std.numpy(), a.std(dim, ddof=correction, keepdims=keepdim),
                                   rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(mean.numpy(), a.mean(dim, keepdims=keepdim), rtol=1e-12)
    np.testing.assert_array_equal(mean.numpy(), mean2.numpy())


def test_std_mean_reads_a_bool_as_unbiased_and_refuses_integers():
    t = minitorch.tensor([1.0, 2.0, 4.0])
    std, mean = minitorch.std_mean(t, False)
    assert std.item() == pytest.approx(np.std([1.0, 2.0, 4.0]))
    assert isinstance(minitorch.var_mean(t), tuple)
    with pytest.raises(RuntimeError, match="only support floating point"):
        minitorch.std_mean(minitorch.tensor([1, 2]))


# ----- round, lerp, isclose ---------------------------------------------------------------
@settings(max_examples=25)
@given(arrays("float64", (6,), elements_strategy=st.floats(-100, 100, allow_nan=False)),
       st.integers(-2, 3))
def test_round_is_half_to_even(a, decimals):
    halves = np.array([0.5, 1.5, 2.5, -0.5, -2.5, 3.5])
    np.testing.assert_array_equal(minitorch.tensor(halves).round().numpy(), np.round(halves))
    got = minitorch.tensor(a).round(decimals=decimals).numpy()
    scale = 10.0 ** abs(decimals)
    expected = np.rint(a * scale) / scale if decimals >= 0 else np.rint(a / scale) * scale
    np.testing.assert_array_equal(got, expected)


def test_round_has_zero_gradient_and_keeps_integers():
    x = minitorch.tensor([0.4, 2.6], requires_grad=True)
    y = minitorch.round(x, decimals=1)
    assert y.grad_fn.name() == "RoundBackward1" and x.round().grad_fn.name() == "RoundBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    assert minitorch.tensor([1, 2]).round().tolist() == [1, 2]
    with pytest.raises(NotImplementedError, match="Long"):
        minitorch.tensor([1, 2]).round(decimals=1)


@settings(max_examples=20)
@given(arrays("float64", (2, 3), elements_strategy=FINITE),
       arrays("float64", (3,), elements_strategy=FINITE), st.floats(-2, 2))
def test_lerp_matches_the_formula(a, b, w):
    got = minitorch.lerp(minitorch.tensor(a), minitorch.tensor(b), w).numpy()
    np.testing.assert_allclose(got, a + w * (b - a), rtol=1e-12, atol=1e-12)
    weights = np.linspace(-1, 1, 3)
    got = minitorch.tensor(a).lerp(minitorch.tensor(b), minitorch.tensor(weights)).numpy()
    np.testing.assert_allclose(got, a + weights * (b - a), rtol=1e-12, atol=1e-12)


def test_lerp_gradients_and_errors():
    f64 = dict(dtype=minitorch.float64, requires_grad=True)
    a, b = minitorch.tensor([[1.0, -2.0]], **f64), minitorch.tensor([0.5, 3.0], **f64)
    w = minitorch.tensor([[0.2], [0.7]], **f64)
    assert autograd.gradcheck(minitorch.lerp, (a, b, w))
    assert autograd.gradcheck(lambda x, y: minitorch.lerp(x, y, 0.3), (a, b))
    assert minitorch.lerp(a, b, 0.3).grad_fn.name() == "LerpBackward0"
    assert minitorch.lerp(a, b, w).grad_fn.name() == "LerpBackward1"
    with pytest.raises(RuntimeError, match="expected dtype float for `end` but got dtype double"):
        minitorch.lerp(minitorch.zeros(2), minitorch.zeros(2, dtype=minitorch.float64), 0.5)


@settings(max_examples=25)
@given(arrays("float64", (8,), elements_strategy=st.sampled_from(
    [0.0, 1.0, 1.0 + 1e-6, 1.0 + 1e-4, math.inf, -math.inf, math.nan, -3.0])),
       arrays("float64", (8,), elements_strategy=st.sampled_from(
           [0.0, 1.0, 1.0 + 1e-6, math.inf, math.nan, -3.0 + 1e-9])),
       st.booleans(), st.sampled_from([(1e-5, 1e-8), (0.0, 0.0), (1e-3, 1e-3)]))
def test_isclose_matches_numpy(a, b, equal_nan, tolerances):
    rtol, atol = tolerances
    got = minitorch.isclose(minitorch.tensor(a), minitorch.tensor(b), rtol, atol, equal_nan)
    assert got.dtype is minitorch.bool
    np.testing.assert_array_equal(got.numpy(),
                                  np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def test_isclose_errors():
    with pytest.raises(RuntimeError, match="Float did not match Double"):
        minitorch.zeros(1).isclose(minitorch.zeros(1, dtype=minitorch.float64))
    with pytest.raises(RuntimeError, match="rtol must be greater than or equal to zero"):
        minitorch.zeros(1).isclose(minitorch.zeros(1), rtol=-1)


# ----- bincount, histc --------------------------------------------------------------------
@settings(max_examples=25)
@given(st.lists(st.integers(0, 6), max_size=12), st.integers(0, 9), st.booleans())
def test_bincount_counts_each_value(values, minlength, weighted):
    counts = [0.0] * max(minlength, max(values, default=-1) + 1)
    weights = [0.5 * i - 1 for i in range(len(values))]
    for i, v in enumerate(values):
        counts[v] += weights[i] if weighted else 1
    t = minitorch.tensor(values, dtype=minitorch.int64)
    w = minitorch.tensor(weights, dtype=minitorch.float32) if weighted else None
    got = minitorch.bincount(t, weights=w, minlength=minlength)
    assert got.dtype is (minitorch.float32 if weighted else minitorch.int64)
    assert got.tolist() == counts


@settings(max_examples=25)
@given(st.lists(st.integers(-50, 50).map(lambda i: i / 8), min_size=1, max_size=12),
       st.integers(1, 6), st.sampled_from([(0, 0), (-2, 3), (0, 1)]))
def test_histc_counts_values_in_equal_bins(values, bins, bounds):
    low, high = bounds
    if low == high:
        low, high = min(values), max(values)
        if low == high:
            low, high = low - 1, high + 1
    expected = [0.0] * bins
    for v in values:
        if low <= v <= high:
            expected[min(int((v - low) * bins / (high - low)), bins - 1)] += 1
    got = minitorch.tensor(values).histc(bins, *bounds)
    assert got.dtype is minitorch.float32 and got.tolist() == expected


def test_bincount_and_histc_errors():
    with pytest.raises(RuntimeError, match="1-d non-negative integral inputs"):
        minitorch.bincount(minitorch.tensor([-1, 2]))
    with pytest.raises(RuntimeError, match="same length as input"):
        minitorch.bincount(minitorch.tensor([1, 2]), weights=minitorch.tensor([1.0]))
    with pytest.raises(NotImplementedError, match="Float"):
        minitorch.bincount(minitorch.tensor([1.0]))
    with pytest.raises(RuntimeError, match="bins must be > 0"):
        minitorch.histc(minitorch.tensor([1.0]), bins=0)
    with pytest.raises(RuntimeError, match="max must be larger than min"):
        minitorch.histc(minitorch.tensor([1.0]), min=3, max=1)


# ----- every backend ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["simple", "cuda"])
def test_the_same_results_on_every_backend(name):
    if name == "cuda" and not minitorch.cuda.is_available():
        pytest.skip("no GPU, and the CUDA simulator is off")
    a = [[3.0, -1.0, 2.5], [0.5, 4.0, -2.0]]

    def run(backend):
        x = minitorch.tensor(a, backend=backend, requires_grad=True)
        outs = [x.median(1).values, x.mode(0).values, x.norm(3, 1), x.round(decimals=1),
                x.lerp(x * 2, 0.25), x.isclose(x + 1e-9).float()]
        sum(o.sum() for o in outs).backward()
        return [o.detach().cpu().numpy() for o in outs] + [x.grad.cpu().numpy()]

    for got, expected in zip(run(name), run("fast")):
        np.testing.assert_allclose(got, expected, rtol=1e-6)
