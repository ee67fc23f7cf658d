"""Per-operation overhead: a one-element add, and its backward, in microseconds.

On one-element tensors the arithmetic is free, so the time is what every operation pays
before and after its kernel: argument checks, type promotion, allocating the output, the
autograd record, and (for minitorch) the Python layers around the kernel launch. minitorch
is timed on both backends (`simple`: the pure-Python kernels, `fast`: the Numba ones),
against PyTorch (CPU; left out when it is not installed) and NumPy (`x + y` on
one-element arrays; NumPy has no backward).

- add: `x + y` on tensors without requires_grad (no graph is recorded);
- add + backward: `z = x + y; z.backward()` with `x`, `y` leaves that require grad (the
  gradients accumulate into `x.grad` and `y.grad`, on both sides).

Each time is the median over --repeats samples after a warm-up call; a sample loops the
operation for about 50 ms and counts the mean. ratio = PyTorch's (or NumPy's) time /
minitorch's: above 1, minitorch is faster.

The thread variables (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, MKL_NUM_THREADS,
NUMBA_NUM_THREADS, and torch.set_num_threads) are set to --threads (default: the cores)
before anything is imported; one-element tensors run on one thread anyway.

Usage: .venv/bin/python benchmarks/overhead.py [--threads N] [--repeats 15]
"""

import argparse

import timing


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    timing.add_threads_argument(parser)
    parser.add_argument("--repeats", type=int, default=15,
                        help="timed samples per case, median reported (default 15)")
    args = parser.parse_args()
    timing.pin_threads(args.threads)

    import numpy as np

    import minitorch

    torch = timing.import_torch(args.threads)
    timing.print_header("Per-operation overhead: a one-element float32 add, and its "
                        "backward", args.threads)

    def add_backward(x, y):
        def run():
            z = x + y
            z.backward()
        return run

    def leaves(make, **kwargs):
        return make([1.0], **kwargs), make([2.0], **kwargs)

    times = {}  # (case, side) -> seconds
    for backend in ("simple", "fast"):
        def make(data, backend=backend, **kwargs):
            return minitorch.tensor(data, dtype=minitorch.float32, backend=backend, **kwargs)
        x, y = leaves(make)
        times["add", backend] = timing.measure(lambda x=x, y=y: x + y, args.repeats)
        x, y = leaves(make, requires_grad=True)
        times["add + backward", backend] = timing.measure(add_backward(x, y), args.repeats)
    if torch is not None:
        def make(data, **kwargs):
            return torch.tensor(data, dtype=torch.float32, **kwargs)
        x, y = leaves(make)
        times["add", "torch"] = timing.measure(lambda: x + y, args.repeats)
        xg, yg = leaves(make, requires_grad=True)
        times["add + backward", "torch"] = timing.measure(add_backward(xg, yg), args.repeats)
    x_np = np.array([1.0], dtype=np.float32)
    y_np = np.array([2.0], dtype=np.float32)
    times["add", "numpy"] = timing.measure(lambda: x_np + y_np, args.repeats)

    rows = []
    for case in ("add", "add + backward"):
        for backend in ("simple", "fast"):
            ours = times[case, backend]
            torch_time, numpy_time = times.get((case, "torch")), times.get((case, "numpy"))
            rows.append([case, backend, f"{ours * 1e6:.1f}",
                         f"{torch_time * 1e6:.1f}" if torch_time else "-",
                         f"{numpy_time * 1e6:.2f}" if numpy_time else "-",
                         timing.ratio(torch_time, ours), timing.ratio(numpy_time, ours)])
    timing.print_table(["operation", "backend", "minitorch us", "torch us", "numpy us",
                        "torch/mt", "numpy/mt"], rows)
    print(f"\nmicroseconds per operation, medians of {args.repeats} samples; ratio = "
          "their time / minitorch's (above 1: minitorch is faster)")


if __name__ == "__main__":
    main()
