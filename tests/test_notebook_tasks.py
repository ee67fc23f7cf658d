"""Tasks written in a notebook cell (tasks.toml `cell`), the one mechanism behind graded
exercises such as 01's task 1.10 and 05's task 5.7: the registry reads them, the release stubs
their answer cell with the task's own message, the self-check stubs that cell alone, and
grading keeps the student's answer. Small synthetic notebooks; no nbgrader, no kernel."""

import json
import textwrap
from pathlib import Path

import pytest

from autograder.check import _answered
from autograder.course import Course, answer_cell, course_problems, solution_text
from autograder.merge import graded_notebook
from autograder.regions import RegionError, find_regions
from autograder.release import stubbed_answer
from autograder.spec import without_solutions
from autograder.tasks import RegistryError, load_registry

ROOT = Path(__file__).resolve().parent.parent

TASKS = """\
[assignments]
"01_first" = "1"

[tasks."1.1"]
name = "index_of"
file = "pkg/core.py"
points = 5

[tasks."1.2"]
name = "my_test"
cell = "exercise_test"
points = 3
"""

CORE = """\
def index_of(index, strides):
    # BEGIN SOLUTION 1.1
    return sum(i * s for i, s in zip(index, strides))
    # END SOLUTION
"""

ANSWER = """\
def my_test(fn):
    \"\"\"The student's test.\"\"\"
    ### BEGIN SOLUTION
    assert fn((1, 2), (3, 1)) == 5
    ### END SOLUTION
"""


def cell(grade_id: str, source: str, solution=False, grade=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution,
            "schema_version": 3, "solution": solution}
    if points is not None:
        meta["points"] = points
    return {"cell_type": "code", "execution_count": None, "id": grade_id.replace("_", "-"),
            "metadata": {"nbgrader": meta}, "outputs": [], "source": source}


def notebook(*cells: dict) -> dict:
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


SOURCE = notebook(
    cell("setup", "x = 1\n"),
    cell("exercise_test", ANSWER, solution=True),
    cell("exercise_other", "def other():\n    ### BEGIN SOLUTION\n    return 2\n"
                           "    ### END SOLUTION\n", solution=True),
    cell("task_1_1", "check('1.1', [0], student=index_of, expected=lambda c: 0)\n",
         grade=True, points=5),
    cell("task_1_2", "### BEGIN HIDDEN TESTS\ncheck('1.2', [0], student=my_test, "
                     "expected=lambda c: None)\n### END HIDDEN TESTS\n", grade=True, points=3),
)


def make_course(tmp_path: Path, tasks: str = TASKS, source: dict = SOURCE) -> Course:
    (tmp_path / "course" / "source" / "01_first").mkdir(parents=True)
    (tmp_path / "course" / "tasks.toml").write_text(tasks)
    (tmp_path / "course" / "source" / "01_first" / "01_first.ipynb").write_text(
        json.dumps(source))
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "core.py").write_text(CORE)
    return Course.load(tmp_path / "course", tmp_path / "pkg")


# --- the registry and the course ------------------------------------------------------------

def test_a_task_names_its_answer_cell_instead_of_a_file(tmp_path):
    registry = make_course(tmp_path).registry
    assert (registry.tasks["1.2"].cell, registry.tasks["1.2"].file) == ("exercise_test", "")
    assert (registry.tasks["1.1"].cell, registry.tasks["1.1"].file) == ("", "pkg/core.py")


@pytest.mark.parametrize("entry, words", [
    ('file = "pkg/core.py"\ncell = "exercise_test"', "not both"),
    ("", "not neither"),
    ('cell = "two words"', "`cell` must be the grade_id"),
])
def test_a_task_has_either_a_file_or_a_cell(tmp_path, entry, words):
    tasks = TASKS.replace('cell = "exercise_test"', entry)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "core.py").write_text(CORE)
    (tmp_path / "tasks.toml").write_text(tasks)
    with pytest.raises(RegistryError, match=words):
        load_registry(tmp_path / "tasks.toml", root=tmp_path)


def test_a_notebook_task_has_no_solution_region_and_may_not_have_one(tmp_path):
    course = make_course(tmp_path)
    assert {r.task for r in find_regions(course.package, course.repo, course.registry)} == {"1.1"}
    (course.package / "core.py").write_text(CORE + CORE.replace("1.1", "1.2").replace(
        "index_of", "other"))
    with pytest.raises(RegionError, match="task 1.2 is written in the notebook cell"):
        find_regions(course.package, course.repo, course.registry)


def test_the_course_reports_a_notebook_task_without_its_answer_cell(tmp_path):
    assert course_problems(make_course(tmp_path / "a"), "01_first") == []
    renamed = json.loads(json.dumps(SOURCE).replace('"exercise_test"', '"exercise_renamed"'))
    problems = course_problems(make_course(tmp_path / "b", source=renamed), "01_first")
    assert len(problems) == 1 and "written in the cell exercise_test" in problems[0]


@pytest.mark.parametrize("assignment", ["01_tensors", "05_training"])
def test_the_courses_notebook_tasks_have_their_answer_cells(assignment):
    course = Course.load(ROOT / "course", ROOT / "minitorch")
    tasks = [t for t in course.registry.tasks_of(assignment) if t.cell]
    assert tasks, f"{assignment} has a task written in a notebook cell"
    for task in tasks:
        assert any(answer_cell(path, task.cell) for path in course.notebooks(assignment))
    assert not [p for p in course_problems(course, assignment) if "written in the cell" in p]


# --- the release's stub ---------------------------------------------------------------------

def test_the_release_stubs_the_solution_block_with_the_tasks_message(tmp_path):
    task = make_course(tmp_path).registry.tasks["1.2"]
    stubbed = stubbed_answer(ANSWER, task)
    assert "BEGIN SOLUTION" not in stubbed and "assert fn" not in stubbed
    assert '    """The student\'s test."""' in stubbed  # what surrounds the block stays
    namespace = {}
    exec(stubbed, namespace)
    with pytest.raises(NotImplementedError, match=r"^Task 1\.2: write my_test in this cell"):
        namespace["my_test"](None)


# --- the self-check stubs that cell alone ---------------------------------------------------

def test_the_self_check_answers_every_cell_but_the_stubbed_tasks(tmp_path):
    task = make_course(tmp_path).registry.tasks["1.2"]
    released = json.loads(json.dumps(SOURCE))
    for each in released["cells"]:
        if each["metadata"]["nbgrader"]["solution"]:
            each["source"] = stubbed_answer(each["source"], task)
    (tmp_path / "release.ipynb").write_text(json.dumps(released))
    (tmp_path / "source.ipynb").write_text(json.dumps(SOURCE))

    def answers(stubbed: str) -> dict[str, str]:
        _answered(tmp_path / "release.ipynb", tmp_path / "source.ipynb", tmp_path / "out.ipynb",
                  stubbed)
        out = json.loads((tmp_path / "out.ipynb").read_text())
        return {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in out["cells"]}

    everything = answers("")
    assert everything["exercise_test"] == solution_text(ANSWER)
    alone = answers("exercise_test")
    assert alone["exercise_test"] == stubbed_answer(ANSWER, task)
    assert alone["exercise_other"] == everything["exercise_other"]
    assert "return 2" in alone["exercise_other"]


# --- grading keeps the student's answer -----------------------------------------------------

def test_grading_keeps_the_students_answer_and_restores_the_hidden_test():
    mine = textwrap.dedent("""\
        def my_test(fn):
            assert fn((0,), (1,)) == 0
        """)
    submitted = json.loads(json.dumps(SOURCE))
    submitted["cells"][1]["source"] = mine
    submitted["cells"][4]["source"] = "# the student emptied the test cell\n"
    graded = graded_notebook(without_solutions(SOURCE), submitted)
    by_id = {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in graded["cells"]}
    assert by_id["exercise_test"] == mine
    assert "check('1.2'" in by_id["task_1_2"]


# --- task 5.7's hidden test measures the returned model itself ------------------------------

TRAINING = ROOT / "course" / "source" / "05_training" / "05_training.ipynb"


def graded_5_7(train_digit_classifier) -> None:
    """Task 5.7's hidden cell, comparing in this process (CheckFailure on a mismatch), on the
    simple backend: the classifiers given here do not train, so it is quick."""
    import numpy as np

    import minitorch
    from autograder.notebook import check

    cells = json.loads(TRAINING.read_text())["cells"]
    hidden = next("".join(c["source"]) for c in cells if c.get("id") == "task_5_7")
    namespace = {"np": np, "minitorch": minitorch, "check": check,
                 "train_digit_classifier": train_digit_classifier}
    backend = minitorch.get_default_backend()
    minitorch.set_default_backend("simple")
    try:
        exec(hidden, namespace)
    finally:
        minitorch.set_default_backend(backend)


def test_the_hidden_test_of_5_7_fails_a_model_that_did_not_learn():
    import minitorch

    def untrained(images, labels):
        assert tuple(images.shape) == (1438, 64) and tuple(labels.shape) == (1438,)
        minitorch.manual_seed(0)
        return minitorch.nn.Linear(64, 10)

    with pytest.raises(AssertionError, match=r"Task 5\.7: .*below 95%"):
        graded_5_7(untrained)


def test_the_hidden_test_of_5_7_scores_its_own_count_of_right_answers():
    """A "model" that returns the right class for every image it has seen in training, and
    class 0 otherwise, is right on about a tenth of the held-out images: no points."""
    import numpy as np

    import minitorch

    def memorizer(images, labels):
        seen = {tuple(row): int(label) for row, label in zip(images.numpy(), labels.numpy())}

        class Lookup(minitorch.nn.Module):
            def forward(self, x):
                logits = np.zeros((x.shape[0], 10), dtype=np.float32)
                for i, row in enumerate(x.numpy()):
                    logits[i, seen.get(tuple(row), 0)] = 1.0
                return minitorch.tensor(logits)
        return Lookup()

    with pytest.raises(AssertionError, match="below 95%"):
        graded_5_7(memorizer)


# --- Validate counts the stubbed answer cell against its task, not as an exercise -----------

def test_validate_counts_a_stubbed_notebook_task_against_the_task(tmp_path):
    import nbformat

    from autograder.validate import summarize

    task = make_course(tmp_path).registry.tasks["1.2"]
    namespace = {}
    exec(stubbed_answer(ANSWER, task), namespace)
    with pytest.raises(NotImplementedError) as raised:
        namespace["my_test"](None)  # what the visible check cell meets in a fresh release
    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_code_cell(stubbed_answer(ANSWER, task))
    answer.metadata["nbgrader"] = {"grade": False, "grade_id": "exercise_test",
                                   "solution": True, "locked": False}
    visible = nbformat.v4.new_code_cell("my_test(fn)")
    visible.outputs = [nbformat.v4.new_output("error", ename="NotImplementedError",
                                              evalue=str(raised.value), traceback=[])]
    hidden = nbformat.v4.new_code_cell("# hidden tests run when graded")
    hidden.metadata["nbgrader"] = {"grade": True, "grade_id": "task_1_2", "solution": False,
                                   "locked": True, "points": 3}
    nb.cells = [answer, visible, hidden]
    text = "\n".join(summarize(nb).cells[0].outputs[0].traceback)
    assert "1.2        3  FAILS  write my_test in this cell" in text
    assert "Exercises" not in text
