"""Prepare the student's side of the course: what `make lab` runs before it starts JupyterLab.

    python scripts/student_workspace.py [WORKSPACE] [--student ID] [--course DIR] [--exchange DIR]
                                        [--no-release] [--no-publish] [--student-venv]

It runs in two places: in the course repository (the instructor's preview of the student copy)
and in the student copy itself (`autograder release` ships it there, run with --course .
--no-release).

1. In the repository: builds the release: `autograder release` writes course/release/ (each
   assignment's student notebook and `minitorch/` package) and the student copy,
   course/student/. With --student-venv it also makes the student copy's own environment
   (its `make` installs it; no reference package is in it), which `make lab` serves from.
2. Releases every assignment of <course>/release/ to the course's nbgrader exchange
   (`nbgrader release_assignment`, as an instructor would), where the exchange's copy differs
   (not with --no-publish: on a shared exchange the instructor releases). The course id and
   the exchange folder are read from <course>/nbgrader_config.py.
3. Writes the student's nbgrader_config.py in WORKSPACE (default: workspace/ at the top of the
   project), which JupyterLab then serves: its nbgrader Assignments panel lists the released
   assignments, fetches them into WORKSPACE/<assignment>/, validates and submits them.

Running it again changes nothing that is already up to date. It never writes into the
student's fetched assignments: only nbgrader's fetch creates them, and the student's own
actions change them.
"""

import argparse
import fcntl
import filecmp
import os
import subprocess
import sys
from contextlib import contextmanager
from fnmatch import fnmatch
from pathlib import Path

from traitlets.config import Config, PyFileConfigLoader

from autograder.submissions import student_id_problem

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv's tools: autograder, nbgrader
DEFAULT_COURSE_ID = "minitorch"
# nbgrader's CourseDirectory defaults (the course's config may change them). Importing nbgrader
# to read them would cost seconds on every `make lab`.
RELEASE_DIRECTORY = "release"
IGNORE = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
INCLUDE = ["*"]
# Where a student's `nbgrader submit` keeps its own record of what was submitted (nbgrader's
# default is in the user's home).
CACHE = ".nbgrader/cache"

STUDENT_CONFIG = '''\
# The student's side of nbgrader, written by `make lab` (scripts/student_workspace.py) and
# rewritten when the course's settings change: edit that script, not this file.
# JupyterLab's nbgrader Assignments panel and `nbgrader fetch_assignment / validate / submit /
# list`, run in this folder, read it.
c = get_config()  # noqa: F821

# Who submits: the JupyterHub user where there is one, else the id `make lab STUDENT=...` gave
# (nbgrader would take the OS user, e.g. root in a container).
import os  # noqa: E402

c.CourseDirectory.student_id = os.environ.get("JUPYTERHUB_USER") or {student!r}

# The course and its exchange: where the instructor releases and where submissions go.
c.CourseDirectory.course_id = {course_id!r}
c.Exchange.root = {exchange!r}
# Fetched assignments go to this folder, as <assignment>/ (not <course>/<assignment>/).
c.Exchange.assignment_dir = {workspace!r}
c.Exchange.path_includes_course = False
# The record of past submissions (nbgrader's default would be in the home folder).
c.Exchange.cache = {cache!r}

# Validate checks every cell (in a released notebook the graded cells hold no test, so by
# default it would say "Success!" for a notebook with nothing done) and starts its report with
# a summary by task; the exercises (no points) are listed there, not counted as failures.
from autograder.validate import configure  # noqa: E402

configure(c)
'''

STUDENT_README = """\
# Your minitorch workspace

This folder is yours: `make lab` serves it in JupyterLab and never changes what you write here.

1. Open **Nbgrader > Assignment List**. It lists the course's released assignments.
2. Press **Fetch** next to an assignment. It arrives here as a folder, e.g. `01_tensors/`,
   holding the lecture notebook and your own copy of the `minitorch/` package.
3. Work through the notebook; write the library's functions in `minitorch/*.py` (the notebook
   names the file and function of every task). The test cells check your code as you go.
4. Press **Validate** in the notebook's toolbar to run the whole notebook as the grader will.
5. Press **Submit** in the Assignment List. You can submit again; the latest submission counts.

`nbgrader_config.py` tells nbgrader where the course's exchange is; `make lab` writes it.
"""


def default_student() -> str:
    """$STUDENT, else the OS user's name, unless that is root (a container's), else "student"."""
    import getpass

    try:
        name = os.environ.get("STUDENT") or getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        name = ""
    return name if name and name != "root" else "student"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "workspace", nargs="?", default=str(ROOT / "workspace"), type=Path,
        help="the student's folder, served by JupyterLab (default: workspace/)",
    )
    parser.add_argument(
        "--student", default=default_student(),
        help="the student id that submissions carry (default: $STUDENT, else your user name "
        "unless it is root, else 'student')",
    )
    parser.add_argument(
        "--course", default=ROOT / "course", type=Path,
        help="the nbgrader course root holding nbgrader_config.py and release/ (default: course/)",
    )
    parser.add_argument(
        "--exchange", type=Path,
        help="release into this exchange folder instead of the one course/nbgrader_config.py "
        "names",
    )
    parser.add_argument(
        "--no-release", action="store_true",
        help="skip `autograder release` and publish <course>/release/ as it is",
    )
    parser.add_argument(
        "--no-publish", action="store_true",
        help="do not release to the exchange (a shared one, where the instructor releases)",
    )
    parser.add_argument(
        "--student-venv", action="store_true",
        help="also make the student copy's environment (course/student/.venv), which make lab "
        "serves from",
    )
    return parser.parse_args(argv)


@contextmanager
def locked(path: Path):
    """Hold an exclusive lock on `path` (two `make lab` at once take turns)."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_quietly(command: list[str], cwd: Path, what: str) -> None:
    """Run a command; show its output only when it fails, then stop."""
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr)
        sys.exit(f"error: {what} failed (exit {result.returncode}): {' '.join(command)}")


def release(course: Path) -> None:
    """`autograder release`: course/release/<assignment>/ for every assignment."""
    autograder = BIN / "autograder"
    if not autograder.exists():
        sys.exit(
            f"error: {autograder} is missing: the project's `autograder` command is not "
            "installed (re-run make, or: .venv/bin/pip install -e '.[dev]')"
        )
    print("autograder release")
    run_quietly(
        [str(autograder), "--course", str(course), "release", "--reveal-earlier"], cwd=ROOT,
        what="autograder release",
    )


def student_venv(course: Path) -> Path:
    """The student copy's environment (made by its own Makefile): what make lab serves from,
    so that nothing there can import the reference package."""
    student = course / "student"
    print("the student copy's environment (make -C course/student .venv/.installed)")
    run_quietly(["make", "-s", ".venv/.installed"], cwd=student, what="the student environment")
    return student / ".venv"


def course_settings(course: Path) -> Config:
    """The instructor's nbgrader configuration (course/nbgrader_config.py), if there is one."""
    if not (course / "nbgrader_config.py").exists():
        return Config()
    return PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()


def exchange_root(config: Config, course: Path) -> Path:
    """The exchange folder: Exchange.root of the course's config, else course/exchange."""
    if "root" in config.Exchange:
        return (course / config.Exchange.root).resolve()
    return (course / "exchange").resolve()


def differs(source: Path, copy: Path, config: Config) -> bool:
    """Whether `copy` is not what nbgrader's release of `source` would make of it."""
    if not copy.is_dir():
        return True
    ignore = config.CourseDirectory.get("ignore", IGNORE)
    include = config.CourseDirectory.get("include", INCLUDE)

    def skip(name: str) -> bool:
        return any(fnmatch(name, glob) for glob in ignore) or not any(
            fnmatch(name, glob) for glob in include
        )

    for folder, subfolders, files in os.walk(source):
        skipped = {name for name in subfolders + files if skip(name)}
        subfolders[:] = [name for name in subfolders if name not in skipped]
        relative = Path(folder).relative_to(source)
        kept = [name for name in files if name not in skipped]
        copy_folder = copy / relative
        if not copy_folder.is_dir():
            return True
        copied = {p.name for p in copy_folder.iterdir() if p.name not in skipped}
        if copied != set(kept) | set(subfolders):
            return True
        _, mismatch, errors = filecmp.cmpfiles(folder, copy_folder, kept, shallow=False)
        if mismatch or errors:
            return True
    return False


def publish(course: Path, config: Config, course_id: str, exchange: Path) -> dict[str, str]:
    """Release every assignment of course/release/ to the exchange; what happened to each."""
    released = course / config.CourseDirectory.get("release_directory", RELEASE_DIRECTORY)
    assignments = sorted(
        path.name for path in released.iterdir() if path.is_dir() and any(path.glob("*.ipynb"))
    ) if released.is_dir() else []
    if not assignments:
        sys.exit(f"error: no assignment in {released}: run `autograder release` first")
    outbound = exchange / course_id / "outbound"
    status = {}
    for assignment in assignments:
        if not differs(released / assignment, outbound / assignment, config):
            status[assignment] = "unchanged in the exchange"
            continue
        status[assignment] = "updated in the exchange" if (
            outbound / assignment
        ).exists() else "released to the exchange"
        run_quietly(
            [
                str(BIN / "nbgrader"), "release_assignment", assignment, "--force",
                "--log-level=WARN",
                f"--CourseDirectory.course_id={course_id}", f"--Exchange.root={exchange}",
            ],
            cwd=course,
            what=f"nbgrader release_assignment {assignment}",
        )
    return status


def write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def prepare_workspace(workspace: Path, course_id: str, exchange: Path, student: str) -> None:
    """The student's folder: their nbgrader_config.py (and a README the first time)."""
    workspace.mkdir(parents=True, exist_ok=True)
    write_if_changed(
        workspace / "nbgrader_config.py",
        STUDENT_CONFIG.format(
            course_id=course_id,
            exchange=str(exchange),
            workspace=str(workspace),
            cache=str(workspace / CACHE),
            student=student,
        ),
    )
    readme = workspace / "README.md"
    if not readme.exists():
        readme.write_text(STUDENT_README)


def show(path: Path) -> str:
    """A path relative to the project where it lies inside it."""
    return f"{path.relative_to(ROOT)}/" if path.is_relative_to(ROOT) else f"{path}/"


def main(argv=None) -> None:
    args = parse_args(argv)
    problem = student_id_problem(args.student)
    if problem or "+" in args.student:
        sys.exit(f"error: {problem or repr(args.student) + ' holds a +'}: choose another with "
                 f"make lab STUDENT=...")
    course = args.course.resolve()
    workspace = args.workspace.resolve()
    with locked(course / ".release.lock"):
        if not args.no_release:
            release(course)
        if args.student_venv:
            student_venv(course)
        config = course_settings(course)
        course_id = config.CourseDirectory.get("course_id") or DEFAULT_COURSE_ID
        exchange = args.exchange.resolve() if args.exchange else exchange_root(config, course)
        status = {} if args.no_publish else publish(course, config, course_id, exchange)
    prepare_workspace(workspace, course_id, exchange, args.student)

    print(f"Course {course_id!r}, exchange {show(exchange)}; student workspace {show(workspace)}, "
          f"submitting as {args.student!r} (make lab STUDENT=... to change)")
    for assignment, state in status.items():
        fetched = workspace / assignment
        mine = f"fetched in {show(fetched)}" if fetched.exists() else "not fetched yet"
        print(f"  {assignment:<14} {state}; {mine}")
    print("In JupyterLab: Nbgrader > Assignment List fetches, and submits, an assignment.")


if __name__ == "__main__":
    main()
