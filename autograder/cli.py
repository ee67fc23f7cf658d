"""The `autograder` command: release, self-check and grade the course (over nbgrader)."""

import argparse
import os
import sys
from pathlib import Path

from autograder.ci import parse_min_score
from autograder.course import Course
from autograder.gradebook import ENV as GRADEBOOK_ENV
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

Then write the student copy, course/student/ and course/student.zip: every assignment released
so far, a README and Makefile with two commands (make lab, make test), the course's
dependencies and the notebooks' helper, and nothing of the reference (scanned alike).

Releasing an assignment hands its students the reference code of earlier assignments' tasks:
while one of those is not yet due (its due date in course/gradebook.db), the release refuses
unless --reveal-earlier.
"""

CHECK_HELP = """\
The course grades itself through the engine that grades students (`autograder grade`'s
sandbox, recorder and verdict), each assignment released by nbgrader into a temporary copy of
the course: the reference solution must score full marks, the released stubs zero, and
stubbing one task must lose exactly that task's points and those of the tasks that need it
(tasks.toml `needs`). Prints a table per assignment; fails on any deviation.
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
    return 0 if release(course, course.assignments(args.assignments),
                        reveal_earlier=args.reveal_earlier) else 1


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


def _limits(args, base=None):
    """The limits given on the command line, the others from `base` (a bundle's), else the
    defaults."""
    from dataclasses import replace

    from autograder.sandbox import Limits

    given = {"cell_seconds": args.cell_timeout, "notebook_seconds": args.notebook_timeout,
             "memory_bytes": None if args.memory is None else args.memory << 20,
             "processes": args.processes,
             "output_bytes": None if args.output is None else args.output << 10}
    return replace(base or Limits(), **{k: v for k, v in given.items() if v is not None})


def _spec(args):
    """The assignment to grade, from --bundle if given, else from the course; and the limits
    (the bundle's where the command line gives none)."""
    from autograder.spec import from_course

    if getattr(args, "bundle", None):
        from autograder.bundle import read_bundle

        spec, limits = read_bundle(Path(args.bundle), args.assignment)
        return spec, _limits(args, limits)
    if args.command == "ci":
        from autograder import ci

        course = ci.load_course(Path(args.source or args.course),
                                Path(args.package) if args.package else None)
    else:
        course = _course(args)
    return from_course(course, args.assignment), _limits(args)


def _exchange(args) -> Path:
    """The exchange folder: --exchange, else the course's (course/exchange)."""
    return Path(args.exchange) if args.exchange else _course(args).root / "exchange"


FEEDBACK_HELP = """\
Release the feedback that `autograder grade --from-exchange` wrote (in --out, default
course/graded/<assignment>/) through the course's exchange, so that each student's Assignment
List shows it and `nbgrader fetch_feedback <assignment>` fetches it. Only a student's latest
submission, graded as it is, gets it; the others are listed with the reason.
"""


def _feedback(args) -> int:
    from autograder.exchange_feedback import release_feedback

    course = _course(args)
    course.assignments([args.assignment])
    out = Path(args.out) if args.out else course.root / "graded" / args.assignment
    _, problems = release_feedback(_exchange(args), "minitorch", args.assignment,
                                   [path.stem for path in course.notebooks(args.assignment)],
                                   out)
    return 1 if problems else 0


BUNDLE_HELP = """\
Write the grading bundle of an assignment to --out: what grading needs and no solution (the
notebooks students' runs get, the reference's recorded expected results, the tests and task
table, the limits, and the released student package). `grade --bundle`, `ci --bundle` and the
Gradescope zip grade from it alone. It holds the hidden tests and the expected outputs: keep
it from students. A leak scan for solution code ends the command; on a hit the bundle is
removed and the command fails. The limits given here are the bundle's defaults.
"""


def _bundle(args) -> int:
    from autograder.bundle import write_bundle

    course = _course(args)
    course.assignments([args.assignment])
    write_bundle(course, args.assignment, Path(args.out), _limits(args))
    return 0


GRADESCOPE_HELP = """\
Write Gradescope's autograder zip for an assignment (--out, default autograder.zip): setup.sh
(installs the grader's own runtime, pinned to the versions installed here, and bubblewrap),
run_autograder (grades /autograder/submission into /autograder/results/results.json), the
autograder package and the assignment's grading bundle. It holds no solution code (the leak
scan runs over all of it). Upload it as the assignment's autograder ("Zip file upload").
"""


def _gradescope(args) -> int:
    from autograder.gradescope import write_zip

    course = _course(args)
    course.assignments([args.assignment])
    write_zip(course, args.assignment, Path(args.out), _limits(args))
    return 0


def _gradescope_run(args) -> int:
    from autograder.gradescope import run

    return run()


def _grade(args) -> int:
    from autograder.grade import Options, grade
    from autograder.submissions import find, from_exchange

    spec, limits = _spec(args)
    if args.from_exchange:
        submissions, skipped = from_exchange(_exchange(args), "minitorch", args.assignment)
    else:
        submissions, skipped = find([Path(p) for p in args.submissions])
    for why in skipped:
        print(f"autograder grade: skipped: {why}", file=sys.stderr)
    if not submissions:
        print("autograder grade: error: no submissions given (paths, or --from-exchange)",
              file=sys.stderr)
        return 2
    if not args.out and spec.course is None:
        print("autograder grade: error: with --bundle, say where results go (--out DIR)",
              file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else spec.course.root / "graded" / args.assignment
    executor = None
    if args.cluster:
        from autograder.cluster import ClusterExecutor

        executor = ClusterExecutor(args.cluster)
        print(f"Grading on the Dask cluster: {executor.describe()}")
    results = grade(spec, submissions,
                    Options(out=out, db_url=args.db, jobs=args.jobs, force=args.force,
                            limits=limits, progress=not args.no_progress, executor=executor))
    missing = sorted({s.student for s in submissions} - set(results))
    if missing:
        print(f"autograder grade: error: not graded: {', '.join(missing)}", file=sys.stderr)
    if skipped:
        print(f"autograder grade: error: {len(skipped)} skipped (see above)", file=sys.stderr)
    return 1 if missing or skipped else 0


CI_HELP = """\
Grade the checkout a CI job runs in (PATH, default: .), a student's repository holding the
assignment's notebook(s), at the top or in a folder named like the assignment, and their
minitorch/, against a grading bundle (--bundle DIR, from `autograder bundle`: no solution in
it) or the course at --source (the course root, with the reference minitorch/ beside it or at
--package). Only the notebooks and minitorch/ are
graded, as `autograder grade` grades a submission (sandboxed, under the limits below).
Prints a table per task; writes <out>/results.json (Gradescope's format), <out>/summary.md
and <out>/students/<student>/feedback.html. Exits 0 when the submission was graded, unless
its score is below --min-score; non-zero when grading could not be done.

--print-workflow prints a GitHub Actions workflow (for the assignment, if named): by default
the one for the instructor's private grading repository, which grades the students'
repositories with a bundle and reports a commit status to each; `--print-workflow
student-repo` the one that runs in each student's repository with no secret. See
docs/grading.md, "GitHub".
"""


def _ci(args) -> int:
    from autograder import ci

    if args.print_workflow:
        print(ci.workflow(args.print_workflow, args.assignment), end="")
        return 0
    if not args.assignment and not args.bundle:
        raise ci.CiError("name the assignment to grade, e.g. autograder ci 01_tensors")
    spec, limits = _spec(args)
    repo = Path(args.path)
    student = ci.student_id(args.student) if args.student else ci.default_student(repo)
    return ci.ci(spec, repo, student, Path(args.out or ci.DEFAULT_OUT), limits,
                 args.min_score)


def _add_limits(parser) -> None:
    """The limit options; a limit not given is the bundle's (with --bundle), else the
    default."""
    from autograder.sandbox import Limits

    default = Limits()
    group = parser.add_argument_group("limits per submission (with --bundle: the bundle's "
                                      "unless given)")
    group.add_argument("--cell-timeout", type=float, metavar="S",
                       help=f"seconds per cell (default: {default.cell_seconds:g})")
    group.add_argument("--notebook-timeout", type=float, metavar="S",
                       help=f"seconds per notebook (default: {default.notebook_seconds:g})")
    group.add_argument("--memory", type=int, metavar="MiB",
                       help=f"address space per process (default: {default.memory_bytes >> 20})")
    group.add_argument("--processes", type=int, metavar="N",
                       help=f"processes and threads (default: {default.processes})")
    group.add_argument("--output", type=int, metavar="KiB",
                       help=f"notebook output kept (default: {default.output_bytes >> 10})")


# The commands whose last positional is a list, and its name: `grade A --out DIR S1 S2` gives
# S1 and S2 to it, wherever the options stand.
LISTS = {"grade": "submissions", "check": "assignments", "release": "assignments"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line, options anywhere between the positionals."""
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
    release.add_argument("--reveal-earlier", action="store_true",
                         help="release even while an earlier assignment, whose reference "
                              "solutions the release holds, is not yet due")
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
    grade.add_argument("--bundle", metavar="DIR", help="grade from this grading bundle "
                       "(autograder bundle), without the course")
    grade.add_argument("--exchange", metavar="DIR", help="the exchange of --from-exchange "
                       "(default: the course's, course/exchange)")
    grade.add_argument("--out", metavar="DIR",
                       help="where results go (default: course/graded/<assignment>/)")
    grade.add_argument("--db", metavar="URL", default=os.environ.get(GRADEBOOK_ENV) or None,
                       help="the gradebook, any SQLAlchemy URL, e.g. postgresql://user@host/db "
                            "(default: $AUTOGRADER_DB, else sqlite in --out)")
    grade.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                       help="submissions graded at once (default: %(default)s)")
    grade.add_argument("--cluster", metavar="ADDRESS", help="grade on the workers of this "
                       "Dask scheduler, e.g. tcp://grader0:8786 (instead of --jobs here; "
                       "docs/grading.md, \"Grading on several machines\")")
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
    ci.add_argument("--bundle", metavar="DIR", help="grade from this grading bundle "
                    "(autograder bundle), without the course")
    ci.add_argument("--student", metavar="ID", help="the student id (default: $GITHUB_ACTOR, "
                    "else the checkout's folder name)")
    ci.add_argument("--out", metavar="DIR",
                    help="where results go (default: autograder-results/)")
    ci.add_argument("--min-score", type=parse_min_score, metavar="X",
                    help="exit non-zero below this score: points (40) or a percentage (80%%)")
    ci.add_argument("--print-workflow", nargs="?", const="grading-repo",
                    choices=["grading-repo", "student-repo"], metavar="KIND",
                    help="print a GitHub Actions workflow and exit: grading-repo (default: "
                         "the instructor's grading repository grades the students' "
                         "repositories) or student-repo (runs in each student's repository, "
                         "from a bundle committed there; see docs/grading.md)")
    _add_limits(ci)
    ci.set_defaults(run=_ci)

    feedback = commands.add_parser("feedback", help="return graded feedback to students "
                                   "through the exchange", description=FEEDBACK_HELP,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    feedback.add_argument("assignment", metavar="ASSIGNMENT", help="e.g. 01_tensors")
    feedback.add_argument("--out", metavar="DIR", help="where `grade` wrote its results "
                          "(default: course/graded/<assignment>/)")
    feedback.add_argument("--exchange", metavar="DIR",
                          help="the exchange (default: the course's, course/exchange)")
    feedback.set_defaults(run=_feedback)

    bundle = commands.add_parser("bundle", help="write the grading bundle of an assignment",
                                 description=BUNDLE_HELP,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    bundle.add_argument("assignment", metavar="ASSIGNMENT", help="e.g. 01_tensors")
    bundle.add_argument("--out", required=True, metavar="DIR", help="the bundle's folder")
    _add_limits(bundle)
    bundle.set_defaults(run=_bundle)

    gradescope = commands.add_parser("gradescope", help="write Gradescope's autograder zip",
                                     description=GRADESCOPE_HELP,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    gradescope.add_argument("assignment", metavar="ASSIGNMENT", help="e.g. 01_tensors")
    gradescope.add_argument("--out", default="autograder.zip", metavar="ZIP",
                            help="the zip to write (default: %(default)s)")
    _add_limits(gradescope)
    gradescope.set_defaults(run=_gradescope)

    run = commands.add_parser("gradescope-run", help="grade inside Gradescope (what "
                              "run_autograder calls)",
                              description="Grade $AUTOGRADER_ROOT/submission (default root: "
                              "/autograder) with the bundle in source/bundle; write "
                              "results/results.json, also when grading fails.")
    run.set_defaults(run=_gradescope_run)

    # argparse stops filling a list of positionals at the first option (and its
    # parse_intermixed_args refuses subcommands): what follows comes back as extra arguments.
    args, extra = parser.parse_known_args(argv)
    unknown = [arg for arg in extra if arg.startswith("-")]
    listed = LISTS.get(args.command)
    if unknown or (extra and not listed):
        parser.error(f"unrecognized arguments: {' '.join(unknown or extra)}")
    if extra:
        setattr(args, listed, getattr(args, listed) + extra)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
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
