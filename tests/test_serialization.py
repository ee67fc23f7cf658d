"""minitorch.serialization: save / load round trips, and files that must be refused."""

import collections
import io
import json
import pickle
import re
import zipfile

import numpy as np
import pytest

import minitorch
from minitorch.serialization import load, save

DTYPES = [minitorch.float32, minitorch.float64, minitorch.int32, minitorch.int64,
          minitorch.bool]


def assert_same_tensor(a, b):
    assert isinstance(b, minitorch.Tensor)
    assert a.dtype == b.dtype
    assert tuple(a.shape) == tuple(b.shape)
    assert a.requires_grad == b.requires_grad
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def round_trip(obj, tmp_path, name="obj.pt"):
    path = tmp_path / name
    save(obj, path)
    return load(path)


# ----- round trips ----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3), (2, 1, 4)])
def test_tensors_of_every_dtype_and_shape_round_trip(tmp_path, dtype, shape):
    rng = np.random.default_rng(0)
    values = rng.normal(size=shape) * 100
    t = minitorch.tensor(values).to(dtype)
    assert_same_tensor(t, round_trip(t, tmp_path))


def test_special_float_values_round_trip(tmp_path):
    t = minitorch.tensor([np.nan, np.inf, -np.inf, -0.0, 1e-45, 3.4e38])
    back = round_trip(t, tmp_path).numpy()
    np.testing.assert_array_equal(back, t.numpy())
    assert np.signbit(back[3])


def test_requires_grad_is_kept_and_the_graph_is_not(tmp_path):
    w = minitorch.randn(3, requires_grad=True)
    y = w * 2
    back = round_trip({"w": w, "y": y, "plain": minitorch.ones(2)}, tmp_path)
    assert back["w"].requires_grad and back["w"].grad_fn is None
    assert back["y"].requires_grad and back["y"].grad_fn is None  # a leaf now
    assert not back["plain"].requires_grad
    (back["w"] * 3).sum().backward()
    assert back["w"].grad.tolist() == [3.0, 3.0, 3.0]


def test_non_contiguous_tensors_are_saved_by_value(tmp_path):
    t = minitorch.arange(12).reshape(3, 4).t()
    back = round_trip(t, tmp_path)
    assert back.tolist() == t.tolist()
    assert back.is_contiguous()


def test_a_loaded_tensor_owns_its_memory(tmp_path):
    t = minitorch.zeros(3)
    back = round_trip(t, tmp_path)
    back[0] = 5.0
    assert t.tolist() == [0.0, 0.0, 0.0]
    assert back.tolist() == [5.0, 0.0, 0.0]


def test_a_nested_checkpoint_round_trips_with_its_plain_values(tmp_path):
    checkpoint = {
        "epoch": 7,
        "best": 0.875,
        "done": False,
        "name": "run-1 ✓",
        "note": None,
        "big": 2**70,
        "nan": float("nan"),
        "inf": float("-inf"),
        "history": [{"loss": 1.5, "acc": 0.25}, {"loss": 0.5, "acc": 0.75}],
        "shape": (2, (3, [4])),
        "tensors": [minitorch.ones(2), (minitorch.tensor([1, 2]),)],
        "optimizer": {"state": {0: {"step": 3, "momentum": minitorch.zeros(2)}},
                      "param_groups": [{"lr": 0.1, "params": [0, 1]}]},
        "blob": b"\x00\xff",
        "size": minitorch.Size([2, 3]),
        "dtype": minitorch.float64,
        "keys": {1.5: "float key", (1, "a"): "tuple key", True: "bool key", None: "none"},
    }
    back = round_trip(checkpoint, tmp_path)
    assert list(back) == list(checkpoint)
    for key in ("epoch", "best", "done", "name", "note", "big", "history", "shape", "blob",
                "dtype", "keys"):
        assert back[key] == checkpoint[key], key
        assert type(back[key]) is type(checkpoint[key]), key
    assert type(back["big"]) is int and math_isnan(back["nan"]) and back["inf"] == -np.inf
    assert isinstance(back["shape"][1], tuple) and isinstance(back["shape"][1][1], list)
    assert isinstance(back["size"], minitorch.Size) and back["size"] == (2, 3)
    assert_same_tensor(checkpoint["tensors"][0], back["tensors"][0])
    assert isinstance(back["tensors"][1], tuple)
    assert_same_tensor(checkpoint["tensors"][1][0], back["tensors"][1][0])
    assert list(back["optimizer"]["state"]) == [0]  # int keys stay ints
    assert back["optimizer"]["state"][0]["step"] == 3


def math_isnan(x):
    return x != x


def test_a_state_dict_like_ordered_dict_keeps_its_type_order_and_metadata(tmp_path):
    state = collections.OrderedDict()
    for name in ("0.weight", "0.bias", "2.weight", "2.bias", "bn.num_batches_tracked"):
        state[name] = minitorch.randn(3, 2) if "weight" in name else minitorch.zeros(3)
    state["bn.num_batches_tracked"] = minitorch.tensor(4)
    state._metadata = {"": {"version": 1}, "0": {"version": 1}}
    back = round_trip(state, tmp_path)
    assert type(back) is collections.OrderedDict
    assert list(back) == list(state)
    for name in state:
        assert_same_tensor(state[name], back[name])
    assert back._metadata == state._metadata


def test_a_tensor_saved_twice_is_stored_once_and_loaded_as_one_object(tmp_path):
    shared = minitorch.randn(100)
    back = round_trip({"a": shared, "b": [shared]}, tmp_path)
    assert back["a"] is back["b"][0]
    names = zipfile.ZipFile(tmp_path / "obj.pt").namelist()
    assert sum(n.endswith(".npy") for n in names) == 1


def test_parameters_come_back_as_parameters(tmp_path):
    nn = pytest.importorskip("minitorch.nn")
    weight = nn.Parameter(minitorch.randn(3, 2))
    frozen = nn.Parameter(minitorch.randn(2), requires_grad=False)
    back = round_trip([weight, frozen], tmp_path)
    assert [type(p) for p in back] == [nn.Parameter, nn.Parameter]
    assert_same_tensor(weight, back[0])
    assert_same_tensor(frozen, back[1])


def test_numpy_arrays_and_scalars_round_trip(tmp_path):
    obj = {"a": np.arange(6, dtype=np.uint8).reshape(2, 3), "s": np.float32(1.5),
           "c": np.array([1 + 2j])}
    back = round_trip(obj, tmp_path)
    np.testing.assert_array_equal(back["a"], obj["a"])
    assert back["a"].dtype == np.uint8
    assert back["s"] == np.float32(1.5) and back["s"].dtype == np.float32
    np.testing.assert_array_equal(back["c"], obj["c"])


def test_save_and_load_work_with_file_objects():
    buffer = io.BytesIO()
    save({"x": minitorch.arange(3)}, buffer)
    buffer.seek(0)
    assert load(buffer)["x"].tolist() == [0, 1, 2]


def test_load_is_signature_compatible_with_torch_load(tmp_path):
    save(minitorch.ones(2), tmp_path / "t.pt")
    for kwargs in ({"map_location": "cpu"}, {"map_location": minitorch.device("cpu")},
                   {"map_location": {"cpu": "cpu"}}, {"weights_only": True},
                   {"weights_only": False}, {"map_location": lambda storage, loc: storage}):
        assert load(tmp_path / "t.pt", **kwargs).tolist() == [1.0, 1.0]
    on_gpu = load(tmp_path / "t.pt", map_location="cuda")  # (the simulator, without a GPU)
    assert on_gpu.device == minitorch.device("cuda", 0) and on_gpu.tolist() == [1.0, 1.0]


def test_saving_over_an_existing_file_replaces_it(tmp_path):
    save(minitorch.zeros(2), tmp_path / "t.pt")
    save(minitorch.ones(3), tmp_path / "t.pt")
    assert load(tmp_path / "t.pt").tolist() == [1.0, 1.0, 1.0]
    assert [p.name for p in tmp_path.iterdir()] == ["t.pt"]  # no temporary file left


# ----- what cannot be saved -------------------------------------------------------------
class Custom:
    pass


@pytest.mark.parametrize("obj, named", [
    (Custom(), "test_serialization.Custom"),
    ({"model": {1, 2}}, "obj['model'] of type builtins.set"),
    ([1, lambda: 0], "obj[1] of type builtins.function"),
    (np.array(["a"]), "dtype <U1"),
])
def test_unknown_types_raise_a_type_error_naming_the_type(tmp_path, obj, named):
    with pytest.raises(TypeError, match="cannot save .*" + re.escape(named)):
        save(obj, tmp_path / "bad.pt")
    assert not (tmp_path / "bad.pt").exists()


def test_unsupported_dict_keys_raise_a_type_error(tmp_path):
    with pytest.raises(TypeError, match="dict key of type frozenset"):
        save({frozenset(): 1}, tmp_path / "bad.pt")


# ----- files that must be refused -------------------------------------------------------
class Exploit:
    def __reduce__(self):
        return (print, ("this must never run",))


def write_zip(path, entries):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


def test_a_pickle_is_refused_without_running_it(tmp_path, capsys):
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps(Exploit()))
    with pytest.raises(RuntimeError, match=r"evil\.pt.*is a pickle.*never loads bare pickles"):
        load(path)
    assert "this must never run" not in capsys.readouterr().out


def test_an_npy_blob_holding_a_pickled_object_array_is_refused(tmp_path, capsys):
    buffer = io.BytesIO()
    np.save(buffer, np.array([Exploit()], dtype=object), allow_pickle=True)
    document = {"format": "minitorch-checkpoint", "version": 1,
                "root": {"type": "ndarray", "blob": "data/0.npy"}}
    path = tmp_path / "evil.pt"
    write_zip(path, {"minitorch.json": json.dumps(document), "data/0.npy": buffer.getvalue()})
    with pytest.raises(RuntimeError, match=r"evil\.pt' is damaged.*cannot read the array"):
        load(path)
    assert "this must never run" not in capsys.readouterr().out


@pytest.mark.parametrize("cut", [1, 10, 100, 0.5, 0.9])
def test_a_truncated_file_gives_a_clear_error_naming_it(tmp_path, cut):
    path = tmp_path / "ckpt.pt"
    save({"w": minitorch.randn(50, 50), "epoch": 1}, path)
    data = path.read_bytes()
    keep = len(data) - cut if isinstance(cut, int) else int(len(data) * cut)
    path.write_bytes(data[:keep])
    with pytest.raises(RuntimeError, match=r"ckpt\.pt.*(truncated|damaged)"):
        load(path)


def test_an_empty_file_and_a_text_file_are_refused(tmp_path):
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises(RuntimeError, match=r"empty\.pt.* is empty"):
        load(tmp_path / "empty.pt")
    (tmp_path / "text.pt").write_text("hello")
    with pytest.raises(RuntimeError, match=r"text\.pt.*not a minitorch checkpoint"):
        load(tmp_path / "text.pt")


def test_a_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.pt"):
        load(tmp_path / "nope.pt")


def test_a_corrupted_blob_is_detected(tmp_path):
    path = tmp_path / "ckpt.pt"
    save(minitorch.arange(1000), path)
    data = bytearray(path.read_bytes())
    start = data.index(b"\x93NUMPY")
    data[start + 300] ^= 0xFF  # flip bits inside the array's bytes: the zip CRC catches it
    path.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match=r"ckpt\.pt' is damaged.*data/0\.npy"):
        load(path)


def document_with(root):
    return json.dumps({"format": "minitorch-checkpoint", "version": 1, "root": root})


def npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


@pytest.mark.parametrize("entries, problem", [
    ({"other.json": "{}"}, "not a minitorch or PyTorch checkpoint .it has neither "
                           "minitorch.json nor data.pkl"),
    ({"minitorch.json": "{not json"}, "minitorch.json is not valid JSON"),
    ({"minitorch.json": "[1, 2]"}, "does not describe a minitorch-checkpoint"),
    ({"minitorch.json": document_with({"type": "pickle"})}, "unknown entry type 'pickle'"),
    ({"minitorch.json": document_with([1, 2])}, r"unexpected entry \[1, 2\]"),
    ({"minitorch.json": document_with({"type": "tensor", "blob": "data/9.npy",
                                       "dtype": "float32", "shape": [2]})},
     "refers to 'data/9.npy', which is not in the archive"),
    ({"minitorch.json": document_with({"type": "tensor", "blob": "a.npy", "dtype": "float32",
                                       "shape": [3]}),
      "a.npy": npy(np.zeros(2, np.float32))}, r"should have shape \[3\]"),
    ({"minitorch.json": document_with({"type": "tensor", "blob": "a.npy", "dtype": "int64",
                                       "shape": [2]}),
      "a.npy": npy(np.zeros(2, np.float32))}, "should be int64 but its data is float32"),
    ({"minitorch.json": document_with({"type": "tensor", "blob": "a.npy", "dtype": "float16",
                                       "shape": [2]}),
      "a.npy": npy(np.zeros(2, np.float16))}, "unknown dtype 'float16'"),
    ({"minitorch.json": document_with({"type": "dict", "items": [[1]]})},
     r"dict entry without a list of \[key, value\] pairs"),
    ({"minitorch.json": document_with({"type": "tensor_ref", "blob": "x"})},
     "reference to the tensor 'x'"),
    ({"minitorch.json": document_with({"type": "bytes", "hex": "zz"})},
     "malformed bytes entry"),
])
def test_malformed_archives_are_described(tmp_path, entries, problem):
    path = tmp_path / "bad.pt"
    write_zip(path, entries)
    with pytest.raises(RuntimeError, match=rf"bad\.pt.*{problem}"):
        load(path)


def test_a_newer_format_version_asks_for_an_upgrade(tmp_path):
    path = tmp_path / "new.pt"
    write_zip(path, {"minitorch.json": json.dumps(
        {"format": "minitorch-checkpoint", "version": 99, "root": None})})
    with pytest.raises(RuntimeError, match="format version 99, newer than.*upgrade minitorch"):
        load(path)


def test_deeply_nested_json_is_refused_cleanly(tmp_path):
    path = tmp_path / "deep.pt"
    text = '{"format": "minitorch-checkpoint", "version": 1, "root": ' + \
        '{"type": "list", "items": [' * 5000 + "null" + "]}" * 5000 + "}"
    write_zip(path, {"minitorch.json": text})
    with pytest.raises(RuntimeError, match=r"deep\.pt.*(nested too deep|not valid JSON)"):
        load(path)
