"""`minitorch.func` (PyTorch's `torch.func`): grad, grad_and_value, vjp, jacrev, jacfwd,
hessian and vmap, checked against NumPy formulas and central differences, plus their
errors (PyTorch's exception types and messages).

Inputs are float64 and tiny (at most 4 elements): the Jacobian transforms run one backward
pass per output element.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minitorch
from minitorch import nn
from minitorch.func import (
    functional_call,
    grad,
    grad_and_value,
    hessian,
    jacfwd,
    jacrev,
    vjp,
    vmap,
)

EPS = 1e-6


def t(array):
    return minitorch.tensor(np.asarray(array, dtype=np.float64), dtype=minitorch.float64)


def np_of(x):
    return x.detach().numpy()


def numerical_jacobian(f, x):
    """d f(x) / d x of NumPy function `f` at NumPy array `x` by central differences, of
    shape f(x).shape + x.shape."""
    out_shape = np.shape(f(x))
    columns = []
    for k in range(x.size):
        step = np.zeros(x.size)
        step[k] = EPS
        step = step.reshape(x.shape)
        columns.append((np.asarray(f(x + step)) - np.asarray(f(x - step))) / (2 * EPS))
    return np.stack(columns, axis=-1).reshape(*out_shape, *x.shape)


vectors = hnp.arrays(np.float64, st.integers(1, 4),
                     elements=st.floats(-1.5, 1.5, allow_nan=False, allow_subnormal=False))


# ----- grad ------------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(vectors)
def test_grad_matches_the_formula(x):
    # f(x) = sum(sin(x) * x^2): f'(x) = cos(x) x^2 + 2 x sin(x)
    g = grad(lambda v: (v.sin() * v * v).sum())(t(x))
    np.testing.assert_allclose(np_of(g), np.cos(x) * x**2 + 2 * x * np.sin(x), atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(st.floats(-2, 2, allow_nan=False, allow_subnormal=False))
def test_grad_of_grad_is_the_second_derivative(x):
    # f(x) = x^3 exp(x): f'' = (x^3 + 6 x^2 + 6 x) exp(x)
    f = lambda v: v**3 * v.exp()  # noqa: E731
    second = grad(grad(f))(t(x))
    np.testing.assert_allclose(np_of(second), (x**3 + 6 * x**2 + 6 * x) * np.exp(x),
                               rtol=1e-12, atol=1e-12)


def test_grad_argnums_tuple_and_unused_input():
    x, y, z = t([1.0, 2.0]), t([3.0, -1.0]), t([5.0, 5.0])
    gx, gz = grad(lambda a, b, c: (a * a * b).sum(), argnums=(0, 2))(x, y, z)
    np.testing.assert_allclose(np_of(gx), 2 * np.array([1.0, 2.0]) * np.array([3.0, -1.0]))
    np.testing.assert_array_equal(np_of(gz), [0.0, 0.0])  # c is not used: zeros, as PyTorch
    gy = grad(lambda a, b: (a * b).sum(), argnums=-1)(x, y)
    np.testing.assert_array_equal(np_of(gy), [1.0, 2.0])


def test_grad_of_a_dict_of_tensors_keeps_the_structure():
    params = {"w": t([2.0, 3.0]), "b": t(0.5)}
    g = grad(lambda p, x: ((p["w"] * x).sum() + p["b"]) ** 2)(params, t([1.0, -1.0]))
    assert set(g) == {"w", "b"}
    out = 2.0 - 3.0 + 0.5
    np.testing.assert_allclose(np_of(g["w"]), 2 * out * np.array([1.0, -1.0]))
    np.testing.assert_allclose(np_of(g["b"]), 2 * out)


def test_grad_has_aux_and_grad_and_value():
    x = t([1.0, 2.0, 3.0])
    g, aux = grad(lambda v: ((v**2).sum(), v.mean()), has_aux=True)(x)
    np.testing.assert_array_equal(np_of(g), [2.0, 4.0, 6.0])
    assert aux.item() == 2.0 and not aux.requires_grad
    g, value = grad_and_value(lambda v: (v**2).sum())(x)
    np.testing.assert_array_equal(np_of(g), [2.0, 4.0, 6.0])
    assert value.item() == 14.0 and not value.requires_grad and not g.requires_grad
    g, (value, aux) = grad_and_value(lambda v: ((v**2).sum(), v * 3), has_aux=True)(x)
    assert value.item() == 14.0
    np.testing.assert_array_equal(np_of(aux), [3.0, 6.0, 9.0])


def test_grad_leaves_dot_grad_alone_and_stays_differentiable():
    x = t([1.0, 2.0]).requires_grad_()
    g = grad(lambda v: (v**3).sum())(x)
    assert x.grad is None
    assert g.requires_grad  # as PyTorch: the gradient is a function of x
    g.sum().backward()
    np.testing.assert_allclose(np_of(x.grad), 6 * np.array([1.0, 2.0]))


def test_grad_ignores_an_outer_no_grad():
    with minitorch.no_grad():
        g = grad(lambda v: (v * v).sum())(t([3.0]))
    np.testing.assert_array_equal(np_of(g), [6.0])


@pytest.mark.parametrize("call, error, message", [
    (lambda: grad(lambda v: v * 2)(t([1.0, 2.0])), RuntimeError,
     "Expected f(*args) to return a scalar Tensor, got tensor with 1 dims"),
    (lambda: grad(lambda v: 3.0)(t([1.0])), RuntimeError,
     "Expected f(*args) to return a Tensor, got <class 'float'>"),
    (lambda: grad(lambda v: v.sum(), has_aux=True)(t([1.0])), RuntimeError,
     "output of function f should be a tuple: (output, aux) if has_aux is True"),
    (lambda: grad(lambda v: (v.sum(), 1), has_aux=True)(t([1.0])), RuntimeError,
     "Expected tensors, got unsupported type <class 'int'>"),
    (lambda: grad(lambda v: v.sum(), argnums=1)(t([1.0])), RuntimeError,
     "Got argnum=1, but only 1 positional inputs"),
    (lambda: grad(lambda v: v.sum(), argnums=1.0)(t([1.0])), RuntimeError,
     "argnums must be int or Tuple[int, ...], got: <class 'float'>"),
    (lambda: grad(lambda v: v.sum(), argnums=())(t([1.0])), RuntimeError,
     "argnums must be non-empty"),
    (lambda: grad(lambda v: v.sum())(minitorch.arange(3)), RuntimeError,
     "only Tensors of floating point dtype can require gradients"),
    (lambda: grad(lambda v: v)(3.0), ValueError,
     "Thing passed to transform API must be Tensor, got <class 'float'>"),
])
def test_grad_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


# ----- vjp -------------------------------------------------------------------------------
def test_vjp_is_the_cotangent_times_the_jacobian():
    x, y = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.25, -0.5])
    out, vjp_fn = vjp(lambda a, b: (a.sin() * b, a + b), t(x), t(y))
    np.testing.assert_allclose(np_of(out[0]), np.sin(x) * y)
    u, w = np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.0, 1.0])
    gx, gy = vjp_fn((t(u), t(w)))
    np.testing.assert_allclose(np_of(gx), u * np.cos(x) * y + w)
    np.testing.assert_allclose(np_of(gy), u * np.sin(x) + w)
    again, _ = vjp_fn((t(w), t(u)))  # vjp_fn can be called again
    np.testing.assert_allclose(np_of(again), w * np.cos(x) * y + u)


def test_vjp_has_aux_and_errors():
    out, vjp_fn, aux = vjp(lambda a: (a * 2, a.sum()), t([1.0, 2.0]), has_aux=True)
    assert aux.item() == 3.0
    with pytest.raises(RuntimeError, match="Mismatch in shape: grad_output"):
        vjp_fn(t([1.0, 2.0, 3.0]))
    with pytest.raises(RuntimeError, match=r"cotangents: \(\*,\), primal output: \*"):
        vjp_fn((t([1.0, 2.0]),))
    with pytest.raises(RuntimeError, match="expected f\\(\\*primals\\) to return only tensors"):
        vjp(lambda a: 2.0, t([1.0]))


# ----- Jacobians -------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(vectors, st.sampled_from(["jacrev", "jacfwd"]))
def test_jacobian_matches_central_differences(x, which):
    transform = {"jacrev": jacrev, "jacfwd": jacfwd}[which]
    # f(x) = tanh(x) * sum(x^2) couples all elements (a full Jacobian)
    jac = transform(lambda v: v.tanh() * (v * v).sum())(t(x))
    expected = numerical_jacobian(lambda v: np.tanh(v) * (v * v).sum(), x)
    assert jac.shape == (len(x), len(x))
    np.testing.assert_allclose(np_of(jac), expected, atol=1e-7)


def test_jacobian_shapes_for_matrices_tuples_and_argnums():
    a, x = np.arange(6.0).reshape(2, 3) / 4, np.array([1.0, -2.0, 0.5])
    ja, jx = jacrev(lambda m, v: m @ v, argnums=(0, 1))(t(a), t(x))
    assert ja.shape == (2, 2, 3) and jx.shape == (2, 3)
    np.testing.assert_allclose(np_of(jx), a)  # d (A x) / d x = A
    np.testing.assert_allclose(np_of(ja), np.einsum("ij,k->ijk", np.eye(2), x))
    first, second = jacfwd(lambda v: (v * 2, v.sum()))(t(x))
    np.testing.assert_allclose(np_of(first), 2 * np.eye(3))
    np.testing.assert_allclose(np_of(second), np.ones(3))  # 0-d output: the gradient's shape


def test_jacrev_has_aux():
    jac, aux = jacrev(lambda v: (v**2, v.sum()), has_aux=True)(t([1.0, 3.0]))
    np.testing.assert_allclose(np_of(jac), np.diag([2.0, 6.0]))
    assert aux.item() == 4.0


@settings(max_examples=20, deadline=None)
@given(vectors)
def test_hessian_matches_the_formula(x):
    # f(x) = sum(x)^3 + sum(sin x): H = 6 sum(x) 1 1^T - diag(sin x)
    h = hessian(lambda v: v.sum() ** 3 + v.sin().sum())(t(x))
    expected = 6 * x.sum() * np.ones((len(x), len(x))) - np.diag(np.sin(x))
    np.testing.assert_allclose(np_of(h), expected, atol=1e-10)


def test_hessian_of_two_arguments_has_the_four_blocks():
    x, y = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    (hxx, hxy), (hyx, hyy) = hessian(lambda a, b: (a * a * b).sum(), argnums=(0, 1))(t(x), t(y))
    np.testing.assert_allclose(np_of(hxx), np.diag(2 * y))
    np.testing.assert_allclose(np_of(hxy), np.diag(2 * x))
    np.testing.assert_allclose(np_of(hyx), np.diag(2 * x))
    np.testing.assert_allclose(np_of(hyy), np.zeros((2, 2)))


# ----- vmap ------------------------------------------------------------------------------
def test_vmap_maps_the_batch_dimension():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(4, 3)), rng.normal(size=3)
    out = vmap(lambda u, v: (u * v).sum())(t(a), t(b[None].repeat(4, 0)))
    np.testing.assert_allclose(np_of(out), a @ b)
    out = vmap(lambda u, v: (u * v).sum(), in_dims=(1, None))(t(a.T), t(b))
    np.testing.assert_allclose(np_of(out), a @ b)
    out = vmap(lambda u: u * 2, in_dims=1, out_dims=1)(t(a.T))
    np.testing.assert_allclose(np_of(out), 2 * a.T)
    out = vmap(lambda u: u * 2, out_dims=-1)(t(a))
    np.testing.assert_allclose(np_of(out), 2 * a.T)


def test_vmap_nested_in_dims_outputs_and_kwargs():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(2, 3)), rng.normal(size=(3, 2))
    pair = vmap(lambda p, scale: (p[0] + p[1], p[0].sum() * scale), in_dims=((0, 1), None))
    total, sums = pair((t(x), t(y)), t(2.0))
    np.testing.assert_allclose(np_of(total), x + y.T)
    np.testing.assert_allclose(np_of(sums), 2 * x.sum(1))
    outer = vmap(vmap(lambda u, v: u * v, in_dims=(None, 0)), in_dims=(0, None))
    np.testing.assert_allclose(np_of(outer(t(x[0]), t(x[1]))), np.outer(x[0], x[1]))
    kw = vmap(lambda u, *, k: u * k)(t(x), k=t(3.0))
    np.testing.assert_allclose(np_of(kw), 3 * x)
    constant = vmap(lambda u: minitorch.ones(2, dtype=minitorch.float64))(t(x))
    assert constant.shape == (2, 2)
    empty = vmap(lambda u: u.sum())(minitorch.zeros(0, 3))
    assert empty.shape == (0,)


def test_vmap_of_grad_gives_per_example_gradients():
    rng = np.random.default_rng(2)
    w, xs, ys = rng.normal(size=3), rng.normal(size=(5, 3)), rng.normal(size=5)
    loss = lambda weights, x, y: ((weights * x).sum() - y) ** 2  # noqa: E731
    per_example = vmap(grad(loss), in_dims=(None, 0, 0))(t(w), t(xs), t(ys))
    expected = 2 * (xs @ w - ys)[:, None] * xs
    np.testing.assert_allclose(np_of(per_example), expected)


@pytest.mark.parametrize("call, error, message", [
    (lambda: vmap(lambda a, b: a + b)(minitorch.ones(2, 3), minitorch.ones(3, 3)), ValueError,
     "vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
     "[2, 3] for the mapped dimension"),
    (lambda: vmap(lambda a: a, in_dims=2)(minitorch.ones(2, 3)), ValueError,
     "Got in_dim=2 for some input, but that input is a Tensor of dimensionality 2 so expected "
     "in_dim to satisfy -2 <= in_dim < 2."),
    (lambda: vmap(lambda a, b: a, in_dims=(0,))(minitorch.ones(2), minitorch.ones(2)),
     ValueError, "in_dims is not compatible with the structure of `inputs`"),
    (lambda: vmap(lambda a: a, in_dims=None)(minitorch.ones(2)), ValueError,
     "expected `in_dims` to be int or a (potentially nested) tuple"),
    (lambda: vmap(lambda a: a, in_dims=(None,))(minitorch.ones(2)), ValueError,
     "vmap: Expected at least one Tensor to vmap over"),
    (lambda: vmap(lambda a: a)(3.0), ValueError,
     "We cannot vmap over non-Tensor arguments, please use None as the respective in_dim"),
    (lambda: vmap(lambda a: 3.0)(minitorch.ones(2)), ValueError,
     "must only return Tensors, got type <class 'float'>"),
    (lambda: vmap(lambda a: a * 2, out_dims=None)(minitorch.arange(2.0)), ValueError,
     "can not return a BatchedTensor when out_dim is None"),
    (lambda: vmap(lambda a: (a, a), out_dims=(0, 0, 0))(minitorch.ones(2)), ValueError,
     "out_dims is not compatible with the structure of `outputs`"),
    (lambda: vmap(lambda: 1)(), ValueError, "got no inputs"),
    (lambda: vmap(lambda a: a, randomness="sometimes"), RuntimeError,
     "Only allowed values for randomness are 'error', 'different', or 'same'"),
])
def test_vmap_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_vmap_is_exported_as_in_torch():
    assert minitorch.vmap is vmap and minitorch.func.vmap is vmap


# ----- functional_call ------------------------------------------------------------------------
def test_functional_call_swaps_parameters_for_one_call():
    layer = nn.Linear(2, 3).double()
    weight = layer.weight
    w = np.arange(6.0).reshape(3, 2)
    out = functional_call(layer, {"weight": t(w)}, t([[1.0, -1.0]]))
    np.testing.assert_allclose(np_of(out), [[1.0, -1.0]] @ w.T + np_of(layer.bias))
    assert layer.weight is weight  # restored


def test_per_example_gradients_of_a_model():
    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh()).double()
    params = {name: p.detach() for name, p in model.named_parameters()}
    xs = t(np.random.default_rng(4).normal(size=(4, 3)))

    def loss(p, x):
        return functional_call(model, p, (x.unsqueeze(0),)).sum()

    per_example = vmap(grad(loss), in_dims=(None, 0))(params, xs)
    assert per_example["0.weight"].shape == (4, 2, 3)
    for i in range(4):  # each row is the gradient of that example's loss alone
        model.zero_grad()
        model(xs[i : i + 1]).sum().backward()
        np.testing.assert_allclose(np_of(per_example["0.weight"][i]), np_of(model[0].weight.grad))
        np.testing.assert_allclose(np_of(per_example["0.bias"][i]), np_of(model[0].bias.grad))


def test_functional_call_errors():
    layer = nn.Linear(2, 2)
    with pytest.raises(RuntimeError, match="Error\\(s\\) in reparametrizing for Linear:\n\t"
                                           "Missing key\\(s\\): 'bias'."):
        functional_call(layer, {"weight": minitorch.zeros(2, 2)}, minitorch.ones(1, 2),
                        strict=True)
    with pytest.raises(ValueError, match="appeared in multiple dictionaries"):
        functional_call(layer, ({"bias": minitorch.zeros(2)}, {"bias": minitorch.ones(2)}),
                        minitorch.ones(1, 2))
