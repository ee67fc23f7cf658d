"""Activation layers over `nn.functional`'s smooth and clipped activations: `SiLU`, `ELU`,
`Softplus`, `Mish`, `Hardtanh`, printed as PyTorch prints them."""

from . import functional as F
from .module import Module


def _inplace_repr(inplace):
    return ", inplace=True" if inplace else ""


class SiLU(Module):
    r"""$x \sigma(x)$ elementwise (also called swish)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.silu(input, inplace=self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)[2:]


class Mish(SiLU):
    r"""$x \tanh(\ln(1 + e^x))$ elementwise."""

    def forward(self, input):
        return F.mish(input, inplace=self.inplace)


class ELU(Module):
    r"""$x$ for $x > 0$, else $\alpha (e^x - 1)$."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + _inplace_repr(self.inplace)


class Softplus(Module):
    r"""$\frac{1}{\beta} \ln(1 + e^{\beta x})$; linear where $\beta x > $ `threshold`."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """Clips to `[min_val, max_val]`."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        if min_val > max_val:
            raise ValueError("min_val cannot be greater than max_val")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + _inplace_repr(self.inplace)
