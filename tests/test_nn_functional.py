"""`minitorch.nn.functional` against NumPy formulas (hypothesis over shapes, seeded by the
profile), its gradients against central differences (`minitorch.autograd.gradcheck`), its
numerical stability with extreme logits, and its errors."""

import math
import warnings

import numpy as np
import pytest
from grad_helpers import check, leaf
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, shapes, tensors_from

import minitorch
import minitorch.nn.functional as F

FLOATS = ["float32", "float64"]
TOL = {"float32": dict(rtol=2e-5, atol=2e-6), "float64": dict(rtol=1e-11, atol=1e-12)}
REDUCTIONS = ["mean", "sum", "none"]
ERF = np.vectorize(math.erf, otypes=[np.float64])
small = shapes(max_dims=3, max_side=4, max_numel=24)


@st.composite
def values(draw, dtype, shape, low=-5.0, high=5.0):
    a = draw(arrays("float64", shape, elements_strategy=st.floats(
        low, high, allow_nan=False, allow_subnormal=False)))
    return a.astype(dtype)


@st.composite
def tensor_case(draw, shape_strategy=small, low=-5.0, high=5.0):
    dtype = draw(st.sampled_from(FLOATS))
    a = draw(values(dtype, draw(shape_strategy), low, high))
    t, _ = draw(tensors_from(a))
    return t, a, dtype


def assert_close(t, expected, dtype):
    assert t.dtype == getattr(minitorch, dtype)
    np.testing.assert_allclose(t.detach().numpy(), np.asarray(expected, dtype=np.float64),
                               **TOL[dtype])


def reduce_np(loss, reduction):
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss




def np_log_softmax(a, axis):
    m = a.max(axis=axis, keepdims=True, initial=-np.inf)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):  # an empty dim: log(0)
        return a - m - np.log(np.exp(a - m).sum(axis=axis, keepdims=True))


# ----- activations -----------------------------------------------------------------------
ACTIVATIONS = {
    "relu": (F.relu, lambda a: np.maximum(a, 0)),
    "leaky_relu": (F.leaky_relu, lambda a: np.where(a > 0, a, 0.01 * a)),
    "leaky_relu(0.2)": (lambda t: F.leaky_relu(t, negative_slope=0.2),
                        lambda a: np.where(a > 0, a, 0.2 * a)),
    "sigmoid": (F.sigmoid, lambda a: 1 / (1 + np.exp(-a))),
    "tanh": (F.tanh, np.tanh),
    "gelu": (F.gelu, lambda a: 0.5 * a * (1 + ERF(a / math.sqrt(2)))),
    "gelu(tanh)": (lambda t: F.gelu(t, approximate="tanh"),
                   lambda a: 0.5 * a * (1 + np.tanh(math.sqrt(2 / math.pi)
                                                    * (a + 0.044715 * a**3)))),
    "logsigmoid": (F.logsigmoid, lambda a: -np.logaddexp(0, -a)),
    "softplus": (F.softplus, lambda a: np.logaddexp(0, a)),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@given(case=tensor_case())
def test_activations_match_numpy(name, case):
    t, a, dtype = case
    fn, reference = ACTIVATIONS[name]
    out = fn(t)
    assert out.shape == t.shape
    assert_close(out, reference(a.astype(np.float64)), dtype)


GRADIENT_POINTS = np.array([-3.1, -1.2, -0.4, 0.3, 0.9, 2.6])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradients(name):
    fn, _ = ACTIVATIONS[name]
    check(fn, leaf(GRADIENT_POINTS.reshape(2, 3)))


def test_activation_gradients_at_zero_match_pytorch_conventions():
    x = leaf([0.0, 0.0])
    F.leaky_relu(x, 0.1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.1, 0.1])  # PyTorch: x > 0 ? 1 : slope
    x.grad = None
    F.logsigmoid(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.5, 0.5])


def test_activations_in_place():
    x = minitorch.tensor([-1.0, 2.0])
    assert F.relu(x, inplace=True) is x
    np.testing.assert_array_equal(x.numpy(), [0.0, 2.0])
    y = minitorch.tensor([-1.0, 2.0])
    assert F.leaky_relu(y, 0.5, True) is y
    np.testing.assert_array_equal(y.numpy(), [-0.5, 2.0])


def test_logsigmoid_and_softplus_are_stable():
    x = minitorch.tensor([-1000.0, 1000.0, -50.0], dtype=minitorch.float64)
    np.testing.assert_allclose(F.logsigmoid(x).numpy(), [-1000.0, 0.0, -50.0 - math.exp(-50)],
                               rtol=1e-12)
    np.testing.assert_allclose(F.softplus(-x).numpy(), [1000.0, 0.0, 50.0], rtol=1e-12)


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(RuntimeError, match="'none' or 'tanh'"):
        F.gelu(minitorch.ones(2), approximate="fast")


# ----- softmax -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(case=tensor_case(shapes(min_dims=1, max_dims=3, max_side=4, max_numel=24)),
       data=st.data())
def test_softmax_and_log_softmax_match_numpy(name, case, data):
    t, a, dtype = case
    dim = data.draw(st.integers(-a.ndim, a.ndim - 1))
    log_p = np_log_softmax(a.astype(np.float64), dim)
    expected = np.exp(log_p) if name == "softmax" else log_p
    assert_close(getattr(F, name)(t, dim), expected, dtype)
    assert_close(getattr(F, name)(t, dim=dim, dtype=minitorch.float64), expected, "float64")


def test_softmax_without_dim_warns_and_picks_pytorchs_dim():
    x = minitorch.tensor(np.arange(24.0).reshape(2, 3, 4))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = F.softmax(x)
    np.testing.assert_allclose(out.numpy(), x.softmax(0).numpy())
    with pytest.warns(UserWarning, match="log_softmax"):
        out = F.log_softmax(x[0])
    np.testing.assert_allclose(out.numpy(), x[0].log_softmax(1).numpy())


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_gradients(name):
    x = leaf(GRADIENT_POINTS.reshape(2, 3))
    check(lambda t: getattr(F, name)(t, 1), x)
    check(lambda t: getattr(F, name)(t, 0), x)


@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_family_with_logits_of_1000_stays_finite(dtype):
    mt = getattr(minitorch, dtype)
    x = minitorch.tensor([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, 1000.0]], dtype=mt,
                         requires_grad=True)
    target = minitorch.tensor([2, 0])
    for out in (F.softmax(x, 1), F.log_softmax(x, 1)):
        assert np.all(np.isfinite(out.detach().numpy()))
    loss = F.cross_entropy(x, target)
    np.testing.assert_allclose(loss.item(), (2000 + 2000) / 2, rtol=1e-6)
    loss.backward()
    assert np.all(np.isfinite(x.grad.numpy()))
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, 0, -0.5], [-0.5, 0, 0.5]], atol=1e-6)


# ----- dropout, linear, one_hot ------------------------------------------------------------
def test_dropout_zeroes_and_scales():
    x = minitorch.ones(20000)
    minitorch.manual_seed(3)
    out = F.dropout(x, p=0.25)
    kept = out.numpy() != 0
    np.testing.assert_allclose(np.unique(out.numpy()), [0.0, 1 / 0.75], rtol=1e-7)
    assert abs(kept.mean() - 0.75) < 0.02
    minitorch.manual_seed(3)
    np.testing.assert_array_equal(F.dropout(x, p=0.25).numpy(), out.numpy())  # reproducible


def test_dropout_edges_and_gradient():
    x = minitorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    np.testing.assert_array_equal(F.dropout(x, 0.0).detach().numpy(), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(F.dropout(x, 1.0).detach().numpy(), [0.0, 0.0, 0.0])
    minitorch.manual_seed(0)
    out = F.dropout(x, 0.5)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), (out.detach().numpy() != 0) * 2.0)
    y = minitorch.ones(4)
    assert F.dropout(y, 0.5, inplace=True) is y
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        F.dropout(x, 1.5)


@given(data=st.data(), n_in=st.integers(1, 4), n_out=st.integers(1, 4), bias=st.booleans())
def test_linear_matches_numpy(data, n_in, n_out, bias):
    dtype = data.draw(st.sampled_from(FLOATS))
    lead = tuple(data.draw(st.lists(st.integers(1, 3), max_size=2)))
    x = data.draw(values(dtype, lead + (n_in,)))
    w = data.draw(values(dtype, (n_out, n_in)))
    b = data.draw(values(dtype, (n_out,)))
    out = F.linear(minitorch.from_numpy(x), minitorch.from_numpy(w),
                   minitorch.from_numpy(b) if bias else None)
    expected = x.astype(np.float64) @ w.T.astype(np.float64) + (b if bias else 0)
    assert out.shape == lead + (n_out,)
    assert_close(out, expected, dtype)


def test_linear_gradients_and_errors():
    rng = np.random.default_rng(0)
    x, w, b = leaf(rng.normal(size=(2, 3, 4))), leaf(rng.normal(size=(2, 4))), leaf([0.5, -1])
    check(F.linear, x, w, b)
    check(lambda t, u: F.linear(t, u), x, w)
    with pytest.raises(RuntimeError, match=r"input of shape \[2, 3, 4\] and weight of shape "
                                           r"\[4, 2\]"):
        F.linear(x, w.t())
    with pytest.raises(RuntimeError, match=r"bias of shape \[3\]"):
        F.linear(x, w, minitorch.ones(3))


@given(data=st.data())
def test_one_hot_matches_numpy(data):
    shape = data.draw(shapes(max_dims=2, max_side=4))
    classes = data.draw(st.integers(1, 5))
    idx = data.draw(arrays("int64", shape, low=0, high=classes - 1))
    out = F.one_hot(minitorch.from_numpy(idx), classes)
    assert out.dtype == minitorch.int64 and out.shape == shape + (classes,)
    np.testing.assert_array_equal(out.numpy(), np.eye(classes, dtype=np.int64)[idx])
    if idx.size:
        inferred = F.one_hot(minitorch.from_numpy(idx))
        assert inferred.shape == shape + (int(idx.max()) + 1,)


def test_one_hot_errors():
    with pytest.raises(RuntimeError, match="LongTensor"):
        F.one_hot(minitorch.tensor([0.0, 1.0]))
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(minitorch.tensor([0, 3]), 3)
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(minitorch.tensor([-1, 0]), 3)
    with pytest.raises(RuntimeError, match="empty tensor"):
        F.one_hot(minitorch.tensor([], dtype=minitorch.int64))


# ----- regression losses -------------------------------------------------------------------
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_regression_losses_match_numpy(name, reduction, data):
    dtype = data.draw(st.sampled_from(FLOATS))
    shape = data.draw(shapes(max_dims=3, max_side=4, allow_zero=False, max_numel=24))
    x, y = data.draw(values(dtype, shape)), data.draw(values(dtype, shape))
    diff = x.astype(np.float64) - y
    elementwise = diff**2 if name == "mse_loss" else np.abs(diff)
    out = getattr(F, name)(minitorch.from_numpy(x), minitorch.from_numpy(y), reduction=reduction)
    assert_close(out, reduce_np(elementwise, reduction), dtype)
    w = data.draw(values(dtype, shape, 0.5, 2.0))
    weighted = getattr(F, name)(minitorch.from_numpy(x), minitorch.from_numpy(y),
                                reduction=reduction, weight=minitorch.from_numpy(w))
    expected = elementwise * w
    expected = expected.sum() / w.sum() if reduction == "mean" else reduce_np(expected, reduction)
    assert_close(weighted, expected, dtype)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_loss_gradients(name, reduction):
    x = leaf(GRADIENT_POINTS.reshape(2, 3))
    y = leaf(GRADIENT_POINTS[::-1].reshape(2, 3) * 0.5 + 0.1)
    check(lambda a, b: getattr(F, name)(a, b, reduction=reduction), x, y)


def test_regression_loss_shape_mismatch_warns_or_names_both_shapes():
    with pytest.warns(UserWarning, match=r"target size \(minitorch.Size\(\[3\]\)\).*input size "
                                         r"\(minitorch.Size\(\[2, 3\]\)\)"):
        F.mse_loss(minitorch.ones(2, 3), minitorch.ones(3))
    with pytest.raises(RuntimeError, match=r"input of shape \[2, 3\] and target of shape \[2\]"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        F.l1_loss(minitorch.ones(2, 3), minitorch.ones(2))


# ----- binary cross-entropy ----------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_binary_cross_entropy_matches_numpy(reduction, data):
    dtype = data.draw(st.sampled_from(FLOATS))
    shape = data.draw(shapes(max_dims=2, max_side=4, allow_zero=False))
    p = data.draw(values(dtype, shape, 0.01, 0.99))
    y = data.draw(values(dtype, shape, 0.0, 1.0))
    w = data.draw(values(dtype, shape, 0.5, 2.0))
    p64 = p.astype(np.float64)
    elementwise = -(y * np.log(p64) + (1 - y) * np.log(1 - p64))
    out = F.binary_cross_entropy(minitorch.from_numpy(p), minitorch.from_numpy(y),
                                 reduction=reduction)
    assert_close(out, reduce_np(elementwise, reduction), dtype)
    weighted = F.binary_cross_entropy(minitorch.from_numpy(p), minitorch.from_numpy(y),
                                      weight=minitorch.from_numpy(w), reduction=reduction)
    assert_close(weighted, reduce_np(elementwise * w, reduction), dtype)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_binary_cross_entropy_with_logits_matches_numpy(reduction, data):
    dtype = data.draw(st.sampled_from(FLOATS))
    shape = data.draw(shapes(min_dims=1, max_dims=2, max_side=4, allow_zero=False))
    x = data.draw(values(dtype, shape, -20.0, 20.0))
    y = data.draw(values(dtype, shape, 0.0, 1.0))
    pos = data.draw(values(dtype, shape[-1:], 0.5, 3.0))
    x64 = x.astype(np.float64)
    log_sig, log_one_minus = -np.logaddexp(0, -x64), -np.logaddexp(0, x64)
    plain = -(y * log_sig + (1 - y) * log_one_minus)
    out = F.binary_cross_entropy_with_logits(minitorch.from_numpy(x), minitorch.from_numpy(y),
                                             reduction=reduction)
    assert_close(out, reduce_np(plain, reduction), dtype)
    with_pos = -(pos * y * log_sig + (1 - y) * log_one_minus)
    out = F.binary_cross_entropy_with_logits(minitorch.from_numpy(x), minitorch.from_numpy(y),
                                             reduction=reduction,
                                             pos_weight=minitorch.from_numpy(pos))
    assert_close(out, reduce_np(with_pos, reduction), dtype)


def test_binary_cross_entropy_gradients():
    p = leaf([[0.1, 0.5, 0.8], [0.3, 0.95, 0.6]])
    y = leaf([[0.0, 1.0, 0.3], [1.0, 0.0, 0.7]])
    w = leaf([0.5, 1.0, 2.0])
    check(lambda a, b: F.binary_cross_entropy(a, b), p, y)
    check(lambda a, b: F.binary_cross_entropy(a, b, weight=w, reduction="sum"), p, y)
    x = leaf(GRADIENT_POINTS.reshape(2, 3))
    pos = leaf([1.0, 2.5, 0.5])
    check(lambda a, b: F.binary_cross_entropy_with_logits(a, b), x, y)
    check(lambda a, b, c: F.binary_cross_entropy_with_logits(a, b, pos_weight=c,
                                                             reduction="none"), x, y, pos)
    check(lambda a, b: F.binary_cross_entropy_with_logits(a, b, weight=w), x, y)


def test_binary_cross_entropy_at_saturated_probabilities():
    """log is clamped at -100 and the gradient stays finite, as in PyTorch."""
    p = minitorch.tensor([0.0, 1.0, 0.0, 1.0], dtype=minitorch.float64, requires_grad=True)
    y = minitorch.tensor([0.0, 1.0, 1.0, 0.0], dtype=minitorch.float64)
    loss = F.binary_cross_entropy(p, y, reduction="none")
    np.testing.assert_array_equal(loss.detach().numpy(), [0.0, 0.0, 100.0, 100.0])
    loss.sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), [0.0, 0.0, -1e12, 1e12])


def test_binary_cross_entropy_with_logits_is_stable():
    x = minitorch.tensor([1000.0, -1000.0, 0.0], requires_grad=True)
    y = minitorch.tensor([0.0, 1.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), [1000.0, 1000.0, math.log(2)], rtol=1e-6)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, -1.0, -0.5])


def test_binary_cross_entropy_errors():
    with pytest.raises(ValueError, match=r"target size \(minitorch.Size\(\[3\]\)\).*input size "
                                         r"\(minitorch.Size\(\[2\]\)\)"):
        F.binary_cross_entropy(minitorch.ones(2) * 0.5, minitorch.ones(3))
    with pytest.raises(ValueError, match="Target size"):
        F.binary_cross_entropy_with_logits(minitorch.ones(2), minitorch.ones(2, 1))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(minitorch.tensor([1.5]), minitorch.tensor([1.0]))


# ----- cross-entropy and nll_loss ----------------------------------------------------------
def np_nll(log_p, target, weight, ignore_index, reduction):
    n_classes = log_p.shape[1]
    w_full = np.ones(n_classes) if weight is None else weight
    keep = target != ignore_index
    safe = np.where(keep, target, 0)
    w = w_full[safe] * keep
    loss = -log_p[np.arange(len(target)), safe] * w
    if reduction == "mean":
        return loss.sum() / w.sum()
    return loss.sum() if reduction == "sum" else loss


def np_cross_entropy(x, target, weight, ignore_index, reduction, smoothing):
    log_p = np_log_softmax(x, 1)
    nll = np_nll(log_p, target, weight, ignore_index, reduction)
    if smoothing == 0:
        return nll
    n_classes = x.shape[1]
    w_full = np.ones(n_classes) if weight is None else weight
    keep = target != ignore_index
    smooth = -(log_p * w_full).sum(1) * keep
    if reduction == "mean":
        smooth = smooth.sum() / (w_full[np.where(keep, target, 0)] * keep).sum()
    else:
        smooth = reduce_np(smooth, reduction)
    return (1 - smoothing) * nll + smooth * smoothing / n_classes


@st.composite
def classification(draw):
    dtype = draw(st.sampled_from(FLOATS))
    n, c = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    x = draw(values(dtype, (n, c), -10.0, 10.0))
    target = draw(arrays("int64", (n,), low=0, high=c - 1))
    ignore_index = draw(st.sampled_from([-100, 0, 1]))
    if ignore_index == -100 and n > 1 and draw(st.booleans()):
        target[0] = -100
    if np.all(target == ignore_index):
        target[0] = 0 if ignore_index != 0 else c - 1
        if target[0] == ignore_index:
            ignore_index = -100
    weight = draw(st.one_of(st.none(), values("float64", (c,), 0.5, 2.0)))
    return x, target, weight, ignore_index, dtype


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(case=classification(), smoothing=st.sampled_from([0.0, 0.1, 0.5]))
def test_cross_entropy_and_nll_loss_match_numpy(reduction, case, smoothing):
    x, target, weight, ignore_index, dtype = case
    w = None if weight is None else minitorch.from_numpy(weight.astype(dtype))
    out = F.cross_entropy(minitorch.from_numpy(x), minitorch.from_numpy(target), weight=w,
                          ignore_index=ignore_index, reduction=reduction,
                          label_smoothing=smoothing)
    expected = np_cross_entropy(x.astype(np.float64), target, weight, ignore_index, reduction,
                                smoothing)
    assert_close(out, expected, dtype)
    log_p = np_log_softmax(x.astype(np.float64), 1).astype(dtype)
    nll = F.nll_loss(minitorch.from_numpy(log_p), minitorch.from_numpy(target), weight=w,
                     ignore_index=ignore_index, reduction=reduction)
    assert_close(nll, np_nll(log_p.astype(np.float64), target, weight, ignore_index, reduction),
                 dtype)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_gradients(reduction, smoothing, weighted):
    x = leaf(np.array([[0.2, -1.0, 2.0, 0.4], [1.5, 0.1, -0.3, 0.0], [0.0, 0.9, -2.0, 1.1]]))
    target = minitorch.tensor([2, -100, 0])
    weight = minitorch.tensor([0.5, 2.0, 1.0, 1.5], dtype=minitorch.float64) if weighted else None
    check(lambda t: F.cross_entropy(t, target, weight=weight, reduction=reduction,
                                    label_smoothing=smoothing), x)
    check(lambda t: F.nll_loss(t.log_softmax(1), target, weight=weight, reduction=reduction), x)


def test_cross_entropy_of_one_sample_and_of_spatial_inputs():
    x = np.array([0.3, -1.2, 2.0])
    out = F.cross_entropy(minitorch.tensor(x), minitorch.tensor(2))
    assert out.shape == ()
    np.testing.assert_allclose(out.item(), -np_log_softmax(x, 0)[2], rtol=1e-6)
    rng = np.random.default_rng(0)
    spatial = rng.normal(size=(2, 3, 4))
    target = rng.integers(0, 3, size=(2, 4))
    out = F.cross_entropy(minitorch.tensor(spatial), minitorch.tensor(target), reduction="none")
    log_p = np_log_softmax(spatial, 1)
    expected = -np.take_along_axis(log_p, target[:, None, :], axis=1)[:, 0, :]
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


def test_cross_entropy_with_class_probabilities():
    x = np.array([[0.3, -1.2, 2.0], [1.0, 0.0, -1.0]])
    p = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    out = F.cross_entropy(minitorch.tensor(x), minitorch.tensor(p), label_smoothing=0.1)
    smoothed = p * 0.9 + 0.1 / 3
    np.testing.assert_allclose(out.item(), -(smoothed * np_log_softmax(x, 1)).sum(1).mean())


def test_all_targets_ignored_gives_nan_mean_like_pytorch():
    out = F.cross_entropy(minitorch.ones(2, 3), minitorch.tensor([-100, -100]))
    assert math.isnan(out.item())
    zero = F.cross_entropy(minitorch.ones(2, 3), minitorch.tensor([-100, -100]), reduction="sum")
    assert zero.item() == 0.0


@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss])
def test_class_index_errors(fn):
    x = minitorch.zeros(2, 3)
    with pytest.raises(IndexError, match=r"Target 3 is out of bounds.*3 classes.*\[0, 2\]"):
        fn(x, minitorch.tensor([0, 3]))
    with pytest.raises(IndexError, match="Target -1 is out of bounds"):
        fn(x, minitorch.tensor([-1, 0]))
    with pytest.raises(ValueError, match=r"'avg' is not a valid value for reduction: expected "
                                         r"one of 'mean', 'sum' or 'none'"):
        fn(x, minitorch.tensor([0, 1]), reduction="avg")
    with pytest.raises(ValueError, match=r"batch_size \(2\).*batch_size \(3\).*\[2, 3\].*\[3\]"):
        fn(x, minitorch.tensor([0, 1, 2]))
    with pytest.raises(RuntimeError, match="int64"):
        fn(x, minitorch.tensor([0.0, 1.0]))
    with pytest.raises(RuntimeError, match=r"all 3 classes.*\[2\]"):
        fn(x, minitorch.tensor([0, 1]), weight=minitorch.ones(2))


@pytest.mark.parametrize("fn", [F.mse_loss, F.l1_loss, F.binary_cross_entropy,
                                F.binary_cross_entropy_with_logits])
def test_bad_reduction_lists_the_valid_ones(fn):
    x = minitorch.full((2,), 0.5)
    with pytest.raises(ValueError, match="'mean', 'sum' or 'none'"):
        fn(x, x, reduction="elementwise_mean")


def test_legacy_size_average_and_reduce():
    x, y = minitorch.tensor([1.0, 2.0]), minitorch.tensor([0.0, 0.0])
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert F.mse_loss(x, y, size_average=False).item() == 5.0
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert F.l1_loss(x, y, reduce=False).shape == (2,)
