"""repeat, tile, repeat_interleave, diag, diagonal, unfold, meshgrid, cumsum and cumprod against
NumPy (property-based, small shapes), their gradients (gradcheck), node names and errors."""

import warnings

import numpy as np
import pytest
from grad_helpers import check, leaf, node
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import arrays, assert_matches, shapes, tensor_arrays

import minitorch
from minitorch import autograd

FEW = settings(max_examples=20)
small = shapes(min_dims=1, max_dims=3, max_side=3, max_numel=12)
matrices = shapes(min_dims=2, max_dims=2, max_side=4)





# ----- repeat, tile, repeat_interleave -------------------------------------------------------
@FEW
@given(data=st.data(), shape=small)
def test_repeat_is_numpys_tile(data, shape):
    x, a = data.draw(tensor_arrays("float32", shape))
    extra = data.draw(st.integers(0, 1))
    reps = data.draw(st.lists(st.integers(0, 2), min_size=len(shape) + extra,
                              max_size=len(shape) + extra))
    assert_matches(x.repeat(*reps), np.tile(a, reps))
    assert_matches(x.repeat(reps), np.tile(a, reps))


@FEW
@given(data=st.data(), shape=small)
def test_tile_with_fewer_dims_repeats_the_last_ones(data, shape):
    x, a = data.draw(tensor_arrays("int64", shape))
    reps = data.draw(st.lists(st.integers(1, 2), min_size=1, max_size=len(shape)))
    assert_matches(minitorch.tile(x, reps), np.tile(a, reps))


@FEW
@given(data=st.data(), shape=small)
def test_repeat_interleave_is_numpys_repeat(data, shape):
    x, a = data.draw(tensor_arrays("float64", shape))
    dim = data.draw(st.none() | st.integers(-len(shape), len(shape) - 1))
    count = data.draw(st.integers(0, 2))
    assert_matches(x.repeat_interleave(count, dim=dim), np.repeat(a, count, axis=dim))
    axis = 0 if dim is None else dim
    n = a.size if dim is None else a.shape[dim]
    counts = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    out = minitorch.repeat_interleave(x, minitorch.tensor(counts), dim=dim)
    assert_matches(out, np.repeat(a.reshape(-1) if dim is None else a, counts, axis=axis))


def test_repeat_interleave_of_counts_alone_repeats_indices():
    out = minitorch.repeat_interleave(minitorch.tensor([1, 0, 3]))
    assert_matches(out, np.array([0, 2, 2, 2]))


def test_repeat_gradients():
    a = np.arange(6.0).reshape(2, 3) / 7
    check(lambda x: x.repeat(2, 1, 2), leaf(a))
    check(lambda x: x.tile((2,)), leaf(a))
    check(lambda x: x.repeat_interleave(2, dim=1), leaf(a))
    check(lambda x: x.repeat_interleave(minitorch.tensor([2, 0, 1]), dim=1), leaf(a))
    x = leaf(a)
    assert node(x.repeat(1, 2)) == "RepeatBackward0"
    assert node(x.repeat_interleave(2)) == "ViewBackward0"
    assert node(x.repeat_interleave(minitorch.tensor([1, 2]), dim=0)) == "IndexSelectBackward0"


def test_repeat_copies():
    x = minitorch.tensor([1.0, 2.0])
    y = x.repeat(1)
    y[0] = 5.0
    assert x.tolist() == [1.0, 2.0]


def test_repeat_errors():
    x = minitorch.ones(2, 3)
    with pytest.raises(RuntimeError, match="can not be smaller than number of dimensions"):
        x.repeat(2)
    with pytest.raises(RuntimeError, match="negative dimension -2"):
        x.repeat(-1, 1)
    with pytest.raises(RuntimeError, match="Repeats must be non-negative"):
        x.repeat_interleave(-1)
    with pytest.raises(RuntimeError, match=r"repeats.size\(0\) = 3 and input.size\(0\) = 2"):
        x.repeat_interleave(minitorch.tensor([1, 1, 1]), dim=0)
    with pytest.raises(NotImplementedError, match="not implemented for 'Float'"):
        x.repeat_interleave(minitorch.tensor([1.0, 2.0]), dim=0)


# ----- diag, diagonal, unfold --------------------------------------------------------------
@FEW
@given(data=st.data(), n=st.integers(0, 4), k=st.integers(-3, 3))
def test_diag_of_a_vector_is_numpys(data, n, k):
    x, a = data.draw(tensor_arrays("int32", (n,)))
    assert_matches(minitorch.diag(x, k), np.diag(a, k))


@FEW
@given(data=st.data(), shape=matrices, k=st.integers(-4, 4))
def test_diag_of_a_matrix_is_numpys(data, shape, k):
    x, a = data.draw(tensor_arrays("float32", shape))
    assert_matches(x.diag(k), np.diag(a, k))


@FEW
@given(data=st.data(), shape=shapes(min_dims=2, max_dims=3, max_side=4, max_numel=24),
       offset=st.integers(-3, 3))
def test_diagonal_is_numpys(data, shape, offset):
    x, a = data.draw(tensor_arrays("float64", shape))
    d1, d2 = data.draw(st.permutations(range(len(shape))))[:2]
    assert_matches(x.diagonal(offset, d1, d2), np.diagonal(a, offset, d1, d2))
    assert_matches(minitorch.diagonal(x, offset=offset, dim1=d1 - len(shape), dim2=d2),
                   np.diagonal(a, offset, d1, d2))


def test_diagonal_is_a_view_and_diag_a_copy():
    x = minitorch.zeros(3, 3)
    x.diagonal(1)[0] = 5.0
    x.diag()[1] = 7.0
    assert_matches(x, np.array([[0, 5, 0], [0, 0, 0], [0, 0, 0]], dtype=np.float32))


@FEW
@given(data=st.data(), shape=small)
def test_unfold_is_numpys_sliding_window(data, shape):
    x, a = data.draw(tensor_arrays("float32", shape))
    d = data.draw(st.integers(0, len(shape) - 1))
    size = data.draw(st.integers(0, shape[d]))
    step = data.draw(st.integers(1, 3))
    windows = np.lib.stride_tricks.sliding_window_view(a, size, axis=d)
    expected = windows[(slice(None),) * d + (slice(None, None, step),)]
    assert_matches(x.unfold(d, size, step), expected)


def test_diag_diagonal_unfold_gradients_and_nodes():
    m = np.arange(12.0).reshape(3, 4) / 5
    check(lambda v: minitorch.diag(v, -1), leaf([0.5, -1.0, 2.0]))
    check(lambda x: x.diag(1), leaf(m))
    check(lambda x: x.diagonal(-1, 1, 0), leaf(m))
    check(lambda x: x.unfold(1, 3, 1), leaf(m))  # overlapping windows share elements
    check(lambda x: x.unfold(0, 2, 2), leaf(m))
    x = leaf(m)
    assert node(minitorch.diag(x[0])) == "DiagEmbedBackward0"
    assert node(x.diag()) == "DiagonalBackward0_copy"
    assert node(x.diagonal()) == "DiagonalBackward0"
    assert node(x.unfold(0, 2, 1)) == "UnfoldBackward0"


def test_diag_diagonal_unfold_errors():
    x = minitorch.ones(3, 4)
    with pytest.raises(RuntimeError, match="diag\\(\\): Supports 1D or 2D tensors. Got 3D"):
        minitorch.diag(minitorch.ones(2, 2, 2))
    with pytest.raises(RuntimeError, match="diagonal dimensions cannot be identical 0, -2"):
        x.diagonal(0, 0, -2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.diagonal(0, 0, 2)
    with pytest.raises(RuntimeError, match="maximum size for tensor at dimension 1 is 4 but "
                                           "size is 5"):
        x.unfold(1, 5, 1)
    with pytest.raises(RuntimeError, match="step is 0 but must be > 0"):
        x.unfold(1, 2, 0)


# ----- meshgrid ------------------------------------------------------------------------------
@FEW
@given(data=st.data(), sizes=st.lists(st.integers(0, 3), min_size=1, max_size=3),
       indexing=st.sampled_from(["ij", "xy"]))
def test_meshgrid_is_numpys(data, sizes, indexing):
    pairs = [data.draw(tensor_arrays("float32", (n,))) for n in sizes]
    grids = minitorch.meshgrid(*[x for x, _ in pairs], indexing=indexing)
    expected = np.meshgrid(*[a for _, a in pairs], indexing=indexing)
    assert len(grids) == len(expected)
    for grid, e in zip(grids, expected):
        assert_matches(grid, e)


def test_meshgrid_takes_a_list_warns_without_indexing_and_checks():
    x, y = minitorch.tensor([1.0, 2.0]), minitorch.tensor([3.0, 4.0, 5.0])
    with pytest.warns(UserWarning, match="required to pass the indexing argument"):
        a, b = minitorch.meshgrid([x, y])
    assert a.shape == (2, 3) and b.shape == (2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        minitorch.meshgrid(x, y, indexing="ij")
    with pytest.raises(RuntimeError, match='indexing must be one of "xy" or "ij"'):
        minitorch.meshgrid(x, indexing="yx")
    with pytest.raises(RuntimeError, match="Expected 0D or 1D tensor"):
        minitorch.meshgrid(minitorch.ones(2, 2), indexing="ij")
    check(lambda u, v: minitorch.meshgrid(u, v, indexing="xy")[0] * 2
          + minitorch.meshgrid(u, v, indexing="xy")[1], leaf([1.0, 2.0]), leaf([3.0, 4.0, 5.0]))


# ----- cumsum, cumprod -----------------------------------------------------------------------
@FEW
@given(data=st.data(), shape=shapes(min_dims=0, max_dims=3, max_side=5, max_numel=30),
       dtype=st.sampled_from(["float32", "float64", "int32", "int64", "bool"]))
def test_cumsum_and_cumprod_are_numpys(data, shape, dtype):
    low, high = (-3, 3) if dtype != "bool" else (None, None)
    x, a = data.draw(tensor_arrays(dtype, shape, low=low, high=high))
    dim = data.draw(st.integers(-max(len(shape), 1), max(len(shape), 1) - 1))
    axis = dim % len(shape) if shape else None
    result = dtype if dtype.startswith("float") else "int64"
    assert_matches(x.cumsum(dim), np.cumsum(a, axis=axis, dtype=result).reshape(shape), result)
    assert_matches(minitorch.cumprod(x, dim), np.cumprod(a, axis=axis, dtype=result)
                   .reshape(shape), result)


def test_cumsum_dtype_converts_first():
    x = minitorch.tensor([1.5, 2.5, 3.5])
    assert_matches(x.cumsum(0, dtype=minitorch.int64), np.array([1, 3, 6]))
    assert x.cumsum(0, dtype=minitorch.float64).dtype is minitorch.float64


def test_cumsum_long_rows_scan_in_log_steps():
    a = np.arange(1, 301, dtype=np.int64).reshape(3, 100)
    assert_matches(minitorch.tensor(a).cumsum(1), np.cumsum(a, axis=1))


@FEW
@given(data=st.data(), shape=shapes(min_dims=1, max_dims=2, max_side=4, allow_zero=False))
def test_cumsum_cumprod_gradients(data, shape):
    a = data.draw(arrays("float64", shape, low=-2, high=2))
    dim = data.draw(st.integers(0, len(shape) - 1))
    check(lambda x: x.cumsum(dim), leaf(a))
    check(lambda x: x.cumprod(dim), leaf(a))


def test_cumprod_gradient_with_zeros_and_second_order():
    a = leaf([2.0, 0.0, 3.0, 0.0, 5.0])
    check(lambda x: x.cumprod(0), a)
    (g,) = autograd.grad(a.cumprod(0).sum(), a, create_graph=True)
    # d/da_j of sum_i prod_{k<=i} a_k by hand: 1 + a_1 = 1, a_0 + a_0 a_2 = 8, and every
    # term of the others has the factor a_1 = 0
    assert_matches(g.detach(), np.array([1.0, 2 + 6, 0.0, 0.0, 0.0]))
    check(lambda x: autograd.grad(x.cumprod(0).sum(), x, create_graph=True)[0],
          leaf([2.0, 0.5, 3.0]))
    assert node(a.cumsum(0)) == "CumsumBackward0" and node(a.cumprod(0)) == "CumprodBackward0"


def test_cumsum_errors():
    with pytest.raises(TypeError):
        minitorch.ones(3).cumsum()
    with pytest.raises(IndexError, match="Dimension out of range"):
        minitorch.ones(3).cumsum(1)
