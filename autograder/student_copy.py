"""The student copy: the course as students get it, with nothing of the reference.

`autograder release` writes it to <course>/student/ and zips it to <course>/student.zip (one
top folder, ready to unzip or to commit as a repository):

    README.md, Makefile   two commands: `make lab` (JupyterLab on the assignments) and
                          `make test` (the visible tests of the fetched assignments); the
                          Makefile includes common.mk, which this repository's shares
    pyproject.toml        what the course needs (the course's own dependencies), and the
                          autograder package; no minitorch: inside an assignment, `import
                          minitorch` finds that assignment's student copy, and nowhere the
                          reference
    nbgrader_config.py    the course id and its exchange (a local folder by default)
    release/<assignment>/ every assignment released so far, as `release` wrote it
    autograder/           the notebooks' test helper and Validate's summary (no solution)
    scripts/              what `make lab` runs

It holds no solution region of a task not yet revealed, no hidden test, no source notebook and
no gradebook: the leak scan of `release` runs over all of it, and a hit fails the release
with the copy left as it was. Files that `make lab` adds in the copy (.venv, workspace/,
exchange/, .jupyter/) are kept when it is written again.
"""

import shutil
import tempfile
import tomllib
import zipfile
from pathlib import Path

from autograder.course import Course
from autograder.leaks import scan_folder
from autograder.regions import Region

__all__ = ["write_student_copy", "StudentCopyError", "TEMPLATES"]

TEMPLATES = Path(__file__).resolve().parent / "templates" / "student"
OWNED = ["README.md", "Makefile", "common.mk", "pyproject.toml", "nbgrader_config.py",
         ".gitignore", "release", "autograder", "scripts"]
SCRIPTS = ["student_workspace.py", "student-lab-config"]
IGNORED = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")
ZIP_TOP = "minitorch-course"


class StudentCopyError(RuntimeError):
    """The student copy could not be written; the message says why."""


def _pyproject(course: Course) -> str:
    """The student copy's pyproject.toml: the course's dependencies, the autograder package."""
    project = tomllib.loads((course.repo / "pyproject.toml").read_text(encoding="utf-8"))
    dependencies = "".join(f'    "{d}",\n' for d in project["project"]["dependencies"])
    return f"""\
# The minitorch course, student copy: the tools the assignments need. `make` installs it into
# .venv (pip install .). No minitorch here: each assignment holds the student's own.
[build-system]
requires = ["setuptools>=70.1"]
build-backend = "setuptools.build_meta"

[project]
name = "minitorch-course-student"
version = "{project["project"]["version"]}"
requires-python = "{project["project"]["requires-python"]}"
dependencies = [
{dependencies}]

[tool.setuptools.packages.find]
include = ["autograder*"]

[tool.setuptools.package-data]
autograder = ["templates/*", "templates/student/*", "schemas/*"]
"""


def write_student_copy(course: Course, regions: list[Region], out: Path | None = None) -> Path:
    """Write the student copy of every assignment released in <course>/release/ (in course
    order) to `out` (default <course>/student) and its zip beside it; returns the folder.
    The copy is made and scanned in a folder of its own first, so that a leak leaves the
    previous copy as it was, and what `make lab` added in `out` is neither scanned nor lost."""
    out = Path(out) if out else course.root / "student"
    released = [name for name in course.registry.assignments
                if any(course.release(name).glob("*.ipynb"))]
    if not released:
        raise StudentCopyError("no assignment is released yet: nothing to give students")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".student-", dir=out.parent) as tmp:
        stage = Path(tmp)
        _fill(course, released, stage)
        latest = released[-1]
        leaks = scan_folder(course, regions, latest, stage,
                            stage / "release" / latest / "minitorch")
        if leaks:
            raise StudentCopyError("the student copy would hold solutions or hidden tests, so "
                                   "it was not written:\n  " + "\n  ".join(leaks[:10]))
        _zip(stage, out.with_suffix(".zip"))
        out.mkdir(exist_ok=True)
        for name in OWNED:
            target = out / name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            elif target.exists() or target.is_symlink():
                target.unlink()
            (stage / name).rename(target)
    return out


def _fill(course: Course, released: list[str], stage: Path) -> None:
    """The copy's files (OWNED), in `stage`."""
    import autograder

    for name in released:
        shutil.copytree(course.release(name), stage / "release" / name, ignore=IGNORED)
    shutil.copytree(Path(autograder.__file__).resolve().parent, stage / "autograder",
                    ignore=IGNORED)
    (stage / "scripts").mkdir()
    for name in SCRIPTS:
        source = course.repo / "scripts" / name
        if source.is_dir():
            shutil.copytree(source, stage / "scripts" / name, ignore=IGNORED)
        else:
            shutil.copy(source, stage / "scripts" / name)
    for name in ("README.md", "Makefile", "common.mk", "nbgrader_config.py"):
        shutil.copy(TEMPLATES / name, stage / name)
    shutil.copy(TEMPLATES / "gitignore", stage / ".gitignore")
    (stage / "pyproject.toml").write_text(_pyproject(course), encoding="utf-8")


def _zip(folder: Path, archive: Path) -> None:
    """The owned files of the copy, under one top folder, written atomically."""
    partial = archive.with_name(archive.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in OWNED:
            path = folder / name
            files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
            for file in files:
                info = zipfile.ZipInfo.from_file(file, f"{ZIP_TOP}/{file.relative_to(folder)}")
                bundle.writestr(info, file.read_bytes(), zipfile.ZIP_DEFLATED)
    partial.replace(archive)
