"""The one helper that the course's test cells compare results with.

A test cell feeds inputs to the student's code and names what should come out:

    from autograder.notebook import check
    check("1.1", cases, student=lambda c: index_to_position(*c), expected=lambda c: ...)

`check` compares each case (exactly for integers and bools, with tolerances for floats) and,
on the first mismatch, raises an AssertionError that names the task, the input, what was
expected and what came out. Expected values are computed by the test (with NumPy), never
by the student's package.
"""

import numpy as np

__all__ = ["check", "CheckFailure"]


class CheckFailure(AssertionError):
    """A test case whose result differs from the expected one."""


def _as_array(value):
    """Plain NumPy data for a result: tensors (anything with `.tolist()`), lists, numbers."""
    if hasattr(value, "tolist") and not isinstance(value, np.ndarray):
        value = value.tolist()
    return np.asarray(value)


def _describe(value, limit=300):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + " ..."


def _difference(got, want, rtol, atol):
    """Why `got` is not `want`, or None when they match."""
    got_a, want_a = _as_array(got), _as_array(want)
    if got_a.shape != want_a.shape:
        return f"the shape is {tuple(got_a.shape)} but should be {tuple(want_a.shape)}"
    if want_a.dtype.kind == "f" or got_a.dtype.kind == "f":
        same = np.isclose(got_a.astype(float), want_a.astype(float), rtol=rtol, atol=atol,
                          equal_nan=True)
    else:
        same = got_a == want_a
    if np.all(same):
        return None
    first = tuple(int(i) for i in np.argwhere(~np.asarray(same))[0])
    return f"the values differ, first at index {first}: got {got_a[first]}, expected " \
        f"{want_a[first]}"


def check(task, cases, student, expected, *, rtol=1e-5, atol=1e-6, describe=_describe):
    """Run `student(case)` and `expected(case)` for every case; raise on the first mismatch.

    Args:
        task: the task id, e.g. "1.1", named in every failure message.
        cases: the inputs (any objects), e.g. drawn from a seeded NumPy generator.
        student: computes the student's answer for a case (calls the student's code).
        expected: computes the right answer for a case, independently of minitorch.
    """
    count = 0
    for number, case in enumerate(cases):
        want = expected(case)
        got = student(case)
        why = _difference(got, want, rtol, atol)
        if why is not None:
            raise CheckFailure(
                f"Task {task}: case {number} gives a wrong result: {why}.\n"
                f"  input:    {describe(case)}\n"
                f"  expected: {_describe(want)}\n"
                f"  got:      {_describe(got)}"
            )
        count += 1
    if count == 0:
        raise ValueError(f"Task {task}: no test cases were given")
    print(f"Task {task}: all {count} cases pass.")
