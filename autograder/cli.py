"""The `autograder` command: release and self-check the course (over nbgrader)."""

import argparse
import os
import sys
from pathlib import Path

from autograder.course import Course
from autograder.leaks import LEAK_LINES, MIN_CHARS
from autograder.nbgrader_cli import NbgraderError
from autograder.regions import RegionError
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

    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (RegistryError, RegionError, NbgraderError) as error:
        print(f"autograder {args.command}: error: {error}", file=sys.stderr)
        return 1
    except RuntimeError as error:  # ReleaseError and the like: a message for the user
        if type(error).__module__.startswith("autograder"):
            print(f"autograder {args.command}: error: {error}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
