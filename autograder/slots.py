"""Where a task's code goes in a released package: its *slot*, and cutting a file at it.

A released package holds, where a task's code goes, one line
`raise NotImplementedError("Task 1.1: ...")` (the stub line of autograder.regions). In the
release of the task's own assignment, the function (or class) holding that line is the task's
slot: its lines before the stub and after it. Any other copy of that file (a student's folder,
a later release) holds the task's code between those same lines of the same function, as long
as nobody edited them. Carrying a student's code forward (autograder.carry) and grading with
the reference's code for the earlier assignments (autograder.restore) both cut files here.
"""

import ast
import functools
from dataclasses import dataclass
from pathlib import Path

from autograder.regions import scopes, stub_task

__all__ = ["Slot", "lines_of", "same_lines", "scope_spans", "slots", "slots_in_text", "split"]


@dataclass(frozen=True)
class Slot:
    """Where one region of a task goes in one file: the enclosing function or class (`scope`,
    outermost first; () for the module) and its lines before and after the stub line."""

    task: str
    label: str  # what the stub line names, e.g. "index_to_position"
    file: str  # relative to the assignment folder, e.g. "minitorch/tensor_data.py"
    scope: tuple[str, ...]
    before: tuple[str, ...]
    after: tuple[str, ...]

    @property
    def name(self) -> str:
        return ".".join(self.scope) or "the module"


Spans = dict[tuple[str, ...], tuple[int, int] | None]


def lines_of(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def same_lines(a, b) -> bool:
    """Equal line by line, up to trailing spaces and line endings (editors change those)."""
    return len(a) == len(b) and all(x.rstrip() == y.rstrip() for x, y in zip(a, b))


def scope_spans(text: str) -> Spans:
    """The (first, last) line of every class and function by dotted scope, the module as ();
    None for a scope defined twice (ambiguous). Raises what ast.parse raises."""
    tree = ast.parse(text)
    found: Spans = {(): (1, len(lines_of(text)))}
    for first, last, scope in scopes(tree):
        found[scope] = None if scope in found else (first, last)
    return found


# A file is cut once per slot, and read unchanged from several folders.
_cached_spans = functools.lru_cache(maxsize=256)(scope_spans)


def slots_in_text(text: str, file: str) -> dict[str, list[Slot]]:
    """The slots of every task stubbed in `text`, a released file named `file`, by task id."""
    lines = lines_of(text)
    stubs = [(n, stub_task(line)) for n, line in enumerate(lines, start=1) if stub_task(line)]
    if not stubs:
        return {}
    spans = _cached_spans(text)
    found: dict[str, list[Slot]] = {}
    for number, (task, label) in stubs:
        scope = max((s for s, span in spans.items() if span and span[0] < number <= span[1]
                     or s == ()), key=len)
        first, last = spans[scope]
        found.setdefault(task, []).append(Slot(
            task, label, file, scope, tuple(lines[first - 1:number - 1]),
            tuple(lines[number:last])))
    return found


def slots(package: Path, folder: Path) -> dict[str, list[Slot]]:
    """The slots of every stubbed task in a released `package`, by task id; files relative
    to `folder`."""
    found: dict[str, list[Slot]] = {}
    for path in sorted(package.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for task, task_slots in slots_in_text(text, path.relative_to(folder).as_posix()).items():
            found.setdefault(task, []).extend(task_slots)
    return found


def split(text: str, slot: Slot, spans: Spans | None = None
          ) -> tuple[list[str], list[str], list[str]] | None:
    """`text` cut at `slot`: (the lines up to the slot's code, its code, the lines after), or
    None where the slot's function is missing, defined twice, or its lines around differ.
    `spans` are `scope_spans(text)` where the caller has them (a text it parsed itself)."""
    if spans is None:
        try:
            spans = _cached_spans(text)
        except SyntaxError:
            return None
    span = spans.get(slot.scope)
    if span is None:
        return None
    lines = lines_of(text)
    first, last = span
    head_end = first - 1 + len(slot.before)
    tail_start = last - len(slot.after)
    if tail_start < head_end:
        return None
    if not (same_lines(lines[first - 1:head_end], slot.before)
            and same_lines(lines[tail_start:last], slot.after)):
        return None
    return lines[:head_end], lines[head_end:tail_start], lines[tail_start:]
