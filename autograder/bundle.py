"""`autograder bundle`: everything grading one assignment needs, and no solution.

A bundle lets grading run where the course repository is not (Gradescope, a CI job, a TA's
machine) without handing anyone the reference solution:

    <bundle>/
      bundle.json           the assignment, its tests (grade id, task, notebook, points), the
                            task names, the limits, the hidden-test lines that feedback
                            must never show, and the earlier assignments' tasks that grading
                            gives the reference's code (autograder.restore)
      notebooks/*.ipynb     the notebooks students' runs get: hidden tests in, answer cells
                            empty, no code that computes an expected value
      expected.json         the reference's recorded outputs of every hidden test
      package/minitorch/    the student package of the release (this assignment's and later
                            tasks stubbed), for trying the bundle on stubs
      grader/               the autograder, installable without the course (`pip install
                            grader/`), its runtime pinned to the versions that wrote the bundle

It holds the hidden tests' inputs and the expected outputs: keep it from students (it is not
a solution, but it is the answer key). Writing one ends with the leak scan of `release`, over
every file, for the solution regions and the notebooks' solution blocks; a hit removes the
bundle and fails the command.
"""

import importlib.metadata
import json
import shutil
from pathlib import Path

from autograder.course import Course
from autograder.leaks import scan_folder
from autograder.regions import find_regions, write_package
from autograder.restore import from_plain, to_plain
from autograder.sandbox import Limits
from autograder.spec import Spec, from_course
from autograder.verdict import Test

__all__ = ["BundleError", "write_bundle", "write_grader", "read_bundle", "leaks_in", "FORMAT"]

FORMAT = 1
MANIFEST = "bundle.json"
EXPECTED = "expected.json"
# What grading runs: the autograder's own imports, and what a student's notebook may import
# (minitorch needs numpy, numba, matplotlib; its datasets scikit-learn).
RUNTIME = ["numpy", "numba", "matplotlib", "scikit-learn", "nbgrader", "nbclient", "nbformat",
           "ipykernel", "tqdm"]


class BundleError(RuntimeError):
    """A bundle cannot be written or read; the message says why."""


def leaks_in(course: Course, assignment: str, folder: Path, package: Path) -> list[str]:
    """The solution lines of the course found in `folder`: regions of the tasks stubbed in
    `assignment`'s release, and notebook solution blocks. Hidden tests are no leak here: a
    grader needs them. `package` is the released student package."""
    regions = find_regions(course.package, course.repo, course.registry)
    return scan_folder(course, regions, assignment, folder, package, hidden_tests=False)


def write_grader(dest: Path) -> None:
    """An installable copy of the autograder package in `dest`, with its runtime pinned to the
    versions installed here (the ones the bundle's expected results were recorded with)."""
    import autograder

    shutil.copytree(Path(autograder.__file__).resolve().parent, dest / "autograder",
                    ignore=shutil.ignore_patterns("__pycache__"))
    pins = ",\n".join(f'    "{name}=={importlib.metadata.version(name)}"' for name in RUNTIME)
    (dest / "pyproject.toml").write_text(f"""\
# The minitorch course's autograder alone, as a grading bundle carries it.
[build-system]
requires = ["setuptools>=70.1"]
build-backend = "setuptools.build_meta"

[project]
name = "minitorch-autograder"
version = "{importlib.metadata.version("minitorch-course")}"
requires-python = ">=3.11"
dependencies = [
{pins},
]

[project.scripts]
autograder = "autograder.cli:main"

[tool.setuptools.packages.find]
include = ["autograder*"]

[tool.setuptools.package-data]
autograder = ["templates/*", "schemas/*"]
""", encoding="utf-8")


def write_bundle(course: Course, assignment: str, out: Path, limits: Limits,
                 say=print) -> Path:
    """Write the bundle of `assignment` to `out` (replaced), recording the reference's
    expected results in the sandbox; raises BundleError on a leak (nothing is left then)."""
    from autograder.grade import reference_results

    spec = from_course(course, assignment)
    out = Path(out)
    if out.exists():
        if not (out / MANIFEST).is_file() and any(out.iterdir()):
            raise BundleError(f"{out} exists and is not a bundle: give an empty or new folder")
        shutil.rmtree(out)
    say(f"Recording the reference's expected results for {assignment} ...")
    expected = reference_results(spec, limits, course.root / "graded" / assignment /
                                 ".reference")
    try:
        (out / "notebooks").mkdir(parents=True)
        for name, notebook in spec.notebooks.items():
            (out / "notebooks" / f"{name}.ipynb").write_text(json.dumps(notebook, indent=1),
                                                             encoding="utf-8")
        (out / EXPECTED).write_text(json.dumps(expected), encoding="utf-8")
        registry = course.registry
        regions = find_regions(course.package, course.repo, registry)
        package = out / "package" / "minitorch"
        write_package(course.package, package, course.repo, regions,
                      registry.stubbed_in(assignment), registry)
        write_grader(out / "grader")
        manifest = {
            "format": FORMAT, "assignment": assignment,
            "tests": [{"grade_id": t.name, "task": t.task, "notebook": t.notebook,
                       "points": t.max_score} for t in spec.tests],
            "task_names": spec.task_names,
            "needs": {task: list(needs) for task, needs in spec.needs.items()},
            "groups": spec.groups,
            "limits": {"cell_seconds": limits.cell_seconds,
                       "notebook_seconds": limits.notebook_seconds,
                       "memory_bytes": limits.memory_bytes, "processes": limits.processes,
                       "output_bytes": limits.output_bytes, "file_bytes": limits.file_bytes},
            "hidden_lines": sorted(spec.hidden),
            "restore": to_plain(spec.restore),
        }
        (out / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        leaks = leaks_in(course, assignment, out, package)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    if leaks:
        shutil.rmtree(out, ignore_errors=True)
        raise BundleError("the bundle would hold solution code, so it was removed:\n  " +
                          "\n  ".join(leaks[:10]))
    files = sum(1 for p in out.rglob("*") if p.is_file())
    say(f"Wrote the bundle of {assignment} to {out}/ ({files} files; leak scan: no solution "
        f"line). It holds the hidden tests and their expected outputs: keep it from students.")
    return out


def read_bundle(folder: Path, assignment: str | None = None) -> tuple[Spec, Limits]:
    """The Spec (expected results included) and limits of the bundle in `folder`."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        expected = json.loads((folder / EXPECTED).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BundleError(f"{folder} is not a grading bundle ({error}); make one with "
                          f"`autograder bundle ASSIGNMENT --out DIR`") from None
    if manifest.get("format") != FORMAT:
        raise BundleError(f"{folder}: bundle format {manifest.get('format')!r}, this "
                          f"autograder reads format {FORMAT}: make the bundle again")
    if assignment and manifest["assignment"] != assignment:
        raise BundleError(f"{folder} is the bundle of {manifest['assignment']}, not of "
                          f"{assignment}")
    tests = [Test(t["grade_id"], t["task"], t["notebook"], float(t["points"]))
             for t in manifest["tests"]]
    notebooks = {}
    for name in dict.fromkeys(t.notebook for t in tests):
        path = folder / "notebooks" / f"{name}.ipynb"
        try:
            notebooks[name] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise BundleError(f"{path}: {error}") from None
    spec = Spec(manifest["assignment"], notebooks, tests, set(manifest["hidden_lines"]),
                dict(manifest["task_names"]),
                {task: tuple(needs) for task, needs in manifest["needs"].items()},
                {task: dict(shares) for task, shares in manifest["groups"].items()},
                expected=expected, restore=from_plain(manifest.get("restore", [])))
    return spec, Limits(**manifest["limits"])
