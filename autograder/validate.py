"""What nbgrader's Validate says about a course notebook: a summary by task first.

In a released notebook the graded test cells hold no test (the hidden tests run at grading), so
nbgrader's Validate, which by default checks only graded cells, says "Success!" for a notebook
with nothing done. The student's nbgrader_config.py (the workspace's, and the one in every
released assignment's folder, so that Validate gives the same verdict wherever it runs) calls
`configure(c)`, which

- makes Validate run and check every cell (`Validator.validate_all`), so that the visible tests
  and the stubs' NotImplementedError count;
- puts first in the report a summary by task: each task's points, whether its visible tests
  pass, and the first failure of its section ("Task 1.3: case 2 gives ..."), so that a student
  sees at once which tasks still lose points;
- takes the exercises (no points) out of the failures: they are listed in the summary, and a
  notebook whose tasks all pass validates as a success, since no point is at stake.

nbgrader has no setting for the last two (its Validator's list of preprocessors is not
configurable), so `configure` wraps `Validator._preprocess`, once per process, to rewrite the
executed notebook before nbgrader reads the failures from it.
"""

import re
import sys
import textwrap
from pathlib import Path

from autograder.tasks import task_of_grade_id

__all__ = ["configure", "summarize", "SUMMARY_ID", "FAILED_WARNING", "ASSIGNMENT_CONFIG"]

SUMMARY_ID = "autograder_summary"
SUMMARY_TITLE = "Summary by task (the visible tests; the hidden tests decide the grade):"
FAILED_WARNING = ("Validate found {num_failed} cell(s) to look at. The first one, the summary "
                  "by task, says which tasks still lose points and why.\n")
TASK = re.compile(r"^Task (\d+\.\d+)\b")
EXERCISE = re.compile(r"^Exercise\b")
WIDTH = 84  # nbgrader prints errors indented by 4 within 90 columns
FRAMES_KEPT = 2  # of a failing cell's traceback: the innermost frame and the exception
_warned = []
# The nbgrader_config.py that `autograder release` puts in every assignment's folder.
ASSIGNMENT_CONFIG = """\
# nbgrader's settings in this assignment's folder, written by `autograder release`: with them,
# `nbgrader validate` here gives the verdict that Validate gives in your workspace. The course's
# own settings (its exchange) come from your workspace's nbgrader_config.py, one folder up.
c = get_config()  # noqa: F821
load_subconfig("../nbgrader_config.py")  # noqa: F821

from autograder.validate import configure  # noqa: E402

configure(c, __file__)
"""


def _meta(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def _error(cell) -> tuple[str, str] | None:
    """(exception name, message) of a code cell's first error output, if any."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return str(output.get("ename", "")), str(output.get("evalue", ""))
    return None


def _reason(name: str, message: str) -> str:
    """The first line of a failure, without the "Task 1.3: " that the table already says."""
    line = message.strip().splitlines()[0] if message.strip() else name
    line = TASK.sub("", line).lstrip(": ")
    return line if name in ("AssertionError", "CheckFailure") else f"{line} ({name})"


def _label(cell, message: str) -> str:
    """An exercise's name: "Exercise 1" from its message, or from its answer cell's id."""
    if EXERCISE.match(message) and ":" in message and message.split(":")[0] != "Exercise":
        return message.split(":")[0]
    grade_id = str(_meta(cell).get("grade_id", ""))
    return grade_id.replace("_", " ").capitalize() if grade_id else "an exercise"


def _row(task: str, points: float, result: str) -> list[str]:
    head = f"{task:<6}{points:>6g}  "
    return textwrap.wrap(result, WIDTH, initial_indent=head,
                         subsequent_indent=" " * (len(head) + 7)) or [head]


def summarize(nb):
    """Rewrite an executed notebook for the report: the summary cell first, exercises' errors
    moved into it. Returns the notebook (changed in place)."""
    import nbformat

    graded = [(index, task_of_grade_id(str(_meta(cell).get("grade_id", ""))), cell)
              for index, cell in enumerate(nb.cells)
              if _meta(cell).get("grade") and not _meta(cell).get("solution")]
    tasks = [(index, task, float(_meta(cell).get("points", 0)))
             for index, task, cell in graded if task]
    if not tasks:
        return nb
    failures: dict[str, str] = {}
    exercises: list[str] = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code" or _error(cell) is None:
            continue
        name, message = _error(cell)
        named = TASK.match(message)
        if EXERCISE.match(message) or _meta(cell).get("solution"):
            label = _label(cell, message)
            if label not in exercises:
                exercises.append(label)
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"]
            continue
        for output in cell.outputs:  # the student's frame and the error, not the whole stack
            if output.get("output_type") == "error":
                output.traceback = list(output.get("traceback", []))[-FRAMES_KEPT:]
        task = named[1] if named else next((t for i, t, _ in tasks if i >= index), None)
        if task and task not in failures:
            failures[task] = _reason(name, message)
    lines = [SUMMARY_TITLE,
             f"{'task':<6}{'points':>6}  result"]
    for _, task, points in tasks:
        lines += _row(task, points, f"FAILS  {failures[task]}" if task in failures
                      else "passes")
    lost = [(task, points) for _, task, points in tasks if task in failures]
    if lost:
        lines.append(f"{len(lost)} of {len(tasks)} tasks fail ({sum(p for _, p in lost):g} of "
                     f"{sum(p for *_, p in tasks):g} points); the cells below show where.")
    if exercises:
        lines.append(f"Exercises (no points) still to do: {', '.join(exercises)}.")
    summary = nbformat.v4.new_code_cell(
        source="# Summary by task (added by Validate; it is not in your notebook)",
        metadata={"nbgrader": {"grade": True, "grade_id": SUMMARY_ID, "points": 0,
                               "solution": False, "locked": False}})
    summary.outputs = [nbformat.v4.new_output("error", ename="Summary", evalue=lines[-1],
                                              traceback=lines) if lost else
                       nbformat.v4.new_output("stream", name="stdout",
                                              text="\n".join(lines) + "\n")]
    nb.cells.insert(0, summary)
    return nb


def _install() -> None:
    from nbgrader.validator import Validator

    if getattr(Validator._preprocess, "autograder_summary", False):
        return
    original = Validator._preprocess

    def _preprocess(self, nb):
        return summarize(original(self, nb))

    _preprocess.autograder_summary = True
    Validator._preprocess = _preprocess


def configure(c, config_file: str | None = None) -> None:
    """The Validate settings of a student's nbgrader_config.py (`c`: its config object).
    `config_file`: an assignment folder's config, which warns when no course settings were
    found in the folder above it (nbgrader submit would then look for the default exchange)."""
    c.Validator.validate_all = True
    c.Validator.failed_warning = FAILED_WARNING
    _install()
    if config_file and "root" not in c.Exchange and not _warned:
        _warned.append(True)
        here = Path(config_file).resolve().parent
        print(f"nbgrader: no course settings in {here.parent}/nbgrader_config.py: validate "
              f"works here, but run fetch, submit and list from your workspace folder (the "
              f"one that holds nbgrader_config.py)", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """`python -m autograder.validate [WORKSPACE]` (the student copy's `make test`): Validate
    every fetched assignment in the workspace, each in its own folder, with the summary by
    task; exit 1 when a task of one fails."""
    import subprocess

    args = sys.argv[1:] if argv is None else argv
    workspace = Path(args[0] if args else "workspace")
    folders = sorted(p for p in workspace.glob("*/") if any(p.glob("*.ipynb")))
    if not folders:
        print(f"No assignment fetched into {workspace}/ yet: run `make lab` and fetch one "
              f"(Nbgrader > Assignment List).")
        return 0
    failing = []
    for folder in folders:
        for notebook in sorted(folder.glob("*.ipynb")):
            print(f"== {folder.name}/{notebook.name}", flush=True)
            done = subprocess.run([sys.executable, "-m", "nbgrader", "validate", notebook.name],
                                  cwd=folder, capture_output=True, text=True)
            report = done.stdout + done.stderr
            summary = report.find(SUMMARY_TITLE)
            if "Success!" in report:
                print("Every task passes its visible tests.")
            elif summary >= 0:
                table = report[summary:].split("=" * 20)[0].rstrip()
                print("\n".join(line.removeprefix("    ") for line in table.splitlines()))
                failing.append(f"{folder.name}/{notebook.name}")
            else:
                print(report.strip()[-3000:])
                failing.append(f"{folder.name}/{notebook.name}")
    if failing:
        print(f"\nTasks still fail in: {', '.join(failing)} (Validate in JupyterLab, or "
              f"`nbgrader validate` in the assignment's folder, shows the failing cells).")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
