"""The course's notebooks run top to bottom.

- Every source notebook (the instructor's, with solutions and hidden tests) runs with the
  reference package without an error and without anything on stderr.
- Every released notebook runs beside its student package (the stubs) and stops only on
  NotImplementedErrors: those of its own assignment's tasks ("Task 1.4: ..."), and those of
  the notebook's own exercises, whose cells and checks raise NotImplementedError("Exercise
  ...") until the student answers (nbgrader's stub, set in course/nbgrader_config.py, says
  "Exercise: write your answer in this cell ...").

Both also check which minitorch the kernel imported: the student's copy beside the notebook
must win over the reference package that the venv has installed (editable).
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from course_copy import copy_course
from nbclient import NotebookClient

from autograder.tasks import load_registry

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = load_registry(ROOT / "course" / "tasks.toml", root=ROOT)
SOURCES = sorted((ROOT / "course" / "source").glob("*/*.ipynb"))
CELL_TIMEOUT_S = 600
EXERCISE = re.compile(r"Exercise\b")
WHICH = "import minitorch as _which_minitorch\nprint(_which_minitorch.__file__)"


def execute(path: Path) -> nbformat.NotebookNode:
    """Run a notebook in its own folder (the kernel's working directory), errors allowed,
    with one more cell at the end that prints which minitorch was imported."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(WHICH))
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            allow_errors=True, resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return notebook


def outputs(notebook, kind: str):
    """(cell index, output) for outputs of `kind`: "error" or "stderr"."""
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if kind == "error" and output.output_type == "error":
                yield index, output
            elif kind == "stderr" and output.output_type == "stream" \
                    and output.name == "stderr":
                yield index, output


def imported_from(notebook) -> Path:
    text = "".join(o.get("text", "") for o in notebook.cells[-1].outputs
                   if o.output_type == "stream")
    return Path(text.strip())


def test_every_assignment_has_a_source_notebook():
    for assignment in REGISTRY.assignments:
        folder = ROOT / "course" / "source" / assignment
        assert list(folder.glob("*.ipynb")), f"no notebook in {folder}"


@pytest.mark.slow
@pytest.mark.parametrize("path", SOURCES, ids=[p.parent.name for p in SOURCES])
def test_source_notebook_runs_clean_with_the_reference_package(path, tmp_path):
    # A copy of the assignment's folder, so that files the notebook writes stay out of the
    # repository; no package beside it: the kernel finds the installed reference package.
    folder = tmp_path / path.parent.name
    shutil.copytree(path.parent, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    notebook = execute(folder / path.name)
    errors = [f"cell {i}: {o.ename}: {o.evalue}" for i, o in outputs(notebook, "error")]
    assert not errors, "errors in the source notebook:\n" + "\n".join(errors)
    stderr = [f"cell {i}: {o.text[:500]}" for i, o in outputs(notebook, "stderr")]
    assert not stderr, "stderr output in the source notebook:\n" + "\n".join(stderr)
    assert imported_from(notebook) == ROOT / "minitorch" / "__init__.py"


@pytest.fixture(scope="module")
def course_copy(tmp_path_factory) -> Path:
    """A temporary copy of the course (config, tasks.toml, source notebooks)."""
    return copy_course(tmp_path_factory.mktemp("released"))


def release(course: Path, assignment: str) -> Path:
    """`autograder release ASSIGNMENT` in the copy; its release folder."""
    done = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "--course", str(course), "--package",
         str(ROOT / "minitorch"), "release", assignment],
        capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout + done.stderr
    return course / "release" / assignment


@pytest.mark.slow
@pytest.mark.parametrize("assignment", list(REGISTRY.assignments))
def test_released_notebook_stops_only_on_its_own_tasks(assignment, course_copy):
    folder = release(course_copy, assignment)
    paths = sorted(folder.glob("*.ipynb"))
    assert paths, f"nothing released in {folder}"
    own = {task.id for task in REGISTRY.tasks_of(assignment)}
    for path in paths:
        notebook = execute(path)
        wrong = []
        for index, output in outputs(notebook, "error"):
            match = re.match(r"Task (\d+\.\d+): ", output.evalue)
            ok = output.ename == "NotImplementedError" and (
                (match and match[1] in own) or EXERCISE.match(output.evalue))
            if not ok:
                source = notebook.cells[index].source
                wrong.append(f"cell {index}: {output.ename}: {output.evalue}\n"
                             f"    {source[:300]!r}")
        assert not wrong, (
            f"{path.name}: errors other than the NotImplementedErrors of tasks "
            f"{', '.join(sorted(own))}:\n" + "\n".join(wrong))
        # the student's copy beside the notebook wins over the installed reference package
        assert imported_from(notebook) == folder / "minitorch" / "__init__.py"

