"""What 01's mutant gallery says stays true: the visible tests of task 1.4 kill every mutant but
`last_dim_checked`, the hidden tests kill all of them, and Exercise 1's answer (the source
notebook's) kills the survivor and passes the reference. The cells run in this process, with
the reference package; each mutant stands in for `minitorch.tensor_data.shape_broadcast`."""

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
