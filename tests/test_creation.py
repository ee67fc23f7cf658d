"""Creation functions, NumPy interop, random numbers, Size and dtype casts, against NumPy."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    DTYPE_NAMES,
    arrays,
    assert_matches,
    dtypes,
    mt_dtype,
    numel,
    shapes,
    tensor_arrays,
    to_numpy,
)

import minitorch

# -- dtypes -------------------------------------------------------------------------------------


def test_dtype_objects():
    assert minitorch.int is minitorch.int32
    assert minitorch.long is minitorch.int64
    assert minitorch.float is minitorch.float32
    assert minitorch.double is minitorch.float64
    for name in DTYPE_NAMES:
        d = mt_dtype(name)
        assert repr(d) == f"minitorch.{name}"
        assert d.itemsize == np.dtype(name).itemsize
        assert d.is_floating_point == (name in ("float32", "float64"))
    assert minitorch.get_default_dtype() == minitorch.float32


@pytest.mark.parametrize("a", DTYPE_NAMES)
@pytest.mark.parametrize("b", DTYPE_NAMES)
def test_promote_types(a, b):
    order = list(DTYPE_NAMES)
    expected = max(a, b, key=order.index)
    assert minitorch.promote_types(mt_dtype(a), mt_dtype(b)) == mt_dtype(expected)


def test_set_default_dtype():
    try:
        minitorch.set_default_dtype(minitorch.float64)
        assert minitorch.tensor([1.5]).dtype == minitorch.float64
        assert minitorch.zeros(2).dtype == minitorch.float64
        assert (minitorch.tensor([1, 2]) / 2).dtype == minitorch.float64
    finally:
        minitorch.set_default_dtype(minitorch.float32)
    assert minitorch.tensor([1.5]).dtype == minitorch.float32
    with pytest.raises(TypeError):
        minitorch.set_default_dtype(minitorch.int64)


# -- minitorch.tensor ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "dtype", "shape"),
    [
        ([1.0, 2.0], "float32", (2,)),
        ([[1, 2], [3, 4]], "int64", (2, 2)),
        ([True, False], "bool", (2,)),
        ([1, 2.5], "float32", (2,)),
        ([True, 2], "int64", (2,)),
        ([True, 2.0], "float32", (2,)),
        (3.5, "float32", ()),
        (3, "int64", ()),
        (True, "bool", ()),
        ([], "float32", (0,)),
        ([[]], "float32", (1, 0)),
        ([[[1], [2]]], "int64", (1, 2, 1)),
    ],
)
def test_tensor_infers_dtype_from_python_data(data, dtype, shape):
    t = minitorch.tensor(data)
    assert_matches(t, np.array(data, dtype=dtype).reshape(shape), dtype=dtype)


@given(dtypes(), shapes())
def test_tensor_from_numpy_array_keeps_dtype_and_copies(dtype, shape):
    a = np.zeros(shape, dtype=dtype) if numel(shape) == 0 else np.ones(shape, dtype=dtype)
    t = minitorch.tensor(a)
    assert_matches(t, a)
    if a.size:
        a.flat[0] = 0
        assert to_numpy(t).flat[0] == 1, "minitorch.tensor copies its data"


@given(st.data(), dtypes(), shapes())
def test_tensor_from_nested_lists_with_dtype(data, dtype, shape):
    a = data.draw(arrays("float64", shape, low=-5, high=5))
    values = a.tolist()  # nested lists (a Python float for 0-d); empty dims collapse
    t = minitorch.tensor(values, dtype=mt_dtype(dtype))
    # float -> int conversion truncates toward zero, float -> bool is "!= 0" (as astype).
    assert_matches(t, np.array(values, dtype=np.float64).astype(dtype), dtype=dtype)


def test_tensor_rejects_ragged_and_strings():
    with pytest.raises(ValueError):
        minitorch.tensor([[1, 2], [3]])
    with pytest.raises(TypeError):
        minitorch.tensor("abc")


def test_tensor_numpy_scalar_types():
    assert minitorch.tensor(np.float64(2.0)).dtype == minitorch.float64
    assert minitorch.tensor(np.ones(2, np.float32)).dtype == minitorch.float32
    assert minitorch.tensor(np.ones(2, np.int32)).dtype == minitorch.int32


def test_requires_grad_only_for_floating_tensors():
    assert minitorch.tensor([1.0], requires_grad=True).requires_grad
    assert not minitorch.tensor([1.0]).requires_grad
    with pytest.raises(RuntimeError):
        minitorch.tensor([1, 2], requires_grad=True)
    x = minitorch.tensor([1, 2])
    with pytest.raises(RuntimeError):
        x.requires_grad = True


# -- zeros / ones / empty / full ----------------------------------------------------------------


def _size_forms(shape):
    """Ways to pass a size: varargs, a tuple, a list, a minitorch.Size."""
    forms = [tuple(shape), list(shape), minitorch.Size(shape)]
    return forms


@pytest.mark.parametrize(("fn_name", "fill"), [("zeros", 0), ("ones", 1), ("empty", None)])
@given(shape=shapes(), dtype=st.none() | dtypes())
def test_zeros_ones_empty(fn_name, fill, shape, dtype):
    fn = getattr(minitorch, fn_name)
    kwargs = {} if dtype is None else {"dtype": mt_dtype(dtype)}
    name = dtype or "float32"
    calls = [fn(form, **kwargs) for form in _size_forms(shape)]
    if shape:
        calls.append(fn(*shape, **kwargs))
    for t in calls:
        assert tuple(t.shape) == shape
        assert t.dtype == mt_dtype(name)
        if fill is not None:
            assert_matches(t, np.full(shape, fill, dtype=name))


def test_zeros_rejects_negative_sizes():
    with pytest.raises(RuntimeError):
        minitorch.zeros(2, -1)


@pytest.mark.parametrize(
    ("value", "dtype"), [(1.5, "float32"), (3, "int64"), (True, "bool"), (-2, "int64")]
)
@given(shape=shapes())
def test_full_infers_dtype_from_fill_value(value, dtype, shape):
    assert_matches(minitorch.full(shape, value), np.full(shape, value, dtype=dtype))
    assert_matches(minitorch.full(list(shape), value), np.full(shape, value, dtype=dtype))


@given(shape=shapes(), dtype=dtypes(), value=st.floats(-5, 5))
def test_full_with_dtype(shape, dtype, value):
    expected = np.full(shape, value, dtype=np.float64).astype(dtype)
    assert_matches(minitorch.full(shape, value, dtype=mt_dtype(dtype)), expected)


# -- *_like ---------------------------------------------------------------------------------------


@given(st.data(), dtypes(), shapes(), st.none() | dtypes())
def test_like_functions(data, dtype, shape, override):
    x, _ = data.draw(tensor_arrays(dtype, shape))
    kwargs = {} if override is None else {"dtype": mt_dtype(override)}
    name = override or dtype
    assert_matches(minitorch.zeros_like(x, **kwargs), np.zeros(shape, dtype=name))
    assert_matches(minitorch.ones_like(x, **kwargs), np.ones(shape, dtype=name))
    assert_matches(minitorch.full_like(x, 2, **kwargs), np.full(shape, 2, dtype=name))
    if name in ("float32", "float64"):
        for fn in (minitorch.rand_like, minitorch.randn_like):
            r = fn(x, **kwargs)
            assert tuple(r.shape) == shape and r.dtype == mt_dtype(name)


def test_full_like_keeps_input_dtype():
    x = minitorch.tensor([1, 2, 3])
    assert_matches(minitorch.full_like(x, 2.7), np.array([2, 2, 2]))


def test_rand_like_of_int_tensor_raises():
    with pytest.raises(RuntimeError):
        minitorch.rand_like(minitorch.tensor([1, 2]))


# -- arange / linspace / eye -------------------------------------------------------------------


@given(st.integers(-10, 10), st.integers(-10, 10), st.integers(-4, 4).filter(bool))
def test_arange_integers(start, end, step):
    expected = np.arange(start, end, step, dtype=np.int64)
    if step > 0 and start > end or step < 0 and start < end:
        with pytest.raises(RuntimeError):
            minitorch.arange(start, end, step)
        return
    assert_matches(minitorch.arange(start, end, step), expected)


@given(st.integers(0, 20))
def test_arange_end_only(end):
    assert_matches(minitorch.arange(end), np.arange(end, dtype=np.int64))
    assert_matches(minitorch.arange(end, dtype=minitorch.float64), np.arange(end, dtype=np.float64))


@given(
    st.integers(-20, 20).map(lambda n: n / 4),
    st.integers(1, 40).map(lambda n: n / 4),
    st.integers(1, 8).map(lambda n: n / 4),
)
def test_arange_floats(start, length, step):
    end = start + length
    expected = np.arange(start, end, step).astype(np.float32)
    assert_matches(minitorch.arange(start, end, step), expected)


def test_arange_examples():
    assert_matches(minitorch.arange(0, 1, 0.1), np.arange(0, 1, 0.1).astype(np.float32))
    assert_matches(minitorch.arange(1.0, 4), np.array([1.0, 2.0, 3.0], dtype=np.float32))
    assert_matches(minitorch.arange(10, 0, -3), np.array([10, 7, 4, 1]))
    with pytest.raises(RuntimeError):
        minitorch.arange(0, 5, 0)


@given(st.floats(-10, 10), st.floats(-10, 10), st.integers(0, 12))
def test_linspace(start, end, steps):
    expected = np.linspace(start, end, steps).astype(np.float32)
    assert_matches(minitorch.linspace(start, end, steps), expected, atol=1e-5)


def test_linspace_examples():
    assert_matches(minitorch.linspace(0, 1, 5), np.array([0, 0.25, 0.5, 0.75, 1], np.float32))
    assert_matches(minitorch.linspace(2, 3, 1), np.array([2.0], np.float32))
    with pytest.raises(RuntimeError):
        minitorch.linspace(0, 1, -1)


@given(st.integers(0, 6), st.none() | st.integers(0, 6), st.none() | dtypes())
def test_eye(n, m, dtype):
    kwargs = {} if dtype is None else {"dtype": mt_dtype(dtype)}
    expected = np.eye(n, m, dtype=dtype or "float32")
    t = minitorch.eye(n, **kwargs) if m is None else minitorch.eye(n, m, **kwargs)
    assert_matches(t, expected)


# -- random numbers -----------------------------------------------------------------------------


def test_manual_seed_reproduces_rand_randn_randint():
    def draw():
        return (
            to_numpy(minitorch.rand(4, 3)),
            to_numpy(minitorch.randn(5)),
            to_numpy(minitorch.randint(0, 100, (6,))),
        )

    minitorch.manual_seed(1234)
    first = draw()
    minitorch.manual_seed(1234)
    second = draw()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    minitorch.manual_seed(4321)
    third = draw()
    assert not np.array_equal(first[0], third[0])


def test_generator_is_independent_and_reproducible():
    g = minitorch.Generator().manual_seed(7)
    a = to_numpy(minitorch.rand(8, generator=g))
    g2 = minitorch.Generator()
    g2.manual_seed(7)
    minitorch.manual_seed(99)
    b = to_numpy(minitorch.rand(8, generator=g2))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, to_numpy(minitorch.rand(8, generator=g)))


def test_rand_range_and_dtype():
    minitorch.manual_seed(0)
    x = minitorch.rand(2000)
    assert x.dtype == minitorch.float32 and tuple(x.shape) == (2000,)
    v = to_numpy(x)
    assert v.min() >= 0.0 and v.max() < 1.0
    assert abs(v.mean() - 0.5) < 0.05
    assert minitorch.rand(2, 3, dtype=minitorch.float64).dtype == minitorch.float64
    assert tuple(minitorch.rand((2, 3)).shape) == (2, 3)
    assert tuple(minitorch.rand(0).shape) == (0,)
    with pytest.raises(RuntimeError):
        minitorch.rand(2, dtype=minitorch.int64)


def test_randn_moments():
    minitorch.manual_seed(0)
    v = to_numpy(minitorch.randn(4000))
    assert v.dtype == np.float32
    assert abs(v.mean()) < 0.1
    assert abs(v.std() - 1.0) < 0.1
    assert tuple(minitorch.randn(3, 2, dtype=minitorch.float64).shape) == (3, 2)


@given(st.integers(-5, 5), st.integers(1, 6), shapes(max_dims=2))
def test_randint_bounds(low, width, shape):
    high = low + width
    t = minitorch.randint(low, high, shape)
    assert t.dtype == minitorch.int64 and tuple(t.shape) == shape
    v = to_numpy(t)
    assert ((v >= low) & (v < high)).all()
    t2 = minitorch.randint(width, size=shape)
    v2 = to_numpy(t2)
    assert ((v2 >= 0) & (v2 < width)).all()


def test_randint_covers_range_and_checks_bounds():
    minitorch.manual_seed(3)
    v = to_numpy(minitorch.randint(0, 4, (400,)))
    assert set(v.tolist()) == {0, 1, 2, 3}
    with pytest.raises(RuntimeError):
        minitorch.randint(5, 2, (3,))


# -- NumPy interop ------------------------------------------------------------------------------


@pytest.mark.cpu_only
@given(st.data(), dtypes(), shapes())
def test_from_numpy_shares_memory_both_ways(data, dtype, shape):
    a = data.draw(arrays(dtype, shape))
    t = minitorch.from_numpy(a)
    assert_matches(t, a.copy())
    if a.size == 0:
        return
    index = tuple(data.draw(st.integers(0, n - 1)) for n in shape)
    first = np.logical_not(a[index]) if dtype == "bool" else a[index] + 1
    a[index] = first
    assert to_numpy(t)[index] == first, "a change in the array shows in the tensor"
    second = np.logical_not(first) if dtype == "bool" else first + 1
    t[index] = second.item()
    assert a[index] == second, "a change in the tensor shows in the array"


@pytest.mark.cpu_only
@given(st.data(), dtypes(), st.sampled_from(["T", "step", "column"]))
def test_from_numpy_non_contiguous_arrays(data, dtype, how):
    base = data.draw(arrays(dtype, (4, 6)))
    a = {"T": base.T, "step": base[::2, 1::3], "column": base[:, 2]}[how]
    t = minitorch.from_numpy(a)
    assert_matches(t, a.copy())
    assert tuple(t.stride()) == tuple(s // a.itemsize for s in a.strides)
    base[...] = np.logical_not(base) if dtype == "bool" else base + 1
    np.testing.assert_array_equal(to_numpy(t), a)


def test_from_numpy_errors():
    with pytest.raises(TypeError):
        minitorch.from_numpy(np.array([object()]))
    with pytest.raises(TypeError):
        minitorch.from_numpy([1.0, 2.0])
    with pytest.raises(ValueError):
        minitorch.from_numpy(np.arange(3.0)[::-1])


def test_from_numpy_zero_dim():
    t = minitorch.from_numpy(np.array(3.0))
    assert_matches(t, np.array(3.0))


@pytest.mark.cpu_only
@given(st.data(), dtypes(), shapes())
def test_numpy_shares_memory(data, dtype, shape):
    t, a = data.draw(tensor_arrays(dtype, shape, allow_expand=False))
    n = t.numpy()
    assert isinstance(n, np.ndarray)
    np.testing.assert_array_equal(n, a)
    assert n.dtype == np.dtype(dtype)
    if a.size == 0:
        return
    index = tuple(data.draw(st.integers(0, k - 1)) for k in shape)
    new = not a[index] if dtype == "bool" else a[index] + 1
    n[index] = new
    assert t[index].item() == new, "writing into .numpy() changes the tensor"


@pytest.mark.cpu_only
def test_numpy_of_requires_grad_tensor_raises():
    with pytest.raises(RuntimeError):
        minitorch.tensor([1.0], requires_grad=True).numpy()


# -- tolist / item / clone ----------------------------------------------------------------------


@given(st.data(), dtypes(), shapes())
def test_tolist(data, dtype, shape):
    t, a = data.draw(tensor_arrays(dtype, shape))
    result = t.tolist()
    assert result == a.tolist()
    kind = {"bool": bool, "int32": int, "int64": int}.get(dtype, float)

    def leaves(x):
        if isinstance(x, list):
            for y in x:
                yield from leaves(y)
        else:
            yield x

    assert all(type(v) is kind for v in leaves(result))


def test_tolist_float32_values_are_exact():
    assert minitorch.tensor([0.1]).tolist() == [float(np.float32(0.1))]
    assert minitorch.tensor(2).tolist() == 2


@given(st.data(), dtypes(), st.sampled_from([(), (1,), (1, 1), (1, 1, 1)]))
def test_item(data, dtype, shape):
    t, a = data.draw(tensor_arrays(dtype, shape))
    value = t.item()
    assert value == a.item()
    assert type(value) is type(a.item())


@pytest.mark.parametrize("shape", [(2,), (0,), (2, 3)])
def test_item_of_many_elements_raises(shape):
    with pytest.raises(RuntimeError, match=f"{math.prod(shape)} elements"):
        minitorch.zeros(shape).item()


@given(st.data(), dtypes(), shapes())
def test_clone_copies(data, dtype, shape):
    t, a = data.draw(tensor_arrays(dtype, shape))
    c = t.clone()
    assert_matches(c, a)
    if a.size:
        c.fill_(0)
        np.testing.assert_array_equal(to_numpy(t), a)


# -- Size and properties ------------------------------------------------------------------------


def test_size_behaves_like_torch_size():
    s = minitorch.Size([2, 3])
    assert repr(s) == "minitorch.Size([2, 3])"
    assert str(s) == "minitorch.Size([2, 3])"
    assert repr(minitorch.Size([])) == "minitorch.Size([])"
    assert repr(minitorch.Size([4])) == "minitorch.Size([4])"
    assert isinstance(s, tuple)
    assert s == (2, 3)
    assert s[0] == 2 and s[-1] == 3
    assert isinstance(s[1:], minitorch.Size) and s[1:] == (3,)
    assert len(s) == 2
    assert s.numel() == 6


@pytest.mark.cpu_only
@given(st.data(), dtypes(), shapes())
def test_tensor_properties(data, dtype, shape):
    t, _ = data.draw(tensor_arrays(dtype, shape))
    assert isinstance(t.shape, minitorch.Size)
    assert t.shape == shape
    assert t.size() == shape and isinstance(t.size(), minitorch.Size)
    for d in range(len(shape)):
        assert t.size(d) == shape[d]
        assert t.size(d - len(shape)) == shape[d]
    assert t.dim() == len(shape) == t.ndim
    assert t.numel() == numel(shape)
    assert t.element_size() == np.dtype(dtype).itemsize
    assert t.is_floating_point() == (dtype in ("float32", "float64"))
    assert t.device == minitorch.device("cpu")
    assert str(t.device) == "cpu"
    if shape:
        assert len(t) == shape[0]
    else:
        with pytest.raises(TypeError):
            len(t)


def test_size_dim_out_of_range():
    with pytest.raises(IndexError, match=r"\[-2, 1\], but got 2"):
        minitorch.zeros(2, 3).size(2)


# -- casts --------------------------------------------------------------------------------------

CASTS = [
    ("float", "float32"),
    ("double", "float64"),
    ("long", "int64"),
    ("int", "int32"),
    ("bool", "bool"),
]


@pytest.mark.parametrize(("method", "target"), CASTS)
@given(data=st.data(), dtype=dtypes(), shape=shapes())
def test_cast_methods(method, target, data, dtype, shape):
    t, a = data.draw(tensor_arrays(dtype, shape))
    result = getattr(t, method)()
    # NumPy's astype truncates float -> int toward zero, as PyTorch does.
    assert_matches(result, a.astype(target))
    assert_matches(t, a)  # the input is unchanged


@given(data=st.data(), dtype=dtypes(), target=dtypes(), shape=shapes())
def test_to_dtype_and_to_tensor(data, dtype, target, shape):
    t, a = data.draw(tensor_arrays(dtype, shape))
    assert_matches(t.to(mt_dtype(target)), a.astype(target))
    other = minitorch.zeros(1, dtype=mt_dtype(target))
    assert_matches(t.to(other), a.astype(target))
    assert_matches(t.to(dtype=mt_dtype(target)), a.astype(target))


def test_cast_examples():
    x = minitorch.tensor([2.7, -2.7, -0.5, 0.0])
    assert_matches(x.long(), np.array([2, -2, 0, 0]))
    assert_matches(x.bool(), np.array([True, True, True, False]))
    assert_matches(minitorch.tensor([True, False]).float(), np.array([1.0, 0.0], np.float32))


@pytest.mark.cpu_only
def test_to_same_dtype_or_device_returns_self():
    x = minitorch.ones(3)
    assert x.to(minitorch.float32) is x
    assert x.float() is x
    assert x.to("cpu") is x
    y = x.to(minitorch.float64)
    assert y is not x
    y.fill_(5)
    assert_matches(x, np.ones(3, np.float32))
