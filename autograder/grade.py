"""`autograder grade`: grade a batch of submissions, in parallel, resumably.

Each submission is graded by the engine (autograder.engine: its own sandbox, the reference's
expected results, the verdict made outside the student's process), on threads here or, with
`Options.executor`, on any concurrent.futures-like executor (a Dask cluster's). This process
alone writes: the grades go to the gradebook, then feedback.html and, last, results.json (under
<out>/students/<id>/, apart from the grader's own files): a submission with a results.json for
its current files is done, so an interrupted batch resumes where it stopped and nothing is
counted twice.
"""

import fcntl
import json
import tempfile
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from autograder.cluster import neutral_copy
from autograder.engine import (
    Graded,
    GradingError,
    Runner,
    grade_batch,
    isolation,
    record_expected,
    shared_kernels,
)
from autograder.feedback import feedback_html, redact
from autograder.results import (
    STUDENTS,
    read_results,
    results_json,
    student_folder,
    write_atomic,
    write_grades_csv,
)
from autograder.sandbox import Limits, runtime_problem
from autograder.spec import Spec
from autograder.submissions import Submission

__all__ = ["GradingError", "Options", "grade", "reference_results"]


@dataclass
class Options:
    out: Path
    db_url: str | None = None
    jobs: int = 1
    force: bool = False
    limits: Limits = field(default_factory=Limits)
    progress: bool = True
    # where submissions are graded: None for `jobs` threads here; else any executor whose
    # `submit` returns concurrent.futures Futures (autograder.engine.grade_batch)
    executor: Executor | None = None


def reference_results(spec: Spec, limits: Limits, cache: Path) -> dict:
    """The reference's recorded outputs of `spec`'s hidden tests (a course's spec), recorded
    in the sandbox under `limits` (cached in `cache`)."""
    with tempfile.TemporaryDirectory(prefix="autograder-grade-") as tmp:
        Path(tmp).chmod(0o755)
        return record_expected(spec, Runner(isolation(), limits, Path(tmp)), cache)


def _count(number: int) -> str:
    return f"{number} submission{'' if number == 1 else 's'}"


def _summary(results: dict[str, dict], hit: dict[str, list[str]], out=print) -> None:
    if not results:
        out("No submissions.")
        return
    scores = sorted(r["score"] for r in results.values())
    top = max(r["max_score"] for r in results.values()) or 1
    out(f"\n{_count(len(results))}; score median {scores[len(scores) // 2]:g}, "
        f"min {scores[0]:g}, max {scores[-1]:g} (of {top:g})")
    bins = [0] * 5
    for score in scores:
        bins[min(4, int(5 * score / top))] += 1
    for i, count in enumerate(bins):
        low, high = 20 * i, 20 * (i + 1)
        out(f"  {low:3d}-{high:3d}%  {'#' * count} {count}")
    failures: dict[str, int] = {}
    for data in results.values():
        for test in data["tests"]:
            if test["status"] != "passed":
                failures[test["number"]] = failures.get(test["number"], 0) + 1
    if failures:
        out("Failures by task: " + ", ".join(
            f"{task}: {count}" for task, count in sorted(
                failures.items(), key=lambda kv: tuple(int(p) for p in kv[0].split(".")))))
    if hit:
        out("Submissions that hit a limit:")
        for student, names in sorted(hit.items()):
            out(f"  {student}: {', '.join(names)}")


class _Lock:
    """One `grade` at a time per output folder."""

    def __init__(self, out: Path):
        self.handle = open(out / ".grading.lock", "w")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise GradingError(f"another `autograder grade` is writing to {out}; wait for it "
                               f"to finish") from None

    def close(self) -> None:
        self.handle.close()


def grade(spec: Spec, submissions: list[Submission], options: Options,
          out=print) -> dict[str, dict]:
    """Grade the submissions of `spec`'s assignment (from the course, or a bundle); the
    results.json data of every student graded in `options.out` (this run's and earlier
    ones')."""
    from tqdm import tqdm

    from autograder import gradebook

    assignment = spec.assignment
    folder = Path(options.out)
    folder.mkdir(parents=True, exist_ok=True)
    lock = _Lock(folder)
    try:
        db_url = options.db_url or f"sqlite:///{(folder / 'gradebook.db').resolve()}"
        out(f"Isolation: {isolation().describe()}")
        problem = runtime_problem(isolation())
        if problem:
            raise GradingError(problem)
        out(f"Limits: {options.limits.describe()}")
        course_id = "minitorch"
        gradebook.prepare(db_url, course_id, assignment, spec.notebooks)
        hidden = spec.hidden
        todo, hit = [], {}
        for submission in submissions:
            done = read_results(student_folder(folder, submission.student) / "results.json")
            if (done and not options.force and done.get("extra_data", {}).get(
                    "submission_sha256") == submission.digest()):
                continue
            todo.append(submission)
        skipped = len(submissions) - len(todo)
        if skipped:
            out(f"{_count(skipped)} already graded (unchanged since); --force grades "
                f"them again.")
        expected, kernels = spec.expected or {}, None
        if todo and spec.expected is None:
            out(f"Recording the reference's expected results for {assignment} ...")
            expected = reference_results(spec, options.limits, folder / ".reference")
            kernels = shared_kernels(spec, folder / ".reference")
            if kernels:  # not mounted from the output folder, whose path a sandbox would see
                kernels = neutral_copy(kernels)
        with (options.executor or ThreadPoolExecutor(max_workers=max(1, options.jobs))) as pool, \
                gradebook.Writer(db_url, course_id) as book, \
                tqdm(total=len(todo), desc=f"grading {assignment}", unit="submission",
                     disable=not options.progress) as bar:
            batch = grade_batch(pool, spec.portable(expected), todo, expected, options.limits,
                                kernels)
            for submission, graded, error in batch:
                bar.update()
                if error is not None:  # a bug here must not lose the others' work
                    bar.write(f"{submission.student}: could not be graded: "
                              f"{type(error).__name__}: {error}")
                    continue
                try:
                    _store(graded, submission, assignment, book, folder, hidden)
                except Exception as error:  # nor may storing one lose the others
                    bar.write(f"{submission.student}: the grade could not be stored: "
                              f"{type(error).__name__}: {error}")
                    continue
                if graded.limits:
                    hit[graded.student] = sorted(graded.limits)
        results = {}
        for submission in submissions:
            data = read_results(student_folder(folder, submission.student) / "results.json")
            if data is not None:
                results[submission.student] = data
                earlier = data.get("extra_data", {}).get("limits_hit")
                if earlier and submission.student not in hit:
                    hit[submission.student] = earlier
        every = {p.parent.name: read_results(p) for p in (folder / STUDENTS).glob("*/results.json")}
        csv_path = write_grades_csv(folder, {k: v for k, v in every.items() if v})
        _summary(results, hit, out)
        out(f"Wrote {csv_path}, the gradebook ({gradebook.shown(db_url)}) and per student "
            f"results.json and feedback.html in {folder}/")
        return results
    finally:
        lock.close()


def _store(graded: Graded, submission: Submission, assignment: str, book,
           folder: Path, hidden: set[str]) -> None:
    """Gradebook first (`book`, a gradebook.Writer), then feedback, then results.json (the
    mark of a finished grading)."""
    for test in graded.tests:  # messages quote the student's exceptions, which may quote tests
        test.message = redact(test.message, hidden)
    timestamp = None
    if submission.timestamp:
        from nbgrader.utils import parse_utc

        try:
            timestamp = parse_utc(submission.timestamp)
        except (ValueError, TypeError):
            timestamp = None
    book.record(assignment, graded.student,
                {(t.notebook, t.name): t.score for t in graded.tests}, timestamp)
    student_dir = student_folder(folder, graded.student)
    write_atomic(student_dir / "feedback.html",
                 feedback_html(graded.student, assignment, graded.tests, graded.notebooks,
                               hidden, graded.notes))
    data = results_json(graded.student, assignment, graded.tests, graded.seconds,
                        graded.digest, graded.isolation, graded.notes, sorted(graded.limits))
    write_atomic(student_dir / "results.json", json.dumps(data, indent=1))
