"""Fast unit tests of the grader's pieces, without a sandbox, a kernel or nbgrader.

What travels from the student's process to the grader (autograder.values, autograder.notebook),
the verdict made from it (autograder.verdict), the notebook that grading runs
(autograder.merge), reading submissions (autograder.submissions), and what grading writes
(autograder.results against autograder/schemas/results.schema.json, autograder.feedback).
"""

import base64
import copy
import json
import os
import stat
import sys
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minitorch
from autograder import merge, submissions, values, verdict
from autograder.feedback import REDACTED, feedback_html
from autograder.leaks import normalize
from autograder.merge import NO_ANSWER, graded_notebook
from autograder.notebook import RECORD_ENV, CheckFailure, check
from autograder.results import results_json, write_grades_csv
from autograder.submissions import Submission, SubmissionError, find, from_exchange, stage
from autograder.untrusted import read_bytes
from autograder.values import BadValue, decode, difference, encode
from autograder.verdict import Test as GradedTest
from autograder.verdict import judge, read_records

SCHEMA = json.loads((Path(merge.__file__).parent / "schemas" / "results.schema.json")
                    .read_text(encoding="utf-8"))

# ---------------------------------------------------------------------------------------------
# values: encode / decode / difference
# ---------------------------------------------------------------------------------------------

PLAIN_DTYPES = st.one_of(hnp.boolean_dtypes(), hnp.integer_dtypes(),
                         hnp.unsigned_integer_dtypes(), hnp.floating_dtypes(),
                         hnp.unicode_string_dtypes(max_len=6))


@given(hnp.arrays(PLAIN_DTYPES, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0,
                                                 max_side=4)))
def test_encode_decode_round_trips_plain_arrays_through_json(array):
    record = json.loads(json.dumps(encode(array)))
    back = decode(record)
    assert back.dtype == array.dtype
    assert back.shape == array.shape
    np.testing.assert_array_equal(back, array)


@pytest.mark.parametrize("value, dtype_kind, shape", [
    (3, "i", ()), (2.5, "f", ()), (True, "b", ()), ("abc", "U", ()),
    ([[1, 2], [3, 4]], "i", (2, 2)), ([], "f", (0,)),
])
def test_encode_takes_python_values(value, dtype_kind, shape):
    back = decode(json.loads(json.dumps(encode(value))))
    assert back.dtype.kind == dtype_kind and back.shape == shape
    assert back.tolist() == value


def test_encode_takes_minitorch_tensors():
    tensor = minitorch.tensor([[1.5, -2.0, 0.25], [3.0, 4.0, 5.0]])
    back = decode(encode(tensor))
    assert back.shape == (2, 3)
    np.testing.assert_array_equal(back, [[1.5, -2.0, 0.25], [3.0, 4.0, 5.0]])


class Opaque:
    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("a student's object")


@pytest.mark.parametrize("value", [
    np.array([object(), 1], dtype=object), np.array([1 + 2j]), b"bytes", [[1], [1, 2]],
    Opaque(), np.array(["2024-01-01"], dtype="datetime64[D]"),
], ids=["object", "complex", "bytes", "ragged", "array-raises", "datetime"])
def test_encode_turns_what_is_not_plain_data_into_a_short_repr(value):
    record = encode(value)
    assert set(record) == {"repr"}
    assert len(record["repr"]) <= 300
    with pytest.raises(BadValue, match="not a plain value"):
        decode(record)


def test_encode_turns_too_large_results_into_a_repr(monkeypatch):
    monkeypatch.setattr(values, "MAX_ELEMENTS", 10)
    assert "repr" in encode(np.zeros(11))
    assert "repr" not in encode(np.zeros(10))


@pytest.mark.parametrize("record", [
    {"dtype": "|O", "shape": [1], "data": [1]},
    {"dtype": "object", "shape": [1], "data": ["__import__('os')"]},
    {"dtype": "<c16", "shape": [1], "data": [1]},
    {"dtype": "|S3", "shape": [1], "data": ["abc"]},
    {"dtype": "<M8[s]", "shape": [1], "data": [0]},
    {"dtype": "|V8", "shape": [1], "data": [0]},
    {"dtype": "[('a', '<i4')]", "shape": [1], "data": [1]},
    {"repr": "Tensor(...)"},
    {"repr": "x", "dtype": "<f8", "shape": [1], "data": [1.0]},
    [1, 2, 3], "1.0", None, 1.0,
    {"dtype": "<f8", "shape": [1]},
    {"shape": [1], "data": [1.0]},
    {"dtype": "<f8", "data": [1.0]},
    {"dtype": "<f8", "shape": [3], "data": [1.0, 2.0]},
    {"dtype": "<f8", "shape": 2, "data": [1.0, 2.0]},
    {"dtype": "<f8", "shape": ["x"], "data": [1.0]},
    {"dtype": "<f8", "shape": [1], "data": "1.0"},
    {"dtype": "<f8", "shape": [1], "data": {"0": 1.0}},
    {"dtype": "<f8", "shape": [1], "data": [{"a": 1}]},
    {"dtype": "<i8", "shape": [1], "data": [float("nan")]},
    {"dtype": "no such dtype", "shape": [1], "data": [1]},
], ids=lambda r: json.dumps(r)[:60])
def test_decode_rejects_what_is_not_plain_data(record):
    with pytest.raises(BadValue):
        decode(record)


def test_decode_rejects_too_many_elements(monkeypatch):
    monkeypatch.setattr(values, "MAX_ELEMENTS", 4)
    with pytest.raises(BadValue):
        decode({"dtype": "<f8", "shape": [5], "data": [0.0] * 5})


@pytest.mark.parametrize("record", [
    {"dtype": "<i8", "shape": [1], "data": [2 ** 70]},
    {"dtype": "<u1", "shape": [1], "data": [-1]},
    {"dtype": "<f8", "shape": [1], "data": [10 ** 400]},
], ids=["int64-too-large", "negative-uint", "int-too-large-for-float"])
def test_decode_rejects_out_of_range_numbers(record):
    with pytest.raises(BadValue):
        decode(record)


def test_decode_rejects_huge_text_dtypes():
    # 1e6 elements of 2 GB each: numpy refuses at once (1.78 PiB); a smaller item size
    # (e.g. <U1000000 x 1000) would be allocated and filled in the grader's own process.
    with pytest.raises(BadValue):
        decode({"dtype": "<U500000000", "shape": [1_000_000], "data": ["a"] * 1_000_000})


@pytest.mark.parametrize("got, want, rtol, atol", [
    (5, 5, 0, 0),
    ([True, False], [True, False], 0, 0),
    (["ab", "c"], ["ab", "c"], 0, 0),
    (1.0 + 1e-7, 1.0, 1e-5, 0),
    (1e6 + 1, 1e6, 1e-5, 0),  # relative
    (1e-7, 0.0, 0, 1e-6),  # absolute
    ([np.nan, 1.0], [np.nan, 1.0], 0, 0),
    ([np.inf, -np.inf], [np.inf, -np.inf], 0, 0),
    (np.float32(0.1), 0.1, 1e-6, 0),
])
def test_difference_accepts_equal_values(got, want, rtol, atol):
    assert difference(got, want, rtol, atol) is None


@pytest.mark.parametrize("got, want, rtol, atol, words", [
    (6, 5, 1.0, 1.0, "got 6, expected 5"),  # integers compare exactly, whatever the tolerance
    ([[1, 2], [3, 5]], [[1, 2], [3, 4]], 0, 0, "first at index (1, 1)"),
    ([True, True], [True, False], 0, 0, "index (1,)"),
    (["ab"], ["ac"], 0, 0, "differ"),
    (1.0 + 1e-3, 1.0, 1e-5, 1e-6, "differ"),
    (1e6 + 100, 1e6, 1e-5, 0, "differ"),
    ([np.nan], [1.0], 1.0, 1.0, "differ"),
    ([1.0], [np.nan], 1.0, 1.0, "differ"),
    ([1, 2, 3], [1, 2], 0, 0, "shape is (3,) but should be (2,)"),
    ([[1, 2]], [1, 2], 0, 0, "shape is (1, 2)"),
    (["1"], [1], 0, 0, "got ['1'], expected [1]"),
    ([1.0], ["1.0"], 0, 0, "expected ['1.0']"),
])
def test_difference_names_what_differs(got, want, rtol, atol, words):
    why = difference(got, want, rtol, atol)
    assert why is not None and words in why, why


# ---------------------------------------------------------------------------------------------
# notebook.check: comparing in the student's notebook, recording when grading
# ---------------------------------------------------------------------------------------------


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_check_compares_in_the_students_notebook(monkeypatch, capsys):
    monkeypatch.delenv(RECORD_ENV, raising=False)
    check("1.1", [1, 2, 3], student=lambda c: 2 * c, expected=lambda c: 2 * c)
    assert "Task 1.1: all 3 cases pass" in capsys.readouterr().out


def test_check_raises_a_check_failure_naming_the_task_and_case(monkeypatch):
    monkeypatch.delenv(RECORD_ENV, raising=False)
    with pytest.raises(CheckFailure) as failure:
        check("1.3", [1, 2, 3], student=lambda c: c * (c != 2), expected=lambda c: c,
              describe=lambda c: f"the case {c}")
    text = str(failure.value)
    assert text.startswith("Task 1.3: case 1 gives a wrong result")
    assert "the case 2" in text and "expected: 2" in text and "got:      0" in text
    assert isinstance(failure.value, AssertionError)  # nbgrader scores an AssertionError 0


def test_check_uses_the_given_tolerances(monkeypatch):
    monkeypatch.delenv(RECORD_ENV, raising=False)
    check("2.1", [1.0], student=lambda c: c + 0.05, expected=lambda c: c, atol=0.1)
    with pytest.raises(CheckFailure, match="Task 2.1"):
        check("2.1", [1.0], student=lambda c: c + 0.05, expected=lambda c: c, atol=0.01)


def test_check_refuses_an_empty_list_of_cases(monkeypatch):
    monkeypatch.delenv(RECORD_ENV, raising=False)
    with pytest.raises(ValueError, match="Task 1.1: no test cases"):
        check("1.1", [], student=lambda c: c, expected=lambda c: c)


@pytest.mark.parametrize("setting", ["student:", "other:{path}", "{path}"])
def test_check_compares_when_the_record_setting_is_incomplete(monkeypatch, tmp_path, setting):
    path = tmp_path / "records.jsonl"
    monkeypatch.setenv(RECORD_ENV, setting.format(path=path))
    with pytest.raises(CheckFailure):
        check("1.1", [1], student=lambda c: 0, expected=lambda c: c)
    assert not path.exists()


def test_check_records_the_students_outputs_without_comparing(monkeypatch, tmp_path, capsys):
    path = tmp_path / "records.jsonl"
    monkeypatch.setenv(RECORD_ENV, f"student:{path}")
    expected_calls = []
    check("1.2", [1, 2], student=lambda c: [c, -c], expected=expected_calls.append)
    check("1.2", ["x"], student=lambda c: c * 2, expected=expected_calls.append)  # appends
    assert expected_calls == []  # the reference is not computed in the student's run
    first, second = lines(path)
    assert first == {"task": "1.2", "mode": "student", "error": None,
                     "outputs": [encode([1, -1]), encode([2, -2])]}
    assert second["outputs"] == [encode("xx")]
    assert "2 results recorded for grading" in capsys.readouterr().out


def test_check_records_the_expected_outputs_tolerances_and_inputs(monkeypatch, tmp_path):
    path = tmp_path / "records.jsonl"
    monkeypatch.setenv(RECORD_ENV, f"expected:{path}")
    check("1.6", [0.5, 1.5], student=lambda c: 1 / 0, expected=lambda c: c * 2, rtol=1e-3,
          atol=1e-4, describe=lambda c: f"map({c})")
    (line,) = lines(path)
    assert line == {"task": "1.6", "mode": "expected", "error": None, "rtol": 1e-3,
                    "atol": 1e-4, "inputs": ["map(0.5)", "map(1.5)"],
                    "outputs": [encode(1.0), encode(3.0)]}


def test_check_records_the_first_error_and_raises_it(monkeypatch, tmp_path):
    path = tmp_path / "records.jsonl"
    monkeypatch.setenv(RECORD_ENV, f"student:{path}")
    with pytest.raises(ZeroDivisionError):
        check("1.7", [1, 0, 2], student=lambda c: 1 // c, expected=lambda c: c)
    (line,) = lines(path)
    assert line["outputs"] == [encode(1)]
    assert line["error"].startswith("ZeroDivisionError")


def test_check_records_a_non_plain_result_as_its_repr(monkeypatch, tmp_path):
    path = tmp_path / "records.jsonl"
    monkeypatch.setenv(RECORD_ENV, f"student:{path}")
    check("1.1", [1], student=lambda c: object(), expected=lambda c: c)
    assert "repr" in lines(path)[0]["outputs"][0]


# ---------------------------------------------------------------------------------------------
# verdict: judging the student's records against the reference's, in the grader's process
# ---------------------------------------------------------------------------------------------


def record(monkeypatch, path: Path, mode: str, task: str, cases, compute, **tolerances):
    """One call of `check` in a recording run: `compute` is the student's or the reference's
    code, depending on `mode`."""
    monkeypatch.setenv(RECORD_ENV, f"{mode}:{path}")
    try:
        check(task, cases, student=compute, expected=compute, **tolerances)
    except Exception:
        pass  # recorded with its error, as in a notebook cell that fails


def a_test(task: str = "1.1", points: float = 5) -> GradedTest:
    return GradedTest(f"task_{task.replace('.', '_')}", task, "01_tensors", points)


@pytest.fixture
def files(tmp_path):
    return tmp_path / "expected.jsonl", tmp_path / "student.jsonl"


def verdict_of(files, tests=None, reports=None) -> list[GradedTest]:
    expected, student = files
    return judge(tests or [a_test()], read_records(_bytes(expected), "expected"),
                 read_records(_bytes(student), "student"), reports or {})


def _bytes(path) -> bytes:
    return path.read_bytes() if path.exists() else b""


CASES = [0, 1, 2, 3]


def test_judge_gives_full_marks_when_every_output_matches(monkeypatch, files):
    record(monkeypatch, files[0], "expected", "1.1", CASES, lambda c: [c, c * 2.0])
    record(monkeypatch, files[1], "student", "1.1", CASES, lambda c: [c, c * 2.0 + 1e-9])
    (test,) = verdict_of(files)
    assert (test.score, test.passed, test.cases) == (5, True, 4)
    assert test.message == "all 4 cases pass"


def test_judge_gives_zero_on_a_wrong_value_and_names_the_input(monkeypatch, files):
    record(monkeypatch, files[0], "expected", "1.1", CASES, lambda c: c * 2)
    record(monkeypatch, files[1], "student", "1.1", CASES, lambda c: c * 2 + (c == 2))
    (test,) = verdict_of(files)
    assert test.score == 0 and not test.passed
    assert test.message.startswith("Task 1.1: case 2 gives a wrong result")
    assert "input: 2" in test.message


def test_judge_gives_zero_when_fewer_outputs_are_recorded(monkeypatch, files):
    record(monkeypatch, files[0], "expected", "1.1", CASES, lambda c: c)
    record(monkeypatch, files[1], "student", "1.1", CASES[:3], lambda c: c)
    (test,) = verdict_of(files)
    assert test.score == 0 and "only some of the cases" in test.message


def test_judge_gives_zero_on_a_recorded_error(monkeypatch, files):
    record(monkeypatch, files[0], "expected", "1.1", CASES, lambda c: c)
    record(monkeypatch, files[1], "student", "1.1", CASES, lambda c: 1 // (c - 3) and c)
    (test,) = verdict_of(files)
    assert test.score == 0 and "the test raised ZeroDivisionError" in test.message


def test_a_recorded_error_points_at_the_students_own_lines(monkeypatch, files, tmp_path):
    """The message names the frames in the student's minitorch/ (file, line, function, code),
    and none of the test that called them."""
    package = tmp_path / "work" / "minitorch"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "tensor_data.py").write_text(
        "def broadcast_index(big, small):\n    return helper(big)[small]\n\n"
        "def helper(big):\n    return list(range(big))\n")
    monkeypatch.syspath_prepend(str(tmp_path / "work"))
    monkeypatch.delitem(sys.modules, "minitorch", raising=False)
    monkeypatch.delitem(sys.modules, "minitorch.tensor_data", raising=False)
    from minitorch.tensor_data import broadcast_index

    record(monkeypatch, files[0], "expected", "1.3", CASES, lambda c: c)
    record(monkeypatch, files[1], "student", "1.3", CASES,
           lambda c: broadcast_index(2, c + 5))  # a secret_hidden_helper line
    (test,) = verdict_of(files, [a_test("1.3")])
    assert test.score == 0 and "IndexError" in test.message
    assert ("in your code (innermost last):\n  minitorch/tensor_data.py:2 in broadcast_index: "
            "return helper(big)[small]") in test.message
    assert "secret_hidden_helper" not in test.message and "test_grade_units" not in test.message


def test_a_failure_says_first_that_a_task_it_uses_failed(monkeypatch, files):
    for task in ("1.1", "1.3", "1.6"):
        record(monkeypatch, files[0], "expected", task, CASES, lambda c: c)
    record(monkeypatch, files[1], "student", "1.1", CASES, lambda c: c)
    record(monkeypatch, files[1], "student", "1.3", CASES, lambda c: -c)
    record(monkeypatch, files[1], "student", "1.6", CASES, lambda c: -c)
    expected, student = files
    needs = {"1.6": ("1.3",), "1.3": ("1.1",)}
    tests = judge([a_test("1.1"), a_test("1.3"), a_test("1.6")],
                  read_records(_bytes(expected), "expected"),
                  read_records(_bytes(student), "student"), {}, needs)
    assert [t.score for t in tests] == [5, 0, 0]
    assert tests[2].message.startswith("Task 1.6: this task uses your 1.3, which failed: fix "
                                       "it first.\nTask 1.6: case 1")
    assert "uses your" not in tests[1].message  # 1.1 passed: nothing to blame


def record_group(monkeypatch, path, mode, group, compute):
    monkeypatch.setenv(RECORD_ENV, f"{mode}:{path}")
    check("1.9", CASES, student=compute, expected=compute, group=group)  # never raises


def test_a_task_with_groups_scores_each_group_on_its_own(monkeypatch, files):
    record_group(monkeypatch, files[0], "expected", "matrices", lambda c: c)
    record_group(monkeypatch, files[0], "expected", "batched", lambda c: c)
    record_group(monkeypatch, files[1], "student", "matrices", lambda c: c)
    record_group(monkeypatch, files[1], "student", "batched", lambda c: 1 // (c - 3))
    expected, student = files
    (test,) = judge([a_test("1.9", 10)], read_records(_bytes(expected), "expected"),
                    read_records(_bytes(student), "student"), {},
                    groups={"1.9": {"matrices": 4.0, "batched": 6.0}})
    assert test.score == 4 and not test.passed
    assert test.message.startswith("Task 1.9: 4 of 10 points; passed: matrices (4 points); "
                                   "failed:\nbatched (6 points): the test raised "
                                   "ZeroDivisionError")


def test_a_task_with_groups_scores_nothing_when_every_group_fails(monkeypatch, files):
    for group in ("matrices", "batched"):
        record_group(monkeypatch, files[0], "expected", group, lambda c: c)
        record_group(monkeypatch, files[1], "student", group, lambda c: -c)
    expected, student = files
    (test,) = judge([a_test("1.9", 10)], read_records(_bytes(expected), "expected"),
                    read_records(_bytes(student), "student"), {},
                    groups={"1.9": {"matrices": 5.0, "batched": 5.0}})
    assert test.score == 0 and "passed: none" in test.message
    assert "matrices (5 points): case 1" in test.message
    assert "batched (5 points): case 1" in test.message


def test_judge_gives_zero_on_a_missing_call(monkeypatch, files):
    record(monkeypatch, files[0], "expected", "1.1", CASES, lambda c: c)
    record(monkeypatch, files[0], "expected", "1.1", CASES, lambda c: -c)
    record(monkeypatch, files[1], "student", "1.1", CASES, lambda c: c)
    (test,) = verdict_of(files)
    assert test.score == 0 and "no results were recorded" in test.message


def test_judge_gives_zero_without_a_student_record_and_says_why(monkeypatch, files):
    record(monkeypatch, files[0], "expected", "1.1", CASES, lambda c: c)
    reports = {"task_1_1": {"limit": None, "error": "NameError: name 'np' is not defined"}}
    (test,) = verdict_of(files, reports=reports)
    assert test.score == 0
    assert "the cell failed before recording: NameError" in test.message


def test_judge_names_the_limit_a_cell_hit(monkeypatch, files):
    record(monkeypatch, files[0], "expected", "1.1", CASES, lambda c: c)
    reports = {"task_1_1": {"limit": "timeout", "error": "CellTimeoutError: 20 s"}}
    (test,) = verdict_of(files, reports=reports)
    assert test.score == 0 and test.limit == "timeout"
    assert test.message == "Task 1.1: time limit (cell): CellTimeoutError: 20 s"


def test_judge_gives_zero_to_a_task_the_reference_never_recorded(files):
    (test,) = verdict_of(files)  # no "passes" by default when there is nothing to compare
    assert test.score == 0


def test_judge_scores_each_task_on_its_own(monkeypatch, files):
    record(monkeypatch, files[0], "expected", "1.1", CASES, lambda c: c)
    record(monkeypatch, files[0], "expected", "1.2", CASES, lambda c: c)
    record(monkeypatch, files[1], "student", "1.2", CASES, lambda c: c)
    record(monkeypatch, files[1], "student", "1.1", CASES, lambda c: -c)  # order is free
    tests = verdict_of(files, [a_test("1.1"), a_test("1.2", 10)])
    assert [t.score for t in tests] == [0, 10]


def test_judge_takes_the_tolerance_from_the_reference_record(monkeypatch, files):
    record(monkeypatch, files[0], "expected", "1.1", CASES, lambda c: c * 1.0, rtol=0, atol=0)
    record(monkeypatch, files[1], "student", "1.1", CASES, lambda c: c + 0.5, rtol=1e9,
           atol=1e9)
    forged = lines(files[1])[0]
    forged.update(rtol=1e9, atol=1e9)  # a student's record that claims loose tolerances
    files[1].write_text(json.dumps(forged) + "\n")
    assert verdict_of(files)[0].score == 0

    files[0].unlink()
    record(monkeypatch, files[0], "expected", "1.1", CASES, lambda c: c * 1.0, rtol=0, atol=1)
    assert verdict_of(files)[0].score == 5


def test_judge_skips_garbage_lines_in_the_student_record(monkeypatch, files):
    record(monkeypatch, files[0], "expected", "1.1", CASES, lambda c: c)
    garbage = ["not json", "[1, 2]", "null", "[" * 100_000,
               json.dumps({"task": "1.1", "mode": "student", "outputs": "not a list"}),
               json.dumps({"task": "1.1", "mode": "expected", "outputs": []}),
               "\x00\xff binary"]
    files[1].write_bytes("\n".join(garbage).encode("utf-8", "surrogateescape") + b"\n")
    record(monkeypatch, files[1], "student", "1.1", CASES, lambda c: c)
    (test,) = verdict_of(files)
    assert test.score == 5, test.message


def test_judge_gives_zero_on_undecodable_outputs(monkeypatch, files):
    record(monkeypatch, files[0], "expected", "1.1", CASES, lambda c: c)
    line = {"task": "1.1", "mode": "student", "error": None,
            "outputs": [{"repr": "<Tensor>"}, {"dtype": "|O", "shape": [], "data": [1]},
                        "x", None]}
    files[1].write_text(json.dumps(line) + "\n")
    (test,) = verdict_of(files)
    assert test.score == 0 and "not a plain value: <Tensor>" in test.message


def test_read_records_stops_at_max_record_bytes(monkeypatch):
    first = json.dumps({"task": "1.1", "mode": "student", "outputs": []}) + "\n"
    second = json.dumps({"task": "1.2", "mode": "student", "outputs": []}) + "\n"
    data = (first + second).encode()
    assert set(read_records(data, "student")) == {"1.1", "1.2"}
    monkeypatch.setattr(verdict, "MAX_RECORD_BYTES", len(first) + len(second) - 2)
    assert set(read_records(data, "student")) == {"1.1"}  # the cut line is not read


# ---------------------------------------------------------------------------------------------
# merge: the notebook that grading runs
# ---------------------------------------------------------------------------------------------


def cell(name: str | None, source: str, kind: str = "code", **nbgrader) -> dict:
    meta = {"nbgrader": {"grade_id": name, "schema_version": 3, **nbgrader}} if name else {}
    made = {"cell_type": kind, "metadata": meta, "source": source}
    if kind == "code":
        made.update(outputs=[], execution_count=None)
    return made


SOURCE = {
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
    "cells": [
        cell("intro", "# Assignment", "markdown", locked=True, grade=False, solution=False),
        cell("setup", "import numpy as np", locked=True, grade=False, solution=False),
        cell("answer", "x = None\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION", locked=False,
             grade=False, solution=True),
        cell("task_1_1", "### BEGIN HIDDEN TESTS\ncheck('1.1', ...)\n### END HIDDEN TESTS",
             locked=True, grade=True, solution=False, points=5),
        cell("outro", "The end.", "markdown", locked=True, grade=False, solution=False),
    ],
}


def submitted() -> dict:
    """What a student hands in: the source's cells with outputs, answer cell answered."""
    notebook = copy.deepcopy(SOURCE)
    for c in notebook["cells"]:
        if c["cell_type"] == "code":
            c["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "old output"}]
            c["execution_count"] = 3
    notebook["cells"][2]["source"] = "x = 42"
    notebook["cells"][3]["source"] = "check('1.1', ...)"  # the release has no hidden tests
    return notebook


def names(notebook: dict) -> list[str | None]:
    return [c["metadata"].get("nbgrader", {}).get("grade_id") for c in notebook["cells"]]


def by_name(notebook: dict, name: str) -> dict:
    return next(c for c in notebook["cells"] if c["metadata"].get("nbgrader", {})
                .get("grade_id") == name)


def test_merge_keeps_the_answers_and_restores_the_rest():
    merged = graded_notebook(SOURCE, submitted())
    nbformat.validate(nbformat.from_dict(merged))
    assert names(merged) == ["intro", "setup", "answer", "task_1_1", "outro"]
    assert by_name(merged, "answer")["source"] == "x = 42"
    assert by_name(merged, "answer")["metadata"] == SOURCE["cells"][2]["metadata"]
    assert by_name(merged, "task_1_1")["source"] == SOURCE["cells"][3]["source"]
    for c in merged["cells"]:
        if c["cell_type"] == "code":
            assert c["outputs"] == [] and c["execution_count"] is None
    assert len({c["id"] for c in merged["cells"]}) == len(merged["cells"])


def test_merge_restores_an_edited_test_cell():
    notebook = submitted()
    test_cell = notebook["cells"][3]
    test_cell["source"] = "print('full marks')"
    test_cell["metadata"]["nbgrader"]["points"] = 500
    test_cell["cell_type"] = "markdown"
    merged = graded_notebook(SOURCE, notebook)
    assert by_name(merged, "task_1_1") == {**SOURCE["cells"][3], "id": "cell-3"}


def test_merge_restores_a_deleted_test_cell_at_its_place():
    notebook = submitted()
    del notebook["cells"][3]
    notebook["cells"].insert(3, cell(None, "y = 2"))  # the student's own, after the answer
    merged = graded_notebook(SOURCE, notebook)
    assert names(merged) == ["intro", "setup", "answer", "task_1_1", None, "outro"]
    assert by_name(merged, "task_1_1")["source"] == SOURCE["cells"][3]["source"]


def test_merge_restores_deleted_cells_at_the_start():
    notebook = submitted()
    del notebook["cells"][0:2]
    merged = graded_notebook(SOURCE, notebook)
    assert names(merged) == ["intro", "setup", "answer", "task_1_1", "outro"]


def test_merge_keeps_the_students_own_cells_in_order_without_metadata():
    notebook = submitted()
    mine = [cell(None, "a = 1"), cell(None, "Notes", "markdown"), cell(None, "b = 2", "raw")]
    mine[0]["metadata"] = {"tags": ["x"], "autograder": {"limit": None}}
    notebook["cells"][2:2] = mine
    merged = graded_notebook(SOURCE, notebook)
    assert names(merged) == ["intro", "setup", None, None, None, "answer", "task_1_1", "outro"]
    added = merged["cells"][2:5]
    assert [c["source"] for c in added] == ["a = 1", "Notes", "b = 2"]
    assert [c["cell_type"] for c in added] == ["code", "markdown", "raw"]
    assert all(c["metadata"] == {} for c in added)


@pytest.mark.parametrize("claim", [
    {"grade_id": "task_9_9", "grade": True, "points": 100, "solution": False},
    {"grade_id": "task_1_1", "grade": True, "points": 100},  # a second copy of a real one
])
def test_merge_strips_the_metadata_of_a_cell_that_claims_a_grade_id(claim):
    notebook = submitted()
    notebook["cells"].append({"cell_type": "code", "metadata": {"nbgrader": claim},
                              "source": "print('hi')", "outputs": [], "execution_count": 1})
    merged = graded_notebook(SOURCE, notebook)
    last = merged["cells"][-1]
    assert last["source"] == "print('hi')" and last["metadata"] == {}
    assert names(merged).count("task_1_1") == 1


def test_merge_marks_a_missing_answer_cell():
    notebook = submitted()
    del notebook["cells"][2]
    merged = graded_notebook(SOURCE, notebook)
    assert names(merged) == ["intro", "setup", "answer", "task_1_1", "outro"]
    assert by_name(merged, "answer")["source"] == NO_ANSWER


@pytest.mark.parametrize("notebook", [None, {}, {"cells": "not a list"},
                                      {"cells": [None, 1, {"cell_type": "evil"}]}])
def test_merge_of_a_missing_or_broken_notebook_is_the_source_without_answers(notebook):
    merged = graded_notebook(SOURCE, notebook)
    nbformat.validate(nbformat.from_dict(merged))
    assert names(merged) == names(SOURCE)
    assert by_name(merged, "answer")["source"] == NO_ANSWER
    assert by_name(merged, "task_1_1")["source"] == SOURCE["cells"][3]["source"]


@pytest.mark.parametrize("bad", [
    {"cell_type": "code", "metadata": [], "source": ""},
    {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": []}}, "source": ""},
], ids=["metadata-list", "grade-id-list"])
def test_merge_survives_malformed_student_metadata(bad):
    notebook = submitted()
    notebook["cells"].append(bad)
    merged = graded_notebook(SOURCE, notebook)
    assert merged["cells"][-1]["metadata"] == {}


# ---------------------------------------------------------------------------------------------
# submissions: finding them and unpacking them safely
# ---------------------------------------------------------------------------------------------


def make_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return path


def tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("name", ["../escape.txt", "a/../../escape.txt", "/tmp/escape.txt",
                                  "..\\escape.txt"])
def test_stage_refuses_paths_outside_the_job(tmp_path, name):
    archive = make_zip(tmp_path / "alice.zip", {"01_tensors.ipynb": "{}", name: "x"})
    with pytest.raises(SubmissionError, match="unsafe path"):
        stage(Submission("alice", archive), tmp_path / "job")
    assert not (tmp_path / "escape.txt").exists()


def test_stage_skips_symlinks_in_a_zip(tmp_path):
    archive = tmp_path / "alice.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("01_tensors.ipynb", "{}")
        link = zipfile.ZipInfo("secret")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        bundle.writestr(link, "/etc/passwd")
    stage(Submission("alice", archive), tmp_path / "job")
    assert tree(tmp_path / "job") == ["01_tensors.ipynb"]
    assert not (tmp_path / "job" / "secret").is_symlink()


def test_stage_skips_symlinks_in_a_folder(tmp_path):
    folder = tmp_path / "alice"
    (folder / "__pycache__").mkdir(parents=True)
    (folder / "01_tensors.ipynb").write_text("{}")
    (folder / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (tmp_path / "outside.txt").write_text("secret")
    (folder / "link.txt").symlink_to(tmp_path / "outside.txt")
    stage(Submission("alice", folder), tmp_path / "job")
    assert tree(tmp_path / "job") == ["01_tensors.ipynb"]


def test_stage_and_digest_skip_fifos_devices_and_linked_folders(tmp_path):
    """A FIFO would block the grader forever, /dev/zero would never end, a linked folder
    could lead into a classmate's work: none is read, and nothing blocks."""
    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "01_tensors.ipynb").write_text("{}")
    os.mkfifo(folder / "pipe.ipynb")
    (folder / "zero.bin").symlink_to("/dev/zero")
    (tmp_path / "classmate").mkdir()
    (tmp_path / "classmate" / "work.py").write_text("secret")
    (folder / "minitorch").symlink_to(tmp_path / "classmate", target_is_directory=True)
    submission = Submission("alice", folder)
    digest = submission.digest()
    stage(submission, tmp_path / "job")
    assert tree(tmp_path / "job") == ["01_tensors.ipynb"]
    (folder / "pipe.ipynb").unlink()
    assert submission.digest() == digest


def test_stage_refuses_a_folder_larger_than_max_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(submissions, "MAX_BYTES", 10_000)
    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "big.bin").write_bytes(b"\0" * 20_000)
    with pytest.raises(SubmissionError, match="MiB"):
        stage(Submission("alice", folder), tmp_path / "job")
    assert not (tmp_path / "job" / "big.bin").exists()


def test_read_bytes_refuses_links_fifos_devices_and_large_files(tmp_path):
    (tmp_path / "plain").write_bytes(b"12345")
    (tmp_path / "link").symlink_to(tmp_path / "plain")
    (tmp_path / "zero").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "fifo")
    assert read_bytes(tmp_path / "plain", 5) == b"12345"
    assert read_bytes(tmp_path / "plain", 4) is None
    for name in ("link", "zero", "fifo", "missing"):
        assert read_bytes(tmp_path / name, 100) is None, name


def test_stage_refuses_a_zip_bomb(tmp_path, monkeypatch):
    monkeypatch.setattr(submissions, "MAX_BYTES", 10_000)
    archive = make_zip(tmp_path / "alice.zip", {"zeros.bin": b"\0" * 20_000})
    assert archive.stat().st_size < 10_000  # small as a file, large unpacked
    with pytest.raises(SubmissionError, match="MiB unpacked"):
        stage(Submission("alice", archive), tmp_path / "job")
    assert not (tmp_path / "job" / "zeros.bin").exists()


def test_stage_refuses_too_many_files(tmp_path, monkeypatch):
    monkeypatch.setattr(submissions, "MAX_FILES", 3)
    archive = make_zip(tmp_path / "alice.zip", {f"f{i}.txt": "x" for i in range(4)})
    with pytest.raises(SubmissionError, match="more than 3 files"):
        stage(Submission("alice", archive), tmp_path / "job")


def test_stage_refuses_a_file_that_is_not_a_zip(tmp_path):
    archive = tmp_path / "alice.zip"
    archive.write_bytes(b"PK\x03\x04 but not really a zip")
    with pytest.raises(SubmissionError, match="not a readable zip"):
        stage(Submission("alice", archive), tmp_path / "job")


def test_stage_lifts_a_single_top_folder(tmp_path):
    archive = make_zip(tmp_path / "alice.zip", {
        "alice-hw1/01_tensors.ipynb": "{}", "alice-hw1/minitorch/__init__.py": "",
        "__MACOSX/alice-hw1/._01_tensors.ipynb": "junk"})
    stage(Submission("alice", archive), tmp_path / "job")
    assert tree(tmp_path / "job") == ["01_tensors.ipynb", "minitorch/__init__.py"]
    assert sorted(p.name for p in (tmp_path / "job").iterdir()) == ["01_tensors.ipynb",
                                                                     "minitorch"]


def test_stage_does_not_lift_a_lone_minitorch_folder(tmp_path):
    archive = make_zip(tmp_path / "alice.zip", {"minitorch/__init__.py": ""})
    stage(Submission("alice", archive), tmp_path / "job")
    assert tree(tmp_path / "job") == ["minitorch/__init__.py"]


def test_stage_lifts_a_folder_that_holds_a_dot_lifted_entry(tmp_path):
    archive = make_zip(tmp_path / "alice.zip", {"top/.lifted/x.txt": "x",
                                                "top/01_tensors.ipynb": "{}"})
    stage(Submission("alice", archive), tmp_path / "job")
    assert "01_tensors.ipynb" in tree(tmp_path / "job")


def test_find_takes_the_student_id_from_a_zips_stem(tmp_path):
    archive = make_zip(tmp_path / "bob.smith_2@uni.zip", {"01_tensors.ipynb": "{}"})
    assert find([archive]) == ([Submission("bob.smith_2@uni", archive)], [])


@pytest.mark.parametrize("name", ["bad id.zip", "-x.zip", "a+b.zip", "_x.zip",
                                  "x" * 101 + ".zip", "ünï.zip", "alice\n.zip"])
def test_find_skips_unusable_student_ids_and_says_why(tmp_path, name):
    archive = make_zip(tmp_path / name, {"01_tensors.ipynb": "{}"})
    found, skipped = find([archive])
    assert found == [] and len(skipped) == 1 and "not a usable student id" in skipped[0]


@pytest.mark.parametrize("name", ["gradebook.db", "Grades.csv", "gradebook.db-journal",
                                  "results.json", "students"])
def test_find_skips_ids_that_name_the_graders_own_files(tmp_path, name):
    batch = tmp_path / "batch"
    for student in (name, "alice"):
        (batch / student).mkdir(parents=True)
        (batch / student / "01_tensors.ipynb").write_text("{}")
    found, skipped = find([batch])
    assert [s.student for s in found] == ["alice"]
    assert len(skipped) == 1 and "the grader's own files" in skipped[0]


def test_a_trailing_newline_is_no_second_student(tmp_path):
    batch = tmp_path / "batch"
    for student in ("alice", "alice\n"):
        (batch / student).mkdir(parents=True)
        (batch / student / "01_tensors.ipynb").write_text("{}")
    found, skipped = find([batch])
    assert [s.student for s in found] == ["alice"] and len(skipped) == 1


def test_find_expands_a_folder_of_submissions(tmp_path):
    batch = tmp_path / "batch"
    (batch / "alice").mkdir(parents=True)
    (batch / "alice" / "01_tensors.ipynb").write_text("{}")
    (batch / "carol" / "minitorch").mkdir(parents=True)
    make_zip(batch / "bob.zip", {"01_tensors.ipynb": "{}"})
    (batch / ".DS_Store").write_text("")
    found, _ = find([batch])
    assert [(s.student, s.path) for s in found] == [
        ("alice", batch / "alice"), ("bob", batch / "bob.zip"), ("carol", batch / "carol")]


def test_find_takes_a_folder_with_a_notebook_as_one_submission(tmp_path):
    folder = tmp_path / "dave"
    (folder / "extra").mkdir(parents=True)
    (folder / "01_tensors.ipynb").write_text("{}")
    assert [s.student for s in find([folder])[0]] == ["dave"]


def test_find_refuses_two_submissions_of_one_student(tmp_path):
    (tmp_path / "batch" / "alice").mkdir(parents=True)
    make_zip(tmp_path / "batch" / "alice.zip", {"01_tensors.ipynb": "{}"})
    with pytest.raises(SubmissionError, match="more than one submission for: alice"):
        find([tmp_path / "batch"])


def test_find_refuses_a_missing_path(tmp_path):
    with pytest.raises(SubmissionError, match="no such folder"):
        find([tmp_path / "nobody.zip"])


def test_from_exchange_takes_the_latest_submission_per_student(tmp_path):
    inbound = tmp_path / "exchange" / "minitorch" / "inbound"
    for name in ["alice+01_tensors+2024-09-01 10:00:00.000000 UTC+a1",
                 "alice+01_tensors+2024-09-03 09:00:00.000000 UTC+a3",
                 "alice+01_tensors+2024-09-02 23:00:00.000000 UTC+a2",
                 "bob+01_tensors+2024-09-01 12:00:00.000000 UTC+b1",
                 "alice+02_autograd+2024-10-01 12:00:00.000000 UTC+c1",
                 "carol+01_tensors_extra+2024-12-01 12:00:00.000000 UTC+d1"]:
        (inbound / name).mkdir(parents=True)
    (inbound / "erin+01_tensors+2024-12-01 12:00:00.000000 UTC+e1").write_text("a file")
    found, skipped = from_exchange(tmp_path / "exchange", "minitorch", "01_tensors")
    assert [(s.student, s.path.name.split("+")[-1]) for s in found] == [("alice", "a3"),
                                                                        ("bob", "b1")]
    assert found[0].timestamp == "2024-09-03 09:00:00.000000 UTC"
    assert len(skipped) == 1 and "erin" in skipped[0] and "not a folder" in skipped[0]
    assert from_exchange(tmp_path / "nowhere", "minitorch", "01_tensors") == ([], [])


def test_from_exchange_skips_links_and_bad_ids(tmp_path):
    inbound = tmp_path / "exchange" / "minitorch" / "inbound"
    (inbound / "bob+01_tensors+2024-09-01 12:00:00.000000 UTC+b1").mkdir(parents=True)
    (inbound / "mallory+01_tensors+2024-09-09 12:00:00.000000 UTC+m1").symlink_to(
        inbound / "bob+01_tensors+2024-09-01 12:00:00.000000 UTC+b1")
    (inbound / "bob\n+01_tensors+2024-09-09 12:00:00.000000 UTC+n1").mkdir()
    found, skipped = from_exchange(tmp_path / "exchange", "minitorch", "01_tensors")
    assert [s.student for s in found] == ["bob"]
    assert found[0].path.name.endswith("+b1")
    assert len(skipped) == 2


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_from_exchange_takes_the_id_from_the_folders_owner_on_a_shared_exchange(tmp_path):
    """A folder owned by another OS user must name that user: nobody submits as somebody
    else. (Owned by the grader's own user, the exchange is local and proves nothing.)"""
    import pwd

    other = pwd.getpwnam("nobody")
    inbound = tmp_path / "exchange" / "minitorch" / "inbound"
    honest = inbound / "nobody+01_tensors+2024-09-01 12:00:00.000000 UTC+a"
    forged = inbound / "alice+01_tensors+2024-09-02 12:00:00.000000 UTC+b"
    for folder in (honest, forged):
        folder.mkdir(parents=True)
        os.chown(folder, other.pw_uid, other.pw_gid)
    found, skipped = from_exchange(tmp_path / "exchange", "minitorch", "01_tensors")
    assert [s.student for s in found] == ["nobody"]
    assert len(skipped) == 1 and "names 'alice' but was submitted by 'nobody'" in skipped[0]


def test_digest_changes_with_the_files_and_ignores_caches(tmp_path):
    folder = tmp_path / "alice"
    (folder / "minitorch").mkdir(parents=True)
    (folder / "minitorch" / "a.py").write_text("x = 1")
    before = Submission("alice", folder).digest()
    (folder / "minitorch" / "__pycache__").mkdir()
    (folder / "minitorch" / "__pycache__" / "a.pyc").write_bytes(b"\0")
    assert Submission("alice", folder).digest() == before
    (folder / "minitorch" / "a.py").write_text("x = 2")
    assert Submission("alice", folder).digest() != before


# ---------------------------------------------------------------------------------------------
# results.json (against the schema) and grades.csv
# ---------------------------------------------------------------------------------------------


def graded_tests() -> list[GradedTest]:
    return [GradedTest("task_1_1", "1.1", "01_tensors", 5, 5, "all 60 cases pass", None, 60),
            GradedTest("task_1_10", "1.10", "01_tensors", 10, 0, "Task 1.10: time limit (cell): x",
                 "timeout", 8),
            GradedTest("task_1_2", "1.2", "01_tensors", 5, 0, "Task 1.2: no results were recorded")]


def a_results_document() -> dict:
    return results_json("alice", "01_tensors", graded_tests(), 12.3456, "ab" * 32,
                        "bubblewrap", ["01_tensors.ipynb is late"], ["time limit (cell)"])


def test_results_json_follows_the_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    document = json.loads(json.dumps(a_results_document()))
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert (document["score"], document["max_score"]) == (5, 20)
    assert [t["status"] for t in document["tests"]] == ["passed", "failed", "failed"]
    assert all(t["visibility"] == "after_published" for t in document["tests"])
    assert document["execution_time"] == 12.346


@pytest.mark.parametrize("spoil", [
    lambda d: d["tests"][0].update(status="ok"),
    lambda d: d["tests"][0].update(visibility="public"),
    lambda d: d["tests"][1].pop("max_score"),
    lambda d: d["tests"][1].update(score="5"),
    lambda d: d.pop("execution_time"),
    lambda d: d.update(tests={}),
    lambda d: d.update(stdout_visibility="sometimes"),
], ids=["status", "visibility", "max_score", "score-text", "execution_time", "tests",
        "stdout_visibility"])
def test_the_schema_refuses_a_spoiled_document(spoil):
    document = a_results_document()
    spoil(document)
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(document))
    assert errors, "the schema accepted an invalid results.json"


def test_grades_csv_has_one_row_per_student_and_tasks_in_numeric_order(tmp_path):
    data = json.loads(json.dumps(a_results_document()))
    path = write_grades_csv(tmp_path, {"alice": data})
    rows = path.read_text().splitlines()
    assert rows == ["student,task 1.1,task 1.2,task 1.10,score,max_score",
                    "alice,5,0,0,5,20"]


# ---------------------------------------------------------------------------------------------
# feedback.html
# ---------------------------------------------------------------------------------------------

HIDDEN_LINE = "assert index_to_position(secret_case) == 1234567"


def executed(text: str, error: str = "") -> dict:
    """A merged, executed notebook: a student's cell that printed `text`, and the test cell."""
    student = cell(None, "print(stuff)")
    student["outputs"] = [{"output_type": "stream", "name": "stdout", "text": text}]
    if error:
        student["outputs"].append({"output_type": "error", "ename": "E", "evalue": error,
                                   "traceback": ["\x1b[31mE\x1b[0m: " + error]})
    test_cell = cell("task_1_1", f"### BEGIN HIDDEN TESTS\n{HIDDEN_LINE}\n### END HIDDEN TESTS",
                     locked=True, grade=True, points=5)
    test_cell["outputs"] = [{"output_type": "stream", "name": "stdout",
                             "text": "printed during the hidden test"}]
    return {"cells": [cell("intro", "# Title", "markdown"), student, test_cell]}


def feedback(text: str, error: str = "", tests=None, student="alice") -> str:
    tests = tests or [GradedTest("task_1_1", "1.1", "01_tensors", 5, 0, "Task 1.1: case 0 differs")]
    return feedback_html(student, "01_tensors", tests, {"01_tensors": executed(text, error)},
                         {normalize(HIDDEN_LINE)}, ["a note <i>"])


def test_feedback_escapes_what_the_submission_wrote():
    page = feedback("<script>alert(1)</script>\n", error="<img src=x onerror=alert(2)>",
                    student="<b>eve</b>")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page and "&lt;img src=x" in page
    assert "<b>eve</b>" not in page and "&lt;b&gt;eve&lt;/b&gt;" in page
    assert "a note &lt;i&gt;" in page
    assert "\x1b[" not in page


def test_feedback_redacts_a_printed_hidden_line():
    page = feedback(f"before\n   {HIDDEN_LINE}  \nafter\n")
    assert "1234567" not in page
    assert REDACTED in page and "before" in page and "after" in page


def test_feedback_shows_a_test_cell_as_its_box_only():
    page = feedback("fine\n")
    assert "BEGIN HIDDEN" not in page and "printed during the hidden test" not in page
    assert "Task 1.1</b>: hidden tests, 0 / 5 points (failed)" in page
    assert "Task 1.1: case 0 differs" in page


def test_feedback_redacts_hidden_lines_in_a_tests_message():
    # what a student's code that raises ValueError(In[-1]) during the hidden test records
    message = f"Task 1.1: the test raised ValueError: leaked\n{HIDDEN_LINE}\nmore"
    page = feedback("fine\n", tests=[GradedTest("task_1_1", "1.1", "01_tensors", 5, 0, message)])
    assert "1234567" not in page


def with_cells(*cells_: dict) -> str:
    tests = [GradedTest("task_1_1", "1.1", "01_tensors", 5, 5, "all pass")]
    return feedback_html("alice", "01_tensors", tests, {"01_tensors": {"cells": list(cells_)}},
                         {normalize(HIDDEN_LINE)}, [])


def test_feedback_renders_markdown_without_letting_html_or_scripts_through():
    page = with_cells(cell(None, "## Strides\n\nA **view** shares storage. $x_i$\n\n"
                                 "<script>alert(1)</script>\n\n[go](javascript:alert(2))",
                           "markdown"))
    assert "<h2>Strides</h2>" in page and "<strong>view</strong>" in page and "$x_i$" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert 'href="javascript' not in page and ">go</a>" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_feedback_shows_a_figure_as_an_image_and_refuses_what_is_not_one():
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 64).decode()
    figure = cell(None, "plt.plot(x)")
    figure["outputs"] = [{"output_type": "display_data", "data": {
        "image/png": png, "text/plain": "<Figure size 640x480 with 1 Axes>"}}]
    fake = cell(None, "display(x)")
    fake["outputs"] = [{"output_type": "display_data", "data": {
        "image/png": '" onerror="alert(1)', "text/plain": "not an image"}}]
    page = with_cells(figure, fake)
    assert f'<img alt="a figure" src="data:image/png;base64,{png}">' in page
    assert "Figure size" not in page
    assert "onerror" not in page and "not an image" in page
