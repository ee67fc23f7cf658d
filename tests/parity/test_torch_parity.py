"""minitorch against PyTorch, case by case, where PyTorch is installed.

Each case is a small function `case(lib)` that builds its inputs from fixed NumPy arrays through
`lib.tensor` / `lib.from_numpy` and runs a few API calls on `lib`, which is `torch` on one side
and `minitorch` on the other. The test runs it on both and compares what came back:

- tensors: dtype (by name), shape, `requires_grad`, values (exact for integers and bools,
  `allclose` for floats);
- `Size`, dtypes, devices, Python scalars, lists, tuples and named tuples, NumPy arrays;
- strings (printing cases): identical, once `torch.` is written `minitorch.`;
- errors: when torch raises, minitorch must raise the same built-in exception class (its
  message may be friendlier, so messages are not compared; tests/test_errors.py checks them).

A case says whether torch raises for it (`raises=True`) or not (the default); a case whose torch
side does not behave as declared is reported as a broken case, not as a minitorch failure. The
generated type-promotion grid accepts either (torch decides).

`MINITORCH_PARITY_LIB=torch` compares torch with itself: a check of the cases themselves.
"""

import importlib
import operator
import os
import re
from dataclasses import dataclass

import numpy as np
import pytest

from parity.tutorial_script import run_tutorial

torch = pytest.importorskip("torch")

SUBJECT = os.environ.get("MINITORCH_PARITY_LIB", "minitorch")


@pytest.fixture(scope="module")
def mt():
    """The library under test (minitorch; torch itself when checking the cases)."""
    return importlib.import_module(SUBJECT)


# --------------------------------------------------------------------------------------------
# The case table


@dataclass(frozen=True)
class Case:
    name: str
    fn: object
    raises: object = False  # True: torch raises; False: torch returns; None: either


CASES = []


def add(name, fn, raises=False):
    CASES.append(Case(name, fn, raises))


def case(raises=False):
    """Decorator form of `add` for cases that need more than one expression."""

    def deco(fn):
        add(fn.__name__.removeprefix("case_"), fn, raises)
        return fn

    return deco


def err(name, fn):
    add("err_" + name, fn, raises=True)


# Fixed data. Cases copy what they use (`t` below), so in-place cases cannot leak into the run
# on the other library.
RNG = np.random.default_rng(20240901)
F23 = RNG.standard_normal((2, 3)).astype(np.float32)
F34 = RNG.standard_normal((3, 4)).astype(np.float32)
F43 = RNG.standard_normal((4, 3)).astype(np.float32)
F234 = RNG.standard_normal((2, 3, 4)).astype(np.float32)
F245 = RNG.standard_normal((2, 4, 5)).astype(np.float32)
F3 = RNG.standard_normal(3).astype(np.float32)
F4 = RNG.standard_normal(4).astype(np.float32)
D34 = RNG.standard_normal((3, 4))
POS34 = RNG.uniform(0.5, 3.0, (3, 4)).astype(np.float32)
I34 = RNG.permutation(12).reshape(3, 4) - 5  # int64, no ties within rows or columns
I34_32 = I34.astype(np.int32)
B34 = RNG.random((3, 4)) > 0.5
WIDE = RNG.uniform(-1000.0, 1000.0, (3, 5)).astype(np.float32)


def t(lib, a):
    """A tensor holding a copy of the array `a` (its dtype kept)."""
    return lib.from_numpy(np.array(a, copy=True))


def dt(lib, name):
    return getattr(lib, name)


# --------------------------------------------------------------------------------------------
# Creation and default dtypes

add("tensor_int_list", lambda lib: lib.tensor([1, 2, 3]))
add("tensor_float_list_2d", lambda lib: lib.tensor([[1.0, 2.0], [3.0, 4.0]]))
add("tensor_mixed_int_float", lambda lib: lib.tensor([1, 2.5]))
add("tensor_bool_list", lambda lib: lib.tensor([True, False]))
add("tensor_mixed_bool_int", lambda lib: lib.tensor([True, 2]))
add("tensor_scalar_int", lambda lib: lib.tensor(5))
add("tensor_scalar_float", lambda lib: lib.tensor(2.5))
add("tensor_scalar_bool", lambda lib: lib.tensor(True))
add("tensor_empty_list", lambda lib: lib.tensor([]))
add("tensor_nested_empty", lambda lib: lib.tensor([[], []]))
add("tensor_dtype_float64", lambda lib: lib.tensor([1, 2], dtype=lib.float64))
add("tensor_dtype_int_truncates", lambda lib: lib.tensor([1.7, -1.7, 0.5], dtype=lib.int32))
add("tensor_dtype_bool", lambda lib: lib.tensor([0.0, 0.5, -2.0], dtype=lib.bool))
add("tensor_from_ndarray_float32", lambda lib: lib.tensor(F23.copy()))
add("tensor_from_ndarray_int32", lambda lib: lib.tensor(I34_32.copy()))
add("tensor_from_ndarray_float64", lambda lib: lib.tensor(D34.copy()))
add("tensor_requires_grad", lambda lib: lib.tensor([1.0, 2.0], requires_grad=True))
add("tensor_nested_tuples", lambda lib: lib.tensor(((1, 2), (3, 4))))
add("zeros_varargs", lambda lib: lib.zeros(2, 3))
add("zeros_tuple", lambda lib: lib.zeros((2, 3)))
add("zeros_list", lambda lib: lib.zeros([3]))
add("zeros_int64", lambda lib: lib.zeros(2, 3, dtype=lib.int64))
add("zeros_empty", lambda lib: lib.zeros(0))
add("zeros_0d", lambda lib: lib.zeros(()))
add("ones_bool", lambda lib: lib.ones(3, dtype=lib.bool))
add("ones_float64", lambda lib: lib.ones(2, 2, dtype=lib.float64))
add("empty_shape_dtype", lambda lib: (lib.empty(2, 3).shape, lib.empty(2, 3).dtype))
add("empty_int_shape_dtype", lambda lib: lib.empty((4,), dtype=lib.int32).dtype)
add("full_int", lambda lib: lib.full((2, 2), 7))
add("full_float", lambda lib: lib.full((3,), 1.5))
add("full_bool", lambda lib: lib.full((2,), True))
add("full_dtype", lambda lib: lib.full((2, 1), 3, dtype=lib.float64))
add("arange_end", lambda lib: lib.arange(5))
add("arange_start_end", lambda lib: lib.arange(1, 4))
add("arange_float_step", lambda lib: lib.arange(0, 1, 0.25))
add("arange_float_end", lambda lib: lib.arange(5.0))
add("arange_negative_step", lambda lib: lib.arange(10, 0, -3))
add("arange_tenths", lambda lib: lib.arange(0, 1, 0.1))
add("arange_dtype", lambda lib: lib.arange(4, dtype=lib.float64))
add("arange_empty", lambda lib: lib.arange(0))
add("linspace", lambda lib: lib.linspace(0, 1, 5))
add("linspace_steps_kw", lambda lib: lib.linspace(-1, 1, steps=4))
add("linspace_one_step", lambda lib: lib.linspace(0, 10, 1))
add("linspace_dtype", lambda lib: lib.linspace(0, 2, 3, dtype=lib.float64))
add("eye", lambda lib: lib.eye(3))
add("eye_rect", lambda lib: lib.eye(2, 4))
add("eye_int", lambda lib: lib.eye(3, dtype=lib.int64))
add("zeros_like_int", lambda lib: lib.zeros_like(t(lib, I34)))
add("ones_like_dtype", lambda lib: lib.ones_like(t(lib, F23), dtype=lib.float64))
add("full_like_int_float_value", lambda lib: lib.full_like(t(lib, I34), 2.7))
add("full_like_float", lambda lib: lib.full_like(t(lib, F23), 3))
add("rand_like_meta", lambda lib: (lambda x: (x.shape, x.dtype))(lib.rand_like(t(lib, D34))))
add("randn_like_meta", lambda lib: (lambda x: (x.shape, x.dtype))(lib.randn_like(t(lib, F23))))
add("get_default_dtype", lambda lib: lib.get_default_dtype())


@case()
def case_rand_meta_and_range(lib):
    x = lib.rand(2, 3)
    return x.shape, x.dtype, bool(((x >= 0) & (x < 1)).all())


@case()
def case_rand_float64(lib):
    return lib.rand(4, dtype=lib.float64).dtype, lib.randn(2, 2, dtype=lib.float64).shape


@case()
def case_randn_meta(lib):
    x = lib.randn(4)
    return x.shape, x.dtype


@case()
def case_randint(lib):
    x = lib.randint(0, 10, (3, 4))
    return x.shape, x.dtype, bool(((x >= 0) & (x < 10)).all())


@case()
def case_randint_high_only(lib):
    x = lib.randint(5, (2, 2))
    return x.shape, x.dtype, bool(((x >= 0) & (x < 5)).all())


@case()
def case_manual_seed_repeats(lib):
    lib.manual_seed(7)
    a = lib.rand(5)
    lib.manual_seed(7)
    b = lib.rand(5)
    return bool((a == b).all())


@case()
def case_generator_repeats(lib):
    a = lib.rand(3, generator=lib.Generator().manual_seed(3))
    b = lib.rand(3, generator=lib.Generator().manual_seed(3))
    return bool((a == b).all())


@case()
def case_set_default_dtype(lib):
    lib.set_default_dtype(lib.float64)
    try:
        return (
            lib.get_default_dtype(),
            lib.tensor([1.5]),
            lib.zeros(2),
            lib.arange(3),
            lib.tensor([1, 2]) / 2,
        )
    finally:
        lib.set_default_dtype(lib.float32)


@case()
def case_from_numpy_shares_memory(lib):
    a = np.arange(3.0)
    x = lib.from_numpy(a)
    a[0] = 5.0
    return x


@case()
def case_numpy_shares_memory(lib):
    x = lib.zeros(3)
    x.numpy()[1] = 7.0
    return x


add("from_numpy_int32", lambda lib: lib.from_numpy(I34_32.copy()))
add("from_numpy_bool", lambda lib: lib.from_numpy(B34.copy()))
add("numpy_roundtrip", lambda lib: t(lib, F23).numpy())
add("numpy_roundtrip_int", lambda lib: t(lib, I34).numpy())
add("tolist_2d_int", lambda lib: t(lib, I34).tolist())
add("tolist_float", lambda lib: lib.tensor([1.5, 2.0]).tolist())
add("tolist_bool", lambda lib: lib.tensor([True, False]).tolist())
add("tolist_0d", lambda lib: lib.tensor(3).tolist())
add("item_int", lambda lib: lib.tensor([4]).item())
add("item_float", lambda lib: lib.tensor(2.5).item())
add("item_bool", lambda lib: lib.tensor(True).item())
add("int_float_0d", lambda lib: (int(lib.tensor(3.7)), float(lib.tensor(2)), bool(lib.tensor(0))))


@case()
def case_clone_is_independent(lib):
    x = lib.tensor([1.0, 2.0])
    y = x.clone()
    y[0] = 9.0
    return x, y


# --------------------------------------------------------------------------------------------
# Properties and casting

add("shape", lambda lib: t(lib, F234).shape)
add("size", lambda lib: (t(lib, F234).size(), t(lib, F234).size(1), t(lib, F234).size(-1)))
add("size_dim_kw", lambda lib: t(lib, F234).size(dim=0))
add("dim_ndim_numel", lambda lib: (t(lib, F234).dim(), t(lib, F234).ndim, t(lib, F234).numel()))
add("len", lambda lib: len(t(lib, F34)))
add("stride", lambda lib: (t(lib, F234).stride(), t(lib, F234).stride(1)))
add("stride_transposed", lambda lib: t(lib, F34).t().stride())
add("is_contiguous", lambda lib: (t(lib, F34).is_contiguous(), t(lib, F34).t().is_contiguous()))
add("element_size", lambda lib: (t(lib, F34).element_size(), t(lib, I34_32).element_size()))
add("dtype_itemsize", lambda lib: [dt(lib, n).itemsize for n in ("bool", "int32", "float64")])
add("dtype_is_floating", lambda lib: [lib.int64.is_floating_point, lib.float32.is_floating_point])
add("is_floating_point", lambda lib: [t(lib, a).is_floating_point() for a in (F3, I34, B34)])
add("dtype_aliases", lambda lib: (lib.float, lib.double, lib.long, lib.int))
add("dtype_equality", lambda lib: (lib.float == lib.float32, lib.int64 == lib.int32))
add("device_str", lambda lib: str(t(lib, F3).device))
add("device_repr", lambda lib: repr(t(lib, F3).device))
add("requires_grad_default", lambda lib: t(lib, F3).requires_grad)


@case()
def case_requires_grad_settable(lib):
    x = lib.tensor([1.0, 2.0])
    x.requires_grad = True
    return x.requires_grad, x


add("cast_float", lambda lib: t(lib, I34).float())
add("cast_double", lambda lib: t(lib, I34_32).double())
add("cast_long_truncates", lambda lib: lib.tensor([-1.7, 1.7, 2.5]).long())
add("cast_int", lambda lib: lib.tensor([True, False]).int())
add("cast_bool", lambda lib: lib.tensor([0.0, 0.5, -1.0]).bool())
add("to_dtype", lambda lib: t(lib, F23).to(lib.float64))
add("to_tensor", lambda lib: t(lib, F23).to(t(lib, I34)))
add("to_cpu", lambda lib: t(lib, F23).to("cpu"))
add("to_dtype_kw", lambda lib: t(lib, I34).to(dtype=lib.float32))

# --------------------------------------------------------------------------------------------
# Type promotion grid (generated)

DTYPE_NAMES = ["bool", "int32", "int64", "float32", "float64"]
BINOPS = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "floordiv": operator.floordiv,
    "mod": operator.mod,
    "pow": operator.pow,
    "lt": operator.lt,
    "eq": operator.eq,
    "ge": operator.ge,
}
LEFT = np.array([3.5, -2.25, 5.0, 0.0, 7.75, -4.5])  # int: [3, -2, 5, 0, 7, -4]
RIGHT = np.array([2.0, 3.5, 1.0, 4.0, 2.5, 5.0])  # never zero, so // and % are defined
SCALARS = {"int": 3, "float": 2.5, "bool": True}


def _typed(lib, values, name):
    return lib.tensor(values.tolist(), dtype=dt(lib, name))


def _grid_case(kind, a, b, op):
    def run(lib):
        if kind == "tensor_tensor":
            return op(_typed(lib, LEFT, a), _typed(lib, RIGHT, b))
        if kind == "tensor_0d":
            return op(_typed(lib, LEFT, a), lib.tensor(2.5, dtype=dt(lib, b)))
        if kind == "0d_tensor":
            return op(lib.tensor(-3.5, dtype=dt(lib, a)), _typed(lib, RIGHT, b))
        if kind == "tensor_scalar":
            return op(_typed(lib, LEFT, a), SCALARS[b])
        return op(SCALARS[a], _typed(lib, RIGHT, b))  # scalar_tensor

    return run


for _kind in ("tensor_tensor", "tensor_0d", "0d_tensor"):
    for _a in DTYPE_NAMES:
        for _b in DTYPE_NAMES:
            for _opname, _op in BINOPS.items():
                add(f"promote_{_kind}_{_a}_{_opname}_{_b}", _grid_case(_kind, _a, _b, _op), None)
for _a in DTYPE_NAMES:
    for _s in SCALARS:
        for _opname, _op in BINOPS.items():
            add(f"promote_tensor_{_a}_{_opname}_py{_s}",
                _grid_case("tensor_scalar", _a, _s, _op), None)
            add(f"promote_py{_s}_{_opname}_tensor_{_a}",
                _grid_case("scalar_tensor", _s, _a, _op), None)
for _a in DTYPE_NAMES:
    for _b in DTYPE_NAMES:
        add(f"promote_types_{_a}_{_b}",
            lambda lib, a=_a, b=_b: lib.promote_types(dt(lib, a), dt(lib, b)))

add("result_type_tensor_float", lambda lib: lib.result_type(t(lib, I34), 1.5))
add("result_type_tensor_tensor", lambda lib: lib.result_type(t(lib, I34_32), t(lib, I34)))
add("promote_0d_double_int32", lambda lib: t(lib, I34_32) * lib.tensor(1.5, dtype=lib.double))
add("promote_0d_int_with_int32_tensor", lambda lib: t(lib, I34_32) + lib.tensor(3))
add("promote_0d_with_0d", lambda lib: lib.tensor(2, dtype=lib.int32) + lib.tensor(3))
add("promote_float32_with_py_float", lambda lib: t(lib, F3) * 1e-3)

# --------------------------------------------------------------------------------------------
# Arithmetic functions and methods

add("add_alpha", lambda lib: lib.add(t(lib, F34), t(lib, POS34), alpha=2))
add("sub_alpha", lambda lib: t(lib, F34).sub(t(lib, POS34), alpha=0.5))
add("add_method_scalar", lambda lib: t(lib, I34).add(3))
add("mul_fn", lambda lib: lib.mul(t(lib, F34), t(lib, F4)))
add("div_fn", lambda lib: lib.div(t(lib, F34), t(lib, POS34)))
add("div_trunc", lambda lib: lib.div(lib.tensor([-7, 7, -8]), 2, rounding_mode="trunc"))
add("div_floor", lambda lib: lib.div(lib.tensor([-7, 7, -8]), 2, rounding_mode="floor"))
add("div_floor_float", lambda lib: t(lib, F34).div(0.7, rounding_mode="floor"))
add("true_divide_ints", lambda lib: lib.true_divide(lib.tensor([1, 2, 3]), lib.tensor([2, 2, 2])))
add("floor_divide_negative", lambda lib: lib.floor_divide(lib.tensor([-7, 7, -1]), 2))
add("remainder_negative", lambda lib: lib.remainder(lib.tensor([-7, 7, -1]), 3))
add("remainder_float_negative_divisor", lambda lib: lib.remainder(t(lib, F34), -0.75))
add("pow_scalar_exponent", lambda lib: lib.pow(t(lib, POS34), 2))
add("pow_method_half", lambda lib: t(lib, POS34).pow(0.5))
add("pow_scalar_base", lambda lib: lib.pow(2, lib.tensor([0, 1, 3])))
add("pow_tensor_tensor", lambda lib: lib.pow(t(lib, POS34), t(lib, F34)))
add("rsub_scalar", lambda lib: 1 - t(lib, F34))
add("rtruediv_scalar", lambda lib: 1 / t(lib, POS34))
add("neg_op", lambda lib: -t(lib, I34))
add("float_div_by_zero", lambda lib: lib.tensor([1.0, -1.0, 0.0]) / 0)
add("int_true_div_by_zero", lambda lib: lib.tensor([1, -1, 0]) / 0)
add("float_floordiv_by_zero", lambda lib: lib.tensor([1.0, -1.0]) // 0.0)
add("broadcast_row_col", lambda lib: t(lib, F34)[:, :1] + t(lib, F4))
add("broadcast_3d", lambda lib: t(lib, F234) * t(lib, F34)[0])
add("broadcast_0d", lambda lib: t(lib, F34) - lib.tensor(1.0))
add("broadcast_empty", lambda lib: lib.zeros(0, 3) + lib.ones(3))

# --------------------------------------------------------------------------------------------
# Unary math

UNARY = ["neg", "abs", "exp", "sin", "cos", "sigmoid", "relu", "tanh"]
for _fname in UNARY:
    add(f"unary_{_fname}_float32", lambda lib, f=_fname: getattr(lib, f)(t(lib, F34)))
    add(f"unary_{_fname}_float64_method", lambda lib, f=_fname: getattr(t(lib, D34), f)())
for _fname in ["log", "sqrt"]:
    add(f"unary_{_fname}_float32", lambda lib, f=_fname: getattr(lib, f)(t(lib, POS34)))
    add(f"unary_{_fname}_method", lambda lib, f=_fname: getattr(t(lib, POS34), f)())
    add(f"unary_{_fname}_negative_nan",
        lambda lib, f=_fname: getattr(lib, f)(lib.tensor([-1.0, 0.0])))
for _fname in ["exp", "log", "sqrt", "sin", "sigmoid", "tanh"]:
    add(f"unary_{_fname}_int_to_float",
        lambda lib, f=_fname: getattr(lib, f)(lib.tensor([1, 2, 4])))
add("unary_exp_bool_to_float", lambda lib: lib.exp(lib.tensor([True, False])))
add("unary_abs_int", lambda lib: lib.abs(t(lib, I34)))
add("unary_builtin_abs", lambda lib: abs(t(lib, F34)))
add("unary_relu_int", lambda lib: lib.relu(t(lib, I34)))
add("unary_neg_int32", lambda lib: t(lib, I34_32).neg())
add("unary_exp_large_inf", lambda lib: lib.exp(lib.tensor([100.0, -200.0])))
add("unary_sigmoid_extremes", lambda lib: lib.sigmoid(lib.tensor([-100.0, 0.0, 100.0])))
err("unary_neg_bool", lambda lib: -lib.tensor([True, False]))

# --------------------------------------------------------------------------------------------
# where, clamp, maximum, minimum, logical and comparison ops

add("where_tensors", lambda lib: lib.where(t(lib, B34), t(lib, F34), t(lib, D34)))
add("where_scalar_other", lambda lib: lib.where(t(lib, B34), t(lib, F34), 0.0))
add("where_int_float_scalar", lambda lib: lib.where(t(lib, B34), t(lib, I34), 1.5))
add("where_int_int_scalar", lambda lib: lib.where(t(lib, B34), t(lib, I34), 0))
add("where_broadcast", lambda lib: lib.where(t(lib, B34)[:, :1], t(lib, F4), t(lib, F34)))
add("where_method", lambda lib: t(lib, F34).where(t(lib, B34), t(lib, POS34)))
add("where_from_comparison", lambda lib: lib.where(t(lib, F34) > 0, t(lib, F34), -1.0))
add("clamp_both", lambda lib: lib.clamp(t(lib, F34), min=-0.5, max=0.5))
add("clamp_min_only", lambda lib: t(lib, F34).clamp(min=0.0))
add("clamp_max_only", lambda lib: t(lib, F34).clamp(max=0.25))
add("clamp_positional", lambda lib: lib.clamp(t(lib, I34), -2, 3))
add("clip_alias", lambda lib: lib.clip(t(lib, F34), -0.1, 0.1))
add("clip_method", lambda lib: t(lib, F34).clip(min=0.0))
add("clamp_int_float_bound", lambda lib: lib.clamp(t(lib, I34), min=0.5))
add("maximum", lambda lib: lib.maximum(t(lib, F34), t(lib, POS34)))
add("minimum_broadcast", lambda lib: lib.minimum(t(lib, F34), t(lib, F4)))
add("maximum_int_float", lambda lib: lib.maximum(t(lib, I34), t(lib, F34)))
add("maximum_method", lambda lib: t(lib, I34).maximum(t(lib, I34_32)))
add("max_binary", lambda lib: lib.max(t(lib, F34), t(lib, POS34)))
add("min_binary_method", lambda lib: t(lib, F34).min(t(lib, F4)))
add("maximum_nan", lambda lib: lib.maximum(lib.tensor([1.0, float("nan")]), lib.tensor([2.0, 0.0])))
for _name, _op in [("lt", operator.lt), ("le", operator.le), ("gt", operator.gt),
                   ("ge", operator.ge), ("eq", operator.eq), ("ne", operator.ne)]:
    add(f"cmp_{_name}_op", lambda lib, op=_op: op(t(lib, F34), t(lib, F4)))
    add(f"cmp_{_name}_fn", lambda lib, n=_name: getattr(lib, n)(t(lib, I34), 0))
    add(f"cmp_{_name}_method", lambda lib, n=_name: getattr(t(lib, F34), n)(t(lib, I34)))
add("cmp_reflected_scalar", lambda lib: 0.5 < t(lib, F34))
add("cmp_nan", lambda lib: lib.tensor([float("nan"), 1.0]) == lib.tensor([float("nan"), 1.0]))
add("logical_not_bool", lambda lib: ~t(lib, B34))
add("bitwise_not_int", lambda lib: ~t(lib, I34))
add("logical_and", lambda lib: t(lib, B34) & (t(lib, F34) > 0))
add("logical_or", lambda lib: t(lib, B34) | (t(lib, F34) > 0))
add("logical_xor", lambda lib: t(lib, B34) ^ (t(lib, F34) > 0))
add("bitwise_and_int", lambda lib: t(lib, I34) & 6)
add("bitwise_or_int_bool", lambda lib: t(lib, I34) | t(lib, B34))
err("invert_float", lambda lib: ~t(lib, F34))
err("and_float", lambda lib: t(lib, F34) & t(lib, F34))

# --------------------------------------------------------------------------------------------
# Reductions

X3 = F234
add("sum_all", lambda lib: t(lib, F34).sum())
add("sum_dim0", lambda lib: t(lib, F34).sum(0))
add("sum_dim_kw", lambda lib: t(lib, F34).sum(dim=1))
add("sum_negative_dim", lambda lib: t(lib, X3).sum(-1))
add("sum_tuple_dims", lambda lib: t(lib, X3).sum((0, 2)))
add("sum_keepdim", lambda lib: t(lib, X3).sum(dim=1, keepdim=True))
add("sum_tuple_keepdim", lambda lib: t(lib, X3).sum(dim=(0, -1), keepdim=True))
add("sum_fn", lambda lib: lib.sum(t(lib, F34), 1))
add("sum_int32_to_int64", lambda lib: t(lib, I34_32).sum())
add("sum_int32_dim_to_int64", lambda lib: t(lib, I34_32).sum(0))
add("sum_bool_to_int64", lambda lib: t(lib, B34).sum(1))
add("sum_dtype", lambda lib: t(lib, I34).sum(dtype=lib.float64))
add("sum_empty", lambda lib: lib.zeros(0).sum())
add("sum_0d", lambda lib: lib.tensor(3.0).sum())
add("mean_all", lambda lib: t(lib, F34).mean())
add("mean_dim", lambda lib: t(lib, F34).mean(dim=0))
add("mean_tuple_keepdim", lambda lib: t(lib, X3).mean((0, 2), keepdim=True))
add("mean_fn_float64", lambda lib: lib.mean(t(lib, D34), -1))
add("prod_all", lambda lib: t(lib, POS34).prod())
add("prod_dim", lambda lib: t(lib, F34).prod(1))
add("prod_keepdim", lambda lib: t(lib, F34).prod(0, keepdim=True))
add("prod_int_to_int64", lambda lib: t(lib, I34_32).prod(1))
add("prod_bool", lambda lib: t(lib, B34).prod())
add("max_all", lambda lib: t(lib, F34).max())
add("min_all_int", lambda lib: t(lib, I34).min())
add("max_fn_all", lambda lib: lib.max(t(lib, X3)))


@case()
def case_max_dim_named_tuple(lib):
    r = t(lib, F34).max(dim=1)
    return r.values, r.indices, r[0], r[1], len(r)


@case()
def case_min_dim_unpack(lib):
    values, indices = t(lib, I34).min(0)
    return values, indices


@case()
def case_max_dim_keepdim(lib):
    r = lib.max(t(lib, X3), 1, keepdim=True)
    return r.values, r.indices


@case()
def case_min_negative_dim(lib):
    r = t(lib, X3).min(dim=-1)
    return r.values, r.indices


add("argmax_all", lambda lib: t(lib, F34).argmax())
add("argmax_dim", lambda lib: t(lib, F34).argmax(dim=1))
add("argmax_keepdim", lambda lib: t(lib, I34).argmax(dim=0, keepdim=True))
add("argmin_fn", lambda lib: lib.argmin(t(lib, X3), 2))
add("argmax_ties_first", lambda lib: lib.tensor([1, 3, 3, 0, 3]).argmax())
add("argmin_all", lambda lib: t(lib, I34).argmin())
add("all_bool", lambda lib: t(lib, B34).all())
add("any_dim", lambda lib: t(lib, B34).any(dim=1))
add("all_dim_keepdim", lambda lib: t(lib, B34).all(0, keepdim=True))
add("all_float", lambda lib: lib.all(lib.tensor([1.0, 0.0])))
add("any_int", lambda lib: lib.any(t(lib, I34)))
add("all_empty", lambda lib: lib.tensor([], dtype=lib.bool).all())
add("var_all", lambda lib: t(lib, F34).var())
add("var_dim", lambda lib: t(lib, F34).var(dim=0))
add("var_unbiased_false", lambda lib: t(lib, F34).var(unbiased=False))
add("var_correction0", lambda lib: t(lib, F34).var(dim=1, correction=0))
add("std_keepdim", lambda lib: t(lib, F34).std(dim=1, keepdim=True))
add("std_all_float64", lambda lib: lib.std(t(lib, D34)))
add("std_tuple_dim", lambda lib: t(lib, X3).std(dim=(0, 2)))
add("std_single_is_nan", lambda lib: lib.tensor([3.0]).std())
err("mean_int", lambda lib: t(lib, I34).mean())
err("mean_bool", lambda lib: t(lib, B34).mean())
err("var_int", lambda lib: t(lib, I34).var())
err("std_int", lambda lib: t(lib, I34).std())
err("max_empty", lambda lib: lib.tensor([]).max())
err("sum_bad_dim", lambda lib: t(lib, F34).sum(2))
err("sum_bad_negative_dim", lambda lib: t(lib, F34).sum(-3))
err("max_bad_dim", lambda lib: t(lib, F34).max(dim=5))
err("argmax_bad_dim", lambda lib: t(lib, F3).argmax(1))

# --------------------------------------------------------------------------------------------
# Shape operations and views

A12 = np.arange(12)
add("view", lambda lib: t(lib, A12).view(3, 4))
add("view_infer", lambda lib: t(lib, A12).view(-1, 2))
add("view_tuple", lambda lib: t(lib, A12).view((2, 6)))
add("view_flat", lambda lib: t(lib, F34).view(12))
add("view_as", lambda lib: t(lib, A12).view_as(t(lib, F34)))
add("view_0d_to_1", lambda lib: lib.tensor(5.0).view(1))
add("reshape", lambda lib: t(lib, A12).reshape(2, -1))
add("reshape_tuple", lambda lib: t(lib, A12).reshape((3, 2, 2)))
add("reshape_non_contiguous", lambda lib: t(lib, F34).t().reshape(12))
add("reshape_as", lambda lib: t(lib, A12).reshape_as(t(lib, F43)))
add("reshape_fn", lambda lib: lib.reshape(t(lib, A12), (4, 3)))
add("flatten", lambda lib: t(lib, X3).flatten())
add("flatten_start", lambda lib: t(lib, X3).flatten(1))
add("flatten_range", lambda lib: t(lib, X3).flatten(0, 1))
add("flatten_0d", lambda lib: lib.tensor(2.0).flatten())
add("flatten_fn", lambda lib: lib.flatten(t(lib, X3), start_dim=1))
add("transpose", lambda lib: t(lib, X3).transpose(0, 1))
add("transpose_negative", lambda lib: t(lib, X3).transpose(-1, -2))
add("transpose_fn", lambda lib: lib.transpose(t(lib, F34), 0, 1))
add("t_2d", lambda lib: t(lib, F34).t())
add("t_1d", lambda lib: t(lib, F3).t())
add("T_2d", lambda lib: t(lib, F34).T)
add("permute", lambda lib: t(lib, X3).permute(2, 0, 1))
add("permute_tuple", lambda lib: t(lib, X3).permute((1, 2, 0)))
add("permute_stride", lambda lib: t(lib, X3).permute(2, 0, 1).stride())
add("permute_fn", lambda lib: lib.permute(t(lib, X3), (2, 1, 0)))
add("squeeze_all", lambda lib: lib.zeros(1, 3, 1).squeeze())
add("squeeze_dim", lambda lib: lib.zeros(1, 3, 1).squeeze(2))
add("squeeze_not_one", lambda lib: t(lib, F34).squeeze(0))
add("squeeze_fn", lambda lib: lib.squeeze(lib.ones(1, 2)))
add("unsqueeze", lambda lib: t(lib, F34).unsqueeze(0))
add("unsqueeze_last", lambda lib: t(lib, F34).unsqueeze(-1))
add("unsqueeze_middle_fn", lambda lib: lib.unsqueeze(t(lib, F34), 1))
add("expand", lambda lib: t(lib, F4).view(1, 4).expand(3, -1))
add("expand_new_dims", lambda lib: t(lib, F3).view(3, 1).expand(2, 3, 4))
add("expand_stride", lambda lib: t(lib, F4).expand(3, 4).stride())
add("expand_as", lambda lib: t(lib, F4).expand_as(t(lib, F34)))
add("contiguous", lambda lib: t(lib, F34).t().contiguous())
add("contiguous_flag", lambda lib: t(lib, F34).t().contiguous().is_contiguous())
add("cat_dim0", lambda lib: lib.cat([t(lib, F34), t(lib, POS34)]))
add("cat_dim1", lambda lib: lib.cat([t(lib, F34), t(lib, POS34)], dim=1))
add("cat_negative_dim", lambda lib: lib.cat((t(lib, F34), t(lib, F34)[:, :1]), dim=-1))
add("cat_promotes", lambda lib: lib.cat([t(lib, I34), t(lib, F34)]))
add("cat_three", lambda lib: lib.cat([t(lib, F3), t(lib, F3), t(lib, F3)]))
add("stack_dim0", lambda lib: lib.stack([t(lib, F34), t(lib, POS34)]))
add("stack_dim1", lambda lib: lib.stack([t(lib, F3), t(lib, F3)], dim=1))
add("stack_negative", lambda lib: lib.stack((t(lib, F34), t(lib, F34)), dim=-1))
add("iterate_rows", lambda lib: list(t(lib, F34)))
add("iterate_1d_gives_0d", lambda lib: [x for x in lib.tensor([1, 2])])


@case()
def case_view_shares_storage(lib):
    x = t(lib, A12)
    v = x.view(3, 4)
    v[1, 1] = 100
    return x


@case()
def case_transpose_shares_storage(lib):
    x = t(lib, F34)
    x.t()[0, 1] = 5.0
    return x


@case()
def case_reshape_contiguous_is_view(lib):
    x = lib.zeros(6)
    x.reshape(2, 3)[0, 0] = 1.0
    return x


@case()
def case_squeeze_unsqueeze_views(lib):
    x = lib.zeros(3)
    x.unsqueeze(0)[0, 1] = 2.0
    x.view(1, 3).squeeze()[2] = 3.0
    return x


err("view_bad_size", lambda lib: t(lib, A12).view(5, 2))
err("view_two_infer", lambda lib: t(lib, A12).view(-1, -1))
err("view_non_contiguous", lambda lib: t(lib, F34).t().view(12))
err("reshape_bad_size", lambda lib: t(lib, A12).reshape(5, -1))
err("transpose_bad_dim", lambda lib: t(lib, F34).transpose(0, 2))
err("permute_wrong_length", lambda lib: t(lib, X3).permute(0, 1))
err("squeeze_bad_dim", lambda lib: t(lib, F34).squeeze(2))
err("unsqueeze_bad_dim", lambda lib: t(lib, F3).unsqueeze(2))
err("flatten_bad_dim", lambda lib: t(lib, F34).flatten(3))
err("expand_bad", lambda lib: t(lib, F3).expand(2, 4))
err("cat_mismatch", lambda lib: lib.cat([t(lib, F34), t(lib, F43)]))
err("cat_bad_dim", lambda lib: lib.cat([t(lib, F34), t(lib, F34)], dim=2))
err("stack_mismatch", lambda lib: lib.stack([t(lib, F34), t(lib, F43)]))
err("size_bad_dim", lambda lib: t(lib, F34).size(2))

# --------------------------------------------------------------------------------------------
# Indexing

add("idx_int", lambda lib: t(lib, F34)[1])
add("idx_negative", lambda lib: t(lib, F34)[-1])
add("idx_two_ints_0d", lambda lib: t(lib, F34)[1, 2])
add("idx_chained", lambda lib: t(lib, I34)[2][-1])
add("idx_column", lambda lib: t(lib, F34)[:, 1])
add("idx_slice", lambda lib: t(lib, F34)[1:])
add("idx_step", lambda lib: t(lib, A12)[::3])
add("idx_slice_step_2d", lambda lib: t(lib, F34)[0:3, ::2])
add("idx_slice_negative", lambda lib: t(lib, A12)[-4:-1])
add("idx_slice_past_end", lambda lib: t(lib, A12)[10:20])
add("idx_slice_empty", lambda lib: t(lib, F34)[2:1])
add("idx_ellipsis", lambda lib: t(lib, X3)[..., 0])
add("idx_ellipsis_middle", lambda lib: t(lib, X3)[0, ..., 1])
add("idx_none", lambda lib: t(lib, F34)[None])
add("idx_none_middle", lambda lib: t(lib, F34)[:, None])
add("idx_none_ellipsis", lambda lib: t(lib, F3)[None, ..., None])
add("idx_0d_ellipsis", lambda lib: lib.tensor(3.0)[...])
add("idx_0d_none", lambda lib: lib.tensor(3.0)[None])
add("idx_list", lambda lib: t(lib, F34)[[0, 2]])
add("idx_list_negative", lambda lib: t(lib, F34)[[-1, 0, -1]])
add("idx_tensor", lambda lib: t(lib, F34)[lib.tensor([2, 0])])
add("idx_tensor_2d", lambda lib: t(lib, A12)[lib.tensor([[0, 1], [5, 11]])])
add("idx_pairs", lambda lib: t(lib, F34)[[0, 1, 2], [3, 0, 1]])
add("idx_pairs_broadcast", lambda lib: t(lib, I34)[lib.tensor([[0], [2]]), lib.tensor([1, 3])])
add("idx_mask_2d", lambda lib: t(lib, F34)[t(lib, B34)])
add("idx_mask_rows", lambda lib: t(lib, F34)[lib.tensor([True, False, True])])
add("idx_mask_comparison", lambda lib: t(lib, I34)[t(lib, I34) > 0])
add("idx_mixed_slice_list", lambda lib: t(lib, F34)[:, [0, 2]])
add("idx_mixed_int_list", lambda lib: t(lib, F34)[1, [0, 3]])
add("idx_mixed_list_ellipsis", lambda lib: t(lib, X3)[[0, 1], ...])
add("idx_mixed_separated", lambda lib: t(lib, X3)[[0, 1], :, [0, 3]])
add("idx_mixed_slice_tensor_3d", lambda lib: t(lib, X3)[:, lib.tensor([2, 0]), 1:3])
add("idx_mixed_mask_column", lambda lib: t(lib, F34)[lib.tensor([True, False, True]), 1:])


@case()
def case_idx_basic_is_view(lib):
    x = t(lib, F34)
    row = x[0]
    row[1] = 99.0
    x[:, 2][1] = -99.0
    return x


@case()
def case_idx_advanced_is_copy(lib):
    x = t(lib, F34)
    y = x[[0]]
    y[0, 0] = 99.0
    return x, y


@case()
def case_setitem_int(lib):
    x = t(lib, I34)
    x[0] = 5
    return x


@case()
def case_setitem_element(lib):
    x = t(lib, F34)
    x[1, 2] = 7.0
    x[-1, -1] = -7.0
    return x


@case()
def case_setitem_column_tensor(lib):
    x = t(lib, F34)
    x[:, 1] = lib.tensor([1.0, 2.0, 3.0])
    return x


@case()
def case_setitem_broadcast_row(lib):
    x = t(lib, F34)
    x[...] = t(lib, F4)
    return x


@case()
def case_setitem_mask_scalar(lib):
    x = t(lib, F34)
    x[x < 0] = 0.0
    return x


@case()
def case_setitem_mask_values(lib):
    x = t(lib, I34)
    m = x > 0
    x[m] = -x[m]
    return x


@case()
def case_setitem_list_float_into_int(lib):
    x = t(lib, I34)
    x[[0, 2]] = 1.5
    return x


@case()
def case_setitem_mixed(lib):
    x = t(lib, F34)
    x[:, [0, 3]] = 0.0
    x[1:, 1] = lib.tensor([8.0, 9.0])
    return x


@case()
def case_setitem_slice_step(lib):
    x = t(lib, A12)
    x[::4] = lib.tensor([-1, -2, -3])
    return x


@case()
def case_setitem_through_view(lib):
    x = t(lib, A12)
    v = x.view(3, 4)
    v[:, 0] = 0
    return x


@case()
def case_setitem_int_tensor_index(lib):
    x = lib.zeros(5)
    x[lib.tensor([0, 4])] = lib.tensor([1.0, 2.0])
    return x


@case()
def case_setitem_int_from_float_tensor(lib):
    x = lib.zeros(3, dtype=lib.int64)
    x[:] = lib.tensor([1.9, -1.9, 0.5])
    return x


err("idx_out_of_range", lambda lib: t(lib, F3)[5])
err("idx_out_of_range_negative", lambda lib: t(lib, F3)[-4])
err("idx_out_of_range_dim1", lambda lib: t(lib, F34)[0, 7])
err("idx_list_out_of_range", lambda lib: t(lib, F3)[[0, 5]])
err("idx_tensor_out_of_range", lambda lib: t(lib, F3)[lib.tensor([5])])
err("idx_too_many", lambda lib: t(lib, F34)[0, 0, 0])
err("idx_0d_int", lambda lib: lib.tensor(1.0)[0])


@case(raises=True)
def case_err_setitem_out_of_range(lib):
    x = lib.zeros(3)
    x[3] = 1.0


@case(raises=True)
def case_err_setitem_broadcast(lib):
    x = lib.zeros(2, 3)
    x[:, 0] = lib.tensor([1.0, 2.0, 3.0])


@case(raises=True)
def case_err_mask_shape(lib):
    return t(lib, F34)[lib.tensor([True, False])]


# --------------------------------------------------------------------------------------------
# Matrix multiplication

add("matmul_2d_2d", lambda lib: t(lib, F34) @ t(lib, F43))
add("matmul_1d_1d", lambda lib: t(lib, F4) @ t(lib, F4))
add("matmul_2d_1d", lambda lib: t(lib, F34) @ t(lib, F4))
add("matmul_1d_2d", lambda lib: t(lib, F3) @ t(lib, F34))
add("matmul_3d_3d", lambda lib: t(lib, X3) @ t(lib, F245))
add("matmul_3d_2d", lambda lib: t(lib, X3) @ t(lib, F43))
add("matmul_2d_3d", lambda lib: t(lib, F34) @ t(lib, F245))
add("matmul_3d_1d", lambda lib: t(lib, X3) @ t(lib, F4))
add("matmul_1d_3d", lambda lib: t(lib, F4) @ t(lib, F245))


@case()
def case_matmul_batch_broadcast(lib):
    a = t(lib, X3).view(2, 1, 3, 4)
    b = t(lib, F245)[:1].expand(5, 4, 5)
    return a @ b


add("matmul_fn", lambda lib: lib.matmul(t(lib, F34), t(lib, F43)))
add("matmul_method", lambda lib: t(lib, F34).matmul(t(lib, F4)))
add("matmul_int", lambda lib: t(lib, I34) @ t(lib, I34).t())
add("matmul_int32", lambda lib: t(lib, I34_32) @ t(lib, I34_32).t())
add("matmul_float64", lambda lib: t(lib, D34) @ t(lib, D34).T)
add("matmul_transposed_inputs", lambda lib: t(lib, F43).t() @ t(lib, F34).t())
add("matmul_empty_inner", lambda lib: lib.zeros(2, 0) @ lib.zeros(0, 3))
add("mm", lambda lib: lib.mm(t(lib, F34), t(lib, F43)))
add("mm_method", lambda lib: t(lib, F43).mm(t(lib, F34)))
add("bmm", lambda lib: lib.bmm(t(lib, X3), t(lib, F245)))
add("dot", lambda lib: lib.dot(t(lib, F4), t(lib, F4)))
add("dot_method_int", lambda lib: lib.tensor([1, 2, 3]).dot(lib.tensor([4, 5, 6])))
add("mv", lambda lib: lib.mv(t(lib, F34), t(lib, F4)))
add("mv_method", lambda lib: t(lib, F43).mv(t(lib, F3)))
err("matmul_mismatch", lambda lib: t(lib, F34) @ t(lib, F34))
err("matmul_1d_mismatch", lambda lib: t(lib, F3) @ t(lib, F4))
err("matmul_batch_mismatch", lambda lib: t(lib, X3) @ t(lib, F245)[:, :3])
err("matmul_0d", lambda lib: t(lib, F4) @ lib.tensor(1.0))
err("matmul_dtype_mismatch", lambda lib: t(lib, I34) @ t(lib, F43))
err("mm_1d", lambda lib: lib.mm(t(lib, F4), t(lib, F43)))
err("mm_mismatch", lambda lib: lib.mm(t(lib, F34), t(lib, F34)))
err("bmm_2d", lambda lib: lib.bmm(t(lib, F34), t(lib, F43)))
err("dot_2d", lambda lib: lib.dot(t(lib, F34), t(lib, F34)))
err("dot_mismatch", lambda lib: lib.dot(t(lib, F3), t(lib, F4)))
err("mv_mismatch", lambda lib: lib.mv(t(lib, F34), t(lib, F3)))

# --------------------------------------------------------------------------------------------
# In-place operations


def _inplace(method, *args, base=F34, **kwargs):
    def run(lib):
        x = t(lib, base)
        r = getattr(x, method)(*[a(lib) if callable(a) else a for a in args], **kwargs)
        return r is x, x

    return run


add("inplace_add", _inplace("add_", lambda lib: t(lib, POS34)))
add("inplace_add_alpha", _inplace("add_", lambda lib: t(lib, F4), alpha=2))
add("inplace_add_scalar", _inplace("add_", 1.5))
add("inplace_add_int_into_float", _inplace("add_", lambda lib: t(lib, I34)))
add("inplace_sub", _inplace("sub_", lambda lib: t(lib, POS34)))
add("inplace_sub_alpha", _inplace("sub_", 1, alpha=3))
add("inplace_mul", _inplace("mul_", 2))
add("inplace_mul_broadcast", _inplace("mul_", lambda lib: t(lib, F4)))
add("inplace_div", _inplace("div_", 4))
add("inplace_div_tensor", _inplace("div_", lambda lib: t(lib, POS34)))
add("inplace_zero", _inplace("zero_"))
add("inplace_fill", _inplace("fill_", 3.5))
add("inplace_fill_int_truncates", _inplace("fill_", 2.7, base=I34))
add("inplace_copy", _inplace("copy_", lambda lib: t(lib, POS34)))
add("inplace_copy_broadcast", _inplace("copy_", lambda lib: t(lib, F4)))
add("inplace_copy_float_into_int", _inplace("copy_", lambda lib: t(lib, F34) * 3, base=I34))
add("inplace_int_add_int", _inplace("add_", 2, base=I34))
add("inplace_int_add_bool", _inplace("add_", lambda lib: t(lib, B34), base=I34))
add("inplace_int32_add_int64", _inplace("add_", lambda lib: t(lib, I34), base=I34_32))


@case()
def case_inplace_operators_keep_identity(lib):
    x = t(lib, F34)
    y = x
    x += 1
    x *= t(lib, F4)
    x -= 0.5
    x /= 2
    return x is y, x


@case()
def case_inplace_on_view_changes_base(lib):
    x = t(lib, F34)
    x[1].mul_(0)
    x[:, 0].add_(10)
    return x


@case()
def case_inplace_on_expanded_operand(lib):
    x = lib.zeros(3)
    x.add_(lib.tensor(1.0).expand(3))
    return x


err("inplace_int_add_float", _inplace("add_", lambda lib: t(lib, F34), base=I34))
err("inplace_int_mul_float_scalar", _inplace("mul_", 2.5, base=I34))
err("inplace_int_div", _inplace("div_", 2, base=I34))
err("inplace_broadcast_grows", _inplace("add_", lambda lib: t(lib, F34), base=F4))
err("inplace_bool_add", _inplace("add_", 1, base=B34))

# --------------------------------------------------------------------------------------------
# Printing

PRINTED = {
    "float_1d": lambda lib: t(lib, F3),
    "float_2d": lambda lib: t(lib, F34),
    "float_3d": lambda lib: t(lib, X3),
    "float_whole": lambda lib: lib.tensor([1.0, 2.0, -3.0]),
    "float_mixed_width": lambda lib: lib.tensor([1.5, -20.25, 300.0]),
    "float_third": lambda lib: lib.tensor([1.0, 2.0]) / 3,
    "float_big_whole": lambda lib: lib.tensor([1e6, 2.0]),
    "float_wide": lambda lib: t(lib, WIDE),
    "float64": lambda lib: t(lib, D34),
    "float64_whole": lambda lib: lib.tensor([1.0, 2.0], dtype=lib.float64),
    "int": lambda lib: t(lib, I34),
    "int32": lambda lib: t(lib, I34_32),
    "int_big": lambda lib: lib.tensor([1, -1000000, 10**12]),
    "bool": lambda lib: t(lib, B34),
    "bool_1d": lambda lib: lib.tensor([True, False, True]),
    "0d_float": lambda lib: lib.tensor(2.5),
    "0d_float_whole": lambda lib: lib.tensor(3.0),
    "0d_float64": lambda lib: lib.tensor(1.5, dtype=lib.float64),
    "0d_int": lambda lib: lib.tensor(-7),
    "0d_int32": lambda lib: lib.tensor(7, dtype=lib.int32),
    "0d_bool": lambda lib: lib.tensor(False),
    "0d_nan": lambda lib: lib.tensor(float("nan")),
    "0d_requires_grad": lambda lib: lib.tensor(1.0, requires_grad=True),
    "empty_float": lambda lib: lib.tensor([]),
    "empty_int": lambda lib: lib.tensor([], dtype=lib.int64),
    "empty_int32": lambda lib: lib.zeros(0, dtype=lib.int32),
    "empty_2d": lambda lib: lib.zeros(2, 0),
    "empty_3d_float64": lambda lib: lib.zeros(0, 3, 1, dtype=lib.float64),
    "requires_grad": lambda lib: lib.tensor([1.0, 2.0], requires_grad=True),
    "requires_grad_float64": lambda lib: lib.ones(2, 2, dtype=lib.float64, requires_grad=True),
    "sci_small": lambda lib: lib.tensor([1e-5, 1.0, 2.0]),
    "sci_large": lambda lib: lib.tensor([1e9, 1.0]),
    "sci_tiny_all": lambda lib: lib.tensor([1.5e-8, -2.25e-9]),
    "sci_2d": lambda lib: t(lib, F23) * 1e6,
    "nan_inf": lambda lib: lib.tensor([float("nan"), float("inf"), -float("inf"), 1.5]),
    "nan_inf_whole": lambda lib: lib.tensor([float("nan"), float("inf"), 2.0]),
    "negative_zero": lambda lib: lib.tensor([-0.0, 1.0]),
    "long_row_wraps": lambda lib: lib.arange(30) / 7,
    "long_int_row_wraps": lambda lib: lib.arange(40) * 1000,
    "summarized_1d": lambda lib: lib.arange(2000),
    "summarized_float_1d": lambda lib: lib.arange(1500) / 4,
    "summarized_2d": lambda lib: lib.arange(100 * 100).view(100, 100) / 3,
    "summarized_3d_int": lambda lib: lib.arange(3000).view(10, 10, 30),
    "not_summarized_1000": lambda lib: lib.arange(1000),
    "transposed": lambda lib: t(lib, F34).t(),
    "expanded": lambda lib: t(lib, F3).expand(2, 3),
    "sliced_step": lambda lib: lib.arange(10.0)[::3],
    "column_vector": lambda lib: lib.arange(3.0).view(3, 1),
    "int_negative_alignment": lambda lib: lib.tensor([[1, -22], [333, 4]]),
}
for _name, _build in PRINTED.items():
    add(f"print_repr_{_name}", lambda lib, b=_build: repr(b(lib)))
    add(f"print_str_{_name}", lambda lib, b=_build: str(b(lib)))

add("print_size", lambda lib: repr(t(lib, X3).shape))
add("print_size_str", lambda lib: str(t(lib, F3).shape))
add("print_size_empty", lambda lib: repr(lib.tensor(1.0).shape))
add("print_size_method", lambda lib: str(t(lib, F34).size()))
add("print_dtypes", lambda lib: [repr(dt(lib, n)) for n in DTYPE_NAMES])
add("print_dtype_str", lambda lib: str(lib.float32))
add("print_named_tuple", lambda lib: repr(t(lib, F23).max(dim=1)))
add("print_format_0d", lambda lib: f"{lib.tensor(2.5)} {lib.tensor(7)} {lib.tensor(True)}")
add("print_format_0d_spec", lambda lib: f"{lib.tensor(1 / 3):.2f} {lib.tensor(5):03d}")
add("print_format_1d", lambda lib: f"{lib.tensor([1.0, 2.5])}")
add("print_list_of_tensors", lambda lib: repr([lib.tensor(1), lib.tensor([2.0])]))
err("print_format_spec_1d", lambda lib: f"{lib.tensor([1.0, 2.0]):.2f}")

# --------------------------------------------------------------------------------------------
# Errors a student meets (classes only; tests/test_errors.py checks the messages)

err("broadcast_add", lambda lib: t(lib, F23) + t(lib, F4))
err("broadcast_mul", lambda lib: t(lib, F34) * t(lib, F3))
err("broadcast_sub_fn", lambda lib: lib.sub(t(lib, F34), t(lib, F43)))
err("broadcast_compare", lambda lib: t(lib, F34) < t(lib, F3))
err("broadcast_where", lambda lib: lib.where(t(lib, B34), t(lib, F3), 0.0))
err("broadcast_maximum", lambda lib: lib.maximum(t(lib, F34), t(lib, F3)))
err("item_many", lambda lib: t(lib, F34).item())
err("item_empty", lambda lib: lib.tensor([]).item())
err("bool_many", lambda lib: bool(t(lib, F34)))
err("bool_empty", lambda lib: bool(lib.tensor([])))
err("if_tensor", lambda lib: 1 if t(lib, F3) > 0 else 0)
err("int_many", lambda lib: int(t(lib, F3)))
err("float_many", lambda lib: float(t(lib, F3)))
err("bool_minus_bool", lambda lib: t(lib, B34) - t(lib, B34))
err("int_floordiv_zero", lambda lib: lib.tensor([1, 2]) // 0)
err("int_floordiv_zero_tensor", lambda lib: lib.tensor([1, 2]) // lib.tensor([1, 0]))
err("int_mod_zero", lambda lib: lib.tensor([1, 2]) % 0)
err("requires_grad_int", lambda lib: lib.tensor([1, 2], requires_grad=True))
err("requires_grad_bool_zeros", lambda lib: lib.zeros(2, dtype=lib.bool, requires_grad=True))
err("tensor_ragged", lambda lib: lib.tensor([[1, 2], [3]]))
err("zeros_negative", lambda lib: lib.zeros(-1))


@case(raises=True)
def case_err_requires_grad_set_on_int(lib):
    x = lib.tensor([1, 2])
    x.requires_grad = True


# --------------------------------------------------------------------------------------------
# Comparison


def dtype_name(d):
    return str(d).split(".")[-1]


_NP_DTYPES = {"bool": np.bool_, "int32": np.int32, "int64": np.int64,
              "float32": np.float32, "float64": np.float64}
_TOL = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-10, atol=1e-12)}


def _torch_names(s):
    """Printed text with `torch.` written as minitorch writes it."""
    return re.sub(r"(?<![\w.])torch\.", "minitorch.", s)


def _is_tensor(x):
    return (
        not isinstance(x, np.ndarray)
        and hasattr(x, "numel")
        and hasattr(x, "tolist")
        and hasattr(x, "dtype")
    )


def _values(x):
    name = dtype_name(x.dtype)
    return np.array(x.tolist(), dtype=_NP_DTYPES[name]).reshape(tuple(x.shape)), name


def _compare_arrays(exp, act, name, where):
    if name in _TOL:
        np.testing.assert_allclose(act, exp, equal_nan=True, err_msg=where, **_TOL[name])
    else:
        np.testing.assert_array_equal(act, exp, err_msg=where)


def compare(exp, act, where="result"):
    """Assert that `act` (minitorch) matches `exp` (torch); `where` names the part compared."""
    if _is_tensor(exp):
        assert _is_tensor(act), f"{where}: torch gave a tensor, minitorch gave {act!r}"
        assert dtype_name(act.dtype) == dtype_name(exp.dtype), (
            f"{where}: dtype {dtype_name(exp.dtype)} in torch, {dtype_name(act.dtype)} in minitorch"
        )
        assert tuple(act.shape) == tuple(exp.shape), (
            f"{where}: shape {tuple(exp.shape)} in torch, {tuple(act.shape)} in minitorch"
        )
        assert bool(act.requires_grad) == bool(exp.requires_grad), f"{where}: requires_grad"
        exp_values, name = _values(exp)
        act_values, _ = _values(act)
        _compare_arrays(exp_values, act_values, name, where)
    elif isinstance(exp, torch.Size):
        assert type(act).__name__ == "Size", f"{where}: expected a Size, got {type(act)}"
        assert isinstance(act, tuple) and tuple(act) == tuple(exp), f"{where}: {act} != {exp}"
    elif isinstance(exp, torch.dtype):
        assert type(act).__name__ == "dtype", f"{where}: expected a dtype, got {act!r}"
        assert dtype_name(act) == dtype_name(exp), f"{where}: {act} != {exp}"
    elif isinstance(exp, torch.device):
        assert str(act) == str(exp), f"{where}: device {act} != {exp}"
    elif isinstance(exp, tuple | list):
        assert type(act) is type(exp) or (
            isinstance(exp, tuple) and isinstance(act, tuple)
        ), f"{where}: torch gave a {type(exp).__name__}, minitorch a {type(act).__name__}"
        assert len(act) == len(exp), f"{where}: length {len(exp)} in torch, {len(act)} in minitorch"
        for i, (e, a) in enumerate(zip(exp, act, strict=True)):
            compare(e, a, f"{where}[{i}]")
        for field in ("values", "indices"):  # torch.return_types (max, min, ...)
            if isinstance(exp, tuple) and hasattr(exp, field):
                assert hasattr(act, field), f"{where}: no .{field} on the named tuple"
                compare(getattr(exp, field), getattr(act, field), f"{where}.{field}")
    elif isinstance(exp, np.ndarray):
        assert isinstance(act, np.ndarray), f"{where}: torch gave an ndarray, minitorch {act!r}"
        assert act.dtype == exp.dtype and act.shape == exp.shape, f"{where}: {act!r} != {exp!r}"
        _compare_arrays(exp, act, exp.dtype.name, where)
    elif isinstance(exp, str):
        assert _torch_names(act) == _torch_names(exp), (
            f"{where}: printed differently\n--- torch:\n{_torch_names(exp)}\n"
            f"--- minitorch:\n{act}"
        )
    elif isinstance(exp, bool | int | float) or exp is None:
        assert type(act) is type(exp), (
            f"{where}: torch gave {type(exp).__name__} {exp!r}, minitorch {type(act).__name__} "
            f"{act!r}"
        )
        if isinstance(exp, float):
            np.testing.assert_allclose(act, exp, rtol=1e-6, equal_nan=True, err_msg=where)
        else:
            assert act == exp, f"{where}: {exp!r} in torch, {act!r} in minitorch"
    else:
        raise TypeError(f"{where}: cannot compare a {type(exp)} (fix the case)")


def _builtin_base(cls):
    """The built-in exception class a torch error is (NotImplementedError counts as Runtime)."""
    for klass in cls.__mro__:
        if klass.__module__ == "builtins":
            return RuntimeError if klass is NotImplementedError else klass
    return Exception


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_parity(case, mt):
    try:
        expected, torch_error = case.fn(torch), None
    except Exception as e:  # noqa: BLE001 -- any torch error is an expected outcome here
        expected, torch_error = None, e
    if case.raises is True and torch_error is None:
        pytest.fail(f"broken case: torch was expected to raise, but returned {expected!r}")
    if case.raises is False and torch_error is not None:
        raise AssertionError("broken case: torch raised") from torch_error

    if torch_error is None:
        compare(expected, case.fn(mt))
        return
    base = _builtin_base(type(torch_error))
    try:
        result = case.fn(mt)
    except base:
        return
    except Exception as e:  # noqa: BLE001 -- reported with both errors
        pytest.fail(
            f"torch raised {base.__name__} ({torch_error}); "
            f"minitorch raised {type(e).__name__}: {e}"
        )
    pytest.fail(
        f"torch raised {base.__name__} ({torch_error}); minitorch returned {result!r}"
    )


def test_case_names_are_unique():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))


def test_tutorial_prints_the_same():
    """The shared tutorial script prints, line by line, what it prints under torch."""
    expected = _torch_names(run_tutorial("torch")).splitlines()
    actual = run_tutorial(SUBJECT).splitlines()
    if SUBJECT == "torch":
        actual = [_torch_names(line) for line in actual]
    for number, (e, a) in enumerate(zip(expected, actual, strict=False), start=1):
        assert a == e, f"tutorial line {number} differs:\n torch:     {e!r}\n minitorch: {a!r}"
    assert len(actual) == len(expected), "the tutorial printed a different number of lines"
