"""`minitorch.accelerator`: PyTorch's device-neutral questions about the accelerator, which for
minitorch is the GPU of the `cuda` backend (or Numba's CUDA simulator; see `minitorch.cuda`)."""

from . import cuda
from .device import device


def is_available():
    return cuda.is_available()


def current_accelerator(check_available=False):
    """`device(type='cuda')` when the GPU can be used (or, unless `check_available`, a GPU
    is known), else None."""
    return device("cuda") if cuda.is_available() else None


def device_count():
    return cuda.device_count()


def synchronize(device=None):
    cuda.synchronize()
