"""What every mutant gallery (a cell `mutants-<a>-<b>` that calls `autograder.mutants.gallery`)
says stays true: the visible tests kill every mutant but those its text names (at most one),
and the task's hidden tests (the cell `task_<a>_<b>`) kill them all. The cells run in this
process, in the notebook's order, with the reference package."""

import contextlib
import io
import json
import re
from pathlib import Path

import pytest

from autograder.mutants import planted

SOURCE = Path(__file__).resolve().parent.parent / "course" / "source"
SETUP_IDS = ("setup", "helpers")
# lecture cells whose classes visible tests use: Affine and TwoStep (3.1-3.2), Squares (5.6)
LECTURE_CELLS = {"03_modules": ("code_002",), "05_training": ("code_009",)}


def cells(notebook):
    return [c for c in json.loads(notebook.read_text())["cells"]]


def galleries(notebook):
    """The tasks (as "a-b") whose gallery cell calls the shared helper."""
    return [c["id"][len("mutants-"):] for c in cells(notebook)
            if re.fullmatch(r"mutants-\d+-\d+", c.get("id", ""))
            and "gallery(" in "".join(c["source"])]


NOTEBOOKS = sorted(SOURCE.glob("*/*.ipynb"))
CASES = [(nb, task) for nb in NOTEBOOKS for task in galleries(nb)]


def source(cell):
    return "\n".join(line for line in "".join(cell["source"]).splitlines()
                     if not line.startswith("%"))


_RUN = {}


def run_galleries(notebook):
    """The notebook's namespace after its setup and, in order, each gallery's visible tests
    and gallery cell; the cells by id; the reports by task."""
    if notebook not in _RUN:
        by_id = {c.get("id"): c for c in cells(notebook)}
        grade = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in cells(notebook)}
        namespace, reports = {}, {}
        with contextlib.redirect_stdout(io.StringIO()):
            for cell_id in SETUP_IDS + LECTURE_CELLS.get(notebook.stem, ()):
                if cell_id in by_id:
                    exec(source(by_id[cell_id]), namespace)
            for task in galleries(notebook):
                exec(source(grade[f"task_{task.replace('-', '_')}_visible"]), namespace)
                before = set(namespace)
                exec(source(by_id[f"mutants-{task}"]), namespace)
                reports[task] = next(namespace[name] for name in set(namespace) - before
                                     if name.startswith("report_"))
        _RUN[notebook] = namespace, by_id, grade, reports
    return _RUN[notebook]


@pytest.mark.parametrize("notebook, task", CASES, ids=[t for _, t in CASES])
def test_the_visible_tests_kill_what_the_gallery_says(notebook, task):
    _, by_id, _, reports = run_galleries(notebook)
    report = reports[task]
    assert "not run" not in report.verdicts.values(), report.verdicts
    assert len(report.survivors) <= 1, f"more than one mutant lives: {report.survivors}"
    text = "".join(by_id[f"mutants-{task}-md"]["source"])
    for name in report.survivors:
        assert f"`{name}`" in text and "lives" in text, \
            f"the gallery's text does not say that {name} lives"


@pytest.mark.parametrize("notebook, task", CASES, ids=[t for _, t in CASES])
def test_the_hidden_tests_kill_every_mutant(notebook, task):
    namespace, _, grade, reports = run_galleries(notebook)
    hidden = source(grade[f"task_{task.replace('-', '_')}"])
    with contextlib.redirect_stdout(io.StringIO()):
        exec(hidden, dict(namespace))  # the reference passes: a failure below is the mutant's
    for wrong in reports[task].mutants:
        try:
            with planted(wrong.target, wrong), contextlib.redirect_stdout(io.StringIO()):
                exec(hidden, dict(namespace))
        except (NameError, NotImplementedError, SyntaxError) as error:
            pytest.fail(f"{wrong.__name__} broke the hidden test itself: {error!r}")
        except Exception:
            continue
        pytest.fail(f"the hidden tests of {task} pass with the mutant {wrong.__name__}")


def test_planted_reaches_copies_imported_by_value_and_restores_them():
    import minitorch.tensor_data as tensor_data
    import minitorch.tensor_ops as tensor_ops

    original = tensor_data.index_to_position

    def wrong(index, strides):
        return -1

    with pytest.raises(KeyError):  # the original comes back however the block ends
        with planted("minitorch.tensor_data.index_to_position", wrong):
            assert tensor_data.index_to_position is wrong
            assert tensor_ops.index_to_position is wrong  # `from .tensor_data import ...`
            raise KeyError("out of the block")
    assert tensor_data.index_to_position is original and tensor_ops.index_to_position is original


def test_planted_keeps_a_static_method_static():
    import inspect

    from minitorch.tensor_functions import Sub

    original = inspect.getattr_static(Sub, "backward")

    def wrong(ctx, grad):
        return grad, grad

    with planted("minitorch.tensor_functions.Sub.backward", wrong):
        assert isinstance(inspect.getattr_static(Sub, "backward"), staticmethod)
        assert Sub.backward is wrong
    assert inspect.getattr_static(Sub, "backward") is original
