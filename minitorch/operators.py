"""Scalar functions: the per-element math that the backends map, zip and reduce with.

Each follows IEEE / PyTorch semantics instead of raising: `exp(1000.0)` is `inf`, `log(0.0)`
is `-inf`, `sqrt(-1.0)` is `nan`, NaN propagates through `maximum` and `minimum`. Integer
division by zero is the one error, as in PyTorch. They are plain functions of numbers, so a
backend can call them from Python or compile them with Numba.
"""

import math

_EXP_OVERFLOW = 709.78  # math.exp overflows a float64 just above this
_LN2 = math.log(2.0)


def identity(x):
    return x


def neg(x):
    return -x


def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def mul(a, b):
    return a * b


def div(a, b):
    """True division, with `x / 0` giving `inf`, `-inf` or `nan` like IEEE floats."""
    if b == 0:
        if a == 0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _raise_zero_division():
    raise RuntimeError("ZeroDivisionError: integer division or modulo by zero")


def int_floordiv(a, b):
    """Integer `a // b`, rounding toward negative infinity; division by zero is an error."""
    if b == 0:
        _raise_zero_division()
    return a // b


def float_floordiv(a, b):
    """Float `a // b`, rounding toward negative infinity; `x // 0.0` follows IEEE division."""
    if b == 0:
        return div(a, b)
    return a // b


def int_truncdiv(a, b):
    """Integer `a / b` rounded toward zero; division by zero is an error."""
    if b == 0:
        _raise_zero_division()
    quotient = abs(a) // abs(b)
    return -quotient if (a < 0) != (b < 0) else quotient


def float_truncdiv(a, b):
    """Float `a / b` rounded toward zero."""
    return trunc(div(a, b))


def int_mod(a, b):
    """Integer remainder with the sign of the divisor (Python's and PyTorch's `%`)."""
    if b == 0:
        _raise_zero_division()
    return a % b


def float_mod(a, b):
    """Float remainder with the sign of the divisor; `x % 0.0` is `nan`."""
    if b == 0:
        return math.nan
    return a % b


def int_pow(a, b):
    if b < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return a**b


def float_pow(a, b):
    """`a ** b` for Python floats, with the IEEE results PyTorch gives where Python raises
    or turns complex: `0.0 ** -1.0` is `inf`, `(-8.0) ** (1 / 3)` is `nan`, `10.0 ** 400.0`
    is `inf`.
    """
    try:
        out = a**b
    except ZeroDivisionError:  # zero to a negative power
        return math.copysign(math.inf, a) if _is_odd_integer(b) else math.inf
    except OverflowError:
        return -math.inf if a < 0 and _is_odd_integer(b) else math.inf
    return math.nan if isinstance(out, complex) else out


def _is_odd_integer(x):
    return x % 2 == 1


def abs(x):
    if x < 0:
        return -x
    if x == 0:
        return x - x  # 0.0 for both 0.0 and -0.0
    return x  # positive, or nan


def sign(x):
    if x > 0:
        return 1
    if x < 0:
        return -1
    return x  # 0, -0.0 or nan, as PyTorch


def floor(x):
    if math.isinf(x) or x != x:
        return x
    return math.floor(x)


def ceil(x):
    if math.isinf(x) or x != x:
        return x
    return math.ceil(x)


def exp(x):
    if x > _EXP_OVERFLOW:
        return math.inf
    return math.exp(x)


def log(x):
    if x > 0:
        return math.log(x)
    if x == 0:
        return -math.inf
    return math.nan


def sqrt(x):
    if x >= 0:
        return math.sqrt(x)
    return math.nan


def sin(x):
    if math.isinf(x):
        return math.nan
    return math.sin(x)


def cos(x):
    if math.isinf(x):
        return math.nan
    return math.cos(x)


def tan(x):
    if math.isinf(x):
        return math.nan
    return math.tan(x)


def sinh(x):
    if abs(x) > _EXP_OVERFLOW:  # e^|x| / 2, which may still be finite
        return math.copysign(exp(abs(x) - _LN2), x)
    return math.sinh(x)


def cosh(x):
    if abs(x) > _EXP_OVERFLOW:
        return exp(abs(x) - _LN2)
    return math.cosh(x)


def tanh(x):
    return math.tanh(x)


def rsqrt(x):
    """`1 / sqrt(x)`: inf at 0 (-inf at -0.0), NaN below."""
    if x > 0:
        return 1.0 / math.sqrt(x)
    if x == 0:
        return math.copysign(math.inf, x)
    return math.nan


def isinf(x):
    return x == math.inf or x == -math.inf


def sigmoid(x):
    r"""$\sigma(x) = 1 / (1 + e^{-x})$, computed without overflow for large $|x|$."""
    if x >= 0:
        return 1.0 / (1.0 + exp(-x))
    e = exp(x)
    return e / (1.0 + e)


def relu(x):
    return 0 if x < 0 else x  # keeps nan and -0.0, as PyTorch


def log1p(x):
    """`log(1 + x)`, accurate when `x` is tiny."""
    if x > -1:
        return math.log1p(x)
    if x == -1:
        return -math.inf
    return math.nan


def finite_or_zero(x):
    """`x`, or 0 where `x` is infinite (NaN stays NaN)."""
    if x == math.inf or x == -math.inf:
        return 0.0
    return x


def erf(x):
    r"""The error function $\mathrm{erf}(x) = \frac{2}{\sqrt\pi}\int_0^x e^{-t^2}\,dt$."""
    return math.erf(x)


def reciprocal(x):
    """`1 / x`, with `1 / 0` giving `inf` (signed like the zero) as IEEE floats."""
    if x == 0:
        return math.copysign(math.inf, x)
    return 1.0 / x


def maximum(a, b):
    """The larger of `a` and `b`; NaN if either is NaN."""
    if a != a:
        return a
    return a if a >= b else b


def minimum(a, b):
    """The smaller of `a` and `b`; NaN if either is NaN."""
    if a != a:
        return a
    return a if a <= b else b


def lt(a, b):
    return a < b


def le(a, b):
    return a <= b


def gt(a, b):
    return a > b


def ge(a, b):
    return a >= b


def eq(a, b):
    return a == b


def ne(a, b):
    return a != b


def trunc(x):
    """`x` rounded toward zero."""
    if math.isinf(x) or x != x:
        return x
    return math.copysign(float(int(x)), x)


def logical_not(x):
    return not x


def logical_and(a, b):
    return bool(a) and bool(b)


def logical_or(a, b):
    return bool(a) or bool(b)


def bitwise_and(a, b):
    return a & b


def bitwise_or(a, b):
    return a | b


def bitwise_xor(a, b):
    return a ^ b


def bitwise_not(x):
    return ~x


def same_or_both_nan(a, b):
    """`a == b`, counting NaN as equal to NaN: finds where a max/min reduction came from."""
    return a == b or (a != a and b != b)


def round_half_even(x):
    """`x` rounded to the nearest integer, halves to the even one (as PyTorch and NumPy)."""
    if math.isinf(x) or x != x:
        return x
    low = math.floor(x)
    rest = x - low
    if rest > 0.5 or (rest == 0.5 and low - 2.0 * math.floor(low / 2.0) != 0.0):
        low += 1.0
    return math.copysign(low, x)
