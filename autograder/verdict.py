"""The grader's verdict on a submission, made in the grader's own process.

Each graded test cell calls `check(task, ...)`. The grader's run of the reference recorded the
expected outputs of every call ("expected" lines); the student's run recorded the student's
outputs ("student" lines). A test scores its points when, for every call of its task, the
student's run recorded an output for every case and each matches (exactly, or within the
tolerances of the *reference's* record). The student's run can write anything into its record
and notebook; both are read here as untrusted data, with size limits, and only ever compared.
"""

import json
from dataclasses import dataclass

from autograder.notebook import MAX_RECORD_BYTES
from autograder.values import BadValue, decode, difference

__all__ = ["Test", "read_records", "judge", "cell_reports", "limits_hit"]

LIMIT_NAMES = {"timeout": "time limit (cell)", "died": "kernel died",
               "notebook time": "time limit (notebook)", "restarts": "kernel died",
               "memory": "memory limit", "output": "output limit",
               "processes": "process limit"}


@dataclass
class Test:
    """One graded cell's outcome."""
    name: str  # grade_id
    task: str
    notebook: str
    max_score: float
    score: float = 0.0
    message: str = ""
    limit: str | None = None  # which limit the cell hit, if any
    cases: int = 0

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score > 0


def read_records(data: bytes, mode: str) -> dict[str, list[dict]]:
    """task -> its calls, in order, of the given mode, from a job's record (JSON lines, of
    which the first MAX_RECORD_BYTES count); unreadable lines are skipped."""
    calls: dict[str, list[dict]] = {}
    for line in data[:MAX_RECORD_BYTES].splitlines():
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(record, dict) and record.get("mode") == mode and \
                isinstance(record.get("outputs"), list):
            calls.setdefault(str(record.get("task")), []).append(record)
    return calls


def cell_reports(notebook: dict | None) -> dict[str, dict]:
    """Cell key -> {"limit", "error"} read from an executed notebook (untrusted; for messages
    and the summary). The key is the cell's grade_id, or "cell <n>" for cells without one."""
    reports = {}
    cells = notebook.get("cells", []) if isinstance(notebook, dict) else []
    for number, cell in enumerate(cells if isinstance(cells, list) else []):
        meta = cell.get("metadata", {}) if isinstance(cell, dict) else None
        if not isinstance(meta, dict):
            continue
        name = meta.get("nbgrader", {}).get("grade_id") if isinstance(
            meta.get("nbgrader"), dict) else None
        limit = meta.get("autograder", {}).get("limit") if isinstance(
            meta.get("autograder"), dict) else None
        error = None
        outputs = cell.get("outputs", [])
        for output in outputs if isinstance(outputs, list) else []:
            if isinstance(output, dict) and output.get("output_type") == "error":
                error = f"{output.get('ename')}: {output.get('evalue')}"[:500]
                if output.get("ename") == "MemoryError" and not limit:
                    limit = "memory"
            elif isinstance(output, dict) and "output truncated" in str(output.get("text")):
                limit = limit or "output"
        reports[name if isinstance(name, str) else f"cell {number}"] = {"limit": limit,
                                                                          "error": error}
    return reports


def limits_hit(reports: dict[str, dict]) -> set[str]:
    """The names of the limits that any cell hit."""
    return {LIMIT_NAMES.get(r["limit"], r["limit"]) for r in reports.values() if r["limit"]}


def _judge_call(expected: dict, got: dict | None) -> str | None:
    """Why a student's call does not match the reference's, or None."""
    if got is None:
        return "no results were recorded"
    if got.get("error"):
        frames = got.get("frames") if isinstance(got.get("frames"), list) else []
        where = "".join(f"\n  {str(frame)[:300]}" for frame in frames[-6:])
        return f"the test raised {str(got['error'])[:500]}" + (
            f"\n  in your code (innermost last):{where}" if where else "")
    want, outputs = expected["outputs"], got.get("outputs")
    if not isinstance(outputs, list) or len(outputs) < len(want):
        return "results were recorded for only some of the cases"
    inputs = expected.get("inputs") or []
    for number, (want_value, got_value) in enumerate(zip(want, outputs)):
        try:
            why = difference(decode(got_value), decode(want_value), float(expected["rtol"]),
                             float(expected["atol"]))
        except BadValue as error:
            why = str(error)
        if why is not None:
            where = f"\n  input: {inputs[number]}" if number < len(inputs) else ""
            return f"case {number} gives a wrong result: {why}{where}"
    return None


def judge(tests: list[Test], expected: dict[str, list[dict]], student: dict[str, list[dict]],
          reports: dict[str, dict], needs: dict[str, tuple[str, ...]] | None = None,
          groups: dict[str, dict[str, float]] | None = None) -> list[Test]:
    """Score every test (in place) and return them. `needs` (tasks.toml: task -> the tasks its
    tests use) turns a failure that may come from a failed needed task into advice to fix that
    one first; `groups` (task -> group -> points) scores each group of a task's calls on its
    own (the reference's record names each call's group)."""
    for test in tests:
        calls = expected.get(test.task, [])
        got = student.get(test.task, [])
        report = reports.get(test.name, {})
        test.limit = report.get("limit")
        test.cases = sum(len(call["outputs"]) for call in calls)
        shares = (groups or {}).get(test.task) or {None: test.max_score}
        failures: dict[str | None, str] = {}
        for number, call in enumerate(calls):
            group = call.get("group") if None not in shares else None
            if group in failures:
                continue
            why = _judge_call(call, got[number] if number < len(got) else None)
            if why:
                failures[group] = why
        if not calls:
            failures[None] = "no results were recorded"
        test.score = float(sum(points for group, points in shares.items()
                               if group not in failures and calls))
        if not failures:
            test.message = f"all {test.cases} cases pass"
            continue
        lines = [f"{_explain(why, test, report)}" if group is None else
                 f"{group} ({_points(shares.get(group, 0))}): {_explain(why, test, report)}"
                 for group, why in failures.items()]
        if None not in shares:
            passed = [f"{group} ({_points(points)})" for group, points in shares.items()
                      if group not in failures]
            lines.insert(0, f"{test.score:g} of {_points(test.max_score)}; "
                            f"passed: {', '.join(passed) or 'none'}; failed:")
        test.message = f"Task {test.task}: " + "\n".join(lines)
    _point_at_needed_tasks(tests, needs or {})
    return tests


def _points(value: float) -> str:
    return f"{value:g} point" + ("" if value == 1 else "s")


def _explain(why: str, test: Test, report: dict) -> str:
    """A failure's reason, with the limit the cell hit or the error it failed with first."""
    if test.limit:
        return f"{LIMIT_NAMES.get(test.limit, test.limit)}: {report.get('error') or why}"
    if why == "no results were recorded" and report.get("error"):
        return f"the cell failed before recording: {report['error']}"
    return why


def _point_at_needed_tasks(tests: list[Test], needs: dict[str, tuple[str, ...]]) -> None:
    """Say first, in a failed task's message, which of the tasks it uses failed too: their bug
    may be the cause (a correct tensor_map fails when the broadcast_index it calls is wrong)."""
    failed = {test.task for test in tests if not test.passed}
    for test in tests:
        if test.passed:
            continue
        culprits = [task for task in _closure(test.task, needs) if task in failed]
        if culprits:
            names = ", ".join(culprits)
            which = "it" if len(culprits) == 1 else "them"
            test.message = (f"Task {test.task}: this task uses your {names}, which failed: fix "
                            f"{which} first.\n" + test.message)


def _closure(task: str, needs: dict[str, tuple[str, ...]]) -> list[str]:
    """The tasks that `task` needs, directly or through others, in task order."""
    found, frontier = set(), list(needs.get(task, ()))
    while frontier:
        current = frontier.pop()
        if current not in found and current != task:
            found.add(current)
            frontier += needs.get(current, ())
    return sorted(found, key=lambda t: tuple(int(p) for p in t.split(".")))
