"""`minitorch.func` against `torch.func`, where PyTorch is installed: the same transform of
the same function on the same float64 data gives the same structure, shapes and values, and
misuse raises the same exception type with the same message.

Each function is written once and run with either library as `lib` (`lib.sin`, ...).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minitorch  # noqa: E402
import minitorch.func  # noqa: E402

LIBS = {"torch": torch, "minitorch": minitorch}


def as_lib(lib, value):
    if isinstance(value, np.ndarray):
        return lib.tensor(value, dtype=lib.float64)
    if isinstance(value, tuple):
        return tuple(as_lib(lib, v) for v in value)
    return value


def as_numpy(value):
    """Tensors -> NumPy arrays, anywhere in nested tuples and dicts."""
    if isinstance(value, (tuple, list)):
        return type(value)(as_numpy(v) for v in value)
    if isinstance(value, dict):
        return {k: as_numpy(v) for k, v in value.items()}
    return np.asarray(value.detach().numpy()) if hasattr(value, "detach") else value


def assert_same(ours, theirs):
    assert type(ours) is type(theirs), (ours, theirs)
    if isinstance(ours, (tuple, list)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b)
    else:
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


rng = np.random.default_rng(7)
X, Y, M = rng.normal(size=3), rng.normal(size=3), rng.normal(size=(2, 3))

CASES = {
    "grad": lambda lib, f: f.grad(lambda x: (x.sin() * x).sum())(*as_lib(lib, (X,))),
    "grad argnums": lambda lib, f: f.grad(lambda x, y: (x * y.exp()).sum(), argnums=(0, 1))(
        *as_lib(lib, (X, Y))),
    "grad has_aux": lambda lib, f: f.grad(lambda x: ((x**2).sum(), x.tanh()), has_aux=True)(
        *as_lib(lib, (X,))),
    "grad_and_value": lambda lib, f: f.grad_and_value(lambda x: (x**3).sum())(
        *as_lib(lib, (X,))),
    "grad of grad": lambda lib, f: f.grad(f.grad(lambda x: x.sin() * x**2))(
        lib.tensor(0.7, dtype=lib.float64)),
    "jacrev": lambda lib, f: f.jacrev(lambda m, x: (m @ x).tanh(), argnums=(0, 1))(
        *as_lib(lib, (M, X))),
    "jacrev tuple output": lambda lib, f: f.jacrev(lambda x: (x * 2, x.sum()))(
        *as_lib(lib, (X,))),
    "jacfwd": lambda lib, f: f.jacfwd(lambda x, y: x * y.sum(), argnums=1)(
        *as_lib(lib, (X, Y))),
    "hessian": lambda lib, f: f.hessian(lambda x: (x.exp() * x.sum()).sum())(
        *as_lib(lib, (X,))),
    "vjp": lambda lib, f: f.vjp(lambda x, y: x.cos() * y, *as_lib(lib, (X, Y)))[1](
        *as_lib(lib, (Y,))),
    "vmap": lambda lib, f: f.vmap(lambda m, x: (m * x).sum(), in_dims=(0, None))(
        *as_lib(lib, (M, X))),
    "vmap out_dims": lambda lib, f: f.vmap(lambda m: (m * 2, m.sum()), in_dims=1,
                                          out_dims=(1, 0))(*as_lib(lib, (M,))),
    "nested vmap": lambda lib, f: f.vmap(f.vmap(lambda a, b: a * b, in_dims=(0, None)),
                                         in_dims=(None, 0))(*as_lib(lib, (X, Y))),
    "functional_call": lambda lib, f: f.functional_call(
        lib.nn.Linear(3, 2).double(), {"weight": as_lib(lib, M), "bias": as_lib(lib, X[:2])},
        (as_lib(lib, M),)),
    "vmap of grad": lambda lib, f: f.vmap(f.grad(lambda w, x: ((w * x).sum()) ** 2),
                                          in_dims=(None, 0))(*as_lib(lib, (X, M))),
}


@pytest.mark.parametrize("name", list(CASES))
def test_same_results_as_torch_func(name):
    ours = as_numpy(CASES[name](minitorch, minitorch.func))
    theirs = as_numpy(CASES[name](torch, torch.func))
    assert_same(ours, theirs)


ERRORS = {
    "grad of a vector": lambda lib, f: f.grad(lambda x: x * 2)(lib.ones(2)),
    "grad argnum out of range": lambda lib, f: f.grad(lambda x: x.sum(), argnums=1)(lib.ones(2)),
    "grad of an integer tensor": lambda lib, f: f.grad(lambda x: x.sum())(lib.arange(3)),
    "grad has_aux without aux": lambda lib, f: f.grad(lambda x: x.sum(), has_aux=True)(
        lib.ones(2)),
    "vmap batch sizes differ": lambda lib, f: f.vmap(lambda a, b: a + b)(lib.ones(2, 3),
                                                                          lib.ones(3, 3)),
    "vmap in_dim out of range": lambda lib, f: f.vmap(lambda a: a, in_dims=2)(lib.ones(2, 3)),
    "vmap of a float": lambda lib, f: f.vmap(lambda a: a)(3.0),
    "vmap nothing batched": lambda lib, f: f.vmap(lambda a: a, in_dims=(None,))(lib.ones(2)),
    "vmap returns a float": lambda lib, f: f.vmap(lambda a: 1.0)(lib.ones(2)),
    "jacrev returns a float": lambda lib, f: f.jacrev(lambda a: 1.0)(lib.ones(2)),
    "functional_call strict": lambda lib, f: f.functional_call(
        lib.nn.Linear(2, 2), {"weight": lib.ones(2, 2)}, (lib.ones(1, 2),), strict=True),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_same_errors_as_torch_func(name):
    with pytest.raises(Exception) as theirs:
        ERRORS[name](torch, torch.func)
    with pytest.raises(type(theirs.value)) as ours:
        ERRORS[name](minitorch, minitorch.func)
    assert str(ours.value) == str(theirs.value)
