"""Per-operation cost of the pure-Python `simple` backend, against NumPy in the same run.

The simple backend is the teaching version (assignment 01): it is expected to be orders of
magnitude slower than NumPy on large tensors. This script records the baseline that the
compiled backends of later assignments are measured against.

Usage: OPENBLAS_NUM_THREADS=1 python benchmarks/simple_backend.py [--repeats 7]
"""

import argparse
import statistics
import time

import numpy as np

import minitorch


def median_seconds(fn, repeats):
    """Median wall time of `fn()` over `repeats` runs (after one warm-up run)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cases():
    """(name, minitorch thunk, NumPy thunk) triples over the same data."""
    for n in (1, 100, 10_000):
        a_np = np.random.default_rng(0).standard_normal(n).astype(np.float32)
        b_np = np.random.default_rng(1).standard_normal(n).astype(np.float32)
        a, b = minitorch.from_numpy(a_np), minitorch.from_numpy(b_np)
        yield f"add n={n}", (lambda a=a, b=b: a + b), (lambda a=a_np, b=b_np: a + b)
        yield f"exp n={n}", (lambda a=a: a.exp()), (lambda a=a_np: np.exp(a))
        yield f"sum n={n}", (lambda a=a: a.sum()), (lambda a=a_np: a.sum())
    for n in (8, 32):
        m_np = np.random.default_rng(2).standard_normal((n, n)).astype(np.float32)
        m = minitorch.from_numpy(m_np)
        yield f"matmul {n}x{n}", (lambda m=m: m @ m), (lambda m=m_np: m @ m)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(f"{'operation':<16}{'minitorch':>14}{'numpy':>14}{'ratio':>12}")
    for name, ours, theirs in cases():
        t_ours = median_seconds(ours, args.repeats)
        t_np = median_seconds(theirs, args.repeats)
        print(f"{name:<16}{t_ours * 1e6:>12.1f}us{t_np * 1e6:>12.1f}us{t_ours / t_np:>11.0f}x")


if __name__ == "__main__":
    main()
