"""Matrix products: `matmul` (`@`) with PyTorch's rules for vectors and batches, and the
stricter `mm`, `bmm`, `mv`, `dot`; `torch.linalg`'s `vector_norm` and `matrix_norm`.

Each function takes the tensor first (`input`); `tensor.Tensor` binds it as the method of
the same name, and `minitorch` exports the PyTorch functions among them.
"""

from . import dtypes
from . import tensor_functions as F
from .reductions import vector_norm
from .tensor_core import TensorCore


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
