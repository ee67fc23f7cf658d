"""The one helper that the course's test cells compare results with.

A test cell feeds inputs to the student's code and names what should come out:

    from autograder.notebook import check
    check("1.1", cases, student=lambda c: index_to_position(*c), expected=lambda c: ...)

In the student's own notebook, `check` compares each case (exactly for integers and bools,
with tolerances for floats) and, on the first mismatch, raises an AssertionError that names
the task, the input, what was expected and what came out. Expected values are computed by the
test (with NumPy), never by the student's package.

When `autograder grade` runs a notebook, it sets AUTOGRADER_RECORD="<mode>:<file>" and `check`
compares nothing: in "student" mode it records the student's outputs, in "expected" mode (the
grader's run of the reference) the expected ones, one JSON line per call. The grader compares
the two in its own process, so nothing the student's code patches can change a verdict.
"""

import json
import os
import traceback

from autograder.values import difference, encode

__all__ = ["check", "CheckFailure", "RECORD_ENV", "MAX_RECORD_BYTES"]

RECORD_ENV = "AUTOGRADER_RECORD"
MAX_RECORD_BYTES = 64 << 20  # what the grader takes of one job's record
PACKAGE = "minitorch"
MAX_FRAMES = 6


def student_frames(error: BaseException) -> list[str]:
    """Where an error went through the student's package, innermost last, as
    "minitorch/tensor_data.py:42 in broadcast_index: out_index[i] = ...": the lines of their own
    code to look at, and nothing of the test that called it."""
    frames = []
    for frame in traceback.extract_tb(error.__traceback__):
        parts = frame.filename.replace("\\", "/").split("/")
        if PACKAGE not in parts[:-1]:
            continue
        where = "/".join(parts[len(parts) - 1 - parts[::-1].index(PACKAGE):])
        code = (frame.line or "").strip()
        frames.append(f"{where}:{frame.lineno} in {frame.name}: {code}"[:300])
    return frames[-MAX_FRAMES:]


class CheckFailure(AssertionError):
    """A test case whose result differs from the expected one."""


def _describe(value, limit=300):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + " ..."


def check(task, cases, student, expected, *, rtol=1e-5, atol=1e-6, describe=_describe,
          group=None):
    """Run `student(case)` and `expected(case)` for every case; raise on the first mismatch.

    Args:
        task: the task id, e.g. "1.1", named in every failure message.
        cases: the inputs (any objects), e.g. drawn from a seeded NumPy generator.
        student: computes the student's answer for a case (calls the student's code).
        expected: computes the right answer for a case, independently of minitorch.
        group: for a task that splits its points (tasks.toml `groups`), the group these cases
            count for.
    """
    cases = list(cases)
    if not cases:
        raise ValueError(f"Task {task}: no test cases were given")
    mode, _, path = os.environ.get(RECORD_ENV, "").partition(":")
    if mode in ("student", "expected") and path:
        return _record(mode, path, task, cases, student if mode == "student" else expected,
                       rtol, atol, describe, group)
    for number, case in enumerate(cases):
        want = expected(case)
        got = student(case)
        why = difference(got, want, rtol, atol)
        if why is not None:
            raise CheckFailure(
                f"Task {task}: case {number} gives a wrong result: {why}.\n"
                f"  input:    {describe(case)}\n"
                f"  expected: {_describe(want)}\n"
                f"  got:      {_describe(got)}"
            )
    print(f"Task {task}: all {len(cases)} cases pass.")


def _record(mode, path, task, cases, compute, rtol, atol, describe, group):
    """Append one line: the outputs of `compute` for every case (and the first error)."""
    line = {"task": str(task), "mode": mode, "outputs": [], "error": None}
    if group is not None:
        line["group"] = str(group)
    if mode == "expected":
        line.update(rtol=rtol, atol=atol, inputs=[describe(case) for case in cases])
    try:
        for case in cases:
            line["outputs"].append(encode(compute(case)))
    except Exception as error:
        line["error"] = f"{type(error).__name__}: {error}"[:1000]
        line["frames"] = student_frames(error)
        if group is None:
            raise
        # a group scores on its own: the error is recorded, and the cell goes on to the next
    finally:
        with open(path, "a", encoding="utf-8") as record:
            record.write(json.dumps(line) + "\n")
    print(f"Task {task}: {len(cases)} results recorded for grading.")
