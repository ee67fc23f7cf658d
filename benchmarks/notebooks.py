"""Seconds per course notebook, run top to bottom with the reference package, against a budget.

Every source notebook (course/source/*/*.ipynb: the instructor's, with solutions and hidden
tests) runs in a copy of its folder, as tests/test_course_notebooks.py runs it: nbclient, a
fresh python3 kernel, the installed reference package (the `fast` backend wherever a notebook
does not choose `simple` itself). The script prints a table of the seconds each notebook took
against the budget (60 s: issue 19's "every notebook runs top to bottom in under 60 s") and
the slowest cells of each, with their ids, so that a notebook over budget shows where to cut.

    .venv/bin/python benchmarks/notebooks.py                 # every notebook
    .venv/bin/python benchmarks/notebooks.py 04_fast --top 8 # one, its 8 slowest cells
    .venv/bin/python benchmarks/notebooks.py --cold          # each after emptying Numba's cache

`--cold` deletes the reference package's compiled kernels (Numba's `*.nbi`/`*.nbc` files)
before each notebook, so every kernel the notebook uses compiles in its run: a student's first
run of a freshly fetched assignment.

A cell's time is the kernel's own (nbclient's execute_input to execute_reply); a notebook's
is the wall time from the kernel's start to its end, kernel start included. The machine's
load average is printed before and after: on a shared machine, seconds grow with it.
"""

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "course" / "source"
PACKAGE = ROOT / "minitorch"
BUDGET_S = 60.0
CELL_TIMEOUT_S = 600


def cell_seconds(cell) -> float:
    """The seconds the kernel spent on one executed cell (0 where nbclient recorded none)."""
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    parse = datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds()


def empty_numba_cache() -> int:
    """Delete the package's cached compiled kernels; how many files went."""
    files = [f for pattern in ("*.nbi", "*.nbc") for f in PACKAGE.rglob(f"__pycache__/{pattern}")]
    for file in files:
        file.unlink()
    return len(files)


def run(path: Path) -> tuple[float, list[tuple[float, str]], list[str]]:
    """Run a copy of the notebook's folder; (wall seconds, (seconds, cell id) per code cell,
    the errors raised)."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / path.parent.name
        shutil.copytree(path.parent, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        notebook = nbformat.read(folder / path.name, as_version=4)
        client = NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                                allow_errors=True, record_timing=True,
                                resources={"metadata": {"path": str(folder)}})
        start = time.perf_counter()
        client.execute()
        wall = time.perf_counter() - start
    cells = [(cell_seconds(cell), cell.get("id", f"#{index}"))
             for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    errors = [f"{cell.get('id')}: {output.ename}: {output.evalue}"[:200]
              for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.get("outputs", []) if output.output_type == "error"]
    return wall, cells, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="assignments to run (default: all), e.g. 04_fast")
    parser.add_argument("--top", type=int, default=3, help="slowest cells listed per notebook")
    parser.add_argument("--cold", action="store_true",
                        help="empty Numba's cache of the package before each notebook")
    args = parser.parse_args()
    paths = sorted(SOURCES.glob("*/*.ipynb"))
    if args.names:
        paths = [p for p in paths if p.parent.name in args.names]
        if not paths:
            raise SystemExit(f"no source notebook among {args.names}")
    print(f"{platform.node()}: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"load average {os.getloadavg()[0]:.1f} at the start; {time.strftime('%Y-%m-%d %H:%M')}",
          flush=True)
    rows = []
    for path in paths:
        if args.cold:
            empty_numba_cache()
        wall, cells, errors = run(path)
        slowest = sorted(cells, reverse=True)[:args.top]
        rows.append((path.parent.name, wall, slowest, errors))
        print(f"{path.parent.name}: {wall:.1f} s (load {os.getloadavg()[0]:.1f})", flush=True)
    print(f"\nNumba cache: {'emptied before each notebook' if args.cold else 'as found'}")
    print(f"| notebook | seconds | budget {BUDGET_S:.0f} s | slowest cells (s) |")
    print("|---|---:|---|---|")
    for name, wall, slowest, _ in rows:
        verdict = "ok" if wall <= BUDGET_S else f"**over by {wall - BUDGET_S:.0f} s**"
        cells = ", ".join(f"`{cell}` {seconds:.1f}" for seconds, cell in slowest)
        print(f"| {name} | {wall:.1f} | {verdict} | {cells} |")
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
    for name, _, _, errors in rows:
        for error in errors:
            print(f"error in {name}: {error}", file=sys.stderr)
    if any(errors for *_, errors in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
