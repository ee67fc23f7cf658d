"""Reverse-mode automatic differentiation, shared by `Scalar` and `Tensor`.

Every differentiable operation is a `Function`: `forward(ctx, ...)` computes the value and
may save what the derivative needs; `backward(ctx, grad_output)` turns the gradient of the
output into gradients of the inputs (the chain rule, one step). Applying a Function to
inputs that require gradients records a `Node` in the graph; `backward()` visits the
nodes from the output back to the leaves in topological order. As in PyTorch, a node's
`next_functions` holds one `(node, input_nr)` pair per input: the node the input's gradient
goes to (`(None, 0)` for an input that needs none) and which of that node's outputs the input
was (always 0 here: a Function has one differentiable output).
"""

from . import grad_mode


def central_difference(f, *vals, arg=0, epsilon=1e-6):
    r"""Estimate $\partial f / \partial x_{arg}$ at `vals` by a central difference.

    $$\frac{f(\dots, x_{arg} + \epsilon, \dots) - f(\dots, x_{arg} - \epsilon, \dots)}{2\epsilon}$$

    Its error shrinks like $\epsilon^2$, against $\epsilon$ for a one-sided difference.
    """
    # BEGIN SOLUTION 2.1
    up = list(vals)
    down = list(vals)
    up[arg] = up[arg] + epsilon
    down[arg] = down[arg] - epsilon
    return (f(*up) - f(*down)) / (2 * epsilon)
    # END SOLUTION


class Context:
    """What a Function's forward leaves for its backward: saved values and any attributes."""

    def __init__(self):
        self._saved = ()
        self._versions = ()
        self._unpack = None  # the unpack hook of the values saved under saved_tensors_hooks
        self.needs_input_grad = ()  # per input: does it need a gradient?

    def save_for_backward(self, *values):
        """Keep `values` for backward; changing a saved tensor in place is then an error.
        Under `saved_tensors_hooks`, each differentiable value is kept as `pack(value)`
        instead (and not checked for in-place changes: what pack made may be a copy)."""
        self._unpack = None
        if _saved_hooks:
            pack, self._unpack = _saved_hooks[-1]
            values = tuple(_Packed(pack(v)) if isinstance(v, Differentiable) else v
                           for v in values)
        self._saved = values
        self._versions = tuple(_version_of(v) for v in values)

    @property
    def saved_tensors(self):
        """The values saved by forward, checked to be unchanged and not yet freed."""
        if self._saved is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or "
                "if you need to access saved tensors after calling backward."
            )
        if self._unpack is not None:
            return tuple(self._unpack(v.packed) if isinstance(v, _Packed) else v
                         for v in self._saved)
        for value, version in zip(self._saved, self._versions):
            if version is not None and _version_of(value) != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: [{value.type()} {list(value.shape)}] is at version "
                    f"{_version_of(value)}; expected version {version} instead. Hint: the "
                    "tensor was changed in place (add_, x[...] = ..., +=, ...) after an "
                    "operation saved it for backward; use an out-of-place operation "
                    "(x = x + 1) or change a .clone() instead."
                )
        return self._saved

    saved_values = saved_tensors

    def release(self):
        """Free the saved values (after a backward pass without `retain_graph`)."""
        self._saved = None


def _version_of(value):
    """How often a saved value was changed in place (None for what cannot be)."""
    return value._version if isinstance(value, Differentiable) else None


# The (pack, unpack) pairs of the active `saved_tensors_hooks`, innermost last.
_saved_hooks = []


class _Packed:
    """What a pack hook returned for a saved value (told apart from values saved as they are)."""

    def __init__(self, packed):
        self.packed = packed


class saved_tensors_hooks:  # noqa: N801 (PyTorch's name)
    """`with saved_tensors_hooks(pack_hook, unpack_hook):` (PyTorch's
    `torch.autograd.graph.saved_tensors_hooks`) passes every tensor an operation saves for its
    backward through `pack_hook(tensor)`, and what that returned through `unpack_hook(...)` when
    backward needs the tensor: to see what the graph keeps in memory, or to keep it elsewhere."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        _saved_hooks.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc_info):
        _saved_hooks.pop()


class _UnrecordedContext:
    """The context of an operation that records no graph: forward's notes go nowhere."""

    def save_for_backward(self, *values):
        pass


class Differentiable:
    """What can take part in the graph (`Scalar`, `Tensor`): it may require grad, and is
    either a leaf (gradients accumulate in it) or the result of a node (`_grad_fn`)."""

    __slots__ = ("_requires_grad", "_grad_fn", "_accumulator")

    _version = None  # in-place changes are counted by the values that allow them (tensors)

    def requires_grad_(self, requires_grad=True):
        """Set `requires_grad` in place and return self (PyTorch's spelling)."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        """True unless this value was computed by a recorded operation (a leaf keeps its
        `.grad`)."""
        return self._grad_fn is None

    @property
    def grad_fn(self):
        """The node that computed this value, or None for a leaf."""
        return self._grad_fn


class Node:
    """A recorded operation (`grad_fn`): its Function, its context and, per input, the
    `(node, input_nr)` pair where the input's gradient goes next (`next_functions`)."""

    __slots__ = ("function", "ctx", "next_functions", "hooks")

    def __init__(self, function, ctx, next_functions):
        self.function = function
        self.ctx = ctx
        self.next_functions = next_functions
        self.hooks = None

    def name(self):
        """PyTorch's name for the node, e.g. `MulBackward0`: the name of its class."""
        return type(self).__name__

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"

    def apply(self, grad):
        """Gradients of the inputs, given the gradient of this node's output."""
        grads = self.function.backward(self.ctx, grad)
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) != len(self.next_functions):
            raise RuntimeError(
                f"{self.function.__name__}.backward returned {len(grads)} gradient(s) for "
                f"{len(self.next_functions)} input(s): return one per input of forward "
                "(None for an input that needs no gradient)."
            )
        return grads


_node_classes = {}


def node_class(function, ctx):
    """The Node subclass for a node of `function`, named as PyTorch's (`MulBackward0`), so
    that `type(t.grad_fn).__name__` reads as in PyTorch. A forward may set `ctx.name` where
    PyTorch names a variant differently (`SumBackward1` for a sum over `dim`)."""
    name = getattr(ctx, "name", None) or f"{function.__name__}Backward0"
    found = _node_classes.get(name)
    if found is None:
        found = _node_classes[name] = type(name, (Node,), {"__slots__": ()})
    return found


class AccumulateGrad:
    """The node of a leaf variable: where gradients arriving at the leaf are summed."""

    __slots__ = ("variable", "hooks")
    next_functions = ()

    def __init__(self, variable):
        self.variable = variable
        self.hooks = None

    def name(self):
        return "AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"


def graph_edge(x):
    """The node through which a gradient reaches input `x`, or None if `x` needs none."""
    if not (isinstance(x, Differentiable) and x._requires_grad):
        return None
    node = x._grad_fn
    if node is None:
        node = x._accumulator
        if node is None:
            node = x._accumulator = AccumulateGrad(x)
    return node


class Function:
    """An operation that knows its derivative. Subclasses define, as static methods,

    - `forward(ctx, *inputs, **options)`: the result, from inputs and options;
    - `backward(ctx, grad_output)`: one gradient per input (None for inputs that need none).
    """

    @classmethod
    def apply(cls, *inputs, **options):
        """Run forward and, if any input requires grad, record a node for backward.

        When forward returns a tuple, only its first element is differentiable.
        """
        if grad_mode._state["enabled"]:
            for x in inputs:
                if isinstance(x, Differentiable) and x._requires_grad:
                    return cls._record(inputs, options)
        return cls._forward(_UnrecordedContext(), inputs, options)

    @classmethod
    def _record(cls, inputs, options):
        """Run forward with a Context, and make the output the result of a new Node."""
        ctx = Context()
        with grad_mode.no_grad():
            result = cls._forward(ctx, inputs, options)
        edges = tuple((graph_edge(x), 0) for x in inputs)
        ctx.needs_input_grad = tuple(edge is not None for edge, _ in edges)
        node = node_class(cls, ctx)(cls, ctx, edges)
        output = result[0] if isinstance(result, tuple) else result
        output._attach(node)
        return result


    @classmethod
    def _forward(cls, ctx, inputs, options):
        """Call forward; a family of Functions may convert inputs and result here."""
        return cls.forward(ctx, *inputs, **options)


def topological_sort(root):
    """All nodes reachable from `root`, each before every node it depends on.

    So when backpropagation reaches a node, every gradient flowing into it has arrived.
    Iterative, so that very deep graphs (a 10,000-step chain) do not hit Python's
    recursion limit.
    """
    # BEGIN SOLUTION 2.2
    order = []
    visited = set()
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for parent, _ in node.next_functions:
            if parent is not None and parent not in visited:
                stack.append((parent, False))
    order.reverse()
    return order
    # END SOLUTION


def _run_hooks(hooks, grad):
    for hook in hooks:
        result = hook(grad)
        if result is not None:
            grad = result
    return grad


def backpropagate(root, grad_output, retain_graph=False, capture=None):
    """Send `grad_output` (the gradient of `root`'s output) back through the graph.

    Each node's backward turns the gradient of its output into gradients of its inputs;
    gradients that meet at a node are summed. At the leaves they are added to `.grad` —
    or, when `capture` (a dict of nodes) is given, stored there instead, for
    `autograd.grad`. Unless `retain_graph`, saved values are freed on the way.
    """
    grads = {root: grad_output}
    for node in topological_sort(root):
        grad = grads.pop(node, None)
        if grad is None:
            continue
        if node.hooks:
            grad = _run_hooks(node.hooks, grad)
        if capture is not None and node in capture:
            capture[node] = grad
        if isinstance(node, AccumulateGrad):
            if capture is None:
                node.variable._accumulate_grad(grad)
            continue
        # BEGIN SOLUTION 2.3
        input_grads = node.apply(grad)
        for (parent, _), input_grad in zip(node.next_functions, input_grads):
            if parent is None or input_grad is None:
                continue  # this input needs no gradient
            if parent in grads:
                grads[parent] = grads[parent] + input_grad
            else:
                grads[parent] = input_grad
        # END SOLUTION
        if not retain_graph:
            node.ctx.release()
