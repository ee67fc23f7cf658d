"""`autograder ci`: its arguments, table and workflow template without a sandbox, and (slow)
the grading of a student's checkout end to end through the CLI."""

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from course_copy import copy_course

from autograder import ci
from autograder.check import _answered
from autograder.cli import main
from autograder.course import Course
from autograder.submissions import STUDENT_ID

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "01_tensors"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"


@pytest.mark.parametrize("name, expected", [
    ("octocat", "octocat"),
    ("Jane Doe", "Jane-Doe"),
    ("dependabot[bot]", "dependabot-bot-"),
    ("  ..hidden", "hidden"),
    ("élève@school.fr", "l-ve@school.fr"),
    ("///", "student"),
    ("", "student"),
    ("x" * 150, "x" * 100),
])
def test_student_ids_are_sanitized_to_the_graders_charset(name, expected):
    assert ci.student_id(name) == expected
    assert STUDENT_ID.fullmatch(ci.student_id(name))


def test_the_default_student_is_the_ci_actor_else_the_folder(tmp_path, monkeypatch):
    repo = tmp_path / "my repo"
    repo.mkdir()
    monkeypatch.setenv("GITHUB_ACTOR", "octo cat")
    assert ci.default_student(repo) == "octo-cat"
    monkeypatch.delenv("GITHUB_ACTOR")
    assert ci.default_student(repo) == "my-repo"


@pytest.mark.parametrize("text, score, top, met", [
    ("40", 40, 65, True), ("40", 39.5, 65, False), ("0", 0, 65, True),
    ("80%", 52, 65, True), ("80%", 51, 65, False), ("100%", 65, 65, True),
    ("100%", 64, 65, False), (" 2.5 ", 2.5, 10, True), ("0%", 0, 0, False),
])
def test_min_score_is_points_or_a_percentage(text, score, top, met):
    assert ci.parse_min_score(text).met(score, top) is met


@pytest.mark.parametrize("text", ["", "%", "abc", "-1", "101%", "nan", "inf", "50%%"])
def test_a_bad_min_score_says_what_it_takes(text):
    with pytest.raises(argparse.ArgumentTypeError, match=r"points \(e\.g\. 40\).*80%"):
        ci.parse_min_score(text)


def test_a_bad_min_score_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["ci", ASSIGNMENT, ".", "--min-score", "lots"])
    assert exit_.value.code == 2
    assert "--min-score: 'lots' is not a score" in capsys.readouterr().err


def test_min_score_describes_itself():
    assert str(ci.parse_min_score("80%")) == "80%"
    assert str(ci.parse_min_score("1")) == "1 point"
    assert str(ci.parse_min_score("40")) == "40 points"


FAKE = {
    "score": 5.0, "max_score": 15.0,
    "extra_data": {"assignment": ASSIGNMENT},
    "tests": [
        {"name": "Task 1.1 (01_tensors)", "number": "1.1", "score": 5.0, "max_score": 5.0,
         "status": "passed", "output": "all 60 cases pass"},
        {"name": "Task 1.2 (01_tensors)", "number": "1.2", "score": 0.0, "max_score": 5.0,
         "status": "failed",
         "output": "Task 1.2: case 3 gives a wrong result: [0, 1] != [1, 0]\n  input: (3, (2, 2))"},
        {"name": "Task 1.3 (01_tensors)", "number": "1.3", "score": 0.0, "max_score": 5.0,
         "status": "failed", "output": "Task 1.3: " + "x|y " * 60},
    ],
}


@pytest.fixture(scope="module")
def course():
    return Course.load(ROOT / "course", ROOT / "minitorch")


def names(course):
    return {task.id: task.name for task in course.registry.tasks.values()}


def test_the_table_has_a_row_per_task_with_its_name_points_and_first_message_line(course):
    lines = ci.table(FAKE, names(course)).splitlines()
    assert lines[0].split() == ["task", "name", "points", "status", "message"]
    assert lines[1].split()[:4] == ["1.1", "index_to_position", "5/5", "passed"]
    assert lines[2].split()[:4] == ["1.2", "to_index", "0/5", "failed"]
    assert lines[2].endswith("case 3 gives a wrong result: [0, 1] != [1, 0]")  # no "Task 1.2:"
    assert "input:" not in "\n".join(lines)  # the first line of the message only
    assert lines[3].endswith("...") and len(lines[3]) < 160
    assert lines[-1] == "Score: 5/15 (33%)"
    columns = {line.index(line.split()[2]) for line in lines[:4]}
    assert len(columns) == 1  # aligned


def test_the_table_works_without_the_course():
    assert "Task 1.1 (01_tensors)" in ci.table(FAKE)
    assert ci.table({"score": 0, "max_score": 0, "tests": []}).endswith("Score: 0/0")


def test_the_markdown_table_escapes_what_the_student_printed(course):
    text = ci.markdown(FAKE, names(course), ("Below the minimum score, 80%.",))
    lines = text.splitlines()
    assert lines[0] == "## 01_tensors: 5/15 (33%)"
    assert lines[2] == "| task | name | points | status | message |"
    row = next(line for line in lines if line.startswith("| 1.3 |"))
    assert row.count(" | ") == 4  # the message's pipes are escaped, not columns
    assert "x\\|y" in row
    evil = json.loads(json.dumps(FAKE))
    evil["tests"][0]["output"] = "<img src=x onerror=alert(1)> `code`"
    page = ci.markdown(evil, names(course))
    assert "<img" not in page and "&lt;img" in page
    assert text.rstrip().endswith("Below the minimum score, 80%.")


def test_collect_takes_only_the_notebook_and_the_package(tmp_path):
    repo = tmp_path / "repo"
    (repo / ASSIGNMENT / "minitorch" / "__pycache__").mkdir(parents=True)
    (repo / ASSIGNMENT / NOTEBOOK).write_text("{}")
    (repo / ASSIGNMENT / "minitorch" / "__init__.py").write_text("")
    (repo / ASSIGNMENT / "minitorch" / "__pycache__" / "x.pyc").write_text("")
    (repo / ".course" / "source").mkdir(parents=True)  # the course checkout of the CI job
    (repo / ".course" / "source" / "secret.ipynb").write_text("{}")
    (repo / "autograder-results").mkdir()
    (repo / "notes.txt").write_text("")
    dest = tmp_path / "staged"
    assert ci.collect(repo, ASSIGNMENT, [NOTEBOOK], dest) == []
    found = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*"))
    assert found == [NOTEBOOK, "minitorch", "minitorch/__init__.py"]


def test_collect_reads_the_top_and_notes_what_is_missing(tmp_path):
    repo = tmp_path / "repo"
    (repo / "minitorch").mkdir(parents=True)
    notes = ci.collect(repo, ASSIGNMENT, [NOTEBOOK], tmp_path / "staged")
    assert len(notes) == 1 and NOTEBOOK in notes[0] and "scores zero" in notes[0]
    assert (tmp_path / "staged" / "minitorch").is_dir()
    with pytest.raises(ci.CiError, match="is it the student's repository"):
        ci.collect(tmp_path / "staged" / "minitorch", ASSIGNMENT, [NOTEBOOK], tmp_path / "x")


def test_ci_names_its_own_options_when_the_course_is_missing(tmp_path, capsys):
    assert main(["ci", ASSIGNMENT, str(tmp_path), "--source", str(tmp_path)]) == 1
    assert "pass --source DIR" in capsys.readouterr().err
    (tmp_path / "course").mkdir()
    shutil.copy(ROOT / "course" / "tasks.toml", tmp_path / "course" / "tasks.toml")
    assert main(["ci", ASSIGNMENT, str(tmp_path), "--source", str(tmp_path / "course")]) == 1
    assert "or pass --package DIR" in capsys.readouterr().err
    assert main(["ci"]) == 1
    assert "name the assignment" in capsys.readouterr().err


def steps_of(text: str) -> tuple[dict, list[dict], str]:
    data = yaml.safe_load(text)
    (job,) = data["jobs"].values()
    steps = job["steps"]
    return data, steps, "\n".join(step.get("run", "") for step in steps)


@pytest.mark.parametrize("kind", sorted(ci.WORKFLOWS))
def test_every_workflow_names_only_the_secrets_its_documentation_lists(kind):
    text = ci.workflow(kind)
    data, steps, runs = steps_of(text)
    used = set(re.findall(r"secrets\.([A-Za-z_][A-Za-z0-9_]*)", text))
    assert used == ci.WORKFLOWS[kind][1]
    docs = (ROOT / "docs" / "grading.md").read_text()
    for secret in used:
        assert f"`{secret}`" in docs
    assert "COURSE_DEPLOY_KEY" not in text and "secrets.GITHUB_TOKEN" not in text
    assert data["permissions"] == {"contents": "read"}
    assert "apt-get install -y bubblewrap" in runs and "--bundle" in runs
    python = next(step["with"] for step in steps if "setup-python" in step.get("uses", ""))
    assert python["python-version"] == "3.11"
    assert any(step.get("uses", "").startswith("actions/upload-artifact") for step in steps)
    assert data["env"]["ASSIGNMENT"] == ASSIGNMENT


def test_the_grading_repository_workflow_grades_each_student_and_reports_back():
    data, steps, runs = steps_of(ci.workflow("grading-repo"))
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"schedule", "workflow_dispatch"}  # nothing a student can fire
    assert "students.txt" in runs and "pip install ./bundle/grader" in runs
    assert 'ci "$ASSIGNMENT" "$dir" --bundle bundle' in runs
    assert "repos/$repo/statuses/$sha" in runs


def test_the_student_repository_workflow_holds_no_secret_and_grades_on_push():
    data, steps, runs = steps_of(ci.workflow("student-repo"))
    triggers = data.get("on", data.get(True))
    assert "push" in triggers
    assert 'ci "$ASSIGNMENT" . --bundle .grading/bundle --min-score "$MIN_SCORE"' in runs
    assert "GITHUB_STEP_SUMMARY" in runs


def test_the_workflows_ship_with_the_package():
    text = (ROOT / "pyproject.toml").read_text()
    assert 'autograder = ["templates/*", "templates/student/*", "schemas/*"]' in text
    for name, _ in ci.WORKFLOWS.values():
        assert (ci.TEMPLATES / name).is_file()
    assert ci.TEMPLATES.is_relative_to(Path(ci.__file__).parent)


def test_print_workflow_prints_the_template_for_the_assignment(capsys):
    assert main(["ci", "--print-workflow"]) == 0
    assert capsys.readouterr().out == ci.workflow("grading-repo")
    assert main(["ci", "--print-workflow", "student-repo"]) == 0
    assert capsys.readouterr().out == ci.workflow("student-repo")
    assert main(["ci", "02_autograd", "--print-workflow"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["env"]["ASSIGNMENT"] == "02_autograd"


LIMITS = ["--cell-timeout", "60", "--notebook-timeout", "300", "--memory", "2048"]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """(course root, its released assignment): the repository's release if made, else one
    made in a temporary copy of the course."""
    release = ROOT / "course" / "release" / ASSIGNMENT
    if (release / NOTEBOOK).is_file() and (release / "minitorch").is_dir():
        return ROOT / "course", release
    course = copy_course(tmp_path_factory.mktemp("ci-course"))
    done = subprocess.run([str(Path(sys.executable).parent / "autograder"), "--course",
                           str(course), "--package", str(ROOT / "minitorch"), "release",
                           ASSIGNMENT], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return course, course / "release" / ASSIGNMENT


def run_ci(course: Path, repo: Path, out: Path, *args: str) -> int:
    return main(["--package", str(ROOT / "minitorch"), "ci", ASSIGNMENT, str(repo),
                 "--source", str(course), "--out", str(out), *LIMITS, *args])


@pytest.mark.slow
def test_ci_grades_a_checkout_end_to_end(released, tmp_path, capsys):
    course, release = released
    out = tmp_path / "autograder-results"

    # The reference, in a folder named like the assignment, with a course checkout beside it.
    repo = tmp_path / "reference-repo"
    (repo / ASSIGNMENT).mkdir(parents=True)
    _answered(release / NOTEBOOK, course / "source" / ASSIGNMENT / NOTEBOOK,
              repo / ASSIGNMENT / NOTEBOOK)
    shutil.copytree(ROOT / "minitorch", repo / ASSIGNMENT / "minitorch",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(course / "source", repo / ".course" / "source")
    assert run_ci(course, repo, out, "--student", "ref", "--min-score", "100%") == 0, \
        capsys.readouterr()
    printed = capsys.readouterr().out
    data = json.loads((out / "results.json").read_text())
    assert data == json.loads((out / "students" / "ref" / "results.json").read_text())
    assert data["score"] == data["max_score"] > 0
    assert "index_to_position" in printed and "Reaches the minimum score, 100%." in printed
    assert (out / "students" / "ref" / "feedback.html").is_file()
    assert "| 1.1 | index_to_position | 5/5 | passed |" in (out / "summary.md").read_text()

    # The release's stubs, at the top of the checkout.
    stubs = tmp_path / "stubs-repo"
    shutil.copytree(release, stubs)
    assert run_ci(course, stubs, out, "--student", "stubs", "--min-score", "1") == 1
    printed = capsys.readouterr().out
    data = json.loads((out / "results.json").read_text())
    assert data["score"] == 0 and data["extra_data"]["student"] == "stubs"
    assert "Below the minimum score, 1 point." in printed
