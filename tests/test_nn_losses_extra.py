"""HuberLoss, SmoothL1Loss, KLDivLoss, CosineSimilarity and Bilinear (and their functional
forms): values against NumPy formulas for every reduction, gradients, printed forms, errors."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import arrays

import minitorch
import minitorch.nn as nn
import minitorch.nn.functional as F
from minitorch import autograd

VALUES = st.floats(-3, 3, allow_nan=False)
REDUCE = {"mean": np.mean, "sum": np.sum, "none": lambda a: a}


def np_huber(d, delta):
    return np.where(np.abs(d) < delta, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta))


def np_smooth_l1(d, beta):
    if beta == 0:
        return np.abs(d)
    return np.where(np.abs(d) < beta, 0.5 * d * d / beta, np.abs(d) - 0.5 * beta)


@settings(max_examples=25)
@given(arrays("float64", (2, 3), elements_strategy=VALUES),
       arrays("float64", (2, 3), elements_strategy=VALUES),
       st.sampled_from(sorted(REDUCE)), st.sampled_from([0.0, 0.5, 1.0, 2.0]))
def test_huber_and_smooth_l1_match_their_formulas(x, y, reduction, width):
    d = x - y
    mx, my = minitorch.tensor(x), minitorch.tensor(y)
    np.testing.assert_allclose(
        F.smooth_l1_loss(mx, my, reduction=reduction, beta=width).numpy(),
        REDUCE[reduction](np_smooth_l1(d, width)), rtol=1e-12, atol=1e-12)
    if width > 0:
        np.testing.assert_allclose(
            F.huber_loss(mx, my, reduction=reduction, delta=width).numpy(),
            REDUCE[reduction](np_huber(d, width)), rtol=1e-12, atol=1e-12)


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@settings(max_examples=25)
@given(arrays("float64", (2, 3), elements_strategy=VALUES),
       arrays("float64", (2, 3), elements_strategy=st.floats(0, 1)),
       st.sampled_from(["batchmean", "mean", "sum", "none"]), st.booleans())
def test_kl_div_matches_its_formula(x, p, reduction, log_target):
    target = np.log(p + 0.1) if log_target else p
    if log_target:
        pointwise = np.exp(target) * (target - x)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            pointwise = np.where(p > 0, p * (np.log(p) - x), 0.0)
    expected = pointwise.sum() / 2 if reduction == "batchmean" else REDUCE[reduction](pointwise)
    got = F.kl_div(minitorch.tensor(x), minitorch.tensor(target), reduction=reduction,
                   log_target=log_target)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12, atol=1e-12)


def test_kl_div_mean_warns_as_pytorch_does():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(minitorch.zeros(2, 2), minitorch.ones(2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(minitorch.zeros(2, 2), minitorch.ones(2, 2), reduction="batchmean")


def test_loss_gradients():
    f64 = dict(dtype=minitorch.float64, requires_grad=True)
    x = minitorch.tensor([[0.3, -1.7, 2.2], [0.05, 1.4, -0.6]], **f64)
    y = minitorch.tensor([[0.1, 0.9, -0.4], [0.6, 1.0, -0.2]], **f64)
    assert autograd.gradcheck(lambda a, b: F.huber_loss(a, b, delta=0.8), (x, y))
    assert autograd.gradcheck(lambda a, b: F.smooth_l1_loss(a, b, beta=0.8), (x, y))
    assert autograd.gradcheck(lambda a, b: F.kl_div(a, b.abs(), reduction="batchmean"), (x, y))
    assert autograd.gradcheck(lambda a, b: F.cosine_similarity(a, b), (x, y))


@settings(max_examples=20)
@given(arrays("float64", (3, 4), elements_strategy=VALUES),
       arrays("float64", (4,), elements_strategy=VALUES), st.sampled_from([0, 1, -1]))
def test_cosine_similarity_matches_the_formula(a, b, dim):
    a, b = a + 0.1, b - 0.2  # (away from the zero vector, where eps decides)
    if dim == 0:
        b = b[:3].reshape(3, 1)
    x, y = np.broadcast_arrays(a, b)
    expected = (x * y).sum(dim) / (np.linalg.norm(x, axis=dim) * np.linalg.norm(y, axis=dim))
    got = F.cosine_similarity(minitorch.tensor(a), minitorch.tensor(b), dim=dim)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-9, atol=1e-12)
    module = nn.CosineSimilarity(dim=dim)
    assert repr(module) == "CosineSimilarity()"
    np.testing.assert_array_equal(module(minitorch.tensor(a), minitorch.tensor(b)).numpy(),
                                  got.numpy())


@settings(max_examples=15)
@given(arrays("float64", (2, 3, 2), elements_strategy=VALUES),
       arrays("float64", (2, 3, 4), elements_strategy=VALUES),
       arrays("float64", (5, 2, 4), elements_strategy=VALUES),
       arrays("float64", (5,), elements_strategy=VALUES))
def test_bilinear_matches_the_formula(x1, x2, w, b):
    got = F.bilinear(*(minitorch.tensor(a) for a in (x1, x2, w, b)))
    np.testing.assert_allclose(got.numpy(), np.einsum("...i,kij,...j->...k", x1, w, x2) + b,
                               rtol=1e-9, atol=1e-9)


def test_bilinear_layer_init_gradients_and_errors():
    minitorch.manual_seed(0)
    layer = nn.Bilinear(4, 3, 2, dtype=minitorch.float64)
    assert repr(layer) == "Bilinear(in1_features=4, in2_features=3, out_features=2, bias=True)"
    assert layer.weight.shape == (2, 4, 3) and layer.bias.shape == (2,)
    for p in layer.parameters():
        assert p.abs().max().item() <= 0.5  # uniform on +-1/sqrt(in1_features)
    x1 = minitorch.randn(2, 4, dtype=minitorch.float64, requires_grad=True)
    x2 = minitorch.randn(2, 3, dtype=minitorch.float64, requires_grad=True)
    assert autograd.gradcheck(lambda a, b, w, c: F.bilinear(a, b, w, c),
                              (x1, x2, layer.weight, layer.bias))
    with pytest.raises(RuntimeError, match="input2 size does not match weight size"):
        F.bilinear(minitorch.zeros(2, 3), minitorch.zeros(2, 4), minitorch.zeros(5, 3, 3))
    with pytest.raises(RuntimeError, match="batch dimensions do not match at dim 0: got 2 and 3"):
        layer(minitorch.zeros(2, 4), minitorch.zeros(3, 3))


def test_loss_modules_keep_their_options():
    x, y = minitorch.tensor([0.0, 3.0]), minitorch.tensor([0.5, 0.0])
    assert repr(nn.HuberLoss()) == "HuberLoss()" and repr(nn.KLDivLoss()) == "KLDivLoss()"
    assert nn.HuberLoss(reduction="sum", delta=2.0)(x, y).item() == \
        F.huber_loss(x, y, reduction="sum", delta=2.0).item()
    assert nn.SmoothL1Loss(beta=0.5)(x, y).item() == F.smooth_l1_loss(x, y, beta=0.5).item()
    kl = nn.KLDivLoss(reduction="batchmean", log_target=True)
    assert kl(x, y).item() == F.kl_div(x, y, reduction="batchmean", log_target=True).item()
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.huber_loss(x, y, reduction="batchmean")
    with pytest.raises(RuntimeError, match="negative values for beta"):
        F.smooth_l1_loss(x, y, beta=-1.0)
