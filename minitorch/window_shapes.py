"""Shape arithmetic that the backends' pooling kernels share (`fast_conv`, `cuda_conv`).

A pooling kernel sees its input as planes: every dimension before the last `nd` (batch,
channels) counts planes, and a 1-D pooling is the 2-D one with a height of 1.
"""


def plane_layout(shape, nd):
    """(planes, H, W) of data of `shape` (*lead, H, W), or (*lead, W) with H = 1 (1-D)."""
    h, w = (1, shape[-1]) if nd == 1 else shape[-2:]
    count = 1
    for size in shape[:len(shape) - nd]:
        count *= size
    return count, h, w


def pooled_shape(shape, geometry, nd):
    """The shape of the pooling of data of `shape` over its last `nd` dimensions: the lead
    dimensions, then the output size of `geometry` (kernel, stride, padding, dilation, out)."""
    return (*shape[:len(shape) - nd], *geometry[4][2 - nd:])
