"""`minitorch.autograd.gradcheck` of every differentiable tensor operation.

Each test draws small float64 inputs (often non-contiguous: strided slices, permutes, `.t()`,
`.expand`, see `strategies.tensors_from`), marks them `requires_grad`, and checks the Jacobian
that backward computes against central differences. Sizes stay at <= 12 elements: the backend
is pure Python and gradcheck runs one backward pass per output element.

Inputs avoid the points where an operation is not differentiable (0 for abs / relu, ties for
max / min, the bounds of clamp, the jumps of remainder), because there the central difference
is not a derivative.
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import arrays, broadcast_shape, broadcastable_shapes, numel, shapes, tensors_from

import minitorch
from minitorch import autograd

MAX = 12  # elements per tensor


def floats(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def away_from(points, margin, low=-4.0, high=4.0):
    """Floats in [low, high] at least `margin` from each of `points`."""
    return floats(low, high).filter(lambda v: all(abs(v - p) > margin for p in points))


ANY = floats(-3.0, 3.0)
POSITIVE = floats(0.2, 4.0)
NONZERO = st.one_of(floats(0.3, 3.0), floats(-3.0, -0.3))

small_shapes = shapes(max_dims=3, max_side=4, allow_zero=False, max_numel=MAX)
nonscalar_shapes = shapes(min_dims=1, max_dims=3, max_side=4, allow_zero=False, max_numel=MAX)


def small_broadcastable(n=2, min_dims=0):
    return broadcastable_shapes(n, min_dims=min_dims, max_dims=3, allow_zero=False).filter(
        lambda s: numel(broadcast_shape(*s)) <= MAX
    )


@st.composite
def leaves(draw, shape, elements=ANY, array=None):
    """A float64 leaf tensor that requires grad (often non-contiguous)."""
    a = array if array is not None else draw(arrays("float64", shape, elements_strategy=elements))
    t, _ = draw(tensors_from(np.asarray(a, dtype=np.float64)))
    return t.requires_grad_()


@st.composite
def distinct(draw, shape):
    """An array of `shape` whose values are all different (at least 0.37 apart)."""
    order = draw(st.permutations(range(numel(shape))))
    offset = draw(floats(-1.0, 1.0))
    return (np.array(order, dtype=np.float64) * 0.37 + offset - 1.0).reshape(shape)


@st.composite
def dims(draw, ndim, tuples=True, none=True):
    """A `dim` argument for a reduction over `ndim` dims: None, an int or a tuple (negatives
    included)."""
    kinds = (["none"] if none else []) + ["int"] + (["tuple"] if tuples and ndim else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return None
    n = max(ndim, 1)
    if kind == "int":
        return draw(st.integers(-n, n - 1))
    chosen = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(d - ndim if draw(st.booleans()) else d for d in chosen)


def reduced_count(shape, dim):
    if dim is None:
        return numel(shape)
    ds = dim if isinstance(dim, tuple) else (dim,)
    return math.prod(shape[d % len(shape)] for d in ds) if shape else 1


def check(fn, *inputs):
    assert autograd.gradcheck(fn, inputs)


# --------------------------------------------------------------------------------------------
# elementwise


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "add_alpha": lambda a, b: a.add(b, alpha=2.5),
    "sub_alpha": lambda a, b: a.sub(b, alpha=-1.5),
    "maximum": lambda a, b: minitorch.maximum(a, b),
    "minimum": lambda a, b: minitorch.minimum(a, b),
    "pow": lambda a, b: a**b,
}
BINARY_ELEMENTS = {
    "div": (ANY, NONZERO),
    "pow": (POSITIVE, floats(-2.0, 2.0)),
    # max / min: no ties (values a + 0.25 and b + 0.75 for integers a, b)
    "maximum": (st.integers(-4, 4).map(lambda k: k + 0.25),
                st.integers(-4, 4).map(lambda k: k + 0.75)),
    "minimum": (st.integers(-4, 4).map(lambda k: k + 0.25),
                st.integers(-4, 4).map(lambda k: k + 0.75)),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_ops_with_broadcasting(name, data):
    shape_a, shape_b = data.draw(small_broadcastable(2))
    ea, eb = BINARY_ELEMENTS.get(name, (ANY, ANY))
    a = data.draw(leaves(shape_a, ea))
    b = data.draw(leaves(shape_b, eb))
    check(BINARY[name], a, b)


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_ops_gradient_of_one_side(name, data):
    """Only one operand requires grad (the other is a constant tensor)."""
    shape_a, shape_b = data.draw(small_broadcastable(2))
    ea, eb = BINARY_ELEMENTS.get(name, (ANY, ANY))
    a = data.draw(leaves(shape_a, ea))
    b = data.draw(leaves(shape_b, eb))
    if data.draw(st.booleans()):
        check(lambda x: BINARY[name](x, b.detach()), a)
    else:
        check(lambda y: BINARY[name](a.detach(), y), b)


SCALAR_OPS = {
    "t+c": (lambda x: x + 2.5, ANY),
    "c+t": (lambda x: 2.5 + x, ANY),
    "t-c": (lambda x: x - 1.25, ANY),
    "c-t": (lambda x: 1.25 - x, ANY),
    "t*c": (lambda x: x * -1.5, ANY),
    "c*t": (lambda x: 3 * x, ANY),
    "t/c": (lambda x: x / 4.0, ANY),
    "c/t": (lambda x: 3.0 / x, NONZERO),
    "t**2": (lambda x: x**2, ANY),
    "t**3": (lambda x: x**3, ANY),
    "t**0": (lambda x: x**0, ANY),
    "t**-1": (lambda x: x**-1, NONZERO),
    "t**-2.5": (lambda x: x**-2.5, POSITIVE),
    "t**0.5": (lambda x: x**0.5, POSITIVE),
    "t**1.5": (lambda x: x**1.5, POSITIVE),
    "pow(t,3)": (lambda x: x.pow(3), ANY),
    "square": (lambda x: x.square(), ANY),
    "2**t": (lambda x: 2.0**x, floats(-2.0, 2.0)),
    "0.5**t": (lambda x: 0.5**x, floats(-2.0, 2.0)),
    "3**t(int base)": (lambda x: 3**x, floats(-2.0, 2.0)),
    "minitorch.pow(2,t)": (lambda x: minitorch.pow(2.0, x), floats(-2.0, 2.0)),
    "maximum(t,c)": (lambda x: x.maximum(minitorch.tensor(0.5, dtype=minitorch.float64)),
                     away_from([0.5], 0.05)),
}


@pytest.mark.parametrize("name", sorted(SCALAR_OPS))
@given(data=st.data())
def test_ops_with_python_numbers(name, data):
    fn, elements = SCALAR_OPS[name]
    x = data.draw(leaves(data.draw(small_shapes), elements))
    check(fn, x)


UNARY = {
    "neg": (lambda x: -x, ANY),
    "neg()": (lambda x: x.neg(), ANY),
    "abs": (lambda x: x.abs(), NONZERO),
    "exp": (lambda x: x.exp(), ANY),
    "log": (lambda x: x.log(), POSITIVE),
    "sqrt": (lambda x: x.sqrt(), POSITIVE),
    "sin": (lambda x: x.sin(), ANY),
    "cos": (lambda x: x.cos(), ANY),
    "tanh": (lambda x: x.tanh(), ANY),
    "sigmoid": (lambda x: x.sigmoid(), floats(-6.0, 6.0)),
    "relu": (lambda x: x.relu(), NONZERO),
    "minitorch.exp": (lambda x: minitorch.exp(x), ANY),
    "minitorch.relu": (lambda x: minitorch.relu(x), NONZERO),
    "erf": (lambda x: x.erf(), ANY),
    "minitorch.erf": (lambda x: minitorch.erf(x), ANY),
    "reciprocal": (lambda x: x.reciprocal(), NONZERO),
    "log1p": (lambda x: x.log1p(), floats(-0.7, 3.0)),
    "clamp_min": (lambda x: x.clamp_min(0.5), away_from([0.5], 0.05)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_ops(name, data):
    fn, elements = UNARY[name]
    x = data.draw(leaves(data.draw(small_shapes), elements))
    check(fn, x)


CLAMPS = [(-1.5, None), (None, 0.5), (-1.5, 0.5), (0.5, 2.0)]


@pytest.mark.parametrize("bounds", CLAMPS, ids=str)
@given(data=st.data())
def test_clamp_with_number_bounds(bounds, data):
    low, high = bounds
    x = data.draw(leaves(data.draw(small_shapes), away_from([-1.5, 0.5, 2.0], 0.05)))
    check(lambda t: t.clamp(low, high), x)
    check(lambda t: minitorch.clamp(t, min=low, max=high), x)


@given(data=st.data())
def test_where(data):
    shape_c, shape_a, shape_b = data.draw(small_broadcastable(3))
    cond = minitorch.from_numpy(data.draw(arrays("bool", shape_c)))
    a = data.draw(leaves(shape_a))
    b = data.draw(leaves(shape_b))
    check(lambda x, y: minitorch.where(cond, x, y), a, b)
    check(lambda x: minitorch.where(cond, x, 0.5), a)
    check(lambda y: minitorch.where(cond, -1.0, y), b)
    check(lambda x: x.where(cond, b), a)


def _off_jumps(q):
    """A quotient that is at least 0.1 away from an integer (where remainder jumps)."""
    return q.filter(lambda v: abs(v - round(v)) > 0.1)


@given(data=st.data())
def test_remainder_by_a_number(data):
    divisor = data.draw(st.sampled_from([1.5, 0.75, -2.0, 3]))
    shape = data.draw(small_shapes)
    q = data.draw(arrays("float64", shape, elements_strategy=_off_jumps(floats(-4.0, 4.0))))
    x = data.draw(leaves(shape, array=q * divisor))
    check(lambda t: t % divisor, x)
    check(lambda t: t.remainder(divisor), x)


@given(data=st.data())
def test_remainder_of_two_tensors(data):
    shape_b, shape = data.draw(small_broadcastable(2))
    shape = broadcast_shape(shape_b, shape)
    b_arr = data.draw(arrays("float64", shape_b, elements_strategy=NONZERO))
    q = data.draw(arrays("float64", shape, elements_strategy=_off_jumps(floats(-3.0, 3.0))))
    a = data.draw(leaves(shape, array=q * b_arr))
    b = data.draw(leaves(shape_b, array=b_arr))
    check(lambda x, y: x % y, a, b)


# --------------------------------------------------------------------------------------------
# reductions


@pytest.mark.parametrize("name", ["sum", "mean", "prod"])
@given(data=st.data())
def test_sum_mean_prod(name, data):
    shape = data.draw(small_shapes)
    dim = data.draw(dims(len(shape)))
    keepdim = data.draw(st.booleans())
    # prod: zeros now and then (one zero and several zeros have their own gradient rules)
    elements = st.one_of(st.just(0.0), ANY) if name == "prod" else ANY
    x = data.draw(leaves(shape, elements))
    if dim is None:
        check(lambda t: getattr(t, name)(), x)
    else:
        check(lambda t: getattr(t, name)(dim, keepdim=keepdim), x)
        check(lambda t: getattr(minitorch, name)(t, dim=dim, keepdim=keepdim), x)


@pytest.mark.parametrize("name", ["amax", "amin"])
@given(data=st.data())
def test_amax_amin(name, data):
    shape = data.draw(small_shapes)
    dim = data.draw(dims(len(shape), none=False))
    keepdim = data.draw(st.booleans())
    x = data.draw(leaves(shape, array=data.draw(distinct(shape))))
    check(lambda t: getattr(t, name)(dim, keepdim=keepdim), x)
    check(lambda t: getattr(t, name)(), x)


@pytest.mark.parametrize("name", ["max", "min"])
@given(data=st.data())
def test_max_min(name, data):
    shape = data.draw(small_shapes)
    x = data.draw(leaves(shape, array=data.draw(distinct(shape))))
    check(lambda t: getattr(t, name)(), x)
    n = max(len(shape), 1)
    dim = data.draw(st.integers(-n, n - 1))
    keepdim = data.draw(st.booleans())
    check(lambda t: getattr(t, name)(dim, keepdim=keepdim).values, x)
    check(lambda t: getattr(t, name)(dim=dim, keepdim=keepdim)[0], x)
    check(lambda t: getattr(minitorch, name)(t, dim), x)


@pytest.mark.parametrize("name", ["var", "std"])
@given(data=st.data())
def test_var_std(name, data):
    shape = data.draw(small_shapes)
    dim = data.draw(dims(len(shape)))
    keepdim = data.draw(st.booleans())
    correction = data.draw(st.sampled_from([0, 1]))
    # std is not differentiable where it is 0 (a single element without correction)
    assume(reduced_count(shape, dim) > max(correction, name == "std"))
    x = data.draw(leaves(shape, array=data.draw(distinct(shape))))  # std > 0
    check(lambda t: getattr(t, name)(dim, keepdim=keepdim, correction=correction), x)
    if dim is None and numel(shape) > 1:
        check(lambda t: getattr(t, name)(), x)
        check(lambda t: getattr(t, name)(unbiased=False), x)


@pytest.mark.parametrize("name", ["logsumexp", "softmax", "log_softmax"])
@given(data=st.data())
def test_logsumexp_softmax_log_softmax(name, data):
    shape = data.draw(small_shapes)
    x = data.draw(leaves(shape, floats(-5.0, 5.0)))
    n = max(len(shape), 1)
    dim = data.draw(st.integers(-n, n - 1))
    if name == "logsumexp":
        keepdim = data.draw(st.booleans())
        check(lambda t: t.logsumexp(dim, keepdim=keepdim), x)
        check(lambda t: minitorch.logsumexp(t, (dim,)), x)
    else:
        check(lambda t: getattr(t, name)(dim), x)
        check(lambda t: getattr(minitorch, name)(t, dim=dim), x)


@given(data=st.data())
def test_gather(data):
    shape = data.draw(nonscalar_shapes)
    x = data.draw(leaves(shape))
    n = len(shape)
    d = data.draw(st.integers(-n, n - 1))
    index_shape = tuple(data.draw(st.integers(1, 3)) if i == d % n else
                        data.draw(st.integers(1, size)) for i, size in enumerate(shape))
    index = minitorch.from_numpy(data.draw(arrays("int64", index_shape, low=0,
                                                  high=shape[d] - 1)))
    check(lambda t: t.gather(d, index), x)  # repeated indices: their gradients add up
    check(lambda t: minitorch.gather(t, d, index) * 2, x)


@given(data=st.data())
def test_masked_fill(data):
    shape_m, shape_x = data.draw(small_broadcastable(2))
    assume(broadcast_shape(shape_m, shape_x) == shape_x)
    mask = minitorch.from_numpy(data.draw(arrays("bool", shape_m)))
    x = data.draw(leaves(shape_x))
    value = minitorch.tensor(0.75, dtype=minitorch.float64, requires_grad=True)
    check(lambda t: t.masked_fill(mask, -1.5), x)
    check(lambda t, v: t.masked_fill(mask, v), x, value)
    check(lambda t: minitorch.masked_fill(t * 2, mask, 0.0), x)


# --------------------------------------------------------------------------------------------
# matrix products

MATMUL_SHAPES = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 2)),
    ((2, 3), (3, 2)),
    ((1, 1), (1, 1)),
    ((2, 2, 3), (2, 3, 2)),
    ((2, 2, 3), (3, 2)),
    ((2, 3), (2, 3, 2)),
    ((2, 1, 2, 2), (3, 2, 1)),
    ((3,), (2, 3, 2)),
    ((2, 2, 3), (3,)),
    ((1, 2, 3), (2, 3, 1)),
]


@pytest.mark.parametrize("shape_a,shape_b", MATMUL_SHAPES, ids=str)
@settings(max_examples=15)
@given(data=st.data())
def test_matmul(shape_a, shape_b, data):
    a = data.draw(leaves(shape_a))
    b = data.draw(leaves(shape_b))
    check(lambda x, y: x @ y, a, b)
    check(lambda x, y: minitorch.matmul(x, y), a, b)


@given(data=st.data(), n=st.integers(1, 3), m=st.integers(1, 3), p=st.integers(1, 3))
def test_mm_bmm_mv_dot(data, n, m, p):
    a = data.draw(leaves((n, m)))
    b = data.draw(leaves((m, p)))
    v = data.draw(leaves((m,)))
    w = data.draw(leaves((m,)))
    check(lambda x, y: x.mm(y), a, b)
    check(lambda x, y: x.mv(y), a, v)
    check(lambda x, y: x.dot(y), v, w)
    check(lambda x, y: minitorch.dot(x, y), v, w)
    batch = data.draw(leaves((2, n, m)))
    batch2 = data.draw(leaves((2, m, p)))
    check(lambda x, y: x.bmm(y), batch, batch2)


# --------------------------------------------------------------------------------------------
# shape operations


@st.composite
def reshapes(draw, shape):
    """A shape with the same number of elements, sometimes with a -1."""
    n = numel(shape)
    factors = []
    rest = n
    while rest > 1 and len(factors) < 3:
        f = draw(st.sampled_from([d for d in range(1, rest + 1) if rest % d == 0]))
        factors.append(f)
        rest //= f
    factors.append(rest)
    if draw(st.booleans()):
        factors.insert(draw(st.integers(0, len(factors))), 1)
    if factors and draw(st.booleans()):
        factors[draw(st.integers(0, len(factors) - 1))] = -1
    return tuple(factors)


@given(data=st.data())
def test_view_reshape_flatten(data):
    shape = data.draw(small_shapes)
    new = data.draw(reshapes(shape))
    x = data.draw(leaves(shape))
    check(lambda t: t.reshape(new), x)
    check(lambda t: t.reshape(*new) * 1.5, x)
    check(lambda t: t.contiguous().view(new), x)
    check(lambda t: t.flatten(), x)
    if len(shape) >= 2:
        start = data.draw(st.integers(-len(shape), len(shape) - 1))
        end = data.draw(st.integers(start % len(shape), len(shape) - 1))
        check(lambda t: t.flatten(start, end), x)
    check(lambda t: minitorch.reshape(t, (-1,)), x)


@given(data=st.data())
def test_permute_transpose(data):
    shape = data.draw(small_shapes)
    x = data.draw(leaves(shape))
    order = data.draw(st.permutations(range(len(shape))))
    check(lambda t: t.permute(*order), x)
    check(lambda t: t.permute(order) * t.permute(order).exp(), x)
    check(lambda t: t.T, x)
    if len(shape) >= 1:
        n = len(shape)
        d0, d1 = data.draw(st.integers(-n, n - 1)), data.draw(st.integers(-n, n - 1))
        check(lambda t: t.transpose(d0, d1), x)
    if len(shape) <= 2:
        check(lambda t: t.t(), x)
    if len(shape) >= 2:
        check(lambda t: t.mT, x)


@given(data=st.data())
def test_expand(data):
    shape = data.draw(shapes(max_dims=2, max_side=3, allow_zero=False, max_numel=6))
    x = data.draw(leaves(shape))
    lead = data.draw(st.lists(st.integers(1, 2), max_size=1))
    target = tuple(lead) + tuple(data.draw(st.integers(1, 2)) if s == 1 else s for s in shape)
    assume(numel(target) <= MAX)
    check(lambda t: t.expand(*target), x)
    check(lambda t: t.expand(target) * t.expand(target), x)
    with_minus = tuple(lead) + (-1,) * len(shape)
    check(lambda t: t.expand(*with_minus), x)


@given(data=st.data())
def test_squeeze_unsqueeze(data):
    shape = data.draw(small_shapes)
    x = data.draw(leaves(shape))
    n = len(shape)
    check(lambda t: t.squeeze(), x)
    if n:
        d = data.draw(st.integers(-n, n - 1))
        check(lambda t: t.squeeze(d), x)
    u = data.draw(st.integers(-n - 1, n))
    check(lambda t: t.unsqueeze(u), x)
    check(lambda t: t.unsqueeze(u).squeeze(u), x)


@given(data=st.data())
def test_narrow_select(data):
    shape = data.draw(nonscalar_shapes)
    x = data.draw(leaves(shape))
    n = len(shape)
    d = data.draw(st.integers(-n, n - 1))
    size = shape[d]
    start = data.draw(st.integers(0, size - 1))
    length = data.draw(st.integers(1, size - start))
    check(lambda t: t.narrow(d, start, length), x)
    i = data.draw(st.integers(-size, size - 1))
    check(lambda t: t.select(d, i), x)


@given(data=st.data())
def test_split_chunk_unbind(data):
    shape = data.draw(nonscalar_shapes)
    x = data.draw(leaves(shape))
    n = len(shape)
    d = data.draw(st.integers(-n, n - 1))
    size = shape[d]
    k = data.draw(st.integers(1, size + 1))
    check(lambda t: t.split(k, d), x)
    cuts = sorted(data.draw(st.lists(st.integers(0, size), max_size=2)))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, size])]
    check(lambda t: t.split(sizes, dim=d), x)
    check(lambda t: t.chunk(k, d), x)
    check(lambda t: t.unbind(d), x)
    # the pieces used again together: gradients of all the pieces meet in x
    check(lambda t: sum((p * (i + 1) for i, p in enumerate(t.unbind(d))), start=t.select(d, 0)),
          x)


@given(data=st.data(), count=st.integers(1, 3))
def test_cat(data, count):
    base = data.draw(shapes(min_dims=1, max_dims=3, max_side=3, allow_zero=False, max_numel=6))
    n = len(base)
    d = data.draw(st.integers(-n, n - 1))
    parts = []
    for _ in range(count):
        shape = list(base)
        shape[d] = data.draw(st.integers(0, 2))  # a piece of size 0 along dim is allowed
        parts.append(data.draw(leaves(tuple(shape))))
    assume(sum(p.numel() for p in parts) >= 1)
    check(lambda *ts: minitorch.cat(ts, dim=d), *parts)
    check(lambda *ts: minitorch.cat(list(ts), d) * 2, *parts)


@given(data=st.data(), count=st.integers(1, 3))
def test_stack(data, count):
    shape = data.draw(shapes(max_dims=2, max_side=3, allow_zero=False, max_numel=4))
    parts = [data.draw(leaves(shape)) for _ in range(count)]
    n = len(shape) + 1
    d = data.draw(st.integers(-n, n - 1))
    check(lambda *ts: minitorch.stack(ts, dim=d), *parts)
    check(lambda t: minitorch.stack([t, t.exp(), t], d), parts[0])


# --------------------------------------------------------------------------------------------
# indexing


@st.composite
def basic_keys(draw, shape):
    """A key of ints, slices (steps > 0), None and at most one Ellipsis."""
    items = []
    for size in shape:
        kind = draw(st.sampled_from(["int", "slice", "full"]))
        if kind == "int":
            items.append(draw(st.integers(-size, size - 1)))
        elif kind == "slice":
            start = draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
            stop = draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
            step = draw(st.one_of(st.none(), st.integers(1, 3)))
            items.append(slice(start, stop, step))
        else:
            items.append(slice(None))
    items = items[: draw(st.integers(0, len(items)))]
    if draw(st.booleans()):
        i = draw(st.integers(0, len(items)))
        j = draw(st.integers(i, len(items)))
        items[i:j] = [Ellipsis]
    for _ in range(draw(st.integers(0, 2))):
        items.insert(draw(st.integers(0, len(items))), None)
    return tuple(items)


@given(data=st.data())
def test_basic_indexing(data):
    shape = data.draw(small_shapes)
    x = data.draw(leaves(shape))
    key = data.draw(basic_keys(shape))
    assume(x.detach()[key].numel() >= 1)
    check(lambda t: t[key], x)
    if len(key) == 1:
        check(lambda t: t[key[0]], x)


@given(data=st.data())
def test_integer_index_lists_and_tensors_with_repeats(data):
    shape = data.draw(nonscalar_shapes)
    x = data.draw(leaves(shape))
    size = shape[0]
    index = data.draw(st.lists(st.integers(-size, size - 1), min_size=1, max_size=5))
    check(lambda t: t[index], x)
    as_tensor = minitorch.tensor(index)
    check(lambda t: t[as_tensor], x)
    rows = minitorch.tensor(np.array(index[: len(index) // 2 * 2]).reshape(-1, 2)) \
        if len(index) >= 2 else as_tensor
    check(lambda t: t[rows], x)
    if len(shape) >= 2:
        cols = data.draw(st.lists(st.integers(0, shape[1] - 1), min_size=1, max_size=4))
        check(lambda t: t[:, cols], x)
        pairs = data.draw(st.lists(st.tuples(st.integers(0, size - 1),
                                             st.integers(0, shape[1] - 1)), min_size=1,
                                   max_size=4))
        r, c = [p[0] for p in pairs], [p[1] for p in pairs]
        check(lambda t: t[r, c], x)
        check(lambda t: t[minitorch.tensor(r), minitorch.tensor(c)] * 3, x)
        check(lambda t: t[0, cols], x)


@given(data=st.data())
def test_boolean_masks(data):
    shape = data.draw(nonscalar_shapes)
    x = data.draw(leaves(shape))
    mask = data.draw(arrays("bool", shape).filter(np.any))  # (empty results: see the end)
    check(lambda t: t[minitorch.from_numpy(mask)], x)
    fixed = x.detach() > 0  # computed once: the mask must not move with the perturbations
    assume(fixed.any().item())
    check(lambda t: t[fixed] * 2, x)
    first = data.draw(arrays("bool", shape[:1]).filter(np.any))
    check(lambda t: t[minitorch.from_numpy(first)], x)


# --------------------------------------------------------------------------------------------
# conversions and copies


@given(data=st.data())
def test_to_clone_contiguous(data):
    x = data.draw(leaves(data.draw(small_shapes)))
    check(lambda t: t.to(minitorch.float64), x)
    check(lambda t: t.double() * 2, x)
    check(lambda t: t.clone(), x)
    check(lambda t: t.clone() * t, x)
    check(lambda t: t.contiguous(), x)
    check(lambda t: t.t().contiguous() if t.dim() <= 2 else t.contiguous(), x)


@given(data=st.data())
def test_float32_round_trip_carries_the_gradient(data):
    """x (float64) -> float32 -> float64: the gradient is 1 per element, in x's dtype; a
    float32 leaf gets a float32 gradient back from a float64 computation."""
    shape = data.draw(small_shapes)
    a = data.draw(arrays("float64", shape, elements_strategy=ANY))
    x = data.draw(leaves(shape, array=a))
    y = x.to(minitorch.float32).to(minitorch.float64)
    (y * 3).sum().backward()
    assert x.grad.dtype == minitorch.float64
    np.testing.assert_allclose(x.grad.numpy(), np.full(shape, 3.0))
    x32 = minitorch.from_numpy(a.astype(np.float32)).requires_grad_()
    z = x32.to(minitorch.float64)
    assert z.dtype == minitorch.float64
    (z * z).sum().backward()
    assert x32.grad.dtype == minitorch.float32
    np.testing.assert_allclose(x32.grad.numpy(), 2 * a.astype(np.float32), rtol=1e-6)


# --------------------------------------------------------------------------------------------
# graphs: one input used many times, diamonds, non-contiguous inputs


GRAPHS = {
    "x*x": lambda x: x * x,
    "x+x": lambda x: x + x,
    "x+x.exp()*x": lambda x: x + x.exp() * x,
    "x/x.exp()": lambda x: x / x.exp(),
    "diamond": lambda x: (lambda h: h.sin() * h.cos() + h)(x * 2),
    "double diamond": lambda x: (lambda h: (lambda g: g * h + g.tanh())(h.exp() + h))(x.sigmoid()),
    "sum of itself": lambda x: x * x.sum(),
    "mean-centred": lambda x: x - x.mean(),
    "softmax": lambda x: x.exp() / x.exp().sum(),
    "x@x.T": lambda x: x.reshape(x.numel(), 1) @ x.reshape(1, x.numel()),
    "where of itself": lambda x: minitorch.where(x.detach() > 0, x * x, x * x * x),
    "chain of views": lambda x: x.reshape(-1).unsqueeze(0).expand(2, -1).t() * x.reshape(-1, 1),
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
@given(data=st.data())
def test_graphs_that_reuse_an_input(name, data):
    x = data.draw(leaves(data.draw(small_shapes)))
    check(GRAPHS[name], x)


@given(data=st.data())
def test_two_inputs_meeting_in_a_diamond(data):
    shape_a, shape_b = data.draw(small_broadcastable(2))
    a = data.draw(leaves(shape_a))
    b = data.draw(leaves(shape_b))

    def f(x, y):
        h = x * y
        left, right = h.tanh(), h * x
        return (left + right - y).sum(dim=-1) if h.dim() else left + right

    check(f, a, b)


def test_non_contiguous_inputs_by_construction():
    base = np.arange(1.0, 13.0).reshape(3, 4) / 7
    transposed = minitorch.from_numpy(base.T.copy()).t().requires_grad_()
    sliced = minitorch.from_numpy(np.arange(24.0).reshape(4, 6) / 9)[::2, 1::2].requires_grad_()
    expanded = minitorch.from_numpy(np.array([[0.3, -0.7, 1.1]])).expand(4, 3).requires_grad_()
    assert not transposed.is_contiguous() and not sliced.is_contiguous()
    check(lambda t: t * t.exp(), transposed)
    check(lambda t, s: t[:2, :3] * s, transposed, sliced)
    check(lambda e: (e * e).sum(0), expanded)
    check(lambda t, e: t @ e, transposed, expanded)


# --------------------------------------------------------------------------------------------
# second derivatives (create_graph=True)


def test_second_derivative_of_a_cube_is_6x():
    x = minitorch.tensor([-1.5, 0.5, 2.0, 3.0], dtype=minitorch.float64, requires_grad=True)
    (g,) = autograd.grad((x**3).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), 3 * np.array([-1.5, 0.5, 2.0, 3.0]) ** 2)
    assert g.requires_grad
    (h,) = autograd.grad(g.sum(), x, retain_graph=True)
    np.testing.assert_allclose(h.numpy(), 6 * np.array([-1.5, 0.5, 2.0, 3.0]))
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * np.array([-1.5, 0.5, 2.0, 3.0]))


SECOND_ORDER = {
    "x**3": (lambda x: x**3, ANY),
    "x**2.5": (lambda x: x**2.5, POSITIVE),
    "2**x": (lambda x: 2.0**x, ANY),
    "exp*x": (lambda x: x.exp() * x, ANY),
    "sin": (lambda x: x.sin(), ANY),
    "cos": (lambda x: x.cos(), ANY),
    "tanh": (lambda x: x.tanh(), ANY),
    "sigmoid": (lambda x: x.sigmoid(), ANY),
    "log": (lambda x: x.log(), POSITIVE),
    "sqrt": (lambda x: x.sqrt(), POSITIVE),
    "1/x": (lambda x: 1.0 / x, NONZERO),
    "abs*x": (lambda x: x.abs() * x, NONZERO),
    "relu*x": (lambda x: x.relu() * x, NONZERO),
    "prod": (lambda x: x.prod(), ANY),
    "softmax": (lambda x: x.exp() / x.exp().sum(), ANY),
    "var": (lambda x: x.var() if x.numel() > 1 else x * x, ANY),
    "x@x": (lambda x: x.reshape(-1) @ x.reshape(-1).sin(), ANY),
    "index": (lambda x: (x.reshape(-1)[[0, 0, -1]] ** 3), ANY),
    "max": (lambda x: x.max() ** 2, None),
    "clamp": (lambda x: x.clamp(-1.0, 1.0) ** 3, away_from([-1.0, 1.0], 0.05)),
    "maximum": (lambda x: minitorch.maximum(x, x.sin() + 0.5) ** 2, None),
    "softmax()": (lambda x: x.softmax(-1) * x, ANY),
    "log_softmax()": (lambda x: x.log_softmax(0) ** 2, ANY),
    "logsumexp()": (lambda x: x.logsumexp(-1) ** 2, ANY),
    "erf": (lambda x: x.erf(), ANY),
    "reciprocal": (lambda x: x.reciprocal(), NONZERO),
    "log1p": (lambda x: x.log1p(), POSITIVE),
    "gather": (lambda x: x.gather(0, minitorch.zeros(x.shape, dtype=minitorch.int64)) * x, ANY),
}


def _first_derivative(fn):
    """x -> d(sum fn(x))/dx, recorded (create_graph=True) so it can be differentiated."""

    def grad_fn(x):
        with minitorch.enable_grad():
            x = x if x.requires_grad else x.detach().requires_grad_()
            (g,) = autograd.grad(fn(x).sum(), x, create_graph=True)
        return g

    return grad_fn


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
@settings(max_examples=15)
@given(data=st.data())
def test_second_derivatives_by_gradcheck_of_the_gradient(name, data):
    """The backward formulas are tensor operations, so the gradient is itself differentiable
    and gradcheck of x -> grad(f)(x) checks the second derivative (gradgradcheck)."""
    fn, elements = SECOND_ORDER[name]
    shape = data.draw(shapes(min_dims=1, max_dims=2, max_side=3, allow_zero=False, max_numel=6))
    if elements is None:
        x = data.draw(leaves(shape, array=data.draw(distinct(shape))))
    else:
        x = data.draw(leaves(shape, elements))
    check(_first_derivative(fn), x)


def test_gradcheck_of_a_function_that_calls_autograd_grad():
    """Written as in PyTorch: gradcheck(lambda x: grad(f(x), x, create_graph=True)[0], ...)
    (torch.autograd.gradcheck accepts this; the function differentiates its own input)."""
    x = minitorch.tensor([-1.5, 0.5, 2.0], dtype=minitorch.float64, requires_grad=True)
    check(lambda t: autograd.grad((t**3).sum(), t, create_graph=True)[0], x)


@given(data=st.data())
def test_mixed_second_derivatives(data):
    shape_a, shape_b = data.draw(small_broadcastable(2, min_dims=1))
    a = data.draw(leaves(shape_a))
    b = data.draw(leaves(shape_b))

    def grad_wrt_a(x, y):
        with minitorch.enable_grad():
            x = x if x.requires_grad else x.detach().requires_grad_()
            (g,) = autograd.grad((x * y.sin() * x).sum(), x, create_graph=True)
        return g

    check(grad_wrt_a, a, b)


# --------------------------------------------------------------------------------------------
# gradcheck itself


def test_gradcheck_catches_a_wrong_backward():
    class WrongSquare(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x  # should be 2 * x

    x = minitorch.tensor([1.0, -2.0], dtype=minitorch.float64, requires_grad=True)
    with pytest.raises(autograd.GradcheckError, match="Jacobian mismatch"):
        autograd.gradcheck(WrongSquare.apply, (x,))
    assert autograd.gradcheck(WrongSquare.apply, (x,), raise_exception=False) is False


def test_gradcheck_of_empty_tensors():
    """torch.autograd.gradcheck returns True for an op on a 0-element input."""
    x = minitorch.zeros(0, 3, dtype=minitorch.float64, requires_grad=True)
    check(lambda t: t * 2, x)
    check(lambda t: t.sum(0), x)


def test_gradcheck_leaves_non_tensor_inputs_and_outputs_alone():
    """Non-tensor inputs go to `func` unchanged and are not differentiated; non-tensor and
    integer outputs are not compared (as torch.autograd.gradcheck)."""
    x = minitorch.tensor([1.0, -2.0], dtype=minitorch.float64, requires_grad=True)
    assert autograd.gradcheck(lambda t, n: (t * n, n, t.argmax()), (x, 3))
    with pytest.raises(ValueError, match="at least one input tensor"):
        autograd.gradcheck(lambda n: n * 2, (3.0,))
