"""Helpers the benchmark scripts share: thread pinning, medians, the machine line, tables.

This module imports neither NumPy nor minitorch at import time: a script parses its
arguments, calls `pin_threads` (which sets the thread variables that NumPy's BLAS, OpenMP,
MKL and Numba read when they are first imported), and only then imports them.

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    timing.add_threads_argument(parser)
    args = parser.parse_args()
    timing.pin_threads(args.threads)
    import numpy as np  # noqa: E402 (after the pin)
"""

import importlib.metadata
import math
import os
import platform
import statistics
import sys
import time

PINNED = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def cores():
    """The cores this process may run on (the affinity mask, else os.cpu_count())."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def add_threads_argument(parser):
    parser.add_argument("--threads", type=int, default=cores(),
                        help="threads for NumPy's BLAS, OpenMP, MKL, Numba and PyTorch "
                             f"(default: the cores, {cores()})")


def pin_threads(threads):
    """Set every library's thread count to `threads`; call before importing NumPy, minitorch
    or torch. Raises if one of them is already imported (the setting would come too late)."""
    late = [name for name in ("numpy", "numba", "minitorch", "torch") if sys.modules.get(name)]
    if late:
        raise RuntimeError(f"pin_threads() after importing {', '.join(late)}: too late")
    if threads < 1:
        raise SystemExit(f"--threads must be at least 1, not {threads}")
    os.environ.update({name: str(threads) for name in PINNED})


def import_torch(threads):
    """PyTorch with `threads` intra-op threads, or None (and a note) when it is missing."""
    try:
        import torch
    except ImportError:
        print("note: PyTorch is not installed: its columns are left out "
              "(pip install torch to compare)")
        return None
    torch.set_num_threads(threads)
    return torch


def _version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _blas():
    """NumPy's BLAS library, e.g. 'scipy-openblas 0.3.29' (None if NumPy does not say)."""
    numpy = sys.modules.get("numpy")
    try:
        blas = numpy.__config__.CONFIG["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas['version']}"
    except (AttributeError, KeyError, TypeError):
        return None


def print_header(title, threads):
    """The lines every script starts with: what, the machine, versions, the threads."""
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.1f}"
    print(title)
    print(f"machine: {cores()} cores ({_cpu_model()}), {platform.system()} "
          f"{platform.machine()}{load}")
    versions = [f"Python {platform.python_version()}"]
    for name, dist in (("minitorch", "minitorch-course"), ("numpy", "numpy"),
                       ("numba", "numba"), ("torch", "torch")):
        version = _version(dist)
        versions.append(f"{name} {version}" if version else f"{name} not installed")
    blas = _blas()
    print("versions: " + ", ".join(versions) + (f" (NumPy BLAS: {blas})" if blas else ""))
    print(f"threads: {threads} (" + ", ".join(f"{name}={os.environ.get(name, '?')}"
                                              for name in PINNED) + ")")


def measure(fn, repeats=7, target=0.05, warmup=1):
    """Median seconds per call of `fn()` over `repeats` samples, after `warmup` calls.

    Fast calls are timed in loops (as `timeit` does): each sample runs `fn` often enough to
    take about `target` seconds, and counts as its mean. The warm-up calls also compile
    minitorch's kernels (or load them from the disk cache), which is not timed.
    """
    for _ in range(warmup):
        fn()
    start = time.perf_counter()  # one more call, timed, chooses the loop length
    fn()
    one = time.perf_counter() - start
    number = max(1, math.ceil(target / max(one, 1e-9)))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def seconds(value):
    """A duration with a unit that keeps 3 or 4 significant digits: '812 us', '3.41 ms'."""
    if value is None:
        return "-"
    unit, scale = next(((u, s) for u, s in (("s", 1), ("ms", 1e-3)) if value >= s),
                       ("us", 1e-6))
    scaled = value / scale
    digits = 0 if scaled >= 100 else 1 if scaled >= 10 else 2
    return f"{scaled:.{digits}f} {unit}"


def ratio(theirs, ours):
    """`theirs / ours` as '2.31x' (above 1: minitorch is faster), '-' when one is missing."""
    if theirs is None or ours is None or ours == 0:
        return "-"
    value = theirs / ours
    return f"{value:.2f}x" if value >= 0.01 else f"{value:.1e}x"


def print_table(header, rows):
    """A table with the first column left-aligned and the others right-aligned."""
    rows = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in rows)) if rows else len(str(h))
              for i, h in enumerate(header)]

    def line(cells):
        first, *rest = cells
        return (f"{first:<{widths[0]}}" + "".join(f"  {c:>{w}}" for c, w in
                                                  zip(rest, widths[1:]))).rstrip()

    print()
    print(line([str(h) for h in header]))
    print(line(["-" * w for w in widths]))
    for row in rows:
        print(line(row))
