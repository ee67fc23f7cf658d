"""F.pad's modes that repeat input elements ('reflect', 'replicate', 'circular') and the
convolutions' `padding_mode`, against NumPy's `np.pad` ('reflect', 'edge', 'wrap')."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch
import minitorch.nn.functional as F
from minitorch import autograd, nn

NUMPY_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@st.composite
def padded_inputs(draw):
    """(array, pad, mode): 1 to 3 padded dimensions with one or two leading ones, amounts
    each mode accepts (reflect: below the size; circular: at most the size)."""
    mode = draw(st.sampled_from(sorted(NUMPY_MODE)))
    spatial = draw(st.integers(1, 3))
    lead = draw(st.integers(1, 2))
    sizes = [draw(st.integers(2, 4)) for _ in range(spatial)]
    limit = {"reflect": min(sizes) - 1, "replicate": 3, "circular": min(sizes)}[mode]
    pad = tuple(draw(st.integers(0, limit)) for _ in range(2 * spatial))
    shape = [draw(st.integers(1, 2)) for _ in range(lead)] + sizes
    array = np.random.default_rng(draw(st.integers(0, 99))).normal(size=shape)
    return array, pad, mode


def numpy_pad(array, pad, mode):
    widths = [(0, 0)] * array.ndim
    for i in range(len(pad) // 2):
        widths[array.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return np.pad(array, widths, mode=NUMPY_MODE[mode])


@settings(max_examples=30, deadline=None)
@given(padded_inputs())
def test_pad_modes_match_numpy(case):
    array, pad, mode = case
    got = F.pad(minitorch.tensor(array), pad, mode=mode).numpy()
    np.testing.assert_allclose(got, numpy_pad(array, pad, mode))


@pytest.mark.parametrize("mode", sorted(NUMPY_MODE))
def test_pad_mode_gradients(mode):
    x = minitorch.tensor(np.random.default_rng(1).normal(size=(2, 3, 4)), requires_grad=True)
    assert autograd.gradcheck(lambda x: F.pad(x, (2, 1, 1, 2), mode=mode), (x,))


def test_each_padded_element_sends_its_gradient_to_the_element_it_copies():
    x = minitorch.zeros(1, 4, requires_grad=True)
    F.pad(x, (2, 1), mode="reflect").sum().backward()   # reads x at 2 1 | 0 1 2 3 | 2
    assert x.grad.tolist() == [[1.0, 2.0, 3.0, 1.0]]


def test_circular_with_a_negative_amount_wraps_what_is_left_after_cropping():
    x = minitorch.arange(5.0).reshape(1, 5)
    assert F.pad(x, (-1, 2), mode="circular").tolist() == [[1.0, 2.0, 3.0, 4.0, 1.0, 2.0]]
    assert F.pad(x, (1, -2), mode="circular").tolist() == [[2.0, 0.0, 1.0, 2.0]]


@pytest.mark.parametrize("mode", sorted(NUMPY_MODE))
def test_conv2d_padding_mode_is_a_pad_then_a_valid_convolution(mode):
    minitorch.manual_seed(0)
    layer = nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode)
    x = np.random.default_rng(2).normal(size=(2, 2, 4, 5)).astype(np.float32)
    expected = F.conv2d(minitorch.tensor(numpy_pad(x, (2, 2, 1, 1), mode)), layer.weight,
                        layer.bias)
    np.testing.assert_allclose(layer(minitorch.tensor(x)).detach().numpy(),
                               expected.detach().numpy(), rtol=1e-5, atol=1e-5)
    assert repr(layer).endswith(f"padding_mode={mode})")


def test_conv1d_same_padding_with_a_mode_keeps_the_size():
    layer = nn.Conv1d(1, 1, 4, padding="same", padding_mode="replicate")
    assert layer(minitorch.ones(1, 1, 7)).shape == (1, 1, 7)


def test_pad_mode_errors():
    x = minitorch.ones(1, 2, 3)
    with pytest.raises(RuntimeError, match=r"Padding size should be less than the corresponding"
                                           r" input dimension, but got: padding \(3, 0\)"):
        F.pad(x, (3, 0), mode="reflect")
    with pytest.raises(RuntimeError, match="doesn't take in value argument"):
        F.pad(x, (1, 1), mode="replicate", value=1.0)
    with pytest.raises(RuntimeError, match="wrapping around more than once"):
        F.pad(x, (4, 0), mode="circular")
    with pytest.raises(NotImplementedError, match="Padding size 2 is not supported for 1D"):
        F.pad(minitorch.ones(3), (1, 1), mode="reflect")
    with pytest.raises(NotImplementedError, match="Unrecognised padding mode mirror"):
        F.pad(x, (1, 1), mode="mirror")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")
