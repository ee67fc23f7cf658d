"""Solution regions in the reference package, and the student copy with them stubbed.

A region is the code a student writes, between two comment lines, each alone on its line:

    def index_to_position(index, strides):
        # BEGIN SOLUTION 1.1
        ...reference code...
        # END SOLUTION

The tag is a task id of course/tasks.toml. In the student copy, a stubbed region becomes one
line at the region's indentation:

        raise NotImplementedError("Task 1.1: index_to_position in minitorch/tensor_data.py")

naming the task's function, or the enclosing `Class.method` when the region sits in another
function (task 2.4's regions in `Mul.backward` and its siblings). Regions that are not stubbed
(those of earlier assignments) keep their code and lose their two marker lines.
"""

import ast
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from autograder.tasks import Registry

__all__ = [
    "Region", "RegionError", "find_regions", "scopes", "stub_message", "stub_line", "stub_task",
    "stub_text", "write_package",
]

BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION(?:[ \t]+(?P<tag>\S+))?[ \t]*$")
END = re.compile(r"^[ \t]*# END SOLUTION[ \t]*$")
# Anything that looks like a marker (a comment mentioning BEGIN/END SOLUTION) must be exact.
MARKER_LIKE = re.compile(r"^\s*#.*\b(BEGIN|END)\s*SOLUTION", re.IGNORECASE)
# Files of a package copy that are build output, never copied.
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.nbi", "*.nbc", ".ipynb_checkpoints")


class RegionError(ValueError):
    """Malformed solution regions; `problems` lists each as "file:line: what is wrong"."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid solution regions:\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class Region:
    file: str  # path relative to the repository root, e.g. "minitorch/tensor_data.py"
    task: str  # task id, e.g. "1.1"
    begin: int  # 1-based line of `# BEGIN SOLUTION`
    end: int  # 1-based line of `# END SOLUTION`
    indent: str  # the indentation of the BEGIN line
    scope: tuple[str, ...] = ()  # enclosing classes and functions, outermost first

    @property
    def where(self) -> str:
        return f"{self.file}:{self.begin}"


def scopes(tree: ast.AST) -> list[tuple[int, int, tuple[str, ...]]]:
    """(first line, last line, dotted scope) of every class and function in a module."""
    found = []

    def visit(node: ast.AST, chain: tuple[str, ...]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                inner = (*chain, child.name)
                found.append((child.lineno, child.end_lineno or child.lineno, inner))
                visit(child, inner)
            else:
                visit(child, chain)

    visit(tree, ())
    return found


def scan_file(path: Path, rel: str) -> tuple[list[Region], list[str]]:
    """The regions of one Python file and the problems found in it (as "file:line: ...")."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    problems: list[str] = []
    raw: list[tuple[str, int, int, str]] = []
    open_at: tuple[int, str, str] | None = None  # (line, tag, indent)
    for number, line in enumerate(lines, start=1):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if open_at is not None:
                problems.append(f"{rel}:{number}: BEGIN SOLUTION inside the region opened at "
                                f"line {open_at[0]} (regions cannot nest; is an END missing?)")
            tag = begin["tag"] or ""
            if not tag:
                problems.append(f"{rel}:{number}: BEGIN SOLUTION without a task id "
                                f"(write `# BEGIN SOLUTION 1.1`)")
            open_at = (number, tag, begin["indent"])
        elif end:
            if open_at is None:
                problems.append(f"{rel}:{number}: END SOLUTION without a BEGIN SOLUTION")
            else:
                if open_at[1]:
                    raw.append((open_at[1], open_at[0], number, open_at[2]))
                open_at = None
        elif MARKER_LIKE.match(line):
            problems.append(f"{rel}:{number}: malformed marker {line.strip()!r} (write "
                            f"`# BEGIN SOLUTION <task id>` or `# END SOLUTION`, alone on the line)")
    if open_at is not None:
        problems.append(f"{rel}:{open_at[0]}: BEGIN SOLUTION {open_at[1]} is never closed "
                        f"(no `# END SOLUTION` below it)")
    if not raw:
        return [], problems
    try:
        tree = ast.parse(text, filename=rel)
    except SyntaxError as error:
        return [], [*problems, f"{rel}:{error.lineno}: not valid Python: {error.msg}"]
    found_scopes = scopes(tree)
    regions = []
    for tag, begin_line, end_line, indent in raw:
        code = [n for n in range(begin_line + 1, end_line)
                if lines[n - 1].strip() and not lines[n - 1].lstrip().startswith("#")]
        if not code:
            problems.append(f"{rel}:{begin_line}: region {tag} holds no code")
            continue
        # The innermost class or function whose lines hold the region's first statement
        # (the END comment may lie past a function's last statement, so it is not used).
        enclosing = [s for s in found_scopes if s[0] < code[0] <= s[1]]
        scope = max(enclosing, key=lambda s: len(s[2]))[2] if enclosing else ()
        regions.append(Region(rel, tag, begin_line, end_line, indent, scope))
    return regions, problems


def find_regions(package_dir: Path, root: Path, registry: Registry | None = None) -> list[Region]:
    """Every region of the .py files under `package_dir`, validated; paths relative to `root`.

    Raises RegionError listing every problem: unbalanced or nested markers, a missing tag, and
    (given the registry) a tag that is not a task, a task without a region in its file, or a
    region of a task that is written in a notebook cell.
    """
    package_dir, root = Path(package_dir), Path(root)
    regions: list[Region] = []
    problems: list[str] = []
    for path in sorted(package_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        found, wrong = scan_file(path, path.relative_to(root).as_posix())
        regions += found
        problems += wrong
    if registry is not None:
        for region in regions:
            if region.task not in registry.tasks:
                problems.append(f"{region.where}: BEGIN SOLUTION {region.task}: no task "
                                f"{region.task!r} in {registry.path.name}")
        for task in registry.tasks.values():
            files = {r.file for r in regions if r.task == task.id}
            if task.cell:  # written in a notebook cell: it has no region
                if files:
                    problems.append(f"{', '.join(sorted(files))}: task {task.id} is written "
                                    f"in the notebook cell {task.cell} (tasks.toml), yet has "
                                    f"a solution region here")
            elif not files:
                problems.append(f"{task.file}: task {task.id} ({task.name}) has no solution "
                                f"region (`# BEGIN SOLUTION {task.id}`) anywhere")
            elif task.file not in files:
                problems.append(f"{task.file}: task {task.id} ({task.name}) has no region in "
                                f"its file; its regions are in {', '.join(sorted(files))}")
    if problems:
        raise RegionError(problems)
    return regions


def _label(region: Region, name: str) -> str:
    """The task's name when the region sits in the function of that name, else the enclosing
    `Class.method` (or function)."""
    scope = region.scope
    candidates = {".".join(scope[i:j]) for i in range(len(scope))
                  for j in range(i + 1, len(scope) + 1)}
    if not scope or name in candidates:
        return name
    return ".".join(scope)


def stub_message(region: Region, registry: Registry) -> str:
    task = registry.tasks[region.task]
    return f"Task {task.id}: {_label(region, task.name)} in {region.file}"


def stub_line(region: Region, registry: Registry) -> str:
    message = stub_message(region, registry).replace("\\", "\\\\").replace('"', '\\"')
    return f'{region.indent}raise NotImplementedError("{message}")'


STUB = re.compile(r'^(?P<indent>[ \t]*)raise NotImplementedError\("Task (?P<task>[^:"\s]+): '
                  r'(?P<label>.+) in (?P<file>[^"]+)"\)[ \t]*$')


def stub_task(line: str) -> tuple[str, str] | None:
    """(task id, label) of a stub line that `stub_line` wrote, else None: how a released
    package shows where a task's code goes."""
    match = STUB.match(line)
    return (match["task"], match["label"]) if match else None


def stub_text(text: str, regions: list[Region], stub: set[str], registry: Registry,
              rel: str) -> str:
    """`text` (the file `rel`, holding `regions`): each region of a task in `stub` replaced by
    its stub line; the others keep their code, without their marker lines. Checked to be
    valid Python."""
    lines = text.splitlines(keepends=True)
    for region in sorted(regions, key=lambda r: r.begin, reverse=True):
        if region.task in stub:
            lines[region.begin - 1:region.end] = [stub_line(region, registry) + "\n"]
        else:
            del lines[region.end - 1]
            del lines[region.begin - 1]
    out = "".join(lines)
    try:
        ast.parse(out, filename=rel)
    except SyntaxError as error:
        raise RegionError([f"{rel}:{error.lineno}: the stubbed file is not valid Python "
                           f"({error.msg}); a region must hold whole statements"]) from None
    return out


def write_package(src: Path, dest: Path, root: Path, regions: list[Region], stub: set[str],
                  registry: Registry) -> dict[str, int]:
    """Copy the package `src` to `dest` (replacing it), with the regions of the tasks in `stub`
    stubbed and the marker lines of the other regions removed (their code is kept).
    Returns counts: files, stubbed regions, stubbed tasks."""
    src, dest, root = Path(src).resolve(), Path(dest), Path(root).resolve()
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, ignore=IGNORED)
    by_file: dict[str, list[Region]] = {}
    for region in regions:
        by_file.setdefault(region.file, []).append(region)
    for rel, found in by_file.items():
        source = root / rel
        target = dest / source.relative_to(src)
        text = source.read_text(encoding="utf-8")
        target.write_text(stub_text(text, found, stub, registry, rel), encoding="utf-8")
    stubbed = [r for r in regions if r.task in stub]
    return {
        "files": sum(1 for p in dest.rglob("*") if p.is_file()),
        "regions": len(stubbed),
        "tasks": len({r.task for r in stubbed}),
    }
