"""SiLU, ELU, Softplus, Mish, Hardtanh: values against NumPy formulas, gradients (gradcheck),
`inplace=True`, node names and printed forms."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import arrays

import minitorch
import minitorch.nn as nn
import minitorch.nn.functional as F
from minitorch import autograd


def np_softplus(x):
    return np.logaddexp(0.0, x)


FORMULAS = {
    "silu": (lambda x: F.silu(x), lambda a: a / (1 + np.exp(-a))),
    "elu": (lambda x: F.elu(x, alpha=0.7), lambda a: np.where(a > 0, a, 0.7 * np.expm1(a))),
    "mish": (lambda x: F.mish(x), lambda a: a * np.tanh(np_softplus(a))),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 2.0), lambda a: np.clip(a, -0.5, 2.0)),
    "softplus": (lambda x: F.softplus(x, beta=2.0),  # (linear above the threshold, 20)
                 lambda a: np.where(2.0 * a > 20, a, np_softplus(2.0 * a) / 2.0)),
}


@settings(max_examples=20)
@given(arrays("float64", (7,), elements_strategy=st.floats(-30, 30, allow_nan=False)),
       st.sampled_from(sorted(FORMULAS)))
def test_activation_matches_its_formula(a, name):
    fn, formula = FORMULAS[name]
    np.testing.assert_allclose(fn(minitorch.tensor(a)).numpy(), formula(a), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_activation_gradients(name):
    fn, _ = FORMULAS[name]
    x = minitorch.tensor([-2.5, -0.8, -0.3, 0.4, 1.1, 2.9], dtype=minitorch.float64,
                         requires_grad=True)
    assert autograd.gradcheck(fn, (x,))


def test_node_names_are_pytorchs():
    x = minitorch.randn(3, requires_grad=True)
    functions = (F.silu, F.elu, F.softplus, F.mish, F.hardtanh)
    assert [type(f(x).grad_fn).__name__ for f in functions] == [
        "SiluBackward0", "EluBackward0", "SoftplusBackward0", "MishBackward0",
        "HardtanhBackward0"]


@pytest.mark.parametrize("fn", [F.silu, F.elu, F.mish, F.hardtanh])
def test_inplace_writes_into_the_input(fn):
    x = minitorch.tensor([-2.0, 0.5, 3.0])
    expected = fn(x).tolist()
    assert fn(x, inplace=True) is x and x.tolist() == expected


def test_layers_apply_their_function_and_print_as_pytorch():
    x = minitorch.tensor([-3.0, 0.25, 4.0])
    layers = {
        "SiLU()": (nn.SiLU(), F.silu(x)),
        "ELU(alpha=0.5, inplace=True)": (nn.ELU(0.5, inplace=True), F.elu(x, 0.5)),
        "Softplus(beta=1.0, threshold=20.0)": (nn.Softplus(), F.softplus(x)),
        "Mish()": (nn.Mish(), F.mish(x)),
        "Hardtanh(min_val=-2, max_val=2)": (nn.Hardtanh(-2, 2), F.hardtanh(x, -2, 2)),
    }
    for text, (layer, expected) in layers.items():
        assert repr(layer) == text
        assert layer(x.clone()).tolist() == expected.tolist()
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        nn.Hardtanh(1.0, -1.0)
