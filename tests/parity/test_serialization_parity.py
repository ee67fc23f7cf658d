"""Checkpoints that cross over, against PyTorch where it is installed: `torch.save` ->
`minitorch.load`, `minitorch.save(format="torch")` -> `torch.load(weights_only=True)`, and an
MLP trained in one library running in the other."""

import collections
import io

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minitorch  # noqa: E402
from minitorch import nn, optim  # noqa: E402

TORCH_DTYPES = {torch.float32: minitorch.float32, torch.float64: minitorch.float64,
                torch.int64: minitorch.int64, torch.int32: minitorch.int32,
                torch.bool: minitorch.bool, torch.float16: minitorch.float32,
                torch.bfloat16: minitorch.float32, torch.uint8: minitorch.int64,
                torch.int8: minitorch.int64, torch.int16: minitorch.int64}


def torch_to_minitorch(obj):
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return minitorch.load(buffer)


def minitorch_to_torch(obj, **kwargs):
    buffer = io.BytesIO()
    minitorch.save(obj, buffer, format="torch")
    buffer.seek(0)
    return torch.load(buffer, weights_only=True, **kwargs)


def same_values(mine, theirs):
    np.testing.assert_array_equal(mine.detach().numpy(),
                                  theirs.detach().to(torch.float64).numpy()
                                  if theirs.dtype == torch.bfloat16 else theirs.detach().numpy())


@pytest.mark.parametrize("dtype", list(TORCH_DTYPES), ids=str)
def test_tensors_saved_by_torch_load_with_their_values(dtype):
    t = (torch.arange(-6, 6) * 3).reshape(3, 4).to(dtype)
    mine = torch_to_minitorch(t)
    assert mine.dtype == TORCH_DTYPES[dtype] and tuple(mine.shape) == (3, 4)
    same_values(mine, t)


def test_views_requires_grad_and_parameters_saved_by_torch_load_as_saved():
    base = torch.randn(4, 5, dtype=torch.float64)
    obj = {"t": base.t(), "slice": base[1:3, ::2], "row": base[2], "base": base,
           "leaf": torch.randn(3, requires_grad=True), "p": torch.nn.Parameter(torch.randn(2)),
           "scalar": torch.tensor(7), "empty": torch.zeros(2, 0)}
    mine = torch_to_minitorch(obj)
    for key, value in obj.items():
        same_values(mine[key], value)
        assert mine[key].stride() == value.stride(), key
        assert mine[key].storage_offset() == value.storage_offset(), key
        assert mine[key].requires_grad == value.requires_grad, key
    assert type(mine["p"]) is nn.Parameter
    mine["base"][2, 0] = 100.0
    assert mine["row"][0].item() == 100.0 and mine["t"][0, 2].item() == 100.0


def test_a_training_checkpoint_saved_by_torch_loads_into_minitorchs_model_and_optimizer():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    x, y = torch.randn(8, 3), torch.randn(8, 2)
    for _ in range(3):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
    ckpt = torch_to_minitorch({"model": model.state_dict(), "optimizer": opt.state_dict(),
                               "epoch": 3, "note": "adam"})
    assert (ckpt["epoch"], ckpt["note"]) == (3, "adam")
    mine = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    mine.load_state_dict(ckpt["model"])
    mine_opt = optim.Adam(mine.parameters(), lr=0.05)
    mine_opt.load_state_dict(ckpt["optimizer"])
    mx, my = minitorch.tensor(x.numpy()), minitorch.tensor(y.numpy())
    np.testing.assert_allclose(mine(mx).detach().numpy(), model(x).detach().numpy(),
                               rtol=1e-6, atol=1e-6)
    for optimizer, loss in ((opt, lambda: torch.nn.functional.mse_loss(model(x), y)),
                            (mine_opt, lambda: nn.functional.mse_loss(mine(mx), my))):
        optimizer.zero_grad()
        loss().backward()
        optimizer.step()  # a fourth step continues from the loaded moments
    for p, q in zip(model.parameters(), mine.parameters()):
        np.testing.assert_allclose(q.detach().numpy(), p.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)


def test_weights_trained_in_minitorch_load_into_a_pytorch_model():
    minitorch.manual_seed(0)
    mine = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    state = minitorch_to_torch(mine.state_dict())
    assert type(state) is collections.OrderedDict and list(state) == list(mine.state_dict())
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    model.load_state_dict(state)
    x = np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32)
    np.testing.assert_allclose(model(torch.tensor(x)).detach().numpy(),
                               mine(minitorch.tensor(x)).detach().numpy(), rtol=1e-6,
                               atol=1e-6)


@pytest.mark.parametrize("mmap", [False, True])
def test_torch_reads_minitorchs_files_with_dtypes_views_parameters_and_plain_values(
        tmp_path, mmap):
    base = minitorch.arange(12.0).reshape(3, 4)
    obj = {"base": base, "t": base.t(), "row": base[1],
           "p": nn.Parameter(minitorch.ones(2)), "frozen": nn.Parameter(minitorch.ones(1),
                                                                         requires_grad=False),
           "grad": minitorch.tensor([1.0, 2.0], requires_grad=True),
           "ints": minitorch.tensor([1, -2], dtype=minitorch.int32),
           "longs": minitorch.arange(3), "flags": minitorch.tensor([True, False]),
           "doubles": minitorch.tensor([0.1], dtype=minitorch.float64),
           "nested": [1, 2.5, "s", None, (True, b"\x00"), {"k": -(2**70)}],
           "size": minitorch.Size([2, 3]), "dtype": minitorch.float64}
    path = tmp_path / "mine.pt"
    minitorch.save(obj, path, format="torch")
    theirs = torch.load(path, weights_only=True, mmap=mmap)
    for key in ("base", "t", "row", "p", "frozen", "grad", "ints", "longs", "flags", "doubles"):
        np.testing.assert_array_equal(theirs[key].detach().numpy(), obj[key].detach().numpy())
        assert theirs[key].dtype == getattr(torch, obj[key].dtype.name), key
        assert theirs[key].requires_grad == obj[key].requires_grad, key
        assert theirs[key].stride() == obj[key].stride(), key
    assert type(theirs["p"]) is torch.nn.Parameter and type(theirs["frozen"]) is \
        torch.nn.Parameter
    assert theirs["t"].untyped_storage().data_ptr() == theirs["base"].untyped_storage().data_ptr()
    assert theirs["nested"] == obj["nested"]
    assert theirs["size"] == torch.Size([2, 3]) and theirs["dtype"] is torch.float64


def test_torch_and_minitorch_refuse_the_same_hostile_global(tmp_path):
    class Exploit:
        def __reduce__(self):
            return (print, ("this must never run",))

    path = tmp_path / "evil.pt"
    torch.save({"w": torch.ones(1), "x": Exploit()}, path)
    message = "Unsupported global: GLOBAL print was not an allowed global by default"
    for load in (torch.load, minitorch.load):
        with pytest.raises(Exception, match=message) as info:
            load(path, weights_only=True)
        assert info.type.__name__ == "UnpicklingError"
