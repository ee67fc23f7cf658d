"""Grading at course scale: a batch of generated 01_tensors submissions through `autograder
grade` (--jobs 1, --jobs 2, a 2-worker local Dask cluster where autograder.cluster exists) and
through nbgrader's autograde, each in the same run; every grade checked.

The batch (--n, default 200; a fixed seed) mixes, as a course would hand in:

- references: the released notebook answered from the source, and the reference package;
- stubs: the release as students receive it;
- partial: the reference with one to three tasks stubbed;
- bugs: the reference with one or two planted bugs (BUGS: a wrong line in a task's code);
- hostile: code that patches the test helper, forges the expected values, or kills its
  kernel (os._exit) in a cell of its own.

The points each deserves are computed here, from tasks.toml alone (a task's points, lost with
those of the tasks that need it, transitively), never from a grader: stubbed or buggy tasks
and the tasks that need them score zero; a hostile submission scores what its package
deserves (the patches run on the stubs, the kernel killer on the reference). The grader's
points must equal them for every submission; a mismatch is listed.

The reference's run (which records the expected results and compiles the reference's kernels)
happens before the clock, once; each timed batch starts in a fresh output folder from it.
OpenBLAS, OpenMP and Numba threads are pinned to 1 on every side. nbgrader grades a subset
(--nbgrader-n, default 20; ~6 s each), each submission in its own copy of the released course,
with its worker processes started before the clock.

Usage: .venv/bin/python benchmarks/grading.py [--n 200] [--jobs 1 2] [--nbgrader-n 20]
"""

import argparse
import importlib.util
import json
import os
import random
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from autograder.check import Workers, _answered, _prepare
from autograder.course import Course
from autograder.grade import Options, grade
from autograder.nbgrader_cli import NbgraderError, autograde, clean_env
from autograder.regions import IGNORED, find_regions, write_package
from autograder.sandbox import Limits, detect
from autograder.submissions import find

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "01_tensors"
PINNED = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")

# task -> (file, a line of its reference code, the same line with a bug, the points of the
# tasks needing it that the bug leaves): each bug makes the task's results wrong for the
# inputs its hidden tests draw, and those of the tasks that need it
BUGS = {
    "1.1": ("tensor_data.py", "position += index[i] * strides[i]",
            "position += index[i] * strides[i] + 1", {}),
    "1.2": ("tensor_data.py", "ordinal //= shape[i]", "ordinal //= shape[i] + 1", {}),
    # broadcasts size-1 dimensions wrong: a matrix product of plain matrices (1.9's
    # "matrices" group) has none, and keeps its points
    "1.3": ("tensor_data.py", "0 if shape[i] == 1 else", "0 if shape[i] == 0 else",
            {"1.9": 5}),
    "1.6": ("tensor_ops.py", "out[index_to_position(out_index, out_strides)] = fn(value)",
            "out[index_to_position(out_index, out_strides)] = value", {}),
    "1.7": ("tensor_ops.py", "= fn(a, b)", "= fn(a, a)", {}),
    "1.8": ("tensor_ops.py", "acc = fn(acc, a_storage[a_pos])", "acc = a_storage[a_pos]", {}),
    "1.9": ("tensor_ops.py", "        acc = 0\n", "        acc = 1\n", {}),
}

# hostile cells, put after the notebook's setup cell: (package they run on, source)
HOSTILE = {
    "patches_check": ("release", "import autograder.notebook as helper\n"
                      "helper.check = lambda task, *a, **k: print(task, 'passes')\n"
                      "check = helper.check"),
    "forges_expected": ("release", "import autograder.notebook as helper\n"
                        "original = helper.check\n"
                        "def check(task, cases, student, expected, **options):\n"
                        "    return original(task, cases, student=expected, "
                        "expected=expected, **options)\n"
                        "helper.check = check"),
    "kills_kernel": ("reference", "import os\nos._exit(1)"),
}


@dataclass
class Generated:
    """One generated submission and the points it deserves."""
    student: str
    kind: str
    path: Path
    deserved: float


def deserved_points(registry, broken: set[str], bugs: bool = False) -> float:
    """The assignment's points without those of `broken` tasks and of the tasks needing them;
    with `bugs`, a task needing broken ones keeps what every one of their bugs leaves it."""
    total = 0.0
    for task in registry.tasks_of(ASSIGNMENT):
        causes = [b for b in broken if task.id == b or task.id in registry.dependents(b)]
        if not causes:
            total += task.points
        elif bugs and task.id not in broken:
            total += min(BUGS[b][3].get(task.id, 0) for b in causes)
    return total


def code_cell(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": source}


def generate(course: Course, template: Path, n: int, folder: Path, seed: int) -> list[Generated]:
    """The batch: n submissions of the kinds above, in a fixed random mix."""
    registry, rng = course.registry, random.Random(seed)
    regions = find_regions(course.package, course.repo, registry)
    every = {t.id for t in registry.tasks_of(ASSIGNMENT)}  # the release stubs them all
    tasks = [t.id for t in registry.tasks_of(ASSIGNMENT) if not t.cell]  # written in the package
    release = template / "release" / ASSIGNMENT
    notebooks = sorted(release.glob("*.ipynb"))
    answered = folder / "answered"
    answered.mkdir(parents=True)
    for notebook in notebooks:
        _answered(notebook, template / "source" / ASSIGNMENT / notebook.name,
                  answered / notebook.name)
    kinds = ["reference"] * 10 + ["stubs"] * 10 + ["partial"] * 30 + ["bugs"] * 35 + \
        ["hostile"] * 15
    rng.shuffle(kinds)
    made = []
    for number in range(n):
        kind = kinds[number % len(kinds)]
        path = folder / f"student{number:03d}"
        path.mkdir()
        package, notebook_from, broken, extra = "reference", answered, set(), None
        if kind == "stubs":
            package, notebook_from, broken = "release", release, every
        elif kind == "partial":
            broken = set(rng.sample(tasks, rng.randint(1, 3)))
            write_package(course.package, path / "minitorch", course.repo, regions, broken,
                          registry)
            package = None
        elif kind == "bugs":
            broken = set(rng.sample(sorted(BUGS), rng.randint(1, 2)))
        elif kind == "hostile":
            name = rng.choice(sorted(HOSTILE))
            package, extra = HOSTILE[name]
            kind = f"hostile: {name}"
            if package == "release":
                notebook_from, broken = release, every
        if package == "reference":
            shutil.copytree(course.package, path / "minitorch", ignore=IGNORED)
        elif package == "release":
            shutil.copytree(release / "minitorch", path / "minitorch")
        if kind == "bugs":
            for task in broken:
                file, line, bug, _ = BUGS[task]
                target = path / "minitorch" / file
                text = target.read_text()
                assert text.count(line) == 1, (task, line)
                target.write_text(text.replace(line, bug))
        for notebook in notebooks:
            data = json.loads((notebook_from / notebook.name).read_text())
            if extra:
                setup = next(i for i, cell in enumerate(data["cells"]) if cell.get(
                    "metadata", {}).get("nbgrader", {}).get("grade_id") == "setup")
                data["cells"].insert(setup + 1, code_cell(extra))
            (path / notebook.name).write_text(json.dumps(data))
        made.append(Generated(path.name, kind, path,
                              deserved_points(registry, broken, bugs=kind == "bugs")))
    return made


@dataclass
class Run:
    """One timed batch."""
    tool: str
    graded: int
    seconds: float
    wrong: list[str]

    def per_minute(self) -> float:
        return 60 * self.graded / self.seconds if self.seconds else 0.0


def wrong_grades(batch: list[Generated], points: dict[str, float | None]) -> list[str]:
    return [f"{g.student} ({g.kind}): deserves {g.deserved:g}, got "
            f"{'nothing' if points.get(g.student) is None else f'{points[g.student]:g}'}"
            for g in batch if g.student in points and points[g.student] != g.deserved]


def time_grade(tool: str, spec_course: Course, batch: list[Generated], reference: Path,
               out: Path, limits: Limits, jobs: int = 1, executor=None) -> Run:
    """`autograder grade` of the batch into a fresh folder that holds the reference's run."""
    from autograder.spec import from_course

    shutil.copytree(reference, out / ".reference")
    submissions, _ = find([g.path for g in batch])
    spec = from_course(spec_course, ASSIGNMENT)
    start = time.perf_counter()
    results = grade(spec, submissions, Options(out=out, jobs=jobs, limits=limits,
                                               progress=False, executor=executor),
                    out=lambda *_: None)
    seconds = time.perf_counter() - start
    points = {g.student: (results.get(g.student) or {}).get("score") for g in batch}
    return Run(tool, len(results), seconds, wrong_grades(batch, points))


def time_cluster(spec_course: Course, batch: list[Generated], reference: Path, out: Path,
                 limits: Limits) -> Run | None:
    """The batch on a local Dask cluster of 2 single-threaded worker processes, where
    autograder.cluster (and dask's distributed) are installed; else None."""
    if not importlib.util.find_spec("autograder.cluster") or \
            not importlib.util.find_spec("distributed"):
        return None
    from distributed import LocalCluster

    from autograder.cluster import ClusterExecutor

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster:
        executor = ClusterExecutor(cluster.scheduler_address)
        return time_grade("grade --cluster (2 local workers)", spec_course, batch, reference,
                          out, limits, executor=executor)


def time_nbgrader(template: Path, batch: list[Generated], work: Path, workers: Workers,
                  jobs: int, registry) -> Run:
    """nbgrader's autograde of the batch, each submission in its own copy of the course."""
    cells = {f"task_{t.id.replace('.', '_')}" for t in registry.tasks_of(ASSIGNMENT)}

    def one(generated: Generated) -> float | None:
        root = work / generated.student / "course"
        shutil.copytree(template, root)
        folder = root / "submitted" / generated.student / ASSIGNMENT
        shutil.copytree(generated.path, folder)
        try:
            with workers.one() as worker:
                grades = autograde(worker, root, ASSIGNMENT, generated.student)
        except NbgraderError:
            return None  # nbgrader dropped the submission (a dead kernel does that)
        finally:
            shutil.rmtree(root.parent, ignore_errors=True)
        return float(sum(points for name, points in grades.items() if name in cells))

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        points = dict(zip([g.student for g in batch], pool.map(one, batch)))
    seconds = time.perf_counter() - start
    return Run(f"nbgrader autograde --jobs {jobs}", len(batch), seconds,
               wrong_grades(batch, points))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="submissions (default 200)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2],
                        help="the --jobs settings to time (default: 1 2)")
    parser.add_argument("--nbgrader-n", type=int, default=20,
                        help="how many of them nbgrader grades (default 20; 0: none)")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    os.environ.update({name: "1" for name in PINNED})
    course = Course.load(ROOT / "course", ROOT / "minitorch")
    limits = Limits()
    print(f"{args.n} generated submissions of {ASSIGNMENT}; {os.cpu_count()} cores; "
          f"isolation: {detect().name}; " + " ".join(f"{name}=1" for name in PINNED))
    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as tmp:
        work = Path(tmp)
        env = clean_env(work / "home")
        env.update({name: "1" for name in PINNED})
        workers = Workers(max(args.jobs), env, work)
        try:
            regions = find_regions(course.package, course.repo, course.registry)
            start = time.perf_counter()
            ready = _prepare(course, ASSIGNMENT, regions, work, workers, limits)
            print(f"release and the reference's run: {time.perf_counter() - start:.0f} s")
            reference = work / ASSIGNMENT / "expected"
            template = Course(ready.template, course.package, course.registry)
            batch = generate(course, ready.template, args.n, work / "submissions", args.seed)
            kinds = sorted({g.kind.split(":")[0] for g in batch})
            print("kinds: " + ", ".join(f"{k} {sum(g.kind.startswith(k) for g in batch)}"
                                        for k in kinds))
            runs = [time_grade(f"autograder grade --jobs {jobs}", template, batch, reference,
                               work / f"graded-{jobs}", limits, jobs) for jobs in args.jobs]
            cluster = time_cluster(template, batch, reference, work / "graded-cluster", limits)
            runs += [cluster] if cluster else []
            if args.nbgrader_n:
                runs.append(time_nbgrader(ready.template, batch[:args.nbgrader_n],
                                          work / "nbgrader", workers, max(args.jobs),
                                          course.registry))
        finally:
            workers.close()
    print(f"\n{'tool':<36}{'graded':>7}{'seconds':>9}{'per minute':>12}  wrong grades")
    for run in runs:
        print(f"{run.tool:<36}{run.graded:>7}{run.seconds:>9.0f}{run.per_minute():>12.1f}  "
              f"{len(run.wrong)}")
    if not cluster:
        print("(no cluster run: autograder.cluster or dask's distributed is not installed)")
    for run in runs:
        for line in run.wrong[:20]:
            print(f"  {run.tool}: {line}")


if __name__ == "__main__":
    main()
