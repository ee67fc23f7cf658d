"""Convolution: conv2d forward, and forward + backward, in minitorch (`fast` backend) against
PyTorch on the CPU, in the same run and at the same threads.

Cases (batch --batch, default 64, float32, 3x3 kernels, padding 1, with a bias):

- 3x32x32 -> 32 channels (a CIFAR network's first layer);
- 32x16x16 -> 64 channels (its second, after a 2x2 pool);
- and, for pooling, max_pool2d(2) of the 32x32x32 feature maps;
- a LeNet-sized CNN (two conv 3x3 - ReLU - max-pool blocks of 6 and 16 channels, then
  linear layers of 120, 84 and 10) trained for one epoch on the 1,797 8x8 digits: batches of
  32 in the same seeded order, SGD with momentum, the same initial weights in both.

"forward" is `F.conv2d(x, w, b)` (or the pool); "fwd+bwd" also runs
`out.backward(grad)`, which computes the gradients of the input, the weight and the bias.
Each figure is the median of --repeats samples after a warm-up that compiles minitorch's
kernels (or loads them from the disk cache). ratio = PyTorch's time / minitorch's: above 1,
minitorch is faster.

Both sides use --threads threads (default: the cores), set before anything is imported, and
torch.set_num_threads(--threads). PyTorch's columns are left out when it is not installed.

Usage: .venv/bin/python benchmarks/conv.py [--batch 64] [--threads N] [--repeats 5]
       [--epoch-batch 32]
"""

import argparse

import timing

CASES = [  # (name, in channels, size, out channels)
    ("3x32x32 -> 32", 3, 32, 32),
    ("32x16x16 -> 64", 32, 16, 64),
]


def conv_step(lib, F, x, w, b, grad, backward):
    def run():
        out = F.conv2d(x, w, b, padding=1)
        if backward:
            out.backward(grad)
    return run


def pool_step(lib, F, x, grad, backward):
    def run():
        out = F.max_pool2d(x, 2)
        if backward:
            out.backward(grad)
    return run


def tensors(lib, arrays, requires_grad=True):
    return [lib.tensor(a, requires_grad=requires_grad) for a in arrays]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epoch-batch", type=int, default=32)
    timing.add_threads_argument(parser)
    args = parser.parse_args()
    timing.pin_threads(args.threads)

    import numpy as np

    import minitorch

    torch = timing.import_torch(args.threads)
    minitorch.set_default_backend("fast")
    timing.print_header("conv2d and max_pool2d, forward and forward + backward "
                        f"(batch {args.batch}, float32)", args.threads)
    rng = np.random.default_rng(0)
    libs = [(minitorch, minitorch.nn.functional)]
    if torch is not None:
        libs.append((torch, torch.nn.functional))

    rows = []
    for name, c_in, size, c_out in CASES:
        arrays = [rng.standard_normal((args.batch, c_in, size, size)).astype(np.float32),
                  rng.standard_normal((c_out, c_in, 3, 3)).astype(np.float32) * 0.1,
                  rng.standard_normal(c_out).astype(np.float32)]
        grad = rng.standard_normal((args.batch, c_out, size, size)).astype(np.float32)
        for backward in (False, True):
            times = []
            for lib, F in libs:
                x, w, b = tensors(lib, arrays, requires_grad=backward)
                step = conv_step(lib, F, x, w, b, lib.tensor(grad), backward)
                times.append(timing.measure(step, repeats=args.repeats, target=0.2))
            rows.append(_row(f"conv2d {name}", backward, times))
    pooled = rng.standard_normal((args.batch, 32, 32, 32)).astype(np.float32)
    pool_grad = rng.standard_normal((args.batch, 32, 16, 16)).astype(np.float32)
    for backward in (False, True):
        times = []
        for lib, F in libs:
            (x,) = tensors(lib, [pooled], requires_grad=backward)
            step = pool_step(lib, F, x, lib.tensor(pool_grad), backward)
            times.append(timing.measure(step, repeats=args.repeats, target=0.2))
        rows.append(_row("max_pool2d(2) 32x32x32", backward, times))
    times = [timing.measure(_epoch(*_digit_batches(lib, args.epoch_batch)), repeats=3,
                            target=0.5) for lib, _ in libs]
    rows.append(_row(f"LeNet epoch, digits (batch {args.epoch_batch})", True, times))
    timing.print_table(["case", "pass", "minitorch", "PyTorch", "ratio"], rows)


def lenet(nn):
    """The LeNet-sized CNN for (N, 1, 8, 8) digits, built from `nn` (minitorch's or torch's)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 2 * 2, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def _digit_batches(lib, batch):
    """The digits as (N, 1, 8, 8) batches of `lib` tensors, in one seeded order."""
    import numpy as np

    import minitorch

    images, labels = (t.numpy() for t in minitorch.datasets.digits())
    order = np.random.default_rng(0).permutation(len(labels))
    images, labels = images[order].reshape(-1, 1, 8, 8), labels[order]
    batches = [(lib.tensor(images[i:i + batch]), lib.tensor(labels[i:i + batch]))
               for i in range(0, len(labels), batch)]
    return lib, batches


def _epoch(lib, batches):
    """One training epoch of a fresh LeNet (the same initial weights in both libraries)."""
    import numpy as np

    import minitorch

    minitorch.manual_seed(0)
    weights = [p.detach().numpy() for p in lenet(minitorch.nn).parameters()]
    model = lenet(lib.nn)
    with lib.no_grad():
        for p, w in zip(model.parameters(), weights):
            p.copy_(lib.tensor(np.ascontiguousarray(w)))
    optimizer = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = lib.nn.functional.cross_entropy

    def run():
        for images, labels in batches:
            optimizer.zero_grad()
            loss_fn(model(images), labels).backward()
            optimizer.step()
    return run


def _row(name, backward, times):
    ours, theirs = times[0], times[1] if len(times) > 1 else None
    return [name, "fwd+bwd" if backward else "forward", timing.seconds(ours),
            timing.seconds(theirs), timing.ratio(theirs, ours)]


if __name__ == "__main__":
    main()
