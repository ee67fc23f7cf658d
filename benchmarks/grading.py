"""Grading throughput: `autograder grade` against plain nbgrader autograde, in the same run.

Both grade the same N copies of the reference submission: the released notebook(s) of the
assignment answered from the source, as a student would hand them in, plus a copy of the
reference package minitorch/ (every test scores full marks, so every cell runs to the end).

- `autograder grade` (in process, through autograder.grade.grade) at --jobs 1 and --jobs
  <cores>: "cold" is the first batch in a fresh --out (it first runs the reference to record
  the expected results), "warm" grades the batch again with --force (the reference is cached).
- nbgrader autograde, as `autograder check` runs it (autograder.check's `_prepare` makes and
  releases a temporary course, `_grade` grades one submission in its own copy of it with a
  pool of nbgrader worker processes), at 1 and <cores> jobs. Its workers are started before
  the clock (nbgrader's import is not counted).

Seconds per submission is the batch's wall time over N; "each" is the median time one
submission took from staging to verdict, which parallel jobs do not shorten. Repeated batches
(--repeats) report the median. OpenBLAS, OpenMP and Numba threads are pinned to 1 on both
sides (the grader's sandbox pins them itself; the nbgrader workers get them here), so that
parallel jobs do not compete with library threads (see DESIGN.md).

Usage: .venv/bin/python benchmarks/grading.py [--n 8] [--assignment 01_tensors] [--repeats 1]
"""

import argparse
import dataclasses
import functools
import os
import shutil
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autograder.check import Workers, _answered, _grade, _prepare, _submissions
from autograder.course import Course
from autograder.grade import Options, grade
from autograder.nbgrader_cli import clean_env
from autograder.regions import IGNORED, find_regions
from autograder.sandbox import Limits, detect
from autograder.spec import from_course
from autograder.submissions import find

ROOT = Path(__file__).resolve().parent.parent
PINNED = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


@dataclasses.dataclass
class Batch:
    """One timed batch of N submissions."""
    tool: str
    jobs: int
    run: str  # "cold", "warm" or "" (nbgrader)
    wall: list[float]  # seconds, one per repeat
    each: list[float]  # seconds per submission, all repeats
    full_marks: bool

    def seconds(self, n: int) -> float:
        return statistics.median(self.wall) / n


def reference_submissions(template: Path, assignment: str, package: Path, folder: Path,
                          n: int) -> list[Path]:
    """N folders, each the released notebooks answered from the source and the reference
    package: the submission `autograder check` calls "reference"."""
    paths = []
    for i in range(n):
        path = folder / f"student{i:03d}"
        path.mkdir(parents=True)
        for release_nb in sorted((template / "release" / assignment).glob("*.ipynb")):
            _answered(release_nb, template / "source" / assignment / release_nb.name,
                      path / release_nb.name)
        shutil.copytree(package, path / "minitorch", ignore=IGNORED)
        paths.append(path)
    return paths


def time_autograder(course: Course, assignment: str, folders: list[Path], out: Path,
                    jobs: int, repeats: int, limits: Limits) -> list[Batch]:
    """A cold batch in a fresh output folder, then `repeats` warm ones (--force)."""
    submissions, _ = find(folders)  # the folders are named by the script: no id is skipped
    spec = from_course(course, assignment)
    batches = []
    for run, force, times in (("cold", False, 1), ("warm", True, repeats)):
        batch = Batch("autograder grade", jobs, run, [], [], True)
        for _ in range(times):
            start = time.perf_counter()
            results = grade(spec, submissions,
                            Options(out=out, jobs=jobs, force=force, limits=limits,
                                    progress=False), out=lambda *_: None)
            batch.wall.append(time.perf_counter() - start)
            batch.each += [r["execution_time"] for r in results.values()]
            batch.full_marks &= len(results) == len(submissions) and all(
                r["score"] == r["max_score"] > 0 for r in results.values())
        batches.append(batch)
    return batches


def time_nbgrader(course: Course, assignment: str, packages: dict[str, Path], work: Path,
                  workers: Workers, n: int, jobs: int, repeats: int) -> Batch:
    """nbgrader autograde of N reference submissions, each in its own copy of the course."""
    reference = next(s for s in _submissions(course, assignment) if s.package == "reference")
    batch = Batch("nbgrader autograde", jobs, "", [], [], True)
    for repeat in range(repeats):
        subs = [dataclasses.replace(reference, student=f"student{i:03d}") for i in range(n)]
        folder = work / f"nbgrader-j{jobs}-r{repeat}"
        start = time.perf_counter()
        one = functools.partial(_grade, template=packages["template"], work=folder,
                                package=packages["reference"], workers=workers)
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            outcomes = list(pool.map(one, subs))
        batch.wall.append(time.perf_counter() - start)
        batch.each += [o.seconds for o in outcomes]
        batch.full_marks &= all(not o.error and not o.deviations() for o in outcomes)
        shutil.rmtree(folder, ignore_errors=True)
    return batch


def report(batches: list[Batch], n: int) -> None:
    print(f"\n{'tool':<20}{'jobs':>5}  {'run':<5}{'s/submission':>13}{'per minute':>12}"
          f"{'each (median)':>15}  full marks")
    for b in batches:
        per = b.seconds(n)
        print(f"{b.tool:<20}{b.jobs:>5}  {b.run:<5}{per:>13.2f}{60 / per:>12.1f}"
              f"{statistics.median(b.each):>14.2f}s  {'yes' if b.full_marks else 'NO'}")
    nbgrader = {b.jobs: b for b in batches if b.tool.startswith("nbgrader")}
    print("\nnbgrader's seconds per submission / autograder's (above 1: autograder is faster):")
    for b in batches:
        if b.tool.startswith("autograder") and b.jobs in nbgrader:
            ratio = nbgrader[b.jobs].seconds(n) / b.seconds(n)
            print(f"  --jobs {b.jobs} {b.run}: {ratio:.2f}x")
    warm = {b.jobs: b for b in batches if b.run == "warm"}
    for b in batches:
        if b.run == "cold" and b.jobs in warm:
            extra = statistics.median(b.wall) - statistics.median(warm[b.jobs].wall)
            print(f"autograder grade --jobs {b.jobs}: a cold batch takes {extra:.0f} s more "
                  f"(the reference run, a new gradebook)")
    for tool in ("autograder grade", "nbgrader autograde"):
        mine = {b.jobs: b for b in batches if b.tool == tool and b.run != "cold"}
        if len(mine) == 2:
            one, many = sorted(mine)
            print(f"{tool}: --jobs {many} is {mine[one].seconds(n) / mine[many].seconds(n):.2f}x "
                  f"--jobs {one}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=8, help="submissions per batch (default 8)")
    parser.add_argument("--assignment", default="01_tensors")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="the parallel setting compared with 1 (default: the cores)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="warm and nbgrader batches per setting (median; default 1)")
    args = parser.parse_args()
    os.environ.update({name: "1" for name in PINNED})
    course = Course.load(ROOT / "course", ROOT / "minitorch")
    course.assignments([args.assignment])
    settings = sorted({1, max(1, args.jobs)})
    limits = Limits()
    print(f"{args.n} reference submissions of {args.assignment}; jobs {settings}; "
          f"{os.cpu_count()} cores; isolation: {detect().name}; "
          + " ".join(f"{name}=1" for name in PINNED))
    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as tmp:
        work = Path(tmp)
        env = clean_env(work / "home")
        env.update({name: "1" for name in PINNED})
        workers = Workers(max(settings), env, work)
        try:
            regions = find_regions(course.package, course.repo, course.registry)
            packages = _prepare(course, args.assignment, regions, work, workers)
            # both tools grade against the same released copy of the course
            template = Course(packages["template"], course.package, course.registry)
            folders = reference_submissions(packages["template"], args.assignment,
                                            packages["reference"], work / "submissions",
                                            args.n)
            batches = []
            for jobs in settings:
                batches += time_autograder(template, args.assignment, folders,
                                           work / f"graded-j{jobs}", jobs, args.repeats, limits)
                batches.append(time_nbgrader(course, args.assignment, packages, work, workers,
                                             args.n, jobs, args.repeats))
        finally:
            workers.close()
    report(batches, args.n)


if __name__ == "__main__":
    main()
