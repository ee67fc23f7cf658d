"""The grading bundle and Gradescope's zip: no solution line in them, and grading from them
alone (no course around) gives what grading from the course gives."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from course_copy import copy_course
from leak_check import assert_no_solution

from autograder.bundle import BundleError, leaks_in, read_bundle, write_bundle
from autograder.check import _answered
from autograder.course import Course, notebook_parts
from autograder.leaks import normalize
from autograder.regions import find_regions
from autograder.sandbox import Limits

ROOT = Path(__file__).resolve().parent.parent
AUTOGRADER = Path(sys.executable).parent / "autograder"
ASSIGNMENT = "01_tensors"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
LIMITS = ["--cell-timeout", "60", "--notebook-timeout", "300", "--memory", "2048"]
SCHEMA = json.loads((ROOT / "autograder" / "schemas" / "results.schema.json").read_text())


def autograder(*args: str, cwd: Path, course: Path | None = None):
    prefix = ["--course", str(course), "--package", str(ROOT / "minitorch")] if course else []
    return subprocess.run([str(AUTOGRADER), *prefix, *args], capture_output=True, text=True,
                          timeout=1200, cwd=cwd)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A released course, its bundle and Gradescope zip, and a reference and a stub
    submission."""
    if not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed (apt-get install bubblewrap; .ci/run does)")
    base = tmp_path_factory.mktemp("bundle")
    course = copy_course(base)
    for args in (("release", ASSIGNMENT),
                 ("bundle", ASSIGNMENT, "--out", str(base / "bundle"), *LIMITS),
                 ("gradescope", ASSIGNMENT, "--out", str(base / "autograder.zip"), *LIMITS)):
        done = autograder(*args, cwd=base, course=course)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    subs = base / "submissions"
    release = course / "release" / ASSIGNMENT
    (subs / "ada").mkdir(parents=True)
    _answered(release / NOTEBOOK, course / "source" / ASSIGNMENT / NOTEBOOK,
              subs / "ada" / NOTEBOOK)
    shutil.copytree(ROOT / "minitorch", subs / "ada" / "minitorch",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(release, subs / "bob")
    return {"base": base, "course": Course.load(course, ROOT / "minitorch"), "subs": subs}


@pytest.mark.slow
def test_the_bundle_holds_no_solution_but_the_hidden_tests(made):
    folder = made["base"] / "bundle"
    assert_no_solution(folder, made["course"], ASSIGNMENT)
    spec, limits = read_bundle(folder, ASSIGNMENT)
    assert limits == Limits(cell_seconds=60, notebook_seconds=300, memory_bytes=2048 << 20)
    assert {t.task for t in spec.tests} == {t.id for t in made["course"].registry.tasks_of(
        ASSIGNMENT)} == {f"1.{i}" for i in range(1, 11)}
    assert set(spec.expected) == {t.task for t in spec.tests}
    hidden = notebook_parts(made["course"].notebooks(ASSIGNMENT)[0]).hidden
    notebook = (folder / "notebooks" / NOTEBOOK).read_text()
    assert sum(normalize(line) in notebook for _, line in hidden) > len(hidden) // 2
    assert (folder / "grader" / "pyproject.toml").is_file()
    assert (folder / "package" / "minitorch" / "tensor_data.py").is_file()


@pytest.mark.slow
def test_the_leak_scan_finds_a_planted_solution_line(made, tmp_path):
    course = made["course"]
    copy = tmp_path / "bundle"
    shutil.copytree(made["base"] / "bundle", copy)
    package = copy / "package" / "minitorch"
    assert leaks_in(course, ASSIGNMENT, copy, package) == []
    region = next(r for r in find_regions(course.package, course.repo, course.registry)
                  if r.task == "1.1")
    body = (course.repo / region.file).read_text().splitlines()[region.begin:region.end - 1]
    (copy / "notes.txt").write_text("\n".join(body))
    leaks = leaks_in(course, ASSIGNMENT, copy, package)
    assert leaks and "task 1.1" in leaks[0]


@pytest.mark.parametrize("assignment", ["01_tensors", "02_autograd"])
def test_a_bundle_that_would_leak_is_removed(tmp_path, monkeypatch, assignment):
    """Were answer cells kept, the notebook solutions would be in the bundle: refused, and
    nothing is left. (The reference run is skipped: its results are not what is tested.)"""
    import autograder.grade
    import autograder.spec

    monkeypatch.setattr(autograder.spec, "without_solutions", lambda notebook: notebook)
    monkeypatch.setattr(autograder.grade, "reference_results", lambda *a: {})
    course = Course.load(copy_course(tmp_path), ROOT / "minitorch")
    with pytest.raises(BundleError, match="would hold solution code"):
        write_bundle(course, assignment, tmp_path / "bundle", Limits(), say=lambda *_: None)
    assert not (tmp_path / "bundle").exists()


def scores(folder: Path) -> dict[str, tuple[float, list[str]]]:
    found = {}
    for path in folder.glob("students/*/results.json"):
        data = json.loads(path.read_text())
        found[path.parent.name] = (data["score"], [t["output"] for t in data["tests"]])
    return found


@pytest.mark.slow
def test_grading_from_the_bundle_alone_matches_grading_from_the_course(made, tmp_path):
    base = made["base"]
    done = autograder("grade", ASSIGNMENT, str(made["subs"]), "--out", str(base / "by-course"),
                      "--no-progress", *LIMITS, cwd=base, course=made["course"].root)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    alone = tmp_path / "elsewhere"  # no course here, and none named on the command line
    alone.mkdir()
    shutil.copytree(base / "bundle", alone / "bundle")
    shutil.copytree(made["subs"], alone / "submissions")
    done = autograder("grade", ASSIGNMENT, "--bundle", "bundle", "submissions", "--out",
                      "graded", "--no-progress", cwd=alone)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    by_bundle, by_course = scores(alone / "graded"), scores(base / "by-course")
    assert by_bundle == by_course
    assert by_bundle["ada"][0] == 70 and by_bundle["bob"][0] == 0
    page = (alone / "graded" / "students" / "bob" / "feedback.html").read_text()
    assert "NotImplementedError" in page


def run_gradescope(made, tmp_path: Path, student: str) -> dict:
    root = tmp_path / student / "autograder"
    with zipfile.ZipFile(made["base"] / "autograder.zip") as archive:
        archive.extractall(root / "source")
    shutil.copytree(made["subs"] / student, root / "submission")
    (root / "submission_metadata.json").write_text(json.dumps(
        {"users": [{"email": f"{student}@uni.example", "name": student.title()}]}))
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_VENV": sys.prefix}
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads((root / "results" / "results.json").read_text())


@pytest.mark.slow
def test_the_gradescope_zip_holds_no_solution_and_grades_in_its_layout(made, tmp_path):
    unpacked = tmp_path / "zip"
    with zipfile.ZipFile(made["base"] / "autograder.zip") as archive:
        names = archive.namelist()
        archive.extractall(unpacked)
    assert {"setup.sh", "run_autograder", "bundle/bundle.json"} <= set(names)
    assert_no_solution(unpacked, made["course"], ASSIGNMENT)
    setup = (unpacked / "setup.sh").read_text()
    assert "bubblewrap" in setup and "bundle/grader" in setup
    for student, want in (("ada", 70.0), ("bob", 0.0)):
        results = run_gradescope(made, tmp_path, student)
        jsonschema.validate(results, SCHEMA)
        assert results["score"] == want and results["extra_data"]["student"] == student
        assert {t["visibility"] for t in results["tests"]} == {"after_published"}


def test_gradescope_run_writes_a_results_json_when_grading_fails(tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root)}
    done = subprocess.run([str(AUTOGRADER), "gradescope-run"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and "could not be graded" in results["output"]
    assert "not a grading bundle" in results["output"]


@pytest.fixture(scope="module")
def released_all(tmp_path_factory):
    """A course copy with every assignment released (the stubs the bundles carry)."""
    base = tmp_path_factory.mktemp("released-all")
    course = copy_course(base)
    done = autograder("release", cwd=base, course=course)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return Course.load(course, ROOT / "minitorch")


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ["01_tensors", "02_autograd", "03_modules", "04_fast",
                                        "05_training", "06_gpu", "07_cnn"])
def test_every_assignments_bundle_and_zip_hold_no_solution(released_all, tmp_path,
                                                           monkeypatch, assignment):
    """The leak scan and an independent check, on the bundle and the Gradescope zip of each
    assignment (the reference run is skipped: the expected values are no code)."""
    import autograder.grade
    from autograder.gradescope import write_zip

    monkeypatch.setattr(autograder.grade, "reference_results", lambda *a: {})
    quiet = lambda *_: None  # noqa: E731
    write_bundle(released_all, assignment, tmp_path / "bundle", Limits(), say=quiet)
    assert_no_solution(tmp_path / "bundle", released_all, assignment)
    write_zip(released_all, assignment, tmp_path / "autograder.zip", Limits(), say=quiet)
    with zipfile.ZipFile(tmp_path / "autograder.zip") as archive:
        archive.extractall(tmp_path / "zip")
    assert_no_solution(tmp_path / "zip", released_all, assignment)
