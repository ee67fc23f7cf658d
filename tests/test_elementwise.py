"""Elementwise operations against NumPy, with PyTorch's type promotion.

Expected values are computed by NumPy on the operands cast to the promoted dtype (as PyTorch
computes), then cast to the expected result dtype from `expected_dtype` (a table of PyTorch's
rules in strategies.py).
"""

import operator
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import (
    DTYPE_NAMES,
    INT_NAMES,
    arrays,
    assert_matches,
    broadcast_shape,
    broadcastable_shapes,
    category,
    dtypes,
    expected_dtype,
    floating,
    mt_dtype,
    operand,
    shapes,
    tensor_arrays,
    tensors_from,
    to_numpy,
)

import minitorch

# -- reference semantics ------------------------------------------------------------------------


def _trunc_divide(a, b):
    if a.dtype.kind in "iu":
        q = np.floor_divide(a, b)
        fix = (np.remainder(a, b) != 0) & ((a < 0) != (b < 0))
        return q + fix.astype(q.dtype)
    return np.trunc(a / b)


@dataclass
class Binary:
    """A binary op: how to call it, and NumPy's version of it."""

    name: str
    reference: object  # numpy function over two arrays of the computation dtype
    forms: dict  # form name -> f(a, b) for two tensors
    scalar_forms: dict = field(default_factory=dict)  # f(t, s) with a Python scalar s
    reflected: object = None  # f(s, t)
    result: str = "same"  # "same" | "float" (true division) | "bool" (comparisons)
    no_bool: bool = False  # a bool result dtype raises (floor division, remainder, pow)
    no_bool_operand: bool = False  # any bool operand raises (subtraction)
    int_only: bool = False  # float result dtype raises (bitwise ops)
    divisor: bool = False  # integer division by zero raises
    power: bool = False


def _mt(name):
    return lambda *args, **kw: getattr(minitorch, name)(*args, **kw)


def _method(name, **kwargs):
    return lambda t, other: getattr(t, name)(other, **kwargs)


def _arith(name, op, np_fn, method=None, **extra):
    method = method or name
    return Binary(
        name,
        np_fn,
        forms={"operator": op, "method": _method(method), "function": _mt(method)},
        scalar_forms={"operator": op, "method": _method(method), "function": _mt(method)},
        reflected=lambda s, t: op(s, t),
        **extra,
    )


BINARY = [
    _arith("add", operator.add, np.add),
    _arith("sub", operator.sub, np.subtract, no_bool_operand=True),
    _arith("mul", operator.mul, np.multiply),
    _arith("div", operator.truediv, np.true_divide, result="float"),
    _arith("true_divide", operator.truediv, np.true_divide, result="float"),
    _arith("floor_divide", operator.floordiv, np.floor_divide, no_bool=True, divisor=True),
    _arith("remainder", operator.mod, np.remainder, no_bool=True, divisor=True),
    _arith("pow", operator.pow, np.power, no_bool=True, power=True),
    _arith("lt", operator.lt, np.less, result="bool"),
    _arith("le", operator.le, np.less_equal, result="bool"),
    _arith("gt", operator.gt, np.greater, result="bool"),
    _arith("ge", operator.ge, np.greater_equal, result="bool"),
    _arith("eq", operator.eq, np.equal, result="bool"),
    _arith("ne", operator.ne, np.not_equal, result="bool"),
    Binary(
        "div_floor",
        np.floor_divide,
        forms={
            "method": _method("div", rounding_mode="floor"),
            "function": lambda a, b: minitorch.div(a, b, rounding_mode="floor"),
        },
        scalar_forms={"method": _method("div", rounding_mode="floor")},
        no_bool=True,
        divisor=True,
    ),
    Binary(
        "div_trunc",
        _trunc_divide,
        forms={
            "method": _method("div", rounding_mode="trunc"),
            "function": lambda a, b: minitorch.div(a, b, rounding_mode="trunc"),
        },
        scalar_forms={"method": _method("div", rounding_mode="trunc")},
        no_bool=True,
        divisor=True,
    ),
    Binary(
        "maximum",
        np.maximum,
        forms={
            "function": _mt("maximum"),
            "method": _method("maximum"),
            "max": lambda a, b: minitorch.max(a, b),
            "max_method": _method("max"),
        },
    ),
    Binary(
        "minimum",
        np.minimum,
        forms={
            "function": _mt("minimum"),
            "method": _method("minimum"),
            "min": lambda a, b: minitorch.min(a, b),
            "min_method": _method("min"),
        },
    ),
    Binary(
        "and",
        np.bitwise_and,
        forms={"operator": operator.and_},
        scalar_forms={"operator": operator.and_},
        reflected=operator.and_,
        int_only=True,
    ),
    Binary(
        "or",
        np.bitwise_or,
        forms={"operator": operator.or_},
        scalar_forms={"operator": operator.or_},
        reflected=operator.or_,
        int_only=True,
    ),
    Binary(
        "xor",
        np.bitwise_xor,
        forms={"operator": operator.xor},
        scalar_forms={"operator": operator.xor},
        reflected=operator.xor,
        int_only=True,
    ),
]
BY_NAME = {op.name: op for op in BINARY}


def _compute_dtype(op, result):
    return floating(result) if op.result == "float" else result


def _result_dtype(op, promoted):
    if op.result == "bool":
        return "bool"
    if op.result == "float":
        return floating(promoted)
    return promoted


def error_for(op, operand_dtypes, promoted):
    """The exception PyTorch raises for these dtypes, or None."""
    if op.no_bool_operand and "bool" in operand_dtypes:
        return RuntimeError
    if op.no_bool and promoted == "bool":
        return RuntimeError  # NotImplementedError in PyTorch, a RuntimeError subclass
    if op.int_only and category(promoted) == 2:
        return RuntimeError
    return None


def reference(op, a, b, promoted):
    """NumPy's result for `op` on arrays/scalars a, b whose promoted dtype is `promoted`."""
    compute = _compute_dtype(op, promoted)
    with np.errstate(all="ignore"):
        out = op.reference(np.asarray(a).astype(compute), np.asarray(b).astype(compute))
    return np.asarray(out).astype(_result_dtype(op, promoted))


def value_range(op, role, promoted):
    """(low, high) for the values of one operand; role is "left" or "right"."""
    if op.power:
        if role == "left":
            return -4, 4
        return (0, 3) if category(promoted) < 2 else (-3, 3)
    return None, None


def make_safe(op, role, array, promoted):
    """Integer divisors must be nonzero (that error has its own test)."""
    if op.divisor and role == "right" and category(promoted) < 2:
        return np.where(array == 0, np.ones((), array.dtype), array)
    return array


# -- binary ops: tensor with tensor -------------------------------------------------------------


@pytest.mark.parametrize("op", BINARY, ids=lambda op: op.name)
@given(data=st.data(), da=dtypes(), db=dtypes(), shapes_=broadcastable_shapes(n=2))
def test_binary_tensor_tensor(op, data, da, db, shapes_):
    sa, sb = shapes_
    promoted = expected_dtype(operand(sa, da), operand(sb, db))
    low_a, high_a = value_range(op, "left", promoted)
    low_b, high_b = value_range(op, "right", promoted)
    a = data.draw(arrays(da, sa, low=low_a, high=high_a), label="a")
    b = data.draw(arrays(db, sb, low=low_b, high=high_b), label="b")
    b = make_safe(op, "right", b, promoted)
    ta, _ = data.draw(tensors_from(a), label="ta")
    tb, _ = data.draw(tensors_from(b), label="tb")
    form = data.draw(st.sampled_from(sorted(op.forms)), label="form")
    call = op.forms[form]

    error = error_for(op, (da, db), promoted)
    if error is not None:
        with pytest.raises(error):
            call(ta, tb)
        return
    result = call(ta, tb)
    assert_matches(result, reference(op, a, b, promoted), dtype=_result_dtype(op, promoted))
    assert_matches(ta, a)  # inputs are unchanged
    assert_matches(tb, b)


def _tiny(name):
    """A small fixed array of each dtype, with no zeros and non-negative (safe for every op)."""
    return {
        "bool": np.array([True, True, True]),
        "int32": np.array([3, 1, 2], np.int32),
        "int64": np.array([2, 3, 1], np.int64),
        "float32": np.array([1.5, 0.25, 2.0], np.float32),
        "float64": np.array([0.5, 2.25, 3.0], np.float64),
    }[name]


@pytest.mark.parametrize("da", DTYPE_NAMES)
@pytest.mark.parametrize("db", DTYPE_NAMES)
@pytest.mark.parametrize("zero_d", ["none", "left", "right"])
def test_binary_dtype_table(da, db, zero_d):
    """Every op on every pair of dtypes, with and without a 0-d operand: dtype and values."""
    a, b = _tiny(da), _tiny(db)
    if zero_d == "left":
        a = a[1]
    elif zero_d == "right":
        b = b[1]
    a, b = np.asarray(a), np.asarray(b)
    promoted = expected_dtype(operand(a.shape, da), operand(b.shape, db))
    failures = []
    for op in BINARY:
        for form, call in op.forms.items():
            ta, tb = minitorch.from_numpy(a.copy()), minitorch.from_numpy(b.copy())
            error = error_for(op, (da, db), promoted)
            try:
                result = call(ta, tb)
            except Exception as exc:  # noqa: BLE001 - reported below
                if error is None or not isinstance(exc, error):
                    failures.append(f"{op.name}/{form}: raised {type(exc).__name__}: {exc}")
                continue
            if error is not None:
                failures.append(f"{op.name}/{form}: expected {error.__name__}, got {result}")
                continue
            try:
                expected = reference(op, a, b, promoted)
                assert_matches(result, expected, dtype=_result_dtype(op, promoted))
            except AssertionError as exc:
                failures.append(f"{op.name}/{form}: {exc}")
    assert not failures, "\n".join(failures)


# -- binary ops: tensor with Python scalar ------------------------------------------------------

SCALAR_OPS = [op for op in BINARY if op.scalar_forms]


def scalars(kind, op, role, promoted_hint):
    if kind is bool:
        return st.booleans()
    low, high = value_range(op, role, promoted_hint)
    if kind is int:
        return st.integers(-5 if low is None else low, 5 if high is None else high)
    return st.floats(
        -5.0 if low is None else low, 5.0 if high is None else high, allow_subnormal=False
    ).map(lambda x: float(np.float32(x)))


@pytest.mark.parametrize("op", SCALAR_OPS, ids=lambda op: op.name)
@given(
    data=st.data(),
    dtype=dtypes(),
    kind=st.sampled_from([bool, int, float]),
    shape=shapes(),
    reflect=st.booleans(),
)
def test_binary_tensor_scalar(op, data, dtype, kind, shape, reflect):
    if reflect and op.reflected is None:
        reflect = False
    # PyTorch short-cuts `bool_tensor ** True` (a copy) and `** False` (ones) before it
    # notices that pow has no bool kernel; that quirk is not part of the contract.
    assume(not (op.power and dtype == "bool" and kind is bool and not reflect))
    promoted = expected_dtype(operand(shape, dtype), kind(1))
    tensor_role, scalar_role = ("right", "left") if reflect else ("left", "right")
    scalar = data.draw(scalars(kind, op, scalar_role, promoted), label="scalar")
    if op.divisor and scalar_role == "right" and category(promoted) < 2 and not scalar:
        scalar = kind(1)
    low, high = value_range(op, tensor_role, promoted)
    a = make_safe(op, tensor_role, data.draw(arrays(dtype, shape, low=low, high=high)), promoted)
    t, _ = data.draw(tensors_from(a), label="t")

    if reflect:
        form = "reflected"
        call = op.reflected
        args, np_args = (scalar, t), (scalar, a)
    else:
        form = data.draw(st.sampled_from(sorted(op.scalar_forms)), label="form")
        call = op.scalar_forms[form]
        args, np_args = (t, scalar), (a, scalar)
    operand_dtypes = (dtype, {bool: "bool", int: "int64", float: "float32"}[kind])
    error = error_for(op, operand_dtypes, promoted)
    if error is not None:
        with pytest.raises(error):
            call(*args)
        return
    result = call(*args)
    assert_matches(result, reference(op, *np_args, promoted), dtype=_result_dtype(op, promoted))


@pytest.mark.parametrize(
    ("expr", "dtype"),
    [
        (lambda t: t + 1, "int32"),  # python int doesn't widen int32
        (lambda t: t + 1.5, "float32"),  # python float -> default dtype
        (lambda t: t.bool() + 1, "int64"),  # bool tensor + int -> int64
        (lambda t: t.bool() + True, "bool"),
        (lambda t: t / 2, "float32"),  # int / int -> float32
        (lambda t: t // 2, "int32"),
        (lambda t: t * minitorch.tensor(2), "int32"),  # 0-d int64 doesn't widen
        (lambda t: t * minitorch.tensor(2.0, dtype=minitorch.float64), "float64"),  # but raises
        (lambda t: t.float() * minitorch.tensor(2.0, dtype=minitorch.float64), "float32"),
        (lambda t: t.bool() * minitorch.tensor(2, dtype=minitorch.int32), "int32"),
        (lambda t: t[0] + minitorch.tensor(2), "int64"),  # two 0-d tensors: promote_types
        (lambda t: t[0] + 2.5, "float32"),
        (lambda t: t.double()[0] + 2.5, "float64"),
        (lambda t: t < 2.5, "bool"),
        (lambda t: t.exp(), "float32"),
        (lambda t: t.double().sqrt(), "float64"),
        (lambda t: 2**t, "int32"),
        (lambda t: t**2.0, "float32"),
    ],
)
def test_promotion_examples(expr, dtype):
    t = minitorch.tensor([1, 2, 3], dtype=minitorch.int32)
    assert expr(t).dtype == mt_dtype(dtype)


# -- integer division by zero, bool arithmetic, add with alpha -------------------------------------


@pytest.mark.parametrize("dtype", INT_NAMES + ("bool",))
@pytest.mark.parametrize(
    "call",
    [
        lambda a, b: a // b,
        lambda a, b: a % b,
        lambda a, b: a.div(b, rounding_mode="floor"),
        lambda a, b: a.div(b, rounding_mode="trunc"),
        lambda a, b: minitorch.remainder(a, b),
    ],
)
def test_integer_division_by_zero_raises(dtype, call):
    a = minitorch.tensor([3, -4, 5]).to(mt_dtype("int64" if dtype == "bool" else dtype))
    b = minitorch.tensor([1, 0, 2], dtype=mt_dtype(dtype))
    with pytest.raises(RuntimeError):
        call(a, b)
    with pytest.raises(RuntimeError):
        call(a, 0)


def test_integer_true_division_by_zero_is_inf():
    result = minitorch.tensor([1, -1, 0]) / minitorch.tensor([0, 0, 0])
    assert_matches(result, np.array([np.inf, -np.inf, np.nan], np.float32))


def test_float_floor_division_and_remainder_by_zero():
    x = minitorch.tensor([1.0, -1.0, 0.0])
    assert_matches(x // 0, np.array([np.inf, -np.inf, np.nan], np.float32))
    assert_matches(x % 0, np.array([np.nan, np.nan, np.nan], np.float32))


def test_floor_division_follows_python():
    x = minitorch.tensor([7, -7, 7, -7])
    y = minitorch.tensor([2, 2, -2, -2])
    assert_matches(x // y, np.array([3, -4, -4, 3]))
    assert_matches(x % y, np.array([1, 1, -1, -1]))
    assert_matches(minitorch.tensor([1.0]) // 0.1, np.array([9.0], np.float32))


def test_bool_subtraction_and_negation_raise():
    b = minitorch.tensor([True, False])
    for call in (lambda: b - b, lambda: -b, lambda: b - 1, lambda: 1 - b, b.neg):
        with pytest.raises(RuntimeError):
            call()


@given(data=st.data(), da=dtypes(), db=dtypes(), shapes_=broadcastable_shapes(n=2))
def test_add_sub_with_alpha(data, da, db, shapes_):
    sa, sb = shapes_
    promoted = expected_dtype(operand(sa, da), operand(sb, db))
    ta, a = data.draw(tensor_arrays(da, sa))
    tb, b = data.draw(tensor_arrays(db, sb))
    if category(promoted) == 2:
        alpha = data.draw(st.sampled_from([2, -1, 0.5, 3.0]))
    else:
        alpha = data.draw(st.sampled_from([2, -1, 3]))
    if promoted == "bool":
        alpha = True
    with np.errstate(all="ignore"):
        expected = (
            a.astype(promoted) + np.asarray(alpha).astype(promoted) * b.astype(promoted)
        ).astype(promoted)
    assert_matches(ta.add(tb, alpha=alpha), expected, dtype=promoted)
    assert_matches(minitorch.add(ta, tb, alpha=alpha), expected, dtype=promoted)
    if promoted != "bool" and "bool" not in (da, db):
        expected_sub = (
            a.astype(promoted) - np.asarray(alpha).astype(promoted) * b.astype(promoted)
        ).astype(promoted)
        assert_matches(ta.sub(tb, alpha=alpha), expected_sub, dtype=promoted)


def test_float_alpha_with_integer_tensors_raises():
    x = minitorch.tensor([1, 2])
    with pytest.raises(RuntimeError):
        x.add(x, alpha=1.5)


def test_broadcast_error_names_both_shapes():
    a, b = minitorch.zeros(2, 3), minitorch.zeros(4)
    with pytest.raises(RuntimeError) as info:
        a + b
    message = str(info.value)
    assert ("3" in message) and ("4" in message), message


# -- unary ops ----------------------------------------------------------------------------------


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class Unary:
    name: str
    reference: object
    forms: dict
    result: str  # "same" or "float"
    bool_error: type = None
    float_error: type = None


def _unary(name, reference, result="same", operator_form=None, **kw):
    forms = {"method": lambda t: getattr(t, name)(), "function": lambda t: _mt(name)(t)}
    if operator_form is not None:
        forms["operator"] = operator_form
    return Unary(name, reference, forms, result, **kw)


UNARY = [
    _unary("neg", np.negative, operator_form=operator.neg, bool_error=RuntimeError),
    _unary("abs", np.abs, operator_form=abs, bool_error=RuntimeError),
    _unary("exp", np.exp, "float"),
    _unary("log", np.log, "float"),
    _unary("sqrt", np.sqrt, "float"),
    _unary("sin", np.sin, "float"),
    _unary("cos", np.cos, "float"),
    _unary("tanh", np.tanh, "float"),
    _unary("sigmoid", _sigmoid, "float"),
    _unary("relu", lambda x: np.maximum(x, np.zeros((), x.dtype)), bool_error=RuntimeError),
    Unary(
        "invert",
        np.invert,
        {"operator": operator.invert},
        "same",
        float_error=TypeError,
    ),
]


@pytest.mark.parametrize("op", UNARY, ids=lambda op: op.name)
@given(data=st.data(), dtype=dtypes(), shape=shapes())
def test_unary(op, data, dtype, shape):
    t, a = data.draw(tensor_arrays(dtype, shape))
    form = data.draw(st.sampled_from(sorted(op.forms)), label="form")
    call = op.forms[form]
    if dtype == "bool" and op.bool_error is not None:
        with pytest.raises(op.bool_error):
            call(t)
        return
    if category(dtype) == 2 and op.float_error is not None:
        with pytest.raises(op.float_error):
            call(t)
        return
    out_dtype = floating(dtype) if op.result == "float" else dtype
    with np.errstate(all="ignore"):
        compute = "float64" if op.result == "float" else dtype
        expected = np.asarray(op.reference(a.astype(compute))).astype(out_dtype)
    assert_matches(call(t), expected, dtype=out_dtype)
    assert_matches(t, a)


def test_unary_special_values():
    x = minitorch.tensor([0.0, -1.0, 4.0])
    assert_matches(x.log(), np.array([-np.inf, np.nan, np.log(4.0)], np.float32))
    assert_matches(x.sqrt(), np.array([0.0, np.nan, 2.0], np.float32))
    big = minitorch.tensor([-100.0, 100.0])
    assert_matches(big.sigmoid(), np.array([0.0, 1.0], np.float32), atol=1e-30)
    assert_matches(big.tanh(), np.array([-1.0, 1.0], np.float32))


# -- where / clamp / maximum ----------------------------------------------------------------------


@given(
    data=st.data(),
    dx=dtypes(),
    dy=dtypes(),
    shapes_=broadcastable_shapes(n=3),
    scalar_y=st.sampled_from([None, bool, int, float]),
)
def test_where(data, dx, dy, shapes_, scalar_y):
    sc, sx, sy = shapes_
    tc, c = data.draw(tensor_arrays("bool", sc), label="cond")
    tx, x = data.draw(tensor_arrays(dx, sx), label="x")
    if scalar_y is None:
        ty, y = data.draw(tensor_arrays(dy, sy), label="y")
        promoted = expected_dtype(operand(sx, dx), operand(sy, dy))
    else:
        ty = y = data.draw(scalars(scalar_y, BY_NAME["add"], "right", "float64"), label="y")
        promoted = expected_dtype(operand(sx, dx), ty)
    expected = np.where(c, x.astype(promoted), np.asarray(y).astype(promoted))
    assert_matches(minitorch.where(tc, tx, ty), expected, dtype=promoted)
    assert_matches(tx.where(tc, ty), expected, dtype=promoted)


def test_where_requires_bool_condition():
    x = minitorch.tensor([1, 0, 2])
    with pytest.raises(RuntimeError):
        minitorch.where(x, x, x)


@given(
    data=st.data(),
    dtype=st.sampled_from(["int32", "int64", "float32", "float64", "bool"]),
    shape=shapes(),
    low=st.none() | st.integers(-10, 10) | st.floats(-10, 10).map(lambda v: float(np.float32(v))),
    high=st.none() | st.integers(-10, 10) | st.floats(-10, 10).map(lambda v: float(np.float32(v))),
    form=st.sampled_from(["method", "function", "clip", "positional"]),
)
def test_clamp(data, dtype, shape, low, high, form):
    t, a = data.draw(tensor_arrays(dtype, shape))
    calls = {
        "method": lambda: t.clamp(min=low, max=high),
        "function": lambda: minitorch.clamp(t, min=low, max=high),
        "clip": lambda: t.clip(min=low, max=high),
        "positional": lambda: t.clamp(low, high),
    }
    if low is None and high is None:
        with pytest.raises(RuntimeError):
            calls[form]()
        return
    bounds = [v for v in (low, high) if v is not None]
    promoted = expected_dtype(operand(shape, dtype), *bounds)
    expected = a.astype(promoted)
    if low is not None:
        expected = np.maximum(expected, np.asarray(low).astype(promoted))
    if high is not None:
        expected = np.minimum(expected, np.asarray(high).astype(promoted))
    assert_matches(calls[form](), expected, dtype=promoted)


# -- in-place ops -------------------------------------------------------------------------------

INPLACE = {
    "add_": (np.add, "same"),
    "sub_": (np.subtract, "same"),
    "mul_": (np.multiply, "same"),
    "div_": (np.true_divide, "float"),
}


def can_cast(src, dst):
    """PyTorch's canCast for the in-place result: no float -> int/bool, no int -> bool."""
    return category(src) <= category(dst)


@pytest.mark.parametrize("method", sorted(INPLACE))
@given(
    data=st.data(),
    ds=dtypes(),
    do=dtypes(),
    shapes_=broadcastable_shapes(n=2),
    scalar=st.sampled_from([None, bool, int, float]),
)
def test_inplace_binary(method, data, ds, do, shapes_, scalar):
    reference_fn, kind = INPLACE[method]
    s_self, s_other = shapes_
    t, a = data.draw(tensor_arrays(ds, s_self, allow_expand=False), label="self")
    if scalar is None:
        other, b = data.draw(tensor_arrays(do, s_other), label="other")
        do_op = operand(s_other, do)
        other_dtype = do
    else:
        other = b = data.draw(scalars(scalar, BY_NAME["add"], "right", "float64"), label="s")
        do_op = other
        other_dtype = {bool: "bool", int: "int64", float: "float32"}[scalar]
        s_other = ()
    promoted = expected_dtype(operand(s_self, ds), do_op)
    result_dtype = floating(promoted) if kind == "float" else promoted
    call = getattr(t, method)
    before = to_numpy(t)
    if method == "sub_" and "bool" in (ds, other_dtype):
        with pytest.raises(RuntimeError):
            call(other)
        return
    if not can_cast(result_dtype, ds):
        with pytest.raises(RuntimeError):
            call(other)
        return
    if broadcast_shape(s_self, s_other) != s_self:
        with pytest.raises(RuntimeError):
            call(other)
        np.testing.assert_array_equal(to_numpy(t), before)
        return
    with np.errstate(all="ignore"):
        expected = reference_fn(a.astype(result_dtype), np.asarray(b).astype(result_dtype))
    returned = call(other)
    assert returned is t, f"{method} returns self"
    assert_matches(t, expected.astype(ds), dtype=ds)


def test_inplace_cast_errors():
    with pytest.raises(RuntimeError, match="can't be cast"):
        minitorch.tensor([1, 2]).add_(1.5)
    with pytest.raises(RuntimeError):
        minitorch.tensor([1, 2]).div_(2)
    with pytest.raises(RuntimeError):
        minitorch.tensor([True]).add_(1)
    x = minitorch.tensor([1, 2], dtype=minitorch.int32)
    x.add_(minitorch.tensor([1, 1]))  # int64 -> int32 is allowed
    assert_matches(x, np.array([2, 3], np.int32))
    with pytest.raises(RuntimeError):
        minitorch.zeros(2, 1).add_(minitorch.zeros(2, 3))


@st.composite
def basic_index(draw, shape):
    """A basic index (ints and slices with steps) for `shape`: returns a tuple."""
    index = []
    for n in shape:
        kind = draw(st.sampled_from(["all", "slice", "int"] if n else ["all", "slice"]))
        if kind == "all":
            index.append(slice(None))
        elif kind == "int":
            index.append(draw(st.integers(-n, n - 1)))
        else:
            start = draw(st.none() | st.integers(0, max(n - 1, 0)))
            stop = draw(st.none() | st.integers(0, n))
            step = draw(st.integers(1, 3))
            index.append(slice(start, stop, step))
    return tuple(index)


@pytest.mark.parametrize("method", ["add_", "sub_", "mul_", "div_", "zero_", "fill_", "copy_"])
@given(
    data=st.data(), dtype=st.sampled_from(["float32", "float64", "int64"]), shape=shapes(min_dims=1)
)
def test_inplace_through_views_changes_base(method, data, dtype, shape):
    if method == "div_" and dtype == "int64":
        dtype = "float64"
    base_array = data.draw(arrays(dtype, shape))
    base = minitorch.from_numpy(base_array.copy())
    index = data.draw(basic_index(shape))
    view = base[index]
    expected = base_array.copy()
    region = expected[index]
    if method in ("add_", "sub_", "mul_", "div_"):
        other = data.draw(st.sampled_from([2, 3]))
        getattr(view, method)(other)
        fn = {"add_": np.add, "sub_": np.subtract, "mul_": np.multiply, "div_": np.divide}[method]
        expected[index] = fn(region, other)
    elif method == "zero_":
        view.zero_()
        expected[index] = 0
    elif method == "fill_":
        view.fill_(5)
        expected[index] = 5
    else:
        src = data.draw(arrays(dtype, np.shape(region)))
        view.copy_(minitorch.from_numpy(src.copy()))
        expected[index] = src
    assert_matches(base, expected)
    assert_matches(view, np.asarray(expected[index]))


@given(
    data=st.data(),
    ds=dtypes(),
    shape=shapes(),
    value=st.booleans() | st.integers(-5, 5) | st.floats(-5, 5),
)
def test_fill_and_zero(data, ds, shape, value):
    t, a = data.draw(tensor_arrays(ds, shape, allow_expand=False))
    assert t.fill_(value) is t
    # casting a Python scalar truncates floats toward zero, as NumPy's astype does
    assert_matches(t, np.full(shape, np.float64(value)).astype(ds), dtype=ds)
    assert t.zero_() is t
    assert_matches(t, np.zeros(shape, ds))


@given(data=st.data(), ds=dtypes(), do=dtypes(), shapes_=broadcastable_shapes(n=2))
def test_copy_(data, ds, do, shapes_):
    s_self, s_src = shapes_
    t, _ = data.draw(tensor_arrays(ds, s_self, allow_expand=False))
    src, b = data.draw(tensor_arrays(do, s_src))
    if broadcast_shape(s_self, s_src) != s_self:
        with pytest.raises(RuntimeError):
            t.copy_(src)
        return
    assert t.copy_(src) is t
    assert_matches(t, np.broadcast_to(b, s_self).astype(ds))


def test_inplace_on_expanded_tensor_raises():
    """Writing into an expanded tensor would write one element many times: PyTorch refuses."""
    x = minitorch.zeros(3).expand(2, 3)
    with pytest.raises(RuntimeError):
        x.add_(1)


def test_operands_are_cast_to_the_promoted_dtype_first():
    """PyTorch computes in the result dtype: a 0-d float64 operand is rounded to float32 first,
    and an int64 compared with a float32 is converted to float32 first."""
    a = minitorch.from_numpy(np.array([4.8182893], np.float32))
    b = minitorch.from_numpy(np.array(4.81828949))  # 0-d float64, rounds to a's value
    assert_matches(a - b, np.array([0.0], np.float32))
    assert_matches(a % b, np.array([0.0], np.float32))
    assert_matches(a >= b, np.array([True]))
    assert_matches(a - 4.81828949, np.array([0.0], np.float32))
    big = minitorch.tensor([16777217])  # 2**24 + 1 is not a float32
    assert_matches(big == minitorch.tensor([16777216.0]), np.array([True]))
    assert_matches(big + minitorch.tensor([0.0]), np.array([16777216.0], np.float32))


def test_abs_of_both_zeros_is_positive_zero():
    got = minitorch.tensor([0.0, -0.0, -2.0, float("nan")]).abs().numpy()
    assert list(np.signbit(got[:2])) == [False, False]
    assert got[2] == 2.0 and np.isnan(got[3])


@pytest.mark.parametrize("method, reference", [("add_", np.add), ("sub_", np.subtract),
                                               ("mul_", np.multiply)])
def test_inplace_update_with_an_overlapping_operand_reads_the_old_values(method, reference):
    a = np.arange(16.0).reshape(4, 4)
    x = minitorch.tensor(a)
    getattr(x, method)(x.T)
    np.testing.assert_array_equal(x.numpy(), reference(a, a.T))
    row = a[0].copy()
    y = minitorch.tensor(row)
    getattr(y[1:], method)(y[:-1])
    row[1:] = reference(a[0, 1:], a[0, :-1])
    np.testing.assert_array_equal(y.numpy(), row)


def test_elementwise_results_keep_the_memory_order_of_transposed_inputs():
    """As PyTorch: inputs that share a transposed layout give a result laid out the same way."""
    a, b = np.arange(12.0).reshape(3, 4), np.arange(12.0, 24.0).reshape(3, 4)
    x, y = minitorch.tensor(a).T, minitorch.tensor(b).T
    for got, expected in ((x + y, a.T + b.T), (x * 2, a.T * 2), (x.exp(), np.exp(a.T))):
        assert got.stride() == (1, 4)
        np.testing.assert_allclose(got.numpy(), expected)
    assert (x + minitorch.tensor(b.T)).stride() == (3, 1)  # layouts differ: row-major
