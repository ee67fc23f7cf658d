"""The tutorials' image classifier, written as a PyTorch tutorial writes it with `import
minitorch as torch`: two conv-BN-ReLU-pool blocks, dropout and two linear layers for 3x32x32
images, trained with Adam (weight decay) and a cosine schedule on random CIFAR-shaped data,
and checkpointed with `save` / `load`; the same model learning the digits (as 3x32x32
images); and a conv-BN-ReLU-pool block on the cuda backend."""

import numpy as np
import pytest

import minitorch as torch
from minitorch import nn, optim
from minitorch.nn import functional as F


class CNN(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, kernel_size=3, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(0.25),
            nn.Linear(32 * 8 * 8, 64),
            nn.ReLU(),
            nn.Linear(64, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def test_the_cnn_has_pytorchs_shapes_and_parameter_count():
    model = CNN()
    assert model(torch.randn(2, 3, 32, 32)).shape == (2, 10)
    # conv 3*16*9 + 16, bn 2*16, conv 16*32*9 + 32, bn 2*32, linear 2048*64 + 64, 64*10 + 10
    expected = 448 + 32 + 4640 + 64 + 131136 + 650
    assert sum(p.numel() for p in model.parameters()) == expected
    buffers = dict(model.named_buffers())
    assert buffers["features.1.running_mean"].shape == (16,)
    assert buffers["features.5.num_batches_tracked"].shape == ()


def test_training_lowers_the_loss_and_a_checkpoint_restores_the_run(tmp_path):
    torch.manual_seed(0)
    images, labels = torch.randn(16, 3, 32, 32), torch.randint(0, 10, (16,))
    model = CNN()
    optimizer = optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
    losses = []
    for _ in range(6):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0], losses
    assert scheduler.get_last_lr()[0] < 3e-3

    path = tmp_path / "checkpoint.mt"
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(), "epoch": 6}, path)
    checkpoint = torch.load(path)
    restored = CNN()
    restored.load_state_dict(checkpoint["model"])
    restored_optimizer = optim.Adam(restored.parameters(), lr=3e-3, weight_decay=1e-4)
    restored_optimizer.load_state_dict(checkpoint["optimizer"])
    restored_scheduler = optim.lr_scheduler.CosineAnnealingLR(restored_optimizer, T_max=10)
    restored_scheduler.load_state_dict(checkpoint["scheduler"])
    assert checkpoint["epoch"] == 6
    model.eval()
    restored.eval()  # (eval: the running statistics, no dropout)
    assert restored(images).equal(model(images))
    assert restored_scheduler.get_last_lr() == scheduler.get_last_lr()
    # one more step of each run (no dropout, BatchNorm on the batch) lands in the same place
    for m, opt in ((model, optimizer), (restored, restored_optimizer)):
        m.train()
        m.classifier[1].p = 0.0
        opt.zero_grad()
        F.cross_entropy(m(images), labels).backward()
        opt.step()
    for (name, p), (_, q) in zip(model.named_parameters(), restored.named_parameters()):
        assert p.equal(q), name


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU and the simulator is off")
def test_a_conv_bn_relu_pool_block_on_cuda_matches_the_cpu():
    torch.manual_seed(2)
    block = nn.Sequential(nn.Conv2d(2, 2, 3, padding=1), nn.BatchNorm2d(2), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 3))
    x, target = torch.randn(2, 2, 4, 4), torch.tensor([0, 2])
    results = []
    for device in ("cpu", "cuda"):
        block.to(device).zero_grad()
        block[1].reset_running_stats()  # (each run updates them once)
        loss = F.cross_entropy(block(x.to(device)), target.to(device))
        loss.backward()
        results.append([loss.item()] + [p.grad.cpu().numpy() for p in block.parameters()]
                       + [block[1].running_var.cpu().numpy()])
    for cpu, gpu in zip(*results):
        np.testing.assert_allclose(gpu, cpu, rtol=1e-4, atol=1e-5)


def test_the_cnn_learns_the_digits_as_cifar_shaped_images():
    """The same model on real data: 8x8 digits as 3x32x32 images (grey in all three channels,
    each pixel a 4x4 block), three epochs on 160 of them, then 200 it has not seen."""
    images, labels = torch.datasets.digits()
    pictures = np.kron(images.numpy().reshape(-1, 1, 8, 8), np.ones((1, 3, 4, 4), np.float32))
    x, y = torch.tensor(pictures[:360]), labels[:360]
    torch.manual_seed(1)
    model = CNN()
    optimizer = optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=3)
    for _ in range(3):
        model.train()
        for start in range(0, 160, 32):
            optimizer.zero_grad()
            F.cross_entropy(model(x[start:start + 32]), y[start:start + 32]).backward()
            optimizer.step()
        scheduler.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(x[160:]).argmax(dim=1) == y[160:]).float().mean().item()
    assert accuracy >= 0.8, accuracy
