"""What a notebook sees of its environment when the grading engine runs it: nbgrader's
NBGRADER_EXECUTION signal, so that a course notebook can tell grading from a reader's run as
it could under nbgrader itself, and the one-thread pins that make timings comparable."""

import json

import nbformat

from autograder.engine import Runner, isolation
from autograder.sandbox import Limits

PROBE = ("import os\n"
         "print({name: os.environ.get(name) for name in ('NBGRADER_EXECUTION', "
         "'NUMBA_NUM_THREADS', 'OPENBLAS_NUM_THREADS')})")


def test_a_graded_notebook_sees_nbgraders_autograde_signal(tmp_path):
    runner = Runner(isolation(), Limits(cell_seconds=60, notebook_seconds=120), tmp_path)
    files = runner.job_files()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    (files / "probe.ipynb").write_text(json.dumps(notebook))
    output = runner.run(files, ["probe.ipynb"], "student")
    assert not output.problems, output.problems
    (event,) = output.cells["probe"].values()
    printed = "".join(o.get("text", "") for o in event["outputs"])
    assert printed.strip() == str({"NBGRADER_EXECUTION": "autograde", "NUMBA_NUM_THREADS": "1",
                                   "OPENBLAS_NUM_THREADS": "1"}), event["outputs"]
