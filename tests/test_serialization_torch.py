"""PyTorch's checkpoint format in minitorch, without torch: `minitorch.load` of `torch.save`
files and `minitorch.save(..., format="torch")`.

The fixtures in tests/fixtures/torch_checkpoints/ were written by `torch.save`
(scripts/make_torch_fixtures.py); their expected values are rebuilt here with NumPy from the
formulas that script documents. Round trips, hostile pickles (refused before anything in
them runs) and damaged archives need no torch either; tests/parity/test_serialization_parity.py
checks the same against PyTorch itself.
"""

import collections
import io
import pickle
import pickletools
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

import minitorch
from minitorch import nn, optim
from minitorch.serialization import load, save

FIXTURES = Path(__file__).parent / "fixtures" / "torch_checkpoints"


def values(t):
    return t.detach().numpy()


# ----- checkpoints written by torch.save ------------------------------------------------
def weight_values(n):  # the fixtures' formulas (scripts/make_torch_fixtures.py)
    return ((np.arange(n) * 7) % 11 - 5).astype(np.float32) / 8


def grad_values(n):
    return ((np.arange(n) * 3) % 5 - 2).astype(np.float32) / 4


R = np.arange(-3, 3)
EXPECTED_DTYPES = {  # name: (values, the minitorch dtype a loaded tensor has)
    "float32": (np.arange(6).reshape(2, 3) / 4 - 0.5, minitorch.float32),
    "float64": (np.arange(6) / 3, minitorch.float64),
    "float16": (R / 2, minitorch.float32),
    "bfloat16": (R * 0.5, minitorch.float32),
    "int64": (R * 2**40, minitorch.int64),
    "int32": (R * 2**20, minitorch.int32),
    "int16": (R * 1000, minitorch.int64),
    "int8": (np.arange(-128, 128, 51), minitorch.int64),
    "uint8": (np.arange(250, 256), minitorch.int64),
    "bool": (np.arange(6) % 3 == 0, minitorch.bool),
    "scalar": (np.array(2.5), minitorch.float32),
    "empty": (np.zeros((0, 3)), minitorch.float32),
}


def test_tensors_of_every_dtype_load_with_their_values_widened_where_minitorch_lacks_it():
    loaded = load(FIXTURES / "dtypes.pt")
    assert list(loaded) == list(EXPECTED_DTYPES)
    for name, (expected, dtype) in EXPECTED_DTYPES.items():
        assert loaded[name].dtype == dtype, name
        assert loaded[name].shape == expected.shape, name
        np.testing.assert_array_equal(values(loaded[name]), expected, err_msg=name)
        assert not loaded[name].requires_grad


def test_views_keep_their_strides_and_share_their_storage():
    loaded = load(FIXTURES / "views.pt")
    base = np.arange(12.0).reshape(3, 4)
    expected = {"base": base, "row": base[1], "column": base[:, 2], "transposed": base.T,
                "strided": base[1:, ::2]}
    for name, array in expected.items():
        np.testing.assert_array_equal(values(loaded[name]), array, err_msg=name)
    assert loaded["transposed"].stride() == (1, 4)
    assert (loaded["strided"].stride(), loaded["strided"].storage_offset()) == ((4, 2), 4)
    loaded["base"][1, 2] = 100.0  # one storage, as in PyTorch
    assert loaded["row"][2].item() == loaded["column"][1].item() == 100.0


def test_a_checkpoint_of_state_dicts_optimizer_state_and_plain_values_loads():
    ckpt = load(FIXTURES / "checkpoint.pt")
    model = ckpt["model"]
    assert type(model) is collections.OrderedDict
    assert list(model) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    for name, shape in zip(model, [(4, 3), (4,), (2, 4), (2,)]):
        np.testing.assert_array_equal(values(model[name]),
                                      weight_values(np.prod(shape)).reshape(shape))
    assert model._metadata == {"": {"version": 1}, "0": {"version": 1}, "1": {"version": 1},
                               "2": {"version": 1}}
    state, groups = ckpt["optimizer"]["state"], ckpt["optimizer"]["param_groups"]
    assert list(state) == [0, 1, 2, 3]
    for index, shape in enumerate([(4, 3), (4,), (2, 4), (2,)]):
        g = grad_values(np.prod(shape)).reshape(shape)  # Adam's moments after one step
        assert state[index]["step"].shape == () and state[index]["step"].item() == 1.0
        np.testing.assert_allclose(values(state[index]["exp_avg"]), 0.1 * g, rtol=1e-6)
        np.testing.assert_allclose(values(state[index]["exp_avg_sq"]), 0.001 * g * g,
                                   rtol=1e-5)
    assert groups[0]["lr"] == 0.01 and groups[0]["betas"] == (0.9, 0.999)
    assert groups[0]["params"] == [0, 1, 2, 3] and groups[0]["foreach"] is None
    assert type(ckpt["param"]) is nn.Parameter and ckpt["param"].requires_grad
    assert ckpt["param"].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert type(ckpt["frozen"]) is nn.Parameter and not ckpt["frozen"].requires_grad
    plain = {k: ckpt[k] for k in ("epoch", "loss", "name", "history", "flags", "blob")}
    assert plain == {"epoch": 3, "loss": 0.25, "name": "mlp", "history": [1.0, 0.5, 0.25],
                     "flags": (True, None), "blob": b"\x00\xffab"}


def mlp():
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def test_weights_trained_in_pytorch_run_in_the_minitorch_model_and_go_back():
    ckpt = load(FIXTURES / "checkpoint.pt")
    model = mlp()
    model.load_state_dict(ckpt["model"])
    x = np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3)
    w1, b1 = weight_values(12).reshape(4, 3), weight_values(4)
    w2, b2 = weight_values(8).reshape(2, 4), weight_values(2)
    expected = np.maximum(x @ w1.T + b1, 0) @ w2.T + b2
    np.testing.assert_allclose(values(model(minitorch.tensor(x))), expected, rtol=1e-6,
                               atol=1e-7)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    optimizer.load_state_dict(ckpt["optimizer"])  # PyTorch's layout is minitorch's
    assert optimizer.state[model[0].weight]["step"].item() == 1.0
    buffer = io.BytesIO()
    save(model.state_dict(), buffer, format="torch")
    buffer.seek(0)
    again = mlp()
    again.load_state_dict(load(buffer))
    np.testing.assert_array_equal(values(again(minitorch.tensor(x))),
                                  values(model(minitorch.tensor(x))))


def test_the_legacy_format_is_refused_with_a_way_out():
    with pytest.raises(RuntimeError, match=r"legacy\.pt.*PyTorch's legacy format.*save it "
                                           r"again with torch\.save"):
        load(FIXTURES / "legacy.pt")


# ----- format="torch" round trips ----------------------------------------------------------
def round_trip(obj):
    buffer = io.BytesIO()
    save(obj, buffer, format="torch")
    buffer.seek(0)
    return load(buffer)


@pytest.mark.parametrize("dtype", [minitorch.float32, minitorch.float64, minitorch.int32,
                                   minitorch.int64, minitorch.bool], ids=str)
@pytest.mark.parametrize("shape", [(), (0,), (2, 3)])
def test_tensors_of_every_dtype_round_trip(dtype, shape):
    t = minitorch.tensor(np.random.default_rng(0).normal(size=shape) * 100).to(dtype)
    back = round_trip(t)
    assert (back.dtype, back.shape) == (dtype, t.shape)
    np.testing.assert_array_equal(values(back), values(t))


def test_a_nested_checkpoint_round_trips_with_shared_tensors_views_and_parameters():
    base = minitorch.arange(12.0).reshape(3, 4)
    weight = nn.Parameter(minitorch.ones(2, 2))
    state = collections.OrderedDict([("w", weight), ("b", minitorch.zeros(2))])
    state._metadata = {"": {"version": 1}}
    obj = {"state": state, "again": weight, "view": base.t(), "row": base[1], "base": base,
           "grad": minitorch.tensor([1.0], requires_grad=True), "n": -(2**70), "x": 2**31,
           "nan": float("nan"), "s": "naïve ✓", "b": b"\x00\xff", "t": (1, (2.5, None)),
           "set": {3, 4}, "size": minitorch.Size([2, 3]), "dtype": minitorch.int32,
           "device": minitorch.device("cpu"), "np": np.float32(0.5), "keys": {(1, "a"): 1}}
    back = round_trip(obj)
    assert back["again"] is back["state"]["w"] and type(back["again"]) is nn.Parameter
    assert back["state"]._metadata == {"": {"version": 1}}
    np.testing.assert_array_equal(values(back["view"]), values(base).T)
    assert back["view"].stride() == (1, 4)
    back["base"][1, 0] = 7.0
    assert back["row"][0].item() == back["view"][0, 1].item() == 7.0
    assert back["grad"].requires_grad and not back["state"]["b"].requires_grad
    assert back["n"] == -(2**70) and back["x"] == 2**31 and back["nan"] != back["nan"]
    for key in ("s", "b", "t", "set", "size", "dtype", "device", "keys"):
        assert back[key] == obj[key] and type(back[key]) is type(obj[key]), key
    assert back["np"] == 0.5 and type(back["np"]) is float


def test_a_gpu_tensor_is_saved_from_host_memory_with_its_device():
    t = minitorch.arange(6.0).reshape(2, 3).t().to("cuda")  # (the simulator, without a GPU)
    buffer = io.BytesIO()
    save({"t": t}, buffer, format="torch")
    with zipfile.ZipFile(buffer) as archive:
        assert b"cuda:0" in archive.read("archive/data.pkl")
    buffer.seek(0)
    back = load(buffer)["t"]
    assert back.device == minitorch.device("cuda", 0)
    np.testing.assert_array_equal(values(back.cpu()), np.arange(6.0).reshape(2, 3).T)
    buffer.seek(0)
    assert load(buffer, map_location="cpu")["t"].device == minitorch.device("cpu")


def test_the_pickle_is_protocol_2_with_only_the_opcodes_torch_weights_only_load_reads():
    # The opcodes torch/_weights_only_unpickler.py interprets (PyTorch 2.x)
    readable = {"GLOBAL", "NEWOBJ", "REDUCE", "BUILD", "APPEND", "APPENDS", "SETITEM",
                "SETITEMS", "MARK", "TUPLE", "TUPLE1", "TUPLE2", "TUPLE3", "NONE", "NEWFALSE",
                "NEWTRUE", "EMPTY_TUPLE", "EMPTY_LIST", "EMPTY_DICT", "EMPTY_SET", "BININT",
                "BININT1", "BININT2", "BINFLOAT", "BINUNICODE", "SHORT_BINSTRING", "BINPERSID",
                "BINGET", "LONG_BINGET", "BINPUT", "LONG_BINPUT", "LONG1", "PROTO", "STOP"}
    many = [minitorch.ones(1) for _ in range(300)]  # memo indices past 255
    obj = {"a": many + many, "b": nn.Parameter(minitorch.zeros(1)), "c": b"x", "d": {1},
           "e": (1, 2, 3, 4), "f": [-1, 70000, 2**40, 1.5, None, True], "g": minitorch.Size([1])}
    buffer = io.BytesIO()
    save(obj, buffer, format="torch")
    with zipfile.ZipFile(buffer) as archive:
        ops = list(pickletools.genops(archive.read("archive/data.pkl")))
    assert ops[0][0].name == "PROTO" and ops[0][1] == 2
    assert {op.name for op, _, _ in ops} <= readable
    assert {op.name for op, _, _ in ops} >= {"LONG_BINPUT", "LONG_BINGET", "LONG1", "BINPERSID"}
    buffer.seek(0)
    back = load(buffer)
    assert back["a"][299] is back["a"][599] and back["a"][0] is not back["a"][1]


def test_the_archive_has_torch_saves_records_each_aligned_to_64_bytes():
    buffer = io.BytesIO()
    save({"a": minitorch.ones(3), "b": minitorch.arange(5)}, buffer, format="torch")
    data = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == [
            "archive/data.pkl", "archive/.format_version", "archive/.storage_alignment",
            "archive/byteorder", "archive/data/0", "archive/data/1", "archive/version"]
        assert archive.read("archive/byteorder") == b"little"
        assert archive.read("archive/data/1") == np.arange(5, dtype="<i8").tobytes()
    for info in infos:
        name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26:
                                                              info.header_offset + 30])
        assert (info.header_offset + 30 + name_length + extra_length) % 64 == 0
        assert info.compress_type == zipfile.ZIP_STORED


def test_what_torch_cannot_load_is_refused_before_a_file_is_written(tmp_path):
    with pytest.raises(TypeError, match=r"format='torch'.*obj\['a'\] of type numpy.ndarray"):
        save({"a": np.zeros(2)}, tmp_path / "bad.pt", format="torch")
    with pytest.raises(ValueError, match="format must be 'minitorch' or 'torch', not 'onnx'"):
        save({}, tmp_path / "bad.pt", format="onnx")
    assert not list(tmp_path.iterdir())


# ----- hostile and damaged files ----------------------------------------------------------
def op_global(module, name):
    return f"c{module}\n{name}\n".encode()


def op_text(text):
    data = text.encode()
    return b"X" + struct.pack("<I", len(data)) + data


def op_ints(items):
    return b"(" + b"".join(b"J" + struct.pack("<i", i) for i in items) + b"t"


def tensor_pickle(numel=4, offset=0, size=(4,), stride=(1,), storage="FloatStorage",
                  location="cpu"):
    """What torch.save writes for one tensor: _rebuild_tensor_v2 over storage record 0."""
    return (b"\x80\x02" + op_global("torch._utils", "_rebuild_tensor_v2") + b"((" +
            op_text("storage") + op_global("torch", storage) + op_text("0") + op_text(location) +
            b"J" + struct.pack("<i", numel) + b"tQ" + b"J" + struct.pack("<i", offset) +
            op_ints(size) + op_ints(stride) + b"\x89" + op_global("collections", "OrderedDict") +
            b")RtR.")


def torch_zip(records, folder="archive/"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in records.items():
            archive.writestr(folder + name, data)
    buffer.seek(0)
    return buffer


FOUR_FLOATS = np.arange(4, dtype="<f4").tobytes()


def test_a_hand_written_torch_archive_loads():
    t = load(torch_zip({"data.pkl": tensor_pickle(offset=1, size=(2,), stride=(2,)),
                        "data/0": FOUR_FLOATS}, folder="any_name/"))
    assert t.tolist() == [1.0, 3.0] and t.dtype == minitorch.float32


def test_tensors_go_where_map_location_says_or_where_they_were_saved():
    on_gpu = load(torch_zip({"data.pkl": tensor_pickle(location="cuda:0"), "data/0": FOUR_FLOATS}))
    assert on_gpu.device == minitorch.device("cuda", 0)  # (the simulator, without a GPU)
    on_cpu = load(torch_zip({"data.pkl": tensor_pickle(location="cuda:0"),
                             "data/0": FOUR_FLOATS}), map_location="cpu")
    assert on_cpu.device == minitorch.device("cpu") and on_cpu.tolist() == [0.0, 1.0, 2.0, 3.0]
    moved = load(FIXTURES / "views.pt", map_location="cuda")["transposed"]
    assert moved.device.type == "cuda"
    np.testing.assert_array_equal(values(moved.cpu()), np.arange(12.0).reshape(3, 4).T)


def hostile_pickles(marker):
    command = op_text(f"touch {marker}")
    return {
        "posix.system": b"\x80\x02" + op_global("posix", "system") + command + b"\x85R.",
        "os.system": b"\x80\x02" + op_global("os", "system") + command + b"\x85R.",
        "eval": b"\x80\x02" + op_global("__builtin__", "eval") +
        op_text(f"open({str(marker)!r}, 'w')") + b"\x85R.",
        # protocol 4 names its globals from the stack
        "posix.system via STACK_GLOBAL": b"\x80\x04\x8c\x05posix\x8c\x06system\x93" +
        command + b"\x85R.",
        # protocol 0 calls the class INST names directly
        "os.system via INST": b"(S'touch " + str(marker).encode() + b"'\nios\nsystem\n.",
        "subprocess.Popen in a state_dict": b"\x80\x02" +
        op_global("collections", "OrderedDict") + b")R(" + op_text("w") +
        op_global("subprocess", "Popen") + command + b"\x85Ru.",
    }


@pytest.mark.parametrize("name", list(hostile_pickles("m")))
def test_a_pickle_that_would_run_code_is_refused_without_running_it(tmp_path, name):
    marker = tmp_path / "MARKER"
    pkl = hostile_pickles(marker)[name]
    with pytest.raises(pickle.UnpicklingError, match=r"Weights only load failed.*\n.*"
                       r"Unsupported global: GLOBAL ((posix|os|subprocess)\.)?\w+ was "
                       "not an allowed global by default"):
        load(torch_zip({"data.pkl": pkl}))
    assert not marker.exists()


@pytest.mark.parametrize("pkl, problem", [
    # BUILD would set minitorch.float32's attributes: a file must not reach minitorch's objects
    (b"\x80\x02" + op_global("torch", "float32") + b"N}" + op_text("numpy") + b"K\x01s\x86b.",
     "Can only build OrderedDict"),
    (b"\x80\x02" + op_global("torch", "float32") + b")R.", "torch.float32 cannot be called"),
    (b"\x80\x02" + op_global("collections", "OrderedDict") + b")\x81.", "NEWOBJ"),
    (b"\x80\x02" + op_text("x") + b"Q.", "Only persistent_load of storage is allowed"),
    (b"\x80\x02" + op_global("torch", "FloatStorage") + b".", "torch.FloatStorage is not data"),
    (b"\x80\x02" + op_global("_codecs", "encode") + op_text("x") + op_text("rot13") + b"\x86R.",
     "_codecs.encode is allowed only for bytes"),
    (b"\x80\x02" + op_global("torch", "device") + op_text("mps") + b"\x85R.",
     r"torch.device\('mps'\): Expected one of cpu, cuda"),
    (tensor_pickle(size=(5,)), r"reaches past the end of its storage '0' \(4 elements\)"),
    (tensor_pickle(offset=3, size=(2,)), "reaches past the end"),
    (tensor_pickle(size=(2,), stride=(-1,)), "a tensor of size .2,., stride .-1,."),
    (tensor_pickle(size=(2, 2), stride=(1,)), "a tensor of size"),
    (tensor_pickle(storage="ComplexFloatStorage"), "GLOBAL torch.ComplexFloatStorage"),
    (tensor_pickle()[:-20], "data.pkl is damaged"),
    (b"\x80\x02" + b"]" + b"(" * 10 + b".", "data.pkl is damaged"),
], ids=["BUILD on a dtype", "calling a dtype", "NEWOBJ", "a persistent id",
        "a storage type as data", "codecs.encode", "a device minitorch lacks", "past the end",
        "offset past the end", "negative stride", "strides and size", "complex storage",
        "truncated", "unfinished"])
def test_malformed_or_disallowed_pickles_are_refused(pkl, problem):
    with pytest.raises(pickle.UnpicklingError, match=problem):
        load(torch_zip({"data.pkl": pkl, "data/0": FOUR_FLOATS}))
    assert minitorch.float32.numpy == np.float32


@pytest.mark.parametrize("records, problem", [
    ({"data.pkl": tensor_pickle()}, "has no record archive/data/0"),
    ({"data.pkl": tensor_pickle(), "data/0": FOUR_FLOATS[:-1]},
     "record archive/data/0 holds 15 bytes, not the 16"),
    ({"data.pkl": tensor_pickle(), "data/0": FOUR_FLOATS, "byteorder": b"middle"},
     "unknown byteorder 'middle'"),
])
def test_damaged_archives_are_described(records, problem):
    with pytest.raises(RuntimeError, match=f"is a damaged PyTorch checkpoint: .*{problem}"):
        load(torch_zip(records))


def test_a_flipped_byte_in_a_storage_is_caught_by_the_zip_checksum(tmp_path):
    path = tmp_path / "ckpt.pt"
    save(minitorch.arange(100), path, format="torch")
    data = bytearray(path.read_bytes())
    data[data.index(np.arange(2, 4, dtype="<i8").tobytes())] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match=r"ckpt\.pt.*damaged.*archive/data/0.*CRC"):
        load(path)


@pytest.mark.parametrize("cut", [1, 100, 0.5])
def test_a_truncated_torch_file_is_refused(tmp_path, cut):
    path = tmp_path / "ckpt.pt"
    save({"w": minitorch.randn(20, 20)}, path, format="torch")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - cut if isinstance(cut, int) else int(len(data) * cut)])
    with pytest.raises(RuntimeError, match=r"ckpt\.pt.*(truncated|damaged)"):
        load(path)


def test_a_big_endian_checkpoint_is_read():
    pkl = tensor_pickle(storage="DoubleStorage")
    data = np.arange(4, dtype=">f8").tobytes()
    t = load(torch_zip({"data.pkl": pkl, "data/0": data, "byteorder": b"big"}))
    assert t.tolist() == [0.0, 1.0, 2.0, 3.0] and t.dtype == minitorch.float64
