"""`addmm`, `addmv`, `baddbmm` (beta * input + alpha * product, one node each) and the
`AddmmBackward0` that `nn.Linear` / `F.linear` record, as PyTorch: values against NumPy
formulas, gradients by `gradcheck` (central differences), node names and errors.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch
from minitorch import nn
from minitorch.autograd import gradcheck


def t(array, requires_grad=False):
    return minitorch.tensor(np.asarray(array, dtype=np.float64), dtype=minitorch.float64,
                            requires_grad=requires_grad)


scales = st.sampled_from([1, 0.5, -2, 0])
# how `input` is given: the full result shape, a row broadcast over it, or a single value
input_kinds = st.sampled_from(["full", "row", "scalar"])


def input_shape(kind, shape):
    return {"full": shape, "row": shape[-1:], "scalar": ()}[kind]


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), scales, scales, input_kinds,
       st.integers(0, 2**31 - 1))
def test_addmm_is_beta_input_plus_alpha_product(n, m, p, beta, alpha, kind, seed):
    rng = np.random.default_rng(seed)
    c, a, b = rng.normal(size=input_shape(kind, (n, p))), rng.normal(size=(n, m)), \
        rng.normal(size=(m, p))
    out = minitorch.addmm(t(c), t(a), t(b), beta=beta, alpha=alpha)
    np.testing.assert_allclose(out.numpy(), beta * c + alpha * (a @ b), atol=1e-12)
    assert out.shape == (n, p) and out.dtype is minitorch.float64


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), scales, scales, st.integers(0, 2**31 - 1))
def test_addmv_is_beta_input_plus_alpha_matrix_times_vector(n, m, beta, alpha, seed):
    rng = np.random.default_rng(seed)
    c, a, v = rng.normal(size=n), rng.normal(size=(n, m)), rng.normal(size=m)
    out = minitorch.addmv(t(c), t(a), t(v), beta=beta, alpha=alpha)
    np.testing.assert_allclose(out.numpy(), beta * c + alpha * (a @ v), atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 2), st.integers(1, 3), st.integers(1, 3), scales, scales, input_kinds,
       st.integers(0, 2**31 - 1))
def test_baddbmm_is_a_batch_of_addmm(batch, n, p, beta, alpha, kind, seed):
    rng = np.random.default_rng(seed)
    c = rng.normal(size=input_shape(kind, (batch, n, p)))
    a, b = rng.normal(size=(batch, n, 2)), rng.normal(size=(batch, 2, p))
    out = minitorch.baddbmm(t(c), t(a), t(b), beta=beta, alpha=alpha)
    np.testing.assert_allclose(out.numpy(), beta * c + alpha * np.matmul(a, b), atol=1e-12)


def test_beta_zero_ignores_nan_in_input():
    out = minitorch.addmm(t(np.full((2, 2), np.nan)), t(np.ones((2, 3))), t(np.ones((3, 2))),
                          beta=0)
    np.testing.assert_array_equal(out.numpy(), np.full((2, 2), 3.0))


def test_methods_are_the_functions():
    c, a, b = t(np.ones((2, 2))), t(np.ones((2, 3))), t(np.ones((3, 2)))
    np.testing.assert_array_equal(c.addmm(a, b, alpha=2).numpy(), np.full((2, 2), 7.0))
    np.testing.assert_array_equal(c[0].addmv(a, b[:, 0]).numpy(), [4.0, 4.0])
    np.testing.assert_array_equal(
        c.unsqueeze(0).baddbmm(a.unsqueeze(0), b.unsqueeze(0), beta=2).numpy(),
        np.full((1, 2, 2), 5.0))


# ----- gradients ----------------------------------------------------------------------------
@pytest.mark.parametrize("beta, alpha", [(1, 1), (0.5, -2.0), (0, 3.0)])
def test_gradcheck(beta, alpha):
    rng = np.random.default_rng(3)

    def leaf(*shape):
        return t(rng.normal(size=shape), requires_grad=True)

    assert gradcheck(lambda c, a, b: minitorch.addmm(c, a, b, beta=beta, alpha=alpha),
                     (leaf(3), leaf(2, 2), leaf(2, 3)))
    assert gradcheck(lambda c, a, v: minitorch.addmv(c, a, v, beta=beta, alpha=alpha),
                     (leaf(1), leaf(2, 3), leaf(3)))
    assert gradcheck(lambda c, a, b: minitorch.baddbmm(c, a, b, beta=beta, alpha=alpha),
                     (leaf(2, 1, 2), leaf(2, 1, 2), leaf(2, 2, 2)))


def test_second_derivative_through_addmm():
    a, b = t([[1.0, 2.0]], requires_grad=True), t([[3.0], [4.0]], requires_grad=True)
    # d/da sum(a b)^2 = 2 (a b) b^T; its derivative in b, summed, checked by gradcheck
    assert gradcheck(lambda a, b: minitorch.autograd.grad(
        (minitorch.addmm(t(0.0), a, b) ** 2).sum(), a, create_graph=True)[0], (a, b))


# ----- nodes ----------------------------------------------------------------------------------
def test_grad_fn_names():
    a = t(np.ones((2, 3)), requires_grad=True)
    assert minitorch.addmm(t(np.ones(2)), a, t(np.ones((3, 2)))).grad_fn.name() == \
        "AddmmBackward0"
    assert minitorch.addmv(t(np.ones(2)), a, t(np.ones(3))).grad_fn.name() == "AddmvBackward0"
    assert minitorch.baddbmm(t(0.0), a.unsqueeze(0), t(np.ones((1, 3, 1)))).grad_fn.name() \
        == "BaddbmmBackward0"
    assert type(minitorch.addmm(t(0.0), a, t(np.ones((3, 1)))).grad_fn).__name__ == \
        "AddmmBackward0"


@pytest.mark.parametrize("shape, with_bias, names", [
    ((2, 3), True, ["AddmmBackward0"]),
    ((2, 3), False, ["MmBackward0"]),
    ((3,), True, ["ViewBackward0", "AddmmBackward0"]),
    ((4, 2, 3), True, ["ViewBackward0", "AddmmBackward0"]),
    ((4, 2, 3), False, ["UnsafeViewBackward0"]),
])
def test_linear_records_the_nodes_of_pytorch(shape, with_bias, names):
    layer = nn.Linear(3, 2, bias=with_bias)
    x = minitorch.randn(*shape)
    y = layer(x)
    node, found = y.grad_fn, []
    for _ in names:
        found.append(node.name())
        node = node.next_functions[0][0]
    assert found == names
    expected = x.numpy() @ layer.weight.detach().numpy().T
    if with_bias:
        expected = expected + layer.bias.detach().numpy()
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_linear_gradients_reach_weight_bias_and_input():
    layer = nn.Linear(3, 2).double()
    x = t(np.arange(12.0).reshape(2, 2, 3) / 10, requires_grad=True)
    assert gradcheck(lambda x, w, b: nn.functional.linear(x, w, b), (x, layer.weight, layer.bias))


# ----- errors -------------------------------------------------------------------------------
@pytest.mark.parametrize("call, message", [
    (lambda: minitorch.addmm(minitorch.ones(2, 2), minitorch.ones(2, 3), minitorch.ones(4, 2)),
     "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x2)"),
    (lambda: minitorch.addmm(minitorch.ones(2, 2), minitorch.ones(3), minitorch.ones(3, 2)),
     "mat1 must be a matrix, got 1-D tensor"),
    (lambda: minitorch.addmm(minitorch.ones(3, 2), minitorch.ones(2, 3), minitorch.ones(3, 2)),
     "The expanded size of the tensor (2) must match the existing size (3) at non-singleton "
     "dimension 0.  Target sizes: [2, 2].  Tensor sizes: [3, 2]"),
    (lambda: minitorch.addmm(minitorch.ones(2, 2), minitorch.ones(2, 3).double(),
                             minitorch.ones(3, 2)),
     "mat1 and mat2 must have the same dtype, but got Double and Float"),
    (lambda: minitorch.addmv(minitorch.ones(2), minitorch.ones(2, 3), minitorch.ones(4)),
     "size mismatch, got input (2), mat (2x3), vec (4)"),
    (lambda: minitorch.addmv(minitorch.ones(2), minitorch.ones(3), minitorch.ones(3)),
     "vector + matrix @ vector expected, got 1, 1, 1"),
    (lambda: minitorch.baddbmm(minitorch.ones(2, 2, 2), minitorch.ones(2, 2, 3),
                               minitorch.ones(3, 3, 2)),
     "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [3, 3]."),
    (lambda: minitorch.baddbmm(minitorch.ones(2, 2, 2), minitorch.ones(2, 2, 3).double(),
                               minitorch.ones(2, 3, 2)),
     "Input dtypes must be the same, got: input float, batch1: double, batch2: float"),
])
def test_errors(call, message):
    with pytest.raises(RuntimeError) as info:
        call()
    assert message in str(info.value)
