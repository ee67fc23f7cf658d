"""Writing checkpoints in PyTorch's format, for `minitorch.save(obj, f, format="torch")`.

`_PickleWriter` emits the pickle that `torch.save` would write for the same object, opcode by
opcode (protocol 2, and only the opcodes that `torch.load(..., weights_only=True)`
interprets), so it needs neither torch nor the importable classes Python's own pickler
would look up. Tensors become `torch._utils._rebuild_tensor_v2` calls over their storage,
strides and offset (views of one storage share it, as in PyTorch), nn.Parameters
`torch._utils._rebuild_parameter` calls. `_write_archive` lays the records out as
`torch.save` does, each record's data aligned to 64 bytes.
"""

import collections
import struct
import zipfile

import numpy as np

from .. import dtypes
from ..device import device as Device
from ..size import Size
from ..tensor import Tensor
from ..tensor_data import TensorData
from .element_types import FOR_MINITORCH

__all__ = ["torch_archive_writer"]

_MAX_NESTING = 200  # deeper structures are refused (is a container inside itself?)
_ALIGNMENT = 64  # where each record's data starts, as torch.save writes it
_FOLDER = "archive/"


class _PickleWriter:
    """Pickle opcodes for one object, and the storages its tensors refer to."""

    def __init__(self):
        self.out = bytearray(b"\x80\x02")  # PROTO 2
        self.memo = {}  # id(tensor) -> memo index, so that shared tensors are written once
        self.storages = {}  # id(storage) -> (key, ElementType, host array)
        self._keep = []  # what the ids above belong to, kept alive while writing

    # ----- plain values and containers --------------------------------------------------
    def save(self, obj, depth=0, where="obj"):
        if depth > _MAX_NESTING:
            raise ValueError(f"minitorch.save: {where} is nested more than {_MAX_NESTING} "
                             "levels deep (is a container inside itself?)")
        kind = type(obj)
        if obj is None:
            self.out += b"N"
        elif kind is bool:
            self.out += b"\x88" if obj else b"\x89"  # NEWTRUE / NEWFALSE
        elif kind is int:
            self.int(obj)
        elif kind is float:
            self.out += b"G" + struct.pack(">d", obj)  # BINFLOAT
        elif kind is str:
            self.str(obj)
        elif kind is bytes:  # as protocol 2 does: _codecs.encode(text, "latin1")
            self.glob("_codecs", "encode")
            self.str(obj.decode("latin1"))
            self.str("latin1")
            self.out += b"\x86R"  # TUPLE2, REDUCE
        elif isinstance(obj, Tensor):
            self.tensor(obj)
        elif kind is Size:
            self.glob("torch", "Size")
            self.tuple([int(s) for s in obj], depth, where)
            self.out += b"\x85R"  # TUPLE1, REDUCE
        elif kind is dtypes.dtype:
            self.glob("torch", obj.name)
        elif kind is Device:
            self.glob("torch", "device")
            self.str(str(obj))
            self.out += b"\x85R"
        elif kind in (dict, collections.OrderedDict):
            self.dict(obj, depth, where)
        elif kind is list:
            self.out += b"]"  # EMPTY_LIST
            if obj:
                self.out += b"("  # MARK
                for i, item in enumerate(obj):
                    self.save(item, depth + 1, f"{where}[{i}]")
                self.out += b"e"  # APPENDS
        elif kind is tuple:
            self.tuple(obj, depth, where)
        elif kind is set:  # as protocol 2 does: set([items])
            self.glob("builtins", "set")
            self.save(list(obj), depth, where)
            self.out += b"\x85R"
        elif isinstance(obj, np.generic) and obj.dtype.kind in "biuf":
            self.save(obj.item(), depth, where)  # (PyTorch's loader refuses NumPy objects)
        elif isinstance(obj, (int, float)):  # subclasses such as IntEnum: as plain numbers
            self.save(int(obj) if isinstance(obj, int) else float(obj), depth, where)
        else:
            raise TypeError(
                f"minitorch.save(format='torch') cannot save {where} of type "
                f"{kind.__module__}.{kind.__qualname__}: it saves tensors, numbers, strings, "
                "bytes, None, and dicts, lists, tuples and sets of them, which "
                "torch.load(weights_only=True) reads (save a module's state_dict(), not the "
                "module; make NumPy arrays tensors with minitorch.from_numpy)"
            )

    def int(self, value):
        if 0 <= value < 256:
            self.out += b"K" + bytes([value])  # BININT1
        elif 0 <= value < 65536:
            self.out += b"M" + struct.pack("<H", value)  # BININT2
        elif -(2**31) <= value < 2**31:
            self.out += b"J" + struct.pack("<i", value)  # BININT
        else:
            data = value.to_bytes(value.bit_length() // 8 + 1, "little", signed=True)
            if len(data) > 255:
                raise OverflowError(f"minitorch.save: the int {value:.3g} is too large")
            self.out += b"\x8a" + bytes([len(data)]) + data  # LONG1

    def str(self, text):
        data = text.encode("utf-8", "surrogatepass")
        self.out += b"X" + struct.pack("<I", len(data)) + data  # BINUNICODE

    def glob(self, module, name):
        self.out += f"c{module}\n{name}\n".encode("ascii")  # GLOBAL

    def tuple(self, items, depth=0, where="obj"):
        if not items:
            self.out += b")"  # EMPTY_TUPLE
            return
        if len(items) > 3:
            self.out += b"("
        for i, item in enumerate(items):
            self.save(item, depth + 1, f"{where}[{i}]")
        self.out += {1: b"\x85", 2: b"\x86", 3: b"\x87"}.get(len(items), b"t")

    def dict(self, obj, depth, where):
        if type(obj) is dict:
            self.out += b"}"  # EMPTY_DICT
        else:
            self.glob("collections", "OrderedDict")
            self.out += b")R"
        if obj:
            self.out += b"("
            for key, value in obj.items():
                self.save(key, depth + 1, f"{where} key {key!r}")
                self.save(value, depth + 1, f"{where}[{key!r}]")
            self.out += b"u"  # SETITEMS
        metadata = getattr(obj, "_metadata", None)  # a state_dict's per-module versions
        if type(obj) is collections.OrderedDict and isinstance(metadata, dict):
            self.save({"_metadata": metadata}, depth + 1, f"{where}._metadata")
            self.out += b"b"  # BUILD: sets the OrderedDict's attributes

    # ----- tensors ----------------------------------------------------------------------
    def tensor(self, t):
        if id(t) in self.memo:
            index = self.memo[id(t)]
            self.out += b"h" + bytes([index]) if index < 256 else b"j" + struct.pack("<I", index)
            return
        if type(t).__name__ == "Parameter" and type(t).__module__.startswith("minitorch"):
            self.glob("torch._utils", "_rebuild_parameter")
            self.tensor_v2(t, requires_grad=False)
            self.save(bool(t.requires_grad))
            self.hooks()
            self.out += b"\x87R"
        else:
            self.tensor_v2(t, requires_grad=bool(t.requires_grad))
        index = self.memo[id(t)] = len(self.memo)
        self._keep.append(t)
        self.out += b"q" + bytes([index]) if index < 256 else b"r" + struct.pack("<I", index)

    def tensor_v2(self, t, requires_grad):
        """`_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)`."""
        key, element, numel, data = self.storage(t)
        self.glob("torch._utils", "_rebuild_tensor_v2")
        self.out += b"(("  # MARK for the arguments, MARK for the storage's persistent id
        self.str("storage")
        self.glob("torch", element.storage)
        self.str(key)
        device = t.device
        self.str("cpu" if device.type == "cpu" else f"{device.type}:{device.index or 0}")
        self.int(numel)
        self.out += b"tQ"  # TUPLE, BINPERSID
        self.int(data.offset)
        self.tuple(data.shape)
        self.tuple(data.strides)
        self.save(requires_grad)
        self.hooks()
        self.out += b"tR"

    def hooks(self):
        self.glob("collections", "OrderedDict")  # backward hooks: never saved, always empty
        self.out += b")R"

    def storage(self, t):
        """The storage key, type, size and view of `t`: its own storage when that is host
        memory and its strides are PyTorch's (non-negative), else a contiguous copy."""
        data = t._data
        if not isinstance(data.storage, np.ndarray) or min(data.strides, default=0) < 0:
            data = TensorData.from_array(t.detach().cpu().numpy())
        element = FOR_MINITORCH[t.dtype]
        if id(data.storage) not in self.storages:
            self.storages[id(data.storage)] = (str(len(self.storages)), element, data.storage)
            self._keep.append(data.storage)
        key, _, array = self.storages[id(data.storage)]
        return key, element, array.size, data


def torch_archive_writer(obj):
    """A function `write(binary_file)` that writes `obj` as `torch.save` would; `obj` is
    encoded now, so that what cannot be saved raises before any file is touched."""
    writer = _PickleWriter()
    writer.save(obj)
    writer.out += b"."  # STOP
    records = [("data.pkl", bytes(writer.out)), (".format_version", b"1"),
               (".storage_alignment", str(_ALIGNMENT).encode()), ("byteorder", b"little")]
    records += [(f"data/{key}", element.encode(array))
                for key, element, array in writer.storages.values()]
    records.append(("version", b"3\n"))

    def write(target):
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
            for name, data in records:
                _write_aligned(archive, _FOLDER + name, data)

    return write


def _write_aligned(archive, name, data):
    """Write a record whose data starts at a multiple of 64 bytes from the start of the file
    (so that PyTorch can map tensors from it), padding the header's extra field as
    `torch.save` does."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    header = 30 + len(name.encode("utf-8")) + 4  # fixed header, name, extra field's own header
    pad = -(archive.fp.tell() + header) % _ALIGNMENT
    info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
    archive.writestr(info, data)
