"""Convolutions (`F.conv1d`, `F.conv2d`, `nn.Conv1d`, `nn.Conv2d`), `F.pad`, `F.unfold` and
`F.fold` against NumPy formulas written here (a sliding dot product per kernel offset, not
im2col), hypothesis over shapes, strides, paddings, dilations and groups; gradients against
central differences; PyTorch's errors and printed forms; and a tiny run on the cuda backend
(the simulator without a GPU) against the CPU.

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

TOL = {"float32": dict(rtol=1e-4, atol=1e-4), "float64": dict(rtol=1e-10, atol=1e-10)}


# ----- the NumPy reference -------------------------------------------------------------------
def np_conv(x, w, b, stride, pads, dilation, groups):
    """Convolution of x (N, C, *spatial) with w (O, C / groups, *kernel), 1-D or 2-D: the
    padded input's strided slice for each kernel offset, contracted with that offset's
    weights (a sliding dot product). `pads` holds (before, after) per spatial dimension."""
    nd = x.ndim - 2
    if nd == 1:  # as 2-D with a height of 1
        return np_conv(x[:, :, None], w[:, :, None], b, (1, *stride), ((0, 0), *pads),
                       (1, *dilation), groups)[:, :, 0]
    xp = np.pad(x, ((0, 0), (0, 0), *pads))
    n, c = x.shape[:2]
    o, cg, kh, kw = w.shape
    og = o // groups
    ho = (xp.shape[2] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (xp.shape[3] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, o, ho, wo), dtype=np.float64)
    for g in range(groups):
        for p in range(kh):
            for q in range(kw):
                h0, w0 = p * dilation[0], q * dilation[1]
                patch = xp[:, g * cg:(g + 1) * cg,
                           h0:h0 + stride[0] * (ho - 1) + 1:stride[0],
                           w0:w0 + stride[1] * (wo - 1) + 1:stride[1]]
                out[:, g * og:(g + 1) * og] += np.einsum(
                    "nchw,oc->nohw", patch, w[g * og:(g + 1) * og, :, p, q])
    if b is not None:
        out += b[None, :, None, None]
    return out


def np_same_pads(kernel, dilation):
    totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
    return tuple((t // 2, t - t // 2) for t in totals)


@st.composite
def conv_cases(draw, nd=None):
    """A convolution whose kernel fits the padded input: (x, w, b, keyword arguments,
    NumPy pads, stride, dilation)."""
    nd = draw(st.sampled_from([1, 2])) if nd is None else nd
    groups = draw(st.integers(1, 2))
    cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    mode = draw(st.sampled_from(["int", "tuple", "same", "valid"]))
    stride = (1,) * nd if mode == "same" else tuple(draw(st.integers(1, 3)) for _ in range(nd))
    if mode == "same":
        padding, pads = "same", np_same_pads(kernel, dilation)
    elif mode == "valid":
        padding, pads = "valid", ((0, 0),) * nd
    elif mode == "int":
        p = draw(st.integers(0, 2))
        padding, pads = p, ((p, p),) * nd
    else:
        padding = tuple(draw(st.integers(0, 2)) for _ in range(nd))
        pads = tuple((p, p) for p in padding)
    spatial = tuple(
        draw(st.integers(max(d * (k - 1) + 1 - b - e, 1), max(d * (k - 1) + 1 - b - e, 1) + 4))
        for k, d, (b, e) in zip(kernel, dilation, pads))
    n = draw(st.integers(1, 2))
    dtype = draw(st.sampled_from(["float32", "float64"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((n, groups * cg, *spatial)).astype(dtype)
    w = rng.standard_normal((groups * og, cg, *kernel)).astype(dtype)
    b = rng.standard_normal(groups * og).astype(dtype) if draw(st.booleans()) else None
    if not draw(st.booleans()):  # stride and dilation as ints where they are uniform
        stride = stride[0] if len(set(stride)) == 1 else stride
        dilation = dilation[0] if len(set(dilation)) == 1 else dilation
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    return x, w, b, kwargs, pads


def as_tuple(v, nd):
    return (v,) * nd if isinstance(v, int) else tuple(v)


# ----- forward against NumPy -----------------------------------------------------------------
@given(conv_cases(), st.data())
def test_conv_matches_the_sliding_dot_product(case, data):
    x, w, b, kwargs, pads = case
    nd = x.ndim - 2
    xt, _ = data.draw(tensors_from(x))  # often a non-contiguous view
    out = (F.conv1d if nd == 1 else F.conv2d)(
        xt, minitorch.tensor(w), None if b is None else minitorch.tensor(b), **kwargs)
    expected = np_conv(x.astype(np.float64), w.astype(np.float64), b,
                       as_tuple(kwargs["stride"], nd), pads, as_tuple(kwargs["dilation"], nd),
                       kwargs["groups"])
    assert out.dtype == xt.dtype and tuple(out.shape) == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, **TOL[str(x.dtype)])


def test_conv2d_of_a_hand_computed_example():
    x = minitorch.arange(16.0).reshape(1, 1, 4, 4)
    w = minitorch.tensor([[[[1.0, 0.0], [0.0, -1.0]]]])
    # out[i, j] = x[i, j] - x[i + 1, j + 1] = -5 everywhere
    assert F.conv2d(x, w).tolist() == [[[[-5.0] * 3] * 3]]
    # stride 2 and a bias: the 4 corners of the 3x3 output
    assert F.conv2d(x, w, minitorch.tensor([1.0]), stride=2).tolist() == [[[[-4.0, -4.0],
                                                                              [-4.0, -4.0]]]]


def test_unbatched_input_gives_an_unbatched_output():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    out = F.conv2d(minitorch.tensor(x), minitorch.tensor(w), padding=1)
    assert tuple(out.shape) == (3, 5, 5)
    np.testing.assert_allclose(out.numpy(), np_conv(x[None], w, None, (1, 1), ((1, 1),) * 2,
                                                    (1, 1), 1)[0], rtol=1e-10)
    x1 = rng.standard_normal((2, 7))
    out1 = F.conv1d(minitorch.tensor(x1), minitorch.tensor(w[:, :, 0]))
    assert tuple(out1.shape) == (3, 5)


def test_same_padding_keeps_the_size_with_the_extra_element_after():
    x = minitorch.arange(5.0).reshape(1, 1, 5)
    w = minitorch.tensor([[[1.0, 0.0, 0.0, 0.0]]])  # even kernel: 1 before, 2 after
    assert F.conv1d(x, w, padding="same").tolist() == [[[0.0, 0.0, 1.0, 2.0, 3.0]]]


# ----- pad, unfold, fold ------------------------------------------------------------------------
@given(st.data())
def test_pad_matches_numpy_from_the_last_dimension(data):
    shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    x = np.random.default_rng(len(shape)).standard_normal(shape)
    n_pad = data.draw(st.integers(1, len(shape)))
    amounts = [data.draw(st.integers(-min(shape[-1 - i // 2] - 1, 1), 2))
               for i in range(2 * n_pad)]
    value = data.draw(st.sampled_from([0.0, 1.5, -np.inf]))
    xt, _ = data.draw(tensors_from(x))
    out = F.pad(xt, tuple(amounts), value=value)
    widths = [(0, 0)] * len(shape)
    for i in range(n_pad):
        widths[len(shape) - 1 - i] = (amounts[2 * i], amounts[2 * i + 1])
    expected = x
    for d, (b, e) in enumerate(widths):  # crop the negative amounts, pad the others
        index = [slice(None)] * len(shape)
        index[d] = slice(max(-b, 0), shape[d] - max(-e, 0))
        expected = expected[tuple(index)]
    expected = np.pad(expected, [(max(b, 0), max(e, 0)) for b, e in widths],
                      constant_values=value)
    np.testing.assert_array_equal(out.numpy(), expected)


def np_unfold(x, kernel, dilation, padding, stride):
    """im2col by loops: column l (block (i, j) in row-major order), row c * kH * kW + p * kW
    + q holds x_padded[c, i * sH + p * dH, j * sW + q * dW]."""
    n, c = x.shape[:2]
    xp = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    bh = (xp.shape[2] - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1
    bw = (xp.shape[3] - dilation[1] * (kernel[1] - 1) - 1) // stride[1] + 1
    out = np.zeros((n, c * kernel[0] * kernel[1], bh * bw))
    for ch in range(c):
        for p in range(kernel[0]):
            for q in range(kernel[1]):
                for i in range(bh):
                    for j in range(bw):
                        out[:, (ch * kernel[0] + p) * kernel[1] + q, i * bw + j] = xp[
                            :, ch, i * stride[0] + p * dilation[0], j * stride[1] + q * dilation[1]]
    return out


def np_fold(cols, output_size, kernel, dilation, padding, stride):
    """col2im by loops: each column element added where `np_unfold` reads it."""
    n = cols.shape[0]
    c = cols.shape[1] // (kernel[0] * kernel[1])
    hp, wp = output_size[0] + 2 * padding[0], output_size[1] + 2 * padding[1]
    bw = (wp - dilation[1] * (kernel[1] - 1) - 1) // stride[1] + 1
    out = np.zeros((n, c, hp, wp))
    for row in range(cols.shape[1]):
        ch, rest = divmod(row, kernel[0] * kernel[1])
        p, q = divmod(rest, kernel[1])
        for col in range(cols.shape[2]):
            i, j = divmod(col, bw)
            out[:, ch, i * stride[0] + p * dilation[0], j * stride[1] + q * dilation[1]] += \
                cols[:, row, col]
    return out[:, :, padding[0]:hp - padding[0], padding[1]:wp - padding[1]]


@st.composite
def block_cases(draw):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    size = tuple(max(d * (k - 1) + 1 - 2 * p, 1) + draw(st.integers(0, 3))
                 for k, d, p in zip(kernel, dilation, padding))
    return kernel, dilation, padding, stride, size


@given(block_cases())
def test_unfold_and_fold_match_the_loops(case):
    kernel, dilation, padding, stride, size = case
    rng = np.random.default_rng(sum(size))
    x = rng.standard_normal((2, 2, *size))
    cols = F.unfold(minitorch.tensor(x), kernel, dilation, padding, stride)
    expected = np_unfold(x, kernel, dilation, padding, stride)
    np.testing.assert_allclose(cols.numpy(), expected, rtol=1e-12)
    c = rng.standard_normal(expected.shape)
    folded = F.fold(minitorch.tensor(c), size, kernel, dilation, padding, stride)
    np.testing.assert_allclose(folded.numpy(), np_fold(c, size, kernel, dilation, padding,
                                                       stride), rtol=1e-12, atol=1e-12)


def test_fold_of_unfold_counts_how_often_each_element_is_read():
    ones = minitorch.ones(1, 1, 3, 3)
    counts = F.fold(F.unfold(ones, 2), (3, 3), 2)
    assert counts.tolist() == [[[[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]]]


# ----- gradients -----------------------------------------------------------------------------
def _double(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [minitorch.tensor(rng.standard_normal(s), dtype=minitorch.float64,
                             requires_grad=True) for s in shapes]


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(stride=2, padding=1),
    dict(stride=(1, 2), padding=(2, 0), dilation=(2, 1)),
    dict(padding="same", dilation=2),
    dict(groups=2, padding=1),
])
def test_conv2d_gradients_of_input_weight_and_bias(kwargs):
    groups = kwargs.get("groups", 1)
    x, w, b = _double((2, 2, 5, 4), (2, 2 // groups, 3, 2), (2,))
    assert autograd.gradcheck(lambda x, w, b: F.conv2d(x, w, b, **kwargs), (x, w, b))


def test_conv1d_gradients():
    x, w, b = _double((2, 2, 6), (3, 2, 3), (3,), seed=1)
    assert autograd.gradcheck(lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1,
                                                       dilation=2), (x, w, b))


def test_pad_unfold_fold_gradients():
    (x,) = _double((1, 2, 4, 3), seed=2)
    assert autograd.gradcheck(lambda x: F.pad(x, (1, -1, 2, 0), value=3.0), (x,))
    assert autograd.gradcheck(lambda x: F.unfold(x, (2, 2), padding=1, stride=(2, 1)), (x,))
    (cols,) = _double((1, 2 * 4, 6), seed=3)
    assert autograd.gradcheck(lambda c: F.fold(c, (3, 4), 2, stride=1), (cols,))


def test_second_derivative_flows_through_the_windows():
    x, w = _double((1, 1, 4, 4), (1, 1, 2, 2), seed=4)
    (gx,) = autograd.grad(F.conv2d(x, w).square().sum(), (x,), create_graph=True)
    gx.sum().backward()  # d/dw of sum(d/dx sum(y^2)) = 2 * (fold of y) correlated: must exist
    assert w.grad is not None and tuple(w.grad.shape) == (1, 1, 2, 2)
    assert autograd.gradcheck(
        lambda x, w: autograd.grad(F.conv2d(x, w).square().sum(), (x,), create_graph=True)[0],
        (x, w))


# ----- the fast backend's own kernels (minitorch/fast_conv.py) ----------------------------------
def test_the_fast_backend_runs_one_convolution_node_with_pytorchs_name():
    x, w, b = _double((1, 2, 4, 4), (3, 2, 2, 2), (3,), seed=5)
    assert type(F.conv2d(x, w, b, padding=1).grad_fn).__name__ == "ConvolutionBackward0"
    assert type(F.conv1d(x[:, :, 0], w[:, :, 0]).grad_fn).__name__ == "SqueezeBackward1"


def test_conv_kernels_above_the_parallel_threshold_match_numpy():
    """Large enough for the parallel kernels: the weight gradient is summed in parts."""
    from minitorch import fast_ops

    rng = np.random.default_rng(6)
    x = rng.standard_normal((8, 8, 31, 32)).astype(np.float32)
    w = rng.standard_normal((14, 8, 3, 3)).astype(np.float32)  # (rows no multiple of 4)
    g = rng.standard_normal((8, 14, 31, 32)).astype(np.float32)
    assert 14 * 72 * 8 * 31 * 32 // 16 >= fast_ops.PARALLEL_MIN_WORK  # (multiply-adds / 16)
    xt, wt = (minitorch.tensor(a, requires_grad=True) for a in (x, w))
    y = F.conv2d(xt, wt, padding=1)
    y.backward(minitorch.tensor(g))
    xd, wd = x.astype(np.float64), w.astype(np.float64)
    np.testing.assert_allclose(y.detach().numpy(), np_conv(xd, wd, None, (1, 1), ((1, 1),) * 2,
                                                           (1, 1), 1), rtol=1e-4, atol=1e-4)
    (gx, gw) = _np_conv_grads(xd, wd, g.astype(np.float64), 1, 1)
    np.testing.assert_allclose(xt.grad.numpy(), gx, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(wt.grad.numpy(), gw, rtol=1e-4, atol=1e-3)


def _np_conv_grads(x, w, g, stride, pad):
    """dL/dx and dL/dw of sum(g * conv2d(x, w)), by the loop over kernel offsets."""
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    gx, gw = np.zeros_like(xp), np.zeros_like(w)
    oh, ow = g.shape[2:]
    for p in range(w.shape[2]):
        for q in range(w.shape[3]):
            rows, cols = slice(p, p + stride * (oh - 1) + 1, stride), \
                slice(q, q + stride * (ow - 1) + 1, stride)
            gw[:, :, p, q] = np.einsum("nohw,nchw->oc", g, xp[:, :, rows, cols])
            gx[:, :, rows, cols] += np.einsum("nohw,oc->nchw", g, w[:, :, p, q])
    return gx[:, :, pad:xp.shape[2] - pad, pad:xp.shape[3] - pad], gw


def test_second_derivatives_through_the_kernels_of_both_gradients():
    """The kernels' backward is made of the kernels again (input and weight gradients)."""
    x, w = _double((2, 2, 5, 4), (2, 2, 3, 2), seed=7)
    for wrt in (0, 1):
        def gradient(x, w, wrt=wrt):
            loss = F.conv2d(x, w, stride=(2, 1), padding=1).square().sum()
            return autograd.grad(loss, (x, w)[wrt], create_graph=True)[0]

        assert autograd.gradcheck(gradient, (x, w))


def test_without_the_kernels_the_generic_path_gives_the_same(monkeypatch):
    """A student's copy whose kernel regions (7.2, 7.3) are still stubs takes the generic
    path: the windows view and matmul."""
    from minitorch import fast_conv

    x, w, b = _double((2, 2, 5, 4), (3, 2, 2, 3), (3,), seed=8)
    fast = F.conv2d(x, w, b, stride=2, padding=(1, 2))
    monkeypatch.setattr(fast_conv.col2im, "stub", True)
    generic = F.conv2d(x, w, b, stride=2, padding=(1, 2))
    assert type(generic.grad_fn).__name__ != "ConvolutionBackward0"
    np.testing.assert_allclose(fast.detach().numpy(), generic.detach().numpy(), rtol=1e-12)


# ----- errors -------------------------------------------------------------------------------
def _raises(error, match, fn):
    with pytest.raises(error, match=match):
        fn()


def test_misuse_names_expected_and_received_shapes():
    x, w = minitorch.randn(2, 3, 5, 5), minitorch.randn(4, 3, 3, 3)
    _raises(RuntimeError, r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but "
            r"got input of size: \[1, 2, 3, 5, 5\]", lambda: F.conv2d(minitorch.randn(1, 2, 3,
                                                                                       5, 5), w))
    _raises(RuntimeError, r"weight of size \[4, 3, 3, 3\], expected input\[2, 2, 5, 5\] to have "
            "3 channels, but got 2 channels", lambda: F.conv2d(minitorch.randn(2, 2, 5, 5), w))
    _raises(RuntimeError, r"Calculated padded input size per channel: \(2 x 2\). Kernel size: "
            r"\(3 x 3\)", lambda: F.conv2d(minitorch.randn(2, 3, 2, 2), w))
    _raises(RuntimeError, r"Kernel size: \(7 x 7\)", lambda: F.conv2d(x, w, dilation=3))
    _raises(RuntimeError, r"Given groups=2, weight of size \[4, 3, 3, 3\], expected "
            r"input\[2, 3, 5, 5\] to have 6 channels", lambda: F.conv2d(x, w, groups=2))
    _raises(RuntimeError, r"expected weight to be divisible by 2 at dimension 0, but got weight "
            r"of size \[3, 2, 3, 3\]", lambda: F.conv2d(minitorch.randn(1, 4, 5, 5),
                                                        minitorch.randn(3, 2, 3, 3), groups=2))
    _raises(RuntimeError, r"expected bias to be 1-dimensional with 4 elements, but got bias of "
            r"size \[3\]", lambda: F.conv2d(x, w, minitorch.randn(3)))
    _raises(RuntimeError, "padding='same' is not supported for strided convolutions",
            lambda: F.conv2d(x, w, padding="same", stride=2))
    _raises(RuntimeError, "Invalid padding string: 'full'", lambda: F.conv2d(x, w,
                                                                             padding="full"))
    _raises(RuntimeError, "non-positive stride", lambda: F.conv2d(x, w, stride=0))
    _raises(RuntimeError, "negative padding", lambda: F.conv2d(x, w, padding=-1))
    _raises(RuntimeError, r"Expected 2D \(unbatched\) or 3D \(batched\) input to conv1d",
            lambda: F.conv1d(x, w))
    _raises(TypeError, "argument 'input' must be Tensor", lambda: F.conv2d(x.numpy(), w))
    _raises(RuntimeError, r"conv2d\(\) received|expected weight to be 4D", lambda: F.conv2d(
        x, minitorch.randn(4, 3, 3)))


def test_pad_and_block_errors():
    x = minitorch.randn(2, 3, 5, 5)
    _raises(RuntimeError, "Padding length must be divisible by 2", lambda: F.pad(x, (1, 2, 3)))
    _raises(RuntimeError, "padding length 10 and input of dimension 4", lambda: F.pad(x, (1,) * 10))
    _raises(RuntimeError, "negative output size", lambda: F.pad(x, (-3, -3)))
    _raises(NotImplementedError, "Unrecognised padding mode mirror",
            lambda: F.pad(x, (1, 1), mode="mirror"))
    _raises(RuntimeError, r"calculated shape of the array of sliding blocks as \(-1, -1\)",
            lambda: F.unfold(x, 7))
    _raises(RuntimeError, r"sliding blocks 4 \* 4 = 16, but got input.size\(2\)=15",
            lambda: F.fold(minitorch.randn(2, 12, 15), (5, 5), 2))
    _raises(RuntimeError, r"divisible by the product of kernel_size, but got input.size\(1\)=13",
            lambda: F.fold(minitorch.randn(2, 13, 16), (5, 5), 2))


# ----- layers -------------------------------------------------------------------------------
def test_printed_forms_are_pytorchs():
    assert repr(nn.Conv2d(3, 16, 3, padding=1)) == \
        "Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    assert repr(nn.Conv2d(3, 16, (3, 5), stride=2, dilation=2, bias=False)) == \
        "Conv2d(3, 16, kernel_size=(3, 5), stride=(2, 2), dilation=(2, 2), bias=False)"
    assert repr(nn.Conv1d(4, 8, 3, padding="same", groups=2)) == \
        "Conv1d(4, 8, kernel_size=(3,), stride=(1,), padding=same, groups=2)"
    assert repr(nn.Unflatten(1, (2, 5))) == "Unflatten(dim=1, unflattened_size=(2, 5))"


def test_conv_layer_shapes_and_pytorchs_initialisation():
    minitorch.manual_seed(0)
    conv = nn.Conv2d(8, 16, 3, groups=2)
    assert tuple(conv.weight.shape) == (16, 4, 3, 3) and tuple(conv.bias.shape) == (16,)
    bound = 1 / math.sqrt(4 * 3 * 3)  # fan_in = in_channels / groups * kernel elements
    weights = conv.weight.detach().numpy()
    assert np.abs(weights).max() <= bound and np.abs(weights).max() > 0.95 * bound
    assert abs(weights.std() - bound / math.sqrt(3)) < 0.1 * bound  # uniform's spread
    assert np.abs(conv.bias.detach().numpy()).max() <= bound
    assert [name for name, _ in conv.named_parameters()] == ["weight", "bias"]
    assert nn.Conv2d(2, 4, 1, bias=False).bias is None


def test_conv_layer_forward_is_the_function_of_its_parameters():
    conv = nn.Conv2d(2, 4, 3, stride=2, padding=1)
    x = minitorch.randn(3, 2, 7, 7)
    expected = np_conv(x.numpy().astype(np.float64), conv.weight.detach().numpy(),
                       conv.bias.detach().numpy(), (2, 2), ((1, 1), (1, 1)), (1, 1), 1)
    np.testing.assert_allclose(conv(x).detach().numpy(), expected, rtol=1e-4, atol=1e-5)
    conv(x).sum().backward()
    assert conv.weight.grad.shape == conv.weight.shape and conv.bias.grad.shape == (4,)
    np.testing.assert_allclose(conv.bias.grad.numpy(), np.full(4, 3 * 4 * 4.0), rtol=1e-6)


def test_conv_layer_argument_errors():
    _raises(ValueError, "in_channels must be divisible by groups", lambda: nn.Conv2d(3, 16, 3,
                                                                                     groups=2))
    _raises(ValueError, "out_channels must be divisible by groups", lambda: nn.Conv2d(4, 15, 3,
                                                                                      groups=2))
    _raises(ValueError, "groups must be a positive integer", lambda: nn.Conv2d(3, 6, 3,
                                                                               groups=0))
    _raises(ValueError, "padding='same' is not supported for strided", lambda: nn.Conv2d(
        3, 6, 3, padding="same", stride=2))
    _raises(ValueError, "Invalid padding string 'full'", lambda: nn.Conv2d(3, 6, 3,
                                                                           padding="full"))
    _raises(ValueError, "padding_mode must be one of", lambda: nn.Conv2d(3, 6, 3,
                                                                         padding_mode="x"))
    _raises(RuntimeError, r"expected input\[2, 4, 8, 8\] to have 3 channels", lambda: nn.Conv2d(
        3, 6, 3)(minitorch.randn(2, 4, 8, 8)))


def test_unflatten_splits_a_dimension():
    x = minitorch.arange(30.0).reshape(3, 10)
    assert tuple(nn.Unflatten(1, (2, 5))(x).shape) == (3, 2, 5)
    assert tuple(nn.Unflatten(-1, (5, -1))(x).shape) == (3, 5, 2)
    assert nn.Sequential(nn.Flatten(), nn.Unflatten(1, (2, 5)))(x.reshape(3, 2, 5)).equal(
        x.reshape(3, 2, 5))
    _raises(RuntimeError, r"Provided sizes \[2, 5\] don't multiply up to the size of dim 1 "
            r"\(11\)", lambda: nn.Unflatten(1, (2, 5))(minitorch.randn(3, 11)))


# ----- the cuda backend ---------------------------------------------------------------------------
@pytest.mark.skipif(not minitorch.cuda.is_available(), reason="no GPU and the simulator is off")
def test_conv2d_forward_and_backward_on_cuda_match_the_cpu():
    minitorch.manual_seed(1)
    conv = nn.Conv2d(2, 2, 3, padding=1, stride=(1, 2))
    x = minitorch.randn(1, 2, 4, 4)
    grads = []
    for device in ("cpu", "cuda"):
        layer = conv.to(device)
        layer.zero_grad()
        xd = x.to(device).detach().requires_grad_()  # a leaf on each device
        out = layer(xd)
        assert out.device.type == device
        out.square().sum().backward()
        grads.append([t.detach().cpu().numpy() for t in (out, xd.grad, layer.weight.grad,
                                                           layer.bias.grad)])
    for cpu, gpu in zip(*grads):
        np.testing.assert_allclose(gpu, cpu, rtol=1e-4, atol=1e-5)


def test_the_simple_backend_computes_the_same():
    """The pure-Python backend runs the same windows, pads and products (tiny shapes)."""
    rng = np.random.default_rng(5)
    x, w, b = rng.standard_normal((1, 2, 4, 4)), rng.standard_normal((2, 1, 2, 2)), \
        rng.standard_normal(2)
    results = []
    for backend in ("simple", "fast"):
        xt, wt, bt = (minitorch.tensor(a, backend=backend, requires_grad=True) for a in (x, w, b))
        y = F.conv2d(xt, wt, bt, padding=1, groups=2)
        out = F.max_pool2d(y, 2, ceil_mode=True).sum() + F.avg_pool2d(y, 3, 2, 1).sum()
        out.backward()
        results.append([t.detach().numpy() for t in (y, xt.grad, wt.grad, bt.grad)])
    for simple, fast in zip(*results):
        np.testing.assert_allclose(simple, fast, rtol=1e-12, atol=1e-12)
