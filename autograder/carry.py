"""Carry forward: run a later assignment on your own code for the earlier ones.

Every release fills the earlier assignments' tasks with the course's reference code, so that a
slip made in 01 costs nothing in 05. This command offers the other choice, in the student copy:

    make carry ASSIGNMENT=05_training      (python -m autograder.carry 05_training)
    make uncarry ASSIGNMENT=05_training    (python -m autograder.carry 05_training --undo)

It writes, into workspace/05_training/minitorch/, the student's own code for every task of
01-04, taken from their own fetched folders workspace/01_tensors/ ... workspace/04_fast/, in
place of the reference's; `--undo` puts the reference back.

How a task's code is found (autograder.slots). A released package holds, where a task's code
goes, one line `raise NotImplementedError("Task 1.1: ...")` (the stub line of
autograder.regions). In the release of the task's own assignment (release/01_tensors/), the
function (or class) holding that line is the task's *slot*: its lines before the stub and after
it. The student's code is what stands between those same lines in the same function of their
own folder; the reference's is what stands between them in the later release
(release/05_training/). Where the lines around differ (the student edited them, or a later
release changed them), or the function is gone, the task keeps the reference: nothing is
guessed. (Released packages keep no `# BEGIN SOLUTION` markers, so the stub line is the one
mark a student's folder holds; and the student copy has no tasks.toml: an assignment's tasks
are those its release stubs and the next release does not.)

Nothing of the student's is lost: a slot in the target that holds neither the reference nor
what an earlier carry wrote (the student edited it) is left as it was; every file is backed up
(WORKSPACE/.carry-backup/) before it changes and replaced atomically; a task is carried whole or
not at all. What was carried is written to the target's `carried.json`, which `--undo` and
the notebooks' `provenance` read. Numba's disk cache of the target's kernels is cleared, since
it does not notice a change in a function that a kernel calls from another file.

Grading does not run carried code: it puts the reference's back into every earlier task's
slot (autograder.restore), so carrying costs no points.
"""

import argparse
import ast
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.regions import stub_task
from autograder.slots import Slot, lines_of, same_lines, slots, split

__all__ = ["Slot", "CarryError", "carry", "provenance", "stubbed_tasks", "MANIFEST", "main"]

MANIFEST = "carried.json"
BACKUP = ".carry-backup"
PACKAGE = "minitorch"


class CarryError(RuntimeError):
    """Nothing could be carried (a missing release or workspace); the message says why."""


def _is_stub(code: list[str]) -> bool:
    return not any(line.strip() for line in code) or any(stub_task(line) for line in code)


@dataclass
class Plan:
    """What carrying (or undoing) changes: new file texts, the manifest, a line per task."""

    files: dict[str, str]  # relative path in the target folder -> new text
    manifest: dict
    report: list[str]


def _released(release: Path) -> list[str]:
    return sorted(p.name for p in release.iterdir()
                  if p.is_dir() and (p / PACKAGE).is_dir()) if release.is_dir() else []


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _earlier_tasks(release: Path, assignment: str) -> list[tuple[str, str, list[Slot]]]:
    """(assignment, task, slots) of every task of the assignments released before
    `assignment`: the tasks that an assignment's release stubs and the next one's does not."""
    names = _released(release)
    if assignment not in names:
        raise CarryError(f"no assignment {assignment!r} in {release}/ (released: "
                         f"{', '.join(names) or 'none'})")
    order = names[:names.index(assignment) + 1]
    stubbed = {name: slots(release / name / PACKAGE, release / name) for name in order}
    tasks = []
    for name, following in zip(order, order[1:]):
        for task in sorted(set(stubbed[name]) - set(stubbed[following]), key=_task_key):
            tasks.append((name, task, stubbed[name][task]))
    return tasks


def _task_key(task: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in task.split("."))


def plan(workspace: Path, release: Path, assignment: str, undo: bool = False) -> Plan:
    """What `carry` would write into workspace/<assignment>/ (nothing is written here)."""
    earlier = _earlier_tasks(release, assignment)
    target = workspace / assignment
    if not (target / PACKAGE).is_dir():
        raise CarryError(f"{target}/{PACKAGE} is missing: fetch {assignment} first "
                         f"(Nbgrader > Assignment List in `make lab`)")
    old = _load(target).get("tasks", {})
    carried_before = {(r["file"], r["scope"]): r["carried"] for entry in old.values()
                      for r in entry.get("regions", [])}
    files = _Files(target)
    report: list[str] = []
    tasks: dict[str, dict] = {}
    for source, task, task_slots in earlier:
        if undo and old.get(task, {}).get("state") != "carried":
            continue
        state, why, regions = _carry_task(workspace, release, assignment, source, task_slots,
                                          carried_before, files, undo)
        report.append(f"  {task} {task_slots[0].label}: {why}")
        if undo and state != "reference":
            tasks[task] = {**old[task], "why": old[task].get("why", "") + f"; undo: {why}"}
        elif not undo:
            tasks[task] = {"state": state, "from": source, "why": why, "regions": regions}
    return Plan(files.changed(), {"assignment": assignment, "tasks": tasks}, report)


class _Files:
    """The target's files as read, and as the plan changes them (lists of lines)."""

    def __init__(self, target: Path):
        self.target = target
        self.read: dict[str, str] = {}
        self.lines: dict[str, list[str]] = {}

    def get(self, rel: str) -> list[str] | None:
        if rel not in self.lines:
            text = _read(self.target / rel)
            if text is None:
                return None
            self.read[rel], self.lines[rel] = text, lines_of(text)
        return self.lines[rel]

    def changed(self) -> dict[str, str]:
        new = {rel: "".join(lines) for rel, lines in self.lines.items()}
        return {rel: text for rel, text in new.items() if text != self.read[rel]}


def _carry_task(workspace: Path, release: Path, assignment: str, source: str,
                task_slots: list[Slot], carried_before: dict, files: _Files, undo: bool):
    """Carry (or undo) one task whole, every slot or none: (state, why, regions), state one
    of carried, reference (the target holds the reference's code) and edited (left as is)."""
    found = []
    for slot in task_slots:
        reference = _read(release / assignment / slot.file)
        ref_cut = split(reference, slot) if reference is not None else None
        if ref_cut is None:
            return ("reference", f"kept the reference: the release of {assignment} changed "
                    f"{slot.name} in {slot.file} around the task's code", [])
        lines = files.get(slot.file)
        cut = split("".join(lines), slot) if lines is not None else None
        before = carried_before.get((slot.file, slot.name))
        if cut is None or not (same_lines(cut[1], ref_cut[1])
                               or (before is not None and same_lines(cut[1], before))):
            return ("edited", f"left as is: {slot.name} in {assignment}/{slot.file} was "
                    f"edited {'after carrying' if undo else 'there'}; your edits are kept", [])
        found.append((slot, ref_cut[1]))
    state, why = "reference", "the reference again"
    codes = [ref for _, ref in found]
    if not undo:
        mine, why = _student_code(workspace / source, source, task_slots)
        if mine is not None:
            state, codes = "carried", mine
            why = f"yours, from {source}/{', '.join(sorted({s.file for s in task_slots}))}"
    for (slot, _), code in zip(found, codes):
        head, _, tail = split("".join(files.get(slot.file)), slot)
        files.lines[slot.file] = head + code + tail
    regions = [{"file": slot.file, "scope": slot.name, "carried": code, "reference": ref}
               for (slot, ref), code in zip(found, codes)] if state == "carried" else []
    return state, why, regions


def _student_code(folder: Path, source: str,
                  task_slots: list[Slot]) -> tuple[list[list[str]] | None, str]:
    """The student's code for each slot of a task in their folder of `source`, or None and
    why the reference is kept."""
    if not folder.is_dir():
        return None, f"kept the reference: {source}/ is not in your workspace"
    codes = []
    for slot in task_slots:
        text = _read(folder / slot.file)
        cut = split(text, slot) if text is not None else None
        if cut is None:
            return None, (f"kept the reference: {slot.name} in {source}/{slot.file} is "
                          f"missing, or the lines around the task's code differ from the "
                          f"release (carry it by hand)")
        if _is_stub(cut[1]):
            return None, (f"kept the reference: still a stub (raise NotImplementedError) in "
                          f"{source}/{slot.file}")
        codes.append(cut[1])
    return codes, ""


def _load(target: Path) -> dict:
    """The target's manifest, or {} where there is none (or it is unreadable)."""
    try:
        loaded = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.carry-partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _new_folder(base: Path) -> Path:
    """A folder that did not exist: `base`, else base-2, base-3, ... (two runs in a second)."""
    base.parent.mkdir(parents=True, exist_ok=True)
    for number in range(1, 1000):
        folder = base if number == 1 else base.with_name(f"{base.name}-{number}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise CarryError(f"cannot make a backup folder beside {base}")


def _clear_compiled(package: Path) -> None:
    """Remove Numba's disk cache of the package's kernels: a cached kernel is not recompiled
    when a function it calls in another file changes (index_to_position in a fast_ops kernel),
    so it would go on running the code that was replaced. They compile again on first use."""
    for pattern in ("*.nbi", "*.nbc"):
        for path in package.rglob(f"__pycache__/{pattern}"):
            path.unlink(missing_ok=True)


def carry(workspace: Path, release: Path, assignment: str, undo: bool = False) -> list[str]:
    """Carry the student's earlier code into workspace/<assignment>/ (or undo it); returns
    the report, a line per task. Each changed file is backed up first, then replaced."""
    workspace, release = Path(workspace), Path(release)
    target = workspace / assignment
    result = plan(workspace, release, assignment, undo)
    for rel, text in result.files.items():
        try:
            ast.parse(text)
        except SyntaxError as error:
            raise CarryError(f"{assignment}/{rel} would not be valid Python (line "
                             f"{error.lineno}: {error.msg}); nothing was changed") from None
    if result.files:
        backup = _new_folder(workspace / BACKUP / f"{assignment}-{time.strftime('%Y%m%d-%H%M%S')}")
        for rel in result.files:
            (backup / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(target / rel, backup / rel)
        for rel, text in result.files.items():
            _write_atomically(target / rel, text)
        result.report.append(f"Backed up the files it changed in {backup}/.")
        _clear_compiled(target / PACKAGE)
    if undo and not result.manifest["tasks"]:
        (target / MANIFEST).unlink(missing_ok=True)
    else:
        _write_atomically(target / MANIFEST, json.dumps(result.manifest, indent=1) + "\n")
    return result.report


def stubbed_tasks(folder: Path | str = ".") -> set[str]:
    """The tasks whose stub line the package in `folder` still holds (not written yet)."""
    found = set()
    for path in (Path(folder) / PACKAGE).rglob("*.py"):
        for line in (_read(path) or "").splitlines():
            if stub_task(line):
                found.add(stub_task(line)[0])
    return found


def provenance(folder: Path | str = ".", own: list[str] = ()) -> str:
    """Whose code each task of the package in `folder` runs, a line per task: the earlier
    assignments' tasks as its carried.json says (all the reference's where there is none),
    and `own`, this assignment's tasks: the student's, or not yet where still a stub."""
    folder = Path(folder)
    stubbed = stubbed_tasks(folder)
    tasks = _load(folder).get("tasks", {})
    lines = []
    for task in sorted(tasks, key=_task_key):
        lines.append(f"  {task:<5} {tasks[task].get('why', '')}")
    if not tasks:
        lines.append("  The earlier assignments' tasks run the course's reference code (as "
                     "released); `make carry` runs yours.")
    for task in own:
        lines.append(f"  {task:<5} " + ("not yet: still a stub" if task in stubbed
                                        else "yours (this assignment)"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.carry",
        description="Carry your own code for the earlier assignments' tasks into a later "
                    "assignment's minitorch package, in place of the reference's.")
    parser.add_argument("assignment", help="the assignment to carry into, e.g. 05_training")
    parser.add_argument("--workspace", type=Path, default=Path("workspace"),
                        help="your workspace, holding the fetched assignments (default: "
                             "workspace/)")
    parser.add_argument("--release", type=Path, default=Path("release"),
                        help="the released assignments, as the course gave them (default: "
                             "release/)")
    parser.add_argument("--undo", action="store_true",
                        help="put the reference back where an earlier carry wrote your code")
    args = parser.parse_args(argv)
    try:
        report = carry(args.workspace, args.release, args.assignment, args.undo)
    except CarryError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{'Undoing the carry into' if args.undo else 'Carrying your code into'} "
          f"{args.assignment}:")
    print("\n".join(report) if report else "  nothing to do")
    if not args.undo:
        print("Restart the notebook's kernel to run it. Carrying costs no points: grading "
              "puts the reference code back into the earlier assignments' tasks.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
