"""Where the course's pieces live, what the source notebooks hold, and whether their graded
cells agree with tasks.toml.

The course root (`course/`) holds nbgrader_config.py, tasks.toml and
`source/<assignment>/*.ipynb`; the reference package (`minitorch/`) sits beside it, in the
repository root. `autograder release` writes `release/<assignment>/` under the course root.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.tasks import Registry, grade_id, load_registry, task_of_grade_id

__all__ = ["Course", "GradeCell", "NotebookParts", "answer_cell", "course_problems",
           "grade_cells", "notebook_parts"]

HIDDEN_BEGIN = re.compile(r"BEGIN\s+HIDDEN\s+TESTS?", re.IGNORECASE)
HIDDEN_END = re.compile(r"END\s+HIDDEN\s+TESTS?", re.IGNORECASE)
SOLUTION_BEGIN = re.compile(r"BEGIN\s+SOLUTION", re.IGNORECASE)
SOLUTION_END = re.compile(r"END\s+SOLUTION", re.IGNORECASE)


@dataclass
class Course:
    root: Path  # the nbgrader course root, e.g. <repo>/course
    package: Path  # the reference package, e.g. <repo>/minitorch
    registry: Registry

    @classmethod
    def load(cls, root: Path, package: Path | None = None) -> "Course":
        root = Path(root).resolve()
        package = Path(package).resolve() if package else root.parent / "minitorch"
        return cls(root, package, load_registry(root / "tasks.toml", root=package.parent))

    @property
    def repo(self) -> Path:
        """The folder that holds the package; task files and regions are named relative to it."""
        return self.package.parent

    @property
    def config(self) -> Path:
        return self.root / "nbgrader_config.py"

    def source(self, assignment: str) -> Path:
        return self.root / "source" / assignment

    def release(self, assignment: str) -> Path:
        return self.root / "release" / assignment

    def notebooks(self, assignment: str) -> list[Path]:
        return sorted(self.source(assignment).glob("*.ipynb"))

    def assignments(self, names: list[str] | None = None) -> list[str]:
        """The named assignments (checked), or all of them in course order."""
        if not names:
            return list(self.registry.assignments)
        for name in names:
            self.registry.tasks_of(name)  # raises on an unknown name
        return list(names)


@dataclass(frozen=True)
class GradeCell:
    notebook: str
    grade_id: str
    points: float
    solution: bool  # a graded answer cell (graded by hand), not a test cell


def _cells(path: Path) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def grade_cells(path: Path) -> list[GradeCell]:
    """The graded cells of a notebook, in order."""
    found = []
    for cell in _cells(path):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            found.append(GradeCell(Path(path).name, str(meta.get("grade_id", "")),
                                   float(meta.get("points", 0)), bool(meta.get("solution"))))
    return found


def course_problems(course: Course, assignment: str) -> list[str]:
    """What is inconsistent between the assignment's notebooks and tasks.toml (grade ids,
    task names, points): `release` prints it as warnings, `check` reports it with its table."""
    registry = course.registry
    problems = []
    notebooks = course.notebooks(assignment)
    if not notebooks:
        return [f"no notebook in {course.source(assignment)}"]
    seen: dict[str, str] = {}
    for path in notebooks:
        for cell in grade_cells(path):
            if not cell.grade_id:
                problems.append(f"{path.name}: a graded cell has no grade_id")
                continue
            if cell.grade_id in seen:
                problems.append(f"{path.name}: grade_id {cell.grade_id} is used twice "
                                f"(also in {seen[cell.grade_id]})")
            seen[cell.grade_id] = path.name
            task_id = task_of_grade_id(cell.grade_id)
            if task_id is None or cell.solution:
                continue
            task = registry.tasks.get(task_id)
            if task is None:
                problems.append(f"{path.name}: graded cell {cell.grade_id} names task "
                                f"{task_id}, which is not in tasks.toml")
            elif task.assignment != assignment:
                problems.append(f"{path.name}: graded cell {cell.grade_id} names task "
                                f"{task_id} of assignment {task.assignment}")
            elif cell.points != task.points:
                problems.append(f"{path.name}: graded cell {cell.grade_id} is worth "
                                f"{cell.points:g} points, tasks.toml gives task {task_id} "
                                f"{task.points}")
    for task in registry.tasks_of(assignment):
        if grade_id(task.id) not in seen:
            problems.append(f"task {task.id} ({task.name}) has no graded cell "
                            f"(grade_id {grade_id(task.id)}) in {assignment}'s notebooks")
        if task.cell and not any(answer_cell(path, task.cell) for path in notebooks):
            problems.append(f"task {task.id} ({task.name}) is written in the cell "
                            f"{task.cell} (tasks.toml), but {assignment}'s notebooks have no "
                            f"answer cell (nbgrader solution) of that grade_id with a "
                            f"### BEGIN SOLUTION block")
    return problems


def answer_cell(path: Path, name: str) -> dict | None:
    """The notebook's answer cell (nbgrader `solution`) whose grade_id is `name` and whose
    code holds a solution block: where a task of tasks.toml `cell = name` is written."""
    for cell in _cells(path):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") == name \
                and SOLUTION_BEGIN.search(_source(cell)):
            return cell
    return None


@dataclass
class NotebookParts:
    """A source notebook's lines split into what students see and what they must not."""

    hidden: list[tuple[str, str]] = field(default_factory=list)  # (where, line)
    solution: list[tuple[str, str]] = field(default_factory=list)
    public: list[str] = field(default_factory=list)


def notebook_parts(path: Path) -> NotebookParts:
    """Split every cell's lines: hidden-test blocks, notebook solution blocks, and the rest.

    Markers are matched more loosely than nbgrader does (any case, TEST or TESTS), so that a
    misspelt marker, which nbgrader would leave in the release, still marks secret lines.
    """
    parts = NotebookParts()
    for index, cell in enumerate(_cells(path)):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        label = f"{Path(path).name} cell {index}" + (f" ({meta['grade_id']})"
                                                     if meta.get("grade_id") else "")
        mode = None
        for line in _source(cell).splitlines():
            if HIDDEN_BEGIN.search(line):
                mode = "hidden"
            elif SOLUTION_BEGIN.search(line):
                mode = "solution"
            elif HIDDEN_END.search(line) or SOLUTION_END.search(line):
                mode = None
            elif mode == "hidden":
                parts.hidden.append((label, line))
            elif mode == "solution":
                parts.solution.append((label, line))
            else:
                parts.public.append(line)
    return parts


def solution_text(source: str) -> str:
    """A source solution cell as a perfect student would leave it: the markers removed."""
    return "\n".join(line for line in source.splitlines()
                     if not (SOLUTION_BEGIN.search(line) or SOLUTION_END.search(line)))
