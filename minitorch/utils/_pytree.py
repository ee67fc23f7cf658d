"""Nested containers of values ("pytrees"), as `torch.utils._pytree`: the function
transforms of `minitorch.func` take and return tuples, lists and dicts of tensors.

`tree_flatten(tree)` gives the leaves in order and a spec of the structure;
`tree_unflatten(leaves, spec)` builds the same structure around new leaves. Tuples, lists
and dicts are containers; everything else (tensors, numbers, None) is a leaf.
"""

_CONTAINERS = (tuple, list, dict)


def tree_flatten(tree):
    """(leaves, spec): the leaves of `tree` from left to right, and its structure."""
    leaves = []
    return leaves, _flatten_into(tree, leaves)


def _flatten_into(tree, leaves):
    kind = type(tree)
    if kind not in _CONTAINERS:
        leaves.append(tree)
        return None
    keys = tuple(tree) if kind is dict else None
    items = tree.values() if kind is dict else tree
    return (kind, keys, tuple(_flatten_into(item, leaves) for item in items))


def tree_unflatten(leaves, spec):
    """The structure `spec` (from `tree_flatten`) with `leaves` in its places."""
    leaves = iter(leaves)
    return _build(leaves, spec)


def _build(leaves, spec):
    if spec is None:
        return next(leaves)
    kind, keys, children = spec
    items = [_build(leaves, child) for child in children]
    return dict(zip(keys, items)) if kind is dict else kind(items)


def tree_map(fn, tree):
    """`tree` with `fn` applied to each leaf."""
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(leaf) for leaf in leaves], spec)


def broadcast_prefix(prefix, tree):
    """One value of `prefix` per leaf of `tree`, or None if the structures do not match.

    `prefix` has the structure of `tree` down to some depth, with one value standing for a
    whole subtree (`in_dims=(0, None)` for `(x, (a, b))` gives `[0, None, None]`).
    """
    if type(prefix) not in _CONTAINERS:
        return [prefix] * len(tree_flatten(tree)[0])
    if type(tree) is not type(prefix) or len(tree) != len(prefix):
        return None
    if type(tree) is dict:
        if set(tree) != set(prefix):
            return None
        pairs = [(prefix[key], tree[key]) for key in tree]
    else:
        pairs = list(zip(prefix, tree))
    values = []
    for sub_prefix, sub_tree in pairs:
        found = broadcast_prefix(sub_prefix, sub_tree)
        if found is None:
            return None
        values.extend(found)
    return values


def spec_str(spec):
    """The structure as PyTorch's messages draw it: `*` for a leaf, `(*, *)` for a pair."""
    if spec is None:
        return "*"
    kind, keys, children = spec
    parts = [spec_str(child) for child in children]
    if kind is dict:
        return "{" + ", ".join(f"{key!r}: {part}" for key, part in zip(keys, parts)) + "}"
    if kind is list:
        return "[" + ", ".join(parts) + "]"
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
