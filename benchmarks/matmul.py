"""Matrix product: minitorch's `fast` backend against NumPy's `@` (BLAS), in the same run.

Square products n x n @ n x n for n = 64, 128, 256, 512, 1024 and a batched product
32 x 128 x 128 @ 32 x 128 x 128, in float32 and float64, on the same random data. Each time is
the median over --repeats samples after a warm-up call (which compiles minitorch's kernel,
or loads it from the disk cache); short calls are looped so that a sample lasts about
50 ms. The minitorch side is `a @ b` on tensors (no autograd), the whole operation: its
Python layers, the output allocation and the Numba kernel (parallel from 4,194,304
multiply-adds on: n >= 162). GFLOP/s counts 2 n^3 operations.

minitorch's `a @ b` runs task 4.5's packed, register-blocked kernel (`fast_ops.blocked_matmul`)
once it is written; the "4.4 ratio" column times task 4.4's tiled kernel (`tiled_matmul`) on the
same data, for comparison.

ratio = NumPy's time / minitorch's: above 1, minitorch is faster. The results are checked
against NumPy's (the match column).

Both sides use --threads threads (default: the cores): OPENBLAS_NUM_THREADS,
OMP_NUM_THREADS, MKL_NUM_THREADS and NUMBA_NUM_THREADS are set before NumPy and minitorch are
imported.

Usage: .venv/bin/python benchmarks/matmul.py [--threads N] [--repeats 5] [--sizes 64 128 ...]
"""

import argparse

import timing

SIZES = (64, 128, 256, 512, 1024)
BATCHED = (32, 128, 128)


def shapes(sizes, batched):
    """(label, shape of a, shape of b) for each product."""
    for n in sizes:
        yield f"{n}x{n}", (n, n), (n, n)
    if batched:
        b, n, m = BATCHED
        yield f"{b}x{n}x{m} (batched)", (b, n, m), (b, m, m)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    timing.add_threads_argument(parser)
    parser.add_argument("--repeats", type=int, default=5,
                        help="timed samples per case, median reported (default 5)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES),
                        help=f"square sizes n (default {' '.join(map(str, SIZES))})")
    parser.add_argument("--no-batched", action="store_true",
                        help=f"leave out the batched {'x'.join(map(str, BATCHED))} product")
    parser.add_argument("--dtypes", nargs="+", default=["float32", "float64"],
                        choices=["float32", "float64"])
    args = parser.parse_args()
    timing.pin_threads(args.threads)

    import numpy as np

    import minitorch
    from minitorch import fast_ops

    minitorch.set_default_backend("fast")
    timing.print_header("Matrix product: minitorch (fast backend) against NumPy @",
                        args.threads)
    task, name = fast_ops.TASKS["matmul"]
    print(f"minitorch's kernel: task {task} ({name})")
    rng = np.random.default_rng(0)
    rows = []
    for dtype in args.dtypes:
        for label, a_shape, b_shape in shapes(args.sizes, not args.no_batched):
            a_np = rng.standard_normal(a_shape).astype(dtype)
            b_np = rng.standard_normal(b_shape).astype(dtype)
            a, b = minitorch.from_numpy(a_np), minitorch.from_numpy(b_np)
            ours = timing.measure(lambda a=a, b=b: a @ b, args.repeats)
            theirs = timing.measure(lambda a=a_np, b=b_np: a @ b, args.repeats)
            chosen, fast_ops.tensor_matmul = fast_ops.tensor_matmul, fast_ops.tiled_matmul
            tiled = timing.measure(lambda a=a, b=b: a @ b, args.repeats)
            fast_ops.tensor_matmul = chosen
            expected = a_np @ b_np
            tol = 1e-3 if dtype == "float32" else 1e-9
            scale = np.abs(a_np) @ np.abs(b_np)  # bound on the rounding of each sum
            match = np.all(np.abs((a @ b).numpy() - expected) <= tol * scale + tol)
            flops = 2 * np.prod(a_shape) * b_shape[-1]
            rows.append([label, dtype, timing.seconds(ours), timing.seconds(theirs),
                         f"{flops / ours / 1e9:.2f}", f"{flops / theirs / 1e9:.2f}",
                         timing.ratio(theirs, ours), timing.ratio(theirs, tiled),
                         "yes" if match else "NO"])
    timing.print_table(["product", "dtype", "minitorch", "numpy", "GFLOP/s mt",
                        "GFLOP/s np", "ratio", "4.4 ratio", "match"], rows)
    print(f"\nmedians of {args.repeats} samples; ratio = numpy / minitorch "
          "(above 1: minitorch is faster)")


if __name__ == "__main__":
    main()
