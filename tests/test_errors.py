"""The errors a student meets are part of the teaching.

Each test checks the exception class (the one PyTorch raises, so `except RuntimeError:` code
carries over) and that the message names what the student needs to fix the mistake: the shapes
and the operation of a failed broadcast, the inner sizes of a failed matmul, the valid range of a
dimension, the size behind a bad view, the dimension and size of an out-of-range index.

Messages are matched on key tokens (regular expressions), not as whole strings, so minitorch may
word them more kindly than PyTorch does.
"""

import re

import pytest

import minitorch


def raised(exc_class, fn):
    """Run `fn`, which must raise `exc_class`; return the message."""
    with pytest.raises(exc_class) as info:
        fn()
    return str(info.value)


def assert_mentions(message, *patterns):
    for pattern in patterns:
        assert re.search(pattern, message, re.IGNORECASE), (
            f"the message should mention {pattern!r}; it was:\n{message}"
        )


def shape(*dims):
    """A pattern for a shape printed as `(2, 3)`, `[2, 3]`, `(4,)`, `[4]` or `Size([2, 3])`."""
    inner = r",\s*".join(str(d) for d in dims)
    return r"[\(\[]\s*" + inner + r"\s*,?\s*[\)\]]"


def number(n):
    """A pattern for the integer `n` (maybe negative) standing alone: not part of `12`, `-2`."""
    return r"(?<![\d\-])" + re.escape(str(n)) + r"(?![\d])"


def arange(*shape_):
    n = 1
    for d in shape_:
        n *= d
    return minitorch.arange(n).view(*shape_).float()


# --------------------------------------------------------------------------------------------
# Broadcasting


BROADCAST_CASES = [
    # (id, operation, shape a, shape b, pattern for the operation's name)
    ("add_op", lambda a, b: a + b, (2, 3), (4,), r"\badd"),
    ("add_fn", lambda a, b: minitorch.add(a, b), (2, 3), (4,), r"\badd"),
    ("mul_op", lambda a, b: a * b, (3, 4), (3,), r"\bmul"),
    ("mul_fn", lambda a, b: minitorch.mul(a, b), (2, 5), (2, 4), r"\bmul"),
    ("sub_op", lambda a, b: a - b, (3, 4), (4, 3), r"\bsub"),
    ("div_op", lambda a, b: a / b, (2, 3), (2,), r"\bdiv"),
]


@pytest.mark.parametrize(
    "op, shape_a, shape_b, op_name",
    [c[1:] for c in BROADCAST_CASES],
    ids=[c[0] for c in BROADCAST_CASES],
)
def test_broadcast_failure_names_shapes_and_operation(op, shape_a, shape_b, op_name):
    a, b = minitorch.ones(*shape_a), minitorch.ones(*shape_b)
    message = raised(RuntimeError, lambda: op(a, b))
    assert_mentions(message, shape(*shape_a), shape(*shape_b), op_name)


@pytest.mark.parametrize(
    "op",
    [
        lambda a, b: a < b,
        lambda a, b: minitorch.maximum(a, b),
        lambda a, b: minitorch.where(a > 0, a, b),
    ],
    ids=["lt", "maximum", "where"],
)
def test_broadcast_failure_in_other_ops_names_shapes(op):
    message = raised(RuntimeError, lambda: op(minitorch.ones(2, 3), minitorch.ones(4)))
    assert_mentions(message, shape(2, 3), shape(4))


def test_inplace_broadcast_cannot_grow_the_output():
    x = minitorch.zeros(3)
    message = raised(RuntimeError, lambda: x.add_(minitorch.ones(2, 3)))
    assert_mentions(message, shape(3), shape(2, 3))


def test_shape_broadcast_names_both_shapes():
    from minitorch.tensor_data import shape_broadcast

    message = raised(RuntimeError, lambda: shape_broadcast((2, 3), (4,)))
    assert_mentions(message, shape(2, 3), shape(4))


# --------------------------------------------------------------------------------------------
# Matrix multiplication


MATMUL_CASES = [
    # (id, operation, shape a, shape b, inner sizes)
    ("matmul_2d", lambda a, b: a @ b, (2, 3), (4, 5), (3, 4)),
    ("matmul_fn", lambda a, b: minitorch.matmul(a, b), (5, 2), (3, 2), (2, 3)),
    ("mm", lambda a, b: minitorch.mm(a, b), (2, 3), (4, 5), (3, 4)),
    ("matmul_1d", lambda a, b: a @ b, (3,), (4,), (3, 4)),
    ("matmul_2d_1d", lambda a, b: a @ b, (2, 3), (5,), (3, 5)),
    ("matmul_batched", lambda a, b: a @ b, (2, 3, 4), (2, 3, 5), (4, 3)),
    ("bmm", lambda a, b: minitorch.bmm(a, b), (2, 3, 4), (2, 5, 6), (4, 5)),
    ("mv", lambda a, b: minitorch.mv(a, b), (3, 4), (3,), (4, 3)),
    ("dot", lambda a, b: minitorch.dot(a, b), (3,), (4,), (3, 4)),
]


@pytest.mark.parametrize(
    "op, shape_a, shape_b, inner",
    [c[1:] for c in MATMUL_CASES],
    ids=[c[0] for c in MATMUL_CASES],
)
def test_matmul_mismatch_names_inner_sizes(op, shape_a, shape_b, inner):
    a, b = minitorch.ones(*shape_a), minitorch.ones(*shape_b)
    message = raised(RuntimeError, lambda: op(a, b))
    assert_mentions(message, number(inner[0]), number(inner[1]))


def test_matmul_of_0d_says_at_least_1d():
    message = raised(RuntimeError, lambda: minitorch.ones(2) @ minitorch.tensor(1.0))
    assert_mentions(message, r"1-?D|dimension|0-?d")


# --------------------------------------------------------------------------------------------
# Dimensions out of range


DIM_CASES = [
    # (id, call, valid range, the bad value)
    ("sum", lambda: arange(2, 3).sum(dim=2), "[-2, 1]", 2),
    ("sum_negative", lambda: arange(2, 3).sum(dim=-3), "[-2, 1]", -3),
    ("sum_tuple", lambda: arange(2, 3).sum(dim=(0, 4)), "[-2, 1]", 4),
    ("mean", lambda: arange(2, 3, 4).mean(3), "[-3, 2]", 3),
    ("max", lambda: arange(2, 3).max(dim=5), "[-2, 1]", 5),
    ("argmax_1d", lambda: arange(3).argmax(1), "[-1, 0]", 1),
    ("transpose", lambda: arange(2, 3).transpose(0, 2), "[-2, 1]", 2),
    ("permute", lambda: arange(2, 3).permute(0, 2), "[-2, 1]", 2),
    ("squeeze", lambda: arange(2, 3).squeeze(2), "[-2, 1]", 2),
    ("unsqueeze", lambda: arange(2, 3).unsqueeze(3), "[-3, 2]", 3),
    ("size", lambda: arange(2, 3).size(2), "[-2, 1]", 2),
    ("cat", lambda: minitorch.cat([arange(2, 3), arange(2, 3)], dim=2), "[-2, 1]", 2),
    ("flatten", lambda: arange(2, 3).flatten(0, -3), "[-2, 1]", -3),
]


@pytest.mark.parametrize(
    "call, valid, bad", [c[1:] for c in DIM_CASES], ids=[c[0] for c in DIM_CASES]
)
def test_bad_dim_names_valid_range_and_value(call, valid, bad):
    message = raised(IndexError, call)
    assert_mentions(message, re.escape(valid))
    without_range = message.replace(valid, "")
    assert_mentions(without_range, number(bad))


# --------------------------------------------------------------------------------------------
# Views


def test_view_with_wrong_size_names_size_and_shape():
    message = raised(RuntimeError, lambda: minitorch.arange(6).view(4, 2))
    assert_mentions(message, number(6), shape(4, 2))


def test_view_with_inferred_dim_names_size():
    message = raised(RuntimeError, lambda: minitorch.arange(6).view(-1, 4))
    assert_mentions(message, number(6), number(4))


def test_reshape_with_wrong_size_names_size_and_shape():
    message = raised(RuntimeError, lambda: minitorch.arange(6).reshape(5, 2))
    assert_mentions(message, number(6), shape(5, 2))


def test_view_of_non_contiguous_says_why():
    x = minitorch.arange(6).view(2, 3).t()
    message = raised(RuntimeError, lambda: x.view(6))
    assert_mentions(message, r"contiguous|stride")


def test_view_with_two_inferred_dims():
    message = raised(RuntimeError, lambda: minitorch.arange(6).view(-1, -1))
    assert_mentions(message, r"one dimension|-1|infer")


def test_expand_failure_names_sizes():
    message = raised(RuntimeError, lambda: minitorch.ones(3).expand(2, 4))
    assert_mentions(message, number(3), number(4))


# --------------------------------------------------------------------------------------------
# Indexing


INDEX_CASES = [
    # (id, call, bad index, dimension, size)
    ("int", lambda: minitorch.arange(3)[5], 5, 0, 3),
    ("negative", lambda: minitorch.arange(3)[-4], -4, 0, 3),
    ("second_dim", lambda: arange(2, 3)[0, 7], 7, 1, 3),
    ("negative_2d", lambda: arange(2, 3)[-3], -3, 0, 2),
    ("list", lambda: minitorch.arange(3)[[0, 5]], 5, 0, 3),
    ("tensor", lambda: arange(4, 2)[minitorch.tensor([1, 9])], 9, 0, 4),
    # PyTorch names dimension 0 here (the index tensor's own); the true dimension is 1, so
    # the dimension is not checked for this one.
    ("column_list", lambda: arange(2, 3)[:, [0, 3]], 3, None, 3),
]


@pytest.mark.parametrize(
    "call, index, dim, size", [c[1:] for c in INDEX_CASES], ids=[c[0] for c in INDEX_CASES]
)
def test_index_out_of_range_names_dimension_and_size(call, index, dim, size):
    message = raised(IndexError, call)
    assert_mentions(message, number(index), rf"size\s*(of\s*)?{size}(?!\d)")
    if dim is not None:
        assert_mentions(message, rf"dim(ension)?\s*{dim}(?!\d)")


def test_setitem_out_of_range_names_dimension_and_size():
    x = minitorch.zeros(3)

    def assign():
        x[3] = 1.0

    message = raised(IndexError, assign)
    assert_mentions(message, number(3), r"dim(ension)?\s*0", r"size\s*(of\s*)?3")


def test_too_many_indices():
    message = raised(IndexError, lambda: arange(2, 3)[0, 0, 0])
    assert_mentions(message, r"too many|indices", number(2))


# --------------------------------------------------------------------------------------------
# Scalars out of tensors, gradients, and other misuse


def test_item_of_many_elements_names_the_count():
    message = raised(RuntimeError, lambda: arange(2, 3).item())
    assert_mentions(message, number(6), r"element")


def test_item_of_empty_tensor():
    message = raised(RuntimeError, lambda: minitorch.tensor([]).item())
    assert_mentions(message, number(0), r"element")


@pytest.mark.parametrize(
    "make",
    [
        lambda: minitorch.tensor([1, 2], requires_grad=True),
        lambda: minitorch.zeros(2, dtype=minitorch.int64, requires_grad=True),
        lambda: minitorch.ones(2, dtype=minitorch.bool, requires_grad=True),
    ],
    ids=["tensor_int", "zeros_int64", "ones_bool"],
)
def test_requires_grad_needs_floating_point(make):
    message = raised(RuntimeError, make)
    assert_mentions(message, r"float")


def test_setting_requires_grad_on_int_tensor():
    x = minitorch.tensor([1, 2])

    def set_flag():
        x.requires_grad = True

    message = raised(RuntimeError, set_flag)
    assert_mentions(message, r"float")
    assert x.requires_grad is False


def test_bool_of_many_elements_is_ambiguous():
    message = raised(RuntimeError, lambda: bool(arange(2, 3) > 1))
    assert_mentions(message, r"ambiguous|more than one")


def test_mean_of_int_tensor_asks_for_float():
    message = raised(RuntimeError, lambda: minitorch.tensor([1, 2, 3]).mean())
    assert_mentions(message, r"float", r"long|int64")


def test_bool_minus_bool_points_to_logical_ops():
    a = minitorch.tensor([True, False])
    message = raised(RuntimeError, lambda: a - a)
    assert_mentions(message, r"~|logical_not|\^|logical_xor")


@pytest.mark.parametrize(
    "op",
    [lambda x: x // 0, lambda x: x % 0, lambda x: x // minitorch.tensor([1, 0])],
    ids=["floordiv_scalar", "mod_scalar", "floordiv_tensor"],
)
def test_integer_division_by_zero(op):
    message = raised(RuntimeError, lambda: op(minitorch.tensor([1, 2])))
    assert_mentions(message, r"zero")


def test_ragged_nested_list():
    message = raised(ValueError, lambda: minitorch.tensor([[1, 2], [3]]))
    assert_mentions(message, number(2), number(1))
