"""Each layer and loss module against its formula written in NumPy: forward values, the
gradients that reach its parameters, train / eval behaviour and the errors a student meets."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch
from minitorch import nn

RNG = np.random.default_rng(0)


def t(array, requires_grad=False, dtype=None):
    out = minitorch.tensor(np.asarray(array, dtype=np.float64 if dtype is None else dtype))
    if dtype is None:
        out = out.float()
    return out.requires_grad_() if requires_grad else out


def a(tensor):
    return tensor.detach().numpy().astype(np.float64)


def close(actual, expected, tol=1e-5):
    np.testing.assert_allclose(a(actual), expected, rtol=tol, atol=tol)


# ----- Linear, Flatten, Identity --------------------------------------------------------------
@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 3), (3,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_is_x_times_w_transposed_plus_b(shape, bias):
    layer = nn.Linear(3, 2, bias=bias)
    x = RNG.normal(size=shape)
    xt = t(x, requires_grad=True)
    out = layer(xt)
    w = a(layer.weight)
    expected = x @ w.T + (a(layer.bias) if bias else 0)
    assert out.shape == expected.shape
    close(out, expected)
    g = RNG.normal(size=expected.shape)
    out.backward(t(g))
    close(layer.weight.grad, g.reshape(-1, 2).T @ x.reshape(-1, 3))
    close(xt.grad, g @ w)
    if bias:
        close(layer.bias.grad, g.reshape(-1, 2).sum(0))


def test_linear_rejects_an_input_with_the_wrong_number_of_features():
    layer = nn.Linear(784, 128)
    with pytest.raises(RuntimeError) as info:
        layer(minitorch.zeros(5, 28, 28))
    message = str(info.value)
    assert "mat1 and mat2 shapes cannot be multiplied (140x28 and 784x128)" in message
    assert "784 features" in message and "[5, 28, 28]" in message and "(28 features)" in message


def test_linear_float64():
    layer = nn.Linear(2, 2, dtype=minitorch.float64)
    assert layer.weight.dtype is minitorch.float64 and layer.bias.dtype is minitorch.float64
    x = minitorch.randn(4, 2, dtype=minitorch.float64)
    assert layer(x).dtype is minitorch.float64


def test_flatten_and_identity():
    x = minitorch.arange(24.0).reshape(2, 3, 4)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Flatten(start_dim=0)(x).shape == (24,)
    np.testing.assert_array_equal(a(nn.Flatten()(x)), np.arange(24.0).reshape(2, 12))
    assert nn.Identity(54, unused="argument")(x) is x


# ----- activations ----------------------------------------------------------------------------
def np_gelu(x):
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def np_gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


def np_softmax(x, dim):
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


ACTIVATIONS = [
    ("relu", nn.ReLU(), lambda x: np.maximum(x, 0)),
    ("leaky_relu", nn.LeakyReLU(), lambda x: np.where(x > 0, x, 0.01 * x)),
    ("leaky_relu_0.2", nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    ("sigmoid", nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    ("tanh", nn.Tanh(), np.tanh),
    ("gelu", nn.GELU(), np_gelu),
    ("gelu_tanh", nn.GELU(approximate="tanh"), np_gelu_tanh),
    ("softmax_1", nn.Softmax(dim=1), lambda x: np_softmax(x, 1)),
    ("softmax_0", nn.Softmax(dim=0), lambda x: np_softmax(x, 0)),
    ("log_softmax", nn.LogSoftmax(dim=-1), lambda x: np.log(np_softmax(x, -1))),
]


@pytest.mark.parametrize("name, module, formula", ACTIVATIONS, ids=[c[0] for c in ACTIVATIONS])
def test_activation_matches_its_formula(name, module, formula):
    x = RNG.normal(scale=3, size=(4, 5))
    close(module(t(x)), formula(x))


@pytest.mark.parametrize("name, module, formula", ACTIVATIONS, ids=[c[0] for c in ACTIVATIONS])
def test_activation_gradient_matches_central_differences(name, module, formula):
    x = RNG.normal(scale=2, size=(3, 4))
    x[np.abs(x) < 1e-2] = 0.5  # keep away from the kink of relu
    weights = RNG.normal(size=x.shape)
    xt = t(x, requires_grad=True, dtype=np.float64)
    (module(xt) * t(weights, dtype=np.float64)).sum().backward()
    eps = 1e-6
    numeric = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        numeric[i] = ((formula(up) - formula(down)) * weights).sum() / (2 * eps)
    np.testing.assert_allclose(xt.grad.numpy(), numeric, rtol=1e-4, atol=1e-6)


# ----- Dropout --------------------------------------------------------------------------------
def test_dropout_in_training_zeroes_a_fraction_p_and_scales_the_rest():
    minitorch.manual_seed(0)
    drop = nn.Dropout(p=0.3)
    x = t(np.full((200, 500), 2.0), requires_grad=True)
    out = drop(x)
    v = a(out)
    kept = v != 0
    assert np.mean(~kept) == pytest.approx(0.3, abs=0.005)
    np.testing.assert_allclose(v[kept], 2.0 / 0.7, rtol=1e-6)
    assert v.mean() == pytest.approx(2.0, rel=0.01)  # the expectation is unchanged
    out.sum().backward()
    np.testing.assert_allclose(a(x.grad), kept / 0.7, rtol=1e-6)  # the same mask


def test_dropout_does_nothing_in_eval_mode():
    drop = nn.Dropout(0.5).eval()
    x = minitorch.randn(10, 10)
    np.testing.assert_array_equal(a(drop(x)), a(x))
    drop.train()
    assert (a(drop(minitorch.ones(100, 100))) == 0).any()


def test_dropout_extremes_and_bad_probabilities():
    x = minitorch.ones(50, 50)
    np.testing.assert_array_equal(a(nn.Dropout(0.0)(x)), 1.0)
    np.testing.assert_array_equal(a(nn.Dropout(1.0)(x)), 0.0)
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match=f"between 0 and 1, but got {p}"):
            nn.Dropout(p)


def test_dropout_masks_differ_between_calls_and_follow_the_seed():
    drop = nn.Dropout()
    x = minitorch.ones(20, 20)
    minitorch.manual_seed(1)
    first, second = a(drop(x)), a(drop(x))
    assert not np.array_equal(first, second)
    minitorch.manual_seed(1)
    np.testing.assert_array_equal(a(drop(x)), first)


# ----- BatchNorm1d ----------------------------------------------------------------------------
def np_batchnorm(x, gamma, beta, eps=1e-5):
    axes = (0,) if x.ndim == 2 else (0, 2)
    shape = (1, -1) if x.ndim == 2 else (1, -1, 1)
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma.reshape(shape) + beta.reshape(shape)


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5)])
def test_batchnorm_training_normalises_with_batch_statistics(shape):
    bn = nn.BatchNorm1d(3)
    with minitorch.no_grad():
        bn.weight.copy_(t([1.0, 2.0, 0.5]))
        bn.bias.copy_(t([0.0, -1.0, 3.0]))
    x = RNG.normal(loc=4, scale=3, size=shape)
    out = bn(t(x))
    close(out, np_batchnorm(x, np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0])))


@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5)])
def test_batchnorm_running_statistics_over_several_steps(shape):
    bn = nn.BatchNorm1d(4, momentum=0.2)
    axes = (0,) if len(shape) == 2 else (0, 2)
    running_mean, running_var = np.zeros(4), np.ones(4)
    n = np.prod(shape) // 4
    for step in range(1, 4):
        x = RNG.normal(loc=step, scale=2, size=shape)
        bn(t(x))
        running_mean = 0.8 * running_mean + 0.2 * x.mean(axis=axes)
        running_var = 0.8 * running_var + 0.2 * x.var(axis=axes) * n / (n - 1)  # unbiased
        close(bn.running_mean, running_mean)
        close(bn.running_var, running_var)
        assert bn.num_batches_tracked.item() == step
        assert bn.num_batches_tracked.dtype is minitorch.int64
    bn.eval()
    x = RNG.normal(size=shape)
    view = (1, -1) if len(shape) == 2 else (1, -1, 1)
    expected = (x - running_mean.reshape(view)) / np.sqrt(running_var.reshape(view) + 1e-5)
    close(bn(t(x)), expected)
    close(bn.running_mean, running_mean)  # eval leaves them alone
    assert bn.num_batches_tracked.item() == 3


def test_batchnorm_with_momentum_none_keeps_a_cumulative_average():
    bn = nn.BatchNorm1d(2, momentum=None)
    batches = [RNG.normal(loc=i, size=(5, 2)) for i in range(4)]
    for x in batches:
        bn(t(x))
    close(bn.running_mean, np.mean([x.mean(0) for x in batches], axis=0))
    close(bn.running_var, np.mean([x.var(0, ddof=1) for x in batches], axis=0))


def test_batchnorm_without_running_statistics_or_affine():
    bn = nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    assert list(bn.parameters()) == [] and list(bn.state_dict()) == []
    assert bn.running_mean is None and bn.weight is None
    x = RNG.normal(size=(6, 3))
    bn.eval()  # no running statistics: batch statistics even in eval mode
    close(bn(t(x)), np_batchnorm(x, np.ones(3), np.zeros(3)))
    assert repr(bn) == ("BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=False, "
                        "bias=False, track_running_stats=False)")


def test_batchnorm_gradients():
    bn = nn.BatchNorm1d(3)
    x = RNG.normal(size=(6, 3))
    xt = t(x, requires_grad=True, dtype=np.float64)
    bn.double()
    g = RNG.normal(size=x.shape)
    bn(xt).backward(t(g, dtype=np.float64))
    xhat = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)
    close(bn.weight.grad, (g * xhat).sum(0))
    close(bn.bias.grad, g.sum(0))
    # the textbook input gradient of batch norm
    n = x.shape[0]
    expected = (n * g - g.sum(0) - xhat * (g * xhat).sum(0)) / (n * np.sqrt(x.var(0) + 1e-5))
    close(xt.grad, expected)


def test_batchnorm_errors():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        bn(minitorch.zeros(2, 3, 4, 5))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        bn(minitorch.zeros(1, 3))
    with pytest.raises(RuntimeError, match=r"3 channels.*\[4, 5\]"):
        bn(minitorch.zeros(4, 5))
    bn.eval()
    assert bn(minitorch.zeros(1, 3)).shape == (1, 3)  # one sample is fine in eval mode


# ----- LayerNorm ------------------------------------------------------------------------------
@pytest.mark.parametrize("shape, normalized", [((4, 6), 6), ((2, 3, 4), (3, 4)), ((5, 2, 3), [3])])
def test_layernorm_normalises_each_sample(shape, normalized):
    ln = nn.LayerNorm(normalized)
    dims = ln.normalized_shape
    gamma = RNG.normal(size=dims)
    beta = RNG.normal(size=dims)
    with minitorch.no_grad():
        ln.weight.copy_(t(gamma))
        ln.bias.copy_(t(beta))
    x = RNG.normal(loc=2, scale=3, size=shape)
    axes = tuple(range(-len(dims), 0))
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    close(ln(t(x)), (x - mean) / np.sqrt(var + 1e-5) * gamma + beta)


def test_layernorm_gradients_and_no_affine():
    ln = nn.LayerNorm(4).double()
    x = RNG.normal(size=(3, 4))
    g = RNG.normal(size=(3, 4))
    ln(t(x, dtype=np.float64)).backward(t(g, dtype=np.float64))
    xhat = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)
    close(ln.weight.grad, (g * xhat).sum(0))
    close(ln.bias.grad, g.sum(0))
    plain = nn.LayerNorm(4, elementwise_affine=False)
    assert list(plain.parameters()) == []
    close(plain(t(x)), xhat)


def test_layernorm_rejects_a_wrong_shape():
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[10\], expected input with "
                                           r"shape \[\*, 10\], but got input of size\[3, 5\]"):
        nn.LayerNorm(10)(minitorch.zeros(3, 5))


# ----- Embedding ------------------------------------------------------------------------------
def test_embedding_looks_up_rows():
    emb = nn.Embedding(10, 3)
    idx = np.array([[1, 2, 4], [4, 3, 9]])
    out = emb(minitorch.tensor(idx))
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(a(out), a(emb.weight)[idx])
    g = RNG.normal(size=(2, 3, 3))
    out.backward(t(g))
    expected = np.zeros((10, 3))
    np.add.at(expected, idx, g)  # a repeated index (4) collects both gradients
    close(emb.weight.grad, expected)


def test_embedding_padding_row_is_zero_and_learns_nothing():
    emb = nn.Embedding(5, 2, padding_idx=0)
    np.testing.assert_array_equal(a(emb.weight)[0], [0.0, 0.0])
    assert np.all(a(emb.weight)[1:] != 0)
    idx = minitorch.tensor([[0, 2, 0], [1, 2, 3]])
    out = emb(idx)
    np.testing.assert_array_equal(a(out)[0, 0], [0.0, 0.0])
    out.sum().backward()
    np.testing.assert_array_equal(a(emb.weight.grad), [[0, 0], [1, 1], [2, 2], [1, 1], [0, 0]])
    with minitorch.no_grad():
        emb.weight[0] = t([5.0, 5.0])  # a changed padding row is looked up but still not learnt
    out = emb(idx)
    np.testing.assert_array_equal(a(out)[0, 0], [5.0, 5.0])
    emb.zero_grad()
    (out * 3).sum().backward()
    np.testing.assert_array_equal(a(emb.weight.grad)[0], [0.0, 0.0])
    assert nn.Embedding(5, 2, padding_idx=-2).padding_idx == 3


def test_embedding_errors_and_from_pretrained():
    emb = nn.Embedding(4, 2)
    with pytest.raises(RuntimeError, match="Long, Int"):
        emb(minitorch.tensor([1.0]))
    with pytest.raises(IndexError, match="index out of range in self"):
        emb(minitorch.tensor([4]))
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(4, 2, padding_idx=4)
    table = minitorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    frozen = nn.Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad
    np.testing.assert_array_equal(a(frozen(minitorch.tensor([1, 1, 0]))),
                                  [[3, 4], [3, 4], [1, 2]])
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    assert repr(frozen) == "Embedding(2, 2)"


@given(st.integers(1, 6), st.integers(1, 4), st.lists(st.integers(0, 5), min_size=1, max_size=8))
def test_embedding_equals_indexing_the_weight(num, dim, indices):
    indices = [i % num for i in indices]
    emb = nn.Embedding(num, dim)
    np.testing.assert_array_equal(a(emb(minitorch.tensor(indices))), a(emb.weight)[indices])


# ----- loss modules ---------------------------------------------------------------------------
def np_log_softmax(x):
    shifted = x - x.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def reduce(values, reduction):
    return {"mean": values.mean(), "sum": values.sum(), "none": values}[reduction]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_losses(reduction):
    x, y = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
    close(nn.MSELoss(reduction=reduction)(t(x), t(y)), reduce((x - y) ** 2, reduction))
    close(nn.L1Loss(reduction=reduction)(t(x), t(y)), reduce(np.abs(x - y), reduction))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy_losses(reduction):
    logits = RNG.normal(scale=2, size=(5, 2))
    p = 1 / (1 + np.exp(-logits))
    y = RNG.integers(0, 2, size=(5, 2)).astype(np.float64)
    w = np.array([0.5, 2.0])
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    close(nn.BCELoss(reduction=reduction)(t(p), t(y)), reduce(bce, reduction))
    close(nn.BCELoss(weight=t(w), reduction=reduction)(t(p), t(y)), reduce(w * bce, reduction))
    close(nn.BCEWithLogitsLoss(reduction=reduction)(t(logits), t(y)), reduce(bce, reduction))
    pos = np.array([3.0, 1.0])
    weighted = -(pos * y * np.log(p) + (1 - y) * np.log(1 - p))
    close(nn.BCEWithLogitsLoss(reduction=reduction, pos_weight=t(pos))(t(logits), t(y)),
          reduce(weighted, reduction))


def test_classification_losses():
    logits = RNG.normal(size=(6, 4))
    target = np.array([0, 3, 1, 1, 2, 3])
    logp = np_log_softmax(logits)
    picked = -logp[np.arange(6), target]
    x, y = t(logits), minitorch.tensor(target)
    close(nn.CrossEntropyLoss()(x, y), picked.mean())
    close(nn.CrossEntropyLoss(reduction="sum")(x, y), picked.sum())
    close(nn.NLLLoss()(t(logp), y), picked.mean())
    close(nn.NLLLoss(reduction="none")(t(logp), y), picked)
    w = np.array([1.0, 2.0, 0.5, 3.0])
    weighted = w[target] * picked
    close(nn.CrossEntropyLoss(weight=t(w))(x, y), weighted.sum() / w[target].sum())
    close(nn.NLLLoss(weight=t(w))(t(logp), y), weighted.sum() / w[target].sum())
    ignored = minitorch.tensor([0, 3, 1, -100, 2, 3])
    keep = np.array([True, True, True, False, True, True])
    close(nn.CrossEntropyLoss()(x, ignored), picked[keep].mean())
    close(nn.CrossEntropyLoss(ignore_index=1)(x, y), picked[target != 1].mean())
    smooth = 0.1
    smoothed = (1 - smooth) * picked + smooth * (-logp.mean(axis=1))
    close(nn.CrossEntropyLoss(label_smoothing=smooth)(x, y), smoothed.mean())


def test_loss_modules_keep_their_weights_as_buffers_and_translate_legacy_arguments():
    loss = nn.CrossEntropyLoss(weight=minitorch.ones(3))
    assert list(loss.state_dict()) == ["weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    assert list(nn.BCEWithLogitsLoss(pos_weight=minitorch.ones(2)).state_dict()) == [
        "pos_weight"]
    assert loss.reduction == "mean" and loss.ignore_index == -100
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert nn.MSELoss(size_average=False).reduction == "sum"
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert nn.L1Loss(reduce=False).reduction == "none"


def test_a_loss_module_trains_a_model_end_to_end():
    minitorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    x = minitorch.randn(32, 2)
    y = (x[:, 0] > 0).long()
    loss_fn = nn.CrossEntropyLoss()
    first = loss_fn(model(x), y).item()
    for _ in range(60):
        model.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        with minitorch.no_grad():
            for p in model.parameters():
                p -= 0.5 * p.grad
    assert loss.item() < 0.5 * first
