"""The shape, sorting, selection and linear-algebra API against PyTorch, case by case: values,
dtypes, shapes, named tuples, printed node names, gradients and the type of each error.

Each case is `case(lib)`, run with `lib` = torch and then minitorch, and the results are
compared as in test_torch_parity.py (whose `compare` this reuses).
"""

import math
import warnings

import numpy as np
import pytest

from parity.test_torch_parity import _builtin_base, compare

torch = pytest.importorskip("torch")
import minitorch  # noqa: E402

RNG = np.random.default_rng(20250518)
A = RNG.standard_normal((3, 4)).astype(np.float32)
B = RNG.standard_normal((2, 3, 4))
V = RNG.standard_normal(3)
TIES = np.array([[2.0, 1.0, 2.0, 1.0], [0.5, 0.5, -1.0, 3.0]])
IDX = np.array([[2, 0, 1, 1], [0, 1, 2, 0]])


def t(lib, a, grad=False):
    """A tensor holding a copy of `a` (its dtype kept), a leaf that requires grad if asked."""
    x = lib.from_numpy(np.array(a, copy=True))
    return x.requires_grad_() if grad else x


def with_grad(fn, *arrays):
    """A case: `fn(lib, *leaves)`'s output, its node's name, and the leaves' gradients of
    the output weighted by 1, 2, 3, ... (so every position counts differently)."""

    def case(lib):
        leaves = [t(lib, a, grad=True) for a in arrays]
        out = fn(lib, *leaves)
        out = out[0] if isinstance(out, tuple) else out
        weights = lib.arange(1, out.numel() + 1, dtype=out.dtype).reshape(out.shape)
        (out * weights).sum().backward()
        return (out, type(out.grad_fn).__name__, *[x.grad for x in leaves])

    return case


VALUES = {
    "repeat": lambda lib: t(lib, A).repeat(2, 1, 3),
    "tile": lambda lib: lib.tile(t(lib, A), (2,)),
    "repeat_interleave": lambda lib: t(lib, A).repeat_interleave(2, dim=0),
    "repeat_interleave_flat": lambda lib: lib.repeat_interleave(t(lib, A), 3),
    "repeat_interleave_counts": lambda lib: lib.repeat_interleave(lib.tensor([2, 0, 1])),
    "diag_embed": lambda lib: lib.diag(t(lib, V), -2),
    "diag_of_matrix": lambda lib: t(lib, A).diag(1),
    "diagonal": lambda lib: t(lib, B).diagonal(1, 2, 0),
    "unfold": lambda lib: t(lib, B).unfold(2, 2, 1),
    "unfold_0d": lambda lib: lib.tensor(3.0).unfold(0, 1, 1),
    "meshgrid_xy": lambda lib: lib.meshgrid(t(lib, V), t(lib, B[0, 0]), indexing="xy"),
    "cumsum_bool": lambda lib: lib.tensor([True, False, True]).cumsum(0),
    "cumsum_int32": lambda lib: lib.tensor([1, 2, 3], dtype=lib.int32).cumsum(0),
    "cumsum_dtype": lambda lib: t(lib, A).cumsum(1, dtype=lib.float64),
    "cumprod": lambda lib: lib.cumprod(t(lib, A), 0),
    "cumsum_0d": lambda lib: lib.tensor(2.0).cumsum(0),
    "sort_ties_descending": lambda lib: t(lib, TIES).sort(dim=1, descending=True,
                                                                      stable=True),
    "sort_nan": lambda lib: lib.tensor([3.0, math.nan, 1.0]).sort(descending=True),
    "sort_0d": lambda lib: lib.tensor(5.0).sort(),
    "sort_bool": lambda lib: lib.tensor([True, False, True]).sort(),
    "argsort": lambda lib: lib.argsort(t(lib, TIES), dim=0, stable=True),
    "topk": lambda lib: t(lib, A).topk(2),
    "topk_smallest_dim0": lambda lib: t(lib, A).topk(2, dim=0, largest=False),
    "topk_zero": lambda lib: t(lib, A).topk(0),
    "unique": lambda lib: lib.unique(lib.tensor([3, 1, 3, 2]), return_inverse=True,
                                     return_counts=True),
    "unique_dim": lambda lib: t(lib, np.array([[1, 2], [1, 2], [0, 1]])).unique(dim=0),
    "searchsorted_rows": lambda lib: lib.searchsorted(lib.tensor([[1, 3, 5], [2, 4, 6]]),
                                                      lib.tensor([[3], [3]]), side="right"),
    "searchsorted_number": lambda lib: lib.searchsorted(lib.tensor([1, 3, 5]), 3),
    "bucketize": lambda lib: lib.bucketize(lib.tensor([[1, 5], [2, 4]]),
                                           lib.tensor([1, 3, 5]), right=True),
    "bucketize_int32": lambda lib: lib.bucketize(lib.tensor([1.0, 5.0]),
                                                 lib.tensor([1.0, 3.0, 5.0]), out_int32=True),
    "index_select_int32": lambda lib: t(lib, A).index_select(
        0, lib.tensor([2, 0, 2], dtype=lib.int32)),
    "index_select_0d_index": lambda lib: t(lib, A).index_select(1, lib.tensor(1)),
    "masked_select_broadcast": lambda lib: t(lib, A).masked_select(
        lib.tensor([True, False, True, False])),
    "scatter_value": lambda lib: t(lib, A).scatter(0, lib.tensor([[1, 0]]), 5.0),
    "scatter_value_kw": lambda lib: t(lib, A).scatter(1, lib.tensor([[1], [0]]), value=-1.0),
    "scatter_add_repeats": lambda lib: t(lib, A).scatter_add(0, lib.tensor([[0, 0], [0, 0]]),
                                                             t(lib, A[:2, :2])),
    "trace_int": lambda lib: lib.tensor([[1, 2], [3, 4]]).trace(),
    "trace_rect": lambda lib: t(lib, A).trace(),
    "outer_promotes": lambda lib: lib.outer(lib.tensor([1, 2]), lib.tensor([1.5])),
    "kron_mixed_dims": lambda lib: lib.kron(t(lib, V), t(lib, B[0])),
    "cross_broadcast": lambda lib: lib.cross(t(lib, B[:1, :, :3]), t(lib, B[:, :, 1:]),
                                             dim=-1),
    "einsum_implicit_upper": lambda lib: lib.einsum("Ba,aB", t(lib, A[:2, :3]),
                                                    t(lib, A[:3, :2])),
    "einsum_ellipsis_broadcast": lambda lib: lib.einsum("...i,...i->...", t(lib, B),
                                                        t(lib, B[:1])),
    "tensordot_pairs": lambda lib: lib.tensordot(t(lib, B), t(lib, B), dims=([0, 2], [0, 2])),
    "tensordot_zero": lambda lib: lib.tensordot(t(lib, V), t(lib, V), dims=0),
    "cdist_batched": lambda lib: lib.cdist(t(lib, B), t(lib, B[:1, :2])),
    "cdist_p0": lambda lib: lib.cdist(t(lib, A), t(lib, A[:2]), p=0),
    "cdist_inf": lambda lib: lib.cdist(t(lib, A), t(lib, A[:2] + 1), p=math.inf),
}

GRADIENTS = {
    "repeat": with_grad(lambda lib, x: x.repeat(2, 1, 2), A),
    "repeat_interleave": with_grad(lambda lib, x: x.repeat_interleave(2), A),
    "repeat_interleave_counts": with_grad(
        lambda lib, x: x.repeat_interleave(lib.tensor([1, 0, 2]), dim=0), A),
    "diag_embed": with_grad(lambda lib, x: lib.diag(x, 1), V),
    "diag": with_grad(lambda lib, x: lib.diag(x, -1), A),
    "diagonal": with_grad(lambda lib, x: x.diagonal(0, -1, 0), B),
    "unfold": with_grad(lambda lib, x: x.unfold(1, 3, 1), A),
    "meshgrid": with_grad(lambda lib, x: lib.meshgrid(x, x, indexing="ij")[1], V),
    "cumsum": with_grad(lambda lib, x: x.cumsum(1), A),
    "cumprod_with_zero": with_grad(lambda lib, x: x.cumprod(1), A * [1, 0, 1, 1]),
    "sort": with_grad(lambda lib, x: x.sort(0, descending=True), A),
    "topk": with_grad(lambda lib, x: x.topk(2, largest=False), A),
    "index_select": with_grad(lambda lib, x: x.index_select(1, lib.tensor([3, 0, 3])), A),
    "masked_select": with_grad(lambda lib, x: x.masked_select(x > 0), A),
    "scatter_src": with_grad(lambda lib, x, s: x.scatter(1, lib.tensor(IDX[:, :3]), s),
                             TIES, TIES[:, :3]),
    "scatter_value": with_grad(lambda lib, x: x.scatter(1, lib.tensor(IDX[:, :3]), 2.0), TIES),
    "scatter_add": with_grad(lambda lib, x, s: x.scatter_add(1, lib.tensor(IDX), s),
                             TIES, TIES),
    "trace": with_grad(lambda lib, x: x.trace(), A),
    "outer": with_grad(lambda lib, u, v: lib.outer(u, v), V, A[0]),
    "kron": with_grad(lambda lib, x, y: lib.kron(x, y), A[:2], V),
    "cross": with_grad(lambda lib, x, y: lib.cross(x, y, dim=0), A[:, :2], A[:, 2:]),
    "einsum_matmul": with_grad(lambda lib, x, y: lib.einsum("ij,kj->ik", x, y), A, A[:2]),
    "einsum_trace": with_grad(lambda lib, x: lib.einsum("ii", x), A[:, :3]),
    "tensordot": with_grad(lambda lib, x, y: lib.tensordot(x, y, dims=1), A, A.T),
    "cdist": with_grad(lambda lib, x, y: lib.cdist(x, y), A, A[:2] + 1),
    "cdist_p1": with_grad(lambda lib, x, y: lib.cdist(x, y, p=1.0), A, A[:2] + 1),
    "cdist_p3": with_grad(lambda lib, x, y: lib.cdist(x, y, p=3.0), A, A[:2] + 1),
}

ERRORS = {
    "repeat_fewer_dims": lambda lib: t(lib, A).repeat(2),
    "repeat_negative": lambda lib: t(lib, A).repeat(-1, 1),
    "repeat_interleave_negative": lambda lib: t(lib, A).repeat_interleave(-1),
    "repeat_interleave_wrong_length": lambda lib: t(lib, A).repeat_interleave(
        lib.tensor([1, 2]), dim=0),
    "repeat_interleave_float_counts": lambda lib: t(lib, A).repeat_interleave(
        lib.tensor([1.0, 2.0, 0.0]), dim=0),
    "diag_3d": lambda lib: lib.diag(t(lib, B)),
    "diagonal_same_dims": lambda lib: t(lib, A).diagonal(0, 1, 1),
    "diagonal_dim_range": lambda lib: t(lib, A).diagonal(0, 0, 2),
    "unfold_too_big": lambda lib: t(lib, A).unfold(1, 5, 1),
    "unfold_step_zero": lambda lib: t(lib, A).unfold(1, 2, 0),
    "meshgrid_2d": lambda lib: lib.meshgrid(t(lib, A), indexing="ij"),
    "meshgrid_indexing": lambda lib: lib.meshgrid(t(lib, V), indexing="yx"),
    "meshgrid_dtypes": lambda lib: lib.meshgrid(t(lib, V), t(lib, A[0]), indexing="ij"),
    "cumsum_no_dim": lambda lib: t(lib, A).cumsum(),
    "cumsum_dim_range": lambda lib: t(lib, A).cumsum(2),
    "sort_dim_range": lambda lib: t(lib, A).sort(3),
    "topk_too_many": lambda lib: t(lib, A).topk(5),
    "topk_negative": lambda lib: t(lib, A).topk(-1),
    "index_select_range": lambda lib: t(lib, A).index_select(0, lib.tensor([3])),
    "index_select_float": lambda lib: t(lib, A).index_select(0, lib.tensor([1.0])),
    "index_select_matrix": lambda lib: t(lib, A).index_select(0, lib.tensor([[1]])),
    "masked_select_int_mask": lambda lib: t(lib, A).masked_select(lib.tensor([1, 0, 1, 0])),
    "masked_select_shape": lambda lib: t(lib, A).masked_select(lib.tensor([True, False])),
    "scatter_dtype": lambda lib: t(lib, A).scatter(0, lib.tensor([[1, 0]]),
                                                   lib.ones(1, 2, dtype=lib.float64)),
    "scatter_range": lambda lib: t(lib, A).scatter(0, lib.tensor([[3, 0]]), 5.0),
    "scatter_small_src": lambda lib: t(lib, A).scatter(0, lib.tensor([[1, 0]]), lib.ones(1, 1)),
    "scatter_float_index": lambda lib: t(lib, A).scatter(0, lib.tensor([[1.0]]), 5.0),
    "searchsorted_side": lambda lib: lib.searchsorted(lib.tensor([1, 3]), lib.tensor([2]),
                                                      side="up"),
    "searchsorted_rows": lambda lib: lib.searchsorted(lib.tensor([[1, 3, 5]]),
                                                      lib.tensor([3, 4])),
    "bucketize_2d": lambda lib: lib.bucketize(lib.tensor([1.0]), lib.tensor([[1.0, 3.0]])),
    "trace_3d": lambda lib: t(lib, B).trace(),
    "outer_matrix": lambda lib: lib.outer(t(lib, V), t(lib, A)),
    "cross_no_3": lambda lib: lib.cross(t(lib, A[:2]), t(lib, A[:2])),
    "cross_length": lambda lib: lib.cross(t(lib, A[:2, :3]), t(lib, A[:2, :3]), dim=0),
    "cross_ndim": lambda lib: lib.cross(t(lib, V), t(lib, A[:, :3])),
    "einsum_fewer_operands": lambda lib: lib.einsum("ij,jk->ik", t(lib, A)),
    "einsum_unknown_output": lambda lib: lib.einsum("ij->k", t(lib, A)),
    "einsum_repeated_output": lambda lib: lib.einsum("ij->ii", t(lib, A)),
    "einsum_subscript_count": lambda lib: lib.einsum("ijk", t(lib, A)),
    "einsum_diagonal_sizes": lambda lib: lib.einsum("ii->i", t(lib, A)),
    "einsum_broadcast_sizes": lambda lib: lib.einsum("ij,ij->", t(lib, A), t(lib, A.T)),
    "tensordot_sizes": lambda lib: lib.tensordot(t(lib, A), t(lib, A), dims=1),
    "tensordot_negative": lambda lib: lib.tensordot(t(lib, A), t(lib, A), dims=-1),
    "tensordot_lists": lambda lib: lib.tensordot(t(lib, A), t(lib, A), dims=([1, 0], [0])),
    "cdist_negative_p": lambda lib: lib.cdist(t(lib, A), t(lib, A), p=-1),
    "cdist_columns": lambda lib: lib.cdist(t(lib, A), t(lib, A[:, :3])),
    "cdist_1d": lambda lib: lib.cdist(t(lib, V), t(lib, V)),
    "cdist_int": lambda lib: lib.cdist(lib.ones(2, 2, dtype=lib.int64),
                                       lib.ones(2, 2, dtype=lib.int64)),
}


def run(case, lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (meshgrid and cross warn alike in both)
        return case(lib)


@pytest.mark.parametrize("name", list(VALUES) + [f"grad_{n}" for n in GRADIENTS])
def test_same_results_as_torch(name):
    case = GRADIENTS[name[5:]] if name.startswith("grad_") else VALUES[name]
    compare(run(case, torch), run(case, minitorch))


@pytest.mark.parametrize("name", list(ERRORS))
def test_same_error_types_as_torch(name):
    with pytest.raises(Exception) as raised:  # noqa: PT011 -- torch decides which
        run(ERRORS[name], torch)
    with pytest.raises(_builtin_base(raised.type)):
        run(ERRORS[name], minitorch)
