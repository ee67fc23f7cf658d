"""Hypothesis strategies and helpers shared by the property-based minitorch tests.

Everything here compares minitorch with NumPy. Shapes are kept small (at most ~60 elements)
because the reference backend is pure Python.

The main pieces:

- `shapes()`: shapes with 0-4 dims, including 0-d, size-1 and size-0 dims.
- `broadcastable_shapes(n)`: `n` shapes that broadcast together.
- `dtypes()`: one of the five minitorch dtype names.
- `arrays(dtype, shape)`: NumPy arrays with values in safe ranges.
- `tensors_from(array)`: a minitorch tensor with the array's values, built in one of several
  ways, many of them non-contiguous (strided slices, permutes, `.t()`, `.expand`).
- `tensor_arrays(dtype, shape)`: both at once, returns `(tensor, array)`.
- `assert_matches(t, expected, dtype=...)`: shape, dtype and values of a tensor.
- `expected_dtype(...)`: PyTorch's type-promotion rules, written out as a table.
"""

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minitorch

DTYPE_NAMES = ("bool", "int32", "int64", "float32", "float64")
INT_NAMES = ("int32", "int64")
FLOAT_NAMES = ("float32", "float64")
NUMERIC_NAMES = INT_NAMES + FLOAT_NAMES

MAX_NUMEL = 60

# ---------------------------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------------------------


def mt_dtype(name):
    """The minitorch dtype object called `name` (e.g. "float32" -> minitorch.float32)."""
    return getattr(minitorch, str(np.dtype(name)))


def np_dtype(name):
    return np.dtype(name)


def dtypes(names=DTYPE_NAMES):
    """One of the dtype names (shrinks toward the first)."""
    return st.sampled_from(tuple(names))


# Category of each dtype: bool < integer < floating. Within a category, the order is the width.
_CATEGORY = {"bool": 0, "int32": 1, "int64": 1, "float32": 2, "float64": 2}
_ORDER = {"bool": 0, "int32": 1, "int64": 2, "float32": 3, "float64": 4}
# The dtype a Python scalar of each category stands for (floats: the default dtype).
_SCALAR_DTYPE = {bool: "bool", int: "int64", float: "float32"}


def category(name):
    return _CATEGORY[str(np.dtype(name))]


def promote_names(*names):
    """The widest of `names` (promote_types: the larger category, then the larger width)."""
    return max((str(np.dtype(n)) for n in names), key=_ORDER.__getitem__)


def scalar_dtype(value):
    """The dtype name a Python scalar participates in promotion with."""
    for kind in (bool, int, float):
        if type(value) is kind:
            return _SCALAR_DTYPE[kind]
    raise TypeError(f"not a Python scalar: {value!r}")


def expected_dtype(*operands):
    """PyTorch's result dtype for an elementwise op.

    Each operand is one of:
    - ("dim", name): a tensor with at least one dimension,
    - ("zero", name): a 0-d tensor,
    - a Python scalar (bool, int, float).

    Rules: dimensioned tensors decide; 0-d tensors, then Python scalars, only change the result
    when they are of a higher category (then the result is their own promoted dtype; Python
    ints are int64 and Python floats the default float32).
    """
    groups = {"dim": [], "zero": [], "scalar": []}
    for op in operands:
        if isinstance(op, tuple):
            kind, name = op
            groups[kind].append(str(np.dtype(name)))
        else:
            groups["scalar"].append(scalar_dtype(op))
    result = None
    for kind in ("dim", "zero", "scalar"):
        if not groups[kind]:
            continue
        group = promote_names(*groups[kind])
        if result is None or _CATEGORY[group] > _CATEGORY[result]:
            result = group
    return result


def operand(shape, name):
    """The promotion operand describing a tensor of `shape` and dtype `name`."""
    return ("zero" if len(shape) == 0 else "dim", name)


def floating(name):
    """The dtype of a float-only op (exp, true division, ...) on an input of dtype `name`."""
    return name if category(name) == 2 else "float32"


# ---------------------------------------------------------------------------------------------
# shapes
# ---------------------------------------------------------------------------------------------


@st.composite
def shapes(draw, min_dims=0, max_dims=4, max_side=5, allow_zero=True, max_numel=MAX_NUMEL):
    """A shape with `min_dims`..`max_dims` dims and at most `max_numel` elements.

    Sizes 1 are common; size 0 appears now and then (when `allow_zero`).
    """
    ndim = draw(st.integers(min_dims, max_dims))
    shape = []
    budget = max_numel
    for _ in range(ndim):
        if allow_zero and draw(st.integers(0, 11)) == 11:
            shape.append(0)
            continue
        side = draw(st.integers(1, max(1, min(max_side, budget))))
        shape.append(side)
        budget = max(1, budget // side)
    return tuple(shape)


def numel(shape):
    return math.prod(shape)


@st.composite
def broadcastable_shapes(draw, n=2, min_dims=0, max_dims=4, allow_zero=True):
    """`n` shapes that broadcast together: trailing parts of a base shape, some sizes set to 1."""
    base = draw(shapes(min_dims=min_dims, max_dims=max_dims, allow_zero=allow_zero))
    out = []
    for _ in range(n):
        keep = draw(st.integers(min(min_dims, len(base)), len(base)))
        shape = list(base[len(base) - keep :])
        for i in range(len(shape)):
            if draw(st.integers(0, 3)) == 3:
                shape[i] = 1
        out.append(tuple(shape))
    return tuple(out)


def broadcast_shape(*shape_list):
    return tuple(np.broadcast_shapes(*shape_list))


# ---------------------------------------------------------------------------------------------
# values
# ---------------------------------------------------------------------------------------------


def elements(name, low=None, high=None):
    """Scalar values of dtype `name` in a range where the tested ops cannot overflow."""
    name = str(np.dtype(name))
    if name == "bool":
        return st.booleans()
    if name in INT_NAMES:
        return st.integers(-20 if low is None else int(low), 20 if high is None else int(high))
    width = 32 if name == "float32" else 64
    return st.floats(
        -10.0 if low is None else low,
        10.0 if high is None else high,
        width=width,
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=False,
    )


@st.composite
def arrays(draw, dtype, shape, low=None, high=None, elements_strategy=None):
    """A NumPy array of `dtype` and `shape` with safe values.

    Sometimes the array is constant along one axis, so that `tensors_from` can build it as an
    `.expand` of a smaller tensor.
    """
    dtype = np.dtype(dtype)
    elems = elements_strategy if elements_strategy is not None else elements(dtype, low, high)
    a = draw(hnp.arrays(dtype, shape, elements=elems))
    sizable = [ax for ax, n in enumerate(shape) if n > 1]
    if sizable and draw(st.integers(0, 3)) == 3:
        ax = draw(st.sampled_from(sizable))
        a = np.array(np.broadcast_to(np.take(a, [0], axis=ax), shape), order="C")
    return a


def _junk(dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return True
    return dtype.type(77)


def _constant_axes(a):
    axes = []
    for ax, n in enumerate(a.shape):
        if n > 1 and np.array_equal(a, np.broadcast_to(np.take(a, [0], axis=ax), a.shape)):
            axes.append(ax)
    return axes


WAYS = ("from_numpy", "tensor", "step", "permute", "t", "expand")


@st.composite
def tensors_from(draw, a, allow_expand=True, ways=WAYS):
    """A minitorch tensor with the values, shape and dtype of `a`, often non-contiguous.

    Returns `(tensor, a)`. The tensor never shares memory with `a`. `allow_expand=False` keeps
    every element at its own memory location (needed for in-place writes).
    """
    a = np.asarray(a)
    options = ["from_numpy", "tensor"]
    if a.ndim >= 1:
        options.append("step")
    if a.ndim >= 2:
        options.append("permute")
    if a.ndim == 2:
        options.append("t")
    if allow_expand and a.ndim >= 1 and _constant_axes(a):
        options.append("expand")
    options = [w for w in options if w in ways] or ["from_numpy"]
    way = draw(st.sampled_from(options))

    if way == "from_numpy":
        t = minitorch.from_numpy(a.copy())
    elif way == "tensor":
        t = minitorch.tensor(a.copy())
    elif way == "step":
        steps = [draw(st.integers(1, 3)) for _ in range(a.ndim)]
        starts = [draw(st.integers(0, 2)) for _ in range(a.ndim)]
        big_shape = tuple(
            start + max(n - 1, 0) * step + 1 + draw(st.integers(0, 1))
            for n, step, start in zip(a.shape, steps, starts, strict=True)
        )
        big = np.full(big_shape, _junk(a.dtype), dtype=a.dtype)
        index = tuple(
            slice(start, start + n * step, step)
            for n, step, start in zip(a.shape, steps, starts, strict=True)
        )
        big[index] = a
        t = minitorch.from_numpy(big)[index]
    elif way == "permute":
        order = draw(st.permutations(range(a.ndim)))
        inverse = [int(i) for i in np.argsort(order)]
        t = minitorch.from_numpy(np.ascontiguousarray(np.transpose(a, order))).permute(*inverse)
    elif way == "t":
        t = minitorch.from_numpy(np.ascontiguousarray(a.T)).t()
    else:
        axes = _constant_axes(a)
        chosen = draw(st.lists(st.sampled_from(axes), min_size=1, unique=True))
        small = a[tuple(slice(0, 1) if ax in chosen else slice(None) for ax in range(a.ndim))]
        t = minitorch.from_numpy(small.copy()).expand(*a.shape)
    return t, a


@st.composite
def tensor_arrays(draw, dtype, shape, low=None, high=None, allow_expand=True, ways=WAYS):
    """`(tensor, array)`: a random array of `dtype`/`shape` and a tensor with its values."""
    a = draw(arrays(dtype, shape, low=low, high=high))
    return draw(tensors_from(a, allow_expand=allow_expand, ways=ways))


# ---------------------------------------------------------------------------------------------
# checking
# ---------------------------------------------------------------------------------------------

TOLERANCES = {"float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12)}


def to_numpy(t):
    """A tensor's values as a fresh NumPy array (through `.numpy()`)."""
    return np.array(t.numpy(), copy=True)


def assert_matches(t, expected, dtype=None, rtol=None, atol=None):
    """`t` is a minitorch tensor equal to `expected` (an array-like).

    `dtype` (a name or NumPy dtype, default: `expected`'s dtype) is the expected dtype of `t`.
    Integer and bool values must be equal; floats match within a tolerance for the dtype
    (float32: rtol 1e-5 / atol 1e-6, float64: 1e-10 / 1e-12), with nan and inf at the same
    places.
    """
    expected = np.asarray(expected)
    name = str(np.dtype(dtype if dtype is not None else expected.dtype))
    assert isinstance(t, minitorch.Tensor), f"expected a minitorch.Tensor, got {type(t).__name__}"
    assert tuple(t.shape) == expected.shape, f"shape {tuple(t.shape)} != expected {expected.shape}"
    assert t.dtype == mt_dtype(name), f"dtype {t.dtype} != expected minitorch.{name}"
    actual = to_numpy(t)
    assert actual.shape == expected.shape, f".numpy() shape {actual.shape} != {expected.shape}"
    assert actual.dtype == np.dtype(name), f".numpy() dtype {actual.dtype} != {name}"
    if name in TOLERANCES:
        default_rtol, default_atol = TOLERANCES[name]
        np.testing.assert_allclose(
            actual,
            expected.astype(name),
            rtol=default_rtol if rtol is None else rtol,
            atol=default_atol if atol is None else atol,
            equal_nan=True,
        )
    else:
        np.testing.assert_array_equal(actual, expected.astype(name))
