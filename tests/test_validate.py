"""Validate's report on a course notebook (autograder.validate): a summary by task first,
exercises apart, and the settings that make nbgrader's Validate check every cell."""

import nbformat
import pytest
from traitlets.config import Config

from autograder.validate import FAILED_WARNING, SUMMARY_ID, configure, summarize


def error(message: str, name: str = "NotImplementedError", frames: int = 5) -> dict:
    return nbformat.v4.new_output("error", ename=name, evalue=message,
                                  traceback=[f"frame {i}" for i in range(frames)] +
                                  [f"{name}: {message}"])


def code(source: str = "x", outputs=(), **nbgrader) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = list(outputs)
    if nbgrader:
        cell.metadata["nbgrader"] = nbgrader
    return cell


def graded(task: str, points: float) -> nbformat.NotebookNode:
    return code("# hidden tests run when graded", grade=True, solution=False, locked=True,
                points=points, grade_id=f"task_{task.replace('.', '_')}")


def notebook(*cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def summary_text(nb) -> str:
    first = nb.cells[0]
    assert first.metadata["nbgrader"]["grade_id"] == SUMMARY_ID
    output = first.outputs[0]
    return "\n".join(output.traceback) if output.output_type == "error" else output.text


def test_the_summary_comes_first_and_names_each_tasks_first_failure():
    nb = notebook(
        code("demo", [error("Task 1.1: index_to_position in minitorch/tensor_data.py")]),
        code("visible tests of 1.1"), graded("1.1", 5),
        code("visible tests of 1.2", [error("Task 1.2: case 3 gives a wrong result: got 4",
                                            "CheckFailure")]),
        graded("1.2", 5),
        code("a demo in 1.6's section that calls 1.3",
             [error("Task 1.3: broadcast_index in minitorch/tensor_data.py")]),
        code("1.6's own cell", [error("index 12 is out of bounds", "IndexError")]),
        graded("1.6", 10),
        code("passing", []), graded("1.7", 10))
    text = summary_text(summarize(nb))
    assert nb.cells[0].outputs[0].output_type == "error"
    lines = text.splitlines()
    assert lines[0].startswith("Summary by task")
    assert "1.1        5  FAILS  index_to_position in minitorch/tensor_data.py" in text
    assert "1.2        5  FAILS  case 3 gives a wrong result: got 4" in text
    assert "1.3" not in [line[:3] for line in lines[2:]]  # 1.3 is no task of this notebook
    assert "1.6       10  FAILS  index 12 is out of bounds (IndexError)" in text
    assert "1.7       10  passes" in text
    assert "3 of 4 tasks fail (20 of 30 points)" in text


def test_exercises_are_listed_apart_and_cost_no_success():
    nb = notebook(
        code("v", []), graded("1.1", 5),
        code("answer", [error("Exercise: write your answer in this cell")], solution=True,
             grade=False, locked=False, grade_id="exercise_1"),
        code("check", [error("Exercise 2: set images in the cell above")]))
    summarize(nb)
    assert nb.cells[0].outputs[0].output_type == "stream"  # nothing at stake: no failure
    assert "Exercises (no points) still to do: Exercise 1, Exercise 2." in summary_text(nb)
    assert all(o.output_type != "error" for cell in nb.cells[1:] for o in cell.outputs)


def test_a_failing_cell_keeps_only_its_innermost_frame_and_its_error():
    nb = notebook(code("t", [error("Task 1.1: stub", frames=30)]), graded("1.1", 5))
    summarize(nb)
    assert nb.cells[1].outputs[0].traceback == ["frame 29", "NotImplementedError: Task 1.1: stub"]


def test_a_notebook_without_task_cells_is_left_alone():
    nb = notebook(code("x", [error("boom", "ValueError")]))
    before = nbformat.writes(nb)
    assert nbformat.writes(summarize(nb)) == before


def test_configure_makes_validate_check_every_cell_and_rewrite_the_report(capsys):
    from nbgrader.validator import Validator

    c = Config()
    configure(c)
    assert c.Validator.validate_all is True
    assert c.Validator.failed_warning == FAILED_WARNING
    assert getattr(Validator._preprocess, "autograder_summary", False)
    configure(c)  # idempotent: one wrapper, whatever the number of config loads
    assert not getattr(Validator._preprocess.__closure__[0].cell_contents,
                       "autograder_summary", False)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("has_exchange", [True, False])
def test_an_assignment_folder_says_where_to_run_nbgrader_without_course_settings(
        has_exchange, capsys, tmp_path, monkeypatch):
    import autograder.validate

    monkeypatch.setattr(autograder.validate, "_warned", [])
    c = Config()
    if has_exchange:
        c.Exchange.root = "/srv/exchange"
    configure(c, str(tmp_path / "01_tensors" / "nbgrader_config.py"))
    err = capsys.readouterr().err
    assert ("run fetch, submit and list from your workspace folder" in err) != has_exchange
