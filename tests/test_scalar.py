"""`Scalar`, the autograd warm-up: every derivative against central differences, graphs with
shared nodes, accumulation, printing, and PyTorch's errors for wrong usage.

Special values (zero bases, division by zero, the ReLU kink) are pinned to what PyTorch 2.x
gives for a float64 0-d tensor.
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minitorch import grad_mode
from minitorch.autodiff import central_difference
from minitorch.operators import float_pow
from minitorch.scalar import Scalar
from minitorch.scalar_functions import Mul


def finite(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from_zero(lo, hi):
    """Floats with lo <= |x| <= hi, of either sign."""
    return st.tuples(finite(lo, hi), st.booleans()).map(lambda t: -t[0] if t[1] else t[0])


def check_gradients(fn, *values):
    """`fn` of Scalars: backward's gradients match central differences of its value."""
    inputs = [Scalar(v, requires_grad=True) for v in values]
    fn(*inputs).backward()

    def value(*floats):
        return fn(*(Scalar(v) for v in floats)).data

    for i, x in enumerate(inputs):
        expected = central_difference(value, *values, arg=i)
        got = 0.0 if x.grad is None else x.grad
        assert got == pytest.approx(expected, rel=1e-4, abs=1e-5), (
            f"gradient of input {i} at {values}: backward gave {got}, central difference {expected}"
        )


# -- every operation's derivative ---------------------------------------------------------

UNARY = {
    "neg": (lambda x: -x, finite(-100, 100)),
    "exp": (lambda x: x.exp(), finite(-10, 10)),
    "log": (lambda x: x.log(), finite(0.01, 100)),
    "sigmoid": (lambda x: x.sigmoid(), finite(-10, 10)),
    "relu": (lambda x: x.relu(), away_from_zero(1e-3, 100)),
    "tanh": (lambda x: x.tanh(), finite(-5, 5)),
    "square": (lambda x: x**2, finite(-10, 10)),
    "cube": (lambda x: x**3, finite(-10, 10)),
    "reciprocal": (lambda x: 1 / x, away_from_zero(0.1, 10)),
}

BINARY = {
    "add": (lambda a, b: a + b, finite(-100, 100), finite(-100, 100)),
    "sub": (lambda a, b: a - b, finite(-100, 100), finite(-100, 100)),
    "mul": (lambda a, b: a * b, finite(-100, 100), finite(-100, 100)),
    "div": (lambda a, b: a / b, finite(-100, 100), away_from_zero(0.5, 10)),
    "pow": (lambda a, b: a**b, finite(0.5, 5), finite(-3, 3)),
}


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary_derivative(name, data):
    fn, values = UNARY[name]
    check_gradients(fn, data.draw(values, label="x"))


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_derivative(name, data):
    fn, a_values, b_values = BINARY[name]
    check_gradients(fn, data.draw(a_values, label="a"), data.draw(b_values, label="b"))


@pytest.mark.parametrize(
    "name, fn, reference",
    [
        ("exp", Scalar.exp, math.exp),
        ("log", Scalar.log, math.log),
        ("sigmoid", Scalar.sigmoid, lambda x: 1 / (1 + math.exp(-x))),
        ("relu", Scalar.relu, lambda x: max(x, 0.0)),
        ("tanh", Scalar.tanh, math.tanh),
    ],
)
@given(x=finite(0.01, 5))
def test_unary_values(name, fn, reference, x):
    for v in (x, -x):
        if name == "log" and v < 0:
            continue
        assert fn(Scalar(v)).data == pytest.approx(reference(v), rel=1e-12, abs=1e-15)


# -- graphs with shared nodes -------------------------------------------------------------

GRAPHS = {
    "x*x": lambda x: x * x,
    "x+x*x": lambda x: x + x * x,
    "reuse": lambda x: (lambda y: y * y + y)(x * x),  # y = x^2 used three times
    "diamond": lambda x: (lambda e: (e * 2) * (e + 3))(x.exp()),  # two paths from e to out
    "long": lambda x: ((x * 3 - 1).tanh() + x.sigmoid() * x) / (x * x + 1),
}


@pytest.mark.parametrize("name", GRAPHS)
@given(x=finite(-2, 2))
def test_graph_derivative(name, x):
    check_gradients(GRAPHS[name], x)


@given(a=finite(-3, 3), b=finite(-3, 3))
def test_two_inputs_shared_subexpression(a, b):
    def fn(x, y):
        s = x * y
        return s * x + s.tanh() * y - s

    check_gradients(fn, a, b)


def test_classic_quadratic():
    x = Scalar(2.0, requires_grad=True)
    y = x**2 + 3 * x + 1
    y.backward()
    assert y.data == 11.0
    assert x.grad == 7.0


def test_classic_cubic():
    x = Scalar(2.0, requires_grad=True)
    y = x**3 + 2 * x**2 - 5 * x + 3
    y.backward()
    assert y.data == 9.0
    assert x.grad == 15.0


def test_brief_example():
    a = Scalar(2.0, requires_grad=True)
    b = a * a + a
    b.backward()
    assert a.grad == 5.0


def test_d_output_scales_gradients():
    x = Scalar(3.0, requires_grad=True)
    (x * x).backward(0.5)
    assert x.grad == 3.0


def test_backward_on_a_leaf():
    x = Scalar(3.0, requires_grad=True)
    x.backward()
    assert x.grad == 1.0


# -- Python numbers on either side --------------------------------------------------------

NUMBER_CASES = [
    # expression, value at x = 2, d/dx at x = 2
    (lambda x: x + 3, 5.0, 1.0),
    (lambda x: 3 + x, 5.0, 1.0),
    (lambda x: x - 3, -1.0, 1.0),
    (lambda x: 3 - x, 1.0, -1.0),
    (lambda x: x * 3, 6.0, 3.0),
    (lambda x: 3 * x, 6.0, 3.0),
    (lambda x: x / 4, 0.5, 0.25),
    (lambda x: 4 / x, 2.0, -1.0),
    (lambda x: x**3, 8.0, 12.0),
    (lambda x: 3**x, 9.0, 9.0 * math.log(3.0)),
    (lambda x: x + True, 3.0, 1.0),
]


@pytest.mark.parametrize("index", range(len(NUMBER_CASES)))
def test_python_numbers_on_either_side(index):
    fn, value, grad = NUMBER_CASES[index]
    x = Scalar(2.0, requires_grad=True)
    y = fn(x)
    assert isinstance(y, Scalar)
    y.backward()
    assert y.data == pytest.approx(value)
    assert x.grad == pytest.approx(grad)


def test_scalars_without_grad_combine_like_numbers():
    y = Scalar(2.0) * Scalar(3.0) + 1
    assert y.data == 7.0
    assert not y.requires_grad and y.is_leaf and y.grad_fn is None


def test_a_function_of_numbers_alone_gives_their_float():
    """A ScalarFunction's result takes the class of its Scalar inputs; with none (numbers
    only) there is no graph to record and forward's float comes back as it is."""
    result = Mul.apply(2.0, 3)
    assert type(result) is float and result == 6.0


@pytest.mark.parametrize("other", ["2", None, [1.0]])
def test_other_types_are_rejected(other):
    with pytest.raises(TypeError):
        Scalar(1.0) + other
    with pytest.raises(TypeError):
        other * Scalar(1.0)
    with pytest.raises(TypeError):
        _ = Scalar(1.0) < other


# -- PyTorch's conventions at special values ----------------------------------------------

inf, nan = math.inf, math.nan

# (a, b): (a ** b, d/da, d/db), from torch.tensor(a, dtype=float64) ** torch.tensor(b)
POW_SPECIAL = {
    (0.0, 2.0): (0.0, 0.0, 0.0),
    (0.0, 0.0): (1.0, 0.0, 0.0),
    (0.0, 0.5): (0.0, inf, 0.0),
    (0.0, 1.0): (0.0, 1.0, 0.0),
    (0.0, -1.0): (inf, -inf, -inf),
    (-2.0, 2.0): (4.0, -4.0, nan),
    (-2.0, 0.0): (1.0, 0.0, nan),
    (-2.0, 0.5): (nan, nan, nan),
    (2.0, 0.0): (1.0, 0.0, math.log(2.0)),
}


def same(got, expected):
    return got == expected or (math.isnan(got) and math.isnan(expected))


@pytest.mark.parametrize("a, b", POW_SPECIAL)
def test_pow_special_values(a, b):
    x, y = Scalar(a, requires_grad=True), Scalar(b, requires_grad=True)
    out = x**y
    out.backward()
    got = (out.data, x.grad, y.grad)
    assert all(map(same, got, POW_SPECIAL[a, b])), f"{a} ** {b}: {got}"


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (0.0, -1.0, inf),
        (-0.0, -1.0, -inf),
        (-0.0, -2.0, inf),
        (-8.0, 1 / 3, nan),
        (10.0, 400.0, inf),
        (-10.0, 401.0, -inf),
        (-10.0, 400.0, inf),
        (2.0, 10.0, 1024.0),
    ],
)
def test_float_pow_follows_ieee(a, b, expected):
    got = float_pow(a, b)
    assert same(got, expected) and math.copysign(1, got) == math.copysign(1, expected)


@pytest.mark.parametrize(
    "fn, x, value, grad",
    [
        (Scalar.relu, 0.0, 0.0, 0.0),  # the kink: derivative 0, as PyTorch
        (Scalar.relu, -1.0, 0.0, 0.0),
        (Scalar.relu, nan, nan, 1.0),
        (Scalar.log, 0.0, -inf, inf),
        (lambda x: 1 / x, 0.0, inf, -inf),
        (lambda x: x / 0, 1.0, inf, inf),
        (Scalar.exp, 1000.0, inf, inf),
        (Scalar.sigmoid, -1000.0, 0.0, 0.0),
    ],
)
def test_special_values(fn, x, value, grad):
    s = Scalar(x, requires_grad=True)
    out = fn(s)
    out.backward()
    assert same(out.data, value) and same(s.grad, grad), (out.data, s.grad)


# -- accumulation and requires_grad -------------------------------------------------------


def test_gradients_accumulate_across_backward_calls():
    x = Scalar(3.0, requires_grad=True)
    (x * x).backward()
    (x * x).backward()
    assert x.grad == 12.0
    x.grad = None
    (x * x).backward()
    assert x.grad == 6.0


def test_gradients_reach_only_scalars_that_require_grad():
    x, c = Scalar(2.0, requires_grad=True), Scalar(5.0)
    y = x * c + c
    y.backward()
    assert x.grad == 5.0
    assert c.grad is None


def test_requires_grad_propagates_to_results():
    x = Scalar(1.0, requires_grad=True)
    y = x + 1
    assert y.requires_grad and not y.is_leaf
    assert y.grad_fn.name() == "AddBackward0"
    assert x.is_leaf and x.grad_fn is None


def test_requires_grad_is_settable_on_leaves_only():
    x = Scalar(1.0)
    x.requires_grad = True
    assert (x * 2).requires_grad
    assert x.requires_grad_(False) is x and not x.requires_grad
    y = Scalar(1.0, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf"):
        y.requires_grad = False


def test_no_grad_records_no_graph():
    x = Scalar(1.0, requires_grad=True)
    with grad_mode.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None


@pytest.mark.parametrize(
    "fn, name",
    [
        (lambda x: x + 1, "AddBackward0"),
        (lambda x: x - 1, "SubBackward0"),
        (lambda x: x * 2, "MulBackward0"),
        (lambda x: x / 2, "DivBackward0"),
        (lambda x: -x, "NegBackward0"),
        (lambda x: x**2, "PowBackward0"),
        (Scalar.exp, "ExpBackward0"),
        (Scalar.log, "LogBackward0"),
        (Scalar.sigmoid, "SigmoidBackward0"),
        (Scalar.relu, "ReluBackward0"),
        (Scalar.tanh, "TanhBackward0"),
    ],
)
def test_grad_fn_names_match_pytorch(fn, name):
    assert fn(Scalar(2.0, requires_grad=True)).grad_fn.name() == name


# -- errors -------------------------------------------------------------------------------


def test_backward_without_requires_grad_is_an_error():
    y = Scalar(2.0) * 3
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        y.backward()


def test_second_backward_needs_retain_graph():
    x = Scalar(2.0, requires_grad=True)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = Scalar(2.0, requires_grad=True)
    y = x.exp() * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad == pytest.approx(2 * 3 * math.exp(2.0))
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()  # the second call did not retain it


# -- comparisons, conversions, printing ---------------------------------------------------


def test_comparisons_are_python_bools():
    one, two = Scalar(1.0, requires_grad=True), Scalar(2.0)
    results = [one < two, one <= 1, one > 0.5, two >= two, one == 1.0, one != two, 0 < one]
    assert results == [True] * 7
    assert all(type(r) is bool for r in results)
    assert not (one > two) and not (one == two) and not (1 > one)


def test_hash_is_identity():
    a, b = Scalar(1.0), Scalar(1.0)
    assert a == b
    assert len({a, b}) == 2
    assert {a: "a", b: "b"}[a] == "a"


def test_conversions():
    x = Scalar(2.5, requires_grad=True)
    assert float(x) == 2.5 and x.item() == 2.5 and x.data == 2.5
    assert type(x.data) is float and type(Scalar(3).data) is float
    assert bool(x) and not bool(Scalar(0.0))


@pytest.mark.parametrize(
    "make, text",
    [
        (lambda: Scalar(2.0), "Scalar(2.0000)"),
        (lambda: Scalar(2.0, requires_grad=True), "Scalar(2.0000, requires_grad=True)"),
        (lambda: Scalar(1.0, requires_grad=True) * 2, "Scalar(2.0000, grad_fn=<MulBackward0>)"),
        (lambda: -Scalar(1 / 3, requires_grad=True), "Scalar(-0.3333, grad_fn=<NegBackward0>)"),
        (lambda: Scalar(1.0) / 0, "Scalar(inf)"),
    ],
)
def test_repr(make, text):
    assert repr(make()) == text
