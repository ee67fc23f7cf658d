"""`autograder check`: the course grades itself.

For each assignment, a template course is made in a temporary folder (the course's config,
tasks.toml and source notebooks, released there with `autograder release`'s own code, which
runs nbgrader's generate_assignment). Each simulated submission is then graded by the grading
engine that grades students (autograder.engine: the sandbox, the recorder of hidden-test
outputs, the verdict against the reference's recorded results), so the self-check proves the
road that grades travel:

- "reference": the released notebooks, with notebook exercises answered from the source, and
  the reference package: every graded cell must score full marks;
- "stubs": the released notebooks and package as a student receives them: every graded cell
  must score zero;
- "stub 1.4" (one per task): the answered notebooks and the reference package with only that
  task's regions stubbed (for a task written in a notebook cell, tasks.toml `cell`: the
  reference package and the notebooks answered but for that cell, which keeps the release's
  stub): the task's cell and the cells of the tasks that need it (tasks.toml `needs`,
  transitively) must score zero, every other cell full marks.

Graded cells map to tasks by grade_id: `task_1_4` is task 1.4.
"""

import json
import queue
import shutil
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import Course, GradeCell, course_problems, grade_cells, solution_text
from autograder.engine import (
    GradingError,
    Runner,
    grade_submission,
    isolation,
    record_expected,
    shared_kernels,
)
from autograder.kernels import SharedKernels
from autograder.nbgrader_cli import NbgraderError, Worker, clean_env, generate_assignment
from autograder.regions import IGNORED, Region, find_regions, write_package
from autograder.release import ReleaseError, release_assignment
from autograder.sandbox import Limits, runtime_problem
from autograder.spec import Spec, from_course
from autograder.submissions import Submission as GradedSubmission
from autograder.tasks import task_of_grade_id

__all__ = ["Submission", "Outcome", "check"]

LEGEND = """\
Self-check: the grading engine of `autograder grade` (sandbox, recorder, verdict) grades
simulated submissions. Each row is one submission; "stubbed" says which solutions it lacks:
  nothing: the reference solution, which must score every point;
  all: the released student package, untouched, which must score zero on every cell;
  one task: the reference with that task stubbed, which must lose exactly the points of that
  task and of the tasks that need it (tasks.toml `needs`), and keep all others."""


@dataclass
class Submission:
    assignment: str
    student: str  # the nbgrader student id, also the folder name
    task: str | None  # the task stubbed alone, or None
    package: str  # "reference", "release" or "stub-one"
    expected: dict[str, float]  # grade_id -> points


@dataclass
class Outcome:
    submission: Submission
    got: dict[str, float] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)  # grade_id -> first line of its error
    error: str | None = None  # the submission could not be graded
    seconds: float = 0.0

    def deviations(self) -> list[str]:
        if self.error:
            return []
        return [name for name, want in self.submission.expected.items()
                if abs(self.got.get(name, -1.0) - want) > 1e-9]


def _test_cells(course: Course, assignment: str) -> list[GradeCell]:
    """The autograded cells: graded cells that are not answer cells (graded by hand)."""
    return [cell for path in course.notebooks(assignment) for cell in grade_cells(path)
            if not cell.solution and cell.grade_id]


def _submissions(course: Course, assignment: str) -> list[Submission]:
    registry = course.registry
    cells = _test_cells(course, assignment)
    full = {cell.grade_id: cell.points for cell in cells}
    subs = [
        Submission(assignment, "reference", None, "reference", dict(full)),
        Submission(assignment, "stubs", None, "release", dict.fromkeys(full, 0.0)),
    ]
    own = {task.id for task in registry.tasks_of(assignment)}
    for task in registry.tasks_of(assignment):
        lost = {task.id} | (registry.dependents(task.id) & own)
        expected = {name: 0.0 if task_of_grade_id(name) in lost else points
                    for name, points in full.items()}
        subs.append(Submission(assignment, "stub_" + task.id.replace(".", "_"), task.id,
                               "stub-one", expected))
    return subs


def _answered(release_nb: Path, source_nb: Path, dest: Path, stubbed: str = "") -> None:
    """The released notebook with every exercise (solution cell) answered from the source,
    except the answer cell `stubbed` (the grade_id of a notebook task stubbed alone), which
    keeps the release's stub."""
    notebook = json.loads(release_nb.read_text(encoding="utf-8"))
    answers = {}
    for cell in json.loads(source_nb.read_text(encoding="utf-8"))["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id"):
            source = cell["source"]
            answers[meta["grade_id"]] = "".join(source) if isinstance(source, list) else source
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in answers \
                and meta["grade_id"] != stubbed:
            cell["source"] = solution_text(answers[meta["grade_id"]])
    dest.write_text(json.dumps(notebook, indent=1), encoding="utf-8")


class Workers:
    """A pool of grading processes (autograder.worker), one per job."""

    def __init__(self, jobs: int, env: dict[str, str], work: Path):
        self.all = [Worker(env, work / f"worker-{i}.log", work) for i in range(jobs)]
        self.idle: queue.Queue[Worker] = queue.Queue()
        for worker in self.all:
            self.idle.put(worker)

    @contextmanager
    def one(self):
        worker = self.idle.get()
        try:
            yield worker
        finally:
            self.idle.put(worker)

    def close(self) -> None:
        for worker in self.all:
            worker.stop()


@dataclass
class Prepared:
    """An assignment ready for its simulated submissions."""
    template: Path  # the released template course
    packages: dict[str, Path]  # "reference", "release", "<task id>" -> a package
    spec: Spec
    expected: dict  # the reference's recorded results, by the engine (record_expected)
    kernels: SharedKernels | None  # what the reference's run compiled (engine.shared_kernels)


def _folder(sub: Submission, template: Path, package: Path, dest: Path, stubbed: str) -> Path:
    """The simulated submission's files, as a student hands them in: the released notebooks
    (answered from the source, except for the released stubs and the answer cell `stubbed`)
    and the package."""
    folder = dest / sub.student
    folder.mkdir(parents=True)
    for release_nb in sorted((template / "release" / sub.assignment).glob("*.ipynb")):
        if sub.package == "release":
            shutil.copy(release_nb, folder / release_nb.name)
        else:
            _answered(release_nb, template / "source" / sub.assignment / release_nb.name,
                      folder / release_nb.name, stubbed)
    shutil.copytree(package, folder / "minitorch", ignore=IGNORED)
    return folder


def _grade(sub: Submission, folder: Path, ready: Prepared, limits: Limits) -> Outcome:
    """Grade one simulated submission with the engine."""
    start = time.monotonic()
    outcome = Outcome(sub)
    try:
        graded = grade_submission(ready.spec, GradedSubmission(sub.student, folder),
                                  ready.expected, limits, ready.kernels)
        outcome.got = {test.name: test.score for test in graded.tests}
        outcome.why = {test.name: " | ".join(test.message.splitlines())[:300]
                       for test in graded.tests if test.score < test.max_score and test.message}
        if graded.notes:
            outcome.why = {name: f"{why}; {' '.join(graded.notes)[:300]}"
                           for name, why in outcome.why.items()}
    except Exception as error:  # a bug in the grader: this submission's error
        outcome.error = f"{type(error).__name__}: {error}"
    outcome.seconds = time.monotonic() - start
    return outcome


def _prepare(course: Course, assignment: str, regions: list[Region], work: Path,
             workers: Workers, limits: Limits) -> Prepared:
    """Release the assignment into a template course, write the packages its submissions
    use, and record the reference's expected results."""
    base = work / assignment
    template = base / "template" / "course"
    (template / "source").mkdir(parents=True)
    for name in ("nbgrader_config.py", "tasks.toml"):
        shutil.copy(course.root / name, template / name)
    for name in course.registry.assignments:
        if course.source(name).is_dir():
            shutil.copytree(course.source(name), template / "source" / name, ignore=IGNORED)
    copy = Course(template, course.package, course.registry)

    def generate(root: Path, name: str) -> None:
        with workers.one() as worker:
            generate_assignment(worker, root, name)

    released = release_assignment(copy, assignment, regions, generate)
    if released.leaks:
        raise ReleaseError("the release leaks (see `autograder release`):\n    "
                           + "\n    ".join(str(leak) for leak in released.leaks[:20]))
    packages = {"release": template / "release" / assignment / "minitorch",
                "reference": base / "packages" / "reference"}
    shutil.copytree(course.package, packages["reference"], ignore=IGNORED)
    for task in course.registry.tasks_of(assignment):
        dest = base / "packages" / task.id
        write_package(course.package, dest, course.repo, regions, {task.id}, course.registry)
        packages[task.id] = dest
    spec = from_course(course, assignment)
    runs = base / "reference-run"
    runs.mkdir(mode=0o755)
    expected = record_expected(spec, Runner(isolation(), limits, runs), base / "expected")
    return Prepared(template, packages, spec.portable(expected), expected,
                    shared_kernels(spec, base / "expected"))


def _points(values: dict[str, float], names) -> float:
    return sum(values.get(name, 0.0) for name in names)


def _report(course: Course, assignment: str, outcomes: list[Outcome], problems: list[str],
            out) -> bool:
    registry = course.registry
    cells = _test_cells(course, assignment)
    names = [cell.grade_id for cell in cells]
    total = sum(cell.points for cell in cells)
    notebooks = ", ".join(path.name for path in course.notebooks(assignment))
    out("")
    out(f"{assignment} ({notebooks}: {len(cells)} graded test cells, {total:g} points)")
    for problem in problems:
        out(f"  PROBLEM  {problem}")
    if not outcomes:
        return False
    width = max([len(f"{t.id} {t.name}") for t in registry.tasks_of(assignment)] + [19])
    out(f"  {'stubbed':<{width}}  {'expected':>9}  {'got':>9}  {'status':<9}  cells that must "
        f"score 0")
    ok = not problems
    for outcome in outcomes:
        sub = outcome.submission
        if sub.task is None:
            label = "nothing (reference)" if sub.package == "reference" else "all (release)"
        else:
            label = f"{sub.task} {registry.tasks[sub.task].name}"
        want = _points(sub.expected, names)
        zero = [name for name in names if sub.expected[name] == 0]
        failing = "all" if len(zero) == len(names) else "none" if not zero else " ".join(
            task_of_grade_id(name) or name for name in zero)
        if outcome.error:
            out(f"  {label:<{width}}  {want:>5g}/{total:<3g}  {'-':>9}  {'ERROR':<9}  {failing}")
            out("      " + outcome.error.replace("\n", "\n      "))
            ok = False
            continue
        got = _points(outcome.got, names)
        bad = outcome.deviations()
        status = "ok" if not bad else "DEVIATION"
        out(f"  {label:<{width}}  {want:>5g}/{total:<3g}  {got:>5g}/{total:<3g}  "
            f"{status:<9}  {failing}")
        for name in bad:
            ok = False
            out("      " + _explain(course, outcome, name))
    return ok


def _explain(course: Course, outcome: Outcome, name: str) -> str:
    """One line on a graded cell that did not score what it should."""
    sub = outcome.submission
    want, got = sub.expected[name], outcome.got.get(name)
    task = task_of_grade_id(name)
    head = f"{name}: expected {want:g}, got {'nothing' if got is None else f'{got:g}'}"
    why = outcome.why.get(name)
    reason = f" ({why})" if why else ""
    if got is None:
        return head + ": the cell was not graded"
    if sub.package == "reference":
        return head + f": the reference solution fails it{reason}"
    if sub.package == "release":
        return head + ": the released stubs pass it; its tests do not exercise the task"
    stubbed = sub.task
    if task == stubbed:
        return head + f": its tests pass with task {stubbed} stubbed; they do not exercise it"
    if want == 0.0:
        return head + (f": tasks.toml says {task} needs {stubbed} (directly or through other "
                       f"tasks), but its tests pass without it; drop that need")
    return head + (f": it fails when task {stubbed} is stubbed{reason}; declare "
                   f"needs = [\"{stubbed}\"] for task {task} in tasks.toml, or make its tests "
                   f"independent of {stubbed}")


def check(course: Course, assignments: list[str], jobs: int = 1, progress: bool = True,
          out=print) -> bool:
    """Run the self-check of the assignments; print a table per assignment; True when all
    is as expected."""
    jobs = max(1, jobs)
    regions = find_regions(course.package, course.repo, course.registry)
    problems = {name: course_problems(course, name) for name in assignments}
    start = time.monotonic()
    problem = runtime_problem(isolation())
    if problem:
        raise GradingError(problem)
    out(LEGEND)
    with tempfile.TemporaryDirectory(prefix="autograder-check-") as tmp:
        work = Path(tmp)
        # nbgrader's generate_assignment writes each release; the engine grades
        workers = Workers(max(1, min(jobs, len(assignments))), clean_env(work / "home"), work)
        try:
            outcomes = _run(course, assignments, regions, work, workers, problems, jobs,
                            progress)
        finally:
            workers.close()
    ok = True
    for name in assignments:
        ok &= _report(course, name, outcomes[name], problems[name], out)
    every = [outcome for found in outcomes.values() for outcome in found]
    each = sum(o.seconds for o in every) / len(every) if every else 0.0
    out("")
    out(f"{len(every)} simulated submissions graded in {time.monotonic() - start:.0f} s with "
        f"{jobs} jobs ({each:.0f} s each on average): "
        + ("all as expected." if ok else "DEVIATIONS above."))
    return ok


def _run(course: Course, assignments: list[str], regions: list[Region], work: Path,
         workers: Workers, problems: dict[str, list[str]], jobs: int,
         progress: bool) -> dict[str, list[Outcome]]:
    """Release each assignment into a template course, then grade every simulated
    submission; the outcomes per assignment, in the order of _submissions."""
    from tqdm import tqdm

    limits = Limits()
    runnable = [name for name in assignments if course.notebooks(name)]
    subs = {name: _submissions(course, name) for name in runnable}
    outcomes: dict[str, list[Outcome]] = {name: [] for name in assignments}
    with ThreadPoolExecutor(max_workers=jobs) as pool, tqdm(
            total=sum(map(len, subs.values())), desc="grading simulated submissions",
            unit="submission", disable=not progress) as bar:
        pending = {pool.submit(_prepare, course, name, regions, work, workers, limits): name
                   for name in runnable}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                what = pending.pop(future)  # an assignment prepared, or a submission graded
                if isinstance(what, Submission):
                    outcomes[what.assignment].append(future.result())
                    bar.update()
                    continue
                name = what
                try:
                    ready = future.result()
                except (NbgraderError, OSError, RuntimeError) as error:
                    problems[name].append(f"the release or the reference run failed: {error}")
                    bar.update(len(subs[name]))
                    continue
                for sub in subs[name]:
                    package = ready.packages[sub.task if sub.package == "stub-one"
                                             else sub.package]
                    stubbed = course.registry.tasks[sub.task].cell if sub.task else ""
                    folder = _folder(sub, ready.template, package, work / name / "submitted",
                                     stubbed)
                    pending[pool.submit(_grade, sub, folder, ready, limits)] = sub
    for name, found in outcomes.items():
        order = {sub.student: i for i, sub in enumerate(subs.get(name, []))}
        found.sort(key=lambda o: order[o.submission.student])
    return outcomes
