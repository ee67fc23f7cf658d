"""The notebook that grading runs: the student's notebook with the course's cells restored.

nbgrader's autograde semantics: every cell that the source marks (read-only cells and test
cells, matched by grade_id) is put back from the source, hidden tests included, so editing or
deleting a test cell changes nothing; answer cells (nbgrader `solution`) keep the student's
text; cells the student added stay where they were. A source cell the student deleted is put
back after the cell that precedes it in the source.

The student's run gets the source with its test cells' expected values taken out
(`without_expected`): the grader records those from the reference, in a run of its own, so
the student's process never holds the code that computes them, and rebinding `check` to record
"expected" as the student's outputs records nothing but None.
"""

import ast
import copy

__all__ = ["graded_notebook", "without_expected", "NO_ANSWER"]

NO_ANSWER = "# autograder: this answer cell was missing from the submission\n"


def _meta(cell: dict) -> dict:
    meta = cell.get("metadata", {})
    meta = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return meta if isinstance(meta, dict) else {}


def _grade_id(cell: dict) -> str | None:
    name = _meta(cell).get("grade_id")
    return name if isinstance(name, str) else None


def _text(cell: dict) -> str:
    text = cell.get("source", "")
    if isinstance(text, list):
        return "".join(str(line) for line in text)
    return str(text)


def _plain(cell: dict) -> dict:
    """A clean copy of a student's cell: its type and text only (no outputs, no metadata)."""
    clean = {"cell_type": cell["cell_type"], "metadata": {}, "source": _text(cell)}
    if cell["cell_type"] == "code":
        clean.update(outputs=[], execution_count=None)
    return clean


def _answer(source_cell: dict, student_cell: dict | None) -> dict:
    cell = copy.deepcopy(source_cell)
    cell["outputs"], cell["execution_count"] = [], None
    cell["source"] = NO_ANSWER if student_cell is None else _text(student_cell)
    if cell.get("cell_type") != "code":
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
    return cell


def _restored(source_cell: dict) -> dict:
    cell = copy.deepcopy(source_cell)
    if cell.get("cell_type") == "code":
        cell["outputs"], cell["execution_count"] = [], None
    return cell


def graded_notebook(source: dict, submitted: dict | None) -> dict:
    """The notebook to execute; `submitted` may be None (a missing notebook: no answers)."""
    marked = {}  # grade_id -> source cell, in source order
    for cell in source.get("cells", []):
        name = _grade_id(cell)
        if name:
            marked[name] = cell
    student_cells = submitted.get("cells", []) if isinstance(submitted, dict) else []
    if not isinstance(student_cells, list):
        student_cells = []

    out: list[dict] = []
    placed: dict[str, int] = {}  # grade_id -> index in out
    for cell in student_cells:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        name = _grade_id(cell)
        if name in marked and name not in placed:
            placed[name] = len(out)
            source_cell = marked[name]
            out.append(_answer(source_cell, cell) if _meta(source_cell).get("solution")
                       else _restored(source_cell))
        else:
            out.append(_plain(cell))
    previous = None
    for name, source_cell in marked.items():
        if name not in placed:
            at = placed[previous] + 1 if previous is not None else 0
            out.insert(at, _answer(source_cell, None) if _meta(source_cell).get("solution")
                       else _restored(source_cell))
            placed = {k: (v + 1 if v >= at else v) for k, v in placed.items()}
            placed[name] = at
        previous = name
    notebook = {key: copy.deepcopy(value) for key, value in source.items() if key != "cells"}
    for number, cell in enumerate(out):
        cell["id"] = f"cell-{number}"
    notebook["cells"] = out
    notebook["nbformat"], notebook["nbformat_minor"] = 4, 5
    return notebook


class _DropExpected(ast.NodeTransformer):
    """Sets the `expected` argument of every `check(...)` call to None, noting its names."""

    def __init__(self):
        self.names: set[str] = set()

    def visit_Call(self, node: ast.Call) -> ast.Call:
        self.generic_visit(node)
        func = node.func
        if (isinstance(func, ast.Name) and func.id == "check") or (
                isinstance(func, ast.Attribute) and func.attr == "check"):
            for keyword in node.keywords:
                if keyword.arg == "expected":
                    keyword.value = self._drop(keyword.value)
            if len(node.args) > 3:
                node.args[3] = self._drop(node.args[3])
        return node

    def _drop(self, value: ast.expr) -> ast.expr:
        if isinstance(value, ast.Name):
            self.names.add(value.id)
        return ast.Constant(None)


def _cell_without_expected(source: str) -> str:
    tree = ast.parse(source)
    dropper = _DropExpected()
    tree = dropper.visit(tree)
    tree.body = [node for node in tree.body
                 if not (isinstance(node, ast.FunctionDef) and node.name in dropper.names)]
    return ast.unparse(tree) + "\n"


def without_expected(source: dict) -> dict:
    """The source notebook for students' runs: in every test cell, each `check(...)` gets
    `expected=None`, and the functions that were passed there are removed. Raises SyntaxError
    for a test cell that is not plain Python."""
    notebook = copy.deepcopy(source)
    for cell in notebook.get("cells", []):
        meta = _meta(cell)
        if meta.get("grade") and not meta.get("solution") and cell.get("cell_type") == "code":
            cell["source"] = _cell_without_expected(_text(cell))
    return notebook
