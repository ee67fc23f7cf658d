"""Cold start: how long a fresh Python process takes to its first matrix product.

Each run starts `python -c ...` in a new process that imports NumPy and minitorch and
computes `a @ a` for a 64 x 64 float32 tensor `a` (--size) on the `fast` backend, then a
second one. Reported, as medians over --runs runs:

- import: the child's `import numpy, minitorch`;
- first matmul: the first `a @ a` (compiling the kernel, or loading it from the disk cache);
- to first result: from just before the parent starts the process to the first result
  (the interpreter's start, the imports and the first product);
- second matmul: the same product again, compiled code only;
- process: the whole process, exit included.

"warm": the child imports this checkout's minitorch/ (its working folder is the repository
root), and finds the compiled kernels in Numba's disk cache. A first, untimed run fills the
cache if it lacks this kernel. NUMBA_CACHE_DIR is left as it is in the environment: unset,
Numba keeps the cache next to the sources (minitorch/__pycache__/*.nbi, *.nbc).

"cold": nothing compiled is found, so the kernels compile as on a machine that never ran
them. Numba looks for a function's cache with its cache locators, in order: the folder
NUMBA_CACHE_DIR names (if set), then the `__pycache__` folder beside the source file (if
writable), then a user-wide folder; an index entry is used only if the source file's
modification time and size match those recorded. Each cold run therefore (1) copies the
package minitorch/ into a new temporary folder without its Numba cache files (the Python
bytecode, .pyc, is kept, with the sources' modification times, so Python's own compilation
is not counted), runs the child there (so it imports the copy), and (2) points
NUMBA_CACHE_DIR to a new, empty temporary folder. The copy and the folder are removed
afterwards: the real cache is neither read nor written.

OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, MKL_NUM_THREADS and NUMBA_NUM_THREADS are set to
--threads (default: the cores) for the child processes. A 64 x 64 product is 262,144
multiply-adds, below minitorch's parallel threshold (4,194,304), so the one-core kernel runs
(and, cold, compiles); --size 256 times the parallel kernel instead.

Usage: .venv/bin/python benchmarks/coldstart.py [--runs 3] [--threads N] [--size 64]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import timing

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, time
start = time.time()
import numpy as np
import minitorch
imported = time.time()
minitorch.set_default_backend("fast")
a = minitorch.from_numpy(np.random.default_rng(0).standard_normal(({n}, {n})).astype(np.float32))
c = a @ a
c.numpy()
first = time.time()
t = time.perf_counter()
c = a @ a
second = time.perf_counter() - t
print(json.dumps(dict(start=start, imported=imported, first=first, second=second,
                      file=minitorch.__file__)))
"""


def run_child(size, cwd, env):
    """One fresh process: its times, in seconds, and which minitorch it imported."""
    begin = time.time()
    done = subprocess.run([sys.executable, "-c", CHILD.format(n=size)], cwd=cwd, env=env,
                          capture_output=True, text=True)
    end = time.time()
    if done.returncode:
        raise SystemExit(f"the child process failed:\n{done.stderr}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return {"import": out["imported"] - out["start"], "first": out["first"] - out["imported"],
            "result": out["first"] - begin, "second": out["second"], "process": end - begin,
            "file": out["file"]}


def warm_run(size):
    return run_child(size, ROOT, dict(os.environ))


def cold_run(size):
    with tempfile.TemporaryDirectory(prefix="minitorch-coldstart-") as tmp:
        shutil.copytree(ROOT / "minitorch", Path(tmp) / "minitorch",
                        ignore=shutil.ignore_patterns("*.nbi", "*.nbc"))
        cache = Path(tmp) / "numba-cache"
        cache.mkdir()
        env = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
        result = run_child(size, tmp, env)
        if not os.path.realpath(result["file"]).startswith(os.path.realpath(tmp)):
            raise SystemExit(f"the cold run imported {result['file']}, not the copy in {tmp}")
        return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    timing.add_threads_argument(parser)
    parser.add_argument("--runs", type=int, default=3,
                        help="fresh processes per setting, median reported (default 3)")
    parser.add_argument("--size", type=int, default=64,
                        help="the product is size x size float32 (default 64)")
    args = parser.parse_args()
    timing.pin_threads(args.threads)
    timing.print_header(f"Cold start: a fresh process to its first {args.size}x{args.size} "
                        "float32 matmul (minitorch fast backend)", args.threads)
    if os.environ.get("NUMBA_CACHE_DIR"):
        print(f"warm runs use NUMBA_CACHE_DIR={os.environ['NUMBA_CACHE_DIR']}")
    sys.stdout.flush()

    primed = warm_run(args.size)  # untimed: fills the cache if this kernel is not in it
    if not os.path.realpath(primed["file"]).startswith(str(ROOT)):
        print(f"note: the warm runs import {primed['file']}, not this checkout's minitorch")
    results = {"warm": [warm_run(args.size) for _ in range(args.runs)],
               "cold": [cold_run(args.size) for _ in range(args.runs)]}

    def median(setting, key):
        return statistics.median(r[key] for r in results[setting])

    rows = [[setting] + [timing.seconds(median(setting, key))
                         for key in ("import", "first", "result", "second", "process")]
            for setting in ("warm", "cold")]
    timing.print_table(["cache", "import", "first matmul", "to first result",
                        "second matmul", "process"], rows)
    extra = median("cold", "result") - median("warm", "result")
    print(f"\nmedians of {args.runs} fresh processes each; a cold start takes "
          f"{timing.seconds(extra)} more to its first result "
          f"({median('cold', 'result') / median('warm', 'result'):.1f}x the warm start)")


if __name__ == "__main__":
    main()
