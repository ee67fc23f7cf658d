"""Elementwise operations and sums: minitorch's `fast` backend against NumPy, in the same run.

- zip: `a + b` and `a * b`; map: `a.exp()`; on 10^6 and 10^7 elements (float32 by default)
  held as a square-ish 2-D array (1000 x 1000, 2500 x 4000): contiguous; transposed (`a.T`,
  `b.T`: NumPy, PyTorch and minitorch all keep the inputs' memory order in the output, so
  this is one flat loop again); and mixed (`a.T` with a contiguous `b`: one input is walked
  along its long stride, in tiles).
- reductions: `m.sum(0)` and `m.sum(1)` of a 2000 x 2000 matrix (columns and rows).

Each time is the median over --repeats samples after a warm-up call (which compiles
minitorch's kernels, or loads them from the disk cache); every case here is large enough for
the parallel kernels (minitorch.fast_ops.PARALLEL_MIN_WORK elements and up). The minitorch
side is the whole operation on tensors (no autograd): its Python layers, the output
allocation and the kernel. GB/s counts the bytes read and written once (inputs and output).

ratio = NumPy's time / minitorch's: above 1, minitorch is faster. Results are checked
against NumPy's (the match column).

Both sides use --threads threads (default: the cores): OPENBLAS_NUM_THREADS,
OMP_NUM_THREADS, MKL_NUM_THREADS and NUMBA_NUM_THREADS are set before NumPy and minitorch are
imported.

Usage: .venv/bin/python benchmarks/elementwise.py [--quick] [--threads N] [--repeats 5]
    --quick: 10^6 elements only (and the sums).
"""

import argparse

import timing

SHAPES = {10**6: (1000, 1000), 10**7: (2500, 4000)}
SUM_SHAPE = (2000, 2000)


def cases(np, minitorch, sizes, dtype):
    """(operation, layout, shape, bytes moved, minitorch thunk, NumPy thunk)."""
    rng = np.random.default_rng(0)
    for size in sizes:
        a_np = rng.standard_normal(SHAPES[size]).astype(dtype)
        b_np = rng.standard_normal(SHAPES[size]).astype(dtype)
        itemsize = a_np.itemsize
        for layout in ("contiguous", "transposed", "mixed"):
            x_np, y_np = {"contiguous": (a_np, b_np), "transposed": (a_np.T, b_np.T),
                          "mixed": (a_np.T, np.ascontiguousarray(b_np.T))}[layout]
            x, y = minitorch.from_numpy(x_np), minitorch.from_numpy(y_np)
            yield ("add", layout, x_np.shape, 3 * size * itemsize,
                   lambda x=x, y=y: x + y, lambda x=x_np, y=y_np: x + y)
            yield ("mul", layout, x_np.shape, 3 * size * itemsize,
                   lambda x=x, y=y: x * y, lambda x=x_np, y=y_np: x * y)
            yield ("exp", layout, x_np.shape, 2 * size * itemsize,
                   lambda x=x: x.exp(), lambda x=x_np: np.exp(x))
    m_np = rng.standard_normal(SUM_SHAPE).astype(dtype)
    m = minitorch.from_numpy(m_np)
    for dim in (0, 1):
        yield (f"sum(dim={dim})", "contiguous", SUM_SHAPE, m_np.nbytes,
               lambda m=m, dim=dim: m.sum(dim), lambda m=m_np, dim=dim: m.sum(axis=dim))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    timing.add_threads_argument(parser)
    parser.add_argument("--quick", action="store_true", help="10^6 elements only")
    parser.add_argument("--repeats", type=int, default=5,
                        help="timed samples per case, median reported (default 5)")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    args = parser.parse_args()
    timing.pin_threads(args.threads)

    import numpy as np

    import minitorch

    minitorch.set_default_backend("fast")
    timing.print_header("Elementwise operations and sums: minitorch (fast backend) against "
                        "NumPy", args.threads)
    sizes = [10**6] if args.quick else [10**6, 10**7]
    rows = []
    for name, layout, shape, moved, ours_fn, theirs_fn in cases(np, minitorch, sizes,
                                                                args.dtype):
        ours = timing.measure(ours_fn, args.repeats)
        theirs = timing.measure(theirs_fn, args.repeats)
        got, expected = ours_fn().numpy(), theirs_fn()
        rtol = 1e-5 if args.dtype == "float32" else 1e-12
        if name.startswith("sum"):
            rtol *= 100  # summation order differs (NumPy sums pairwise)
        match = got.shape == expected.shape and np.allclose(got, expected, rtol=rtol,
                                                            atol=rtol)
        rows.append([name, layout, "x".join(map(str, shape)), timing.seconds(ours),
                     timing.seconds(theirs),
                     f"{moved / ours / 1e9:.2f}", f"{moved / theirs / 1e9:.2f}",
                     timing.ratio(theirs, ours), "yes" if match else "NO"])
    timing.print_table(["operation", "layout", "shape", "minitorch", "numpy", "GB/s mt",
                        "GB/s np", "ratio", "match"], rows)
    print(f"\n{args.dtype}; medians of {args.repeats} samples; ratio = numpy / minitorch "
          "(above 1: minitorch is faster)")


if __name__ == "__main__":
    main()
