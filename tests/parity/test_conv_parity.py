"""Convolutions, pooling, `pad`, `unfold` / `fold`, `BatchNorm2d` and the CNN layers against
PyTorch, where it is installed: the same inputs (and parameters) in both libraries, then the
outputs, the gradients of every input (input, weight, bias), max pooling's indices, the
printed forms of the layers, the buffers after training steps and the kinds of error."""

import numpy as np
import pytest

import minitorch
import minitorch.nn.functional as MF

torch = pytest.importorskip("torch")
TF = torch.nn.functional
# (PyTorch's note that its 'same' padding may copy the input)
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")

RNG = np.random.default_rng(11)


def both(*shapes):
    """Random float64 arrays of `shapes`, as (minitorch tensors, torch tensors), all leaves
    that require grad."""
    arrays = [RNG.standard_normal(s) for s in shapes]
    return ([minitorch.tensor(a, requires_grad=True) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])


FUNCTIONAL = [  # (id, name in F, shapes of the tensor arguments, keyword arguments)
    ("conv2d", "conv2d", [(2, 3, 7, 6), (4, 3, 3, 3), (4,)], {}),
    ("conv2d-all", "conv2d", [(2, 4, 9, 8), (6, 2, 3, 2), (6,)],
     dict(stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=2)),
    ("conv2d-same", "conv2d", [(1, 2, 5, 6), (3, 2, 4, 3)], dict(padding="same", dilation=2)),
    ("conv2d-valid-unbatched", "conv2d", [(2, 5, 5), (3, 2, 2, 2), (3,)], dict(padding="valid")),
    ("conv2d-depthwise", "conv2d", [(2, 4, 6, 6), (4, 1, 3, 3)], dict(groups=4, padding=1)),
    ("conv1d", "conv1d", [(2, 3, 11), (5, 3, 4), (5,)], dict(stride=3, padding=2, dilation=2)),
    ("conv1d-same", "conv1d", [(3, 10), (2, 3, 4)], dict(padding="same")),
    ("max_pool2d", "max_pool2d", [(2, 3, 8, 7)], dict(kernel_size=2)),
    ("max_pool2d-all", "max_pool2d", [(2, 3, 9, 8)],
     dict(kernel_size=(3, 2), stride=(2, 1), padding=1, dilation=(1, 2), ceil_mode=True)),
    ("max_pool2d-ceil", "max_pool2d", [(1, 2, 6, 6)], dict(kernel_size=3, stride=2, padding=1,
                                                           ceil_mode=True)),
    ("max_pool1d", "max_pool1d", [(2, 3, 10)], dict(kernel_size=3, stride=2, padding=1)),
    ("avg_pool2d", "avg_pool2d", [(2, 3, 8, 7)], dict(kernel_size=2)),
    ("avg_pool2d-ceil", "avg_pool2d", [(2, 3, 8, 7)],
     dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("avg_pool2d-nopad", "avg_pool2d", [(2, 3, 8, 7)],
     dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    ("avg_pool2d-divisor", "avg_pool2d", [(3, 6, 6)], dict(kernel_size=2, divisor_override=3)),
    ("avg_pool1d", "avg_pool1d", [(2, 3, 10)], dict(kernel_size=4, stride=3, padding=2)),
    ("adaptive_avg_pool2d", "adaptive_avg_pool2d", [(2, 3, 7, 5)], dict(output_size=(3, 2))),
    ("adaptive_avg_pool2d-1", "adaptive_avg_pool2d", [(2, 3, 7, 5)], dict(output_size=1)),
    ("adaptive_avg_pool2d-none", "adaptive_avg_pool2d", [(3, 7, 5)],
     dict(output_size=(None, 4))),
    ("adaptive_avg_pool1d", "adaptive_avg_pool1d", [(2, 3, 7)], dict(output_size=3)),
    ("pad", "pad", [(2, 3, 4, 5)], dict(pad=(1, 2, -1, 3), value=0.5)),
    ("pad-3d", "pad", [(2, 3, 4)], dict(pad=(0, 1, 2, 0, 1, 1))),
    ("pad-reflect", "pad", [(2, 3, 4, 5)], dict(pad=(1, 2, 3, 0), mode="reflect")),
    ("pad-reflect-crop", "pad", [(2, 5)], dict(pad=(-1, 2), mode="reflect")),
    ("pad-replicate", "pad", [(2, 3, 4)], dict(pad=(3, 1), mode="replicate")),
    ("pad-replicate-3d", "pad", [(1, 2, 3, 2, 4)], dict(pad=(1, 0, 2, 1, 0, 2), mode="replicate")),
    ("pad-circular", "pad", [(3, 4, 5)], dict(pad=(2, 1, 4, 0), mode="circular")),
    ("pad-circular-crop", "pad", [(2, 5)], dict(pad=(1, -2), mode="circular")),
    ("unfold", "unfold", [(2, 3, 6, 5)], dict(kernel_size=(2, 3), dilation=(2, 1), padding=1,
                                               stride=(1, 2))),
    ("fold", "fold", [(2, 12, 15)], dict(output_size=(4, 5), kernel_size=2, padding=1,
                                         stride=(1, 2))),
]


@pytest.mark.parametrize("name, shapes, kwargs", [case[1:] for case in FUNCTIONAL],
                         ids=[case[0] for case in FUNCTIONAL])
def test_functional_values_and_gradients(name, shapes, kwargs):
    mt_args, torch_args = both(*shapes)
    mt_out = getattr(MF, name)(*mt_args, **kwargs)
    torch_out = getattr(TF, name)(*torch_args, **kwargs)
    np.testing.assert_allclose(mt_out.detach().numpy(), torch_out.detach().numpy(),
                               rtol=1e-10, atol=1e-10)
    grad = RNG.standard_normal(tuple(torch_out.shape))
    mt_out.backward(minitorch.tensor(grad))
    torch_out.backward(torch.tensor(grad))
    for i, (m, t) in enumerate(zip(mt_args, torch_args)):
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-10,
                                   err_msg=f"gradient of argument {i}")


@pytest.mark.parametrize("name, kwargs", [
    ("max_pool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("max_pool2d", dict(kernel_size=(2, 3), dilation=2, padding=1)),
    ("max_pool1d", dict(kernel_size=2, stride=1)),
])
def test_max_pool_indices(name, kwargs):
    shape = (2, 3, 7, 6) if name == "max_pool2d" else (2, 3, 7)
    (m,), (t,) = both(shape)
    mt_values, mt_indices = getattr(MF, name)(m, return_indices=True, **kwargs)
    torch_values, torch_indices = getattr(TF, name)(t, return_indices=True, **kwargs)
    np.testing.assert_array_equal(mt_indices.numpy(), torch_indices.numpy())
    np.testing.assert_array_equal(mt_values.detach().numpy(), torch_values.detach().numpy())


LAYERS = [
    "Conv2d(3, 16, 3, padding=1)", "Conv2d(3, 16, (3, 5), stride=2, dilation=2, bias=False)",
    "Conv2d(4, 8, 3, padding='same', groups=2)", "Conv2d(3, 6, 3, padding='valid')",
    "Conv1d(2, 4, 3)", "Conv1d(4, 8, 5, stride=2, padding=2, groups=4)",
    "Conv2d(3, 6, 3, padding=1, padding_mode='reflect')",
    "Conv1d(2, 4, 3, padding_mode='circular')",
    "MaxPool2d(2)", "MaxPool2d((2, 3), stride=1, padding=1, dilation=2, ceil_mode=True)",
    "MaxPool1d(3)", "AvgPool2d(2)", "AvgPool2d(3, 2, 1, ceil_mode=True)", "AvgPool1d(2)",
    "AdaptiveAvgPool2d(1)", "AdaptiveAvgPool2d((2, None))", "AdaptiveAvgPool1d(3)",
    "BatchNorm2d(16)", "BatchNorm2d(3, affine=False, track_running_stats=False, momentum=None)",
    "Dropout2d()", "Dropout2d(0.2, inplace=True)", "Flatten()", "Unflatten(1, (2, 5))",
]


@pytest.mark.parametrize("source", LAYERS)
def test_layers_print_as_pytorchs(source):
    assert repr(eval(f"minitorch.nn.{source}")) == repr(eval(f"torch.nn.{source}"))


@pytest.mark.parametrize("source", ["Conv2d(4, 6, 3, stride=2, padding=1, groups=2)",
                                    "Conv1d(3, 4, 2, bias=False)",
                                    "Conv2d(4, 6, 3, padding=(1, 2), padding_mode='circular')",
                                    "Conv1d(3, 4, 4, padding='same', padding_mode='replicate')",
                                    "Conv2d(4, 2, 3, stride=2, padding=2, padding_mode='reflect')"])
def test_conv_layers_with_pytorchs_parameters(source):
    reference = eval(f"torch.nn.{source}").double()
    layer = eval(f"minitorch.nn.{source}").double()
    assert [(n, tuple(p.shape)) for n, p in layer.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in reference.named_parameters()]
    layer.load_state_dict({k: minitorch.tensor(v.detach().numpy())
                           for k, v in reference.state_dict().items()})
    shape = (2, 4, 7, 6) if "2d" in source else (2, 3, 9)
    (m,), (t,) = both(shape)
    mt_out, torch_out = layer(m), reference(t)
    np.testing.assert_allclose(mt_out.detach().numpy(), torch_out.detach().numpy(), rtol=1e-10)
    mt_out.square().sum().backward()
    torch_out.square().sum().backward()
    np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)
    for (name, p), (_, q) in zip(layer.named_parameters(), reference.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-10, err_msg=name)


def test_conv_initialisation_spreads_as_pytorchs():
    """Same distribution (uniform on +-1/sqrt(fan_in), fan_in = 4 / 2 * 3 * 3) for weights
    and biases: the same bound, nearly reached, and the same spread over many values."""
    mt_layer = minitorch.nn.Conv2d(4, 2048, 3, groups=2)
    torch_layer = torch.nn.Conv2d(4, 2048, 3, groups=2)
    bound = 1 / 18 ** 0.5
    for name in ("weight", "bias"):
        m = getattr(mt_layer, name).detach().numpy()
        t = getattr(torch_layer, name).detach().numpy()
        for values in (m, t):
            assert 0.99 * bound < np.abs(values).max() <= bound, name
        assert abs(m.std() - t.std()) < 0.05 * t.std(), name


def test_batchnorm2d_training_steps_and_eval():
    mt_bn, torch_bn = minitorch.nn.BatchNorm2d(3, momentum=0.3).double(), \
        torch.nn.BatchNorm2d(3, momentum=0.3).double()
    for _ in range(3):
        (m,), (t,) = both((4, 3, 5, 2))
        mt_out, torch_out = mt_bn(m), torch_bn(t)
        np.testing.assert_allclose(mt_out.detach().numpy(), torch_out.detach().numpy(),
                                   rtol=1e-9, atol=1e-10)
        mt_out.square().sum().backward()
        torch_out.square().sum().backward()
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-8, atol=1e-10)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(getattr(mt_bn, name).numpy(),
                                   getattr(torch_bn, name).numpy(), rtol=1e-10, err_msg=name)
    np.testing.assert_allclose(mt_bn.weight.grad.numpy(), torch_bn.weight.grad.numpy(),
                               rtol=1e-8)
    mt_bn.eval()
    torch_bn.eval()
    (m,), (t,) = both((2, 3, 2, 2))
    np.testing.assert_allclose(mt_bn(m).detach().numpy(), torch_bn(t).detach().numpy(),
                               rtol=1e-10)


MISUSE = [  # the same kind of error from both libraries
    lambda lib, F: F.conv2d(lib.randn(2, 3, 5), lib.randn(4, 3, 3, 3)),
    lambda lib, F: F.conv2d(lib.randn(1, 2, 3, 5, 5), lib.randn(4, 3, 3, 3)),
    lambda lib, F: F.conv2d(lib.randn(2, 2, 5, 5), lib.randn(4, 3, 3, 3)),
    lambda lib, F: F.conv2d(lib.randn(2, 3, 2, 2), lib.randn(4, 3, 3, 3)),
    lambda lib, F: F.conv2d(lib.randn(2, 3, 5, 5), lib.randn(4, 3, 3, 3), groups=2),
    lambda lib, F: F.conv2d(lib.randn(2, 3, 5, 5), lib.randn(4, 3, 3, 3), padding="same",
                            stride=2),
    lambda lib, F: F.conv2d(lib.randn(2, 3, 5, 5), lib.randn(4, 3, 3, 3), bias=lib.randn(3)),
    lambda lib, F: F.conv1d(lib.randn(2, 3, 5, 5), lib.randn(4, 3, 3)),
    lambda lib, F: lib.nn.Conv2d(3, 16, 3, groups=2),
    lambda lib, F: lib.nn.Conv2d(3, 16, 3, padding="same", stride=2),
    lambda lib, F: lib.nn.Conv2d(3, 16, 3)(lib.randn(2, 4, 8, 8)),
    lambda lib, F: F.max_pool2d(lib.randn(2, 3, 5, 5), 2, padding=2),
    lambda lib, F: F.max_pool2d(lib.randn(2, 3, 5, 5), 7),
    lambda lib, F: F.max_pool2d(lib.randn(5, 5), 2),
    lambda lib, F: F.max_pool1d(lib.randn(2, 3, 5, 5), 2),
    lambda lib, F: F.avg_pool2d(lib.randn(2, 3, 5, 5), 7),
    lambda lib, F: F.adaptive_avg_pool2d(lib.randn(5, 5), 2),
    lambda lib, F: lib.nn.BatchNorm2d(3)(lib.randn(3, 5, 5)),
    lambda lib, F: lib.nn.BatchNorm2d(3)(lib.randn(1, 3, 1, 1)),
    lambda lib, F: F.pad(lib.randn(2, 3), (1, 2, 3)),
    lambda lib, F: F.unfold(lib.randn(2, 3, 5, 5), 7),
    lambda lib, F: F.fold(lib.randn(2, 12, 15), (5, 5), 2),
    lambda lib, F: lib.nn.Unflatten(1, (2, 5))(lib.randn(3, 11)),
]


@pytest.mark.parametrize("case", range(len(MISUSE)))
def test_misuse_raises_pytorchs_kind_of_error(case):
    with pytest.raises(Exception) as expected:
        MISUSE[case](torch, TF)
    with pytest.raises(expected.type):
        MISUSE[case](minitorch, MF)
