"""trace, outer, kron, cross, einsum, tensordot and cdist against NumPy (property-based, small
shapes), their gradients (gradcheck), node names and errors."""

import math

import numpy as np
import pytest
from grad_helpers import check, leaf, node
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import assert_matches, shapes, tensor_arrays

import minitorch

FEW = settings(max_examples=20)
TOL = dict(rtol=1e-4, atol=1e-5)





@FEW
@given(data=st.data(), shape=shapes(min_dims=2, max_dims=2, max_side=4),
       dtype=st.sampled_from(["float32", "int32"]))
def test_trace_is_numpys(data, shape, dtype):
    x, a = data.draw(tensor_arrays(dtype, shape, low=-5, high=5))
    result = "float32" if dtype == "float32" else "int64"
    assert_matches(x.trace(), np.trace(a, dtype=result), result, **TOL)


@FEW
@given(data=st.data(), n=st.integers(0, 4), m=st.integers(0, 4))
def test_outer_is_numpys(data, n, m):
    x, a = data.draw(tensor_arrays("int64", (n,)))
    y, b = data.draw(tensor_arrays("float32", (m,)))
    assert_matches(minitorch.outer(x, y), np.outer(a, b).astype(np.float32), **TOL)
    assert_matches(x.ger(x), np.outer(a, a))


@FEW
@given(data=st.data(), sa=shapes(max_dims=3, max_side=3), sb=shapes(max_dims=3, max_side=3))
def test_kron_is_numpys(data, sa, sb):
    x, a = data.draw(tensor_arrays("float64", sa))
    y, b = data.draw(tensor_arrays("float64", sb))
    assert_matches(minitorch.kron(x, y), np.kron(a, b))


@FEW
@given(data=st.data(), shape=shapes(min_dims=1, max_dims=3, max_side=3, max_numel=27))
def test_cross_is_numpys(data, shape):
    dim = data.draw(st.integers(0, len(shape) - 1))
    shape = tuple(3 if d == dim else n for d, n in enumerate(shape))
    x, a = data.draw(tensor_arrays("float64", shape))
    y, b = data.draw(tensor_arrays("float64", shape))
    assert_matches(minitorch.cross(x, y, dim=dim), np.cross(a, b, axis=dim))


# ----- einsum --------------------------------------------------------------------------------
EQUATIONS = [  # (equation, operand shapes)
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("ii", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("iji->j", [(2, 3, 2)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("i,j->ij", [(2,), (3,)]),
    ("i,i", [(3,), (3,)]),
    ("ij,ij->i", [(2, 3), (2, 3)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 4)]),
    ("...ij->...ji", [(2, 1, 2, 3)]),
    ("...i,...i->...", [(2, 3), (1, 3)]),
    ("b...,b->...", [(2, 3, 2), (2,)]),
    ("Ba,aB", [(2, 3), (3, 2)]),
    ("i j , j k -> i k", [(2, 3), (3, 1)]),
    ("ab,cd->", [(2, 1), (1, 3)]),
]


@pytest.mark.parametrize("equation,operand_shapes", EQUATIONS, ids=[e for e, _ in EQUATIONS])
def test_einsum_is_numpys(equation, operand_shapes):
    rng = np.random.default_rng(len(equation))
    arrays_ = [rng.standard_normal(s) for s in operand_shapes]
    out = minitorch.einsum(equation, *[minitorch.tensor(a) for a in arrays_])
    assert_matches(out, np.einsum(equation.replace(" ", ""), *arrays_))
    listed = minitorch.einsum(equation, [minitorch.tensor(a) for a in arrays_])
    assert_matches(listed, np.einsum(equation.replace(" ", ""), *arrays_))
    check(lambda *xs: minitorch.einsum(equation, *xs), *[leaf(a) for a in arrays_])


def test_einsum_errors():
    x = minitorch.ones(3, 4)
    cases = [
        (("ij,jk->ik", x), "fewer operands were provided"),
        (("ij", x, x), "more operands were provided"),
        (("ij->k", x), "output subscript k does not appear"),
        (("ij->ii", x), "output subscript i appears more than once"),
        (("ijk", x), r"number of subscripts in the equation \(3\) does not match the number "
                     r"of dimensions \(2\) for operand 0"),
        (("ii->i", x), "subscript i is repeated for operand 0 but the sizes don't match"),
        (("ij,ij->", x, minitorch.ones(4, 4)), "subscript i has size 4 for operand 1 which "
                                               "does not broadcast with previously seen size 3"),
        (("i1", x), "invalid subscript given at index 1"),
        (("i.j", x), "not part of any ellipsis"),
    ]
    for args, message in cases:
        with pytest.raises(RuntimeError, match=message):
            minitorch.einsum(*args)


# ----- tensordot, cdist ------------------------------------------------------------------------
@FEW
@given(data=st.data(), k=st.integers(0, 2))
def test_tensordot_is_numpys(data, k):
    shared = data.draw(st.lists(st.integers(1, 3), min_size=k, max_size=k))
    lead = data.draw(st.lists(st.integers(0, 3), max_size=2))
    trail = data.draw(st.lists(st.integers(1, 3), max_size=2))
    x, a = data.draw(tensor_arrays("float64", tuple(lead + shared)))
    y, b = data.draw(tensor_arrays("float64", tuple(shared + trail)))
    assert_matches(minitorch.tensordot(x, y, dims=k), np.tensordot(a, b, axes=k))
    dims = (list(range(len(lead), len(lead) + k)), list(range(k)))
    assert_matches(minitorch.tensordot(x, y, dims=dims), np.tensordot(a, b, axes=dims))


def np_cdist(a, b, p):
    diff = np.abs(a[..., :, None, :] - b[..., None, :, :])
    if p == 0:
        return (diff != 0).sum(-1).astype(a.dtype)
    if p == math.inf:
        return diff.max(-1)
    return (diff ** p).sum(-1) ** (1 / p)


@FEW
@given(data=st.data(), p=st.sampled_from([0.0, 1.0, 1.5, 2.0, 3.0, math.inf]),
       batch=shapes(max_dims=1, max_side=2, allow_zero=False))
def test_cdist_is_numpys(data, p, batch):
    m = data.draw(st.integers(1, 3))
    x, a = data.draw(tensor_arrays("float64", batch + (data.draw(st.integers(0, 3)), m)))
    y, b = data.draw(tensor_arrays("float64", batch + (data.draw(st.integers(0, 3)), m)))
    assert_matches(minitorch.cdist(x, y, p=p), np_cdist(a, b, p))


def test_linalg_gradients_and_nodes():
    a = np.array([[0.3, -1.2, 2.5], [1.1, 0.2, -0.4]])
    b = np.array([[1.0, 0.5, -0.75], [0.1, 2.2, 0.45], [-1.5, 0.3, 0.9]])  # no tied |x - y|
    check(lambda x: x.trace(), leaf(b))
    check(lambda u, v: minitorch.outer(u, v), leaf(a[0]), leaf(b[1]))
    check(lambda x, y: minitorch.kron(x, y), leaf(a), leaf(b[:2, :2]))
    check(lambda x, y: minitorch.cross(x, y, dim=1), leaf(a), leaf(b[:1]))  # y broadcasts
    check(lambda x, y: minitorch.tensordot(x, y, dims=([1], [0])), leaf(a), leaf(b))
    for p in (1.0, 2.0, 3.0, math.inf):
        check(lambda x, y, p=p: minitorch.cdist(x, y, p=p), leaf(a), leaf(b))
    x, y = leaf(b), leaf(a)
    assert node(x.trace()) == "TraceBackward0"
    assert node(minitorch.outer(x[0], x[1])) == "MulBackward0"
    assert node(minitorch.kron(x, x)) == "UnsafeViewBackward0"
    assert node(minitorch.cross(x, x, dim=0)) == "LinalgCrossBackward0"
    assert node(minitorch.cdist(x, y)) == "CdistBackward0"


def test_cdist_gradient_at_distance_zero_is_zero():
    x = leaf([[1.0, 2.0]])
    minitorch.cdist(x, minitorch.tensor([[1.0, 2.0]], dtype=minitorch.float64)).sum().backward()
    assert_matches(x.grad, np.zeros((1, 2)))


def test_linalg_errors():
    x = minitorch.ones(3, 4)
    with pytest.raises(RuntimeError, match="trace: expected a matrix, but got tensor with dim 3"):
        minitorch.ones(2, 2, 2).trace()
    with pytest.raises(RuntimeError, match="outer: Expected 1-D argument vec2, but got 2-D"):
        minitorch.outer(minitorch.ones(2), x)
    with pytest.raises(RuntimeError, match="no dimension of size 3 in input"), \
            pytest.warns(UserWarning, match="without specifying the dim arg is deprecated"):
        minitorch.cross(minitorch.ones(2, 4), minitorch.ones(2, 4))
    with pytest.raises(RuntimeError, match="inputs dimension 0 must have length 3. Got 2 and 2"):
        minitorch.cross(minitorch.ones(2, 3), minitorch.ones(2, 3), dim=0)
    with pytest.raises(RuntimeError, match="contracted dimensions need to match"):
        minitorch.tensordot(x, x, dims=1)
    with pytest.raises(RuntimeError, match="tensordot expects dims >= 0"):
        minitorch.tensordot(x, x, dims=-1)
    with pytest.raises(RuntimeError, match="both dimension lists should have same length"):
        minitorch.tensordot(x, x, dims=([1, 0], [0]))
    with pytest.raises(RuntimeError, match="non-negative p values"):
        minitorch.cdist(x, x, p=-1)
    with pytest.raises(RuntimeError, match="same number of columns. X1: 4 X2: 3"):
        minitorch.cdist(x, minitorch.ones(2, 3))
    with pytest.raises(RuntimeError, match="at least 2D tensors, X1 got: 1D"):
        minitorch.cdist(minitorch.ones(3), x)
    with pytest.raises(RuntimeError, match="floating-point dtypes, X2 got: Long"):
        minitorch.cdist(x, x.long())
