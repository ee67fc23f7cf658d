"""`minitorch.autograd.graph.saved_tensors_hooks`: every tensor that forward saves for backward
goes through the pack hook, backward gets what the unpack hook makes of it back (so a gradient
computed from copies equals the NumPy formula), the innermost hooks win, and they stop at the
end of their `with` block, exceptions included."""

import numpy as np
import pytest

import minitorch

hooks = minitorch.autograd.graph.saved_tensors_hooks


def test_pack_sees_each_saved_tensor_and_unpack_feeds_backward():
    x = minitorch.tensor([0.5, 1.0, 2.0], dtype=minitorch.float64, requires_grad=True)
    packed, unpacked = [], []

    def pack(t):
        packed.append(t)
        return t.detach().numpy().copy()            # keep a copy, not the tensor

    def unpack(values):
        unpacked.append(values)
        return minitorch.tensor(values, dtype=minitorch.float64)

    with hooks(pack, unpack):
        y = (x.exp() * x).sum()
    assert packed, "no saved tensor went through pack"
    assert all(tuple(t.shape) == (3,) for t in packed)
    y.backward()
    assert len(unpacked) == len(packed)
    values = np.array([0.5, 1.0, 2.0])
    np.testing.assert_allclose(x.grad.numpy(), np.exp(values) * (1 + values))


def test_the_innermost_hooks_win_and_hooks_end_with_their_block():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    outer, inner = [], []
    with hooks(lambda t: outer.append(1) or t, lambda t: t):
        with hooks(lambda t: inner.append(1) or t, lambda t: t):
            x * x
        assert inner and not outer
        x * x
        assert outer
    seen = len(outer) + len(inner)
    with pytest.raises(ValueError), hooks(lambda t: inner.append(1) or t, lambda t: t):
        raise ValueError("leave the block")
    (x * x).sum().backward()
    assert len(outer) + len(inner) == seen, "hooks ran outside their block"
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_without_hooks_an_in_place_change_of_a_saved_tensor_is_still_caught():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    z = (y * y).sum()
    with minitorch.no_grad():
        y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()
