"""`nn.init`: fan rules, gains, and the statistics of every initialiser against its formula.

Large tensors (about 200,000 values) and fixed seeds keep the sample statistics within a few
tenths of a percent of the formulas, so the tolerances below are loose enough to be stable
and tight enough to catch a wrong fan, gain or bound (each off by 10% or more).
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch
from minitorch import nn
from minitorch.nn import init

SHAPE = (400, 500)  # fan_out = 400, fan_in = 500


def values(t):
    return t.detach().numpy().astype(np.float64).ravel()


@pytest.fixture(autouse=True)
def seeded():
    minitorch.manual_seed(1234)


# ----- gains and fans -------------------------------------------------------------------------
@pytest.mark.parametrize("name, param, gain", [
    ("linear", None, 1.0), ("conv2d", None, 1.0), ("conv_transpose3d", None, 1.0),
    ("sigmoid", None, 1.0), ("tanh", None, 5.0 / 3), ("relu", None, math.sqrt(2.0)),
    ("leaky_relu", None, math.sqrt(2.0 / (1 + 0.01**2))),
    ("leaky_relu", 0.2, math.sqrt(2.0 / 1.04)),
    ("leaky_relu", math.sqrt(5), math.sqrt(2.0 / 6)),
    ("leaky_relu", 0, math.sqrt(2.0)), ("selu", None, 0.75),
])
def test_calculate_gain(name, param, gain):
    assert init.calculate_gain(name, param) == pytest.approx(gain, rel=1e-12)


def test_calculate_gain_rejects_unknown_names_and_bad_slopes():
    with pytest.raises(ValueError, match="Unsupported nonlinearity softplus"):
        init.calculate_gain("softplus")
    with pytest.raises(ValueError, match="negative_slope"):
        init.calculate_gain("leaky_relu", True)
    with pytest.raises(ValueError, match="negative_slope"):
        init.calculate_gain("leaky_relu", "0.1")


@pytest.mark.parametrize("shape, fans", [
    ((3, 5), (5, 3)),                 # a Linear weight: (out_features, in_features)
    ((16, 8, 3, 3), (72, 144)),       # a conv weight: (out, in, kH, kW)
    ((4, 2, 5), (10, 20)),
    ((7, 1), (1, 7)),
])
def test_fan_in_and_fan_out(shape, fans):
    assert init._calculate_fan_in_and_fan_out(minitorch.empty(*shape)) == fans


def test_fans_need_two_dimensions_and_a_valid_mode():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(minitorch.empty(5))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(minitorch.empty(5))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(minitorch.empty(3, 3), mode="fan_avg")


# ----- distributions --------------------------------------------------------------------------
def check_uniform(v, bound):
    assert v.min() >= -bound and v.max() <= bound
    assert v.max() > 0.99 * bound and v.min() < -0.99 * bound
    assert abs(v.mean()) < 0.01 * bound
    assert v.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)


def check_normal(v, std):
    assert abs(v.mean()) < 0.01 * std
    assert v.std() == pytest.approx(std, rel=0.01)
    assert np.mean(np.abs(v) < std) == pytest.approx(0.6827, abs=0.005)


def test_uniform_and_normal():
    t = minitorch.empty(*SHAPE)
    assert init.uniform_(t, -2.0, 6.0) is t
    v = values(t)
    assert v.min() >= -2.0 and v.max() < 6.0
    assert v.mean() == pytest.approx(2.0, abs=0.02)
    assert v.var() == pytest.approx(64 / 12, rel=0.01)
    v = values(init.uniform_(t))
    assert v.min() >= 0.0 and v.max() < 1.0 and v.mean() == pytest.approx(0.5, abs=0.005)
    v = values(init.normal_(t, mean=3.0, std=0.5))
    assert v.mean() == pytest.approx(3.0, abs=0.005)
    assert v.std() == pytest.approx(0.5, rel=0.01)
    check_normal(values(init.normal_(t)), 1.0)


def test_constant_zeros_ones_eye():
    t = minitorch.empty(3, 4, dtype=minitorch.float64)
    assert values(init.constant_(t, 2.5)).tolist() == [2.5] * 12
    assert values(init.zeros_(t)).tolist() == [0.0] * 12
    assert values(init.ones_(t)).tolist() == [1.0] * 12
    np.testing.assert_array_equal(init.eye_(t).numpy(), np.eye(3, 4))
    assert t.dtype is minitorch.float64


@pytest.mark.parametrize("gain", [1.0, init.calculate_gain("relu"), 5.0 / 3])
def test_xavier_uniform_bound(gain):
    t = init.xavier_uniform_(minitorch.empty(*SHAPE), gain=gain)
    check_uniform(values(t), gain * math.sqrt(6.0 / (400 + 500)))


@pytest.mark.parametrize("gain", [1.0, 0.5])
def test_xavier_normal_std(gain):
    t = init.xavier_normal_(minitorch.empty(*SHAPE), gain=gain)
    check_normal(values(t), gain * math.sqrt(2.0 / (400 + 500)))


KAIMING_CASES = [
    # a, mode, nonlinearity, expected std
    (0, "fan_in", "relu", math.sqrt(2.0) / math.sqrt(500)),
    (0, "fan_out", "relu", math.sqrt(2.0) / math.sqrt(400)),
    (0, "fan_in", "leaky_relu", math.sqrt(2.0) / math.sqrt(500)),
    (0.2, "fan_in", "leaky_relu", math.sqrt(2.0 / 1.04) / math.sqrt(500)),
    (math.sqrt(5), "fan_in", "leaky_relu", math.sqrt(1.0 / 3.0) / math.sqrt(500)),
    (0, "FAN_OUT", "tanh", 5.0 / 3 / math.sqrt(400)),
    (0, "fan_in", "linear", 1.0 / math.sqrt(500)),
]


@pytest.mark.parametrize("a, mode, nonlinearity, std", KAIMING_CASES)
def test_kaiming_uniform_bound(a, mode, nonlinearity, std):
    t = init.kaiming_uniform_(minitorch.empty(*SHAPE), a=a, mode=mode, nonlinearity=nonlinearity)
    check_uniform(values(t), math.sqrt(3.0) * std)


@pytest.mark.parametrize("a, mode, nonlinearity, std", KAIMING_CASES)
def test_kaiming_normal_std(a, mode, nonlinearity, std):
    t = init.kaiming_normal_(minitorch.empty(*SHAPE), a=a, mode=mode, nonlinearity=nonlinearity)
    check_normal(values(t), std)


def test_kaiming_uses_the_receptive_field_of_conv_weights():
    t = init.kaiming_normal_(minitorch.empty(64, 32, 5, 5), nonlinearity="relu")
    check_normal(values(t), math.sqrt(2.0 / (32 * 25)))


def test_kaiming_of_an_empty_tensor_warns_and_does_nothing():
    with pytest.warns(UserWarning, match="zero-element"):
        t = init.kaiming_uniform_(minitorch.empty(0, 3))
    assert t.shape == (0, 3)


# ----- layers' default initialisation ---------------------------------------------------------
def test_linear_default_init_is_uniform_within_one_over_sqrt_fan_in():
    layer = nn.Linear(500, 400)
    bound = 1 / math.sqrt(500)  # kaiming_uniform_(a=sqrt(5)): gain sqrt(1/3) * sqrt(3 / fan_in)
    check_uniform(values(layer.weight), bound)
    b = values(layer.bias)
    assert b.min() >= -bound and b.max() <= bound and b.std() > 0.8 * bound / math.sqrt(3)


def test_embedding_default_init_is_standard_normal():
    check_normal(values(nn.Embedding(1000, 200).weight), 1.0)


def test_normalisation_layers_start_as_the_identity():
    bn = nn.BatchNorm1d(5)
    assert values(bn.weight).tolist() == [1.0] * 5 and values(bn.bias).tolist() == [0.0] * 5
    assert values(bn.running_mean).tolist() == [0.0] * 5
    assert values(bn.running_var).tolist() == [1.0] * 5
    ln = nn.LayerNorm((2, 3))
    assert values(ln.weight).tolist() == [1.0] * 6 and values(ln.bias).tolist() == [0.0] * 6


# ----- in place, outside autograd, reproducible -----------------------------------------------
INITIALISERS = [
    lambda t, g: init.uniform_(t, -1, 1, generator=g),
    lambda t, g: init.normal_(t, 0, 2, generator=g),
    lambda t, g: init.xavier_uniform_(t, generator=g),
    lambda t, g: init.xavier_normal_(t, generator=g),
    lambda t, g: init.kaiming_uniform_(t, a=math.sqrt(5), generator=g),
    lambda t, g: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu", generator=g),
]


@pytest.mark.parametrize("fill", INITIALISERS)
def test_initialisers_work_in_place_on_parameters_without_recording_the_graph(fill):
    p = nn.Parameter(minitorch.zeros(6, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fill(p, None) is p
    assert p.is_leaf and p.grad_fn is None and p.requires_grad
    assert values(p).std() > 0
    (p * p).sum().backward()  # still a usable leaf
    np.testing.assert_allclose(p.grad.numpy(), 2 * p.detach().numpy())


@pytest.mark.parametrize("fill", INITIALISERS)
def test_initialisers_follow_the_generator_and_the_global_seed(fill):
    a = fill(minitorch.empty(6, 5), minitorch.Generator().manual_seed(7))
    b = fill(minitorch.empty(6, 5), minitorch.Generator().manual_seed(7))
    c = fill(minitorch.empty(6, 5), minitorch.Generator().manual_seed(8))
    np.testing.assert_array_equal(values(a), values(b))
    assert not np.array_equal(values(a), values(c))
    minitorch.manual_seed(5)
    d = fill(minitorch.empty(6, 5), None)
    minitorch.manual_seed(5)
    e = fill(minitorch.empty(6, 5), None)
    np.testing.assert_array_equal(values(d), values(e))


def test_layers_are_reproducible_under_manual_seed():
    minitorch.manual_seed(0)
    first = nn.Linear(3, 2)
    minitorch.manual_seed(0)
    second = nn.Linear(3, 2)
    np.testing.assert_array_equal(values(first.weight), values(second.weight))
    np.testing.assert_array_equal(values(first.bias), values(second.bias))


@given(st.integers(1, 40), st.integers(1, 40), st.sampled_from(["fan_in", "fan_out"]))
def test_kaiming_uniform_never_leaves_its_bound(fan_in, fan_out, mode):
    t = init.kaiming_uniform_(minitorch.empty(fan_out, fan_in), mode=mode, nonlinearity="relu")
    fan = fan_in if mode == "fan_in" else fan_out
    bound = math.sqrt(2.0) * math.sqrt(3.0 / fan)
    assert np.all(np.abs(values(t)) <= bound * (1 + 1e-6))
