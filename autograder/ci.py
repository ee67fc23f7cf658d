"""`autograder ci`: grade the checkout a CI job runs in, and give the job a table and a status.

The checkout is a student's repository: the assignment's notebook(s), at the top or in a folder
named like the assignment, and the student's minitorch/. What it is graded against comes from
elsewhere: a grading bundle (`--bundle`, autograder.bundle: no solution in it), or the course
itself (`--source`, where the reference package is at hand). Only the notebooks and
minitorch/ are graded: nothing else of the checkout (.git, a bundle lying inside, earlier
results) is copied into the submission. Grading is `autograder grade` of that one
submission, sandboxed alike. `workflow` prints the GitHub Actions workflows that run it
(docs/grading.md, "GitHub"): from the instructor's grading repository, which holds the only
credential, or in each student's repository with no secret at all.

The exit status is the job's: 0 when the submission was graded, whatever its score, unless
`--min-score` asks for more; non-zero when grading could not be done.
"""

import argparse
import html
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder.course import Course
from autograder.spec import Spec

__all__ = ["CiError", "MinScore", "student_id", "parse_min_score", "collect", "table",
           "markdown", "workflow", "load_course", "default_student", "ci"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
# The workflows `--print-workflow` prints, and the secrets each uses (docs/grading.md lists
# them; a test keeps the three in step).
WORKFLOWS = {"grading-repo": ("github-grading-repo.yml", {"STUDENTS_TOKEN"}),
             "student-repo": ("github-student-repo.yml", set())}
TEMPLATE_ASSIGNMENT = 'ASSIGNMENT: "01_tensors"'
DEFAULT_OUT = "autograder-results"
MESSAGE_CHARS = 100
IGNORED = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")


class CiError(RuntimeError):
    """The checkout or the course cannot be graded; the message says why."""


def student_id(name: str) -> str:
    """A usable student id made from any name: letters, digits and _ . @ - (others become -),
    starting with a letter or digit, at most 100 characters."""
    text = re.sub(r"[^A-Za-z0-9_.@-]", "-", name.strip())
    text = re.sub(r"^[^A-Za-z0-9]+", "", text)[:100]
    return text or "student"


@dataclass(frozen=True)
class MinScore:
    """The score a CI job must reach: points, or a percentage of the maximum."""
    value: float
    percent: bool = False

    def met(self, score: float, max_score: float) -> bool:
        if self.percent:
            return max_score > 0 and score * 100 >= self.value * max_score - 1e-9
        return score >= self.value - 1e-9

    def __str__(self) -> str:
        if self.percent:
            return f"{self.value:g}%"
        return f"{self.value:g} point" + ("" if self.value == 1 else "s")


def parse_min_score(text: str) -> MinScore:
    """`--min-score`: "40" (points) or "80%" (of the maximum)."""
    raw = text.strip()
    percent = raw.endswith("%")
    try:
        value = float(raw[:-1] if percent else raw)
    except ValueError:
        value = float("nan")
    if not 0 <= value < float("inf") or (percent and value > 100):  # nan fails too
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a score: give points (e.g. 40) or a percentage of the maximum "
            f"from 0% to 100% (e.g. 80%)")
    return MinScore(value, percent)


def collect(repo: Path, assignment: str, notebooks: list[str], dest: Path) -> list[str]:
    """Copy the graded part of a student's checkout into `dest`: each of the assignment's
    notebooks and minitorch/, taken from `<repo>/<assignment>/` where it is there, else from
    `<repo>/`. Links are not followed. Returns a note for each part that is missing."""
    repo = Path(repo)
    places = [repo / assignment, repo]
    dest.mkdir(parents=True, exist_ok=True)
    missing = []
    for name in notebooks:
        found = next((p / name for p in places if (p / name).is_file()
                      and not (p / name).is_symlink()), None)
        if found:
            shutil.copyfile(found, dest / name)
        else:
            missing.append(f"no {name} in {repo} or {repo / assignment}: it scores zero")
    package = next((p / "minitorch" for p in places if (p / "minitorch").is_dir()
                    and not (p / "minitorch").is_symlink()), None)
    if package:
        shutil.copytree(package, dest / "minitorch", symlinks=True, ignore=IGNORED)
    else:
        missing.append(f"no minitorch/ in {repo} or {repo / assignment}: the tests that use "
                       f"it score zero")
    if len(missing) == len(notebooks) + 1:
        raise CiError(f"{repo} holds no {', '.join(notebooks)} and no minitorch/ (looked at "
                      f"the top and in {assignment}/): is it the student's repository?")
    return missing


def _rows(data: dict, names: dict[str, str] | None) -> list[list[str]]:
    names = names or {}
    rows = []
    for test in data.get("tests", []):
        number = str(test.get("number", ""))
        lines = str(test.get("output") or "").strip().splitlines()
        message = lines[0].removeprefix(f"Task {number}: ") if lines else ""
        if len(message) > MESSAGE_CHARS:
            message = message[:MESSAGE_CHARS - 3] + "..."
        rows.append([number, names.get(number, test.get("name", "")),
                     f"{test.get('score', 0):g}/{test.get('max_score', 0):g}",
                     str(test.get("status", "")), message])
    return rows


def _total(data: dict) -> str:
    score, top = data.get("score", 0), data.get("max_score", 0)
    share = f" ({100 * score / top:.0f}%)" if top else ""
    return f"{score:g}/{top:g}{share}"


HEADER = ["task", "name", "points", "status", "message"]


def table(data: dict, names: dict[str, str] | None = None) -> str:
    """The per-task table of a results.json, in plain text, with the total; `names` maps
    task ids to what the student writes (Spec.task_names)."""
    rows = [HEADER, *_rows(data, names)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER) - 1)]
    lines = ["  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[-1]])
             .rstrip() for row in rows]
    return "\n".join([*lines, f"Score: {_total(data)}"])


def markdown(data: dict, names: dict[str, str] | None = None,
             notes: tuple[str, ...] = ()) -> str:
    """The same table in Markdown (for a CI job's summary page), then the notes."""
    def cell(text: str) -> str:  # messages quote the student's code: shown as plain text
        text = html.escape(text, quote=False).replace("\\", "\\\\")
        return text.replace("|", "\\|").replace("`", "'")

    title = data.get("extra_data", {}).get("assignment") or "Score"
    lines = [f"## {cell(str(title))}: {_total(data)}", "",
             "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in _rows(data, names)]
    for note in notes:
        lines += ["", note]
    return "\n".join(lines) + "\n"


def workflow(kind: str = "grading-repo", assignment: str | None = None) -> str:
    """A GitHub Actions workflow (WORKFLOWS), for `assignment` if given."""
    text = (TEMPLATES / WORKFLOWS[kind][0]).read_text(encoding="utf-8")
    if assignment:
        text = text.replace(TEMPLATE_ASSIGNMENT, f'ASSIGNMENT: "{assignment}"')
    return text


def load_course(source: Path, package: Path | None) -> Course:
    """The course to grade against, with messages that name `ci`'s options."""
    source = Path(source)
    if not (source / "tasks.toml").is_file():
        raise CiError(f"no course in {source.resolve()} (no tasks.toml there): pass --source "
                      f"DIR, the course root of the course repository (nbgrader_config.py, "
                      f"tasks.toml, source/)")
    reference = Path(package) if package else source.resolve().parent / "minitorch"
    if not reference.is_dir():
        raise CiError(f"no reference package at {reference.resolve()}: the course root "
                      f"should have minitorch/ beside it, or pass --package DIR")
    return Course.load(source, reference)


def ci(spec: Spec, repo: Path, student: str, out: Path, limits,
       min_score: MinScore | None = None, say=print) -> int:
    """Grade the checkout `repo` as `student`'s submission of `spec`'s assignment (from the
    course or a bundle); print the table, write <out>/results.json and <out>/summary.md; the
    job's exit status."""
    from autograder.grade import Options, grade
    from autograder.results import student_folder
    from autograder.submissions import Submission, student_id_problem

    repo, out = Path(repo), Path(out)
    problem = student_id_problem(student)
    if problem:
        raise CiError(problem)
    if not repo.is_dir():
        raise CiError(f"{repo}: no such folder (the checkout to grade)")
    assignment = spec.assignment
    names = [f"{name}.ipynb" for name in spec.notebooks]
    with tempfile.TemporaryDirectory(prefix="autograder-ci-") as tmp:
        staged = Path(tmp) / student
        for note in collect(repo, assignment, names, staged):
            say(f"Note: {note}")
        results = grade(spec, [Submission(student, staged)],
                        Options(out=out, jobs=1, force=True, limits=limits, progress=False),
                        out=say)
    data = results.get(student)
    if data is None:
        raise CiError(f"{student}'s submission could not be graded (see the messages above)")
    shutil.copyfile(student_folder(out, student) / "results.json", out / "results.json")
    passed = min_score is None or min_score.met(data["score"], data["max_score"])
    verdict = "" if min_score is None else (
        f"{'Reaches' if passed else 'Below'} the minimum score, {min_score}.")
    feedback = (f"The feedback, with what every cell printed: "
                f"{student_folder(out, student).relative_to(out)}/feedback.html in "
                f"{out.name}/ (in CI: the job's artifact).")
    notes = tuple(note for note in (verdict, feedback) if note)
    (out / "summary.md").write_text(markdown(data, spec.task_names, notes), encoding="utf-8")
    say("")
    say(table(data, spec.task_names))
    if verdict:
        say(verdict)
    say(f"Wrote {out / 'results.json'}, {out / 'summary.md'} and the feedback, "
        f"{student_folder(out, student) / 'feedback.html'}")
    return 0 if passed else 1


def default_student(repo: Path) -> str:
    """The student id when none is given: the CI's user (GITHUB_ACTOR), or the folder's name."""
    return student_id(os.environ.get("GITHUB_ACTOR") or Path(repo).resolve().name)
