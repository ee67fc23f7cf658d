"""`nn.utils.clip_grad_norm_` and `clip_grad_value_` against their NumPy formulas: the total
norm of all gradients as one vector, the common scale min(1, max_norm / (norm + 1e-6)), and
the elementwise clamp; parameters without a gradient are left alone."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch
from minitorch import nn


def parameters_with_grads(arrays):
    params = [nn.Parameter(minitorch.zeros(*a.shape, dtype=minitorch.float64)) for a in arrays]
    for p, a in zip(params, arrays):
        p.grad = minitorch.tensor(a, dtype=minitorch.float64)
    return params


def numpy_norm(arrays, p):
    return np.linalg.norm(np.concatenate([a.ravel() for a in arrays]), ord=p)


arrays_st = st.lists(
    st.tuples(st.integers(1, 3), st.integers(1, 4)).flatmap(
        lambda shape: st.builds(lambda seed: np.random.default_rng(seed).normal(0, 3, shape),
                                st.integers(0, 2**31 - 1))),
    min_size=1, max_size=3)


@settings(max_examples=25, deadline=None)
@given(arrays=arrays_st, max_norm=st.floats(0.01, 20.0),
       p=st.sampled_from([1.0, 2.0, 3.0, float("inf")]))
def test_clip_grad_norm_scales_all_gradients_together(arrays, max_norm, p):
    params = parameters_with_grads(arrays)
    total = nn.utils.clip_grad_norm_(params, max_norm, norm_type=p)
    want = numpy_norm(arrays, p)
    assert total.shape == () and np.isclose(total.item(), want)
    scale = min(1.0, max_norm / (want + 1e-6))
    for param, a in zip(params, arrays):
        np.testing.assert_allclose(param.grad.numpy(), a * scale, rtol=1e-12)


def test_clip_grad_norm_skips_parameters_without_grad_and_takes_one_tensor():
    w = nn.Parameter(minitorch.tensor([3.0, 4.0]))
    unused = nn.Parameter(minitorch.tensor([1.0]))
    (w * w).sum().backward()                                 # grad [6, 8], norm 10
    total = nn.utils.clip_grad_norm_([w, unused], max_norm=5.0)
    assert np.isclose(total.item(), 10.0) and unused.grad is None
    np.testing.assert_allclose(w.grad.numpy(), np.array([6, 8]) * 5 / (10 + 1e-6), rtol=1e-6)
    assert nn.utils.clip_grad_norm_(w, max_norm=100.0).item() == pytest.approx(5.0, rel=1e-6)
    assert nn.utils.clip_grad_norm_([unused], 1.0).item() == 0.0


def test_clip_grad_norm_refuses_a_non_finite_norm_when_asked():
    (p,) = parameters_with_grads([np.array([1.0, np.inf])])
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


@settings(max_examples=20, deadline=None)
@given(arrays=arrays_st, clip=st.floats(0.01, 5.0))
def test_clip_grad_value_clamps_each_element(arrays, clip):
    params = parameters_with_grads(arrays)
    assert nn.utils.clip_grad_value_(params, clip) is None
    for param, a in zip(params, arrays):
        np.testing.assert_array_equal(param.grad.numpy(), np.clip(a, -clip, clip))
