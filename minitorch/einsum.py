"""`einsum`: Einstein summation, parsed into the differentiable ops that already exist.

An equation such as `"bij,bjk->bik"` names each dimension of each operand with a letter;
letters shared by two operands are multiplied along, letters missing from the output are
summed over, and a letter repeated within one operand takes a diagonal (`"ii->i"`). `...`
stands for the dimensions not named (broadcast, aligned from the right). Without `->`, the
output has the letters used exactly once, in alphabetical order, after the `...` dimensions.

The work is done by `diagonal`, `sum`, `permute`, `expand`, `reshape` and one batched
`matmul` per pair of operands (left to right), so gradients come from those ops.
"""

import string

from .tensor_core import TensorCore

ELLIPSIS = "..."
LETTERS = frozenset(string.ascii_letters)


def einsum(equation, *operands):
    """The Einstein sum that `equation` describes, over `operands` (tensors, or one list of
    them): `einsum("ij,jk->ik", a, b)` is `a @ b`, `einsum("ii", a)` the trace of `a`."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for i, t in enumerate(operands):
        if not isinstance(t, TensorCore):
            raise TypeError(f"einsum(): operand {i} must be a Tensor, not {type(t).__name__}")
    inputs, output = _parse(equation.replace(" ", ""), operands)
    sizes = _label_sizes(inputs, operands)
    terms = [_take_diagonals(t, labels) for t, labels in zip(operands, inputs)]
    t, labels = terms[0]
    for k in range(1, len(terms)):
        needed = set(output).union(*(ls for _, ls in terms[k + 1:]))
        t, labels = _contract((t, labels), terms[k], needed, sizes)
    t, labels = _sum_out(t, labels, set(output))
    order = [labels.index(label) for label in output]
    if order == list(range(len(order))) and t is not operands[0]:
        return t
    return t.permute(*order)  # (for a lone operand, a view, as in PyTorch)


def _parse(equation, operands):
    """(labels of each operand, labels of the output): letters, with `...` dimensions as the
    negative numbers -n ... -1 (counted from the right, so they broadcast)."""
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                           "equation")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    inputs = []
    for i, (term, t) in enumerate(zip(terms, operands)):
        letters = _subscripts(term, equation, i)
        named = sum(1 for x in letters if x != ELLIPSIS)
        if ELLIPSIS not in letters:
            if named != t.dim():
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({named}) does not "
                    f"match the number of dimensions ({t.dim()}) for operand {i} and no "
                    "ellipsis was given")
            inputs.append(letters)
            continue
        if named > t.dim():
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({named}) is more than "
                f"the number of dimensions ({t.dim()}) for operand {i}")
        at = letters.index(ELLIPSIS)
        spread = list(range(-(t.dim() - named), 0))
        inputs.append(letters[:at] + spread + letters[at + 1:])
    broadcast = sorted({x for labels in inputs for x in labels if isinstance(x, int)})
    if not arrow:
        counts = {}
        for labels in inputs:
            for x in labels:
                counts[x] = counts.get(x, 0) + 1
        return inputs, broadcast + sorted(x for x in counts if isinstance(x, str)
                                          and counts[x] == 1)
    output = []
    for x in _subscripts(rhs, equation, None):
        if x == ELLIPSIS:
            output += broadcast
            continue
        if x in output:
            raise RuntimeError(f"einsum(): output subscript {x} appears more than once in the "
                               "output")
        if not any(x in labels for labels in inputs):
            raise RuntimeError(f"einsum(): output subscript {x} does not appear in the "
                               "equation for any input operand")
        output.append(x)
    return inputs, output


def _subscripts(term, equation, operand):
    """The letters of one term, with `...` as one item."""
    out, i = [], 0
    while i < len(term):
        if term.startswith(ELLIPSIS, i):
            if ELLIPSIS in out:
                raise RuntimeError("einsum(): found '.' for operand "
                                   f"{operand} for which an ellipsis was already found")
            out.append(ELLIPSIS)
            i += 3
            continue
        char = term[i]
        if char == ".":
            raise RuntimeError(f"einsum(): found '.' for operand {operand} that is not part of "
                               "any ellipsis")
        if char not in LETTERS:
            raise RuntimeError(f"einsum(): invalid subscript given at index "
                               f"{equation.find(term) + i} in the equation string, subscripts "
                               "must be in [a-zA-Z]")
        out.append(char)
        i += 1
    return out


def _label_sizes(inputs, operands):
    """The size of each label: equal wherever it is used, or 1 (which broadcasts)."""
    sizes = {}
    for i, (labels, t) in enumerate(zip(inputs, operands)):
        seen = {}
        for label, n in zip(labels, t.shape):
            if label in seen and seen[label] != n:
                raise RuntimeError(f"einsum(): subscript {label} is repeated for operand {i} "
                                   f"but the sizes don't match, {n} != {seen[label]}")
            seen[label] = n
            before = sizes.get(label, 1)
            if n != 1 and before != 1 and n != before:
                raise RuntimeError(f"einsum(): subscript {label} has size {n} for operand {i} "
                                   f"which does not broadcast with previously seen size "
                                   f"{before}")
            sizes[label] = max(before, n) if n else 0
    return sizes


def _take_diagonals(t, labels):
    """`t` with each label that repeats within it reduced to its diagonal (moved last)."""
    labels = list(labels)
    for label in dict.fromkeys(labels):
        while labels.count(label) > 1:
            i = labels.index(label)
            j = labels.index(label, i + 1)
            t = t.diagonal(0, i, j)
            labels = [x for k, x in enumerate(labels) if k not in (i, j)] + [label]
    return t, labels


def _sum_out(t, labels, keep):
    """`t` summed over its labels not in `keep`."""
    dims = tuple(i for i, x in enumerate(labels) if x not in keep)
    if not dims:
        return t, labels
    return t.sum(dims), [x for x in labels if x in keep]


def _contract(left, right, needed, sizes):
    """The product of two labelled tensors, summed over the labels they share that are not
    `needed` later, as one batched matmul: (batch, left only, shared) @ (batch, shared,
    right only)."""
    (x, lx), (y, ly) = left, right
    x, lx = _sum_out(x, lx, needed | set(ly))
    y, ly = _sum_out(y, ly, needed | set(lx))
    batch = [a for a in lx if a in ly and a in needed]
    shared = [a for a in lx if a in ly and a not in needed]
    x_only = [a for a in lx if a not in ly]
    y_only = [a for a in ly if a not in lx]
    x = _arranged(x, lx, batch + x_only + shared, sizes)
    y = _arranged(y, ly, batch + shared + y_only, sizes)
    shape = tuple(sizes[a] for a in batch + x_only + y_only)
    x = x.reshape(_groups(x.shape, len(batch), len(x_only)))
    y = y.reshape(_groups(y.shape, len(batch), len(shared)))
    return (x @ y).reshape(shape), batch + x_only + y_only


def _arranged(t, labels, order, sizes):
    """`t` with its dimensions in `order`, each broadcast to its label's full size."""
    t = t.permute(*[labels.index(a) for a in order])
    full = tuple(sizes[a] for a in order)
    return t.expand(*full) if tuple(t.shape) != full else t


def _groups(shape, first, second):
    """`shape` merged into three dimensions: its first `first`, its next `second`, the
    rest."""
    merged = []
    for start, stop in ((0, first), (first, first + second), (first + second, len(shape))):
        size = 1
        for n in shape[start:stop]:
            size *= n
        merged.append(size)
    return tuple(merged)
