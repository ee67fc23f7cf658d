"""`autograder release`: what students get for an assignment, checked for leaks.

For each assignment, into `<course>/release/<assignment>/`:
1. nbgrader's generate_assignment: the notebooks, with solutions and hidden tests removed
   (and the assignment recorded in the course's gradebook); the answer cell of a task written
   in a notebook (tasks.toml `cell`) then gets the stub a package task gets,
   `raise NotImplementedError("Task 1.10: ...")`, where nbgrader's says "Exercise: ...";
2. the student package `minitorch/`: the reference package with the solution regions of this
   assignment and of later ones stubbed (earlier assignments keep the reference code), and
   an nbgrader_config.py that makes Validate tell the truth there (autograder.validate);
3. a leak scan of everything written (see autograder.leaks for the rule). On a leak the
   assignment's release folder is removed and the release fails.
Then the student copy of everything released so far (autograder.student_copy), scanned alike.
Malformed solution regions stop the release before anything is written.

Releasing assignment k hands students the reference code of the tasks of earlier assignments
(their regions are kept in k's package). The release says so, and refuses while an earlier
assignment's due date (nbgrader's gradebook, course/gradebook.db) is still ahead, unless
asked with `reveal_earlier`.
"""

import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from autograder.course import SOLUTION_BEGIN, SOLUTION_END, Course, answer_cell, course_problems
from autograder.leaks import Leak, collect_secrets, scan_release
from autograder.nbgrader_cli import Worker, clean_env, generate_assignment
from autograder.regions import Region, find_regions, write_package
from autograder.student_copy import StudentCopyError, write_student_copy
from autograder.tasks import Task
from autograder.validate import ASSIGNMENT_CONFIG

__all__ = ["ReleaseError", "Released", "release", "release_assignment", "stubbed_answer"]


class ReleaseError(RuntimeError):
    """The release could not be made; the message says what and where."""


@dataclass
class Released:
    assignment: str
    folder: Path
    notebooks: list[Path]
    own_tasks: list[str]
    later_tasks: list[str]
    kept_tasks: list[str]
    regions_stubbed: int
    package_files: int
    lines_checked: int
    lines_skipped: int
    blocks_checked: int
    files_scanned: int
    leaks: list[Leak] = field(default_factory=list)


def release_assignment(course: Course, assignment: str, regions: list[Region],
                       generate: Callable[[Path, str], None]) -> Released:
    """Release one assignment (see the module's docstring). `generate(course_root,
    assignment)` runs nbgrader's generate_assignment. When the result lists leaks, the
    release folder has been removed."""
    registry = course.registry
    if not course.notebooks(assignment):
        raise ReleaseError(f"{assignment}: no notebook in {course.source(assignment)}")
    folder = course.release(assignment)
    if folder.exists():
        shutil.rmtree(folder)
    try:
        generate(course.root, assignment)
        if not folder.is_dir():
            raise ReleaseError(f"{assignment}: nbgrader wrote nothing to {folder}")
        _stub_answer_cells(course, assignment, folder)
        stub = registry.stubbed_in(assignment)
        counts = write_package(course.package, folder / "minitorch", course.repo, regions,
                               stub, registry)
        (folder / "nbgrader_config.py").write_text(ASSIGNMENT_CONFIG, encoding="utf-8")
        every_notebook = [nb for name in registry.assignments for nb in course.notebooks(name)]
        secrets, skipped = collect_secrets(course.repo, regions, stub, folder / "minitorch",
                                           every_notebook)
        leaks, files = scan_release(folder, secrets)
        notebooks = sorted(folder.glob("*.ipynb"))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if leaks:
        shutil.rmtree(folder, ignore_errors=True)
    own = [task.id for task in registry.tasks_of(assignment)]
    return Released(
        assignment=assignment, folder=folder, notebooks=notebooks,
        own_tasks=own, later_tasks=sorted(stub - set(own), key=_task_key),
        kept_tasks=sorted(set(registry.tasks) - stub, key=_task_key),
        regions_stubbed=counts["regions"], package_files=counts["files"],
        lines_checked=len(secrets), lines_skipped=skipped,
        blocks_checked=len({secret.block for secret in secrets}), files_scanned=files,
        leaks=leaks)


def stubbed_answer(source: str, task: Task) -> str:
    """An answer cell's source with its solution block replaced by the task's stub, at the
    block's indentation: what the release gives students of a task written in a notebook."""
    message = f"Task {task.id}: write {task.name} in this cell, replacing these two lines"
    message = message.replace("\\", "\\\\").replace('"', '\\"')
    out, inside = [], False
    for line in source.splitlines():
        if SOLUTION_BEGIN.search(line):
            indent = line[:len(line) - len(line.lstrip())]
            out += [f"{indent}# YOUR CODE HERE", f'{indent}raise NotImplementedError("{message}")']
            inside = True
        elif SOLUTION_END.search(line):
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def _stub_answer_cells(course: Course, assignment: str, folder: Path) -> None:
    """Give the answer cells of the assignment's notebook tasks (tasks.toml `cell`) in the
    released notebooks their task's stub, with the checksum nbgrader keeps of them."""
    import nbformat
    from nbgrader.utils import compute_checksum

    tasks = [task for task in course.registry.tasks_of(assignment) if task.cell]
    for source in course.notebooks(assignment):
        released = folder / source.name
        found = [(task, cell) for task in tasks if (cell := answer_cell(source, task.cell))]
        if not found or not released.is_file():
            continue
        notebook = nbformat.read(released, as_version=4)
        by_id = {cell.metadata.get("nbgrader", {}).get("grade_id"): cell
                 for cell in notebook.cells}
        for task, cell in found:
            target = by_id.get(task.cell)
            if target is None:
                raise ReleaseError(f"{assignment}: nbgrader's release of {source.name} lost "
                                   f"the answer cell {task.cell} of task {task.id}")
            text = cell["source"]
            target.source = stubbed_answer("".join(text) if isinstance(text, list) else text,
                                           task)
            if "checksum" in target.metadata.nbgrader:
                target.metadata.nbgrader["checksum"] = compute_checksum(target)
        nbformat.write(notebook, released)


def _task_key(task_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in task_id.split("."))


def _rel(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _tasks(ids: list[str]) -> str:
    return f"{len(ids)} task{'s' if len(ids) != 1 else ''} ({', '.join(ids)})"


def due_dates(course: Course) -> dict[str, datetime]:
    """The due dates (UTC) that nbgrader's gradebook of the course holds, by assignment."""
    path = course.root / "gradebook.db"
    if not path.is_file():
        return {}
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT name, duedate FROM assignment "
                              "WHERE duedate IS NOT NULL").fetchall()
    except sqlite3.Error:
        return {}
    dates = {}
    for name, text in rows:
        try:
            dates[name] = datetime.fromisoformat(str(text)).replace(tzinfo=UTC)
        except ValueError:
            continue
    return dates


def early_reveals(course: Course, assignments: list[str],
                  now: datetime | None = None) -> list[str]:
    """Why releasing `assignments` would reveal solutions too early: an earlier assignment
    whose due date is still ahead."""
    order = list(course.registry.assignments)
    dates, now = due_dates(course), now or datetime.now(UTC)
    problems = []
    for name in assignments:
        for earlier in order[:order.index(name)]:
            if earlier in dates and dates[earlier] > now:
                problems.append(f"{name} holds the reference solutions of {earlier}, which is "
                                f"due {dates[earlier]:%Y-%m-%d %H:%M} UTC")
    return problems


def release(course: Course, assignments: list[str], out=print,
            reveal_earlier: bool = False) -> bool:
    """Release the assignments in order, then the student copy, printing a summary; False
    when one fails (the assignments before it stay released)."""
    early = early_reveals(course, assignments)
    if early and not reveal_earlier:
        out("Not released: " + "; ".join(early) + ". Release after that due date, or pass "
            "--reveal-earlier to release now.")
        return False
    regions = find_regions(course.package, course.repo, course.registry)
    registry = course.registry
    out(f"Releasing the course in {_rel(course.root)}/: {len(registry.tasks)} tasks in "
        f"{len(registry.assignments)} assignments ({_rel(registry.path)}); reference solution "
        f"{_rel(course.package)}/ with {len(regions)} solution regions.")
    with tempfile.TemporaryDirectory(prefix="autograder-release-") as tmp:
        worker = Worker(clean_env(Path(tmp) / "home"), Path(tmp) / "nbgrader.log", Path(tmp))
        try:
            for assignment in assignments:
                result = release_assignment(
                    course, assignment, regions,
                    lambda root, name: generate_assignment(worker, root, name))
                if not _summary(course, result, course_problems(course, assignment), out):
                    return False
        finally:
            worker.stop()
    out("")
    out(f"Released {', '.join(assignments)} into {_rel(course.root / 'release')}/. "
        f"`autograder check` verifies that they grade as intended.")
    try:
        copy = write_student_copy(course, regions)
    except StudentCopyError as error:
        out(f"The student copy: {error}")
        return False
    out(f"The student copy, for students to clone or unzip: {_rel(copy)}/ and "
        f"{_rel(copy.with_suffix('.zip'))} (every assignment released so far; no reference "
        f"solution of a task still to do, no hidden test: scanned).")
    return True


def _summary(course: Course, result: Released, warnings: list[str], out) -> bool:
    folder = _rel(result.folder)
    out("")
    out(f"{result.assignment} -> {folder}/")
    for notebook in result.notebooks:
        out(f"  notebook   {notebook.name}: solutions and hidden tests removed (nbgrader)")
    later = f"; also the {len(result.later_tasks)} tasks of later assignments" \
        if result.later_tasks else ""
    kept = f"; the {len(result.kept_tasks)} tasks of earlier assignments keep their " \
        f"reference solutions (students of {result.assignment} get them)" \
        if result.kept_tasks else ""
    out(f"  package    minitorch/: {result.package_files} files; stubbed: its "
        f"{_tasks(result.own_tasks)}{later} ({result.regions_stubbed} regions){kept}")
    for warning in warnings:
        out(f"  WARNING    {warning}")
    if result.leaks:
        out(f"  leak scan  FAILED: solutions or hidden tests found in {len(result.leaks)} "
            f"place{'s' if len(result.leaks) != 1 else ''}; {folder}/ was removed:")
        for leak in result.leaks[:30]:
            out(f"    {leak}")
        if len(result.leaks) > 30:
            out(f"    ... and {len(result.leaks) - 30} more")
        return False
    out(f"  leak scan  ok: no solution region or hidden test of the course is in the "
        f"{result.files_scanned} files ({result.blocks_checked} blocks, "
        f"{result.lines_checked} lines checked)")
    return True
