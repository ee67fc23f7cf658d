"""minitorch's autograd against PyTorch's, where PyTorch is installed.

The same computation graph is built with both libraries from the same NumPy data (float64):

- a table of graphs covering every differentiable operation, with inputs drawn from a seed
  (plus hand-picked inputs at the edges: ties of max / min, zeros of prod / relu / abs, the
  bounds of clamp);
- random compositions of 3-6 operations, generated from a seed.

For each, the outputs and the gradient of every leaf must agree (tight float64 tolerance);
the backward pass starts from a fixed random `gradient=` so that every output element counts.
The grad_fn names of simple operations and the errors of wrong usage (same exception class)
are compared too.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minitorch  # noqa: E402

RTOL, ATOL = 1e-10, 1e-12


# --------------------------------------------------------------------------------------------
# building the same inputs in both libraries


def draw(rng, shape, kind):
    if kind == "any":
        return rng.uniform(-2.0, 2.0, size=shape)
    if kind == "pos":
        return rng.uniform(0.3, 3.0, size=shape)
    if kind == "nonzero":
        return rng.uniform(0.3, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    if kind == "distinct":
        n = int(np.prod(shape))
        return (rng.permutation(n) * 0.37 - 1.0 + rng.uniform(0, 0.1)).reshape(shape)
    raise ValueError(kind)


def make_inputs(spec, seed):
    """NumPy arrays from `spec`: (shape, kind) pairs or explicit arrays."""
    rng = np.random.default_rng(seed)
    arrays = []
    for item in spec:
        if isinstance(item, np.ndarray):
            arrays.append(item.astype(np.float64))
        else:
            arrays.append(draw(rng, *item))
    return arrays


def leaves(lib, arrays):
    return [lib.tensor(a.copy(), dtype=lib.float64, requires_grad=True) for a in arrays]


def as_list(out):
    if isinstance(out, (tuple, list)):
        return [o for o in out if o.dtype.is_floating_point]
    return [out]


def to_np(t):
    return np.asarray(t.detach().numpy(), dtype=np.float64)


def run(lib, fn, arrays, seed):
    """Outputs, and the gradient of every leaf after backward from fixed random gradients."""
    xs = leaves(lib, arrays)
    outs = as_list(fn(lib, *xs))
    rng = np.random.default_rng(seed + 1000)
    grads = [lib.tensor(rng.uniform(-1, 1, size=tuple(o.shape)), dtype=lib.float64)
             for o in outs]
    used = [(o, g) for o, g in zip(outs, grads) if o.requires_grad]
    if used:
        lib.autograd.backward([o for o, _ in used], [g for _, g in used])
    return [to_np(o) for o in outs], [None if x.grad is None else to_np(x.grad) for x in xs]


def compare(fn, spec, seed):
    arrays = make_inputs(spec, seed)
    t_outs, t_grads = run(torch, fn, arrays, seed)
    m_outs, m_grads = run(minitorch, fn, arrays, seed)
    assert len(m_outs) == len(t_outs), "a different number of outputs"
    for i, (m, t) in enumerate(zip(m_outs, t_outs)):
        assert m.shape == t.shape, f"output {i}: shape {m.shape} != torch {t.shape}"
        np.testing.assert_allclose(m, t, rtol=RTOL, atol=ATOL, err_msg=f"output {i}")
    for i, (m, t) in enumerate(zip(m_grads, t_grads)):
        if t is None:
            assert m is None or not np.any(m), f"leaf {i}: torch has no gradient, minitorch {m}"
            continue
        assert m is not None, f"leaf {i}: no gradient (torch: {t})"
        assert m.shape == t.shape, f"leaf {i}: grad shape {m.shape} != torch {t.shape}"
        np.testing.assert_allclose(m, t, rtol=RTOL, atol=ATOL, err_msg=f"gradient of leaf {i}")


# --------------------------------------------------------------------------------------------
# the table of graphs: name -> (input spec, fn(lib, *leaves))

A = "any"
GRAPHS = {
    "add broadcast": ([((3, 1), A), ((1, 4), A)], lambda L, a, b: a + b),
    "sub alpha": ([((2, 3), A), ((3,), A)], lambda L, a, b: a.sub(b, alpha=2.5)),
    "mul 0-d": ([((), A), ((2, 3), A)], lambda L, s, t: s * t),
    "div": ([((2, 3), A), ((2, 1), "nonzero")], lambda L, a, b: a / b),
    "numbers": ([((4,), "nonzero")], lambda L, x: (2.0 - x) * 3 / x + 1 / (x * 4)),
    "pow scalar": ([((2, 2), "pos")], lambda L, x: x**2.5 + x**-1 + x**0),
    "rpow": ([((3,), A)], lambda L, x: 2.0**x),
    "pow tensor": ([((2, 3), "pos"), ((3,), A)], lambda L, a, b: a**b),
    "neg abs": ([((5,), "nonzero")], lambda L, x: -x.abs()),
    "exp log sqrt": ([((2, 2), "pos")], lambda L, x: x.exp() + x.log() * x.sqrt()),
    "trig": ([((3, 2), A)], lambda L, x: x.sin() * x.cos() - x.tanh()),
    "sigmoid relu": ([((6,), "nonzero")], lambda L, x: x.sigmoid() + x.relu()),
    "maximum minimum": ([((2, 3), "distinct"), ((3,), A)],
                        lambda L, a, b: L.maximum(a, b) - L.minimum(a, b * 2)),
    "clamp": ([((8,), A)], lambda L, x: x.clamp(-0.5, 0.7) + x.clamp(min=0.1) * x.clamp(max=0.2)),
    "where": ([((2, 3), A), ((3,), A)], lambda L, a, b: L.where(a.detach() > 0, a * a, b)),
    "remainder": ([np.array([1.3, -2.2, 4.1, -0.4]), np.array([1.5, 0.7, -2.0, 0.9])],
                  lambda L, a, b: a % b + a.remainder(1.5)),
    "sum dims": ([((2, 3, 2), A)], lambda L, x: x.sum((0, -1), keepdim=True) * x.sum(1)[:, None]),
    "mean": ([((3, 4), A)], lambda L, x: x.mean() + x.mean(-1, keepdim=True) * x.mean(0)),
    "prod": ([((2, 3), "nonzero")], lambda L, x: x.prod(1) + x.prod()),
    "amax amin": ([((3, 4), "distinct")], lambda L, x: x.amax((0, 1)) + x.amin(-1)),
    "max min dim": ([((3, 4), "distinct")], lambda L, x: x.max(1).values * x.min(0, True)[0].sum()),
    "max min all": ([((2, 3), "distinct")], lambda L, x: x.max() * x.min()),
    "var std": ([((3, 4), "distinct")],
                lambda L, x: x.var(1) + x.std(0, keepdim=True).sum() + x.var(correction=0)),
    "matmul vv": ([((3,), A), ((3,), A)], lambda L, a, b: a @ b),
    "matmul mv vm": ([((2, 3), A), ((3,), A)], lambda L, m, v: (m @ v) + (v @ m.t()).sum()),
    "matmul batched broadcast": ([((2, 1, 2, 3), A), ((3, 3, 2), A)], lambda L, a, b: a @ b),
    "mm bmm mv dot": ([((2, 3), A), ((3,), A)],
                      lambda L, m, v: m.mm(m.t()).sum() + m.mv(v).dot(m.mv(v))
                      + m.unsqueeze(0).bmm(m.t().unsqueeze(0)).sum()),
    "views": ([((2, 3, 2), A)],
              lambda L, x: x.view(3, 4).t().reshape(2, 6).flatten()[2:] * 2),
    "permute transpose": ([((2, 3, 2), A)],
                          lambda L, x: x.permute(2, 0, 1).transpose(0, -1).mT * x.sum()),
    "expand squeeze": ([((3, 1), A)],
                       lambda L, x: x.expand(2, 3, 4).unsqueeze(1).squeeze(1).squeeze() * 1.5),
    "narrow select": ([((3, 4), A)], lambda L, x: x.narrow(1, 1, 2) * x.select(0, -1)[:2]),
    "split chunk unbind": ([((4, 3), A)],
                           lambda L, x: [p * (i + 1) for i, p in enumerate(x.split([1, 3]))]
                           + list(x.chunk(2, 1)) + [sum(x.unbind(1))]),
    "cat stack": ([((2, 3), A), ((1, 3), A)],
                  lambda L, a, b: L.cat([a, b, a * b], 0).sum(1) + L.stack([a[0], b[0]], 1).sum()),
    "basic indexing": ([((3, 4, 2), A)], lambda L, x: x[1:, ::2, None, -1] * x[..., 0][0]),
    "advanced indexing": ([((4, 3), A)],
                          lambda L, x: x[[0, 0, 3, 1]] * 2 + x[:, [2, 2, 0]].sum(1, True)
                          + x[L.tensor([[1, 1], [2, 3]]), 0].sum()),
    "mask": ([((3, 4), A)], lambda L, x: x[x.detach() > 0] * 3),
    "to clone contiguous": ([((2, 3), A)],
                            lambda L, x: x.to(L.float32).to(L.float64).t().contiguous().clone()),
    "reuse": ([((3,), A)], lambda L, x: x * x + x.exp() * x),
    "diamond": ([((2, 2), A), ((2,), A)],
                lambda L, a, b: (lambda h: h.sin() * h + h.tanh() * b)(a * b)),
    "softmax": ([((2, 4), A)], lambda L, x: x.exp() / x.exp().sum(-1, keepdim=True)),
    "logistic": ([((5, 3), A), ((3,), A), ((), A)],
                 lambda L, X, w, b: (lambda p: -(p.log() + (1 - p).log()).mean())(
                     (X @ w + b).sigmoid())),
    # edges, where PyTorch's conventions decide
    "max tie": ([np.array([1.0, 3.0, 3.0, 2.0])], lambda L, x: x.max() + x.amax(0)),
    "min tie 2-d": ([np.array([[1.0, 1.0], [0.5, 2.0]])], lambda L, x: x.amin(1) + x.min()),
    "maximum tie": ([np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.0])],
                    lambda L, a, b: L.maximum(a, b) + L.minimum(a, b) * 2),
    "clamp at bounds": ([np.array([-1.0, 0.0, 1.0, 2.0])], lambda L, x: x.clamp(-1.0, 1.0)),
    "relu abs at 0": ([np.array([0.0, -1.0, 2.0])], lambda L, x: x.relu() + x.abs() * 2),
    "prod one zero": ([np.array([[2.0, 0.0, 3.0], [1.0, 2.0, 4.0]])], lambda L, x: x.prod(1)),
    "prod two zeros": ([np.array([0.0, 5.0, 0.0])], lambda L, x: x.prod()),
    "sqrt of x*x": ([np.array([1.0, 4.0])], lambda L, x: (x * x).sqrt()),
    "pow zero base": ([np.array([0.0, 2.0]), np.array([2.0, 3.0])], lambda L, a, b: a**b),
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
@pytest.mark.parametrize("seed", [0, 1])
def test_graph_matches_torch(name, seed):
    spec, fn = GRAPHS[name]
    compare(fn, spec, seed)


# --------------------------------------------------------------------------------------------
# random compositions: a (3, 3) state through 3-6 operations with leaves X, W, b, s

STEPS = [
    ("sin", lambda L, h, W, b, s: h.sin()),
    ("tanh", lambda L, h, W, b, s: h.tanh()),
    ("sigmoid", lambda L, h, W, b, s: h.sigmoid() * 2),
    ("exp of tanh", lambda L, h, W, b, s: h.tanh().exp()),
    ("square", lambda L, h, W, b, s: h * h),
    ("leaky", lambda L, h, W, b, s: L.where(h.detach() > 0, h, h * 0.1)),
    ("relu", lambda L, h, W, b, s: h.relu() + h * 0.01),
    ("linear", lambda L, h, W, b, s: h @ W + b),
    ("transposed linear", lambda L, h, W, b, s: W.t() @ h.t()),
    ("scale", lambda L, h, W, b, s: h * s),
    ("divide", lambda L, h, W, b, s: h / (1 + b * b)),
    ("center", lambda L, h, W, b, s: h - h.mean(-1, keepdim=True)),
    ("normalise", lambda L, h, W, b, s: h / (1 + h.var(0, keepdim=True))),
    ("softmax", lambda L, h, W, b, s: h.exp() / h.exp().sum(1, keepdim=True)),
    ("gather rows", lambda L, h, W, b, s: h[[2, 0, 0]]),
    ("cat halves", lambda L, h, W, b, s: L.cat([h[:, :1] * 2, h[:, 1:]], 1)),
    ("stack rows", lambda L, h, W, b, s: L.stack(h.unbind(0)[::-1], 0)),
    ("clamp", lambda L, h, W, b, s: h.clamp(-1.5, 1.5)),
    ("residual", lambda L, h, W, b, s: h + (h @ W).tanh()),
    ("max", lambda L, h, W, b, s: h - h.amax(1, keepdim=True) + h.max(0).values),
    ("reverse", lambda L, h, W, b, s: h.reshape(9)[[8, 7, 6, 5, 4, 3, 2, 1, 0]].reshape(3, 3)),
    ("broadcast product", lambda L, h, W, b, s: (h.unsqueeze(2) * W.unsqueeze(0)).sum(1)),
]


def composition(seed):
    rng = np.random.default_rng(seed)
    count = int(rng.integers(3, 7))
    steps = [STEPS[int(i)] for i in rng.integers(0, len(STEPS), size=count)]

    def fn(L, X, W, b, s):
        h = X
        for _, step in steps:
            h = step(L, h, W, b, s)
        return h

    return [name for name, _ in steps], fn


@pytest.mark.parametrize("seed", range(30))
def test_random_composition_matches_torch(seed):
    names, fn = composition(seed)
    spec = [((3, 3), "any"), ((3, 3), "any"), ((3,), "any"), ((), "any")]
    try:
        compare(fn, spec, seed)
    except AssertionError as e:
        raise AssertionError(f"steps {names}: {e}") from None


def test_second_derivatives_match_torch():
    arrays = make_inputs([((2, 3), "pos"), ((3,), "any")], 7)

    def second(lib):
        x, w = leaves(lib, arrays)
        y = ((x**3).sum(1) * (x @ w).sin()).sum() + (x.log() * w).sum()
        (gx, gw) = lib.autograd.grad(y, [x, w], create_graph=True)
        z = (gx * gx).sum() + (gw.exp() * gx.sum(0)).sum()
        z.backward()
        return [to_np(gx), to_np(gw), to_np(x.grad), to_np(w.grad)]

    for m, t in zip(second(minitorch), second(torch)):
        np.testing.assert_allclose(m, t, rtol=1e-9, atol=1e-11)


# --------------------------------------------------------------------------------------------
# grad_fn names

NAMES = {
    "mul": lambda L, x: x * 2,
    "add": lambda L, x: x + x,
    "sub": lambda L, x: x - 1,
    "div": lambda L, x: x / 3,
    "neg": lambda L, x: -x,
    "pow scalar": lambda L, x: x**2,
    "pow tensor": lambda L, x: x**x,
    "rpow": lambda L, x: 2**x,
    "exp": lambda L, x: x.exp(),
    "log": lambda L, x: x.log(),
    "sqrt": lambda L, x: x.sqrt(),
    "sin": lambda L, x: x.sin(),
    "cos": lambda L, x: x.cos(),
    "tanh": lambda L, x: x.tanh(),
    "sigmoid": lambda L, x: x.sigmoid(),
    "relu": lambda L, x: x.relu(),
    "abs": lambda L, x: x.abs(),
    "maximum": lambda L, x: L.maximum(x, x * 2),
    "clamp": lambda L, x: x.clamp(0, 1),
    "where": lambda L, x: L.where(x > 1, x, x * 2),
    "sum": lambda L, x: x.sum(),
    "sum dim": lambda L, x: x.sum(0),
    "mean": lambda L, x: x.mean(),
    "mean dim": lambda L, x: x.mean(1),
    "prod": lambda L, x: x.prod(),
    "max": lambda L, x: x.max(),
    "max dim": lambda L, x: x.max(1).values,
    "amax": lambda L, x: x.amax(0),
    "matmul 2-d": lambda L, x: x @ x.t().detach(),
    "view": lambda L, x: x.view(6),
    "permute": lambda L, x: x.permute(1, 0),
    "t": lambda L, x: x.t(),
    "transpose": lambda L, x: x.transpose(0, 1),
    "expand": lambda L, x: x.unsqueeze(0).detach().requires_grad_().expand(2, 2, 3),
    "unsqueeze": lambda L, x: x.unsqueeze(0),
    "squeeze dim": lambda L, x: x.unsqueeze(0).detach().requires_grad_().squeeze(0),
    "select": lambda L, x: x[0],
    "slice": lambda L, x: x[1:],
    "index": lambda L, x: x[[0, 1]],
    "cat": lambda L, x: L.cat([x, x]),
    "stack": lambda L, x: L.stack([x, x]),
    "clone": lambda L, x: x.clone(),
    "to float32": lambda L, x: x.to(L.float32),
}


@pytest.mark.parametrize("name", sorted(NAMES))
def test_grad_fn_name_matches_torch(name):
    data = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])

    def grad_fn_name(lib):
        x = lib.tensor(data, dtype=lib.float64, requires_grad=True)
        return NAMES[name](lib, x).grad_fn.name()

    assert grad_fn_name(minitorch) == grad_fn_name(torch)


# --------------------------------------------------------------------------------------------
# wrong usage raises the same exception class (and right usage raises in neither)


def _non_scalar_backward(L):
    (L.tensor([1.0, 2.0], requires_grad=True) * 2).backward()


def _double_backward(L):
    y = (L.tensor([1.0, 2.0], requires_grad=True).exp()).sum()
    y.backward()
    y.backward()


def _double_backward_retained(L):
    y = (L.tensor([1.0, 2.0], requires_grad=True).exp()).sum()
    y.backward(retain_graph=True)
    y.backward()


def _in_place_on_leaf(L):
    L.tensor([1.0], requires_grad=True).add_(1)


def _in_place_on_leaf_under_no_grad(L):
    x = L.tensor([1.0], requires_grad=True)
    with L.no_grad():
        x.add_(1)


def _in_place_on_saved(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1
    b = a * a
    a.add_(1)
    b.sum().backward()


def _in_place_on_unsaved(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    a.add_(1)
    a.sum().backward()


def _grad_of_input_without_grad(L):
    x = L.tensor([1.0], requires_grad=True)
    c = L.tensor([2.0])
    L.autograd.grad((x * c).sum(), c)


def _backward_without_grad(L):
    L.tensor([1.0, 2.0]).sum().backward()


def _int_requires_grad(L):
    L.tensor([1, 2], requires_grad=True)


def _unused_input(L):
    x, u = L.tensor([1.0], requires_grad=True), L.tensor([1.0], requires_grad=True)
    L.autograd.grad((x * 2).sum(), [x, u])


def _unused_input_allowed(L):
    x, u = L.tensor([1.0], requires_grad=True), L.tensor([1.0], requires_grad=True)
    L.autograd.grad((x * 2).sum(), [x, u], allow_unused=True)


def _requires_grad_false_on_non_leaf(L):
    (L.tensor([1.0], requires_grad=True) * 2).requires_grad_(False)


def _requires_grad_true_on_non_leaf(L):
    (L.tensor([1.0], requires_grad=True) * 2).requires_grad_(True)


def _wrong_gradient_shape(L):
    (L.tensor([1.0, 2.0], requires_grad=True) * 2).backward(L.ones(3))


def _hook_without_grad(L):
    L.tensor([1.0]).register_hook(lambda g: g)


def _no_grad_backward(L):
    x = L.tensor([1.0], requires_grad=True)
    with L.no_grad():
        y = x * 2
    y.backward()


ERRORS = [
    _non_scalar_backward, _double_backward, _double_backward_retained, _in_place_on_leaf,
    _in_place_on_leaf_under_no_grad, _in_place_on_saved, _in_place_on_unsaved,
    _grad_of_input_without_grad, _backward_without_grad, _int_requires_grad, _unused_input,
    _unused_input_allowed, _requires_grad_false_on_non_leaf, _requires_grad_true_on_non_leaf,
    _wrong_gradient_shape, _hook_without_grad, _no_grad_backward,
]


def _outcome(fn, lib):
    try:
        fn(lib)
    except Exception as e:  # the built-in class is what is compared
        return next(c for c in type(e).__mro__ if c.__module__ == "builtins"), str(e)
    return None, ""


@pytest.mark.parametrize("fn", ERRORS, ids=lambda f: f.__name__.lstrip("_"))
def test_same_errors_as_torch(fn):
    t_cls, t_msg = _outcome(fn, torch)
    m_cls, m_msg = _outcome(fn, minitorch)
    assert m_cls is t_cls, f"torch: {t_cls} ({t_msg[:80]}); minitorch: {m_cls} ({m_msg[:200]})"
