"""The hidden speed checks of the compiled tasks (04) are fair: the reference keeps the speed
group, and a correct but slow kernel loses it (and only it: its results still pass).

Each compiled task's hidden cell ends with a speed check (autograder.speed.fast_enough: the
student's operation against NumPy's in the same run, on one thread) recorded as a boolean in
the group "speed" of tasks.toml. The tests here run those checks as the grader does
(AUTOGRADER_RECORD in "student" mode, one Numba and one BLAS thread), after the notebook's
setup and helpers cells, against the reference package and against copies of it with one
slow, correct kernel planted: the classic slow designs the issue names.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.speed import fast_enough, slowdown
from autograder.tasks import load_registry
from autograder.values import decode

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "course" / "source" / "04_fast" / "04_fast.ipynb"
REGISTRY = load_registry(ROOT / "course" / "tasks.toml", root=ROOT)
COMPILED = [task.id for task in REGISTRY.tasks_of("04_fast")]
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
SPEED_MARK = "# Speed (a group of its own)"

# (task, a correct kernel body with the slow design the speed check is there to catch)
SLOW = {
    "4.1": """        for i in prange(shape_size(out_shape)):  # broadcast_position per element
            out[broadcast_position(i, out_shape, out_shape, out_strides)] = fn(
                in_storage[broadcast_position(i, out_shape, in_shape, in_strides)])
""",
    "4.2": """        for i in prange(shape_size(out_shape)):  # broadcast_position per element
            out[broadcast_position(i, out_shape, out_shape, out_strides)] = fn(
                a_storage[broadcast_position(i, out_shape, a_shape, a_strides)],
                b_storage[broadcast_position(i, out_shape, b_shape, b_strides)])
""",
    "4.3": """        count, step = a_shape[reduce_dim], a_strides[reduce_dim]
        for i in prange(shape_size(out_shape)):  # one output after the other
            at = broadcast_position(i, out_shape, out_shape, out_strides)
            start = broadcast_position(i, out_shape, out_shape, a_strides)
            acc = out[at]
            for k in range(count):
                acc = fn(acc, a_storage[start + k * step])
            out[at] = acc
""",
    "4.4": """    nd = len(out_shape)
    rows, cols, inner = out_shape[nd - 2], out_shape[nd - 1], a_shape[nd - 1]
    for q in prange(shape_size(out_shape)):  # naive i-j-k: a dot product per output
        first = q // (rows * cols) * rows * cols
        i, j = q // cols % rows, q % cols
        a0 = broadcast_position(first, out_shape, a_shape, a_strides) + i * a_strides[nd - 2]
        b0 = broadcast_position(first, out_shape, b_shape, b_strides) + j * b_strides[nd - 1]
        acc = out[q]
        for k in range(inner):
            acc += a_storage[a0 + k * a_strides[nd - 1]] * b_storage[b0 + k * b_strides[nd - 2]]
        out[q] = acc
""",
    "4.5": """    kc = len(a) // 4
    for k in range(kc):  # adds into c in memory at every step: no tile in registers
        for i in range(4):
            for j in range(4):
                c[at + i * ldc + j] += a[i * kc + k] * b[j * kc + k]
""",
}


def notebook_cells() -> dict[str, str]:
    return {cell.get("id"): "".join(cell["source"])
            for cell in json.loads(NOTEBOOK.read_text())["cells"]}


CELLS = notebook_cells()
SETUP = "\n".join(line for name in ("setup", "helpers") for line in CELLS[name].splitlines()
                  if not line.startswith("%")) + "\n"


def speed_check(task: str) -> str:
    """The speed part of a task's hidden cell: its import and what follows SPEED_MARK."""
    hidden = HIDDEN.search(CELLS[f"task_{task.replace('.', '_')}"])[1]
    return "from autograder.speed import fast_enough\n" + hidden[hidden.index(SPEED_MARK):]


# Before the checks: print each measurement's verdict (the hidden cells call fast_enough
# only once the result is right)
WATCH = """
import autograder.speed
_measure = autograder.speed.fast_enough
def _watched(*args, **kwargs):
    verdict = _measure(*args, **kwargs)
    print("measured:", verdict)
    return verdict
autograder.speed.fast_enough = _watched
"""


def run_speed_checks(package_root: Path, tmp_path: Path) -> dict[str, tuple[bool, str]]:
    """Run the speed checks of the compiled tasks as the grader does, beside the package in
    `package_root`; task -> (the recorded verdict, what the measurement said)."""
    record = tmp_path / "record.jsonl"
    code = SETUP + WATCH + "\n".join(
        f"print('task {task}')\n" + speed_check(task) for task in COMPILED)
    env = dict(os.environ, AUTOGRADER_RECORD=f"student:{record}", NUMBA_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", code], cwd=package_root, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    # each task's "measured:" line, if its check got as far (not past the next "task" line)
    measured = dict(re.findall(r"^task (\S+)\n(?:(?!task ).*\n)*?measured: (\w+)", done.stdout,
                               re.M))
    found = {}
    for line in record.read_text().splitlines():
        call = json.loads(line)
        assert call["group"] == "speed" and not call["error"], call
        found[call["task"]] = (bool(decode(call["outputs"][0])), measured.get(call["task"]))
    assert sorted(found) == sorted(COMPILED), done.stdout
    return found


def planted(tmp_path: Path) -> Path:
    """A copy of the reference package whose solution regions of the compiled tasks hold the
    slow kernels of SLOW (all at once: each speed check times its own kernel alone)."""
    root = tmp_path / "planted"
    shutil.copytree(ROOT / "minitorch", root / "minitorch",
                    ignore=shutil.ignore_patterns("__pycache__"))
    path = root / "minitorch" / "fast_ops.py"
    text = path.read_text()
    for task, body in SLOW.items():
        region = re.compile(rf"(# BEGIN SOLUTION {re.escape(task)}\n).*?(\n\s*# END SOLUTION)",
                            re.S)
        text, count = region.subn(lambda m, body=body: m[1] + body.rstrip("\n") + m[2], text)
        assert count == 1, f"no single solution region {task} in fast_ops.py"
    path.write_text(text)
    return root


def test_every_compiled_task_has_a_speed_group_and_check():
    for task in COMPILED:
        groups = dict(REGISTRY.tasks[task].groups)
        assert "speed" in groups and 0 < groups["speed"] < REGISTRY.tasks[task].points, task
        assert 'group="speed"' in speed_check(task) and "fast_enough(" in speed_check(task)
    assert sorted(SLOW) == sorted(COMPILED)


def test_fast_enough_compares_with_the_reference_of_the_same_run():
    def quick():
        time.sleep(0.0005)

    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.03)

    assert slowdown(slow, quick, repeat=3) > 3
    assert fast_enough(quick, quick, at_most=3, repeat=3)
    calls.clear()
    assert not fast_enough(slow, quick, at_most=3, repeat=3)
    # 2 warm-up calls and 3 timed ones: far over the limit, no second attempt
    assert len(calls) == 5


@pytest.mark.slow
def test_the_reference_keeps_every_speed_group(tmp_path):
    verdicts = run_speed_checks(ROOT, tmp_path)
    assert verdicts == {task: (True, "True") for task in COMPILED}, verdicts


@pytest.mark.slow
def test_a_correct_but_slow_kernel_loses_the_speed_group(tmp_path):
    # "measured: False": the slow kernel's result was right, and its time too long
    verdicts = run_speed_checks(planted(tmp_path), tmp_path)
    assert verdicts == {task: (False, "False") for task in COMPILED}, verdicts
