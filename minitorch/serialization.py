"""`save` and `load`: tensors, state dicts and checkpoints on disk, as `torch.save` / `torch.load`.

    >>> minitorch.save({"model": model.state_dict(), "epoch": 3}, "checkpoint.pt")
    >>> checkpoint = minitorch.load("checkpoint.pt")

What can be saved: tensors (dtype, shape, values and `requires_grad` are kept; strides and
autograd history are not), `nn.Parameter`s, NumPy arrays and scalars of numeric types,
`minitorch.Size` and dtypes, and the plain values int, float, bool, str, bytes and None,
nested in dicts (including OrderedDict, with keys of those plain types), lists and tuples.
A tensor that appears several times is stored once and loaded as one object.

The file format cannot run code when it is loaded (unlike a pickle): it is a zip archive
holding `minitorch.json`, a JSON document describing the structure, and one `.npy` file per
tensor, read with `numpy.load(allow_pickle=False)`. `load` checks everything it reads and
reports a damaged file, or a file of another kind (such as a pickle written by
`torch.save`), as a RuntimeError that names the file and the problem.
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


def save(obj, f, pickle_module=None, pickle_protocol=None, _use_new_zipfile_serialization=True):
    """Save `obj` (a tensor, a state dict, a checkpoint dict, ...) to `f`: a path or a
    binary file object. The file can be read back with `minitorch.load`.

    `pickle_module` and `pickle_protocol` are accepted for compatibility with `torch.save`
    and ignored: minitorch never writes pickles.
    """
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
        t = self._place(t, str(node.get("device", "cpu")))
        if node.get("requires_grad"):
            t.requires_grad = True
        if node.get("parameter"):
            t = _parameter(t)
        self.tensors[blob] = t
        return t

    def _place(self, t, saved):
        """`t` on the device `map_location` asks for (by default the one it was saved on)."""
        where = self.map_location
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


def _not_ours(name, archive=None):
    """Why a file that is not a minitorch checkpoint was refused."""
    names = archive.namelist() if archive is not None else []
    if any(n.endswith(".pkl") for n in names):
        return RuntimeError(
            f"minitorch.load: {name} holds a pickle (probably written by torch.save); minitorch "
            "never loads pickles because loading one can run arbitrary code. Load it with "
            "torch.load(..., weights_only=True) and save the tensors with minitorch.save."
        )
    return RuntimeError(f"minitorch.load: {name} is not a minitorch checkpoint (it has no "
                        f"{_DOCUMENT})")


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None,
         **pickle_load_args):
    """Load what `minitorch.save` wrote to `f` (a path or a binary file object).

    The format holds data only, so loading never runs code whatever `weights_only` says.
    `map_location` moves tensors as in PyTorch: a device or its name, a dict from saved to
    wanted device names, or a function `(storage, location) -> device name`.
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
        head = _peek(source)
        if head[:1] == b"\x80":  # the opcode that starts a pickle
            raise RuntimeError(
                f"minitorch.load: {name} is a pickle, not a minitorch checkpoint; minitorch "
                "never loads pickles because loading one can run arbitrary code"
            ) from err
        if not head:
            raise RuntimeError(f"minitorch.load: {name} is empty") from err
        raise RuntimeError(
            f"minitorch.load: {name} is not a minitorch checkpoint or is truncated: it is not "
            f"a complete zip archive ({err})"
        ) from err
    except (OSError, EOFError, ValueError) as err:
        raise RuntimeError(f"minitorch.load: cannot read {name}: {err}") from err
    with archive:
        if _DOCUMENT not in archive.namelist():
            raise _not_ours(name, archive)
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


def _peek(source, n=8):
    try:
        if hasattr(source, "read"):
            source.seek(0)
            return source.read(n)
        with open(source, "rb") as fh:
            return fh.read(n)
    except (OSError, ValueError):
        return b""
