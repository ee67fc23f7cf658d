"""The graph machinery shared by Scalar and Tensor: central differences, topological sort
and backpropagation, checked on Scalar graphs (hand-built and random) and on a chain too
deep for a recursive walk.
"""

import math
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minitorch.autodiff import (
    AccumulateGrad,
    backpropagate,
    central_difference,
    graph_edge,
    topological_sort,
)
from minitorch.scalar import Scalar
from minitorch.scalar_functions import ScalarFunction

# -- central_difference -------------------------------------------------------------------


def test_central_difference_of_a_cube():
    assert central_difference(lambda x: x**3, 2.0) == pytest.approx(12.0, abs=1e-6)


def test_central_difference_is_second_order():
    r"""For $x^3$ the central difference is exactly $3x^2 + \epsilon^2$; a one-sided
    difference would be off by about $3x\epsilon$ (0.06 here), not $\epsilon^2$."""
    got = central_difference(lambda x: x**3, 2.0, epsilon=1e-2)
    assert got == pytest.approx(12.0 + 1e-4, abs=1e-9)


def test_central_difference_picks_the_argument():
    def f(x, y, z):
        return x * y**2 + z

    assert central_difference(f, 3.0, 2.0, 7.0) == pytest.approx(4.0, abs=1e-6)
    assert central_difference(f, 3.0, 2.0, 7.0, arg=0) == pytest.approx(4.0, abs=1e-6)
    assert central_difference(f, 3.0, 2.0, 7.0, arg=1) == pytest.approx(12.0, abs=1e-6)
    assert central_difference(f, 3.0, 2.0, 7.0, arg=2) == pytest.approx(1.0, abs=1e-6)


@given(
    x=st.floats(-3, 3),
    y=st.floats(0.5, 3),
)
def test_central_difference_matches_known_derivatives(x, y):
    def f(a, b):
        return math.sin(a) * math.log(b)

    assert central_difference(f, x, y, arg=0) == pytest.approx(math.cos(x) * math.log(y), abs=1e-6)
    assert central_difference(f, x, y, arg=1) == pytest.approx(math.sin(x) / y, abs=1e-6)


# -- graphs: a hand-built diamond and random ones -----------------------------------------


def reachable(root):
    """Every node reachable from `root`, by a plain breadth-first walk (the reference)."""
    seen, frontier = {root}, [root]
    while frontier:
        frontier = [p for n in frontier for p, _ in n.next_functions if p is not None]
        frontier = [p for p in frontier if not (p in seen or seen.add(p))]
    return seen


def assert_topological(order, root):
    """`order` holds each node reachable from `root` once, root first, and every node
    before the nodes it depends on (the nodes in its `next_functions` pairs)."""
    position = {node: i for i, node in enumerate(order)}
    assert len(position) == len(order), "a node appears more than once"
    assert set(order) == reachable(root), "nodes missing from (or foreign to) the order"
    assert order[0] is root
    for node in order:
        for parent, _ in node.next_functions:
            if parent is not None:
                assert position[parent] > position[node], (
                    f"{node.name()} comes after {parent.name()}, one of its inputs"
                )


def test_topological_sort_of_a_diamond():
    x = Scalar(0.5, requires_grad=True)
    e = x.exp()
    left, right = e * 2, e + 3
    out = left * right
    order = topological_sort(out.grad_fn)
    assert_topological(order, out.grad_fn)
    assert len(order) == 5
    assert order[0] is out.grad_fn
    assert {order[1], order[2]} == {left.grad_fn, right.grad_fn}
    assert order[3:] == [e.grad_fn, graph_edge(x)]
    assert isinstance(order[4], AccumulateGrad) and order[4].variable is x


def test_topological_sort_skips_inputs_that_need_no_grad():
    x = Scalar(1.0, requires_grad=True)
    out = (x * Scalar(2.0)) + 5
    assert out.grad_fn.next_functions[1] == (None, 0)
    order = topological_sort(out.grad_fn)
    assert_topological(order, out.grad_fn)
    assert len(order) == 3


# Binary steps whose results stay moderate, so central differences stay accurate.
STEPS = {
    "add": lambda a, b: a + b,
    "mul_tanh": lambda a, b: a * b.tanh(),
    "sub_sigmoid": lambda a, b: a - b.sigmoid(),
    "scaled": lambda a, b: 0.5 * a + b * 0.25,
}


@st.composite
def random_graphs(draw):
    """A random expression DAG: leaf values, then steps `(name, i, j)` that each combine two
    earlier values (indices taken modulo the count so far), so values get reused."""
    leaves = draw(st.lists(st.floats(-2, 2), min_size=1, max_size=3))
    index = st.integers(0, 50)
    steps = draw(
        st.lists(st.tuples(st.sampled_from(sorted(STEPS)), index, index), min_size=1, max_size=12)
    )
    return leaves, steps


def build(leaves, steps):
    """Run a random graph's steps over the Scalars `leaves` and a constant that never
    requires grad; return the last value."""
    values = [*leaves, Scalar(1.5)]
    for name, i, j in steps:
        values.append(STEPS[name](values[i % len(values)], values[j % len(values)]))
    return values[-1]


@given(graph=random_graphs())
def test_topological_sort_of_random_graphs(graph):
    leaves, steps = graph
    out = build([Scalar(v, requires_grad=True) for v in leaves], steps)
    if out.grad_fn is None:  # the last step combined constants only
        return
    assert_topological(topological_sort(out.grad_fn), out.grad_fn)


@given(graph=random_graphs())
def test_backpropagate_on_random_graphs(graph):
    leaves, steps = graph
    inputs = [Scalar(v, requires_grad=True) for v in leaves]
    out = build(inputs, steps)
    if not out.requires_grad:
        return
    out.backward()

    def value(*floats):
        return build([Scalar(v) for v in floats], steps).data

    for k, x in enumerate(inputs):
        expected = central_difference(value, *leaves, arg=k)
        got = 0.0 if x.grad is None else x.grad  # None: the output does not depend on x
        assert got == pytest.approx(expected, rel=1e-4, abs=1e-4), f"leaf {k} of {graph}"


class Counted(ScalarFunction):
    """The identity, counting its backward calls and remembering the gradient it got."""

    calls = []

    @staticmethod
    def forward(ctx, a):
        return a

    @staticmethod
    def backward(ctx, d_output):
        Counted.calls.append(d_output)
        return d_output


def test_backpropagate_sums_gradients_before_calling_backward():
    r"""A node used three times gets one backward call, with the sum
    $\partial (c^2 + c) / \partial c = 2c + 1$ of what reaches it."""
    Counted.calls = []
    x = Scalar(3.0, requires_grad=True)
    c = Counted.apply(x)
    (c * c + c).backward()
    assert Counted.calls == [7.0]
    assert x.grad == 7.0


def test_backpropagate_from_a_node():
    x = Scalar(2.0, requires_grad=True)
    y = x * x
    backpropagate(graph_edge(y), 1.0)
    assert x.grad == 4.0


# -- depth --------------------------------------------------------------------------------


def test_a_10000_step_chain_backpropagates_without_recursion():
    steps = 10_000
    assert sys.getrecursionlimit() < 2 * steps, "the chain must be deeper than recursion allows"
    x = Scalar(1.0, requires_grad=True)
    y = x
    for _ in range(steps):
        y = y * 1.0001 + 0
    assert len(topological_sort(y.grad_fn)) == 2 * steps + 1
    y.backward()
    assert x.grad == pytest.approx(1.0001**steps, rel=1e-9)


def test_next_functions_are_pytorch_pairs():
    x, w = Scalar(1.5, requires_grad=True), Scalar(2.0)
    y = x * w + 3
    (mul_node, mul_nr), (constant, constant_nr) = y.grad_fn.next_functions
    assert mul_node is not None and mul_node.name() == "MulBackward0" and mul_nr == 0
    assert (constant, constant_nr) == (None, 0)
    (leaf, leaf_nr), (unused, _) = mul_node.next_functions
    assert isinstance(leaf, AccumulateGrad) and leaf.variable is x and leaf_nr == 0
    assert unused is None and leaf.next_functions == ()
