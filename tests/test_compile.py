"""`minitorch.compile` (PyTorch's `torch.compile` API, run eagerly): the same results and
gradients as the model itself, PyTorch's wrapper module (`_orig_mod`, state_dict keys),
decorator forms, and PyTorch's errors for unknown backends and modes.
"""

import numpy as np
import pytest

import minitorch
from minitorch import _dynamo, nn


def small_model():
    minitorch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


def test_compiled_module_gives_the_same_outputs_and_gradients():
    model = small_model()
    compiled = minitorch.compile(model, mode="max-autotune", fullgraph=True, dynamic=True)
    x = minitorch.randn(5, 3)
    np.testing.assert_array_equal(compiled(x).detach().numpy(), model(x).detach().numpy())
    compiled(x).sum().backward()
    expected = model[0].weight.grad.numpy().copy()
    model.zero_grad()
    model(x).sum().backward()
    np.testing.assert_array_equal(model[0].weight.grad.numpy(), expected)


def test_compiled_module_wraps_the_original_as_pytorch():
    model = small_model()
    compiled = minitorch.compile(model)
    assert type(compiled).__name__ == "OptimizedModule" and isinstance(compiled, nn.Module)
    assert compiled._orig_mod is model
    linear = nn.Linear(2, 2)
    assert minitorch.compile(linear).weight is linear.weight  # attributes read through
    assert list(compiled.state_dict()) == ["_orig_mod." + k for k in model.state_dict()]
    assert [p is q for p, q in zip(compiled.parameters(), model.parameters())] == [True] * 4
    compiled.eval()
    assert not model.training
    assert repr(compiled).startswith("OptimizedModule(\n  (_orig_mod): Sequential(")
    with pytest.raises(AttributeError):
        _ = compiled.no_such_attribute


def test_compile_a_function_and_as_decorator():
    def f(x):
        return (x * x).sum()

    compiled = minitorch.compile(f, backend="eager")
    assert compiled.__name__ == "f" and compiled.__wrapped__ is f
    assert compiled(minitorch.tensor([1.0, 2.0])).item() == 5.0

    @minitorch.compile
    def g(x):
        return x + 1

    @minitorch.compile(mode="reduce-overhead")
    def h(x):
        return x * 3

    assert g(minitorch.tensor(1.0)).item() == 2.0 and h(minitorch.tensor(1.0)).item() == 3.0
    assert minitorch.compile(f, disable=True) is f


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(backend="nosuch"), _dynamo.InvalidBackend,
     "Invalid backend: 'nosuch', see `torch._dynamo.list_backends()` for available backends."),
    (dict(mode="fastest"), RuntimeError,
     "Unrecognized mode=fastest, should be one of: default, lite, reduce-overhead, "
     "max-autotune-no-cudagraphs, max-autotune"),
    (dict(mode="default", options={"trace.enabled": True}), RuntimeError,
     "Either mode or options can be specified, but both can't be specified at the same time."),
    (dict(backend=lambda gm, inputs: gm), NotImplementedError, "custom backend"),
])
def test_compile_errors(kwargs, error, message):
    with pytest.raises(error) as info:
        minitorch.compile(lambda x: x, **kwargs)
    assert message in str(info.value)


def test_compile_refuses_what_is_not_callable():
    with pytest.raises(AssertionError, match="A callable function is expected, but <class 'int'>"):
        minitorch.compile(3)


def test_dynamo_names():
    assert _dynamo.list_backends() == ["cudagraphs", "inductor"]
    assert "eager" in _dynamo.list_backends(exclude_tags=())
    assert issubclass(_dynamo.InvalidBackend, RuntimeError)
    assert _dynamo.reset() is None
