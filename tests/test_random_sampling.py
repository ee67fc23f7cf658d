"""logspace, normal, poisson and multinomial: values against formulas, draws against their
distributions (fixed seeds; sample means within a few standard errors), reproducibility
under `manual_seed` / `generator=`, and the misuse errors. Also `inference_mode`."""

import math

import numpy as np
import pytest

import minitorch

N = 4000  # draws per statistical check: 4 standard errors is then a 6% band around p = 0.5


def test_logspace_is_base_to_the_evenly_spaced_exponents():
    got = minitorch.logspace(-1, 2, 4, base=2.0, dtype=minitorch.float64)
    np.testing.assert_allclose(got.numpy(), [2.0 ** e for e in (-1, 0, 1, 2)], rtol=1e-15)
    assert minitorch.logspace(0, 2, 3).tolist() == [1.0, 10.0, 100.0]
    assert minitorch.logspace(0, 2, 3).dtype is minitorch.float32
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        minitorch.logspace(0, 2, -1)


def test_normal_with_numbers_draws_the_given_mean_and_std():
    x = minitorch.normal(3.0, 2.0, size=(N,), generator=minitorch.Generator().manual_seed(1))
    assert x.shape == (N,) and x.dtype is minitorch.float32
    assert abs(x.mean().item() - 3.0) < 4 * 2.0 / math.sqrt(N)
    assert abs(x.std().item() - 2.0) < 4 * 2.0 / math.sqrt(2 * N)


def test_normal_with_tensors_broadcasts_mean_and_std_elementwise():
    minitorch.manual_seed(0)
    mean = minitorch.tensor([[-5.0], [5.0]])
    std = minitorch.tensor([0.5, 1.0, 2.0] * 1000)
    x = minitorch.normal(mean, std)
    assert x.shape == (2, 3000)
    rows = x.numpy().reshape(2, 1000, 3)
    for r, m in enumerate((-5.0, 5.0)):
        for c, s in enumerate((0.5, 1.0, 2.0)):
            assert abs(rows[r, :, c].mean() - m) < 4 * s / math.sqrt(1000)
    assert minitorch.normal(minitorch.zeros(2), 2.0).shape == (2,)
    assert minitorch.normal(1.0, minitorch.ones(3)).shape == (3,)


def test_normal_repeats_under_the_same_seed_and_checks_its_arguments():
    minitorch.manual_seed(7)
    first = minitorch.normal(0.0, 1.0, (5,))
    minitorch.manual_seed(7)
    assert minitorch.normal(0.0, 1.0, (5,)).tolist() == first.tolist()
    with pytest.raises(RuntimeError, match="normal expects all elements of std >= 0.0"):
        minitorch.normal(minitorch.zeros(2), -minitorch.ones(2))
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0"):
        minitorch.normal(0.0, -1.0, (2,))
    with pytest.raises(TypeError, match="invalid combination of arguments"):
        minitorch.normal(0.0, 1.0)


def test_poisson_draws_counts_with_the_given_rates():
    rates = minitorch.tensor([0.5, 4.0]).expand(N, 2)
    x = minitorch.poisson(rates, generator=minitorch.Generator().manual_seed(3))
    assert x.dtype is minitorch.float32 and x.shape == (N, 2)
    values = x.numpy()
    assert np.all(values == np.round(values)) and np.all(values >= 0)
    for column, rate in enumerate((0.5, 4.0)):
        assert abs(values[:, column].mean() - rate) < 4 * math.sqrt(rate / N)
    with pytest.raises(RuntimeError, match="invalid Poisson rate"):
        minitorch.poisson(minitorch.tensor([-1.0]))


def test_multinomial_with_replacement_draws_in_proportion_to_the_weights():
    weights = minitorch.tensor([[1.0, 0.0, 3.0], [2.0, 2.0, 0.0]])
    draws = weights.multinomial(N, replacement=True,
                                generator=minitorch.Generator().manual_seed(5))
    assert draws.shape == (2, N) and draws.dtype is minitorch.int64
    counts = [np.bincount(row, minlength=3) / N for row in draws.numpy()]
    for frequencies, p in zip(counts, ([0.25, 0.0, 0.75], [0.5, 0.5, 0.0])):
        for f, q in zip(frequencies, p):
            assert abs(f - q) <= 4 * math.sqrt(q * (1 - q) / N)


def test_multinomial_without_replacement_never_repeats_and_prefers_heavy_weights():
    minitorch.manual_seed(2)
    weights = minitorch.tensor([1.0, 0.0, 8.0, 1.0])
    firsts = [minitorch.multinomial(weights, 3).tolist() for _ in range(400)]
    assert all(len(set(draw)) == 3 and 1 not in draw for draw in firsts)
    share = sum(draw[0] == 2 for draw in firsts) / 400
    assert abs(share - 0.8) < 4 * math.sqrt(0.8 * 0.2 / 400)
    assert sorted(minitorch.multinomial(weights, 4).tolist()) == [0, 1, 2, 3]


def test_multinomial_errors():
    with pytest.raises(RuntimeError, match="without replacement"):
        minitorch.multinomial(minitorch.tensor([1.0, 1.0]), 3)
    with pytest.raises(RuntimeError, match="sum of probabilities <= 0"):
        minitorch.multinomial(minitorch.tensor([0.0, 0.0]), 1)
    with pytest.raises(RuntimeError, match="`inf`, `nan` or element < 0"):
        minitorch.multinomial(minitorch.tensor([-1.0, 2.0]), 1)
    with pytest.raises(RuntimeError, match="prob_dist must be 1 or 2 dim"):
        minitorch.multinomial(minitorch.ones(2, 2, 2), 1)
    with pytest.raises(RuntimeError, match="only supports floating-point dtypes"):
        minitorch.multinomial(minitorch.tensor([1, 2]), 1)


def test_inference_mode_records_no_graph_as_context_and_decorator():
    x = minitorch.ones(2, requires_grad=True)
    assert not minitorch.is_inference_mode_enabled()
    with minitorch.inference_mode():
        assert minitorch.is_inference_mode_enabled() and not minitorch.is_grad_enabled()
        assert not (x * 2).requires_grad
        with minitorch.inference_mode(False):
            assert not minitorch.is_inference_mode_enabled()
    assert minitorch.is_grad_enabled() and not minitorch.is_inference_mode_enabled()

    @minitorch.inference_mode
    def bare(t):
        return t * 2

    @minitorch.inference_mode()
    def called(t):
        return t * 2

    assert not bare(x).requires_grad and not called(x).requires_grad
    assert (x * 2).requires_grad
