"""Matrix products: `matmul` (`@`) with PyTorch's rules for vectors and batches, and the
stricter `mm`, `bmm`, `mv`, `dot`; then what is built from them and the elementwise ops:
`trace`, `outer`, `kron`, `cross`, `tensordot`, `cdist` (`einsum` has its own module);
`torch.linalg`'s `vector_norm` and `matrix_norm`.

Each function takes the tensor first (`input`); `tensor.Tensor` binds it as the method of
the same name, and `minitorch` exports the PyTorch functions among them.
"""

import warnings

from . import dtypes
from . import tensor_functions as F
from .reductions import vector_norm
from .tensor_core import TensorCore
from .tensor_data import normalize_dim, shape_size


def _shape_str(shape):
    return "x".join(str(s) for s in shape) if shape else "scalar"


def matmul(input, other):
    r"""Matrix product $C_{ij} = \sum_k A_{ik} B_{kj}$, batched and broadcast like PyTorch.

    A 1-D first operand acts as a row vector and a 1-D second one as a column vector
    (the added dimension is removed again); leading dimensions are batch dimensions
    and broadcast.
    """
    if not isinstance(other, TensorCore):
        raise TypeError(
            f"matmul(): argument 'other' must be Tensor, not {type(other).__name__}"
        )
    if input.dim() == 0 or other.dim() == 0:
        raise RuntimeError(
            "both arguments to matmul need to be at least 1D, but they are "
            f"{input.dim()}D and {other.dim()}D"
        )
    if input.dtype is not other.dtype:
        raise RuntimeError(
            "expected both operands of matmul to have the same dtype, but got "
            f"{input.dtype} and {other.dtype} (convert one with .to(other.dtype))"
        )
    if input.dtype is dtypes.bool_:
        raise RuntimeError("matmul is not implemented for bool tensors")
    a = input.unsqueeze(0) if input.dim() == 1 else input
    b = other.unsqueeze(-1) if other.dim() == 1 else other
    if a.shape[-1] != b.shape[-2]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(a.shape[-2:])} and "
            f"{_shape_str(b.shape[-2:])}): the inner sizes differ, {a.shape[-1]} (last "
            f"dimension of the first) != {b.shape[-2]} (second-to-last of the second)"
        )
    out = F.MatMul.apply(a, b)
    if input.dim() == 1:
        out = out.squeeze(-2)
    if other.dim() == 1:
        out = out.squeeze(-1)
    return out


def rmatmul(input, other):
    """`other @ input` with `other` not a tensor: PyTorch's error."""
    raise TypeError(f"matmul(): argument 'input' must be Tensor, not {type(other).__name__}")


def mm(input, mat2):
    """Product of two matrices (2-D only; no broadcasting)."""
    _require_dims("mm", "input", input, 2)
    _require_dims("mm", "mat2", mat2, 2)
    return input.matmul(mat2)


def bmm(input, mat2):
    """Batched product of two 3-D tensors with equal batch sizes."""
    _require_dims("bmm", "batch1", input, 3)
    _require_dims("bmm", "batch2", mat2, 3)
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(
            f"bmm(): batch1 and batch2 must have the same batch size, got {input.shape[0]} "
            f"and {mat2.shape[0]}"
        )
    return input.matmul(mat2)


def mv(input, vec):
    """Matrix-vector product."""
    _require_dims("mv", "input", input, 2)
    _require_dims("mv", "vec", vec, 1)
    return input.matmul(vec)


def dot(input, other):
    """Inner product of two 1-D tensors of the same length."""
    if input.dim() != 1 or other.dim() != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input.dim()}D and {other.dim()}D tensors"
        )
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
            f"[{other.shape[0]}] to have the same number of elements, but got "
            f"{input.shape[0]} and {other.shape[0]} elements respectively"
        )
    return input.matmul(other)


inner = dot


def _require_dims(op, name, t, n):
    if t.dim() != n:
        what = "a matrix" if n == 2 else ("a vector" if n == 1 else f"a {n}D tensor")
        raise RuntimeError(f"{op}(): {name} must be {what}, but got a {t.dim()}D tensor")


# ----- products and contractions built from the above -----------------------------------
def trace(input):
    """The sum of the main diagonal of a matrix (int64 for integer matrices)."""
    if input.dim() != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.dim()}")
    dtype = input.dtype if input.dtype.is_floating_point else dtypes.int64
    return F.Trace.apply(input, dtype=dtype)


def outer(input, vec2):
    r"""The outer product of two vectors: $out_{ij} = a_i b_j$."""
    for name, t in (("self", input), ("vec2", vec2)):
        if t.dim() != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.dim()}-D")
    return input.unsqueeze(1) * vec2


ger = outer


def kron(input, other):
    r"""The Kronecker product: block $(i, j)$ of the result is $a_{ij} B$ (in every
    dimension; the tensor with fewer dimensions gets leading ones)."""
    ndim = max(input.dim(), other.dim())
    a_shape = (1,) * (ndim - input.dim()) + tuple(input.shape)
    b_shape = (1,) * (ndim - other.dim()) + tuple(other.shape)
    a = input.reshape(tuple(x for n in a_shape for x in (n, 1)))
    b = other.reshape(tuple(x for n in b_shape for x in (1, n)))
    return F.Reshape.apply(a * b, shape=tuple(m * n for m, n in zip(a_shape, b_shape)),
                           name="UnsafeView")


def cross(input, other, dim=None):
    r"""The cross product of 3-vectors along `dim` (the two broadcast together). Without
    `dim`, the first dimension of size 3 (PyTorch warns that this default will change to
    `dim=-1`, as in `linalg.cross`)."""
    if input.dim() != other.dim():
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease "
                      "either pass the dim explicitly or simply use torch.linalg.cross.",
                      UserWarning, stacklevel=2)
        dim = next((d for d, n in enumerate(input.shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    d = normalize_dim(dim, input.dim())
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    return F.Cross.apply(input, other, dim=d)


def tensordot(a, b, dims=2):
    """Sum of products over dimensions of `a` and `b`: the last `dims` of `a` with the first
    `dims` of `b`, or the dimensions listed in `dims = (dims_a, dims_b)`. The result has the
    other dimensions of `a`, then those of `b`."""
    if isinstance(dims, TensorCore):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a, dims_b = list(range(a.dim() - dims, a.dim())), list(range(dims))
    else:
        dims_a, dims_b = ([d] if isinstance(d, int) else list(d) for d in dims)
        if len(dims_a) != len(dims_b):
            raise RuntimeError("both dimension lists should have same length")
    dims_a = [normalize_dim(d, a.dim()) for d in dims_a]
    dims_b = [normalize_dim(d, b.dim()) for d in dims_b]
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[da]} in dim {da} and second has size {b.shape[db]} "
                               f"in dim {db}")
    free_a = [d for d in range(a.dim()) if d not in dims_a]
    free_b = [d for d in range(b.dim()) if d not in dims_b]
    inner = shape_size(tuple(a.shape[d] for d in dims_a))
    left = a.permute(*free_a, *dims_a).reshape(-1, inner)
    right = b.permute(*dims_b, *free_b).reshape(inner, -1)
    shape = tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b)
    return left.matmul(right).reshape(shape)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    r"""The p-norm distance $\|x_i - y_j\|_p$ between each row of `x1` (..., P, M) and each
    row of `x2` (..., R, M): shape (..., P, R), batch dimensions broadcast. `p=0` counts
    the coordinates that differ and `p=inf` takes the largest difference."""
    for name, t in (("X1", x1), ("X2", x2)):
        if t.dim() < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.dim()}D")
        if not t.dtype.is_floating_point:
            raise RuntimeError(
                f"cdist only supports floating-point dtypes, {name} got: {t.dtype.torch_name}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    return F.Cdist.apply(x1, x2, p=float(p))


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The norm of the matrices in the dimensions `dim` of `A`: 'fro' (the root of the sum of
    squares), 1 / -1 (the largest / smallest column sum of |A|), inf / -inf (the same of the row
    sums). The spectral (2) and nuclear norms need singular values: not here."""
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if ord == "fro":
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if ord not in (1, -1, float("inf"), float("-inf")):
        raise NotImplementedError(f"matrix_norm(ord={ord!r}) is not supported: minitorch has "
                                  "'fro', 1, -1, inf and -inf (no singular values)")
    rows, cols = (d % A.dim() for d in dim)
    summed, across = (rows, cols) if abs(ord) == 1 else (cols, rows)
    sums = (A if dtype is None else A.to(dtype)).abs().sum(summed, keepdim=True)
    out = sums.amax(across, keepdim=True) if ord > 0 else sums.amin(across, keepdim=True)
    return out if keepdim else out.squeeze((rows, cols))


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    r"""$\beta\,\mathrm{input} + \alpha\,(\mathrm{mat1} \cdot \mathrm{mat2})$ for matrices
    mat1 (n x m) and mat2 (m x p); `input` broadcasts to n x p. `nn.Linear` is
    `addmm(bias, x, weight.t())`, one node (`AddmmBackward0`) for the product and the sum."""
    _require_matrix("mat1", mat1)
    _require_matrix("mat2", mat2)
    _require_same_dtype("mat1 and mat2", mat1, mat2)
    _require_same_dtype("self and mat2", input, mat2)
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(mat1.shape)} and "
            f"{_shape_str(mat2.shape)})"
        )
    _require_expandable(input, (mat1.shape[0], mat2.shape[1]))
    return F.Addmm.apply(input, mat1, mat2, beta=beta, alpha=alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    r"""$\beta\,\mathrm{input} + \alpha\,(\mathrm{mat} \cdot \mathrm{vec})$ for a matrix
    (n x m) and a vector (m); `input` broadcasts to (n)."""
    if mat.dim() != 2 or vec.dim() != 1 or input.dim() > 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {input.dim()}, {mat.dim()}, {vec.dim()}"
        )
    if len({input.dtype, mat.dtype, vec.dtype}) > 1:
        raise RuntimeError(
            "addmv input tensors must have the same dtype, but got "
            f"{input.dtype.torch_name}, {mat.dtype.torch_name}, and {vec.dtype.torch_name}"
        )
    if mat.shape[1] != vec.shape[0] or input.numel() not in (1, mat.shape[0]):
        raise RuntimeError(
            f"size mismatch, got input ({_shape_str(input.shape)}), mat "
            f"({_shape_str(mat.shape)}), vec ({_shape_str(vec.shape)})"
        )
    return F.Addmm.apply(input, mat, vec, beta=beta, alpha=alpha, name="AddmvBackward0")


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    r"""$\beta\,\mathrm{input} + \alpha\,(\mathrm{batch1} \cdot \mathrm{batch2})$, a product
    per batch element, for batch1 (b x n x m) and batch2 (b x m x p); `input` broadcasts to
    b x n x p."""
    _require_dims("baddbmm", "batch1", batch1, 3)
    _require_dims("baddbmm", "batch2", batch2, 3)
    if len({input.dtype, batch1.dtype, batch2.dtype}) > 1:
        raise RuntimeError(
            f"Input dtypes must be the same, got: input {input.dtype.torch_name.lower()}, "
            f"batch1: {batch1.dtype.torch_name.lower()}, batch2: "
            f"{batch2.dtype.torch_name.lower()}"
        )
    expected = (batch1.shape[0], batch1.shape[2])
    if tuple(batch2.shape[:2]) != expected:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: {list(expected)} "
            f"but got: {list(batch2.shape[:2])}."
        )
    _require_expandable(input, (batch1.shape[0], batch1.shape[1], batch2.shape[2]))
    return F.Addmm.apply(input, batch1, batch2, beta=beta, alpha=alpha,
                         name="BaddbmmBackward0")


def _require_matrix(name, t):
    if t.dim() != 2:
        raise RuntimeError(f"{name} must be a matrix, got {t.dim()}-D tensor")


def _require_same_dtype(names, a, b):
    if a.dtype is not b.dtype:
        raise RuntimeError(
            f"{names} must have the same dtype, but got {a.dtype.torch_name} and "
            f"{b.dtype.torch_name}"
        )


def _require_expandable(input, shape):
    """PyTorch's error when `input` does not broadcast to the product's `shape`."""
    lead = len(shape) - input.dim()
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(shape)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({input.dim()})"
        )
    for i, size in enumerate(input.shape):
        if size not in (1, shape[lead + i]):
            raise RuntimeError(
                f"The expanded size of the tensor ({shape[lead + i]}) must match the existing "
                f"size ({size}) at non-singleton dimension {lead + i}.  Target sizes: "
                f"{list(shape)}.  Tensor sizes: {list(input.shape)}"
            )
