"""PyTorch's element types as its checkpoints name them, and the minitorch dtype of each.

A tensor in a `torch.save` file names its storage class (`torch.FloatStorage`); a dtype saved
as a value is a global such as `torch.float32`. minitorch has five dtypes; tensors of the
other common types are widened without loss to the default type of their kind when loaded:
float16 and bfloat16 to float32, uint8, int8 and int16 to int64.
"""

from dataclasses import dataclass

import numpy as np

from .. import dtypes


@dataclass(frozen=True)
class ElementType:
    """One PyTorch element type: its dtype name (`torch.<name>`), its storage class
    (`torch.<storage>`), the NumPy type of its bytes on disk, and minitorch's dtype for it."""

    name: str
    storage: str
    disk: np.dtype
    minitorch: dtypes.dtype

    def decode(self, data, byteorder="little"):
        """A fresh, writable array of minitorch's dtype holding the elements in `data`."""
        if self.storage == "BoolStorage":
            return np.frombuffer(data, np.uint8) != 0  # any nonzero byte is True, as in C
        disk = self.disk.newbyteorder("<" if byteorder == "little" else ">")
        raw = np.frombuffer(data, disk)
        if self.storage == "BFloat16Storage":  # the upper 16 bits of a float32
            return (raw.astype(np.uint32) << 16).view(np.float32)
        return raw.astype(self.minitorch.numpy)

    def encode(self, array):
        """The bytes PyTorch stores for `array` (of this type's minitorch dtype)."""
        return np.ascontiguousarray(array, dtype=self.disk).tobytes()


ELEMENT_TYPES = (
    ElementType("float32", "FloatStorage", np.dtype("<f4"), dtypes.float32),
    ElementType("float64", "DoubleStorage", np.dtype("<f8"), dtypes.float64),
    ElementType("int64", "LongStorage", np.dtype("<i8"), dtypes.int64),
    ElementType("int32", "IntStorage", np.dtype("<i4"), dtypes.int32),
    ElementType("bool", "BoolStorage", np.dtype("u1"), dtypes.bool_),
    ElementType("float16", "HalfStorage", np.dtype("<f2"), dtypes.float32),
    ElementType("bfloat16", "BFloat16Storage", np.dtype("<u2"), dtypes.float32),
    ElementType("int16", "ShortStorage", np.dtype("<i2"), dtypes.int64),
    ElementType("int8", "CharStorage", np.dtype("i1"), dtypes.int64),
    ElementType("uint8", "ByteStorage", np.dtype("u1"), dtypes.int64),
)
BY_STORAGE = {t.storage: t for t in ELEMENT_TYPES}
BY_NAME = {t.name: t for t in ELEMENT_TYPES}
# What each minitorch dtype is saved as: the type of the same name
FOR_MINITORCH = {t.minitorch: t for t in ELEMENT_TYPES if t.name == t.minitorch.name}
