"""What 01's mutant gallery says stays true: the visible tests of task 1.4 kill every mutant but
`last_dim_checked`, the hidden tests kill all of them, and Exercise 1's answer (the source
notebook's) kills the survivor and passes the reference. The cells run in this process, with
the reference package; each mutant stands in for `minitorch.tensor_data.shape_broadcast`.
Exercise 1 is graded (task 1.10): its hidden test owns copies of the reference and of the
gallery's mutants (checked here to behave alike), passes the answer and fails weaker tests."""

import contextlib
import io
import json
from pathlib import Path

import pytest

import minitorch

NOTEBOOK = Path(__file__).resolve().parent.parent / "course/source/01_tensors/01_tensors.ipynb"
CELLS = {c.get("id"): "".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"]}
SURVIVOR = "last_dim_checked"


@pytest.fixture(scope="module")
def gallery():
    """The namespace of the notebook after its setup, 1.4's visible tests and the gallery."""
    setup = "\n".join(line for line in CELLS["setup"].splitlines() if not line.startswith("%"))
    namespace = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(setup + "\n" + CELLS["task-1-4-visible"] + "\n" + CELLS["mutants-1-4"], namespace)
    return namespace


def test_the_visible_tests_kill_every_mutant_but_one(gallery):
    alive = []
    for mutant in gallery["MUTANTS_1_4"]:
        try:
            gallery["visible_tests_1_4"](mutant)
            alive.append(mutant.__name__)
        except Exception:
            pass
    assert alive == [SURVIVOR]


@pytest.mark.parametrize("index", range(5))
def test_the_hidden_tests_kill_every_mutant(gallery, index, monkeypatch):
    mutant = gallery["MUTANTS_1_4"][index]
    monkeypatch.setattr(minitorch.tensor_data, "shape_broadcast", mutant)
    with pytest.raises(AssertionError, match="Task 1.4"), \
            contextlib.redirect_stdout(io.StringIO()):
        exec(CELLS["task-1-4"], dict(gallery))


def test_the_exercise_answer_kills_the_survivor_and_passes_the_reference(gallery):
    namespace = dict(gallery)
    exec(CELLS["exercise-mutant"], namespace)
    namespace["my_test_1_4"](minitorch.tensor_data.shape_broadcast)
    with pytest.raises(AssertionError):
        namespace["my_test_1_4"](gallery[SURVIVOR])


# --- task 1.10: Exercise 1, graded by a hidden test that owns its shape_broadcasts ------------

PAIRS = [((3, 1), (4,)), ((2, 3), (3,)), ((5, 1, 4), (3, 1)), ((), (2, 3)), ((1,), (1,)),
         ((0,), (1,)), ((1, 3), (0, 1)), ((2, 3), (2,)), ((2, 3), (4, 3)), ((4, 1), (1, 3, 1)),
         ((2, 1, 3), (5, 3)), ((2, 2), (3, 2)), ((), ()), ((3,), (1, 2))]


def outcome(shape_broadcast, pair, message=False):
    """What `shape_broadcast` does with a pair of shapes: its result, or its error's type
    (and message)."""
    try:
        return shape_broadcast(*pair)
    except Exception as error:
        return f"{type(error).__name__}: {error}" if message else type(error).__name__


def graded_1_10(gallery, answer: str) -> dict:
    """The namespace after `answer` (a my_test_1_4) and task 1.10's hidden cell ran, the cell
    comparing in this process as in the student's own notebook (CheckFailure on a mismatch)."""
    namespace = dict(gallery)
    exec(answer, namespace)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(CELLS["task-1-10"], namespace)
    return namespace


def test_the_hidden_test_of_1_10_owns_copies_of_the_gallery_and_the_reference(gallery):
    candidates = graded_1_10(gallery, CELLS["exercise-mutant"])["_CANDIDATES_1_10"]
    mutants = {mutant.__name__: mutant for mutant in gallery["MUTANTS_1_4"]}
    assert set(candidates) == {"a correct shape_broadcast", *mutants}
    assert len({c.__name__ for c in candidates.values()}) == 1  # no tell-tale names
    for name, mutant in mutants.items():
        assert [outcome(candidates[name], p) for p in PAIRS] == [outcome(mutant, p) for p in PAIRS]
    reference = minitorch.tensor_data.shape_broadcast
    correct = candidates["a correct shape_broadcast"]
    # the same results, and the same errors (a test may match the message)
    assert [outcome(correct, p, True) for p in PAIRS] == [outcome(reference, p, True)
                                                          for p in PAIRS]


WEAK_ANSWERS = {
    "fails on everything": "def my_test_1_4(shape_broadcast):\n    raise AssertionError\n",
    "passes everything": "def my_test_1_4(shape_broadcast):\n    pass\n",
    "the visible tests alone": "def my_test_1_4(shape_broadcast):\n"
                               "    visible_tests_1_4(shape_broadcast)\n",
    "the survivor's case alone": CELLS["exercise-mutant"].replace(
        "visible_tests_1_4(shape_broadcast)", "pass"),
}


def test_the_hidden_test_of_1_10_passes_the_answer(gallery):
    graded_1_10(gallery, CELLS["exercise-mutant"])


@pytest.mark.parametrize("weakness", list(WEAK_ANSWERS))
def test_the_hidden_test_of_1_10_fails_a_weak_test(gallery, weakness):
    with pytest.raises(AssertionError, match="Task 1.10"):
        graded_1_10(gallery, WEAK_ANSWERS[weakness])
