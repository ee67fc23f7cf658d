"""Students' runs never hold the code that computes expected values (autograder.merge)."""

import ast
import json
from pathlib import Path

import pytest

from autograder.merge import without_expected

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "course" / "source").glob("*/*.ipynb"))


def graded_test_cells(notebook: dict) -> dict[str, str]:
    cells = {}
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            source = cell["source"]
            cells[meta["grade_id"]] = "".join(source) if isinstance(source, list) else source
    return cells


def check_calls(source: str) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == "check"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_check_loses_its_expected_and_its_functions(path):
    original = json.loads(path.read_text())
    before, after = graded_test_cells(original), graded_test_cells(without_expected(original))
    assert before and before.keys() == after.keys()
    for name, source in before.items():
        calls, stripped = check_calls(source), check_calls(after[name])
        assert len(calls) == len(stripped) > 0, name
        removed = {kw.value.id for call in calls for kw in call.keywords
                   if kw.arg == "expected" and isinstance(kw.value, ast.Name)}
        for call in stripped:
            expected = [kw.value for kw in call.keywords if kw.arg == "expected"]
            assert [type(v) for v in expected] == [ast.Constant], name
            assert expected[0].value is None, name
        defined = {node.name for node in ast.parse(after[name]).body
                   if isinstance(node, ast.FunctionDef)}
        assert not removed & defined, (name, removed & defined)


def test_a_positional_expected_and_a_lambda_go_too():
    cell = {"cell_type": "code", "metadata": {"nbgrader": {"grade": True, "grade_id": "task_1_1",
                                                           "points": 1}},
            "source": "def _want(c):\n    return c\n"
                      "check('1.1', [1], lambda c: c, _want)\n"
                      "check('1.1', [1], student=f, expected=lambda c: secret(c))\n",
            "outputs": [], "execution_count": None}
    source = without_expected({"cells": [cell]})["cells"][0]["source"]
    assert "_want" not in source and "secret" not in source
    assert source.count("None") == 2


def test_the_source_notebook_is_left_as_it_was():
    original = json.loads(NOTEBOOKS[0].read_text())
    copy = json.loads(json.dumps(original))
    without_expected(copy)
    assert copy == original
