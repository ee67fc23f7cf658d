"""Pooling (`F.max_pool1d/2d`, `F.avg_pool1d/2d`, `F.adaptive_avg_pool1d/2d` and their
layers), `BatchNorm2d` and `Dropout2d` against NumPy formulas written here (each window
sliced out of the padded input in a loop), hypothesis over shapes, kernels, strides,
paddings, dilations and ceil mode; gradients against central differences; PyTorch's errors
and printed forms; and a tiny run on the cuda backend against the CPU.

PyTorch itself is compared in tests/parity/test_conv_parity.py."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import tensors_from

import minitorch
import minitorch.nn.functional as F
from minitorch import autograd, nn


# ----- the NumPy reference -------------------------------------------------------------------
def out_size(n, k, s, p, d, ceil_mode):
    """PyTorch's documented output size (the last window must start inside the input or its
    left padding)."""
    span = (n + 2 * p - d * (k - 1) - 1) / s
    out = (math.ceil(span) if ceil_mode else math.floor(span)) + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def np_pool2d(x, kernel, stride, padding, dilation, ceil_mode, kind, count_include_pad=True):
    """Max or mean of each window of x (N, C, H, W), by a loop over the output positions;
    for "max" also the flat index h * W + w of each maximum in its channel (the first one)."""
    n, c, h, w = x.shape
    oh = out_size(h, kernel[0], stride[0], padding[0], dilation[0], ceil_mode)
    ow = out_size(w, kernel[1], stride[1], padding[1], dilation[1], ceil_mode)
    fill = -np.inf if kind == "max" else 0.0
    # padded generously, so that ceil mode's last windows can be sliced; `inside` marks the
    # input, `padded` the input and its declared padding
    big = [padding[i] + kernel[i] * dilation[i] + stride[i] for i in range(2)]
    xp = np.pad(x, ((0, 0), (0, 0), (big[0],) * 2, (big[1],) * 2), constant_values=fill)
    inside = np.pad(np.ones((h, w)), ((big[0],) * 2, (big[1],) * 2))
    padded = np.pad(np.ones((h + 2 * padding[0], w + 2 * padding[1])),
                    ((big[0] - padding[0],) * 2, (big[1] - padding[1],) * 2))
    out = np.zeros((n, c, oh, ow))
    index = np.zeros((n, c, oh, ow), dtype=np.int64)
    for i in range(oh):
        for j in range(ow):
            rows = np.arange(kernel[0]) * dilation[0] + i * stride[0] - padding[0] + big[0]
            cols = np.arange(kernel[1]) * dilation[1] + j * stride[1] - padding[1] + big[1]
            window = xp[:, :, rows][:, :, :, cols].reshape(n, c, -1)
            if kind == "max":
                out[:, :, i, j] = window.max(-1)
                k = window.argmax(-1)
                r, q = rows[k // kernel[1]] - big[0], cols[k % kernel[1]] - big[1]
                index[:, :, i, j] = r * w + q
            else:
                mask = (padded if count_include_pad else inside)[rows][:, cols]
                out[:, :, i, j] = window.sum(-1) / mask.sum()
    return (out, index) if kind == "max" else out


@st.composite
def pool_cases(draw, dilated=True):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilated else (1, 1)
    padding = tuple(draw(st.integers(0, (d * (k - 1) + 1) // 2))
                    for k, d in zip(kernel, dilation))
    size = tuple(max(d * (k - 1) + 1 - 2 * p, 1) + draw(st.integers(0, 4))
                 for k, d, p in zip(kernel, dilation, padding))
    ceil_mode = draw(st.booleans())
    dtype = draw(st.sampled_from(["float32", "float64"]))
    x = np.random.default_rng(draw(st.integers(0, 2**16))).standard_normal(
        (draw(st.integers(1, 2)), 2, *size)).astype(dtype)
    return x, kernel, stride, padding, dilation, ceil_mode


def tol(dtype):
    return dict(rtol=1e-5, atol=1e-6) if str(dtype) == "float32" else dict(rtol=1e-12)


# ----- forward against NumPy -----------------------------------------------------------------
@given(pool_cases(), st.data())
def test_max_pool2d_and_its_indices_match_the_windows(case, data):
    x, kernel, stride, padding, dilation, ceil_mode = case
    xt, _ = data.draw(tensors_from(x))
    values, indices = F.max_pool2d(xt, kernel, stride, padding, dilation, ceil_mode,
                                   return_indices=True)
    expected, expected_indices = np_pool2d(x.astype(np.float64), kernel, stride, padding,
                                           dilation, ceil_mode, "max")
    assert values.dtype == xt.dtype and indices.dtype == minitorch.int64
    np.testing.assert_array_equal(values.numpy(), expected.astype(x.dtype))
    np.testing.assert_array_equal(indices.numpy(), expected_indices)


@given(pool_cases(dilated=False), st.booleans(), st.data())
def test_avg_pool2d_matches_the_window_means(case, count_include_pad, data):
    x, kernel, stride, padding, _, ceil_mode = case
    xt, _ = data.draw(tensors_from(x))
    out = F.avg_pool2d(xt, kernel, stride, padding, ceil_mode, count_include_pad)
    expected = np_pool2d(x.astype(np.float64), kernel, stride, padding, (1, 1), ceil_mode,
                         "avg", count_include_pad)
    assert out.dtype == xt.dtype
    np.testing.assert_allclose(out.numpy(), expected, **tol(x.dtype))


def test_pool1d_is_pool2d_of_a_single_row():
    x = np.random.default_rng(0).standard_normal((2, 3, 9))
    values, indices = F.max_pool1d(minitorch.tensor(x), 3, 2, 1, 2, True, True)
    expected, expected_indices = np_pool2d(x[:, :, None], (1, 3), (1, 2), (0, 1), (1, 2), True,
                                           "max")
    np.testing.assert_array_equal(values.numpy(), expected[:, :, 0])
    np.testing.assert_array_equal(indices.numpy(), expected_indices[:, :, 0])
    avg = F.avg_pool1d(minitorch.tensor(x), 4, 3, 2, count_include_pad=False)
    np.testing.assert_allclose(avg.numpy(), np_pool2d(x[:, :, None], (1, 4), (1, 3), (0, 2),
                                                      (1, 1), False, "avg", False)[:, :, 0],
                               rtol=1e-12)


def test_default_stride_is_the_kernel_and_unbatched_inputs_work():
    x = minitorch.arange(16.0).reshape(1, 4, 4)
    assert F.max_pool2d(x, 2).tolist() == [[[5.0, 7.0], [13.0, 15.0]]]
    assert F.avg_pool2d(x, 2).tolist() == [[[2.5, 4.5], [10.5, 12.5]]]
    assert F.avg_pool2d(x, 2, divisor_override=2).tolist() == [[[5.0, 9.0], [21.0, 25.0]]]


@given(st.integers(1, 7), st.integers(1, 7), st.integers(1, 4), st.one_of(
    st.none(), st.integers(1, 4)))
def test_adaptive_avg_pool2d_averages_the_adaptive_windows(h, w, oh, ow):
    x = np.random.default_rng(h * 7 + w).standard_normal((2, 3, h, w))
    out = F.adaptive_avg_pool2d(minitorch.tensor(x), (oh, ow))
    ow = w if ow is None else ow
    expected = np.zeros((2, 3, oh, ow))
    for i in range(oh):
        for j in range(ow):
            r0, r1 = (i * h) // oh, math.ceil((i + 1) * h / oh)
            c0, c1 = (j * w) // ow, math.ceil((j + 1) * w / ow)
            expected[:, :, i, j] = x[:, :, r0:r1, c0:c1].mean(axis=(2, 3))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(F.adaptive_avg_pool2d(minitorch.tensor(x), 1).numpy(),
                               x.mean(axis=(2, 3), keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(F.adaptive_avg_pool1d(minitorch.tensor(x[:, :, 0]), 1).numpy(),
                               x[:, :, 0].mean(axis=2, keepdims=True), rtol=1e-12)


# ----- gradients -----------------------------------------------------------------------------
def _double(shape, seed=0):
    rng = np.random.default_rng(seed)
    return minitorch.tensor(rng.permutation(np.prod(shape)).reshape(shape) * 0.1
                            + rng.uniform(0, 0.01, shape),  # no ties: max is differentiable
                            dtype=minitorch.float64, requires_grad=True)


@pytest.mark.parametrize("fn", [
    lambda x: F.max_pool2d(x, 2),
    lambda x: F.max_pool2d(x, (2, 3), stride=1, padding=1, dilation=(2, 1), ceil_mode=True),
    lambda x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
    lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
    lambda x: F.avg_pool2d(x, 2, stride=1, padding=1, count_include_pad=False),
    lambda x: F.adaptive_avg_pool2d(x, (2, 3)),
    lambda x: F.max_pool1d(x[0], 2, stride=1),
], ids=["max", "max-dilated-ceil", "max-overlap-ceil", "avg-ceil", "avg-no-pad-count",
        "adaptive", "max1d"])
def test_pooling_gradients(fn):
    assert autograd.gradcheck(fn, (_double((2, 2, 5, 4)),))


def test_max_pool_gradient_goes_to_the_first_maximum_of_a_tie():
    x = minitorch.ones(1, 1, 2, 2, requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    assert x.grad.tolist() == [[[[1.0, 0.0], [0.0, 0.0]]]]
    y = minitorch.tensor([[[1.0, 1.0, 1.0, 5.0, 0.0]]], requires_grad=True)
    F.max_pool1d(y, 2, stride=1).sum().backward()  # windows overlap: gradients add up
    assert y.grad.tolist() == [[[1.0, 1.0, 0.0, 2.0, 0.0]]]


# ----- the fast backend's own kernels (minitorch/fast_conv.py) ----------------------------------
def test_the_fast_backend_pools_in_one_node_with_pytorchs_name():
    x = _double((2, 2, 5, 4))
    assert type(F.max_pool2d(x, 2).grad_fn).__name__ == "MaxPool2DWithIndicesBackward0"
    assert type(F.avg_pool2d(x, 2).grad_fn).__name__ == "AvgPool2DBackward0"


@pytest.mark.parametrize("fn", [
    lambda x: F.max_pool2d(x, (2, 3), stride=1, padding=1, dilation=(2, 1), ceil_mode=True),
    lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    lambda x: F.avg_pool1d(x[0], 3, stride=2, padding=1, ceil_mode=True),
], ids=["max", "avg", "avg1d"])
def test_pooling_second_derivatives(fn):
    """The kernels' backward is itself differentiable: a gather (max), pooling (avg)."""
    x = _double((2, 2, 5, 4))
    assert autograd.gradcheck(
        lambda x: autograd.grad(fn(x).square().sum(), (x,), create_graph=True)[0], (x,))


def test_large_pooling_runs_the_parallel_kernels_and_matches_numpy():
    x = np.random.default_rng(9).standard_normal((4, 16, 66, 66)).astype(np.float32)
    xt = minitorch.tensor(x, requires_grad=True)
    values, indices = F.max_pool2d(xt, 3, 2, 1, return_indices=True)
    want, want_indices = np_pool2d(x.astype(np.float64), (3, 3), (2, 2), (1, 1), (1, 1), False,
                                   "max")
    np.testing.assert_array_equal(values.detach().numpy(), want.astype(np.float32))
    np.testing.assert_array_equal(indices.numpy(), want_indices)
    values.sum().backward()
    counts = np.zeros(x.shape)
    np.add.at(counts.reshape(64, -1), (np.arange(64)[:, None], want_indices.reshape(64, -1)), 1)
    np.testing.assert_array_equal(xt.grad.numpy(), counts)
    avg = F.avg_pool2d(xt, 2)
    np.testing.assert_allclose(avg.detach().numpy(), x.reshape(4, 16, 33, 2, 33, 2).mean(
        axis=(3, 5)), rtol=1e-6, atol=1e-6)


def test_without_the_kernels_pooling_takes_the_generic_path(monkeypatch):
    from minitorch import fast_conv

    x = _double((2, 2, 5, 4))
    fast = F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)
    monkeypatch.setattr(fast_conv.max_pool, "stub", True)
    generic = F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)
    assert type(generic.grad_fn).__name__ != "MaxPool2DWithIndicesBackward0"
    np.testing.assert_array_equal(fast.detach().numpy(), generic.detach().numpy())


# ----- errors -------------------------------------------------------------------------------
def _raises(error, match, fn):
    with pytest.raises(error, match=match):
        fn()


def test_pooling_errors_are_pytorchs_with_the_shapes():
    x = minitorch.randn(2, 3, 5, 5)
    _raises(RuntimeError, "pad should be at most half of effective kernel size, but got pad=2, "
            "kernel_size=2 and dilation=1", lambda: F.max_pool2d(x, 2, padding=2))
    _raises(RuntimeError, r"Given input size: \(3x5x5\). Calculated output size: \(3x0x0\). "
            "Output size is too small", lambda: F.max_pool2d(x, 7))
    _raises(RuntimeError, r"3D or 4D \(batch mode\) tensor expected for input, but got input of "
            r"size: \[5, 5\]", lambda: F.max_pool2d(minitorch.randn(5, 5), 2))
    _raises(RuntimeError, r"Expected 2D or 3D \(batch mode\).*got:\[2, 3, 5, 5\]",
            lambda: F.max_pool1d(x, 2))
    _raises(RuntimeError, "stride should not be zero", lambda: F.max_pool2d(x, 2, stride=0))
    _raises(RuntimeError, "dilation should be greater than zero",
            lambda: F.max_pool2d(x, 2, dilation=0))
    _raises(RuntimeError, r"Output size is too small", lambda: F.avg_pool2d(x, 7))
    _raises(RuntimeError, r"Expected 3D or 4D tensor, but got \[5, 5\]",
            lambda: F.adaptive_avg_pool2d(minitorch.randn(5, 5), 2))
    _raises(RuntimeError, "output_size must be 2", lambda: F.adaptive_avg_pool2d(x, (2, 2, 2)))


def test_pooling_layers_print_as_pytorchs():
    assert repr(nn.MaxPool2d(2)) == \
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.MaxPool2d((2, 3), stride=1, padding=1, ceil_mode=True)) == \
        "MaxPool2d(kernel_size=(2, 3), stride=1, padding=1, dilation=1, ceil_mode=True)"
    assert repr(nn.AvgPool2d(2)) == "AvgPool2d(kernel_size=2, stride=2, padding=0)"
    assert repr(nn.AvgPool1d(2)) == "AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))"
    assert repr(nn.AdaptiveAvgPool2d((2, None))) == "AdaptiveAvgPool2d(output_size=(2, None))"
    assert repr(nn.BatchNorm2d(16)) == ("BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, "
                                        "bias=True, track_running_stats=True)")
    assert repr(nn.Dropout2d(0.2)) == "Dropout2d(p=0.2, inplace=False)"


def test_pooling_layers_call_their_functions():
    x = minitorch.randn(2, 3, 6, 6)
    values, indices = nn.MaxPool2d(3, 2, 1, return_indices=True)(x)
    expected = F.max_pool2d(x, 3, 2, 1, return_indices=True)
    assert values.equal(expected[0]) and indices.equal(expected[1])
    assert nn.AvgPool2d(2, count_include_pad=False)(x).equal(F.avg_pool2d(x, 2))
    assert nn.AdaptiveAvgPool2d(1)(x).shape == (2, 3, 1, 1)
    assert nn.MaxPool1d(2)(x[0]).shape == (3, 6, 3)


# ----- BatchNorm2d, Dropout2d ------------------------------------------------------------------
def test_batchnorm2d_normalises_each_channel_over_batch_and_space():
    rng = np.random.default_rng(0)
    bn = nn.BatchNorm2d(3, momentum=0.2)
    with minitorch.no_grad():
        bn.weight.copy_(minitorch.tensor([1.0, 2.0, 0.5]))
        bn.bias.copy_(minitorch.tensor([0.0, -1.0, 3.0]))
    running_mean, running_var = np.zeros(3), np.ones(3)
    for _ in range(2):
        x = rng.normal(2.0, 3.0, (4, 3, 2, 5))
        out = bn(minitorch.tensor(x, dtype=minitorch.float32)).detach().numpy()
        mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        expected = ((x - mean[None, :, None, None]) / np.sqrt(var[None, :, None, None] + 1e-5)
                    * np.array([1.0, 2.0, 0.5])[None, :, None, None]
                    + np.array([0.0, -1.0, 3.0])[None, :, None, None])
        np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)
        count = 4 * 2 * 5
        running_mean = 0.8 * running_mean + 0.2 * mean
        running_var = 0.8 * running_var + 0.2 * var * count / (count - 1)
    np.testing.assert_allclose(bn.running_mean.numpy(), running_mean, rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.numpy(), running_var, rtol=1e-5)
    assert int(bn.num_batches_tracked) == 2
    bn.eval()
    x = rng.normal(size=(2, 3, 2, 2))
    expected = ((x - running_mean[None, :, None, None])
                / np.sqrt(running_var[None, :, None, None] + 1e-5)
                * np.array([1.0, 2.0, 0.5])[None, :, None, None]
                + np.array([0.0, -1.0, 3.0])[None, :, None, None])
    np.testing.assert_allclose(bn(minitorch.tensor(x, dtype=minitorch.float32)).detach().numpy(),
                               expected, rtol=1e-4, atol=1e-4)


def test_batchnorm2d_errors_and_gradients():
    _raises(ValueError, r"expected 4D input \(got 3D input\)",
            lambda: nn.BatchNorm2d(3)(minitorch.randn(3, 5, 5)))
    _raises(RuntimeError, r"expects 4 channels in dimension 1 of its input, but got an input of "
            r"shape \[2, 3, 5, 5\]", lambda: nn.BatchNorm2d(4)(minitorch.randn(2, 3, 5, 5)))
    _raises(ValueError, "Expected more than 1 value per channel when training",
            lambda: nn.BatchNorm2d(3)(minitorch.randn(1, 3, 1, 1)))
    _raises(ValueError, r"expected 2D or 3D input \(got 4D input\)",
            lambda: nn.BatchNorm1d(3)(minitorch.randn(2, 3, 5, 5)))
    bn = nn.BatchNorm2d(2, track_running_stats=False).double()
    assert bn.running_mean is None
    assert autograd.gradcheck(bn, (_double((2, 2, 2, 3)),))


def test_dropout2d_zeroes_whole_channels():
    minitorch.manual_seed(0)
    x = minitorch.ones(8, 16, 3, 3)
    out = F.dropout2d(x, 0.25).numpy()
    per_channel = out.reshape(8, 16, 9)
    assert ((per_channel == 0).all(-1) | (per_channel == 1 / 0.75).all(-1)).all()
    assert 0.1 < (per_channel[:, :, 0] == 0).mean() < 0.4
    layer = nn.Dropout2d(0.5)
    layer.eval()
    assert layer(x) is x
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        assert F.dropout2d(minitorch.ones(2, 3, 4)).shape == (2, 3, 4)
    _raises(ValueError, "dropout probability has to be between 0 and 1",
            lambda: nn.Dropout2d(1.5))


# ----- the cuda backend ---------------------------------------------------------------------------
@pytest.mark.skipif(not minitorch.cuda.is_available(), reason="no GPU and the simulator is off")
def test_pooling_forward_and_backward_on_cuda_match_the_cpu():
    x = np.random.default_rng(3).standard_normal((1, 2, 4, 4)).astype(np.float32)
    results = []
    for device in ("cpu", "cuda"):
        xt = minitorch.tensor(x, device=device, requires_grad=True)
        values, indices = F.max_pool2d(xt, 2, return_indices=True)
        out = values.sum() + (F.avg_pool2d(xt, 3, 1, 1) * 2).sum()
        out.backward()
        results.append([values.detach().cpu().numpy(), indices.cpu().numpy(),
                        xt.grad.cpu().numpy()])
    for cpu, gpu in zip(*results):
        np.testing.assert_allclose(gpu, cpu, rtol=1e-5, atol=1e-6)
