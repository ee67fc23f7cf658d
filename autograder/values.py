"""Test results as plain data: what a hidden test records, and how two results are compared.

A hidden test runs in the student's process and records the student's outputs; the grader
compares them, in its own process, with the outputs it recorded from the reference. Between
the two, a result travels as JSON (never pickle): `encode` turns a tensor, array, number,
string or nested list into `{"dtype", "shape", "data"}`; `decode` turns that back into a NumPy
array, accepting only plain dtypes, so a hostile record can hold nothing but numbers and text.

Tensors become arrays through NumPy's own protocol (`Tensor.__array__`), so this module knows
no tensor class: it runs beside the student's minitorch in the student's process, and in the
grader's, which needs no minitorch.
"""

import numpy as np

__all__ = ["encode", "decode", "difference", "BadValue"]

KINDS = {"b", "i", "u", "f", "U"}  # bool, integers, floats, text
MAX_ELEMENTS = 1_000_000
MAX_ITEM_BYTES = 4 * 1000  # text of up to 1,000 characters per element


class BadValue(ValueError):
    """A recorded value that is not plain data."""


def encode(value) -> dict:
    """A JSON-ready form of a result; results that are not plain data become their repr."""
    try:
        array = np.asarray(value)
    except Exception:  # a student's object that NumPy cannot take
        array = None
    if array is None or array.dtype.kind not in KINDS or array.size > MAX_ELEMENTS:
        return {"repr": repr(value)[:300]}
    return {"dtype": array.dtype.str, "shape": list(array.shape), "data": array.ravel().tolist()}


def decode(record) -> np.ndarray:
    """The array that `encode` wrote; raises BadValue on anything else."""
    if not isinstance(record, dict):
        raise BadValue("a recorded value must be an object")
    if "repr" in record:
        raise BadValue(f"not a plain value: {str(record['repr'])[:300]}")
    try:
        dtype = np.dtype(str(record["dtype"]))
        shape = tuple(int(s) for s in record["shape"])
        data = record["data"]
    except (KeyError, TypeError, ValueError) as error:
        raise BadValue(f"a malformed recorded value ({error})") from None
    if dtype.kind not in KINDS or not isinstance(data, list) or len(data) > MAX_ELEMENTS \
            or dtype.itemsize > MAX_ITEM_BYTES:
        raise BadValue(f"a recorded value of unsupported dtype {dtype} or size")
    try:
        return np.array(data, dtype=dtype).reshape(shape)
    except (TypeError, ValueError, OverflowError) as error:
        raise BadValue(f"a malformed recorded value ({error})") from None


def difference(got, want, rtol: float, atol: float) -> str | None:
    """Why `got` is not `want`, or None when they match (exactly for integers, bools and text;
    within tolerances for floats)."""
    got_a, want_a = np.asarray(got), np.asarray(want)
    if got_a.shape != want_a.shape:
        return f"the shape is {tuple(got_a.shape)} but should be {tuple(want_a.shape)}"
    if got_a.dtype.kind not in KINDS or want_a.dtype.kind not in KINDS:
        return f"got {_short(got)}, which is not a plain value"
    if (got_a.dtype.kind == "U") != (want_a.dtype.kind == "U"):
        return f"got {_short(got_a.tolist())}, expected {_short(want_a.tolist())}"
    if want_a.dtype.kind == "f" or got_a.dtype.kind == "f":
        same = np.isclose(got_a.astype(float), want_a.astype(float), rtol=rtol, atol=atol,
                          equal_nan=True)
    else:
        same = got_a == want_a
    if np.all(same):
        return None
    first = tuple(int(i) for i in np.argwhere(~np.asarray(same))[0])
    return (f"the values differ, first at index {first}: got {got_a[first]}, expected "
            f"{want_a[first]}")


def _short(value, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + " ..."
