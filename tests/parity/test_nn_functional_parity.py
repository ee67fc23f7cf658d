"""`minitorch.nn.functional` against `torch.nn.functional`, where PyTorch is installed.

The same NumPy inputs go to both libraries; the forward values and the gradients of every
input that takes one must agree: tightly in float64, loosely in float32. Every reduction is
tried, and for the classification losses every combination of class weights, ignore_index
and label_smoothing. The backward pass starts from a fixed random gradient, so every
element of an unreduced output counts.
"""

import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")
TF = torch.nn.functional

import minitorch  # noqa: E402
import minitorch.nn.functional as MF  # noqa: E402

DTYPES = ["float64", "float32"]
TOL = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=2e-5, atol=2e-6)}
REDUCTIONS = ["mean", "sum", "none"]


def to_lib(lib, a, dtype, grad):
    if a is None:
        return None
    if np.issubdtype(a.dtype, np.integer):
        return lib.tensor(a, dtype=lib.int64)
    return lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=grad)


def run(lib, F, fn, arrays, grads, dtype, seed):
    """Output and input gradients of `fn(F, *tensors)`, from a fixed upstream gradient."""
    xs = [to_lib(lib, a, dtype, g) for a, g in zip(arrays, grads)]
    out = fn(F, *xs)
    rng = np.random.default_rng(seed)
    upstream = lib.tensor(rng.uniform(0.5, 1.5, size=tuple(out.shape)), dtype=out.dtype)
    if out.requires_grad:
        out.backward(upstream)
    got = [None if (x is None or not g) else
           (None if x.grad is None else x.grad.detach().numpy().astype(np.float64))
           for x, g in zip(xs, grads)]
    return out.detach().numpy().astype(np.float64), got


def compare(fn, arrays, grads, dtype, seed=0, rtol=None):
    tol = dict(TOL[dtype], **({} if rtol is None else {"rtol": rtol}))
    out_m, grads_m = run(minitorch, MF, fn, arrays, grads, dtype, seed)
    out_t, grads_t = run(torch, TF, fn, arrays, grads, dtype, seed)
    assert out_m.shape == out_t.shape
    np.testing.assert_allclose(out_m, out_t, **tol, err_msg="forward")
    for i, (gm, gt) in enumerate(zip(grads_m, grads_t)):
        if gt is None:
            continue
        assert gm is not None, f"no gradient for input {i}"
        np.testing.assert_allclose(gm, gt, **tol, err_msg=f"gradient of input {i}")


RNG = np.random.default_rng(1234)
X = RNG.normal(size=(4, 5)) * 2
X3 = RNG.normal(size=(2, 3, 4))
WITH_ZERO = np.array([[-1.5, 0.0, 0.7], [2.2, -0.3, 0.0]])

ACTIVATIONS = {
    "relu": lambda F, x: F.relu(x),
    "leaky_relu": lambda F, x: F.leaky_relu(x),
    "leaky_relu(0.3)": lambda F, x: F.leaky_relu(x, negative_slope=0.3),
    "sigmoid": lambda F, x: F.sigmoid(x),
    "tanh": lambda F, x: F.tanh(x),
    "gelu": lambda F, x: F.gelu(x),
    "gelu(tanh)": lambda F, x: F.gelu(x, approximate="tanh"),
    "logsigmoid": lambda F, x: F.logsigmoid(x),
    "softplus": lambda F, x: F.softplus(x),
    "softplus(beta=2)": lambda F, x: F.softplus(x, beta=2.0, threshold=3.0),
    "softmax(1)": lambda F, x: F.softmax(x, 1),
    "softmax(0)": lambda F, x: F.softmax(x, dim=0),
    "log_softmax(-1)": lambda F, x: F.log_softmax(x, -1),
    "log_softmax(0)": lambda F, x: F.log_softmax(x, 0),
    "dropout(eval)": lambda F, x: F.dropout(x, 0.5, training=False) * 1,
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("data", [X, X3, WITH_ZERO], ids=["2d", "3d", "zeros"])
def test_activations(name, data, dtype):
    compare(ACTIVATIONS[name], [data], [True], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_with_huge_logits(name, dtype):
    x = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -999.0, -1001.0]])
    compare(lambda F, t: getattr(F, name)(t, 1), [x], [True], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 3, 4)], ids=str)
def test_linear(shape, bias, dtype):
    rng = np.random.default_rng(5)
    arrays = [rng.normal(size=shape), rng.normal(size=(2, 4)), rng.normal(size=(2,))]
    fn = (lambda F, x, w, b: F.linear(x, w, b)) if bias else (lambda F, x, w, b: F.linear(x, w))
    compare(fn, arrays if bias else arrays[:2] + [None], [True, True, bias], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("affine", ["none", "weight", "both"])
@pytest.mark.parametrize("shape, normalized", [((3, 4), (4,)), ((2, 3, 4), (3, 4))], ids=str)
def test_layer_norm(shape, normalized, affine, dtype):
    rng = np.random.default_rng(6)
    arrays = [rng.normal(1.0, 3.0, size=shape), rng.normal(size=normalized),
              rng.normal(size=normalized)]
    grads = [True, affine != "none", affine == "both"]
    arrays = [a if g else None for a, g in zip(arrays, grads)]
    compare(lambda F, x, w, b: F.layer_norm(x, normalized, w, b, eps=1e-3), arrays, grads, dtype)


def test_one_hot():
    idx = np.array([[0, 3], [2, 2]])
    for classes in (-1, 5):
        m = MF.one_hot(minitorch.tensor(idx), classes)
        t = TF.one_hot(torch.tensor(idx), classes)
        assert str(m.dtype) == "minitorch.int64" and t.dtype == torch.int64
        np.testing.assert_array_equal(m.numpy(), t.numpy())


# ----- regression and binary losses ------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
@pytest.mark.parametrize("weighted", [False, True])
def test_regression_losses(name, reduction, dtype, weighted):
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    w = rng.uniform(0.5, 2.0, size=(3, 4)) if weighted else None
    compare(lambda F, a, b, c: getattr(F, name)(a, b, reduction=reduction, weight=c),
            [x, y, w], [True, True, False], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy(reduction, weighted, dtype):
    rng = np.random.default_rng(8)
    p = rng.uniform(0.02, 0.98, size=(3, 4))
    y = rng.uniform(0.0, 1.0, size=(3, 4))
    w = rng.uniform(0.5, 2.0, size=(4,)) if weighted else None
    compare(lambda F, a, b, c: F.binary_cross_entropy(a, b, weight=c, reduction=reduction),
            [p, y, w], [True, True, False], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_cross_entropy_at_0_and_1(dtype):
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    # the gradient there is about 1e12 (x(1 - x) clamped at 1e-12): relative rounding only
    compare(lambda F, a, b: F.binary_cross_entropy(a, b, reduction="none"), [p, y],
            [True, False], dtype, rtol=1e-8 if dtype == "float64" else None)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted,pos", list(itertools.product([False, True], repeat=2)))
def test_binary_cross_entropy_with_logits(reduction, weighted, pos, dtype):
    rng = np.random.default_rng(9)
    x = rng.normal(size=(3, 4)) * 4
    x[0, 0], x[1, 1], x[2, 2] = 0.0, 40.0, -40.0
    y = rng.uniform(0.0, 1.0, size=(3, 4))
    w = rng.uniform(0.5, 2.0, size=(3, 4)) if weighted else None
    pw = rng.uniform(0.5, 3.0, size=(4,)) if pos else None
    compare(lambda F, a, b, c, d: F.binary_cross_entropy_with_logits(
        a, b, weight=c, reduction=reduction, pos_weight=d),
        [x, y, w, pw], [True, True, False, False], dtype)  # PyTorch: no gradient for pos_weight


# ----- classification --------------------------------------------------------------------------
TARGETS = np.array([2, 0, 4, 1, 2, 3])
WEIGHTS = np.array([0.5, 2.0, 1.0, 1.5, 0.25])
LOGITS = np.random.default_rng(11).normal(size=(6, 5)) * 3


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 2])
@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.7])
def test_cross_entropy(reduction, weighted, ignore_index, smoothing, dtype):
    w = WEIGHTS if weighted else None
    compare(lambda F, x, t, c: F.cross_entropy(x, t, weight=c, ignore_index=ignore_index,
                                               reduction=reduction, label_smoothing=smoothing),
            [LOGITS, TARGETS, w], [True, False, False], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 2])
def test_nll_loss(reduction, weighted, ignore_index, dtype):
    w = WEIGHTS if weighted else None
    compare(lambda F, x, t, c: F.nll_loss(F.log_softmax(x, 1), t, weight=c,
                                          ignore_index=ignore_index, reduction=reduction),
            [LOGITS, TARGETS, w], [True, False, False], dtype)
    compare(lambda F, x, t, c: F.nll_loss(x, t, weight=c, ignore_index=ignore_index,
                                          reduction=reduction),
            [LOGITS, TARGETS, w], [True, False, False], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_other_shapes(reduction, smoothing, dtype):
    rng = np.random.default_rng(12)
    one = rng.normal(size=(4,))
    compare(lambda F, x, t: F.cross_entropy(x, t, reduction=reduction, label_smoothing=smoothing),
            [one, np.array(3)], [True, False], dtype)
    spatial = rng.normal(size=(2, 3, 4))
    target = np.array([[0, 2, 1, 1], [2, 2, 0, 1]])
    compare(lambda F, x, t: F.cross_entropy(x, t, reduction=reduction, label_smoothing=smoothing,
                                            ignore_index=1),
            [spatial, target], [True, False], dtype)
    probabilities = rng.dirichlet(np.ones(5), size=6)
    compare(lambda F, x, p, c: F.cross_entropy(x, p, weight=c, reduction=reduction,
                                               label_smoothing=smoothing),
            [LOGITS, probabilities, WEIGHTS], [True, True, False], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_with_huge_logits(dtype):
    x = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, 1000.0]])
    compare(lambda F, a, t: F.cross_entropy(a, t, label_smoothing=0.1), [x, np.array([2, 0])],
            [True, False], dtype)


# ----- errors: the same exception classes as PyTorch -------------------------------------------
ERRORS = {
    "target out of range": lambda L, F: F.cross_entropy(L.zeros(2, 3), L.tensor([0, 3])),
    "negative target": lambda L, F: F.nll_loss(L.zeros(2, 3), L.tensor([-1, 0])),
    "bad reduction": lambda L, F: F.mse_loss(L.zeros(2), L.zeros(2), reduction="avg"),
    "batch mismatch": lambda L, F: F.cross_entropy(L.zeros(2, 3), L.tensor([0, 1, 2])),
    "bce sizes": lambda L, F: F.binary_cross_entropy(L.zeros(2), L.zeros(3)),
    "bce logits sizes": lambda L, F: F.binary_cross_entropy_with_logits(L.zeros(2), L.zeros(3)),
    "dropout p": lambda L, F: F.dropout(L.zeros(2), 1.5),
    "one_hot float": lambda L, F: F.one_hot(L.zeros(2)),
    "one_hot too large": lambda L, F: F.one_hot(L.tensor([3]), 3),
    "gelu approximate": lambda L, F: F.gelu(L.zeros(2), approximate="fast"),
    "weight size": lambda L, F: F.cross_entropy(L.zeros(2, 3), L.tensor([0, 1]),
                                                weight=L.ones(2)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_have_pytorchs_exception_class(name):
    with pytest.raises(Exception) as expected:
        ERRORS[name](torch, TF)
    with pytest.raises(Exception) as got:
        ERRORS[name](minitorch, MF)
    assert isinstance(got.value, type(expected.value)), (got.value, expected.value)


# ----- the tensor operations underneath ---------------------------------------------------------
INDEX = np.array([[0, 4, 4], [2, 1, 0], [3, 3, 3], [1, 0, 2]])
MASK = np.array([True, False, False, True, False])
TENSOR_OPS = {
    "logsumexp(1)": lambda L, x: x.logsumexp(1),
    "logsumexp((0,1),keepdim)": lambda L, x: L.logsumexp(x, (0, 1), keepdim=True),
    "softmax method": lambda L, x: x.softmax(-1),
    "log_softmax module": lambda L, x: L.log_softmax(x, 0),
    "gather(1)": lambda L, x: x.gather(1, L.tensor(INDEX)),
    "gather(0)": lambda L, x: L.gather(x, 0, L.tensor(INDEX[:2, :3] % 4)),
    "erf": lambda L, x: x.erf(),
    "reciprocal": lambda L, x: L.reciprocal(x),
    "log1p": lambda L, x: x.abs().log1p(),
    "clamp_min": lambda L, x: x.clamp_min(0.3),
    "masked_fill": lambda L, x: x.masked_fill(L.tensor(MASK), -2.0),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(TENSOR_OPS))
def test_tensor_operations(name, dtype):
    compare(lambda F, x: TENSOR_OPS[name](minitorch if F is MF else torch, x), [X], [True],
            dtype)
    x_m = minitorch.tensor(X, requires_grad=True)
    x_t = torch.tensor(X, requires_grad=True)
    name_m = TENSOR_OPS[name](minitorch, x_m).grad_fn.name()
    assert name_m == TENSOR_OPS[name](torch, x_t).grad_fn.name()
