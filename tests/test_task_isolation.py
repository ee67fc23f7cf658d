"""A task's grade depends on that task alone and on the tasks its code calls (tasks.toml
`needs`), never on how the grader's own tests were written.

`autograder check` proves the dynamic half on the real course: the reference with one task
stubbed loses exactly that task's points and those of the tasks that need it. Its proof is only
as fair as the `needs` it checks against, and a hidden test that builds its inputs with another
task's function (1.7 and 1.9 once computed their output shapes with the student's
`shape_broadcast`) makes that task "needed" by the test, not by the code. The tests here close
that gap:

- a hidden test calls no function that another task of its assignment writes: what it needs
  besides the task under test it computes with NumPy or the grader's own helpers;
- each declared need is a call the task's own reference code makes, directly or through the
  functions around it (so `needs` lists the code's dependencies, not the tests').
"""

import ast
import json
import re
from pathlib import Path

import pytest

from autograder.regions import find_regions
from autograder.tasks import load_registry

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = load_registry(ROOT / "course" / "tasks.toml", root=ROOT)
REGIONS = find_regions(ROOT / "minitorch", ROOT, REGISTRY)
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def _is_class(file: str, name: str) -> bool:
    tree = ast.parse((ROOT / file).read_text())
    return any(isinstance(node, ast.ClassDef) and node.name == name for node in tree.body)


def functions_of_tasks() -> dict[str, set[str]]:
    """Task id -> the module-level functions whose bodies hold its solution regions (methods are
    left out: their names, `backward` or `step`, are shared by many classes)."""
    found: dict[str, set[str]] = {}
    for region in REGIONS:
        if region.scope and not _is_class(region.file, region.scope[0]):
            found.setdefault(region.task, set()).add(region.scope[0])
    return found


FUNCTIONS = functions_of_tasks()


def names_used(source: str) -> set[str]:
    """Every identifier a piece of code reads: plain names and attribute names."""
    tree = ast.parse(source)
    return ({node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
            | {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)})


def hidden_tests(assignment: str) -> dict[str, str]:
    """Task id -> the source of its hidden tests, from the assignment's source notebook."""
    notebook = ROOT / "course" / "source" / assignment / f"{assignment}.ipynb"
    found = {}
    for cell in json.loads(notebook.read_text())["cells"]:
        name = re.fullmatch(r"task_(\d+)_(\d+)",
                            cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))
        hidden = HIDDEN.search("".join(cell["source"]))
        if name and hidden:
            found[f"{name[1]}.{name[2]}"] = hidden[1]
    return found


ASSIGNMENTS = list(REGISTRY.assignments)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hidden_tests_call_no_other_task_of_their_assignment(assignment):
    own = {task.id for task in REGISTRY.tasks_of(assignment)}
    tests = hidden_tests(assignment)
    assert tests, f"no hidden tests found in {assignment}"
    wrong = []
    for task, source in tests.items():
        used = names_used(source)
        for other in sorted(own - {task}):
            for function in sorted(FUNCTIONS.get(other, set()) & used):
                wrong.append(f"the hidden tests of {task} call {function} (task {other})")
    assert not wrong, "\n".join(wrong)


def definitions() -> dict[str, list[str]]:
    """Name -> the sources of the package's module-level functions and classes of that name."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "minitorch").rglob("*.py")):
        text = path.read_text()
        for node in ast.parse(text).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                found.setdefault(node.name, []).append(ast.get_source_segment(text, node))
    return found


DEFINITIONS = definitions()
HOPS = 3  # how far a task's code may reach a need through helpers (pooling -> windows: 2)


def answer_names(task: str) -> set[str]:
    """The names that the answer cell of a task written in a notebook (tasks.toml `cell`) uses,
    in its source notebook; none for a task written in the package."""
    cell_id = REGISTRY.tasks[task].cell
    notebook = ROOT / "course" / "source" / REGISTRY.tasks[task].assignment
    for path in notebook.glob("*.ipynb"):
        for cell in json.loads(path.read_text())["cells"]:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == cell_id:
                return names_used("".join(cell["source"]))
    return set()


def names_reached(task: str) -> set[str]:
    """The names that the task's functions and classes (or its answer cell) use, and those
    that the package's functions and classes they name use, up to HOPS calls away."""
    start = {region.scope[0] for region in REGIONS if region.task == task}
    start |= answer_names(task) if REGISTRY.tasks[task].cell else set()
    seen, frontier = set(start), set(start)
    for _ in range(HOPS):
        used = set().union(*(names_used(source) for name in frontier
                             for source in DEFINITIONS.get(name, [])))
        frontier = used - seen
        seen |= used
    return seen


# Needs that no name in the code shows: Linear's `self.weight = Parameter(...)` goes through
# Module.__setattr__ (3.1), the method Python calls for any attribute assignment.
# DigitsCNN (7.5) reaches the windows (7.1) through its layers, more than HOPS calls away, and
# their backward, fold (7.3), through autograd.
# The training loop of 5.7 (its answer cell) steps Adam and iterates a DataLoader: the code of
# 5.5 and 5.6 is in methods (Adam.step, BatchSampler.__iter__, ...), which are not traced.
IMPLICIT = {("3.3", "3.1"), ("7.5", "7.1"), ("7.5", "7.3"), ("5.7", "5.5"), ("5.7", "5.6")}


@pytest.mark.parametrize("task", [t for t in REGISTRY.tasks.values() if t.needs],
                         ids=lambda t: t.id)
def test_each_declared_need_is_a_call_of_the_tasks_own_code(task):
    used = names_reached(task.id)
    for need in task.needs:
        if (task.id, need) in IMPLICIT:
            continue
        called = FUNCTIONS.get(need, set()) & used
        assert called, (f"task {task.id} declares it needs {need}, but its reference code calls "
                        f"none of {sorted(FUNCTIONS.get(need, set()))}: a need of the tests, not "
                        "of the code? compute that input in the test instead")
