"""The cuda backend as PyTorch's users meet it: devices, moves, errors, `minitorch.cuda`, and
training on the GPU with data kept there. Without a GPU it runs on Numba's CUDA simulator
(tests/conftest.py turns it on), so every tensor here is tiny.

The tensor and autograd suites also run on the cuda backend (see `BACKENDS` in conftest).
"""

import gc
import os
import subprocess
import sys

import numpy as np
import pytest

import minitorch
from minitorch import cuda_memory, nn
from minitorch.nn import functional as F

pytestmark = pytest.mark.skipif(not minitorch.cuda.is_available(),
                                reason="no GPU and NUMBA_ENABLE_CUDASIM=0")

CUDA = minitorch.device("cuda", 0)


def transfers():
    return dict(cuda_memory.transfers)


def copies_since(before):
    return {k: v - before[k] for k, v in cuda_memory.transfers.items()}


# ----- devices and moves ------------------------------------------------------------------------
@pytest.mark.parametrize("device", ["cuda", "cuda:0", minitorch.device("cuda"), 0])
def test_every_way_of_naming_the_gpu_creates_there(device):
    for t in (minitorch.tensor([1.0, 2.0], device=device), minitorch.zeros(2, device=device),
              minitorch.ones(2, 3, device=device), minitorch.full((2,), 7, device=device),
              minitorch.arange(3, device=device), minitorch.randn(2, device=device),
              minitorch.eye(2, device=device), minitorch.empty(2, device=device)):
        assert t.device == CUDA and t.is_cuda and t.get_device() == 0
    assert minitorch.full((2,), 7, device=device).tolist() == [7, 7]


def test_to_cuda_cpu_and_back_keep_values_and_dtypes():
    a = np.array([[1.5, -2.0], [3.0, 4.25]], dtype=np.float32)
    t = minitorch.tensor(a)
    assert t.device == minitorch.device("cpu") and not t.is_cuda and t.get_device() == -1
    g = t.to("cuda")
    assert g.device == CUDA and g.dtype is minitorch.float32
    assert t.cuda().device == CUDA and g.cuda() is g and g.to("cuda:0") is g
    back = g.cpu()
    assert back.device == minitorch.device("cpu") and t.cpu() is t
    np.testing.assert_array_equal(back.numpy(), a)
    assert g.to("cuda", minitorch.float64).dtype is minitorch.float64
    assert g.to(minitorch.int64).cpu().tolist() == [[1, -2], [3, 4]]
    assert t.to(g).device == CUDA  # `.to(other)`: the other tensor's device and dtype


def test_results_stay_on_the_gpu_and_match_the_cpu():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4,))
    x, y = minitorch.tensor(a, device="cuda"), minitorch.tensor(b, device="cuda")
    results = {
        "broadcast": (x * y + 1, a * b + 1),
        "exp": (x.exp(), np.exp(a)),
        "sum": (x.sum(dim=0), a.sum(axis=0)),
        "max": (x.max(dim=1).values, a.max(axis=1)),
        "argmax": (x.argmax(dim=1), a.argmax(axis=1)),
        "matmul": (x @ x.T, a @ a.T),
        "where": (minitorch.where(x > 0, x, 0.0), np.where(a > 0, a, 0.0)),
        "cat": (minitorch.cat([x, x], dim=1), np.concatenate([a, a], axis=1)),
        "transpose view": (x.T.contiguous(), a.T),
        "slice": (x[1:, ::2], a[1:, ::2]),
        "softmax": (F.softmax(x, dim=1), np.exp(a) / np.exp(a).sum(axis=1, keepdims=True)),
    }
    for name, (got, want) in results.items():
        assert got.device == CUDA, name
        np.testing.assert_allclose(got.cpu().numpy(), want, rtol=1e-6, atol=1e-12,
                                   err_msg=name)


def test_a_cpu_number_tensor_joins_a_gpu_operation_as_pytorch_allows():
    x = minitorch.ones(2, device="cuda")
    out = x * minitorch.tensor(3.0)
    assert out.device == CUDA and out.tolist() == [3.0, 3.0]


# ----- PyTorch's errors -------------------------------------------------------------------------
def test_mixing_devices_raises_pytorchs_error():
    x, y = minitorch.ones(2, device="cuda"), minitorch.ones(2)
    message = ("Expected all tensors to be on the same device, but found at least two devices, "
               "cuda:0 and cpu!")
    with pytest.raises(RuntimeError, match=message):
        x + y
    with pytest.raises(RuntimeError, match="same device"):
        y @ minitorch.ones(2, 2, device="cuda")


def test_numpy_of_a_gpu_tensor_says_to_copy_it_to_the_host_first():
    x = minitorch.ones(2, device="cuda")
    message = ("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the "
               "tensor to host memory first.")
    with pytest.raises(TypeError, match=message.replace(".", r"\.").replace("(", r"\(")
                       .replace(")", r"\)")):
        x.numpy()
    with pytest.raises(TypeError, match="Tensor.cpu"):
        np.asarray(x)


def test_a_second_gpu_is_an_invalid_device_ordinal():
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        minitorch.zeros(2, device="cuda:1")


def test_a_bad_index_on_the_gpu_is_reported_at_the_next_copy_to_the_host():
    logits = minitorch.zeros(2, 3, device="cuda")
    loss = F.cross_entropy(logits, minitorch.tensor([0, 7], device="cuda"))  # class 7 of 3
    with pytest.raises(RuntimeError, match="device-side assert triggered"):
        loss.item()
    # the error is reported once; the GPU goes on working
    assert F.cross_entropy(logits, minitorch.tensor([0, 2], device="cuda")).item() == \
        pytest.approx(np.log(3))


def test_without_a_gpu_or_the_simulator_cuda_says_how_to_turn_the_simulator_on():
    code = ("import minitorch\n"
            "assert not minitorch.cuda.is_available() and minitorch.cuda.device_count() == 0\n"
            "assert minitorch.cuda.memory_allocated() == 0\n"
            "try:\n    minitorch.zeros(2, device='cuda')\n"
            "except AssertionError as e:\n    print(e)\n")
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "0", "CUDA_VISIBLE_DEVICES": ""}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Torch not compiled with CUDA enabled" in out.stdout
    assert "NUMBA_ENABLE_CUDASIM=1" in out.stdout


# ----- minitorch.cuda ---------------------------------------------------------------------------
def test_the_cuda_module_answers_as_torch_cuda():
    assert minitorch.cuda.is_available() and minitorch.cuda.device_count() == 1
    assert minitorch.cuda.current_device() == 0
    assert isinstance(minitorch.cuda.get_device_name(0), str)
    assert minitorch.cuda.get_device_name(0)
    minitorch.cuda.synchronize()
    minitorch.cuda.empty_cache()
    minitorch.cuda.manual_seed(3)
    first = minitorch.randn(3, device="cuda").tolist()
    minitorch.cuda.manual_seed(3)
    assert minitorch.randn(3, device="cuda").tolist() == first


def test_memory_allocated_counts_the_bytes_tensors_hold():
    gc.collect()  # (earlier tests' graphs hold GPU tensors in cycles: not freed mid-test)
    before = minitorch.cuda.memory_allocated()
    minitorch.cuda.reset_peak_memory_stats()
    t = minitorch.zeros(100, dtype=minitorch.float64, device="cuda")
    assert minitorch.cuda.memory_allocated() - before == 800
    assert minitorch.cuda.max_memory_allocated() >= before + 800
    del t
    assert minitorch.cuda.memory_allocated() == before


# ----- data stays on the GPU --------------------------------------------------------------------
def _classifier():
    minitorch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


@pytest.mark.parametrize("make_optimizer", [
    lambda p: minitorch.optim.SGD(p, lr=0.1, momentum=0.9),
    lambda p: minitorch.optim.Adam(p, lr=0.01),
], ids=["SGD", "Adam"])
def test_a_training_step_copies_nothing_between_host_and_gpu(make_optimizer):
    model = _classifier().to("cuda")
    optimizer = make_optimizer(model.parameters())
    x = minitorch.randn(6, 4).to("cuda")
    y = minitorch.tensor([0, 1, 2, 0, 1, 2]).to("cuda")
    for step in range(2):  # (the first step creates the optimizer's state)
        before = transfers()
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        assert copies_since(before) == {"to_device": 0, "to_host": 0}, f"step {step}"
    before = transfers()
    loss.item()  # a value asked for on the host: one copy
    assert copies_since(before) == {"to_device": 0, "to_host": 1}


def test_training_on_the_gpu_follows_the_cpu():
    cpu_model, gpu_model = _classifier(), _classifier().cuda()
    x, y = minitorch.randn(6, 4), minitorch.tensor([0, 1, 2, 0, 1, 2])
    losses = {}
    for name, model, device in (("cpu", cpu_model, "cpu"), ("gpu", gpu_model, "cuda")):
        optimizer = minitorch.optim.Adam(model.parameters(), lr=0.05)
        losses[name] = []
        for _ in range(3):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x.to(device)), y.to(device))
            loss.backward()
            optimizer.step()
            losses[name].append(loss.item())
    np.testing.assert_allclose(losses["gpu"], losses["cpu"], rtol=1e-5)
    assert losses["gpu"][-1] < losses["gpu"][0]
    for p, q in zip(cpu_model.parameters(), gpu_model.parameters()):
        assert q.device == CUDA and q.grad.device == CUDA
        np.testing.assert_allclose(q.detach().cpu().numpy(), p.detach().numpy(), rtol=1e-4,
                                   atol=1e-6)


# ----- modules, state_dict, checkpoints, DataLoader ---------------------------------------------
def test_module_to_moves_parameters_and_buffers_and_keeps_them_the_optimizers():
    model = nn.Sequential(nn.Linear(2, 2))
    model.register_buffer("steps", minitorch.zeros(1))
    weight = model[0].weight
    optimizer = minitorch.optim.SGD(model.parameters(), lr=1.0)
    assert model.cuda() is model
    assert weight.device == CUDA and model.steps.device == CUDA
    assert model[0].weight is weight  # the same Parameter: the optimizer still holds it
    model(minitorch.ones(1, 2, device="cuda")).sum().backward()
    optimizer.step()
    assert weight.grad.device == CUDA
    model.cpu()
    assert weight.device == minitorch.device("cpu") and model.steps.device.type == "cpu"
    model.to(minitorch.device("cuda"))
    assert weight.device == CUDA


def test_state_dict_and_checkpoints_cross_devices(tmp_path):
    gpu_model = _classifier().cuda()
    state = gpu_model.state_dict()
    assert all(t.device == CUDA for t in state.values())
    minitorch.save(state, tmp_path / "model.pt")
    cpu_model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    cpu_model.load_state_dict(minitorch.load(tmp_path / "model.pt", map_location="cpu"))
    on_gpu = minitorch.load(tmp_path / "model.pt")  # saved on the GPU, loaded there
    assert all(t.device == CUDA for t in on_gpu.values())
    x = minitorch.randn(2, 4)
    np.testing.assert_allclose(cpu_model(x).detach().numpy(),
                               gpu_model(x.cuda()).detach().cpu().numpy(), rtol=1e-5)
    back = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)).cuda()
    back.load_state_dict(cpu_model.state_dict())  # CPU tensors into GPU parameters
    assert back[0].weight.device == CUDA
    np.testing.assert_array_equal(back[0].weight.detach().cpu().numpy(),
                                  cpu_model[0].weight.detach().numpy())


def test_dataloader_batches_move_with_to():
    data = minitorch.utils.data.TensorDataset(minitorch.randn(5, 2), minitorch.arange(5))
    for x, y in minitorch.utils.data.DataLoader(data, batch_size=2):
        x, y = x.to("cuda"), y.to("cuda")
        assert x.device == CUDA and y.device == CUDA and y.dtype is minitorch.int64


def test_the_tutorials_device_idiom_runs_on_the_gpu_as_on_the_cpu():
    device = "cuda" if minitorch.cuda.is_available() else "cpu"
    minitorch.manual_seed(1)
    model = nn.Linear(3, 2).to(device)
    x = minitorch.randn(4, 3, device=device)
    out = model(x)
    assert out.device.type == device
    cpu_out = model.cpu()(x.cpu())
    np.testing.assert_allclose(out.detach().cpu().numpy(), cpu_out.detach().numpy(), rtol=1e-6)


def test_printing_a_gpu_tensor_names_its_device():
    assert repr(minitorch.tensor([1, 2], dtype=minitorch.int32, device="cuda")) == \
        "tensor([1, 2], device='cuda:0', dtype=minitorch.int32)"
    assert repr(minitorch.ones(1, device="cuda", requires_grad=True) * 2) == \
        "tensor([2.], device='cuda:0', grad_fn=<MulBackward0>)"


# ----- nn and optim on the GPU, against the same on the CPU -------------------------------------
def _same_on_both_devices(make_module, inputs, loss_of=lambda out: (out * out).sum()):
    """Run `make_module()` forward and backward on `inputs` (NumPy arrays) on the CPU and, as a
    copy, on the GPU: the outputs, input gradients and parameter gradients must agree."""
    results = []
    for device in ("cpu", "cuda"):
        minitorch.manual_seed(0)
        module = make_module().to(device)
        xs = [minitorch.tensor(a, device=device, requires_grad=a.dtype.kind == "f")
              for a in inputs]
        out = module(*xs)
        loss_of(out).backward()
        results.append((out, [x.grad for x in xs if x.requires_grad],
                        [p.grad for p in module.parameters()], module))
    (cpu_out, cpu_grads, cpu_pgrads, _), (gpu_out, gpu_grads, gpu_pgrads, gpu_module) = results
    assert gpu_out.device == CUDA
    pairs = [(cpu_out, gpu_out), *zip(cpu_grads, gpu_grads), *zip(cpu_pgrads, gpu_pgrads)]
    for i, (want, got) in enumerate(pairs):
        assert (want is None) == (got is None), i
        if want is not None:
            assert got.device == CUDA, i
            np.testing.assert_allclose(got.detach().cpu().numpy(), want.detach().numpy(),
                                       rtol=1e-5, atol=1e-5, err_msg=f"tensor {i}")
    for name, buf in gpu_module.named_buffers():
        assert buf.device == CUDA, name


X = np.random.default_rng(7).standard_normal((5, 4)).astype(np.float32)
LAYERS = {
    "Linear": (lambda: nn.Linear(4, 3), [X]),
    "Linear, no bias": (lambda: nn.Linear(4, 2, bias=False), [X]),
    "LeakyReLU": (lambda: nn.LeakyReLU(0.1), [X]),
    "Sigmoid, Tanh": (lambda: nn.Sequential(nn.Sigmoid(), nn.Tanh()), [X]),
    "GELU": (lambda: nn.GELU(), [X]),
    "Softmax": (lambda: nn.Softmax(dim=1), [X]),
    "LogSoftmax": (lambda: nn.LogSoftmax(dim=0), [X]),
    "BatchNorm1d (training)": (lambda: nn.BatchNorm1d(4), [X]),
    "LayerNorm": (lambda: nn.LayerNorm(4), [X]),
    "Flatten": (lambda: nn.Flatten(), [X.reshape(5, 2, 2)]),
    "Embedding": (lambda: nn.Embedding(6, 3), [np.array([[0, 5], [2, 2]])]),
    "Dropout (eval)": (lambda: nn.Dropout(0.5).eval(), [X]),
}


@pytest.mark.parametrize("name", LAYERS)
def test_layers_on_the_gpu_match_the_cpu(name):
    make, inputs = LAYERS[name]
    _same_on_both_devices(make, inputs)


def test_batchnorm_running_statistics_stay_on_the_gpu_and_match():
    means = []
    for device in ("cpu", "cuda"):
        bn = nn.BatchNorm1d(4).to(device)
        bn(minitorch.tensor(X, device=device))
        assert bn.running_mean.device.type == device
        means.append(bn.running_mean.cpu().numpy())
    np.testing.assert_allclose(means[1], means[0], rtol=1e-6)


class _Loss(nn.Module):
    """A loss between the first input and a fixed target, as a module."""

    def __init__(self, fn, target):
        super().__init__()
        self.fn, self.target = fn, target

    def forward(self, x):
        return self.fn(x, minitorch.tensor(self.target, device=x.device))


TARGETS = np.array([0, 2, 1, 2, 0])
LOSSES = {
    "mse_loss": (F.mse_loss, X[::-1].copy()),
    "l1_loss": (F.l1_loss, X[::-1].copy()),
    "binary_cross_entropy_with_logits": (F.binary_cross_entropy_with_logits,
                                         (X > 0).astype(np.float32)),
    "cross_entropy": (F.cross_entropy, TARGETS),
    "cross_entropy, label_smoothing": (
        lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1), TARGETS),
    "cross_entropy, ignore_index": (lambda x, t: F.cross_entropy(x, t, ignore_index=2), TARGETS),
    "nll_loss, sum": (lambda x, t: F.nll_loss(F.log_softmax(x, 1), t, reduction="sum"),
                      TARGETS),
}


@pytest.mark.parametrize("name", LOSSES)
def test_losses_on_the_gpu_match_the_cpu(name):
    fn, target = LOSSES[name]
    inputs = [X[:, :3].copy()] if target.dtype.kind == "i" else [X]
    _same_on_both_devices(lambda: _Loss(fn, target), inputs, loss_of=lambda out: out)


OPTIMIZERS = {
    "SGD, nesterov, weight decay": lambda p: minitorch.optim.SGD(
        p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "Adam, amsgrad": lambda p: minitorch.optim.Adam(p, lr=0.01, amsgrad=True),
    "AdamW": lambda p: minitorch.optim.AdamW(p, lr=0.01, weight_decay=0.1),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizers_and_schedulers_step_the_same_on_the_gpu(name):
    weights = []
    for device in ("cpu", "cuda"):
        minitorch.manual_seed(0)
        model = nn.Linear(4, 2).to(device)
        optimizer = OPTIMIZERS[name](model.parameters())
        scheduler = minitorch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=3)
        x = minitorch.tensor(X, device=device)
        for _ in range(2):
            optimizer.zero_grad()
            model(x).pow(2).mean().backward()
            optimizer.step()
            scheduler.step()
        # (as PyTorch's, the step counts stay 0-d CPU tensors: Python reads them every step)
        assert all(t.device.type == device for state in optimizer.state.values()
                   for key, t in state.items() if key != "step")
        weights.append(model.weight.detach().cpu().numpy())
    np.testing.assert_allclose(weights[1], weights[0], rtol=1e-5, atol=1e-7)
