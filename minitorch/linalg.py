"""Matrix products: `matmul` (`@`) with PyTorch's rules for vectors and batches, and the
stricter `mm`, `bmm`, `mv`, `dot`.
"""

from . import dtypes
from . import tensor_functions as F
from .backends import check_same_backend
from .tensor_data import shape_broadcast


def _shape_str(shape):
    return "x".join(str(s) for s in shape) if shape else "scalar"


class LinalgOps:
    """Mixin: matrix products of `Tensor`."""

    __slots__ = ()

    def matmul(self, other):
        r"""Matrix product $C_{ij} = \sum_k A_{ik} B_{kj}$, batched and broadcast like PyTorch.

        A 1-D first operand acts as a row vector and a 1-D second one as a column vector
        (the added dimension is removed again); leading dimensions are batch dimensions
        and broadcast.
        """
        if not hasattr(other, "_data"):
            raise TypeError(
                f"matmul(): argument 'other' must be Tensor, not {type(other).__name__}"
            )
        if self.dim() == 0 or other.dim() == 0:
            raise RuntimeError(
                "both arguments to matmul need to be at least 1D, but they are "
                f"{self.dim()}D and {other.dim()}D"
            )
        if self.dtype is not other.dtype:
            raise RuntimeError(
                "expected both operands of matmul to have the same dtype, but got "
                f"{self.dtype} and {other.dtype} (convert one with .to(other.dtype))"
            )
        if self.dtype is dtypes.bool_:
            raise RuntimeError("matmul is not implemented for bool tensors")
        a = self.unsqueeze(0) if self.dim() == 1 else self
        b = other.unsqueeze(-1) if other.dim() == 1 else other
        if a.shape[-1] != b.shape[-2]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(a.shape[-2:])} and "
                f"{_shape_str(b.shape[-2:])}): the inner sizes differ, {a.shape[-1]} (last "
                f"dimension of the first) != {b.shape[-2]} (second-to-last of the second)"
            )
        out = F.MatMul.apply(a, b)
        if self.dim() == 1:
            out = out.squeeze(-2)
        if other.dim() == 1:
            out = out.squeeze(-1)
        return out

    def _matmul_raw(self, other):
        """The batched product of two tensors of at least 2 dimensions, without autograd."""
        check_same_backend("matmul", self, other)
        try:
            batch = shape_broadcast(self.shape[:-2], other.shape[:-2])
        except RuntimeError as e:
            if "cannot be broadcast" not in str(e):
                raise  # e.g. a task not implemented yet
            raise RuntimeError(f"matmul(): batch dimensions {e}") from None
        ndim = len(batch) + 2
        a, b = self._data, other._data
        if a.dims < ndim:
            a = a.view((1,) * (ndim - a.dims) + a.shape, (0,) * (ndim - a.dims) + a.strides)
        if b.dims < ndim:
            b = b.view((1,) * (ndim - b.dims) + b.shape, (0,) * (ndim - b.dims) + b.strides)
        out_shape = batch + (a.shape[-2], b.shape[-1])
        return self._wrap(self.backend.matmul(a, b, out_shape, self.dtype))

    __matmul__ = matmul

    def __rmatmul__(self, other):
        raise TypeError(f"matmul(): argument 'input' must be Tensor, not {type(other).__name__}")

    def mm(self, mat2):
        """Product of two matrices (2-D only; no broadcasting)."""
        _require_dims("mm", "self", self, 2)
        _require_dims("mm", "mat2", mat2, 2)
        return self.matmul(mat2)

    def bmm(self, mat2):
        """Batched product of two 3-D tensors with equal batch sizes."""
        _require_dims("bmm", "batch1", self, 3)
        _require_dims("bmm", "batch2", mat2, 3)
        if self.shape[0] != mat2.shape[0]:
            raise RuntimeError(
                f"bmm(): batch1 and batch2 must have the same batch size, got {self.shape[0]} "
                f"and {mat2.shape[0]}"
            )
        return self.matmul(mat2)

    def mv(self, vec):
        """Matrix-vector product."""
        _require_dims("mv", "self", self, 2)
        _require_dims("mv", "vec", vec, 1)
        return self.matmul(vec)

    def dot(self, other):
        """Inner product of two 1-D tensors of the same length."""
        if self.dim() != 1 or other.dim() != 1:
            raise RuntimeError(
                f"1D tensors expected, but got {self.dim()}D and {other.dim()}D tensors"
            )
        if self.shape[0] != other.shape[0]:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{self.shape[0]}] and src "
                f"[{other.shape[0]}] to have the same number of elements, but got "
                f"{self.shape[0]} and {other.shape[0]} elements respectively"
            )
        return self.matmul(other)

    inner = dot


def _require_dims(op, name, t, n):
    if t.dim() != n:
        what = "a matrix" if n == 2 else ("a vector" if n == 1 else f"a {n}D tensor")
        raise RuntimeError(f"{op}(): {name} must be {what}, but got a {t.dim()}D tensor")
