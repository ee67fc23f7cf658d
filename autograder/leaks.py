"""The leak scan of a release: no solution and no hidden test may reach students.

Secret text comes in blocks: each stubbed solution region of the package, and each cell's
hidden-test lines and notebook-solution lines in the source notebooks. Lines are compared
after whitespace is normalised (stripped, runs collapsed to one space).

Which lines of a block are checked:
- not trivial lines: fewer than MIN_CHARS characters other than spaces (`return out`, `pass`,
  `)`, `else:`, `acc = 0.0`);
- not region lines that also occur (as part of a line) in the public code of the student
  package, i.e. the package outside its stubbed regions: they are no secret;
- not hidden-test or notebook-solution lines that also occur in the visible part of a source
  notebook or in that public code (imports, `check(...)` calls shared with visible tests).
  Region lines are NOT excused by the notebooks' visible text: a notebook that shows the
  solution leaks it.

A block leaks into a place of the release (a text file, or one cell of a notebook: its
source, outputs and metadata) when at least LEAK_LINES of its checked lines occur there, as
part of a line, or all of them when it has fewer. So a one-line solution shown anywhere is a
leak, and so are two lines of one region in one cell; one common line on its own (a hint that
quotes the line of backpropagation that accumulates a gradient, a demo that appends a node to
a list) is not.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from autograder.course import notebook_parts
from autograder.regions import Region

__all__ = ["MIN_CHARS", "LEAK_LINES", "Secret", "Leak", "normalize", "collect_secrets",
           "scan_release", "scan_folder"]

MIN_CHARS = 10
LEAK_LINES = 2


@dataclass(frozen=True)
class Secret:
    text: str  # normalised
    origin: str  # the line it comes from, e.g. "minitorch/tensor_data.py:21"
    block: str  # its block, e.g. "the solution of task 1.1 at minitorch/tensor_data.py:19"


@dataclass(frozen=True)
class Leak:
    block: str
    where: str  # the release file (and notebook cell)
    lines: tuple[Secret, ...]  # the block's lines found there
    checked: int  # how many lines of the block are checked

    def __str__(self) -> str:
        shown = "; ".join(f"{s.text!r} ({s.origin})" for s in self.lines[:3])
        more = f"; and {len(self.lines) - 3} more" if len(self.lines) > 3 else ""
        return (f"{self.where}: {len(self.lines)} of the {self.checked} checked lines of "
                f"{self.block}: {shown}{more}")


def normalize(line: str) -> str:
    return " ".join(line.split())


def _significant(text: str) -> bool:
    return len(text.replace(" ", "")) >= MIN_CHARS


def _places(path: Path) -> dict[str, list[str]] | None:
    """The normalised lines of a release file by place: one place per notebook cell (its
    source, outputs and metadata; "metadata" for the notebook's own), else the whole file
    ("" ). None for a binary file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None
    notebook = None
    if path.suffix == ".ipynb":
        try:
            notebook = json.loads(text)
        except json.JSONDecodeError:
            notebook = None  # not JSON: scanned as text
    if not isinstance(notebook, dict):
        return {"": [normalize(line) for line in text.splitlines()]}
    places: dict[str, list[str]] = {}

    def walk(value, place):
        if isinstance(value, str):
            places.setdefault(place, []).extend(normalize(x) for x in value.splitlines())
        elif isinstance(value, list):
            for item in value:
                walk(item, place)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item, place)

    for index, cell in enumerate(notebook.get("cells", [])):
        walk(cell, f"cell {index}")
    walk({k: v for k, v in notebook.items() if k != "cells"}, "metadata")
    return places


def _blob(lines) -> str:
    return "\n".join(lines)


def collect_secrets(root: Path, regions: list[Region], stubbed: set[str],
                    public_package: Path, notebooks: list[Path]) -> tuple[list[Secret], int]:
    """The secret lines to look for, and how many lines were skipped as trivial or public.

    root: the folder that region paths are relative to; public_package: the student copy of
    the package (the public code); notebooks: the source notebooks.
    """
    package_lines = []
    for path in sorted(public_package.rglob("*.py")):
        package_lines += [normalize(x) for x in path.read_text(encoding="utf-8").splitlines()]
    public_code = _blob(package_lines)

    candidates: list[tuple[Secret, str]] = []  # (secret, the public text that excuses it)
    cache: dict[str, list[str]] = {}
    for region in regions:
        if region.task not in stubbed:
            continue
        lines = cache.setdefault(region.file, (root / region.file).read_text(
            encoding="utf-8").splitlines())
        scope = f" ({'.'.join(region.scope)})" if region.scope else ""
        block = f"the solution of task {region.task}{scope} at {region.where}"
        for number in range(region.begin + 1, region.end):
            text = normalize(lines[number - 1])
            candidates.append((Secret(text, f"{region.file}:{number}", block), public_code))

    notebook_public = [public_code]
    notebook_candidates = []
    for path in notebooks:
        parts = notebook_parts(path)
        notebook_public += [normalize(x) for x in parts.public]
        for kind, items in (("hidden tests", parts.hidden), ("solution", parts.solution)):
            for where, line in items:
                notebook_candidates.append(Secret(normalize(line), where, f"the {kind} of {where}"))
    public_notebook = _blob(notebook_public)
    candidates += [(secret, public_notebook) for secret in notebook_candidates]

    secrets, skipped, seen = [], 0, set()
    for secret, public in candidates:
        if not _significant(secret.text) or secret.text in public:
            skipped += 1
        elif (secret.block, secret.text) not in seen:
            seen.add((secret.block, secret.text))
            secrets.append(secret)
    return secrets, skipped


def scan_release(release: Path, secrets: list[Secret]) -> tuple[list[Leak], int]:
    """Every leak of a block of `secrets` into the files under `release` (see the module's
    docstring for the rule), and the number of files read."""
    checked: dict[str, int] = {}
    for secret in secrets:
        checked[secret.block] = checked.get(secret.block, 0) + 1
    leaks: list[Leak] = []
    files = 0
    for path in sorted(p for p in Path(release).rglob("*") if p.is_file()):
        places = _places(path)
        if places is None:
            continue
        files += 1
        name = path.relative_to(release.parent).as_posix()
        for place, texts in places.items():
            blob = _blob(texts)
            found: dict[str, list[Secret]] = {}
            for secret in secrets:
                if secret.text in blob:
                    found.setdefault(secret.block, []).append(secret)
            for block, hits in found.items():
                if len(hits) < min(LEAK_LINES, checked[block]):
                    continue
                if place:
                    where = f"{name}, {place}"
                else:  # a text file: name the line of the first hit
                    number = next(n for n, text in enumerate(texts, 1) if hits[0].text in text)
                    where = f"{name}:{number}"
                leaks.append(Leak(block, where, tuple(hits), checked[block]))
    return leaks, files


def scan_folder(course, regions: list[Region], assignment: str, folder: Path, package: Path,
                hidden_tests: bool = True) -> list[str]:
    """The course's secrets found in `folder`, as messages: the solution regions of the tasks
    stubbed in `assignment`'s release (`package` is that release's student package, the public
    code), the notebooks' solution blocks, and (unless `hidden_tests` is False, for what a
    grader holds) their hidden tests."""
    registry = course.registry
    notebooks = [nb for name in registry.assignments for nb in course.notebooks(name)]
    secrets, _ = collect_secrets(course.repo, regions, registry.stubbed_in(assignment), package,
                                 notebooks)
    if not hidden_tests:
        secrets = [s for s in secrets if not s.block.startswith("the hidden tests")]
    leaks, _ = scan_release(folder, secrets)
    return [str(leak) for leak in leaks]
