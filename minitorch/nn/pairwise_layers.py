"""Layers of two inputs: `CosineSimilarity` and `Bilinear`."""

import math

from ..creation import empty
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


class CosineSimilarity(Module):
    """The cosine of the angle between `x1` and `x2` along `dim` (see
    `F.cosine_similarity`)."""

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class Bilinear(Module):
    r"""$y_k = x_1^T W_k x_2 + b_k$ with `weight` of shape (out_features, in1_features,
    in2_features) and `bias` of shape (out_features,), both uniform on
    $[-1/\sqrt{\mathrm{in1\_features}}, 1/\sqrt{\mathrm{in1\_features}}]$ as in PyTorch."""

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None,
                 dtype=None):
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(empty(out_features, in1_features, in2_features, device=device,
                                      dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.in1_features)
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
