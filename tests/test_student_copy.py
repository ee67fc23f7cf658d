"""The student copy (autograder.student_copy) used as a student and an instructor would: built
by `autograder release`, free of solutions, installed into its own environment by its own
Makefile, then fetch, Validate (stub: the table, failing; reference answers: success),
submit, grade in the instructor's repository, release the feedback and fetch it back."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from course_copy import copy_course
from leak_check import assert_no_solution

from autograder.check import _answered
from autograder.course import Course
from autograder.regions import find_regions

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ASSIGNMENT = "01_tensors"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"

pytestmark = pytest.mark.slow


def run(command: list[str], cwd: Path, env: dict[str, str], ok: bool = True,
        timeout: float = 1200) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    if ok:
        assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout[-3000:]}\n" \
                                     f"{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    """A course copy released (01 and 02) and its student copy with its environment."""
    base = tmp_path_factory.mktemp("student-copy")
    course = copy_course(base)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[name] = str(base / "jupyter-home" / name.lower())
    run([str(BIN / "autograder"), "--course", str(course), "--package", str(ROOT / "minitorch"),
         "release", ASSIGNMENT, "02_autograd"], base, env)
    student = course / "student"
    # the student's shell: none of the instructor's environment on PATH
    student_env = dict(env, PATH=os.pathsep.join(
        p for p in env["PATH"].split(os.pathsep) if not p.startswith(str(BIN))))
    run(["make", "-s", ".venv/.installed"], student, student_env)
    return {"base": base, "course": Course.load(course, ROOT / "minitorch"),
            "student": student, "env": env, "student_env": student_env}


def test_the_student_copy_holds_no_solution_hidden_test_source_or_gradebook(copy):
    student, course = copy["student"], copy["course"]
    shipped = {p.relative_to(student).parts[0] for p in student.iterdir()}
    assert {"README.md", "Makefile", "pyproject.toml", "nbgrader_config.py", "release",
            "autograder", "scripts"} <= shipped
    assert_no_solution(student / "release", course, "02_autograd")
    for path in (p for p in student.rglob("*") if p.is_file() and ".venv" not in p.parts):
        text = path.read_text(errors="replace")
        assert "BEGIN HIDDEN TESTS" not in text or path.suffix == ".py", path
        assert "# BEGIN SOLUTION" not in text or "autograder" in path.parts, path
    assert not [p for p in student.rglob("gradebook.db") if ".venv" not in p.parts]
    assert not (student / "source").exists()
    assert not (student / "minitorch").exists()
    with zipfile.ZipFile(student.with_suffix(".zip")) as archive:
        names = set(archive.namelist())
    assert "minitorch-course/Makefile" in names
    assert "minitorch-course/release/01_tensors/01_tensors.ipynb" in names
    assert not any(".venv" in name or "workspace/" in name for name in names)


def test_its_environment_has_no_minitorch_and_an_assignment_imports_its_own(copy):
    python = copy["student"] / ".venv" / "bin" / "python"
    done = run([str(python), "-c", "import minitorch"], copy["base"], copy["student_env"],
               ok=False)
    assert "No module named 'minitorch'" in done.stderr
    folder = copy["student"] / "release" / ASSIGNMENT
    done = run([str(python), "-c", "import minitorch; print(minitorch.__file__)"], folder,
               copy["student_env"])
    assert done.stdout.strip() == str(folder / "minitorch" / "__init__.py")


def test_a_student_works_validates_submits_and_gets_feedback(copy):
    student, env = copy["student"], copy["student_env"]
    nbgrader = str(student / ".venv" / "bin" / "nbgrader")
    done = run(["make", "-s", "test"], student, env)
    assert "No assignment fetched" in done.stdout

    run(["make", "-s", "workspace", "STUDENT=dee"], student, env)
    workspace = student / "workspace"
    run([nbgrader, "fetch_assignment", ASSIGNMENT], workspace, env)
    done = run(["make", "-s", "test"], student, env, ok=False)
    assert done.returncode != 0
    assert "1.1        5  FAILS  index_to_position in minitorch/tensor_data.py" in done.stdout
    assert "10 of 10 tasks fail (70 of 70 points)" in done.stdout

    # The reference answers: every task passes, whether run from make test or in the folder.
    mine = workspace / ASSIGNMENT
    course = copy["course"]
    _answered(mine / NOTEBOOK, course.notebooks(ASSIGNMENT)[0], mine / NOTEBOOK)
    shutil.rmtree(mine / "minitorch")
    shutil.copytree(ROOT / "minitorch", mine / "minitorch",
                    ignore=shutil.ignore_patterns("__pycache__"))
    done = run(["make", "-s", "test"], student, env)
    assert "Every task passes its visible tests." in done.stdout
    done = run([nbgrader, "validate", NOTEBOOK], mine, env)
    assert "Success!" in done.stdout + done.stderr

    run([nbgrader, "submit", ASSIGNMENT], workspace, env)
    exchange = student / "exchange"
    graded = copy["base"] / "graded"
    autograder = [str(BIN / "autograder"), "--course", str(course.root), "--package",
                  str(ROOT / "minitorch")]
    run([*autograder, "grade", ASSIGNMENT, "--from-exchange", "--exchange", str(exchange),
         "--out", str(graded), "--no-progress", "--cell-timeout", "60"], copy["base"],
        copy["env"])
    results = json.loads((graded / "students" / "dee" / "results.json").read_text())
    assert results["score"] == results["max_score"] == 70
    run([*autograder, "feedback", ASSIGNMENT, "--out", str(graded), "--exchange",
         str(exchange)], copy["base"], copy["env"])
    run([nbgrader, "fetch_feedback", ASSIGNMENT], workspace, env)
    (page,) = (mine / "feedback").glob(f"*/{ASSIGNMENT}.html")
    assert "feedback for dee" in page.read_text() and "Score: 70 / 70" in page.read_text()


def test_the_independent_leak_check_would_see_a_planted_solution(copy, tmp_path):
    """The check above can fail: two lines of a stubbed region in one file."""
    course = copy["course"]
    region = next(r for r in find_regions(course.package, course.repo, course.registry)
                  if r.task == "2.1")
    body = (course.repo / region.file).read_text().splitlines()[region.begin:region.end - 1]
    (tmp_path / "notes.md").write_text("\n".join(body))
    with pytest.raises(AssertionError, match="notes.md holds"):
        assert_no_solution(tmp_path, course, "02_autograd")


def test_releasing_again_rewrites_the_copy_and_keeps_what_make_lab_added(copy):
    """Run last: the copy has its .venv, a workspace and an exchange by now."""
    student = copy["student"]
    (student / "workspace").mkdir(exist_ok=True)
    (student / "workspace" / "mine.txt").write_text("my work")
    (student / "release" / "stale.txt").write_text("from an older release")
    run([str(BIN / "autograder"), "--course", str(copy["course"].root), "--package",
         str(ROOT / "minitorch"), "release", ASSIGNMENT], copy["base"], copy["env"])
    assert (student / "workspace" / "mine.txt").read_text() == "my work"
    assert (student / ".venv" / ".installed").is_file()
    assert not (student / "release" / "stale.txt").exists()
    assert (student / "release" / "02_autograd").is_dir()  # released before: still given
