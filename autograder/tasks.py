"""The course's task registry, `course/tasks.toml`: what students write and what it is worth.

    [assignments]
    "01_tensors" = "1"            # assignment name -> the prefix of its task ids

    [tasks."1.4"]
    name = "shape_broadcast"      # the function (or topic) the student writes
    file = "minitorch/tensor_data.py"
    points = 5                    # the points of the graded cell `task_1_4`
    needs = ["1.1", "1.3"]        # tasks whose solution this task's tests rely on
    groups = {aligned = 2, padded = 3}   # optional: partial credit, points per group of cases

    [tasks."1.10"]
    name = "my_test_1_4"
    cell = "exercise_mutant"      # instead of `file`: written in a notebook cell
    points = 5

A task is written either in the package (`file`: its code sits in solution regions there) or
in a notebook of its assignment (`cell`: the grade_id of an nbgrader answer cell whose
`### BEGIN SOLUTION` block the release stubs). Either way its graded test cell is
`task_<a>_<b>`, and `autograder check` stubs it alone to prove what it is worth.

A task with `groups` scores each group on its own: its hidden tests name the group of each
`check(..., group="aligned")` call, and a group earns its points when all its calls pass. The
groups' points add up to the task's.

`load_registry` reads and validates the file; every problem is reported at once, as a
`RegistryError` whose message lists them.
"""

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Task", "Registry", "RegistryError", "load_registry", "grade_id", "task_of_grade_id"]

TASK_ID = re.compile(r"^(\d+)\.(\d+)$")
GRADE_ID = re.compile(r"^task_(\d+)_(\d+)$")
TASK_KEYS = {"name", "file", "cell", "points", "needs", "groups"}
GROUP_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
CELL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")


class RegistryError(ValueError):
    """tasks.toml is malformed; the message lists every problem found."""


def grade_id(task_id: str) -> str:
    """The nbgrader grade_id of the graded test cell of a task: "1.4" -> "task_1_4"."""
    return "task_" + task_id.replace(".", "_")


def task_of_grade_id(name: str) -> str | None:
    """The task id that a grade_id names ("task_1_4" -> "1.4"), or None for other cells."""
    match = GRADE_ID.match(name)
    return f"{match[1]}.{match[2]}" if match else None


@dataclass(frozen=True)
class Task:
    id: str
    name: str
    file: str  # where its solution regions are; "" for a task written in a notebook cell
    points: int
    needs: tuple[str, ...] = ()
    assignment: str = ""
    groups: tuple[tuple[str, int], ...] = ()  # (group, points), in tasks.toml's order
    cell: str = ""  # the grade_id of the notebook answer cell it is written in, or ""


@dataclass
class Registry:
    """The tasks and assignments of the course, in the order of tasks.toml."""

    path: Path
    root: Path
    assignments: dict[str, str]  # assignment name -> task-id prefix, in course order
    tasks: dict[str, Task] = field(default_factory=dict)

    def tasks_of(self, assignment: str) -> list[Task]:
        self._known(assignment)
        return [task for task in self.tasks.values() if task.assignment == assignment]

    def stubbed_in(self, assignment: str) -> set[str]:
        """The task ids stubbed in an assignment's release: its own and those of later ones."""
        self._known(assignment)
        order = list(self.assignments)
        later = set(order[order.index(assignment):])
        return {task.id for task in self.tasks.values() if task.assignment in later}

    def dependents(self, task_id: str) -> set[str]:
        """The tasks that need `task_id`, directly or through other tasks."""
        found: set[str] = set()
        frontier = [task_id]
        while frontier:
            current = frontier.pop()
            for task in self.tasks.values():
                if current in task.needs and task.id not in found:
                    found.add(task.id)
                    frontier.append(task.id)
        return found

    def _known(self, assignment: str) -> None:
        if assignment not in self.assignments:
            known = ", ".join(self.assignments) or "none"
            raise RegistryError(
                f"{self.path}: unknown assignment {assignment!r} (the course has: {known})"
            )


def load_registry(path: Path, root: Path | None = None) -> Registry:
    """Read and validate tasks.toml; `root` (default: the folder above the course) holds the
    files that tasks name."""
    path = Path(path)
    root = Path(root) if root is not None else path.resolve().parent.parent
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise RegistryError(f"{path}: no such file (the course's task registry)") from None
    except tomllib.TOMLDecodeError as error:
        raise RegistryError(f"{path}: not valid TOML: {error}") from None

    problems: list[str] = []
    assignments = data.get("assignments", {})
    if not isinstance(assignments, dict) or not assignments:
        problems.append('no [assignments] table (e.g. "01_tensors" = "1")')
        assignments = {}
    prefixes: dict[str, str] = {}
    for name, prefix in assignments.items():
        if not isinstance(prefix, str) or not prefix.isdigit():
            problems.append(f"assignment {name!r}: its task prefix must be a number as a string, "
                            f"e.g. \"1\", not {prefix!r}")
        elif prefix in prefixes:
            problems.append(f"assignments {prefixes[prefix]!r} and {name!r} share the prefix "
                            f"{prefix!r}")
        else:
            prefixes[prefix] = name

    extra = set(data) - {"assignments", "tasks"}
    if extra:
        problems.append(f"unknown tables: {', '.join(sorted(extra))}")

    tasks: dict[str, Task] = {}
    raw_tasks = data.get("tasks", {})
    if not isinstance(raw_tasks, dict):
        raw_tasks = {}
        problems.append("[tasks] must be a table of tables ([tasks.\"1.1\"])")
    for task_id, entry in raw_tasks.items():
        where = f"task {task_id!r}"
        match = TASK_ID.match(task_id)
        if not match:
            problems.append(f"{where}: a task id is <assignment prefix>.<number>, e.g. \"1.4\"")
            continue
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a table")
            continue
        assignment = prefixes.get(match[1])
        if assignment is None:
            problems.append(f"{where}: no assignment has the prefix {match[1]!r}")
        unknown_keys = set(entry) - TASK_KEYS
        if unknown_keys:
            problems.append(f"{where}: unknown keys {', '.join(sorted(unknown_keys))} "
                            f"(known: {', '.join(sorted(TASK_KEYS))})")
        name, file, points = entry.get("name"), entry.get("file"), entry.get("points")
        cell = entry.get("cell")
        needs = entry.get("needs", [])
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: `name` must be a non-empty string")
        if (file is None) == (cell is None):
            problems.append(f"{where}: give either `file` (a path relative to the repository) "
                            f"or `cell` (the grade_id of a notebook answer cell), not "
                            f"{'both' if file is not None else 'neither'}")
        elif cell is not None and not (isinstance(cell, str) and CELL_ID.fullmatch(cell)):
            problems.append(f"{where}: `cell` must be the grade_id of a notebook answer "
                            f"cell (letters, digits, _ and -), not {cell!r}")
        elif file is not None and (not isinstance(file, str) or not file):
            problems.append(f"{where}: `file` must be a path relative to the repository")
        elif file is not None and not (root / file).is_file():
            problems.append(f"{where}: file {file} does not exist (under {root})")
        if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
            problems.append(f"{where}: `points` must be a positive integer, not {points!r}")
        if not isinstance(needs, list) or not all(isinstance(n, str) for n in needs):
            problems.append(f"{where}: `needs` must be a list of task ids")
            needs = []
        groups = entry.get("groups", {})
        if not isinstance(groups, dict) or not all(
                isinstance(g, str) and GROUP_NAME.fullmatch(g) and isinstance(v, int)
                and not isinstance(v, bool) and v > 0 for g, v in groups.items()):
            problems.append(f"{where}: `groups` must map group names (lower case letters, "
                            f"digits, _ and -) to positive integer points")
            groups = {}
        elif groups and sum(groups.values()) != points:
            problems.append(f"{where}: its groups' points add up to {sum(groups.values())}, "
                            f"not to its {points} points")
        tasks[task_id] = Task(task_id, str(name), file if isinstance(file, str) else "",
                              points if isinstance(points, int) else 0, tuple(needs),
                              assignment or "", tuple(groups.items()),
                              cell if isinstance(cell, str) else "")

    order = list(assignments)
    for task in tasks.values():
        for need in task.needs:
            if need == task.id:
                problems.append(f"task {task.id!r} needs itself")
            elif need not in tasks:
                problems.append(f"task {task.id!r} needs {need!r}, which is not a task")
            elif (task.assignment in order and tasks[need].assignment in order
                  and order.index(tasks[need].assignment) > order.index(task.assignment)):
                problems.append(f"task {task.id!r} needs {need!r} of a later assignment "
                                f"({tasks[need].assignment})")
    cycle = _find_cycle({t.id: [n for n in t.needs if n in tasks and n != t.id]
                         for t in tasks.values()})
    if cycle:
        problems.append("`needs` has a cycle: " + " -> ".join(cycle))

    if problems:
        raise RegistryError(f"{path}: " + ("\n  ".join(["invalid task registry:", *problems])))
    return Registry(path=path, root=root, assignments=dict(assignments), tasks=tasks)


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A cycle of the graph as a closed path [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in graph:
        if state.get(start):
            continue
        path = [start]
        iterators = [iter(graph[start])]
        state[start] = 1
        while iterators:
            nxt = next(iterators[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                iterators.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                iterators.append(iter(graph[nxt]))
    return None
