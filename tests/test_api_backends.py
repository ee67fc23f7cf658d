"""The shape, sorting, selection and linear-algebra API on every backend (simple, fast, cuda:
the CUDA simulator without a GPU): the same values and gradients as NumPy's formulas, so that
no operation relies on CPU-only storage. One tiny case per operation keeps the simulator fast;
the other test files check the operations themselves in depth."""

import numpy as np
import pytest

import minitorch

A = np.array([[0.5, -1.0, 2.0, 0.25], [1.5, 0.0, -2.0, 3.0], [-0.5, 1.0, 0.75, -1.5]])
IDX = np.array([[2, 0, 1, 1]])

CASES = {  # name: (operation, the NumPy result)
    "repeat": (lambda x: x.repeat(2, 1), np.tile(A, (2, 1))),
    "repeat_interleave": (lambda x: x.repeat_interleave(minitorch.tensor([1, 0, 2]), dim=0),
                          np.repeat(A, [1, 0, 2], axis=0)),
    "diag": (lambda x: minitorch.diag(x[0], 1), np.diag(A[0], 1)),
    "diagonal": (lambda x: x.diagonal(1), np.diagonal(A, 1)),
    "unfold": (lambda x: x.unfold(1, 2, 1),
               np.lib.stride_tricks.sliding_window_view(A, 2, axis=1)),
    "cumsum": (lambda x: x.cumsum(1), np.cumsum(A, 1)),
    "cumprod": (lambda x: x.cumprod(1), np.cumprod(A, 1)),
    "sort": (lambda x: x.sort(1).values, np.sort(A, 1)),
    "topk": (lambda x: x.topk(1, dim=0).values, A.max(0, keepdims=True)),
    "index_select": (lambda x: x.index_select(1, minitorch.tensor([3, 0])), A[:, [3, 0]]),
    "masked_select": (lambda x: x.masked_select(x > 0), A[A > 0]),
    "scatter": (lambda x: x.scatter(0, minitorch.tensor(IDX), 9.0),
                np.where(np.arange(3)[:, None] == IDX, 9.0, A)),
    "scatter_add": (lambda x: x.scatter_add(0, minitorch.tensor(IDX), x[:1]),
                    A + np.where(np.arange(3)[:, None] == IDX, A[:1], 0.0)),
    "trace": (lambda x: x.trace(), np.trace(A)),
    "kron": (lambda x: minitorch.kron(x[:2, :2], x[:1, :2]), np.kron(A[:2, :2], A[:1, :2])),
    "cross": (lambda x: minitorch.cross(x[:, :3], x[:, 1:], dim=1),
              np.cross(A[:, :3], A[:, 1:], axis=1)),
    "einsum": (lambda x: minitorch.einsum("ij,kj->ik", x, x[:2]), A @ A[:2].T),
    "tensordot": (lambda x: minitorch.tensordot(x, x, dims=([0], [0])), A.T @ A),
    "cdist": (lambda x: minitorch.cdist(x, x[:2]),
              np.sqrt(((A[:, None] - A[None, :2]) ** 2).sum(-1))),
}


@pytest.fixture(params=["simple", "fast", "cuda"])
def on(request):
    if request.param == "cuda" and not minitorch.cuda.is_available():
        pytest.skip("no GPU, and the CUDA simulator is off (NUMBA_ENABLE_CUDASIM=0)")
    return request.param


@pytest.mark.parametrize("name", list(CASES))
def test_values_and_gradient_on_every_backend(name, on):
    fn, expected = CASES[name]
    x = minitorch.tensor(A).to(backend=on).requires_grad_()
    out = fn(x)
    assert out.backend.name == on
    np.testing.assert_allclose(out.detach().to(backend="fast").numpy(), expected, rtol=1e-12,
                               atol=1e-12)
    out.sum().backward()
    assert x.grad.backend.name == on and x.grad.shape == x.shape
    # the same gradient as on the fast backend, whose gradients the other files check
    reference = minitorch.tensor(A, requires_grad=True)
    fn(reference).sum().backward()
    np.testing.assert_allclose(x.grad.to(backend="fast").numpy(), reference.grad.numpy(),
                               rtol=1e-12, atol=1e-12)
