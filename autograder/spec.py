"""What grading one assignment needs, and nothing more: its graded test cells, the notebooks
that students' runs get, the hidden-test lines that feedback must never show, and (from a
bundle) the reference's recorded expected results.

`from_course` makes it from the course, whose reference package then records the expected
results at grading time; autograder.bundle writes it to a folder and reads it back, so that
grading can run where the course repository is not. The notebooks of a Spec hold no solution:
answer cells are emptied (grading keeps the student's answer, autograder.merge) and every
`check(...)` in a test cell has lost the code that computes its expected values
(`without_expected`).
"""

import copy
import json
from dataclasses import dataclass, replace
from pathlib import Path

from autograder.course import SOLUTION_BEGIN, SOLUTION_END, Course, grade_cells, notebook_parts
from autograder.leaks import MIN_CHARS, normalize
from autograder.merge import NO_ANSWER, without_expected
from autograder.restore import Reference, references
from autograder.tasks import task_of_grade_id
from autograder.verdict import Test

__all__ = ["Spec", "SpecError", "from_course", "without_solutions"]


class SpecError(RuntimeError):
    """The assignment cannot be graded as it stands (not a problem of one submission)."""


@dataclass
class Spec:
    assignment: str
    notebooks: dict[str, dict]  # notebook name (file stem) -> the notebook students' runs get
    tests: list[Test]  # one per graded test cell, unscored
    hidden: set[str]  # normalised hidden-test lines, for feedback's redaction
    task_names: dict[str, str]  # task id -> what the student writes (tasks.toml `name`)
    needs: dict[str, tuple[str, ...]]  # task id -> the tasks its tests use (tasks.toml)
    groups: dict[str, dict[str, float]]  # task id -> group -> points, for partial credit
    course: Course | None = None  # where the expected results are recorded, if not given
    expected: dict | None = None  # task -> the reference's recorded calls (a bundle's)
    # the earlier assignments' tasks: their slots and the reference's code (autograder.restore)
    restore: tuple[Reference, ...] = ()

    def portable(self, expected: dict) -> "Spec":
        """This spec without its course and with the reference's expected results: all that
        grading a submission needs, to send to a worker on another machine."""
        return replace(self, course=None, expected=expected)

    def fresh_tests(self) -> list[Test]:
        """Unscored copies of the tests, for one submission."""
        return [Test(t.name, t.task, t.notebook, t.max_score) for t in self.tests]


def without_solutions(notebook: dict) -> dict:
    """A copy with every answer cell emptied and any solution block removed from other cells:
    what a grader needs of a notebook that students' answers are merged into."""
    clean = copy.deepcopy(notebook)
    for cell in clean.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if meta.get("solution"):
            cell["source"] = NO_ANSWER
            continue
        if cell.get("cell_type") != "code":
            continue
        kept, inside = [], False
        for line in source.splitlines(keepends=True):
            if SOLUTION_BEGIN.search(line):
                inside = True
            elif SOLUTION_END.search(line):
                inside = False
            elif not inside:
                kept.append(line)
        cell["source"] = "".join(kept)
    return clean


def _tests(paths: list[Path]) -> list[Test]:
    tests = []
    for path in paths:
        for cell in grade_cells(path):
            if cell.solution:
                continue
            task = task_of_grade_id(cell.grade_id)
            if task is None:
                raise SpecError(f"{path.name}: graded cell {cell.grade_id!r} names no task "
                                f"(grade ids of test cells are task_<a>_<b>)")
            tests.append(Test(cell.grade_id, task, path.stem, cell.points))
    return tests


def _hidden_lines(path: Path, rewritten: dict) -> set[str]:
    """The normalised lines of hidden-test source that feedback must never show: as written,
    and as the students' runs hold them (without_expected reformats them)."""
    parts = notebook_parts(path)
    public = {normalize(line) for line in parts.public}
    graded = [line for cell in rewritten["cells"]
              if (meta := cell.get("metadata", {}).get("nbgrader", {})).get("grade")
              and not meta.get("solution") for line in cell["source"].splitlines()]
    lines = set()
    for line in [*(line for _, line in parts.hidden), *graded]:
        text = normalize(line)
        if len(text.replace(" ", "")) >= MIN_CHARS and text not in public:
            lines.add(text)
    return lines


def from_course(course: Course, assignment: str) -> Spec:
    """The assignment as the course defines it; its expected results come from the reference
    package when grading starts."""
    course.assignments([assignment])
    paths = course.notebooks(assignment)
    if not paths:
        raise SpecError(f"no notebook in {course.source(assignment)}")
    tests = _tests(paths)
    if not tests:
        raise SpecError(f"{assignment} has no graded test cells")
    notebooks, hidden = {}, set()
    for path in paths:
        rewritten = without_expected(json.loads(path.read_text(encoding="utf-8")))
        notebooks[path.stem] = without_solutions(rewritten)
        hidden |= _hidden_lines(path, rewritten)
    tasks = course.registry.tasks_of(assignment)
    return Spec(assignment, notebooks, tests, hidden, {task.id: task.name for task in tasks},
                {task.id: task.needs for task in tasks},
                {task.id: {g: float(p) for g, p in task.groups} for task in tasks if task.groups},
                course=course, restore=references(course, assignment))
