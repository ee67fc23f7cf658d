"""PyTorch's autograd semantics in minitorch, each checked against a known answer.

The expected values are worked out by hand (or with NumPy) and agree with what PyTorch 2.x
gives for the same code; nothing here compares minitorch with its own output.
"""

import re
import sys

import numpy as np
import pytest

import minitorch
from minitorch import autograd


def leaf(values, dtype=minitorch.float64):
    return minitorch.tensor(values, dtype=dtype, requires_grad=True)


def values(t):
    return np.asarray(t.detach().numpy(), dtype=np.float64)


def assert_values(t, expected):
    assert t is not None, "expected a tensor, got None"
    expected = np.asarray(expected, dtype=np.float64)
    assert tuple(t.shape) == expected.shape, f"shape {tuple(t.shape)} != {expected.shape}"
    np.testing.assert_allclose(values(t), expected, rtol=1e-10, atol=1e-12)


# --------------------------------------------------------------------------------------------
# requires_grad, is_leaf, grad_fn


def test_requires_grad_propagates_to_results():
    x = leaf([1.0, 2.0])
    c = minitorch.tensor([3.0, 4.0], dtype=minitorch.float64)
    assert x.requires_grad and not c.requires_grad
    assert (x + c).requires_grad
    assert (c * x).requires_grad
    assert (x.exp().sum()).requires_grad
    assert not (c * 2).requires_grad
    assert not (c + c).requires_grad
    assert minitorch.ones(2).requires_grad is False
    assert minitorch.zeros(2, requires_grad=True).requires_grad


def test_is_leaf():
    x = leaf([1.0, 2.0])
    c = minitorch.tensor([3.0, 4.0])
    assert x.is_leaf and c.is_leaf
    y = x * 2
    assert not y.is_leaf
    assert (c * 2).is_leaf  # nothing requires grad: not part of a graph
    assert y.detach().is_leaf
    assert x.grad_fn is None and c.grad_fn is None
    assert y.grad_fn is not None


def test_only_leaves_get_grad():
    x = leaf([1.0, 2.0])
    h = x * 3
    (h * h).sum().backward()
    assert_values(x.grad, [2 * 9 * 1.0, 2 * 9 * 2.0])
    assert h.grad is None


@pytest.mark.parametrize(
    "make,name",
    [
        (lambda x: x * 2, "MulBackward0"),
        (lambda x: x * x, "MulBackward0"),
        (lambda x: x + 1, "AddBackward0"),
        (lambda x: x - 1, "SubBackward0"),
        (lambda x: x / 2, "DivBackward0"),
        (lambda x: x**2, "PowBackward0"),
        (lambda x: -x, "NegBackward0"),
        (lambda x: x.exp(), "ExpBackward0"),
        (lambda x: x.log(), "LogBackward0"),
        (lambda x: x.sigmoid(), "SigmoidBackward0"),
        (lambda x: x.tanh(), "TanhBackward0"),
        (lambda x: x.relu(), "ReluBackward0"),
        (lambda x: x.sum(), "SumBackward0"),
        (lambda x: x.mean(), "MeanBackward0"),
        (lambda x: x.clone(), "CloneBackward0"),
        (lambda x: x.expand(2, 3), "ExpandBackward0"),
        (lambda x: x.unsqueeze(0), "UnsqueezeBackward0"),
        (lambda x: minitorch.cat([x, x]), "CatBackward0"),
    ],
)
def test_grad_fn_names_and_the_printed_form(make, name):
    x = leaf([1.0, 2.0, 3.0])
    y = make(x)
    assert y.grad_fn.name() == name
    assert re.fullmatch(rf"<{name} object at 0x[0-9a-f]+>", repr(y.grad_fn)), repr(y.grad_fn)
    assert repr(y).endswith(f"grad_fn=<{name}>)"), repr(y)
    assert "requires_grad" not in repr(y)


def test_printed_form_of_leaves(backend):
    on = ", device='cuda:0'" if backend == "cuda" else ""  # (PyTorch names a GPU, first)
    assert repr(minitorch.tensor([1.0, 2.0], requires_grad=True)) == (
        f"tensor([1., 2.]{on}, requires_grad=True)"
    )
    assert repr(minitorch.tensor([1.0, 2.0])) == f"tensor([1., 2.]{on})"
    assert repr(minitorch.tensor([1.0, 2.0], requires_grad=True).detach()) == (
        f"tensor([1., 2.]{on})"
    )
    assert repr(minitorch.tensor(2.0, requires_grad=True) * 3) == (
        f"tensor(6.{on}, grad_fn=<MulBackward0>)"
    )


def test_int_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        minitorch.tensor([1, 2], requires_grad=True)
    t = minitorch.tensor([1, 2])
    with pytest.raises(RuntimeError, match="floating point"):
        t.requires_grad_()
    with pytest.raises(RuntimeError, match="floating point"):
        t.requires_grad = True
    assert minitorch.tensor([True]).requires_grad is False


def test_results_of_integer_ops_do_not_require_grad():
    x = leaf([1.5, -2.5])
    assert not (x > 0).requires_grad
    assert not x.argmax().requires_grad
    assert not x.max(0).indices.requires_grad


# --------------------------------------------------------------------------------------------
# .grad accumulation


def test_grad_accumulates_until_zeroed_or_set_to_none():
    x = leaf([1.0, 2.0, 3.0])

    def step():
        (x * x).sum().backward()

    step()
    assert_values(x.grad, [2.0, 4.0, 6.0])
    step()
    assert_values(x.grad, [4.0, 8.0, 12.0])
    grad_object = x.grad
    x.grad.zero_()
    assert_values(x.grad, [0.0, 0.0, 0.0])
    step()
    assert_values(x.grad, [2.0, 4.0, 6.0])
    assert x.grad is grad_object  # accumulated in place into the same tensor
    x.grad = None
    step()
    assert_values(x.grad, [2.0, 4.0, 6.0])


def test_grad_does_not_require_grad_and_has_the_leaf_shape_and_dtype():
    x = minitorch.tensor([[1.0, 2.0]], requires_grad=True)
    (x * 3).sum().backward()
    assert not x.grad.requires_grad
    assert x.grad.shape == (1, 2)
    assert x.grad.dtype == minitorch.float32


# --------------------------------------------------------------------------------------------
# backward()


def test_backward_of_a_non_scalar_needs_a_gradient():
    x = leaf([1.0, 2.0])
    y = x * 2
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        y.backward()
    assert x.grad is None


def test_backward_of_a_one_element_non_0d_tensor_is_allowed():
    x = leaf([3.0])
    (x * x).backward()
    assert_values(x.grad, [6.0])


def test_backward_with_gradient():
    x = leaf([1.0, 2.0, 3.0])
    y = x * x
    y.backward(gradient=minitorch.tensor([1.0, 0.5, -2.0], dtype=minitorch.float64))
    assert_values(x.grad, [2.0 * 1.0, 4.0 * 0.5, 6.0 * -2.0])
    z = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="[Mm]ismatch in shape"):
        (z * 2).backward(minitorch.ones(3, dtype=minitorch.float64))


def test_a_second_backward_through_a_freed_graph_raises():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()
    assert_values(x.grad, [2.0, 4.0])  # unchanged by the failed call


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert_values(x.grad, [4.0, 8.0])


def test_backward_of_a_tensor_that_does_not_require_grad_raises():
    c = minitorch.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        c.sum().backward()
    x = leaf([1.0, 2.0])
    with minitorch.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_autograd_backward_of_several_outputs():
    x = leaf([1.0, 2.0])
    autograd.backward([(x * x).sum(), (x * 3).sum()])
    assert_values(x.grad, [2.0 + 3.0, 4.0 + 3.0])


# --------------------------------------------------------------------------------------------
# autograd.grad


def test_grad_returns_a_tuple_and_leaves_dot_grad_alone():
    x = leaf([1.0, 2.0, 3.0])
    w = leaf([0.5, -1.0, 2.0])
    y = (x * w).sum()
    result = autograd.grad(y, [x, w])
    assert isinstance(result, tuple) and len(result) == 2
    assert_values(result[0], [0.5, -1.0, 2.0])
    assert_values(result[1], [1.0, 2.0, 3.0])
    assert x.grad is None and w.grad is None
    (only,) = autograd.grad((x * x).sum(), x)  # a single input: still a tuple
    assert_values(only, [2.0, 4.0, 6.0])
    assert not only.requires_grad


def test_grad_signature_matches_pytorch():
    import inspect

    params = inspect.signature(autograd.grad).parameters
    assert list(params)[:5] == ["outputs", "inputs", "grad_outputs", "retain_graph",
                                "create_graph"]
    assert params["grad_outputs"].default is None
    assert params["retain_graph"].default is None
    assert params["create_graph"].default is False
    assert not params["allow_unused"].default  # False (torch: None, meaning False)


def test_grad_with_grad_outputs_and_of_an_intermediate_tensor():
    x = leaf([1.0, 2.0])
    h = x * 3
    y = h * h
    (g,) = autograd.grad(y, h, grad_outputs=minitorch.tensor([1.0, 10.0], dtype=minitorch.float64),
                         retain_graph=True)
    assert_values(g, [2 * 3.0 * 1.0, 2 * 6.0 * 10.0])
    (gx,) = autograd.grad(y.sum(), x)
    assert_values(gx, [18.0 * 1.0, 18.0 * 2.0])


def test_grad_of_several_outputs_adds_their_contributions():
    x = leaf([1.0, 2.0])
    (g,) = autograd.grad([(x * x).sum(), (x * 5).sum()], [x])
    assert_values(g, [2.0 + 5.0, 4.0 + 5.0])


def test_grad_frees_the_graph_unless_retained():
    x = leaf([1.0, 2.0])
    y = (x.exp()).sum()
    autograd.grad(y, x)
    with pytest.raises(RuntimeError, match="retain_graph"):
        autograd.grad(y, x)
    z = (x.exp()).sum()
    first = autograd.grad(z, x, retain_graph=True)
    second = autograd.grad(z, x)
    assert_values(first[0], np.exp([1.0, 2.0]))
    assert_values(second[0], np.exp([1.0, 2.0]))


def test_allow_unused():
    x = leaf([1.0, 2.0])
    unused = leaf([5.0])
    y = (x * x).sum()
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        autograd.grad(y, [x, unused], retain_graph=True)
    gx, gu = autograd.grad(y, [x, unused], allow_unused=True)
    assert_values(gx, [2.0, 4.0])
    assert gu is None


def test_grad_of_an_input_that_does_not_require_grad_raises():
    x = leaf([1.0, 2.0])
    c = minitorch.tensor([1.0, 2.0], dtype=minitorch.float64)
    with pytest.raises(RuntimeError, match="does not require grad"):
        autograd.grad((x * c).sum(), c)


def test_grad_with_respect_to_a_non_tensor_is_a_type_error():
    x = leaf([1.0, 2.0])
    with pytest.raises(TypeError, match="input 1 is a float, not a Tensor"):
        autograd.grad((x * x).sum(), [x, 2.0])


def test_create_graph_gives_a_differentiable_gradient():
    x = leaf([2.0])
    y = x**3 + 2 * x**2  # y' = 3x^2 + 4x = 20, y'' = 6x + 4 = 16, y''' = 6
    (g,) = autograd.grad(y.sum(), x, create_graph=True)
    assert g.requires_grad and g.grad_fn is not None
    assert_values(g, [20.0])
    (h,) = autograd.grad(g.sum(), x, create_graph=True)
    assert_values(h, [16.0])
    (k,) = autograd.grad(h.sum(), x)
    assert_values(k, [6.0])
    assert x.grad is None


def test_backward_with_create_graph_puts_a_graph_in_grad():
    x = leaf([3.0])
    (x**3).sum().backward(create_graph=True)
    assert_values(x.grad, [27.0])
    assert x.grad.requires_grad
    (g,) = autograd.grad(x.grad.sum(), x)
    assert_values(g, [18.0])


# --------------------------------------------------------------------------------------------
# grad modes


def test_no_grad_as_a_context_manager():
    x = leaf([1.0, 2.0])
    with minitorch.no_grad():
        y = x * 2
        assert not minitorch.is_grad_enabled()
    assert minitorch.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    assert (x * 2).requires_grad


def test_no_grad_as_a_decorator():
    @minitorch.no_grad()
    def double(t):
        return t * 2

    x = leaf([1.0])
    assert not double(x).requires_grad
    assert minitorch.is_grad_enabled()
    assert double.__name__ == "double"


def test_enable_grad_inside_no_grad():
    x = leaf([1.0, 2.0])
    with minitorch.no_grad():
        with minitorch.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad

    @minitorch.enable_grad()
    def double(t):
        return t * 2

    with minitorch.no_grad():
        assert double(x).requires_grad


def test_set_grad_enabled():
    x = leaf([1.0])
    with minitorch.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    with minitorch.set_grad_enabled(True):
        assert (x * 2).requires_grad
    assert minitorch.is_grad_enabled()
    minitorch.set_grad_enabled(False)
    try:
        assert not minitorch.is_grad_enabled()
        assert not (x * 2).requires_grad
    finally:
        minitorch.set_grad_enabled(True)
    assert (x * 2).requires_grad


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ValueError):
        with minitorch.no_grad():
            raise ValueError
    assert minitorch.is_grad_enabled()


# --------------------------------------------------------------------------------------------
# detach, requires_grad_, .data


def test_detach_shares_storage_and_leaves_the_graph():
    x = leaf([1.0, 2.0])
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert_values(d, [2.0, 4.0])
    dx = x.detach()
    dx.add_(10)  # storage is shared with x
    assert_values(x, [11.0, 12.0])
    z = (x * y.detach()).sum()  # y.detach() is a constant for z
    z.backward()
    assert_values(x.grad, [2.0, 4.0])


def test_detach_in_place():
    x = leaf([1.0, 2.0])
    y = x * 2
    assert y.detach_() is y
    assert not y.requires_grad and y.is_leaf and y.grad_fn is None
    assert_values(y, [2.0, 4.0])


def test_requires_grad_():
    c = minitorch.tensor([1.0, 2.0])
    assert c.requires_grad_() is c
    assert c.requires_grad and c.is_leaf
    c.requires_grad_(False)
    assert not c.requires_grad
    y = leaf([1.0]) * 2
    with pytest.raises(RuntimeError, match="leaf variables"):
        y.requires_grad_(False)


def test_requires_grad_true_on_a_non_leaf_is_allowed():
    """PyTorch: `y.requires_grad_()` on a result that already requires grad is a no-op."""
    y = leaf([1.0]) * 2
    assert y.requires_grad_() is y
    assert y.requires_grad and not y.is_leaf


def test_dot_data():
    w = leaf([1.0, 2.0])
    assert not w.data.requires_grad
    (w * w).sum().backward()
    w.data -= 0.5 * w.grad  # the classic manual SGD step
    assert_values(w, [0.0, 0.0])
    assert w.requires_grad and w.is_leaf
    w.data = minitorch.tensor([7.0, 8.0], dtype=minitorch.float64)
    assert_values(w, [7.0, 8.0])
    assert w.requires_grad


# --------------------------------------------------------------------------------------------
# hooks and retain_grad


def test_register_hook_on_a_leaf_can_change_the_gradient():
    x = leaf([1.0, 2.0])
    seen = []
    handle = x.register_hook(lambda g: seen.append(values(g)) or g * 10)
    (x * 3).sum().backward()
    np.testing.assert_allclose(seen[0], [3.0, 3.0])
    assert_values(x.grad, [30.0, 30.0])
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert_values(x.grad, [3.0, 3.0])


def test_register_hook_on_an_intermediate_tensor():
    x = leaf([1.0, 2.0])
    h = x * 2
    handle = h.register_hook(lambda g: g * 0)
    (h * h).sum().backward(retain_graph=True)
    assert_values(x.grad, [0.0, 0.0])
    handle.remove()
    x.grad = None
    y = x * 2
    y.register_hook(lambda g: None)  # returning None keeps the gradient
    (y * y).sum().backward()
    assert_values(x.grad, [8.0 * 1.0, 8.0 * 2.0])


def test_register_hook_on_a_tensor_that_does_not_require_grad_raises():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        minitorch.tensor([1.0]).register_hook(lambda g: g)


def test_retain_grad_on_a_non_leaf():
    x = leaf([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    assert_values(h.grad, [6.0, 12.0])
    assert_values(x.grad, [18.0, 36.0])


# --------------------------------------------------------------------------------------------
# in-place operations


def test_in_place_on_a_leaf_that_requires_grad_raises():
    x = leaf([1.0, 2.0])
    for op in (lambda: x.add_(1), lambda: x.mul_(2), lambda: x.__setitem__(0, 5.0),
               lambda: x.zero_()):
        with pytest.raises(RuntimeError, match="leaf"):
            op()
    assert_values(x, [1.0, 2.0])
    with minitorch.no_grad():
        x.add_(1)  # allowed without recording (an optimizer's update)
    assert_values(x, [2.0, 3.0])
    assert x.is_leaf and x.requires_grad


def test_in_place_on_a_tensor_saved_for_backward_raises_at_backward():
    x = leaf([1.0, 2.0])
    a = x * 1
    b = a.sin()  # saves a
    a.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        b.sum().backward()
    y = x.exp()  # saves its own output
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_in_place_on_an_unsaved_non_leaf_gives_the_right_gradient():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 2
    y.add_(1)
    assert not y.is_leaf
    y.sum().backward()
    assert_values(x.grad, [2.0, 2.0, 2.0])
    x.grad = None
    w = x * 1
    w += x  # in-place add of a tensor that requires grad
    w.sum().backward()
    assert_values(x.grad, [2.0, 2.0, 2.0])


C = [0.5, 2.0, -1.5]


@pytest.mark.parametrize(
    "update,expected",
    [
        (lambda z: z.add_(minitorch.tensor(C, dtype=minitorch.float64)), [1.0, 1.0, 1.0]),
        (lambda z: z.sub_(2.0, alpha=3), [1.0, 1.0, 1.0]),
        (lambda z: z.mul_(minitorch.tensor(C, dtype=minitorch.float64)), C),
        (lambda z: z.mul_(3.0), [3.0, 3.0, 3.0]),
        (lambda z: z.div_(4.0), [0.25, 0.25, 0.25]),
        (lambda z: z.pow_(2), [2.0, 4.0, 6.0]),
        (lambda z: z.clamp_(max=2.5), [1.0, 1.0, 0.0]),
    ],
    ids=["add_", "sub_", "mul_(tensor)", "mul_(number)", "div_", "pow_", "clamp_"],
)
def test_in_place_ops_on_a_non_leaf(update, expected):
    """z = x + 0 (a non-leaf, saved by nothing), then z.<op>_(...): gradients as out of place
    (the op's own saved input is the old z, which PyTorch keeps for it)."""
    x = leaf([1.0, 2.0, 3.0])
    z = x + 0
    assert update(z) is z
    assert not z.is_leaf
    z.sum().backward()
    assert_values(x.grad, expected)


def test_setitem_on_a_non_leaf():
    x = leaf([1.0, 2.0, 3.0, 4.0])
    y = x * 1
    y[0] = 0
    y.sum().backward()
    assert_values(x.grad, [0.0, 1.0, 1.0, 1.0])
    assert_values(y, [0.0, 2.0, 3.0, 4.0])


def test_setitem_of_a_value_that_requires_grad():
    x = leaf([1.0, 2.0, 3.0])
    v = leaf([10.0])
    y = x * 1
    y[1:2] = v * 3
    (y * minitorch.tensor([1.0, 2.0, 4.0], dtype=minitorch.float64)).sum().backward()
    assert_values(x.grad, [1.0, 0.0, 4.0])
    assert_values(v.grad, [6.0])


# --------------------------------------------------------------------------------------------
# broadcasting in backward


def test_broadcasting_is_undone_in_backward():
    a = leaf(np.ones((3, 1)))
    b = leaf(np.ones((1, 4)))
    (a + b).sum().backward()
    assert_values(a.grad, np.full((3, 1), 4.0))
    assert_values(b.grad, np.full((1, 4), 3.0))

    v = leaf(np.arange(4.0))
    m = leaf(np.ones((2, 3, 4)))
    (v * m).sum().backward()
    assert_values(v.grad, np.full(4, 6.0))
    assert_values(m.grad, np.broadcast_to(np.arange(4.0), (2, 3, 4)))

    s = leaf(2.0)
    t = leaf(np.arange(6.0).reshape(2, 3))
    (s * t).sum().backward()
    assert s.grad.shape == ()
    assert_values(s.grad, 15.0)
    assert_values(t.grad, np.full((2, 3), 2.0))


def test_python_number_operands_get_no_gradient_and_keep_shapes():
    x = leaf([[1.0, 2.0]])
    (2.0 * x - 1 + x / 4).sum().backward()
    assert_values(x.grad, [[2.25, 2.25]])


# --------------------------------------------------------------------------------------------
# depth


def test_a_10000_node_tensor_chain_backpropagates_without_recursion_error():
    steps = 10_000
    assert sys.getrecursionlimit() < steps
    x = leaf([1.0])
    y = x
    for _ in range(steps):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(values(x.grad), [1.0001**steps], rtol=1e-9)


# --------------------------------------------------------------------------------------------
# the classic tutorial cases


def test_tutorial_quadratic():
    x = minitorch.tensor(2.0, requires_grad=True)
    y = x**2 + 3 * x + 1
    y.backward()
    assert x.grad.item() == pytest.approx(7.0)
    assert y.item() == pytest.approx(11.0)


def test_tutorial_cubic():
    x = minitorch.tensor(2.0, requires_grad=True)
    y = x**3 + 2 * x**2 - 5 * x + 3
    y.backward()
    assert x.grad.item() == pytest.approx(15.0)  # 3x^2 + 4x - 5
    assert y.item() == pytest.approx(9.0)


def test_tutorial_sum_of_squares():
    x = minitorch.tensor([2.0, 3.0], requires_grad=True)
    (x**2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 6.0])


def test_tutorial_accumulation_then_zero():
    x = minitorch.tensor([2.0, 3.0], requires_grad=True)
    (x**2).sum().backward()
    (x**2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [8.0, 12.0])
    x.grad.zero_()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.0])
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])


def test_tutorial_detach_and_no_grad_turn_requires_grad_off():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    assert (x * 2).requires_grad
    assert not (x * 2).detach().requires_grad
    with minitorch.no_grad():
        assert not (x * 2).requires_grad


def test_logistic_regression_grad_matches_backward_and_numpy():
    rng = np.random.default_rng(0)
    n, d = 8, 3
    X_np = rng.normal(size=(n, d))
    y_np = (rng.random(n) > 0.5).astype(np.float64)
    w_np = rng.normal(size=d) * 0.5
    b_np = 0.1

    X = minitorch.from_numpy(X_np)
    y = minitorch.from_numpy(y_np)
    w = minitorch.from_numpy(w_np.copy()).requires_grad_()
    b = minitorch.tensor(b_np, dtype=minitorch.float64, requires_grad=True)

    p = (X @ w + b).sigmoid()
    loss = -(y * p.log() + (1 - y) * (1 - p).log()).mean()

    gw, gb = autograd.grad(loss, [w, b], retain_graph=True)
    assert w.grad is None and b.grad is None
    loss.backward()

    p_np = 1 / (1 + np.exp(-(X_np @ w_np + b_np)))
    expected_loss = -np.mean(y_np * np.log(p_np) + (1 - y_np) * np.log(1 - p_np))
    expected_gw = X_np.T @ (p_np - y_np) / n
    expected_gb = np.sum(p_np - y_np) / n

    assert loss.item() == pytest.approx(expected_loss, rel=1e-12)
    assert gw.shape == (d,) and gb.shape == ()
    np.testing.assert_allclose(values(gw), expected_gw, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(values(gb), expected_gb, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(values(w.grad), values(gw), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(values(b.grad), values(gb), rtol=1e-12, atol=1e-14)


def test_logistic_regression_trains_with_manual_sgd():
    rng = np.random.default_rng(1)
    X_np = rng.normal(size=(12, 2))
    y_np = (X_np[:, 0] - X_np[:, 1] > 0).astype(np.float64)
    X, y = minitorch.from_numpy(X_np), minitorch.from_numpy(y_np)
    w = minitorch.zeros(2, dtype=minitorch.float64, requires_grad=True)
    b = minitorch.zeros((), dtype=minitorch.float64, requires_grad=True)
    losses = []
    for _ in range(30):
        p = (X @ w + b).sigmoid()
        loss = -(y * p.log() + (1 - y) * (1 - p).log()).mean()
        losses.append(loss.item())
        loss.backward()
        with minitorch.no_grad():
            w -= 1.0 * w.grad
            b -= 1.0 * b.grad
        w.grad.zero_()
        b.grad.zero_()
    assert losses[0] == pytest.approx(np.log(2))
    assert losses[-1] < 0.5 * losses[0]
    assert values(w)[0] > 0 > values(w)[1]


# --------------------------------------------------------------------------------------------
# ties: PyTorch's rules for max / min


def test_max_min_tie_rules():
    x = leaf([1.0, 3.0, 3.0, 2.0])
    x.max().backward()  # the gradient is shared by the tied maxima
    assert_values(x.grad, [0.0, 0.5, 0.5, 0.0])
    x.grad = None
    x.amax().backward()
    assert_values(x.grad, [0.0, 0.5, 0.5, 0.0])
    x.grad = None
    x.max(0).values.backward()  # along a dim: all of it to the index returned
    index = x.max(0).indices.item()
    expected = [0.0] * 4
    expected[index] = 1.0
    assert index in (1, 2)
    assert_values(x.grad, expected)
    x.grad = None
    minitorch.maximum(x, minitorch.full((4,), 3.0, dtype=minitorch.float64)).sum().backward()
    assert_values(x.grad, [0.0, 0.5, 0.5, 0.0])  # maximum: half on a tie


def test_grad_fn_classes_carry_pytorchs_node_names():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    assert type((x * 2).grad_fn).__name__ == "MulBackward0"
    assert type((x * 2).sum(dim=0).grad_fn).__name__ == "SumBackward1"
    assert type(x.exp().grad_fn).__name__ == "ExpBackward0"
    assert isinstance((x + 1).grad_fn, minitorch.autodiff.Node)


def test_variable_of_old_code_returns_a_tensor():
    from minitorch.autograd import Variable

    a = minitorch.ones(2)
    v = Variable(a, requires_grad=True)
    assert isinstance(v, minitorch.Tensor) and isinstance(a, Variable)
    assert v.requires_grad and not a.requires_grad
    (v * v).sum().backward()
    assert v.grad.data.tolist() == [2.0, 2.0]
    v.data.mul_(3)  # shares storage with `a`, as PyTorch's
    assert a.tolist() == [3.0, 3.0]
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        Variable([1.0])
