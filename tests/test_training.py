"""The top layer working together, as the PyTorch tutorials use it: a model, a loss, an
optimizer, a data loader, a checkpoint, and a training loop that learns."""

import math

import numpy as np
import pytest

import minitorch
from minitorch import nn, optim
from minitorch.utils.data import DataLoader, TensorDataset, random_split


def count(model) -> int:
    return sum(p.numel() for p in model.parameters())


def test_the_classic_mlp_has_101770_parameters_and_prints_like_pytorch():
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    assert count(model) == 101_770
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=784, out_features=128, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=128, out_features=10, bias=True)\n"
        ")")


def test_a_50_30_20_3_mlp_has_2213_parameters():
    model = nn.Sequential(nn.Linear(50, 30), nn.ReLU(), nn.Linear(30, 20), nn.ReLU(),
                          nn.Linear(20, 3))
    assert count(model) == 2_213


def test_linear_regression_with_sgd_finds_slope_and_intercept():
    minitorch.manual_seed(0)
    x = minitorch.linspace(-1, 1, 100).reshape(100, 1)
    y = math.pi * x + 42
    model = nn.Linear(1, 1)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.MSELoss()
    for _ in range(1000):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    assert model.weight.item() == pytest.approx(math.pi, abs=1e-3)
    assert model.bias.item() == pytest.approx(42, abs=1e-3)


def test_a_state_dict_survives_save_and_load(tmp_path):
    minitorch.manual_seed(1)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    x = minitorch.randn(5, 4)
    minitorch.save({"model": model.state_dict(), "epoch": 3}, tmp_path / "checkpoint.mt")
    other = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    checkpoint = minitorch.load(tmp_path / "checkpoint.mt")
    other.load_state_dict(checkpoint["model"])
    assert checkpoint["epoch"] == 3
    np.testing.assert_array_equal(other(x).detach().numpy(), model(x).detach().numpy())


def accuracy(model, loader) -> float:
    model.eval()
    right = total = 0
    with minitorch.no_grad():
        for images, labels in loader:
            right += (model(images).argmax(dim=1) == labels).sum().item()
            total += labels.shape[0]
    model.train()
    return right / total


def test_an_mlp_learns_the_digits():
    """DataLoader + CrossEntropyLoss + Adam on the packaged 8x8 digits: at least 95% on a
    held-out fifth, with a fixed seed."""
    minitorch.manual_seed(0)
    images, labels = minitorch.datasets.digits()
    train, test = random_split(TensorDataset(images, labels), [0.8, 0.2],
                               generator=minitorch.Generator().manual_seed(0))
    train_loader = DataLoader(train, batch_size=32, shuffle=True)
    test_loader = DataLoader(test, batch_size=256)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(15):
        for batch, target in train_loader:
            optimizer.zero_grad()
            loss_fn(model(batch), target).backward()
            optimizer.step()
    assert accuracy(model, test_loader) >= 0.95
