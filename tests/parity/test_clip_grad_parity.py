"""`minitorch.nn.utils.clip_grad_norm_` and `clip_grad_value_` against PyTorch's, where it is
installed: the same gradients in, the same total norm (and its dtype) and clipped gradients out,
for every norm type PyTorch takes (0 counts the tensors whose gradient is not all zero)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minitorch  # noqa: E402
from minitorch import nn  # noqa: E402

GRADS = [np.array([[1.0, -2.0, 0.0], [0.5, 3.0, -0.25]]), np.array([0.0, 0.0]),
         np.array([4.0, -1.5])]


def with_grads(lib, dtype):
    params = []
    for g in GRADS:
        p = lib.nn.Parameter(lib.zeros(*g.shape, dtype=getattr(lib, dtype)))
        p.grad = lib.tensor(g, dtype=getattr(lib, dtype))
        params.append(p)
    return params


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.5, float("inf"), 0.0])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_pytorch(norm_type, max_norm, dtype):
    ours, theirs = with_grads(minitorch, dtype), with_grads(torch, dtype)
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    want = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert str(total.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    np.testing.assert_allclose(total.item(), want.item(), rtol=1e-6)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_clip_grad_value_matches_pytorch():
    ours, theirs = with_grads(minitorch, "float64"), with_grads(torch, "float64")
    nn.utils.clip_grad_value_(ours, 1.0)
    torch.nn.utils.clip_grad_value_(theirs, 1.0)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
