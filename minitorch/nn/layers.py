"""Layers: `Linear`, activations, `Flatten`, `Unflatten`, `Dropout`, `Dropout2d`,
`LayerNorm`, `Embedding`, with PyTorch's arguments, defaults, initialisation and printed forms."""

import math
import numbers

from .. import dtypes, grad_mode
from ..creation import empty
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


class Identity(Module):
    """Returns its input unchanged (its arguments are accepted and ignored, as in PyTorch)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    r"""$y = x W^T + b$ with `weight` of shape (out_features, in_features) and `bias` of shape
    (out_features,).

    Both start uniform on $[-1/\sqrt{\mathrm{in\_features}}, 1/\sqrt{\mathrm{in\_features}}]$
    (PyTorch's `kaiming_uniform_(a=sqrt(5))` for the weight).
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty(out_features, in_features, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        r"""PyTorch's initialisation, in place: `weight` from `init.kaiming_uniform_(weight,
        a=sqrt(5))`, which is uniform on $[-1/\sqrt{\mathrm{fan\_in}}, 1/\sqrt{\mathrm{fan\_in}}]$,
        and `bias` uniform on the same interval (fan_in = in_features; 0 gives bound 0)."""
        # BEGIN SOLUTION 3.3
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)
        # END SOLUTION

    def forward(self, input):
        if input.dim() == 0 or input.shape[-1] != self.in_features:
            rows = input.numel() // input.shape[-1] if input.dim() and input.shape[-1] else 1
            received = input.shape[-1] if input.dim() else "no"
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({rows}x{received} and "
                f"{self.in_features}x{self.out_features}): {self!r} expects inputs whose last "
                f"dimension has {self.in_features} features, but got an input of shape "
                f"{list(input.shape)} ({received} features)"
            )
        # y = x W^T + b for every row x of the input (all dimensions but the last are rows)
        # BEGIN SOLUTION 3.3
        return F.linear(input, self.weight, self.bias)
        # END SOLUTION

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Flatten(Module):
    """Flattens dimensions `start_dim` to `end_dim` into one (all but the batch by default)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Splits dimension `dim` into `unflattened_size` (the inverse of `Flatten`)."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input):
        sizes = tuple(self.unflattened_size)
        d = self.dim + input.dim() if self.dim < 0 else self.dim
        known = 1
        for s in sizes:
            known *= s if s != -1 else 1
        if 0 <= d < input.dim() and -1 not in sizes and known != input.shape[d]:
            raise RuntimeError(
                f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim "
                f"{self.dim} ({input.shape[d]}) in the input tensor"
            )
        return input.unflatten(self.dim, sizes)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


# ----- activations -------------------------------------------------------------------------
class ReLU(Module):
    r"""$\max(0, x)$ elementwise."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    r"""$x$ for $x \ge 0$, else $\mathrm{negative\_slope} \cdot x$."""

    def __init__(self, negative_slope=1e-2, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Sigmoid(Module):
    r"""$1 / (1 + e^{-x})$ elementwise."""

    def forward(self, input):
        return F.sigmoid(input)


class Tanh(Module):
    r"""$\tanh x$ elementwise."""

    def forward(self, input):
        return F.tanh(input)


class GELU(Module):
    r"""$x \Phi(x)$ ($\Phi$ the standard normal CDF), or its tanh approximation with
    `approximate='tanh'`."""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    r"""$e^{x_i} / \sum_j e^{x_j}$ along `dim`."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    r"""$x_i - \log \sum_j e^{x_j}$ along `dim` (computed stably)."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self):
        return f"dim={self.dim}"


class Dropout(Module):
    """In training, zeroes each element with probability `p` and scales the others by
    1 / (1 - p), so the expected value is unchanged; in eval mode it does nothing."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout2d(Dropout):
    """In training, zeroes whole channels (each (H, W) feature map of each sample) with
    probability `p` and scales the others by 1 / (1 - p); in eval mode it does nothing."""

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


# ----- normalisation (batch norm: batchnorm.py) ------------------------------------------
class LayerNorm(Module):
    r"""Normalises over the last `len(normalized_shape)` dimensions of each sample:
    $y = (x - \mu) / \sqrt{\sigma^2 + \epsilon} \cdot \gamma + \beta$ (biased variance)."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(empty(*self.normalized_shape, device=device, dtype=dtype))
            if bias:
                self.bias = Parameter(empty(*self.normalized_shape, device=device, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


# ----- embeddings --------------------------------------------------------------------------
class Embedding(Module):
    """A lookup table: row `i` of `weight` (num_embeddings x embedding_dim) is the vector of
    index `i`. Rows start N(0, 1); the `padding_idx` row starts at zero and gets no gradient."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None,
                 _freeze=False, device=None, dtype=None):
        super().__init__()
        if max_norm is not None or scale_grad_by_freq or sparse:
            raise NotImplementedError(
                "minitorch's Embedding supports neither max_norm, scale_grad_by_freq nor sparse"
            )
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        if padding_idx is not None:
            if padding_idx > 0 and padding_idx >= num_embeddings:
                raise AssertionError("Padding_idx must be within num_embeddings")
            if padding_idx < 0:
                if padding_idx < -num_embeddings:
                    raise AssertionError("Padding_idx must be within num_embeddings")
                padding_idx = num_embeddings + padding_idx
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = Parameter(empty(num_embeddings, embedding_dim, device=device,
                                          dtype=dtype), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and "
                                     "embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with grad_mode.no_grad():
                self.weight[self.padding_idx].fill_(0)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None,
                        norm_type=2.0, scale_grad_by_freq=False, sparse=False):
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(rows, cols, _weight=embeddings, _freeze=freeze, padding_idx=padding_idx,
                   max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)

    def forward(self, input):
        if input.dtype not in (dtypes.int64, dtypes.int32):
            raise RuntimeError(
                "Expected tensor for argument #1 'indices' to have one of the following scalar "
                f"types: Long, Int; but got {input.type()} instead (while checking arguments "
                "for embedding)"
            )
        if input.numel() and (int(input.max()) >= self.num_embeddings or int(input.min()) < 0):
            raise IndexError(
                f"index out of range in self: {self!r} has rows 0 to {self.num_embeddings - 1}, "
                f"but the input holds indices from {int(input.min())} to {int(input.max())}"
            )
        out = self.weight[input]
        if self.padding_idx is not None and out.requires_grad:
            keep = (input != self.padding_idx).unsqueeze(-1).to(out.dtype)
            out.register_hook(lambda grad: grad * keep)  # the padding row learns nothing
        return out

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        if self.sparse:
            text += ", sparse=True"
        return text
