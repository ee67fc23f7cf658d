"""`autograder release` and `autograder check` on the real course, in a temporary copy of
course/ (the repository's course/release and gradebook are never written)."""

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from course_copy import copy_course

from autograder.regions import find_regions
from autograder.tasks import load_registry

ROOT = Path(__file__).resolve().parent.parent
AUTOGRADER = Path(sys.executable).parent / "autograder"





def autograder(course: Path, *args: str, package: Path = ROOT / "minitorch",
               timeout: float = 1200) -> subprocess.CompletedProcess:
    assert AUTOGRADER.exists(), f"{AUTOGRADER} is missing: pip install -e . installs it"
    return subprocess.run(
        [str(AUTOGRADER), "--course", str(course), "--package", str(package), *args],
        cwd=course.parent, capture_output=True, text=True, timeout=timeout)


def output(done: subprocess.CompletedProcess) -> str:
    return f"exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr[-5000:]}"


@pytest.mark.slow
def test_release_writes_the_student_copies(tmp_path):
    course = copy_course(tmp_path)
    done = autograder(course, "release")
    assert done.returncode == 0, output(done)
    registry = load_registry(ROOT / "course" / "tasks.toml", root=ROOT)
    assert done.stdout.count("leak scan  ok") == len(registry.assignments), output(done)
    for assignment in registry.assignments:
        folder = course / "release" / assignment
        notebook = folder / f"{assignment}.ipynb"
        assert notebook.is_file(), output(done)
        text = notebook.read_text()
        assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
        package = folder / "minitorch"
        assert (package / "__init__.py").is_file()
        assert not list(package.rglob("__pycache__"))
        source = "\n".join(p.read_text() for p in sorted(package.rglob("*.py")))
        assert "BEGIN SOLUTION" not in source
        stubbed = registry.stubbed_in(assignment)
        for task in registry.tasks.values():
            marker = f'raise NotImplementedError("Task {task.id}: '
            if task.cell:  # written in its notebook, whose answer cell has the task's stub
                assert task.assignment != assignment or marker.replace('"', '\\"') in text
                continue
            assert (marker in source) == (task.id in stubbed), (assignment, task.id)

    stubs = (course / "release" / "01_tensors" / "minitorch" / "tensor_data.py").read_text()
    assert ('    raise NotImplementedError("Task 1.1: index_to_position in '
            'minitorch/tensor_data.py")\n') in stubs
    assert (course / "gradebook.db").is_file()  # the copy's own sqlite gradebook


@pytest.mark.slow
def test_release_refuses_a_leak_and_removes_the_release(tmp_path):
    course = copy_course(tmp_path)
    registry = load_registry(ROOT / "course" / "tasks.toml", root=ROOT)
    region = next(r for r in find_regions(ROOT / "minitorch", ROOT, registry) if r.task == "1.1")
    lines = (ROOT / region.file).read_text().splitlines()[region.begin:region.end - 1]
    notebook_path = course / "source" / "01_tensors" / "01_tensors.ipynb"
    notebook = json.loads(notebook_path.read_text())
    notebook["cells"].append({
        "cell_type": "markdown", "id": "planted-leak", "metadata": {},
        "source": ["The answer, by mistake:\n", "```python\n", *[x + "\n" for x in lines],
                   "```\n"]})
    notebook_path.write_text(json.dumps(notebook))

    done = autograder(course, "release", "01_tensors")
    assert done.returncode != 0, output(done)
    assert "leak scan  FAILED" in done.stdout, output(done)
    assert f"the solution of task 1.1 (index_to_position) at {region.where}" in done.stdout
    assert not (course / "release" / "01_tensors").exists()


@pytest.mark.slow
def test_release_refuses_an_unknown_task_tag(tmp_path):
    course = copy_course(tmp_path)
    package = tmp_path / "minitorch"
    shutil.copytree(ROOT / "minitorch", package, ignore=shutil.ignore_patterns("__pycache__"))
    path = package / "tensor_data.py"
    text = path.read_text()
    path.write_text(text.replace("# BEGIN SOLUTION 1.2", "# BEGIN SOLUTION 1.99", 1))
    number = text.splitlines().index("    # BEGIN SOLUTION 1.2") + 1

    done = autograder(course, "release", package=package)
    assert done.returncode != 0, output(done)
    assert f"minitorch/tensor_data.py:{number}: BEGIN SOLUTION 1.99: no task '1.99'" \
        in done.stderr, output(done)
    assert not (course / "release").exists()


REGISTRY = load_registry(ROOT / "course" / "tasks.toml", root=ROOT)


# One test per assignment, so that pytest-xdist spreads them over its workers; each grades
# its simulated submissions one at a time (--jobs 1) through the grading engine.
@pytest.mark.slow
@pytest.mark.parametrize("assignment", list(REGISTRY.assignments))
def test_check_the_course_grades_itself(tmp_path, assignment):
    course = copy_course(tmp_path)
    start = time.monotonic()
    done = autograder(course, "check", assignment, "--jobs", "1", "--no-progress",
                      timeout=1800)
    seconds = time.monotonic() - start
    print(done.stdout)
    print(f"autograder check {assignment} took {seconds:.0f} s")
    assert done.returncode == 0, output(done)
    assert "all as expected" in done.stdout
    assert "grading engine" in done.stdout  # the road that students' grades travel
    for task in REGISTRY.tasks_of(assignment):
        row = rf"^  {re.escape(task.id)} .* \d+/\d+ +ok +{re.escape(task.id)}\b"
        assert re.search(row, done.stdout, re.MULTILINE), task.id
    # nothing was written into the course copy: each submission had its own temporary folder
    assert sorted(p.name for p in course.iterdir()) == ["nbgrader_config.py", "source",
                                                        "tasks.toml"]
