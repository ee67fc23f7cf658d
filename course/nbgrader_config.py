"""nbgrader configuration of the minitorch course.

nbgrader reads this file from its working directory, so run nbgrader commands from course/
(`autograder release` and `autograder check` do). Every path below is relative to this file,
so a copy of the course folder (the self-check grades in temporary copies) is a complete,
self-contained course: its own sqlite gradebook and its own local exchange, no services.
"""

import os
import tomllib
from pathlib import Path

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

HERE = Path(__file__).resolve().parent

c.CourseDirectory.root = str(HERE)
c.CourseDirectory.course_id = "minitorch"
# The gradebook: sqlite in the course by default. Staff grading at the same time share a
# PostgreSQL one: set AUTOGRADER_DB=postgresql://user@host/db for the formgrader and
# `autograder grade` alike (docs/grading.md, "A PostgreSQL gradebook").
c.CourseDirectory.db_url = os.environ.get("AUTOGRADER_DB") or f"sqlite:///{HERE / 'gradebook.db'}"
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.nbi", "*.nbc",
    "roofline_history.json",  # 04's roofline lab: the student's own measurements
]
# A local exchange inside the course (git-ignored): release, fetch and submit on one machine.
c.Exchange.root = str(HERE / "exchange")

# Seconds per cell. This is the knob that works (ExecutePreprocessor.timeout is not).
c.Execute.timeout = 120

# A test cell that writes to stderr scores zero. Python's warnings (Numba's included) are
# written there as "<file>:<line>: <Category>Warning: <message>": drop such outputs before
# grading, so that a warning does not cost points. Errors are not stderr output; they still
# score zero.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(?m)^.*:\d+: \w*Warning: "

# The stub left in notebook-level exercises (cells with ### BEGIN SOLUTION).
c.ClearSolutions.code_stub = {
    "python": '# YOUR CODE HERE\nraise NotImplementedError("Exercise: write your answer in this '
              'cell, replacing these two lines")',
}

# Students submit their copy of the package beside the notebook (assignment/minitorch/*.py):
# autograde must grade those files, never copy the instructor's versions over them. nbgrader
# takes exact file names, relative to the assignment's folder.
_package = HERE.parent / "minitorch"
_package_files = sorted(
    "minitorch/" + p.relative_to(_package).as_posix()
    for p in _package.rglob("*") if p.is_file() and "__pycache__" not in p.parts
) if _package.is_dir() else []
try:
    _assignments = list(tomllib.loads((HERE / "tasks.toml").read_text())["assignments"])
except (OSError, KeyError, tomllib.TOMLDecodeError):
    _assignments = sorted(p.name for p in (HERE / "source").glob("*") if p.is_dir())
c.Autograde.exclude_overwriting = {
    name: sorted({
        *_package_files,
        *("minitorch/" + p.relative_to(HERE / "source" / name / "minitorch").as_posix()
          for p in (HERE / "source" / name / "minitorch").rglob("*") if p.is_file()),
    })
    for name in _assignments
}
