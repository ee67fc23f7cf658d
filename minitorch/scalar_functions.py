r"""The differentiable operations of `Scalar`, each a `Function` of plain Python floats.

Every class pairs a `forward` (the value) with its `backward` (one step of the chain rule):
given $\partial L / \partial f$, the gradient of the final result $L$ with respect to this
operation's output $f$ (`d_output`), `backward` returns $\partial L / \partial x$ for each
input $x$:

$$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial f}\,\frac{\partial f}{\partial x}$$

Names end up in the graph as PyTorch prints them: `Mul` records a `<MulBackward0>` node.
"""

import numbers

from . import operators
from .autodiff import Function


class ScalarFunction(Function):
    """A Function whose `forward` and `backward` see Python floats, not Scalars.

    `forward(ctx, *floats)` gets the `.data` of each Scalar input (Python numbers pass
    through as floats) and returns a float, which becomes a new `Scalar`.
    `backward(ctx, d_output)` returns one float per input: a tuple, or a single float when
    there is one input. `Function.apply` records the graph around both.

    The new Scalar is made by the class of the Scalar inputs, so that this module needs
    nothing from `scalar.py`, which builds its arithmetic on the Functions here.
    """

    @classmethod
    def _forward(cls, ctx, inputs, options):
        values = [float(x) for x in inputs]  # float(Scalar) is its .data
        return _result_class(inputs)(cls.forward(ctx, *values, **options))


def _result_class(inputs):
    """The class of the first input that is not a Python number (the inputs are Scalars and
    number constants), or `float` when all are numbers: nothing to record a graph for."""
    return next((type(x) for x in inputs if not isinstance(x, numbers.Real)), float)


class Add(ScalarFunction):
    r"""$f(a, b) = a + b$: $\partial f / \partial a = \partial f / \partial b = 1$."""

    @staticmethod
    def forward(ctx, a, b):
        return operators.add(a, b)

    @staticmethod
    def backward(ctx, d_output):
        # BEGIN SOLUTION 2.4
        return d_output, d_output
        # END SOLUTION


class Sub(ScalarFunction):
    r"""$f(a, b) = a - b$: $\partial f / \partial a = 1$, $\partial f / \partial b = -1$."""

    @staticmethod
    def forward(ctx, a, b):
        return operators.sub(a, b)

    @staticmethod
    def backward(ctx, d_output):
        # BEGIN SOLUTION 2.4
        return d_output, -d_output
        # END SOLUTION


class Neg(ScalarFunction):
    r"""$f(a) = -a$: $f'(a) = -1$."""

    @staticmethod
    def forward(ctx, a):
        return operators.neg(a)

    @staticmethod
    def backward(ctx, d_output):
        # BEGIN SOLUTION 2.4
        return -d_output
        # END SOLUTION


class Mul(ScalarFunction):
    r"""$f(a, b) = a b$: $\partial f / \partial a = b$, $\partial f / \partial b = a$."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return operators.mul(a, b)

    @staticmethod
    def backward(ctx, d_output):
        # BEGIN SOLUTION 2.4
        a, b = ctx.saved_values
        return d_output * b, d_output * a
        # END SOLUTION


class Div(ScalarFunction):
    r"""$f(a, b) = a / b$: $\partial f / \partial a = 1 / b$ and
    $\partial f / \partial b = -a / b^2 = -f / b$.

    Division by zero gives `inf` or `nan` (IEEE, as PyTorch), in forward and in backward:
    hence `operators.div`, where Python's `/` would raise `ZeroDivisionError`.
    """

    @staticmethod
    def forward(ctx, a, b):
        out = operators.div(a, b)
        ctx.save_for_backward(b, out)
        return out

    @staticmethod
    def backward(ctx, d_output):
        # BEGIN SOLUTION 2.4
        b, out = ctx.saved_values
        d_a = operators.div(d_output, b)
        return d_a, -d_a * out
        # END SOLUTION


class Pow(ScalarFunction):
    r"""$f(a, b) = a^b$, differentiable in both the base and the exponent:

    $$\frac{\partial f}{\partial a} = b\,a^{b-1} \qquad \frac{\partial f}{\partial b} = a^b \ln a$$

    Where these formulas break down, PyTorch's conventions: $\partial f / \partial a = 0$
    when $b = 0$ ($a^0 = 1$ for every $a$, even $0$); $\partial f / \partial b = 0$ when
    $a = 0$ and $b \ge 0$ (instead of $0 \cdot \ln 0$); and `nan` for $a < 0$, where
    $\ln a$ is undefined.
    """

    @staticmethod
    def forward(ctx, a, b):
        out = operators.float_pow(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, d_output):
        # BEGIN SOLUTION 2.4
        a, b, out = ctx.saved_values
        d_a = 0.0 if b == 0 else d_output * b * operators.float_pow(a, b - 1)
        d_b = d_output * (0.0 if a == 0 and b >= 0 else out * operators.log(a))
        return d_a, d_b
        # END SOLUTION


class Exp(ScalarFunction):
    r"""$f(a) = e^a$: $f'(a) = e^a = f$, so backward reuses the output."""

    @staticmethod
    def forward(ctx, a):
        out = operators.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, d_output):
        # BEGIN SOLUTION 2.4
        (out,) = ctx.saved_values
        return d_output * out
        # END SOLUTION


class Log(ScalarFunction):
    r"""$f(a) = \ln a$: $f'(a) = 1 / a$."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return operators.log(a)

    @staticmethod
    def backward(ctx, d_output):
        # BEGIN SOLUTION 2.4
        (a,) = ctx.saved_values
        return operators.div(d_output, a)
        # END SOLUTION


class Sigmoid(ScalarFunction):
    r"""$f(a) = \sigma(a) = 1 / (1 + e^{-a})$: $f'(a) = \sigma(a)\,(1 - \sigma(a))$."""

    @staticmethod
    def forward(ctx, a):
        out = operators.sigmoid(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, d_output):
        # BEGIN SOLUTION 2.4
        (out,) = ctx.saved_values
        return d_output * out * (1.0 - out)
        # END SOLUTION


class Relu(ScalarFunction):
    r"""$f(a) = \max(0, a)$: $f'(a) = 1$ for $a > 0$, else $0$ (at $a = 0$ too, as PyTorch).

    Named `Relu` so that its node prints as PyTorch's `<ReluBackward0>`.
    """

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return operators.relu(a)

    @staticmethod
    def backward(ctx, d_output):
        # BEGIN SOLUTION 2.4
        (a,) = ctx.saved_values
        return 0.0 if a <= 0 else d_output
        # END SOLUTION


class Tanh(ScalarFunction):
    r"""$f(a) = \tanh a$: $f'(a) = 1 - \tanh^2 a$, so backward reuses the output."""

    @staticmethod
    def forward(ctx, a):
        out = operators.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, d_output):
        # BEGIN SOLUTION 2.4
        (out,) = ctx.saved_values
        return d_output * (1.0 - out * out)
        # END SOLUTION
