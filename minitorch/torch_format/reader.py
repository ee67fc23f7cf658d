"""Reading `torch.save` checkpoints without running anything they name.

A pickle is a small program: its `GLOBAL` instructions import any function and its `REDUCE`
instructions call it, so loading an untrusted pickle can run `os.system`. `_Unpickler`
(a `pickle.Unpickler`) therefore resolves every global through an allow-list of what a
checkpoint needs: tensor rebuilders, `OrderedDict`, `torch.Size`, `torch.device`, dtypes,
storage types and `_codecs.encode` (how protocol 2 stores bytes), a subset of what
`torch.load(..., weights_only=True)` accepts. Anything else is refused with PyTorch's
message, `Unsupported global: GLOBAL os.system was not an allowed global by default`,
before it is imported.

What the allowed globals return are inert stand-ins (`_Global`, `_Storage`, `_TensorRecipe`)
rather than live objects, and each stand-in refuses the `BUILD` instruction (which would set
attributes on it): a file cannot reach into minitorch's own objects, such as the shared
`minitorch.float32`. Only after the whole pickle has been read does `_Materializer` turn the
stand-ins into tensors, dtypes and containers, checking each tensor's strides against its
storage so that no view reaches outside it.
"""

import collections
import io
import math
import pickle
import zipfile

from ..device import device as Device
from ..size import Size
from ..tensor import Tensor
from ..tensor_data import TensorData
from .element_types import BY_NAME

__all__ = ["is_torch_archive", "read_torch_archive"]

_WHY = ("minitorch.load reads tensors, containers and plain values from a PyTorch checkpoint "
        "and never runs code from it (as torch.load(..., weights_only=True))")


class _Refused(pickle.UnpicklingError):
    """What the pickle asked for is not allowed, or is malformed."""


def _refused(problem):
    return _Refused(f"{_WHY}.\n\tWeightsUnpickler error: {problem}")


# ----- stand-ins: what the unpickler builds ---------------------------------------------
class _StandIn:
    """Base of the unpickler's inert objects: they have no attributes a file may set."""

    __slots__ = ()

    def __setstate__(self, state):
        raise _refused(f"Can only build OrderedDict (a state_dict's _metadata), but got "
                       f"{self!r}")


class _Global(_StandIn):
    """An allowed global: `call` runs when the pickle calls it; a dtype (`torch.float32`) or
    a storage type (`torch.FloatStorage`) has its ElementType as `dtype` or `storage`, and
    the classes `torch.Tensor` and `nn.Parameter` their name as `cls`."""

    __slots__ = ("path", "call", "dtype", "storage", "cls")

    def __init__(self, path, call=None, dtype=None, storage=None, cls=None):
        self.path, self.call, self.dtype, self.storage, self.cls = path, call, dtype, storage, cls

    def __repr__(self):
        return self.path

    def __call__(self, *args):
        if self.call is None:
            raise _refused(f"{self.path} cannot be called")
        try:
            return self.call(*args)
        except (TypeError, ValueError, OverflowError) as err:
            raise _refused(f"{self.path} called with bad arguments ({err})") from None


class _Storage(_StandIn):
    """A storage record: its elements (a flat array of minitorch's dtype) and where it was."""

    __slots__ = ("key", "array", "dtype", "location", "version_counter")

    def __init__(self, key, array, dtype, location):
        self.key, self.array, self.dtype, self.location = key, array, dtype, location
        self.version_counter = [0]  # shared by the tensors that view this storage

    def __repr__(self):
        return f"storage {self.key!r}"


class _TensorRecipe(_StandIn):
    """The arguments of one `_rebuild_tensor_v2` call, checked; made a tensor at the end."""

    __slots__ = ("storage", "offset", "size", "stride", "requires_grad", "parameter")

    def __init__(self, storage, offset, size, stride, requires_grad, parameter=False):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride
        self.requires_grad, self.parameter = requires_grad, parameter

    def __repr__(self):
        return f"tensor of size {self.size}"

    def but(self, requires_grad, parameter):
        return _TensorRecipe(self.storage, self.offset, self.size, self.stride, requires_grad,
                             parameter)


# ----- the allowed calls ----------------------------------------------------------------
def _ints(value, what):
    if type(value) is not tuple or not all(type(v) is int for v in value):
        raise _refused(f"a tensor's {what} must be a tuple of ints, not {_short(value)}")
    return value


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    """torch._utils._rebuild_tensor_v2: a strided view of `storage` (hooks and metadata,
    which hold nothing for a saved tensor, are ignored)."""
    if type(storage) is not _Storage:
        raise _refused(f"a tensor needs a storage, not {_short(storage)}")
    size, stride = _ints(size, "size"), _ints(stride, "stride")
    if type(storage_offset) is not int or type(requires_grad) is not bool:
        raise _refused("a tensor's storage_offset must be an int and requires_grad a bool")
    if len(size) != len(stride) or min(size + stride + (storage_offset,), default=0) < 0:
        raise _refused(f"a tensor of size {size}, stride {stride} and storage_offset "
                       f"{storage_offset}")
    if math.prod(size) and storage_offset + sum(
            (n - 1) * s for n, s in zip(size, stride)) >= storage.array.size:
        raise _refused(f"a tensor of size {size}, stride {stride} and storage_offset "
                       f"{storage_offset} reaches past the end of its {storage!r} "
                       f"({storage.array.size} elements)")
    return _TensorRecipe(storage, storage_offset, size, stride, requires_grad)


def _rebuild_parameter(data, requires_grad, backward_hooks, state=None):
    """torch._utils._rebuild_parameter(_with_state): an nn.Parameter of `data` (Python
    attributes in `state` are not restored)."""
    if type(data) is not _TensorRecipe or type(requires_grad) is not bool:
        raise _refused(f"a Parameter of {_short(data)}")
    return data.but(requires_grad, parameter=True)


def _rebuild_from_type_v2(func, new_type, args, state):
    """torch._tensor._rebuild_from_type_v2: `func(*args)` as a Tensor or a Parameter."""
    if type(func) is not _Global or type(args) is not tuple or type(new_type) is not _Global \
            or new_type.cls is None:
        raise _refused(f"_rebuild_from_type_v2 of {_short(new_type)}")
    made = func(*args)
    if type(made) is not _TensorRecipe:
        raise _refused(f"_rebuild_from_type_v2 made {_short(made)}, not a tensor")
    return made.but(made.requires_grad, parameter=new_type.cls == "Parameter")


def _encode(text, encoding):
    """_codecs.encode, as pickle protocol 2 uses it for bytes: latin-1 text only."""
    if type(text) is not str or encoding != "latin1":
        raise _refused("_codecs.encode is allowed only for bytes (latin1)")
    return text.encode("latin1")


def _size(items=()):
    return Size(_ints(tuple(items), "torch.Size"))


def _device(kind, index=None):
    if type(kind) is not str or not (index is None or type(index) is int):
        raise _refused(f"torch.device({_short(kind)}, {_short(index)})")
    try:
        return Device(kind, index)
    except RuntimeError as err:  # a device type minitorch does not have, such as "mps"
        raise _refused(f"torch.device({kind!r}): {err}") from None


def _allowed_globals():
    table = {
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "collections.OrderedDict": collections.OrderedDict,
        "torch.Size": _size,
        "torch.device": _device,
        "_codecs.encode": _encode,
        "builtins.set": set,
        "builtins.complex": complex,
    }
    found = {path: _Global(path, call=call) for path, call in table.items()}
    for element in BY_NAME.values():
        found[f"torch.{element.name}"] = _Global(f"torch.{element.name}", dtype=element)
        found[f"torch.{element.storage}"] = _Global(f"torch.{element.storage}",
                                                    storage=element)
    for path, cls in (("torch.Tensor", "Tensor"), ("torch.nn.parameter.Parameter", "Parameter")):
        found[path] = _Global(path, cls=cls)
    return found


_ALLOWED = _allowed_globals()


# ----- the archive ----------------------------------------------------------------------
def is_torch_archive(names):
    """True when the zip records `names` look like a `torch.save` file."""
    return bool(names) and f"{_folder(names)}data.pkl" in names


def _folder(names):
    first = names[0]
    return first[: first.index("/") + 1] if "/" in first else ""


class _Records:
    """The records of one torch archive, read with their sizes checked."""

    def __init__(self, archive, name):
        self.archive, self.name = archive, name
        self.folder = _folder(archive.namelist())

    def damaged(self, problem):
        return RuntimeError(f"minitorch.load: {self.name} is a damaged PyTorch checkpoint: "
                            f"{problem}")

    def read(self, record, size=None):
        try:
            info = self.archive.getinfo(self.folder + record)
        except KeyError:
            raise self.damaged(f"it has no record {self.folder + record}") from None
        if size is not None and info.file_size != size:
            raise self.damaged(f"the record {info.filename} holds {info.file_size} bytes, "
                               f"not the {size} its tensors need")
        try:
            return self.archive.read(info)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as err:
            raise self.damaged(f"cannot read the record {info.filename} ({err})") from err

    def has(self, record):
        return self.folder + record in self.archive.NameToInfo


class _Unpickler(pickle.Unpickler):
    """Resolves globals through `_ALLOWED` and persistent ids to storage records."""

    def __init__(self, data, records, byteorder):
        super().__init__(io.BytesIO(data))
        self.records, self.byteorder = records, byteorder
        self.storages = {}  # (key, storage type) -> _Storage

    def find_class(self, module, name):
        module = "builtins" if module == "__builtin__" else module  # protocol 2's name
        path = f"{module}.{name}"
        if path not in _ALLOWED:
            shown = name if module == "builtins" else path  # as PyTorch names it
            raise _refused(f"Unsupported global: GLOBAL {shown} was not an allowed global by "
                           "default.")
        return _ALLOWED[path]

    def persistent_load(self, pid):
        if type(pid) is not tuple or len(pid) != 5 or pid[0] != "storage":
            raise _refused(f"Only persistent_load of storage is allowed, but got {_short(pid)}")
        _, kind, key, location, numel = pid
        element = kind.storage if type(kind) is _Global else None
        if element is None or type(key) is not str or type(location) is not str \
                or type(numel) is not int or numel < 0:
            raise _refused(f"a malformed storage id {_short(pid)}")
        if (key, element) not in self.storages:
            data = self.records.read(f"data/{key}", numel * element.disk.itemsize)
            self.storages[key, element] = _Storage(
                key, element.decode(data, self.byteorder), element.minitorch, location)
        return self.storages[key, element]


# ----- from stand-ins to minitorch objects ----------------------------------------------
class _Materializer:
    """Copies the unpickled structure, turning stand-ins into minitorch objects. Objects
    that appear several times (or inside themselves) come out as one object."""

    def __init__(self, place, parameter):
        self.place, self.parameter = place, parameter
        self.done = {}  # id(original) -> copy
        self.keep = []  # the originals, so that their ids stay unique

    def __call__(self, obj):
        kind = type(obj)
        if obj is None or kind in (bool, int, float, complex, str, bytes, Size, Device):
            return obj
        if id(obj) in self.done:
            return self.done[id(obj)]
        self.keep.append(obj)
        if kind is _TensorRecipe:
            made = self.done[id(obj)] = self.tensor(obj)
        elif kind is _Global and obj.dtype is not None:
            made = self.done[id(obj)] = obj.dtype.minitorch
        elif kind in (dict, collections.OrderedDict):
            made = self.done[id(obj)] = kind()
            for key, value in dict.items(obj):
                made[self(key)] = self(value)
            for name, value in vars(obj).items() if kind is collections.OrderedDict else ():
                setattr(made, name, self(value))  # a state_dict's _metadata
        elif kind is list:
            made = self.done[id(obj)] = []
            made.extend(self(item) for item in obj)
        elif kind in (tuple, set):
            made = self.done[id(obj)] = kind(self(item) for item in obj)
        else:
            raise _refused(f"{_short(obj)} is not data minitorch can load")
        return made

    def tensor(self, recipe):
        storage = recipe.storage
        data = TensorData(storage.array, recipe.size, recipe.stride, recipe.offset)
        t = Tensor._make(data, storage.dtype)
        t._version_counter = storage.version_counter  # views of one storage, as in PyTorch
        try:
            if recipe.requires_grad:
                t.requires_grad = True
            if recipe.parameter:
                t = self.parameter(t)
        except RuntimeError as err:  # integer tensors cannot require grad
            raise _refused(f"a {t.dtype} tensor with requires_grad=True ({err})") from None
        return self.place(t, storage.location)


def read_torch_archive(archive, name, place, parameter):
    """The object a `torch.save` zip `archive` holds, its tensors made by minitorch.

    `name` names the file in errors; `place(tensor, location)` puts each tensor on its device
    (`location` is PyTorch's, such as "cpu" or "cuda:0"); `parameter(tensor)` makes an
    nn.Parameter. Refused or malformed pickles raise pickle.UnpicklingError, damaged
    archives RuntimeError.
    """
    records = _Records(archive, name)
    byteorder = "little"
    if records.has("byteorder"):
        byteorder = records.read("byteorder").decode("ascii", "replace")
        if byteorder not in ("little", "big"):
            raise records.damaged(f"unknown byteorder {byteorder!r}")
    unpickler = _Unpickler(records.read("data.pkl"), records, byteorder)
    try:
        return _Materializer(place, parameter)(unpickler.load())
    except _Refused as err:
        raise pickle.UnpicklingError(f"Weights only load failed for {name}. {err}") from None
    except RecursionError:
        raise _failed(name, "the structure is nested too deep") from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, KeyError, IndexError,
            AttributeError, OverflowError, MemoryError) as err:
        raise _failed(name, f"its data.pkl is damaged ({type(err).__name__}: {err})") from None


def _failed(name, problem):
    return pickle.UnpicklingError(f"Weights only load failed for {name}. {_WHY}.\n\t"
                                  f"WeightsUnpickler error: {problem}")


def _short(value, limit=60):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
