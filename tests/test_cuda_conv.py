"""The cuda backend's convolution and pooling kernels (`minitorch/cuda_conv.py`) against the
fast backend's (`fast_conv`, itself tested against NumPy formulas and PyTorch): forward,
the gradients of the input, weight and bias, max pooling's indices, a second derivative,
and no copies between host and GPU. Without a GPU they run on the CUDA simulator, one
Python thread per GPU thread: every shape here is tiny."""

import numpy as np
import pytest

import minitorch
from minitorch import cuda_conv, cuda_memory
from minitorch.nn import functional as F

pytestmark = pytest.mark.skipif(not minitorch.cuda.is_available(),
                                reason="no GPU and NUMBA_ENABLE_CUDASIM=0")


def _on(where, array, dtype):
    """`array` as a leaf tensor that requires grad, on the fast backend or the GPU."""
    if where == "cuda":
        return minitorch.tensor(array, dtype=dtype, device="cuda", requires_grad=True)
    return minitorch.tensor(array, dtype=dtype, backend="fast", requires_grad=True)


def _run(where, op, arrays, dtype, seed_weights):
    """The outputs of `op` on `arrays` and the gradients of the inputs of a weighted sum of
    its first output (weights from `seed_weights`, so that no gradient is uniform)."""
    inputs = [_on(where, a, dtype) for a in arrays]
    outputs = op(*inputs)
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    weights = np.random.default_rng(seed_weights).standard_normal(outputs[0].shape)
    (outputs[0] * minitorch.tensor(weights, dtype=dtype).to(outputs[0].device)).sum().backward()
    return [t.detach().cpu().numpy() for t in outputs] + \
        [t.grad.cpu().numpy() for t in inputs]


def _compare(op, shapes, dtype=minitorch.float64, tolerance=1e-12):
    rng = np.random.default_rng(len(shapes))
    arrays = [rng.standard_normal(s) for s in shapes]
    fast = _run("cpu", op, arrays, dtype, 7)
    gpu = _run("cuda", op, arrays, dtype, 7)
    assert len(fast) == len(gpu)
    for expected, got in zip(fast, gpu):
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)


CONVOLUTIONS = {
    "stride 2, padding 1, bias": (lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
                                  [(2, 2, 5, 5), (3, 2, 3, 3), (3,)]),
    "dilation 2, groups 2": (lambda x, w, b: F.conv2d(x, w, b, padding=(1, 0), dilation=2,
                                                      groups=2),
                             [(1, 2, 5, 5), (4, 1, 2, 2), (4,)]),
    "1-d, stride 2": (lambda x, w: F.conv1d(x, w, stride=2, padding=1), [(2, 2, 5), (3, 2, 3)]),
    "a permuted input": (lambda x, w: F.conv2d(x.permute(0, 1, 3, 2), w, stride=(1, 2)),
                         [(1, 2, 4, 5), (2, 2, 2, 3)]),
}


@pytest.mark.parametrize("case", CONVOLUTIONS)
def test_convolutions_and_their_gradients_match_the_fast_backend(case):
    op, shapes = CONVOLUTIONS[case]
    _compare(op, shapes)


def test_a_float32_convolution_matches_with_a_summed_loss():
    """float32 storage (its own product kernel), and the output gradient of a plain sum:
    one value broadcast with stride 0, which the kernels read through a copy."""
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((1, 1, 4, 4)), rng.standard_normal((2, 1, 2, 2))
    results = []
    for where in ("cpu", "cuda"):
        xt, wt = _on(where, x, minitorch.float32), _on(where, w, minitorch.float32)
        F.conv2d(xt, wt, padding=1).sum().backward()
        results.append([t.grad.cpu().numpy() for t in (xt, wt)])
    for expected, got in zip(*results):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


POOLINGS = {
    "max 2-d, padding, ceil_mode": (
        lambda x: F.max_pool2d(x, 2, stride=2, padding=1, ceil_mode=True, return_indices=True),
        [(1, 2, 5, 5)]),
    "max 1-d, dilation 2, overlapping": (
        lambda x: F.max_pool1d(x, 2, stride=1, dilation=2, return_indices=True), [(2, 2, 5)]),
    "avg 2-d, padding not counted, ceil_mode": (
        lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True,
                               count_include_pad=False), [(1, 2, 5, 5)]),
    "avg 1-d, overlapping": (lambda x: F.avg_pool1d(x, 3, stride=1, padding=1), [(1, 2, 4)]),
}


@pytest.mark.parametrize("case", POOLINGS)
def test_poolings_their_indices_and_gradients_match_the_fast_backend(case):
    op, shapes = POOLINGS[case]
    _compare(op, shapes)


def test_a_second_derivative_through_the_gradient_kernels_matches():
    """d/dw of |dL/dx|^2: runs the input- and weight-gradient kernels forward, then their own
    backward (convolutions again, the weight gradient without the forward's columns)."""
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((1, 2, 4, 4)), rng.standard_normal((2, 2, 2, 2))
    results = []
    for where in ("cpu", "cuda"):
        xt, wt = _on(where, x, minitorch.float64), _on(where, w, minitorch.float64)
        pooled = F.max_pool2d(F.conv2d(xt, wt, padding=1), 2)
        (x_grad,) = minitorch.autograd.grad(pooled.square().sum(), [xt], create_graph=True)
        x_grad.square().sum().backward()
        results.append([t.detach().cpu().numpy() for t in (x_grad, wt.grad)])
    for expected, got in zip(*results):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_a_convolution_and_pooling_step_copies_nothing_between_host_and_gpu():
    rng = np.random.default_rng(5)
    x, w, b = (minitorch.tensor(rng.standard_normal(s), device="cuda", requires_grad=True)
               for s in ((1, 2, 4, 4), (2, 2, 3, 3), (2,)))
    before = dict(cuda_memory.transfers)
    y = F.conv2d(x, w, b, padding=1)
    loss = F.max_pool2d(y, 2).sum() + F.avg_pool2d(y, 2, padding=1).sum()
    loss.backward()
    assert {k: v - before[k] for k, v in cuda_memory.transfers.items()} == \
        {"to_device": 0, "to_host": 0}
    assert x.grad.device.type == w.grad.device.type == b.grad.device.type == "cuda"


def test_the_cuda_backend_runs_its_own_window_kernels():
    backend = minitorch.tensor([1.0], device="cuda").backend
    assert backend.window_kernels() is cuda_conv
    assert cuda_conv.conv_written() and cuda_conv.pool_written()
