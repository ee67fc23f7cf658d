"""PyTorch's checkpoint format (what `torch.save` writes), read and written without torch.

A `torch.save` file is a zip archive whose records share one folder name (`archive/`, or the
file's stem): `data.pkl`, a pickle of the saved object in which each tensor is a call
`torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)`;
`data/<key>`, the raw little-endian bytes of each storage, which the pickle names through
persistent ids `("storage", torch.FloatStorage, key, location, numel)`; and small records
`byteorder`, `version`, `.format_version` and `.storage_alignment`.

`reader` loads such files through a restricted unpickler (the same idea as
`torch.load(..., weights_only=True)`): only tensors, containers and plain values come out,
and nothing named in the file is ever imported or run. `writer` writes files that
`torch.load(..., weights_only=True)` reads. `element_types` maps PyTorch's element types to
minitorch's. `minitorch.save` / `minitorch.load` (in `serialization.py`) use them.
"""

from .reader import is_torch_archive, read_torch_archive
from .writer import torch_archive_writer

__all__ = ["is_torch_archive", "read_torch_archive", "torch_archive_writer"]
