"""The `autograder` command: release, self-check and grade the course (over nbgrader)."""

import argparse
import os
import sys
from pathlib import Path

from autograder.ci import parse_min_score
from autograder.course import Course
from autograder.leaks import LEAK_LINES, MIN_CHARS
from autograder.nbgrader_cli import NbgraderError
from autograder.regions import RegionError
from autograder.submissions import SubmissionError
from autograder.tasks import RegistryError

DESCRIPTION = """\
The grading tool of the minitorch course, over nbgrader.

The course lives in course/ (nbgrader_config.py, tasks.toml, source/<assignment>/*.ipynb);
the reference solution is the minitorch/ package beside it, where the code students write
sits between `# BEGIN SOLUTION <task>` and `# END SOLUTION` lines.
"""

RELEASE_HELP = f"""\
Write course/release/<assignment>/ for each assignment (default: all): the notebooks, with
solutions and hidden tests removed (nbgrader generate_assignment), and the student copy of
minitorch/, in which every solution region of the assignment and of later ones raises
NotImplementedError("Task 1.1: ...") while earlier assignments keep the reference code.
Then scan the release for leaks: a stubbed solution region or a hidden-test block leaks when
{LEAK_LINES} of its lines (or all, if it has fewer) appear in one file or notebook cell of the
release. Lines shorter than {MIN_CHARS} characters, and lines that are public elsewhere in the
package or the notebooks, are not checked. On a leak the release is removed and the command
fails.
"""

CHECK_HELP = """\
The course grades itself with nbgrader's autograde, each simulated submission in its own
temporary copy of the course: the reference solution must score full marks, the released
stubs zero, and stubbing one task must lose exactly that task's points and those of the tasks
that need it (tasks.toml `needs`). Prints a table per assignment; fails on any deviation.
"""


def _course(args) -> Course:
    root = Path(args.course)
    if not (root / "tasks.toml").is_file():
        raise RegistryError(f"no course in {root.resolve()} (no tasks.toml there): run "
                            f"autograder from the repository's root, or pass --course DIR")
    return Course.load(root, Path(args.package) if args.package else None)


def _release(args) -> int:
    from autograder.release import release

    course = _course(args)
    return 0 if release(course, course.assignments(args.assignments)) else 1


def _check(args) -> int:
    from autograder.check import check

    course = _course(args)
    ok = check(course, course.assignments(args.assignments), jobs=args.jobs,
               progress=not args.no_progress)
    return 0 if ok else 1


GRADE_HELP = """\
Grade submissions of an assignment. A submission is a folder (student id: its name) or a zip
(student id: its stem), holding the notebook(s) and the student's minitorch/; a folder that
holds only such folders or zips stands for all of them. --from-exchange takes the latest
submission of each student from the course's exchange (on a shared exchange, only folders
owned by the OS user that they name). An entry whose name is no usable student id is skipped
with the reason, and the others are graded.

Each submission runs in its own sandbox (bubblewrap where available; the output says which
isolation was in force) under time, memory, process and output limits. Hidden tests only
record the student's outputs; the grader compares them with the reference's in its own
process. Writes, under --out: the gradebook, grades.csv, and in students/<id>/ results.json
(Gradescope's format) and feedback.html (no hidden test source). Already graded, unchanged
submissions are skipped unless --force. Exits 0 when every submission was graded, whatever
the scores; 1 when an entry was skipped or a submission could not be graded (the others
are); 2 when grading itself could not be done.
"""


def _limits(args):
    from autograder.sandbox import Limits

    return Limits(cell_seconds=args.cell_timeout, notebook_seconds=args.notebook_timeout,
                  memory_bytes=args.memory << 20, processes=args.processes,
                  output_bytes=args.output << 10)


def _grade(args) -> int:
    from autograder.grade import Options, grade
    from autograder.submissions import find, from_exchange

    course = _course(args)
    course.assignments([args.assignment])
    if args.from_exchange:
        submissions, skipped = from_exchange(course.root / "exchange", "minitorch",
                                             args.assignment)
    else:
        submissions, skipped = find([Path(p) for p in args.submissions])
    for why in skipped:
        print(f"autograder grade: skipped: {why}", file=sys.stderr)
    if not submissions:
        print("autograder grade: error: no submissions given (paths, or --from-exchange)",
              file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else course.root / "graded" / args.assignment
    results = grade(course, args.assignment, submissions,
                    Options(out=out, db_url=args.db, jobs=args.jobs, force=args.force,
                            limits=_limits(args), progress=not args.no_progress))
    missing = sorted({s.student for s in submissions} - set(results))
    if missing:
        print(f"autograder grade: error: not graded: {', '.join(missing)}", file=sys.stderr)
    if skipped:
        print(f"autograder grade: error: {len(skipped)} skipped (see above)", file=sys.stderr)
    return 1 if missing or skipped else 0


CI_HELP = """\
Grade the checkout a CI job runs in (PATH, default: .), a student's repository holding the
assignment's notebook(s), at the top or in a folder named like the assignment, and their
minitorch/, against the course at --source (the course root of the course repository, with
the reference minitorch/ beside it or at --package). Only the notebooks and minitorch/ are
graded, as `autograder grade` grades a submission (sandboxed, under the limits below).
Prints a table per task; writes <out>/results.json (Gradescope's format), <out>/summary.md
and <out>/students/<student>/feedback.html. Exits 0 when the submission was graded, unless its score
is below --min-score; non-zero when grading could not be done.

--print-workflow prints a GitHub Actions workflow that runs this on every push (for the
assignment, if named): see docs/grading.md.
"""


def _ci(args) -> int:
    from autograder import ci

    if args.print_workflow:
        print(ci.workflow(args.assignment), end="")
        return 0
    if not args.assignment:
        raise ci.CiError("name the assignment to grade, e.g. autograder ci 01_tensors")
    course = ci.load_course(Path(args.source or args.course),
                            Path(args.package) if args.package else None)
    repo = Path(args.path)
    student = ci.student_id(args.student) if args.student else ci.default_student(repo)
    return ci.ci(course, args.assignment, repo, student, Path(args.out or ci.DEFAULT_OUT),
                 _limits(args), args.min_score)


def _add_limits(parser) -> None:
    from autograder.sandbox import Limits

    default = Limits()
    group = parser.add_argument_group("limits per submission")
    group.add_argument("--cell-timeout", type=float, default=default.cell_seconds,
                       metavar="S", help="seconds per cell (default: %(default)s)")
    group.add_argument("--notebook-timeout", type=float, default=default.notebook_seconds,
                       metavar="S", help="seconds per notebook (default: %(default)s)")
    group.add_argument("--memory", type=int, default=default.memory_bytes >> 20, metavar="MiB",
                       help="address space per process (default: %(default)s)")
    group.add_argument("--processes", type=int, default=default.processes, metavar="N",
                       help="processes and threads (default: %(default)s)")
    group.add_argument("--output", type=int, default=default.output_bytes >> 10, metavar="KiB",
                       help="notebook output kept (default: %(default)s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="autograder", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course", default="course", metavar="DIR",
                        help="the nbgrader course root (default: %(default)s)")
    parser.add_argument("--package", metavar="DIR",
                        help="the reference package (default: minitorch/ beside the course)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    release = commands.add_parser("release", help="write the student release of assignments",
                                  description=RELEASE_HELP,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    release.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                         help="e.g. 01_tensors (default: every assignment in tasks.toml)")
    release.set_defaults(run=_release)

    check = commands.add_parser("check", help="check that the course grades itself right",
                                description=CHECK_HELP,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                       help="e.g. 01_tensors (default: every assignment in tasks.toml)")
    check.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                       help="submissions graded at once (default: the number of CPUs, "
                            "%(default)s)")
    check.add_argument("--no-progress", action="store_true", help="no progress bar")
    check.set_defaults(run=_check)

    grade = commands.add_parser("grade", help="grade submissions (isolated, in parallel)",
                                description=GRADE_HELP,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    grade.add_argument("assignment", metavar="ASSIGNMENT", help="e.g. 01_tensors")
    grade.add_argument("submissions", nargs="*", metavar="SUBMISSION",
                       help="folders or zips (student id = folder name or zip stem)")
    grade.add_argument("--from-exchange", action="store_true",
                       help="grade what students submitted through the course's exchange")
    grade.add_argument("--out", metavar="DIR",
                       help="where results go (default: course/graded/<assignment>/)")
    grade.add_argument("--db", metavar="URL", help="the gradebook, any SQLAlchemy URL "
                       "(default: sqlite in --out)")
    grade.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                       help="submissions graded at once (default: %(default)s)")
    grade.add_argument("--force", action="store_true", help="grade again what is graded")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_limits(grade)
    grade.set_defaults(run=_grade)

    ci = commands.add_parser("ci", help="grade the checkout a CI job runs in (one student)",
                             description=CI_HELP,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    ci.add_argument("assignment", nargs="?", metavar="ASSIGNMENT", help="e.g. 01_tensors")
    ci.add_argument("path", nargs="?", default=".", metavar="PATH",
                    help="the student's checkout (default: %(default)s)")
    ci.add_argument("--source", metavar="DIR",
                    help="the course root to grade against (default: --course)")
    ci.add_argument("--student", metavar="ID", help="the student id (default: $GITHUB_ACTOR, "
                    "else the checkout's folder name)")
    ci.add_argument("--out", metavar="DIR",
                    help="where results go (default: autograder-results/)")
    ci.add_argument("--min-score", type=parse_min_score, metavar="X",
                    help="exit non-zero below this score: points (40) or a percentage (80%%)")
    ci.add_argument("--print-workflow", action="store_true",
                    help="print the GitHub Actions workflow template and exit")
    _add_limits(ci)
    ci.set_defaults(run=_ci)

    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (RegistryError, RegionError, NbgraderError, SubmissionError) as error:
        print(f"autograder {args.command}: error: {error}", file=sys.stderr)
        return 1
    except RuntimeError as error:  # ReleaseError and the like: a message for the user
        if type(error).__module__.startswith("autograder"):
            print(f"autograder {args.command}: error: {error}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
