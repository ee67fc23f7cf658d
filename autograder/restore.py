"""Grading puts the course's reference code back into the earlier assignments' tasks.

An assignment's release fills the tasks of the earlier assignments with the reference's code,
so that its grade measures its own tasks alone (a task loses points only for itself and what
tasks.toml's `needs` declares). A student may have replaced that code with their own
(`make carry`, autograder.carry) or edited it; before a submission runs, `restore` writes the
reference's code back into every such task's slot (autograder.slots) in the staged package.

The slots and the reference's code are computed once per assignment from the course
(`references`, kept in the Spec, and in a grading bundle's manifest): each earlier task's
slot is found in the release of its own assignment, and its code is what the graded
assignment's release holds between the slot's lines. Both releases are computed from the
reference package's solution regions (autograder.regions.stub_text), so no release folder is
needed.

A submission's files are hostile input, read in the grader's own process: a file is read only
when it is a plain file of at most MAX_SOURCE_BYTES (never through a link, nor under a linked
folder), parsed with every error that parsing can raise caught, and written back only inside
the staged package, by replacing it. Where a slot's lines are not found (the student edited
around the task, removed its function, or the file is missing, too large or not Python), that
task keeps the student's code, whole, and the grade's notes say so; the submission is graded
all the same.
"""

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder.course import Course
from autograder.kernels import PARSE_LOCK  # Python 3.11's ast.parse is unsafe across threads
from autograder.regions import BEGIN, END, find_regions, stub_text
from autograder.slots import Slot, Spans, lines_of, same_lines, scope_spans, slots_in_text, split
from autograder.untrusted import read_bytes

__all__ = ["Reference", "references", "restore", "to_plain", "from_plain", "MAX_SOURCE_BYTES"]

MAX_SOURCE_BYTES = 1 << 20  # the reference's largest module is about 60 kB
PACKAGE = "minitorch"


@dataclass(frozen=True)
class Reference:
    """One slot of an earlier task and the reference's code for it (lines), as the graded
    assignment's release holds them."""

    slot: Slot
    code: tuple[str, ...]


def references(course: Course, assignment: str) -> tuple[Reference, ...]:
    """The slot and reference code of every region of the tasks that `assignment`'s release
    fills with the reference's code (those of the assignments before it)."""
    registry = course.registry
    order = list(registry.assignments)
    earlier = order[:order.index(assignment)]
    stubbed_here = registry.stubbed_in(assignment)
    by_file: dict[str, list] = {}
    for region in find_regions(course.package, course.repo, registry):
        by_file.setdefault(region.file, []).append(region)
    found = []
    with PARSE_LOCK:
        for rel, regions in sorted(by_file.items()):
            source = (course.repo / rel).read_text(encoding="utf-8")
            graded = stub_text(source, regions, stubbed_here, registry, rel)
            graded_spans = scope_spans(graded)
            for owner in earlier:
                own = {task.id for task in registry.tasks_of(owner)}
                if not own & {region.task for region in regions}:
                    continue
                released = stub_text(source, regions, registry.stubbed_in(owner), registry,
                                     rel)
                for task, task_slots in sorted(slots_in_text(released, rel).items()):
                    if task not in own:
                        continue
                    for slot in task_slots:
                        cut = split(graded, slot, graded_spans)
                        if cut is None:
                            raise ValueError(f"{rel}: the release of {assignment} changes "
                                             f"{slot.name} around task {task}'s code")
                        found.append(Reference(slot, tuple(cut[1])))
    return tuple(found)


def to_plain(refs: tuple[Reference, ...]) -> list[dict]:
    """`refs` as JSON-ready data (a grading bundle's manifest keeps them)."""
    return [{"task": r.slot.task, "label": r.slot.label, "file": r.slot.file,
             "scope": list(r.slot.scope), "before": list(r.slot.before),
             "after": list(r.slot.after), "code": list(r.code)} for r in refs]


def from_plain(data: list[dict]) -> tuple[Reference, ...]:
    """What `to_plain` wrote, back."""
    return tuple(Reference(Slot(d["task"], d["label"], d["file"], tuple(d["scope"]),
                                tuple(d["before"]), tuple(d["after"])), tuple(d["code"]))
                 for d in data)


def _plain_folder(root: Path, folder: Path) -> bool:
    """Whether `folder` (under `root`) and every folder between are real folders, no link."""
    path = root
    for part in folder.relative_to(root).parts:
        path = path / part
        try:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                return False
        except OSError:
            return False
    return True


def _read_source(work: Path, rel: str) -> tuple[str | None, str]:
    """The text of the submitted file `rel` (under the job's folder `work`), or None and why
    it is not used."""
    path = work / rel
    if not _plain_folder(work, path.parent):
        return None, f"{path.parent.relative_to(work)}/ is missing or a link"
    data = read_bytes(path, MAX_SOURCE_BYTES)
    if data is None:
        try:
            info = os.lstat(path)
        except OSError:
            return None, f"{rel} is missing"
        if stat.S_ISREG(info.st_mode) and info.st_size > MAX_SOURCE_BYTES:
            return None, f"{rel} is over {MAX_SOURCE_BYTES >> 20} MiB"
        return None, f"{rel} is a link or not a plain file"
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError:
        return None, f"{rel} is not UTF-8 text"


def _spans(text: str, rel: str) -> tuple[Spans | None, str]:
    """The scopes of a submitted file, or None and why it cannot be parsed."""
    try:
        with PARSE_LOCK:
            return scope_spans(text), ""
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, f"{rel} is not valid Python"


def _is_reference(code: list[str], reference: tuple[str, ...]) -> bool:
    """Whether a slot already holds the reference's code: up to trailing spaces, and to
    solution markers (the reference package itself, as `autograder check` submits it)."""
    return same_lines([line for line in code if not (BEGIN.match(line) or END.match(line))],
                      reference)


def _write(path: Path, text: str) -> None:
    """Replace the plain file `path` by `text`, through a new file of a fresh name beside it
    (never through a link, nor over a file the submission planted)."""
    mode = stat.S_IMODE(os.lstat(path).st_mode)
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=".restoring-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(partial, mode)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def restore(work: Path, refs: tuple[Reference, ...]) -> list[str]:
    """Write the reference's code into every slot of `refs` in the submission staged in
    `work` (the job's folder, holding minitorch/); returns the notes for the grade: a line
    per task that keeps the student's code, and why. A task is restored whole or not at all."""
    if not refs:
        return []
    if not _plain_folder(work, work / PACKAGE):
        return [f"The submission has no {PACKAGE}/ folder: the earlier assignments' tasks "
                f"could not be given the course's reference code."]
    texts: dict[str, str] = {}
    spans: dict[str, Spans] = {}
    cuts: dict[Reference, tuple[int, int]] = {}
    kept: dict[str, str] = {}  # task -> why its code stays the student's
    problems: dict[str, str] = {}  # file -> why it cannot be restored
    for ref in refs:
        slot = ref.slot
        if slot.task in kept:
            continue
        if slot.file not in texts and slot.file not in problems:
            text, why = _read_source(work, slot.file)
            found, why = _spans(text, slot.file) if text is not None else (None, why)
            if found is None:
                problems[slot.file] = why
            else:
                texts[slot.file], spans[slot.file] = text, found
        if slot.file in problems:
            kept[slot.task] = problems[slot.file]
            continue
        cut = split(texts[slot.file], slot, spans[slot.file])
        if cut is None:
            kept[slot.task] = (f"{slot.name} in {slot.file} is missing, or the lines around "
                               f"the task's code differ from the release")
            continue
        head, code, _ = cut
        if not _is_reference(code, ref.code):
            cuts[ref] = (len(head), len(head) + len(code))
    changed: dict[str, list[str]] = {}
    for ref, (start, end) in sorted(cuts.items(), key=lambda item: -item[1][0]):
        if ref.slot.task in kept:
            continue
        lines = changed.setdefault(ref.slot.file, lines_of(texts[ref.slot.file]))
        lines[start:end] = ref.code
    for rel, lines in changed.items():
        text = "".join(lines)
        if text != texts[rel]:
            try:
                _write(work / rel, text)
            except OSError as error:
                tasks = sorted({ref.slot.task for ref in cuts if ref.slot.file == rel})
                kept.update(dict.fromkeys(tasks, f"{rel} could not be written "
                                                 f"({error.strerror})"))
    labels = {ref.slot.task: ref.slot.label for ref in refs}
    return [f"Task {task} ({labels[task]}) was graded with your code, not the course's "
            f"reference: {why}; a bug in it can cost points in the tasks that use it."
            for task, why in kept.items()]
