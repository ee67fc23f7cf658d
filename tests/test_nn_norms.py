"""GroupNorm and RMSNorm (and F.group_norm, F.rms_norm): values against NumPy formulas,
gradients, parameters, printed forms and errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import arrays

import minitorch
import minitorch.nn as nn
import minitorch.nn.functional as F
from minitorch import autograd

VALUES = st.floats(-5, 5, allow_nan=False)


def np_group_norm(a, groups, weight, bias, eps):
    n, c = a.shape[:2]
    g = a.reshape(n, groups, -1)
    out = ((g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + eps))
    shape = (c,) + (1,) * (a.ndim - 2)
    return out.reshape(a.shape) * weight.reshape(shape) + bias.reshape(shape)


@settings(max_examples=20)
@given(arrays("float64", (2, 4, 3), elements_strategy=VALUES), st.sampled_from([1, 2, 4]),
       arrays("float64", (4,), elements_strategy=VALUES),
       arrays("float64", (4,), elements_strategy=VALUES))
def test_group_norm_matches_the_formula(a, groups, weight, bias):
    got = F.group_norm(minitorch.tensor(a), groups, minitorch.tensor(weight),
                       minitorch.tensor(bias), eps=1e-3)
    np.testing.assert_allclose(got.numpy(), np_group_norm(a, groups, weight, bias, 1e-3),
                               rtol=1e-9, atol=1e-9)


@settings(max_examples=20)
@given(arrays("float64", (3, 2, 3), elements_strategy=VALUES),
       arrays("float64", (2, 3), elements_strategy=VALUES), st.sampled_from([None, 1e-2]))
def test_rms_norm_matches_the_formula(a, weight, eps):
    got = F.rms_norm(minitorch.tensor(a), (2, 3), minitorch.tensor(weight), eps=eps)
    e = np.finfo(np.float64).eps if eps is None else eps
    expected = a / np.sqrt((a * a).mean(axis=(-2, -1), keepdims=True) + e) * weight
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-9, atol=1e-9)


def test_gradients():
    f64 = dict(dtype=minitorch.float64, requires_grad=True)
    x = minitorch.tensor([[[0.3, -1.2], [2.0, 0.7]], [[1.5, -0.4], [0.9, -2.2]]], **f64)
    w, b = minitorch.tensor([1.5, -0.5], **f64), minitorch.tensor([0.1, 0.2], **f64)
    assert autograd.gradcheck(lambda x, w, b: F.group_norm(x, 1, w, b), (x, w, b))
    assert autograd.gradcheck(lambda x, w: F.rms_norm(x, [2], w), (x, w))


def test_layers_parameters_and_printed_forms():
    gn = nn.GroupNorm(2, 4)
    assert repr(gn) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"
    assert gn.weight.tolist() == [1.0] * 4 and gn.bias.tolist() == [0.0] * 4
    assert [n for n, _ in gn.named_parameters()] == ["weight", "bias"]
    assert list(nn.GroupNorm(2, 4, affine=False).parameters()) == []
    rms = nn.RMSNorm([2, 3], eps=1e-3, elementwise_affine=False)
    assert repr(rms) == "RMSNorm((2, 3), eps=0.001, elementwise_affine=False)"
    assert repr(nn.RMSNorm(4)) == "RMSNorm((4,), eps=None, elementwise_affine=True)"
    x = minitorch.randn(2, 4, 3)
    assert gn(x).tolist() == F.group_norm(x, 2, gn.weight, gn.bias).tolist()


def test_errors():
    with pytest.raises(ValueError, match=r"num_channels \(3\) must be divisible by num_groups"):
        nn.GroupNorm(2, 3)
    with pytest.raises(RuntimeError, match="divisible by num_groups, but got input of shape"):
        F.group_norm(minitorch.zeros(2, 3), 2)
    with pytest.raises(RuntimeError, match=r"expected input with shape \[\*2\]"):
        F.rms_norm(minitorch.zeros(2, 3), (2,))
