r"""Convolution layers, `Conv1d` and `Conv2d`, with PyTorch's arguments, defaults,
initialisation and printed form (`Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1))`).

The weight has shape (out_channels, in_channels / groups, *kernel_size) and starts as
PyTorch's: `kaiming_uniform_(a=sqrt(5))`, uniform on $[-1/\sqrt{\mathrm{fan\_in}},
1/\sqrt{\mathrm{fan\_in}}]$ with fan_in = in_channels / groups * kernel elements; the bias
is uniform on the same interval.
"""

import math

from ..creation import empty
from . import conv, init, sliding
from .module import Module
from .parameter import Parameter
from .sliding import ntuple

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """The convolution layers' shared construction, initialisation and printed form."""

    _dims = 0
    _function = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", device=None,
                 dtype=None):
        super().__init__()
        nd, name = self._dims, type(self).__name__
        if not isinstance(groups, int) or groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        kernel_size = ntuple(kernel_size, nd, "kernel_size", name)
        stride = ntuple(stride, nd, "stride", name)
        dilation = ntuple(dilation, nd, "dilation", name)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "{'valid', 'same'}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = ntuple(padding, nd, "padding", name)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {set(_PADDING_MODES)}, but got "
                             f"padding_mode={padding_mode!r}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation, self.groups, self.padding_mode = dilation, groups, padding_mode
        self.output_padding, self.transposed = (0,) * nd, False
        self.weight = Parameter(empty(out_channels, in_channels // groups, *kernel_size,
                                      device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's initialisation, in place (see the module's docstring)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        if self.padding_mode == "zeros":
            return type(self)._function(input, self.weight, self.bias, self.stride,
                                        self.padding, self.dilation, self.groups)
        pairs = conv.conv_padding(self.padding, self.kernel_size, self.dilation, self.stride,
                                  self._dims, type(self).__name__)
        amounts = tuple(a for pair in reversed(pairs) for a in pair)
        return type(self)._function(sliding.pad(input, amounts, mode=self.padding_mode),
                                    self.weight, self.bias, self.stride, 0, self.dilation,
                                    self.groups)

    def extra_repr(self):
        nd = self._dims
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * nd:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * nd:
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) or (C_in, L) inputs (see `F.conv1d`)."""

    _dims = 1
    _function = staticmethod(conv.conv1d)


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) or (C_in, H, W) inputs (see `F.conv2d`)."""

    _dims = 2
    _function = staticmethod(conv.conv2d)
