"""`save` and `load`: tensors, state dicts and checkpoints on disk, as `torch.save` / `torch.load`.

    >>> minitorch.save({"model": model.state_dict(), "epoch": 3}, "checkpoint.pt")
    >>> checkpoint = minitorch.load("checkpoint.pt")
    >>> model.load_state_dict(minitorch.load("trained_in_pytorch.pt"))   # a torch.save file
    >>> minitorch.save(model.state_dict(), "for_pytorch.pt", format="torch")

What can be saved: tensors (dtype, shape, values and `requires_grad` are kept; autograd
history is not), `nn.Parameter`s, `minitorch.Size`, dtypes and devices, and the plain values
int, float, bool, str, bytes and None, nested in dicts (including OrderedDict), lists and
tuples. A tensor that appears several times is stored once and loaded as one object.

Two formats, neither of which can run code when it is loaded:

- `format="minitorch"` (the default): a zip archive holding `minitorch.json`, a JSON document
  describing the structure, and one `.npy` file per tensor, read with
  `numpy.load(allow_pickle=False)`. It also keeps NumPy arrays and scalars. Tensors are
  stored by value (strides are not kept).
- `format="torch"`: PyTorch's own format (a zip archive with a pickle, `data.pkl`, and one
  record per storage), which `torch.load(f, weights_only=True)` reads: views that share a
  storage still share it, Parameters stay Parameters. See `minitorch/torch_format/`.

`load` recognizes both, so it reads what `torch.save` writes (PyTorch 1.6 and later):
tensors, state dicts, optimizer states and dicts of them. It reads the pickle through a
restricted unpickler that builds only tensors, containers and plain values, like
`torch.load(..., weights_only=True)`, and refuses anything else with a
`pickle.UnpicklingError` that names what it refused. Tensors of types minitorch lacks are
widened without loss: float16 and bfloat16 to float32, uint8, int8 and int16 to int64.
A damaged file, or a file of another kind, is a RuntimeError that names the file and the
problem.
"""

import collections
import io
import json
import os
import tempfile
import zipfile

import numpy as np

from . import dtypes
from .device import device as Device
from .size import Size
from .tensor import Tensor
from .tensor_data import TensorData
from .torch_format import is_torch_archive, read_torch_archive, torch_archive_writer

__all__ = ["save", "load"]

FORMAT = "minitorch-checkpoint"
VERSION = 1
_DOCUMENT = "minitorch.json"
_MAX_NESTING = 200  # deeper structures are refused (and JSON would recurse too deep)


# ----- saving -----------------------------------------------------------------------------
class _Writer:
    def __init__(self):
        self.blobs = []  # (name, ndarray)
        self.tensors = {}  # id(tensor) -> blob name, so shared tensors are stored once
        self._keep = []  # the tensors seen, so that their ids stay unique while saving

    def blob(self, array):
        name = f"data/{len(self.blobs)}.npy"
        self.blobs.append((name, array))
        return name

    def encode(self, obj, depth=0, where="obj"):
        if depth > _MAX_NESTING:
            raise ValueError(f"minitorch.save: {where} is nested more than {_MAX_NESTING} levels "
                             "deep (is a container inside itself?)")
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if type(obj) is int:
            return obj
        if type(obj) is float:
            return self._float(obj)
        if isinstance(obj, Tensor):
            return self._tensor(obj)
        if isinstance(obj, dtypes.dtype):
            return {"type": "dtype", "name": obj.name}
        if isinstance(obj, Device):
            return {"type": "device", "name": str(obj)}
        if isinstance(obj, np.ndarray):
            return {"type": "ndarray", "blob": self.blob(_plain_array(obj, where))}
        if isinstance(obj, np.generic):
            return {"type": "numpy_scalar", "blob": self.blob(_plain_array(np.asarray(obj),
                                                                          where))}
        if isinstance(obj, bytes):
            return {"type": "bytes", "hex": obj.hex()}
        if isinstance(obj, Size):
            return {"type": "size", "items": [int(s) for s in obj]}
        if type(obj) in (dict, collections.OrderedDict):
            kind = "dict" if type(obj) is dict else "ordered_dict"
            items = []
            for key, value in obj.items():
                items.append([self._key(key, where),
                              self.encode(value, depth + 1, f"{where}[{key!r}]")])
            node = {"type": kind, "items": items}
            metadata = getattr(obj, "_metadata", None)  # Module.state_dict() keeps one
            if isinstance(metadata, dict):
                try:
                    node["metadata"] = self.encode(metadata, depth + 1, f"{where}._metadata")
                except TypeError:
                    pass
            return node
        if type(obj) in (list, tuple):
            return {"type": type(obj).__name__,
                    "items": [self.encode(v, depth + 1, f"{where}[{i}]")
                              for i, v in enumerate(obj)]}
        if isinstance(obj, (int, float)):  # subclasses such as IntEnum: as plain numbers
            return self.encode(int(obj) if isinstance(obj, int) else float(obj), depth, where)
        raise TypeError(
            f"minitorch.save cannot save {where} of type {type(obj).__module__}."
            f"{type(obj).__qualname__}: it saves tensors, numbers, strings, bytes, None, "
            "NumPy arrays, and dicts, lists and tuples of them (save a module's "
            "state_dict(), not the module)"
        )

    @staticmethod
    def _float(value):
        if value != value or value in (float("inf"), float("-inf")):
            return {"type": "float", "value": repr(value)}  # JSON has no nan / inf
        return value

    def _key(self, key, where):
        if key is None or isinstance(key, (bool, str)) or type(key) is int:
            return key
        if type(key) is float:
            return self._float(key)
        if type(key) is tuple:
            return {"type": "tuple", "items": [self._key(k, where) for k in key]}
        raise TypeError(
            f"minitorch.save cannot save a dict key of type {type(key).__qualname__} in "
            f"{where}: keys must be str, int, float, bool, None or tuples of them"
        )

    def _tensor(self, t):
        if id(t) in self.tensors:
            return {"type": "tensor_ref", "blob": self.tensors[id(t)]}
        array = np.asarray(t.detach().cpu().numpy(), order="C")  # keeps 0-d arrays 0-d
        name = self.blob(array)
        self.tensors[id(t)] = name
        self._keep.append(t)
        node = {
            "type": "tensor", "blob": name, "dtype": t.dtype.name, "shape": list(t.shape),
            "requires_grad": bool(t.requires_grad), "device": str(t.device),
        }
        if type(t).__name__ == "Parameter" and type(t).__module__.startswith("minitorch"):
            node["parameter"] = True
        return node


def _plain_array(array, where):
    if array.dtype.kind not in "biufc" or array.dtype.hasobject:
        raise TypeError(f"minitorch.save cannot save {where}: a NumPy array of dtype "
                        f"{array.dtype} (only numbers and bools can be saved safely)")
    return np.asarray(array, order="C")


def _minitorch_archive_writer(obj):
    """A function `write(binary_file)` that writes `obj` in minitorch's format; `obj` is
    encoded now, so that what cannot be saved raises before any file is touched."""
    writer = _Writer()
    document = {"format": FORMAT, "version": VERSION, "root": writer.encode(obj)}
    text = json.dumps(document, allow_nan=False, separators=(",", ":"))

    def write(target):
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(_DOCUMENT, text)
            for name, array in writer.blobs:
                buffer = io.BytesIO()
                np.save(buffer, array, allow_pickle=False)
                archive.writestr(name, buffer.getvalue())

    return write


def save(obj, f, pickle_module=None, pickle_protocol=None, _use_new_zipfile_serialization=True,
         *, format="minitorch"):
    """Save `obj` (a tensor, a state dict, a checkpoint dict, ...) to `f`: a path or a
    binary file object. `minitorch.load` reads both formats back.

    `format="minitorch"` (the default) writes minitorch's own archive (JSON and .npy files);
    `format="torch"` writes PyTorch's, which `torch.load(f, weights_only=True)` reads.
    `pickle_module`, `pickle_protocol` and `_use_new_zipfile_serialization` are accepted for
    compatibility with `torch.save` and ignored.
    """
    if format == "torch":
        write = torch_archive_writer(obj)
    elif format == "minitorch":
        write = _minitorch_archive_writer(obj)
    else:
        raise ValueError(f"minitorch.save: format must be 'minitorch' or 'torch', not "
                         f"{format!r}")

    if hasattr(f, "write"):
        write(f)
        return
    path = os.fspath(f)
    # Write next to the target and rename: an interrupted save leaves the old file intact.
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".minitorch-save-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ----- loading ----------------------------------------------------------------------------
class _Reader:
    def __init__(self, archive, name, map_location):
        self.archive = archive
        self.name = name
        self.map_location = map_location
        self.names = set(archive.namelist())
        self.tensors = {}  # blob name -> tensor already loaded

    def fail(self, problem):
        return RuntimeError(f"minitorch.load: {self.name} is damaged or not a minitorch "
                            f"checkpoint: {problem}")

    def array(self, blob):
        if not isinstance(blob, str) or blob not in self.names:
            raise self.fail(f"the structure refers to {blob!r}, which is not in the archive")
        try:
            data = self.archive.read(blob)
            array = np.load(io.BytesIO(data), allow_pickle=False)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError,
                ValueError) as err:
            raise self.fail(f"cannot read the array {blob} ({err})") from err
        if not isinstance(array, np.ndarray):
            raise self.fail(f"{blob} is not a single .npy array")
        if array.dtype.kind not in "biufc" or array.dtype.hasobject:
            raise self.fail(f"{blob} holds an array of dtype {array.dtype}")
        return array

    def decode(self, node, depth=0):
        if depth > _MAX_NESTING + 2:
            raise self.fail("the structure is nested too deep")
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            raise self.fail(f"unexpected entry {_short(node)} in the structure")
        kind = node["type"]
        try:
            if kind in ("dict", "ordered_dict"):
                result = {} if kind == "dict" else collections.OrderedDict()
                for key, value in self._items(node):
                    result[self.key(key)] = self.decode(value, depth + 1)
                if kind == "ordered_dict" and "metadata" in node:
                    result._metadata = self.decode(node["metadata"], depth + 1)
                return result
            if kind in ("list", "tuple", "size"):
                items = node.get("items")
                if not isinstance(items, list):
                    raise self.fail(f"a {kind} entry without a list of items")
                if kind == "size":
                    if not all(type(s) is int and s >= 0 for s in items):
                        raise self.fail(f"a Size with entries {_short(items)}")
                    return Size(items)
                values = [self.decode(v, depth + 1) for v in items]
                return values if kind == "list" else tuple(values)
            if kind == "float":
                value = node.get("value")
                if value not in ("nan", "inf", "-inf"):
                    raise self.fail(f"a float entry with value {_short(value)}")
                return float(value)
            if kind == "bytes":
                return bytes.fromhex(node["hex"])
            if kind == "dtype":
                found = dtypes.as_dtype(node.get("name"), None)
                if found is None:
                    raise self.fail(f"unknown dtype {_short(node.get('name'))}")
                return found
            if kind == "device":
                return Device(node["name"])
            if kind == "ndarray":
                return self.array(node.get("blob"))
            if kind == "numpy_scalar":
                array = self.array(node.get("blob"))
                if array.shape != ():
                    raise self.fail("a NumPy scalar entry holding an array")
                return array[()]
            if kind == "tensor":
                return self.tensor(node)
            if kind == "tensor_ref":
                blob = node.get("blob")
                if blob not in self.tensors:
                    raise self.fail(f"a reference to the tensor {_short(blob)}, not loaded "
                                    "before")
                return self.tensors[blob]
        except (KeyError, TypeError, ValueError) as err:
            raise self.fail(f"a malformed {kind} entry ({err})") from err
        raise self.fail(f"unknown entry type {_short(kind)}")

    def _items(self, node):
        items = node.get("items")
        if not isinstance(items, list) or not all(
                isinstance(p, list) and len(p) == 2 for p in items):
            raise self.fail("a dict entry without a list of [key, value] pairs")
        return items

    def key(self, node):
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, dict) and node.get("type") == "tuple" and isinstance(
                node.get("items"), list):
            return tuple(self.key(k) for k in node["items"])
        if isinstance(node, dict) and node.get("type") == "float":
            return self.decode(node)
        raise self.fail(f"a dict key {_short(node)}")

    def tensor(self, node):
        blob = node.get("blob")
        array = self.array(blob)
        dtype = dtypes._BY_NAME.get(node.get("dtype"))
        if dtype is None:
            raise self.fail(f"the tensor in {blob} has an unknown dtype "
                            f"{_short(node.get('dtype'))}")
        if array.dtype != dtype.numpy:
            raise self.fail(f"the tensor in {blob} should be {dtype.name} but its data is "
                            f"{array.dtype}")
        if list(array.shape) != node.get("shape"):
            raise self.fail(f"the tensor in {blob} should have shape {node.get('shape')} but its "
                            f"data has shape {list(array.shape)}")
        t = Tensor._make(TensorData.from_array(np.array(array, copy=True)), dtype)
        t = _place(t, str(node.get("device", "cpu")), self.map_location)
        if node.get("requires_grad"):
            t.requires_grad = True
        if node.get("parameter"):
            t = _parameter(t)
        self.tensors[blob] = t
        return t

def _place(t, saved, map_location):
    """`t` on the device `map_location` asks for (by default `saved`, where it was saved)."""
    where = map_location
    if callable(where) and not isinstance(where, (str, Device, dict)):
        moved = where(t, saved)  # PyTorch's (storage, location) -> storage, for tensors
        if isinstance(moved, Tensor):
            return moved
        target = saved if moved is None else str(moved)
    elif isinstance(where, dict):
        target = str(where.get(saved, saved))
    else:
        target = saved if where is None else str(where)
    return t if Device(target).type == "cpu" else t.to(target)


def _parameter(t):
    try:
        from .nn import Parameter
    except ImportError:  # pragma: no cover - minitorch.nn not built yet
        return t
    return Parameter(t, requires_grad=t.requires_grad)


def _short(value, limit=60):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _describe(f):
    if hasattr(f, "read"):
        return repr(getattr(f, "name", None) or f"<{type(f).__name__}>")
    return repr(os.fspath(f))


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None,
         **pickle_load_args):
    """Load what `minitorch.save` or `torch.save` wrote to `f` (a path or a binary file
    object).

    Neither format can run code when loaded, whatever `weights_only` says: PyTorch's pickle is
    read by a restricted unpickler (see `minitorch/torch_format/reader.py`). `map_location`
    moves tensors as in PyTorch: a device or its name, a dict from saved to wanted device
    names, or a function `(storage, location) -> device name`.
    """
    name = _describe(f)
    if hasattr(f, "read"):
        source = f
    else:
        source = os.fspath(f)
        if not os.path.exists(source):
            raise FileNotFoundError(f"[Errno 2] No such file or directory: {source!r}")
        if os.path.isdir(source):
            raise IsADirectoryError(f"minitorch.load: {name} is a directory, not a file")
    try:
        archive = zipfile.ZipFile(source, "r")
    except zipfile.BadZipFile as err:
        raise _not_a_zip(name, _peek(source), err) from err
    except (OSError, EOFError, ValueError) as err:
        raise RuntimeError(f"minitorch.load: cannot read {name}: {err}") from err
    with archive:
        names = archive.namelist()
        if _DOCUMENT not in names:
            if is_torch_archive(names):
                return read_torch_archive(
                    archive, name, lambda t, saved: _place(t, saved, map_location), _parameter)
            raise RuntimeError(f"minitorch.load: {name} is not a minitorch or PyTorch "
                               f"checkpoint (it has neither {_DOCUMENT} nor data.pkl)")
        reader = _Reader(archive, name, map_location)
        try:
            text = archive.read(_DOCUMENT)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
            raise reader.fail(f"cannot read {_DOCUMENT} ({err})") from err
        try:
            document = json.loads(text)
        except (ValueError, RecursionError) as err:
            raise reader.fail(f"{_DOCUMENT} is not valid JSON ({err})") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise reader.fail(f"{_DOCUMENT} does not describe a {FORMAT}")
        version = document.get("version")
        if not isinstance(version, int) or version > VERSION:
            raise RuntimeError(
                f"minitorch.load: {name} has format version {version!r}, newer than this "
                f"minitorch reads ({VERSION}); upgrade minitorch"
            )
        if "root" not in document:
            raise reader.fail(f"{_DOCUMENT} has no root entry")
        try:
            return reader.decode(document["root"])
        except RecursionError:
            raise reader.fail("the structure is nested too deep") from None


# What a pickle of PyTorch's magic number looks like: the start of its legacy format
_LEGACY_TORCH_START = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19"


def _not_a_zip(name, head, err):
    """Why a file that is not a zip archive was refused."""
    if head.startswith(_LEGACY_TORCH_START):
        return RuntimeError(
            f"minitorch.load: {name} is in PyTorch's legacy format (written before PyTorch 1.6, "
            "or with _use_new_zipfile_serialization=False), which minitorch does not read; "
            "load it with a current PyTorch and save it again with torch.save(obj, path)"
        )
    if head[:1] == b"\x80":  # the opcode that starts a pickle
        return RuntimeError(
            f"minitorch.load: {name} is a pickle, not a checkpoint; minitorch never loads bare "
            "pickles because loading one can run arbitrary code"
        )
    if not head:
        return RuntimeError(f"minitorch.load: {name} is empty")
    return RuntimeError(
        f"minitorch.load: {name} is not a minitorch checkpoint or is truncated: it is not "
        f"a complete zip archive ({err})"
    )


def _peek(source, n=16):
    try:
        if hasattr(source, "read"):
            source.seek(0)
            return source.read(n)
        with open(source, "rb") as fh:
            return fh.read(n)
    except (OSError, ValueError):
        return b""
