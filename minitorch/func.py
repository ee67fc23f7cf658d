"""`minitorch.func`: PyTorch's function transforms (`torch.func`), on minitorch's autograd.

A transform takes a function and returns a new function: `grad(f)` computes f's gradient,
`vmap(f)` runs f over a batch, `jacrev(f)` its Jacobian, `hessian(f)` its matrix of second
derivatives. They compose (`vmap(grad(f))`, `jacfwd(jacrev(f))`) and give PyTorch's shapes,
results and errors. `functional_call(model, params, args)` turns a module into a function of
its parameters, for these transforms.

How it is built, and where it differs from PyTorch's implementation (not its results):

- `grad`, `vjp` and `jacrev` run `f` on fresh copies of the inputs that require grad and
  call `autograd.grad`; inside another transform (or for inputs that already require grad)
  they keep the graph of that computation (`create_graph=True`), which is how nested
  transforms get higher derivatives.
- `jacfwd` is computed in reverse mode too (one backward pass per output element), so its
  results are those of `jacrev`; PyTorch uses forward-mode AD there.
- `vmap` calls `f` once per batch element and stacks the results, where PyTorch runs `f`
  once on a batched tensor. Hence `randomness` behaves as "different" always, and
  `out_dims=None` is refused only when the per-element outputs differ.
"""

import contextlib

from . import autograd, grad_mode
from .creation import zeros_like
from .shape_ops import stack
from .tensor_core import TensorCore
from .utils._pytree import broadcast_prefix, spec_str, tree_flatten, tree_map, tree_unflatten

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "vjp",
           "vmap"]

_nesting = {"depth": 0}  # how many differentiating transforms are running f right now


@contextlib.contextmanager
def _inside_transform():
    """Mark that a transform runs f: a transform called in there keeps its graph."""
    _nesting["depth"] += 1
    try:
        with grad_mode.enable_grad():
            yield
    finally:
        _nesting["depth"] -= 1


# ----- arguments ---------------------------------------------------------------------------
def _argnums(argnums, args):
    """`argnums` as a tuple of non-negative positions into `args`, checked as PyTorch does."""
    numbers = argnums if isinstance(argnums, tuple) else (argnums,)
    if not numbers:
        raise RuntimeError("argnums must be non-empty")
    for n in numbers:
        if not isinstance(n, int) or isinstance(n, bool):
            raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(n)}")
        if not -len(args) <= n < len(args):
            raise RuntimeError(f"Got argnum={n}, but only {len(args)} positional inputs")
    return tuple(n % len(args) for n in numbers)


def _check_tensor(x):
    if not isinstance(x, TensorCore):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
    if not x.dtype.is_floating_point:
        raise RuntimeError("only Tensors of floating point dtype can require gradients")


def _variable(x, connect):
    """A fresh tensor equal to `x` to differentiate f with respect to. Connected to `x`'s own
    graph (by a view) when `x` requires grad and grad mode is on, so that gradients can flow
    on into an enclosing transform or `backward()`."""
    _check_tensor(x)
    return x.view_as(x) if connect and x.requires_grad else x.detach().requires_grad_()


def _differentiate(args, positions):
    """(args with the inputs at `positions` replaced by fresh variables, the variables of
    each position as a list, the pytree spec of each position, whether to keep the graph of
    the derivative)."""
    connect = grad_mode.is_grad_enabled()
    keep_graph = connect and (_nesting["depth"] > 0 or any(
        isinstance(leaf, TensorCore) and leaf.requires_grad
        for n in positions for leaf in tree_flatten(args[n])[0]))
    args = list(args)
    variables, specs = [], []
    for n in positions:
        leaves, spec = tree_flatten(args[n])
        fresh = [_variable(leaf, connect) for leaf in leaves]
        args[n] = tree_unflatten(fresh, spec)
        variables.append(fresh)
        specs.append(spec)
    return args, variables, specs, keep_graph


def _pullback(outputs, cotangents, inputs, keep_graph):
    """The gradients of sum(output * cotangent) with respect to each of `inputs` (zeros for
    an input the outputs do not depend on), through `autograd.grad`."""
    pairs = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
    if not pairs:
        grads = [None] * len(inputs)
    else:
        grads = autograd.grad([o for o, _ in pairs], inputs, [c for _, c in pairs],
                              retain_graph=True, create_graph=keep_graph, allow_unused=True)
    return [zeros_like(x) if g is None else g for x, g in zip(inputs, grads)]


def _result(value, keep_graph):
    """A value handed back to the caller: cut from the transform's own graph unless kept."""
    if keep_graph:
        return value
    return tree_map(lambda v: v.detach() if isinstance(v, TensorCore) else v, value)


def _split_aux(output, has_aux, api):
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(
            f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True"
        )
    for leaf in tree_flatten(output[1])[0]:
        if not isinstance(leaf, TensorCore):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(leaf)}")
    return output


def _per_argnums(argnums, values):
    """One entry per position in `argnums`: the value itself for an int `argnums`."""
    return values if isinstance(argnums, tuple) else values[0]


# ----- grad ----------------------------------------------------------------------------------
def grad_and_value(func, argnums=0, has_aux=False):
    """A function that returns `(gradient, value)` of `func`, whose output must be a
    0-d tensor; `(gradient, (value, aux))` with `has_aux=True`, where `func` returns
    `(value, aux)`. The gradient is taken with respect to the arguments at
    `argnums` (an int, or a tuple for a tuple of gradients), each a tensor or a tuple, list
    or dict of tensors."""
    api = "grad_and_value(f)(*args)"

    def wrapper(*args, **kwargs):
        positions = _argnums(argnums, args)
        args, variables, specs, keep_graph = _differentiate(args, positions)
        with _inside_transform():
            output, aux = _split_aux(func(*args, **kwargs), has_aux, api)
        if not isinstance(output, TensorCore):
            raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got {type(output)}")
        if output.dim() != 0:
            raise RuntimeError(
                f"{api}: Expected f(*args) to return a scalar Tensor, got tensor with "
                f"{output.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs instead?"
            )
        flat = [x for group in variables for x in group]
        grads = iter(_pullback([output], [None], flat, keep_graph))
        per_arg = [tree_unflatten([next(grads) for _ in group], spec)
                   for group, spec in zip(variables, specs)]
        gradient = _per_argnums(argnums, tuple(per_arg))
        value = _result(output, keep_graph)
        return (gradient, (value, _result(aux, keep_graph))) if has_aux else (gradient, value)

    return wrapper


def grad(func, argnums=0, has_aux=False):
    """A function that returns the gradient of `func` (which returns a 0-d tensor) with
    respect to its arguments at `argnums`; `(gradient, aux)` with `has_aux=True`.

    `grad(f)(x)` is `autograd.grad(f(x), x)[0]` without touching any `.grad`, and composes:
    `grad(grad(f))(x)` is the second derivative.
    """
    value_and_grad = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        gradient, value = value_and_grad(*args, **kwargs)
        return (gradient, value[1]) if has_aux else gradient

    return wrapper


# ----- vjp -----------------------------------------------------------------------------------
def _output_tensors(output, api):
    leaves, spec = tree_flatten(output)
    for leaf in leaves:
        if not isinstance(leaf, TensorCore):
            raise RuntimeError(
                f"{api}: expected f(*primals) to return only tensors, got unsupported type "
                f"{type(leaf)}"
            )
    return leaves, spec


def vjp(func, *primals, has_aux=False):
    """`(func(*primals), vjp_fn)`, or `(output, vjp_fn, aux)` with `has_aux=True`.

    `vjp_fn(cotangents)` (cotangents shaped like the output) returns one tensor per primal:
    the vector-Jacobian product, the gradient of sum(output * cotangents) with respect to
    that primal. `vjp_fn` may be called again with other cotangents.
    """
    positions = tuple(range(len(primals)))
    args, variables, specs, keep_graph = _differentiate(primals, positions)
    with _inside_transform():
        output, aux = _split_aux(func(*args), has_aux, "vjp(f, *primals)")
    outputs, out_spec = _output_tensors(output, "vjp(f, *primals)")
    flat = [x for group in variables for x in group]

    def vjp_fn(cotangents):
        leaves, spec = tree_flatten(cotangents)
        if spec != out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure "
                f"of outputs to the function. cotangents: {spec_str(spec)}, primal output: "
                f"{spec_str(out_spec)}"
            )
        for o, c in zip(outputs, leaves):
            if c.shape != o.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[0] has a shape of {list(c.shape)} and "
                    f"output[0] has a shape of {list(o.shape)}."
                )
        grads = iter(_pullback(outputs, leaves, flat, keep_graph or _nesting["depth"] > 0))
        return tuple(tree_unflatten([next(grads) for _ in group], spec)
                     for group, spec in zip(variables, specs))

    result = (_result(output, keep_graph), vjp_fn)
    return result + (_result(aux, keep_graph),) if has_aux else result


# ----- Jacobians -----------------------------------------------------------------------------
def _jacobian_of(output, inputs, keep_graph):
    """d output / d input for each input, of shape output.shape + input.shape: one backward
    pass per output element, with that element's one-hot cotangent."""
    rows = []
    n = output.numel()
    for k in range(n):
        onehot = [0.0] * n
        onehot[k] = 1.0
        seed = output._make_from_numpy(onehot, output.dtype).reshape(output.shape)
        rows.append(_pullback([output], [seed], inputs, keep_graph))
    jacobians = []
    for i, x in enumerate(inputs):
        if n == 0:
            jacobians.append(zeros_like(x).reshape(0, *x.shape).reshape(*output.shape, *x.shape))
        else:
            jacobians.append(stack([row[i] for row in rows]).reshape(*output.shape, *x.shape))
    return jacobians


def _jacobian_transform(func, argnums, has_aux, api):
    def wrapper(*args, **kwargs):
        positions = _argnums(argnums, args)
        args, variables, specs, keep_graph = _differentiate(args, positions)
        with _inside_transform():
            output, aux = _split_aux(func(*args, **kwargs), has_aux, api)
        outputs, out_spec = _output_tensors(output, api)
        flat = [x for group in variables for x in group]
        per_output = []
        for o in outputs:
            jacobians = iter(_jacobian_of(o, flat, keep_graph))
            per_arg = [tree_unflatten([next(jacobians) for _ in group], spec)
                       for group, spec in zip(variables, specs)]
            per_output.append(_per_argnums(argnums, tuple(per_arg)))
        jacobian = tree_unflatten(per_output, out_spec)
        return (jacobian, _result(aux, keep_graph)) if has_aux else jacobian

    return wrapper


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None):
    """A function that returns the Jacobian of `func` with respect to the arguments at
    `argnums`, by reverse mode: for an output of shape O and an input of shape I, a tensor
    of shape O + I holding d output[o] / d input[i]. Tuples of outputs or of `argnums` give
    (nested) tuples of Jacobians. `chunk_size` is accepted and has no effect."""
    return _jacobian_transform(func, argnums, has_aux, "vjp(f, *primals)")


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian of `func`, as `jacrev` (same shapes and values). PyTorch computes it in
    forward mode, cheaper for few inputs and many outputs; minitorch has reverse mode only,
    so this is `jacrev` under PyTorch's name and arguments."""
    return _jacobian_transform(func, argnums, has_aux, "jacfwd(f, *args)")


def hessian(func, argnums=0):
    """A function that returns the Hessian of `func` (which returns a 0-d tensor): the
    Jacobian of its gradient, of shape input.shape + input.shape, as
    `jacfwd(jacrev(func, argnums), argnums)`."""
    return jacfwd(jacrev(func, argnums), argnums)


# ----- vmap ----------------------------------------------------------------------------------
def _name(func):
    return getattr(func, "__name__", repr(func))


def _dims_per_input(func, in_dims, args):
    """The mapped dimension (or None) of each leaf of `args`, checked as PyTorch does."""
    head = f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>)"
    if not isinstance(in_dims, (int, tuple)) or isinstance(in_dims, bool):
        raise ValueError(
            f"{head}: expected `in_dims` to be int or a (potentially nested) tuple matching "
            f"the structure of inputs, got: {type(in_dims)}."
        )
    if not args:
        raise ValueError(
            f"vmap({_name(func)})(<inputs>): got no inputs. Maybe you forgot to add inputs, or "
            "you are trying to vmap over a function with no inputs. The latter is unsupported."
        )
    leaves, spec = tree_flatten(args)
    dims = broadcast_prefix(in_dims, args)
    if dims is None:
        raise ValueError(
            f"{head}: in_dims is not compatible with the structure of `inputs`. in_dims has "
            f"structure {spec_str(tree_flatten(in_dims)[1])} but inputs has structure "
            f"{spec_str(spec)}."
        )
    for leaf, dim in zip(leaves, dims):
        if dim is None:
            continue
        if not isinstance(dim, int) or isinstance(dim, bool):
            raise ValueError(
                f"{head}: expected `in_dims` to be int or a (potentially nested) tuple matching "
                f"the structure of inputs, got: {type(dim)}."
            )
        if not isinstance(leaf, TensorCore):
            raise ValueError(
                f"{head}: Got in_dim={dim} for an input but the input is of type "
                f"{type(leaf)}. We cannot vmap over non-Tensor arguments, please use None as "
                "the respective in_dim"
            )
        if not -leaf.dim() <= dim < leaf.dim():
            raise ValueError(
                f"{head}: Got in_dim={dim} for some input, but that input is a Tensor of "
                f"dimensionality {leaf.dim()} so expected in_dim to satisfy "
                f"-{leaf.dim()} <= in_dim < {leaf.dim()}."
            )
    return leaves, spec, dims


def _batch_size(leaves, dims):
    sizes = [leaf.shape[dim] for leaf, dim in zip(leaves, dims) if dim is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(size != sizes[0] for size in sizes):
        raise ValueError(
            "vmap: Expected all tensors to have the same size in the mapped dimension, got "
            f"sizes {sizes} for the mapped dimension"
        )
    return sizes[0]


def _element(leaves, dims, spec, i):
    """The arguments of batch element `i`; for an empty batch (i None), zeros of the
    element's shape, so that f still shows the shape of its outputs."""
    picked = []
    for leaf, dim in zip(leaves, dims):
        if dim is None:
            picked.append(leaf)
        elif i is None:
            picked.append(zeros_like(leaf.sum(dim)))
        else:
            picked.append(leaf.select(dim, i))
    return tree_unflatten(picked, spec)


def _stacked(func, results, out_dims, size):
    """Join the per-element outputs along `out_dims` into the structure f returned."""
    leaves, spec = tree_flatten(results[0])
    dims = broadcast_prefix(out_dims, results[0])
    if dims is None:
        raise ValueError(
            f"vmap({_name(func)}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
            f"compatible with the structure of `outputs`. out_dims has structure "
            f"{spec_str(tree_flatten(out_dims)[1])} but outputs has structure {spec_str(spec)}."
        )
    per_element = [tree_flatten(r)[0] for r in results]
    joined = []
    for j, (leaf, dim) in enumerate(zip(leaves, dims)):
        column = [element[j] for element in per_element]
        if dim is None:
            if any(c is not leaf and not (isinstance(c, TensorCore) and c.equal(leaf))
                   for c in column):
                raise ValueError(
                    f"vmap({_name(func)}, ...): `{_name(func)}` can not return a BatchedTensor "
                    "when out_dim is None"
                )
            joined.append(leaf)
            continue
        if not isinstance(leaf, TensorCore):
            raise ValueError(
                f"vmap({_name(func)}, ...): `{_name(func)}` must only return Tensors, got type "
                f"{type(leaf)}. Did you mean to set out_dims= to None for output?"
            )
        if size == 0:  # the one result came from zeros standing in for an element
            joined.append(stack(column, dim=dim).narrow(dim, 0, 0))
        else:
            joined.append(stack(column, dim=dim))
    return tree_unflatten(joined, spec)


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Vectorize `func` over a batch dimension: `vmap(f)(xs)` is `stack([f(x) for x in xs])`.

    `in_dims` says which dimension of each argument is the batch one: an int for all, or a
    (nested) tuple with one entry per argument, None for an argument that is not batched
    (the same value for every element). `out_dims` places the batch dimension in the
    outputs. vmaps nest: `vmap(vmap(f))` maps over two dimensions. Keyword arguments are
    passed unbatched.
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. Got "
            f"{randomness}"
        )
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError(
            f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})"
        )

    def wrapper(*args, **kwargs):
        leaves, spec, dims = _dims_per_input(func, in_dims, args)
        size = _batch_size(leaves, dims)
        results = [func(*_element(leaves, dims, spec, i), **kwargs)
                   for i in (range(size) if size else [None])]
        return _stacked(func, results, out_dims, size)

    return wrapper


# ----- functional_call -----------------------------------------------------------------------
def _merged(parameter_and_buffer_dicts):
    """One dict from the dict or tuple of dicts given; a name in two of them is an error."""
    dicts = parameter_and_buffer_dicts
    merged, repeated = {}, set()
    for d in dicts if isinstance(dicts, (tuple, list)) else (dicts,):
        repeated.update(name for name in d if name in merged)
        merged.update(d)
    if repeated:
        raise ValueError(
            f"{sorted(repeated)} appeared in multiple dictionaries; behavior of functional "
            "call is ambiguous"
        )
    return merged


def _slots(module):
    """Dotted name -> (registry dict, key) of every parameter and buffer, shared ones under
    each of their names."""
    slots = {}
    for prefix, sub in module.named_modules(remove_duplicate=False):
        for registry in (sub._parameters, sub._buffers):
            for key, value in registry.items():
                if value is not None:
                    slots[f"{prefix}.{key}" if prefix else key] = (registry, key)
    return slots


def _check_strict(module, slots, given):
    missing = [name for name in slots if name not in given]
    unexpected = [name for name in given if name not in slots]
    problems = [f"{what} key(s): " + ", ".join(f"'{name}'" for name in names) + "."
                for what, names in (("Unexpected", unexpected), ("Missing", missing)) if names]
    if problems:
        raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n\t"
                           + "\n\t".join(problems))


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):
    """Call `module(*args, **kwargs)` with some parameters and buffers replaced by the tensors
    in `parameter_and_buffer_dicts` (a dict from dotted names such as `"0.weight"`, or a
    tuple of dicts); the module is unchanged afterwards. This makes a module a function of
    its parameters, for `grad` and `vmap`:
    `grad(lambda p, x: functional_call(model, p, (x,)).sum())(dict(model.named_parameters()), x)`.

    With `tie_weights`, a parameter shared under two names is replaced under both; with
    `strict`, every parameter and buffer must be given, and no other name.
    """
    given = _merged(parameter_and_buffer_dicts)
    slots = _slots(module)
    if strict:
        _check_strict(module, slots, given)
    by_original = {}  # id of a replaced tensor -> its replacement, for tied weights
    if tie_weights:
        for name, value in given.items():
            if name in slots:
                registry, key = slots[name]
                by_original[id(registry[key])] = value
    swaps = []
    for name, (registry, key) in slots.items():
        new = given[name] if name in given else by_original.get(id(registry[key]))
        if new is not None:
            swaps.append((registry, key, registry[key], new))
    for registry, key, _, new in swaps:
        registry[key] = new
    try:
        args = args if isinstance(args, tuple) else (() if args is None else (args,))
        return module(*args, **(kwargs or {}))
    finally:
        for registry, key, original, _ in swaps:
            registry[key] = original
