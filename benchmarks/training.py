"""Training: one epoch of an MLP in minitorch (`fast` backend) against PyTorch, in the same run.

minitorch runs the PyTorch code unchanged, so the two sides are the very same loop over
`lib.nn`, `lib.optim` and `lib.utils.data.DataLoader`, with `lib` = minitorch or torch:

- MNIST-sized: an MLP 784-128-10 (Linear, ReLU, Linear) on --samples random float32
  samples (default 60,000: MNIST's training set; uniform pixels, random labels 0-9), batch
  64 with shuffling, SGD(lr=0.01), CrossEntropyLoss, one epoch (--epochs);
- quickstart: the model of PyTorch's quickstart tutorial, an MLP 784-512-512-10 (ReLU), on
  --quickstart-samples random samples (default 10,000), batch 64, SGD(lr=1e-3), one epoch;
- digits: the classifier of the course on `minitorch.datasets.digits()` (1,797 8x8 images),
  an MLP 64-64-10, Adam (lr 1e-3), batch 32, --digits-epochs epochs (median epoch time).

Each step is `zero_grad(); loss = loss_fn(model(x), y); loss.backward(); step()` plus
`loss.item()`. Before the timed epochs --warmup steps run untimed; the first of them, which
compiles minitorch's kernels (or loads them from the disk cache), is reported as "first
step". "epoch" is the wall time of a whole epoch (the DataLoader included); "step" the
median of the steps. ratio = PyTorch's epoch time / minitorch's: above 1, minitorch is faster.

Both sides use --threads threads (default: the cores): OPENBLAS_NUM_THREADS,
OMP_NUM_THREADS, MKL_NUM_THREADS and NUMBA_NUM_THREADS are set before anything is imported,
and torch.set_num_threads(--threads). PyTorch's column is left out when it is not installed.

Usage: .venv/bin/python benchmarks/training.py [--samples 60000] [--threads N]
    [--quickstart-samples 10000] [--digits-epochs 3] [--no-progress] [--profile STEPS]
    A quick run: --samples 3000 --quickstart-samples 1000 --digits-epochs 1
    --profile 300: no comparison; cProfile over 300 steps of minitorch's MNIST-sized loop
    (after the warm-up), the top functions by own time and by cumulative time.
"""

import argparse
import cProfile
import dataclasses
import pstats
import statistics
import sys
import time

import timing


@dataclasses.dataclass
class Run:
    """The times of one framework on one task."""
    first_step: float
    epochs: list  # seconds per epoch
    steps: list  # seconds per step, all epochs
    loss: float  # mean loss of the last epoch
    accuracy: float  # on the training data, after the last epoch (None: not measured)


def mlp(lib, sizes):
    """Linear layers of `sizes` with a ReLU between each two."""
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        if i:
            layers.append(lib.nn.ReLU())
        layers.append(lib.nn.Linear(n_in, n_out))
    return lib.nn.Sequential(*layers)


def train(lib, label, images, labels, sizes, optimizer, batch_size, epochs, warmup,
          progress, score):
    """Train a fresh `mlp(lib, sizes)` on the NumPy arrays `images`, `labels`; with `score`,
    measure the accuracy on them afterwards."""
    from tqdm import tqdm

    lib.manual_seed(0)
    loader, model, step = training_loop(lib, images, labels, sizes, optimizer, batch_size)
    first = None
    for i, (x, y) in enumerate(loader):  # warm-up, untimed; the first step counted apart
        if i == warmup:
            break
        start = time.perf_counter()
        step(x, y)
        first = time.perf_counter() - start if first is None else first
    epoch_times, step_times = [], []
    for epoch in range(epochs):
        losses = []
        start_epoch = time.perf_counter()
        bar = tqdm(loader, desc=f"{label} epoch {epoch + 1}/{epochs}", unit="batch",
                   leave=False, disable=not progress)
        for x, y in bar:
            start = time.perf_counter()
            losses.append(step(x, y))
            step_times.append(time.perf_counter() - start)
            if len(losses) % 20 == 0:
                bar.set_postfix(loss=f"{losses[-1]:.3f}", refresh=False)
        epoch_times.append(time.perf_counter() - start_epoch)
    accuracy = None
    if score:
        with lib.no_grad():
            x_all, y_all = loader.dataset.tensors
            accuracy = (model(x_all).argmax(1) == y_all).float().mean().item()
    return Run(first, epoch_times, step_times, statistics.fmean(losses), accuracy)


def training_loop(lib, images, labels, sizes, optimizer, batch_size):
    """A shuffling loader over the NumPy arrays, a fresh `mlp(lib, sizes)`, and `step(x, y)`:
    one optimizer step with cross-entropy, returning the loss."""
    data = lib.utils.data
    loader = data.DataLoader(data.TensorDataset(lib.from_numpy(images), lib.from_numpy(labels)),
                             batch_size=batch_size, shuffle=True)
    model = mlp(lib, sizes)
    opt = optimizer(lib, model.parameters())
    loss_fn = lib.nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return loader, model, step


def profile(lib, images, labels, warmup):
    """cProfile over the steps of one epoch of the MNIST-sized loop, after `warmup` steps."""
    loader, _, step = training_loop(lib, images, labels, (784, 128, 10), sgd, 64)
    for i, (x, y) in enumerate(loader):
        if i == max(warmup, 1):
            break
        step(x, y)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for x, y in loader:
        step(x, y)
    profiler.disable()
    elapsed = time.perf_counter() - start
    print(f"\nprofiled {len(loader)} steps of the MLP 784-128-10 (batch 64, SGD): "
          f"{elapsed:.2f} s, {elapsed / len(loader) * 1e3:.2f} ms per step (with the "
          "profiler's own cost)")
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(20)
    stats.sort_stats("cumulative").print_stats(30)


def sgd(lib, params):
    return lib.optim.SGD(params, lr=0.01)


def quickstart_sgd(lib, params):
    return lib.optim.SGD(params, lr=1e-3)


def adam(lib, params):
    return lib.optim.Adam(params, lr=1e-3)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    timing.add_threads_argument(parser)
    parser.add_argument("--samples", type=int, default=60_000,
                        help="random MNIST-sized samples (default 60000)")
    parser.add_argument("--epochs", type=int, default=1,
                        help="timed epochs of the MNIST-sized MLP (default 1)")
    parser.add_argument("--quickstart-samples", type=int, default=10_000,
                        help="random samples for the quickstart MLP 784-512-512-10 (default "
                             "10000; 0: skip it)")
    parser.add_argument("--digits-epochs", type=int, default=3,
                        help="timed epochs of the digits classifier (default 3; 0: skip it)")
    parser.add_argument("--warmup", type=int, default=3,
                        help="untimed steps before the timed epochs (default 3)")
    parser.add_argument("--no-progress", action="store_true", help="no tqdm progress bars")
    parser.add_argument("--profile", type=int, metavar="STEPS",
                        help="profile STEPS steps of minitorch's MNIST-sized loop instead")
    args = parser.parse_args()
    timing.pin_threads(args.threads)

    import numpy as np

    import minitorch

    minitorch.set_default_backend("fast")
    torch = timing.import_torch(args.threads)
    timing.print_header("Training: minitorch (fast backend) against PyTorch (CPU)",
                        args.threads)
    sys.stdout.flush()  # before the progress bars, which go to stderr
    libraries = [("minitorch", minitorch)] + ([("torch", torch)] if torch else [])

    rng = np.random.default_rng(0)
    if args.profile:
        n = args.profile * 64
        profile(minitorch, rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n),
                args.warmup)
        return
    tasks = [("MLP 784-128-10, SGD, batch 64", f"{args.samples} random samples",
              rng.random((args.samples, 784), dtype=np.float32),
              rng.integers(0, 10, args.samples), (784, 128, 10), sgd, 64, args.epochs, False)]
    if args.quickstart_samples > 0:
        n = args.quickstart_samples
        tasks.append(("quickstart MLP 784-512-512-10, SGD, batch 64", f"{n} random samples",
                      rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n),
                      (784, 512, 512, 10), quickstart_sgd, 64, args.epochs, False))
    if args.digits_epochs > 0:
        images, labels = minitorch.datasets.digits()
        tasks.append(("digits MLP 64-64-10, Adam, batch 32", f"{len(labels)} digits",
                      images.numpy(), labels.numpy(), (64, 64, 10), adam, 32,
                      args.digits_epochs, True))

    rows, notes = [], []
    for task, data, images, labels, sizes, optimizer, batch, epochs, score in tasks:
        runs = {}
        for name, lib in libraries:
            runs[name] = train(lib, name, images, labels, sizes, optimizer, batch, epochs,
                               args.warmup, not args.no_progress, score)
        mt, pt = runs["minitorch"], runs.get("torch")
        mt_epoch = statistics.median(mt.epochs)
        pt_epoch = statistics.median(pt.epochs) if pt else None
        rows.append([task, timing.seconds(mt_epoch), timing.seconds(pt_epoch),
                     timing.seconds(statistics.median(mt.steps)),
                     timing.seconds(statistics.median(pt.steps)) if pt else "-",
                     timing.ratio(pt_epoch, mt_epoch), timing.seconds(mt.first_step),
                     f"{mt.loss:.3f}" + (f" / {pt.loss:.3f}" if pt else ""),
                     "-" if mt.accuracy is None else
                     f"{mt.accuracy:.3f}" + (f" / {pt.accuracy:.3f}" if pt else "")])
        notes.append(f"{task}: {data}, {len(mt.steps) // epochs} steps per epoch, "
                     f"{epochs} timed epoch(s) (median); minitorch "
                     f"{len(labels) / mt_epoch:,.0f} samples/s"
                     + (f", torch {len(labels) / pt_epoch:,.0f} samples/s" if pt else ""))
    timing.print_table(["task", "minitorch epoch", "torch epoch", "mt step", "torch step",
                        "ratio", "mt first step", "loss mt / torch", "train acc mt / torch"],
                       rows)
    print()
    for note in notes:
        print(note)
    print("ratio = torch epoch / minitorch epoch (above 1: minitorch is faster); loss: mean "
          "over the last epoch; train acc: accuracy on the training data afterwards (digits only: "
          "the MNIST-sized labels are random)")


if __name__ == "__main__":
    main()
