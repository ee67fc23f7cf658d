"""Shape operations against NumPy: views share storage, copies don't, errors teach."""

import re

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import (
    DTYPE_NAMES,
    assert_matches,
    dtypes,
    expected_dtype,
    mt_dtype,
    numel,
    shapes,
    tensor_arrays,
    to_numpy,
)

import minitorch


def dim_error(low, high, got):
    return re.escape(
        f"Dimension out of range (expected to be in range of [{low}, {high}], but got {got})"
    )


def contiguous_tensor(a):
    """A contiguous tensor owning a copy of `a` (so views of it can be checked)."""
    return minitorch.from_numpy(np.array(a, copy=True))


def check_shares(view, base, base_array=None):
    """Writing one element through `view` changes exactly one element of `base`."""
    if view.numel() == 0:
        return
    index = (0,) * view.dim()
    old = view[index].item()
    new = (not old) if isinstance(old, bool) else old + 1
    before = to_numpy(base)
    view[index] = new
    after = to_numpy(base)
    assert (before != after).sum() == 1, "the view shares storage with its base"


@st.composite
def reshape_target(draw, shape):
    """A shape with the same number of elements, possibly with one -1."""
    n = numel(shape)
    if n == 0:
        target = draw(st.sampled_from([(0,), (0, 1), (2, 0), (1, 0, 3)]))
    else:
        factors = []
        rest = n
        for _ in range(draw(st.integers(0, 3))):
            divisors = [d for d in range(1, rest + 1) if rest % d == 0]
            d = draw(st.sampled_from(divisors))
            factors.append(d)
            rest //= d
        factors.append(rest)
        target = tuple(draw(st.permutations(factors)))
    if n > 0 and draw(st.booleans()):
        i = draw(st.integers(0, len(target) - 1))
        target = target[:i] + (-1,) + target[i + 1 :]
    return target


# -- view / reshape / flatten -------------------------------------------------------------------


@given(data=st.data(), dtype=dtypes(), shape=shapes())
def test_view_of_contiguous_tensor(data, dtype, shape):
    a = data.draw(tensor_arrays(dtype, shape))[1]
    t = contiguous_tensor(a)
    target = data.draw(reshape_target(shape))
    expected = a.reshape(target)
    v = t.view(*target) if target else t.view(())
    assert_matches(v, expected)
    assert_matches(t.view(target), expected)
    check_shares(v, t, a)


@given(data=st.data(), dtype=dtypes(), shape=shapes())
def test_reshape_any_tensor(data, dtype, shape):
    t, a = data.draw(tensor_arrays(dtype, shape))
    target = data.draw(reshape_target(shape))
    expected = a.reshape(target)
    assert_matches(t.reshape(*target) if target else t.reshape(()), expected)
    assert_matches(t.reshape(target), expected)
    assert_matches(minitorch.reshape(t, target), expected)
    assert_matches(t.reshape_as(minitorch.zeros(expected.shape)), expected)


def test_view_of_non_contiguous_compatible_strides():
    base = minitorch.arange(24).view(2, 3, 4)
    t = base[:, :, ::2]  # shape (2, 3, 2), strides (12, 4, 2): dims 0 and 1 merge
    v = t.view(6, 2)
    assert_matches(v, np.arange(24).reshape(2, 3, 4)[:, :, ::2].reshape(6, 2))
    v[0, 0] = -1
    assert base[0, 0, 0].item() == -1
    # splitting a dim of a transposed tensor is fine too
    tt = minitorch.arange(12).view(3, 4).t()  # (4, 3) strides (1, 4)
    assert_matches(tt.view(2, 2, 3), np.arange(12).reshape(3, 4).T.reshape(2, 2, 3))


def test_view_errors():
    x = minitorch.zeros(2, 3)
    with pytest.raises(RuntimeError, match="6"):
        x.view(4)
    with pytest.raises(RuntimeError):
        x.view(-1, -1)
    with pytest.raises(RuntimeError, match="(?i)contiguous|stride|reshape"):
        x.t().view(6)
    assert_matches(x.t().reshape(6), np.zeros(6, np.float32))


def test_reshape_copies_only_when_needed():
    x = minitorch.arange(6).view(2, 3)
    r = x.reshape(3, 2)
    r[0, 0] = 100
    assert x[0, 0].item() == 100, "reshape of a contiguous tensor is a view"
    r2 = x.t().reshape(6)
    r2[1] = -5
    assert (to_numpy(x) != -5).all(), "reshape of a transposed tensor copies"


@given(data=st.data(), dtype=dtypes(), shape=shapes())
def test_flatten(data, dtype, shape):
    t, a = data.draw(tensor_arrays(dtype, shape))
    nd = max(len(shape), 1)
    start = data.draw(st.integers(-nd, nd - 1))
    end = data.draw(st.integers(-nd, nd - 1))
    s, e = start % nd, end % nd
    if s > e:
        with pytest.raises(RuntimeError):
            t.flatten(start, end)
        return
    if a.ndim == 0:
        expected = a.reshape(1)
    else:
        expected = a.reshape(shape[:s] + (numel(shape[s : e + 1]),) + shape[e + 1 :])
    assert_matches(t.flatten(start, end), expected)
    assert_matches(minitorch.flatten(t, start_dim=start, end_dim=end), expected)
    assert_matches(t.flatten(), a.reshape(-1))


# -- transpose / t / T / permute ----------------------------------------------------------------


@given(data=st.data(), dtype=dtypes(), shape=shapes(min_dims=1))
def test_transpose(data, dtype, shape):
    a = data.draw(tensor_arrays(dtype, shape))[1]
    t = contiguous_tensor(a)
    nd = len(shape)
    d0 = data.draw(st.integers(-nd, nd - 1))
    d1 = data.draw(st.integers(-nd, nd - 1))
    expected = np.swapaxes(a, d0, d1)
    v = t.transpose(d0, d1)
    assert_matches(v, expected)
    assert_matches(minitorch.transpose(t, d0, d1), expected)
    check_shares(v, t, a)


@given(data=st.data(), dtype=dtypes(), shape=shapes(max_dims=2))
def test_t_and_T(data, dtype, shape):
    t, a = data.draw(tensor_arrays(dtype, shape))
    assert_matches(t.t(), a.T)
    assert_matches(minitorch.t(t), a.T)
    assert_matches(t.T, a.T)


def test_t_of_3d_raises():
    with pytest.raises(RuntimeError):
        minitorch.zeros(2, 3, 4).t()


@given(data=st.data(), dtype=dtypes(), shape=shapes())
def test_permute(data, dtype, shape):
    a = data.draw(tensor_arrays(dtype, shape))[1]
    t = contiguous_tensor(a)
    order = data.draw(st.permutations(range(len(shape))))
    negative = [d - len(shape) if data.draw(st.booleans()) else d for d in order]
    expected = np.transpose(a, order)
    v = t.permute(*negative) if negative else t.permute(())
    assert_matches(v, expected)
    assert_matches(t.permute(tuple(negative)), expected)
    assert_matches(minitorch.permute(t, tuple(order)), expected)
    check_shares(v, t, a)


def test_permute_errors():
    x = minitorch.zeros(2, 3)
    with pytest.raises(RuntimeError):
        x.permute(0)
    with pytest.raises(RuntimeError):
        x.permute(0, 0)
    with pytest.raises(IndexError, match=dim_error(-2, 1, 2)):
        x.permute(0, 2)


# -- squeeze / unsqueeze / expand ---------------------------------------------------------------


@given(data=st.data(), dtype=dtypes(), shape=shapes(max_side=2))
def test_squeeze(data, dtype, shape):
    t, a = data.draw(tensor_arrays(dtype, shape))
    nd = max(len(shape), 1)
    choice = data.draw(st.sampled_from(["none", "int", "tuple"]))
    if choice == "none":
        assert_matches(t.squeeze(), np.squeeze(a))
        assert_matches(minitorch.squeeze(t), np.squeeze(a))
        return
    if choice == "int":
        dims = (data.draw(st.integers(-nd, nd - 1)),)
        result = t.squeeze(dims[0])
    else:
        raw = data.draw(st.lists(st.integers(0, nd - 1), unique=True, max_size=nd))
        dims = tuple(raw)
        result = t.squeeze(dims)
    if a.ndim == 0:
        assert_matches(result, a)
        return
    squeezable = tuple(sorted({d % nd for d in dims if shape[d % nd] == 1}))
    assert_matches(result, np.squeeze(a, axis=squeezable) if squeezable else a)


@given(data=st.data(), dtype=dtypes(), shape=shapes(max_dims=3))
def test_unsqueeze(data, dtype, shape):
    a = data.draw(tensor_arrays(dtype, shape))[1]
    t = contiguous_tensor(a)
    nd = len(shape) + 1
    dim = data.draw(st.integers(-nd, nd - 1))
    expected = np.expand_dims(a, dim)
    v = t.unsqueeze(dim)
    assert_matches(v, expected)
    assert_matches(minitorch.unsqueeze(t, dim), expected)
    check_shares(v, t, a)


def test_squeeze_unsqueeze_errors():
    x = minitorch.zeros(2, 3)
    with pytest.raises(IndexError, match=dim_error(-3, 2, 3)):
        x.unsqueeze(3)
    with pytest.raises(IndexError, match=dim_error(-2, 1, -3)):
        x.squeeze(-3)


@given(data=st.data(), dtype=dtypes(), shape=shapes(max_dims=3, max_side=3))
def test_expand(data, dtype, shape):
    t, a = data.draw(tensor_arrays(dtype, shape))
    new = []
    for n in shape:
        if n == 1:
            new.append(data.draw(st.sampled_from([1, 2, 3, -1])))
        else:
            new.append(data.draw(st.sampled_from([n, -1])))
    leading = data.draw(st.lists(st.integers(0, 3), max_size=2))
    sizes = tuple(leading) + tuple(new)
    target = tuple(leading) + tuple(n if s == -1 else s for n, s in zip(shape, new, strict=True))
    assume(numel(target) <= 120)
    expected = np.broadcast_to(a, target)
    e = t.expand(*sizes) if sizes else t.expand(())
    assert_matches(e, expected)
    assert_matches(t.expand(sizes), expected)
    assert_matches(t.expand_as(minitorch.zeros(target)), expected)
    for d, n in enumerate(target):
        if n > 1 and (d < len(leading) or shape[d - len(leading)] == 1):
            assert e.stride(d) == 0, "expanded dims have stride 0 (no copy)"


def test_expand_errors():
    with pytest.raises(RuntimeError):
        minitorch.zeros(2, 3).expand(3, 3)
    with pytest.raises(RuntimeError):
        minitorch.zeros(2, 3).expand(3)
    with pytest.raises(RuntimeError):
        minitorch.zeros(3).expand(-1, 3)


@given(data=st.data(), dtype=dtypes(), shape=shapes())
def test_contiguous(data, dtype, shape):
    t, a = data.draw(tensor_arrays(dtype, shape))
    c = t.contiguous()
    assert_matches(c, a)
    assert c.is_contiguous()
    if t.is_contiguous():  # (as PyTorch: the strides of size-1 dims may be anything)
        assert c is t, "contiguous() of a contiguous tensor returns it"
    else:
        expected = tuple(s // max(a.itemsize, 1) for s in np.empty(shape, a.dtype).strides)
        assert tuple(c.stride()) == expected


# -- cat / stack --------------------------------------------------------------------------------


@given(data=st.data(), shape=shapes(min_dims=1, max_dims=3, max_numel=24), count=st.integers(1, 3))
def test_cat(data, shape, count):
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    pieces, arrays_ = [], []
    dtypes_ = [data.draw(dtypes()) for _ in range(count)]
    for dt in dtypes_:
        piece_shape = list(shape)
        piece_shape[dim] = data.draw(st.integers(0, 3))
        t, a = data.draw(tensor_arrays(dt, tuple(piece_shape)))
        pieces.append(t)
        arrays_.append(a)
    promoted = expected_dtype(*[("dim", d) for d in dtypes_])
    expected = np.concatenate([a.astype(promoted) for a in arrays_], axis=dim)
    assert_matches(minitorch.cat(pieces, dim=dim), expected, dtype=promoted)
    assert_matches(minitorch.cat(tuple(pieces), dim), expected, dtype=promoted)


@given(
    data=st.data(), dtype=dtypes(), shape=shapes(max_dims=3, max_numel=20), count=st.integers(1, 3)
)
def test_stack(data, dtype, shape, count):
    pairs = [data.draw(tensor_arrays(dtype, shape)) for _ in range(count)]
    nd = len(shape) + 1
    dim = data.draw(st.integers(-nd, nd - 1))
    expected = np.stack([a for _, a in pairs], axis=dim)
    assert_matches(minitorch.stack([t for t, _ in pairs], dim=dim), expected)
    if dim == 0:
        assert_matches(minitorch.stack([t for t, _ in pairs]), expected)


def test_cat_stack_copy_and_errors():
    a, b = minitorch.zeros(2, 3), minitorch.ones(1, 3)
    c = minitorch.cat([a, b])
    c[0, 0] = 7
    assert a[0, 0].item() == 0, "cat copies"
    with pytest.raises(RuntimeError):
        minitorch.cat([minitorch.zeros(2, 3), minitorch.zeros(2, 4)], dim=0)
    with pytest.raises(RuntimeError):
        minitorch.stack([minitorch.zeros(2, 3), minitorch.zeros(3, 2)])
    with pytest.raises(IndexError, match=dim_error(-2, 1, 2)):
        minitorch.cat([a, a], dim=2)
    with pytest.raises((RuntimeError, ValueError)):
        minitorch.cat([])
    assert_matches(
        minitorch.cat([minitorch.tensor([1]), minitorch.tensor([2.5])]),
        np.array([1.0, 2.5], np.float32),
    )


# -- views share storage / len / iteration / dim errors --------------------------------------------


def test_views_share_storage_examples():
    base = minitorch.zeros(2, 3)
    for make in (
        lambda b: b.view(6),
        lambda b: b.t(),
        lambda b: b.T,
        lambda b: b.permute(1, 0),
        lambda b: b.transpose(0, 1),
        lambda b: b.unsqueeze(0),
        lambda b: b.flatten(),
        lambda b: b.reshape(3, 2),
        lambda b: b[1],
        lambda b: b[:, 1:],
    ):
        base.zero_()
        v = make(base)
        v.fill_(4)
        assert (to_numpy(base) != 0).any(), "writing through a view changes the base"
    base.fill_(4)
    v = base.view(6)
    v.add_(1)
    assert (to_numpy(base) == 5).all()


@given(data=st.data(), dtype=dtypes(), shape=shapes(min_dims=1))
def test_len_and_iteration(data, dtype, shape):
    t, a = data.draw(tensor_arrays(dtype, shape))
    assert len(t) == shape[0]
    rows = list(t)
    assert len(rows) == shape[0]
    for row, expected in zip(rows, a, strict=True):
        assert_matches(row, expected)


@pytest.mark.parametrize(
    ("call", "low", "high", "got"),
    [
        (lambda x: x.transpose(0, 2), -2, 1, 2),
        (lambda x: x.transpose(-3, 0), -2, 1, -3),
        (lambda x: x.flatten(0, 5), -2, 1, 5),
        (lambda x: x.squeeze(2), -2, 1, 2),
        (lambda x: x.unsqueeze(-4), -3, 2, -4),
        (lambda x: minitorch.stack([x, x], dim=3), -3, 2, 3),
        (lambda x: x.size(-3), -2, 1, -3),
    ],
)
def test_dim_out_of_range_messages(call, low, high, got):
    x = minitorch.zeros(2, 3)
    with pytest.raises(IndexError, match=dim_error(low, high, got)):
        call(x)


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_shape_ops_keep_dtype(dtype):
    x = minitorch.zeros(2, 3, dtype=mt_dtype(dtype))
    for y in (
        x.view(3, 2),
        x.t(),
        x.unsqueeze(0),
        x.expand(4, 2, 3),
        x.flatten(),
        x.reshape(6),
        minitorch.cat([x, x]),
        minitorch.stack([x, x]),
        x.contiguous(),
        x.squeeze(),
    ):
        assert y.dtype == mt_dtype(dtype)


# -- broadcast_to / broadcast_shapes / broadcast_tensors, flip, roll, tril, triu --------------
SMALL_SHAPES = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)


def _values(shape):
    return np.arange(np.prod(shape), dtype=np.float64).reshape(shape) * 0.5 - 1


@given(SMALL_SHAPES, st.data())
def test_flip_and_roll_match_numpy(shape, data):
    a = _values(shape)
    t = minitorch.tensor(a)
    dims = data.draw(st.lists(st.integers(0, len(shape) - 1), unique=True))
    np.testing.assert_array_equal(t.flip(dims).numpy(), np.flip(a, dims) if dims else a)
    shifts = [data.draw(st.integers(-5, 5)) for _ in dims]
    np.testing.assert_array_equal(t.roll(shifts, dims).numpy() if dims else t.numpy(),
                                  np.roll(a, shifts, dims) if dims else a)
    shift = data.draw(st.integers(-7, 7))
    np.testing.assert_array_equal(t.roll(shift).numpy(), np.roll(a, shift))


@given(st.integers(2, 4), st.integers(2, 4), st.integers(-3, 3), st.booleans())
def test_tril_and_triu_match_numpy(rows, cols, diagonal, batched):
    a = _values((2, rows, cols) if batched else (rows, cols))
    t = minitorch.tensor(a)
    np.testing.assert_array_equal(t.tril(diagonal).numpy(), np.tril(a, diagonal))
    np.testing.assert_array_equal(minitorch.triu(t, diagonal).numpy(), np.triu(a, diagonal))


@pytest.mark.parametrize("name, op", [
    ("FlipBackward0", lambda x: x.flip([0, 1])),
    ("RollBackward0", lambda x: x.roll((1, -1), (0, 1))),
    ("RollBackward0", lambda x: x.roll(2)),
    ("TrilBackward0", lambda x: x.tril(-1)),
    ("TriuBackward0", lambda x: x.triu()),
    ("ExpandBackward0", lambda x: x[:1].broadcast_to((3, 2, 3))),
])
def test_gradients_and_node_names(name, op):
    x = minitorch.tensor(_values((2, 3)), requires_grad=True)
    assert op(x).grad_fn.name() == name  # (PyTorch's names)
    assert minitorch.autograd.gradcheck(op, (x,))


def test_broadcasting_helpers_follow_numpy():
    assert minitorch.broadcast_shapes((2, 1), (3,), (4, 1, 1)) == np.broadcast_shapes(
        (2, 1), (3,), (4, 1, 1))
    a, b = minitorch.broadcast_tensors(minitorch.ones(2, 1), minitorch.zeros(3))
    assert a.shape == b.shape == (2, 3) and a.stride() == (1, 0)  # views, no copy
    with pytest.raises(RuntimeError, match="must match"):
        minitorch.broadcast_shapes((2,), (3,))
    with pytest.raises(RuntimeError, match="expanded size"):
        minitorch.ones(2).broadcast_to((3,))


def test_misuse_errors():
    x = minitorch.ones(2, 3)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        minitorch.ones(3).tril()
    with pytest.raises(RuntimeError, match="shifts and dimensions must align"):
        x.roll((1, 2), 0)
    with pytest.raises(RuntimeError, match="dims has duplicates"):
        x.flip([0, 0])
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.flip(2)
