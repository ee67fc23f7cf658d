"""autograder.shell: the forked IPython kernel gives a cell's outputs as nbformat outputs, keeps
to the output budget, and reports a cell that runs too long or kills it; what its child sends
is checked field by field (the child runs the student's code)."""

import json
import os

import pytest

from autograder.shell import Budget, Kernel, KernelDied, KernelTimeout, clean


@pytest.fixture
def kernel(tmp_path):
    kernel = Kernel(str(tmp_path), Budget(1 << 20))
    yield kernel
    kernel.close()


def kinds(outputs):
    return [output["output_type"] for output in outputs]


def test_prints_and_the_last_value_are_outputs(kernel):
    outputs, truncated = kernel.execute("print('a')\nprint('b')\n6 * 7", 30)
    assert outputs == [
        {"output_type": "stream", "name": "stdout", "text": "a\nb\n"},
        {"output_type": "execute_result", "data": {"text/plain": "42"}, "metadata": {},
         "execution_count": 1}]
    assert not truncated


def test_state_persists_between_cells_and_the_cell_runs_in_its_folder(kernel, tmp_path):
    (tmp_path / "helper.py").write_text("VALUE = 5\n")
    kernel.execute("import helper, os\nx = helper.VALUE", 30)
    outputs, _ = kernel.execute("print(x, os.getcwd())", 30)
    assert outputs[0]["text"] == f"5 {tmp_path}\n"


def test_an_exception_is_an_error_output_and_the_kernel_lives_on(kernel):
    outputs, _ = kernel.execute("print('before')\n1 / 0", 30)
    assert kinds(outputs) == ["stream", "error"]
    assert outputs[1]["ename"] == "ZeroDivisionError"
    assert outputs[1]["evalue"] == "division by zero"
    assert any("ZeroDivisionError" in line for line in outputs[1]["traceback"])
    assert kernel.execute("1 + 1", 30)[0][0]["data"] == {"text/plain": "2"}


def test_a_syntax_error_is_an_error_output(kernel):
    outputs, _ = kernel.execute("def f(:", 30)
    assert [o["ename"] for o in outputs] == ["SyntaxError"]


def test_stderr_is_its_own_stream(kernel):
    outputs, _ = kernel.execute("import sys\nprint('out')\nprint('careful', file=sys.stderr)", 30)
    assert [(o["name"], o["text"]) for o in outputs] == [("stdout", "out\n"),
                                                         ("stderr", "careful\n")]


def test_inline_figures_are_png_displays(kernel):
    outputs, _ = kernel.execute(
        "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 2]);", 60)
    figures = [o for o in outputs if o["output_type"] == "display_data"]
    assert len(figures) == 1 and "image/png" in figures[0]["data"]


def test_clear_output_drops_what_the_cell_showed_before(kernel):
    outputs, _ = kernel.execute(
        "from IPython.display import display, clear_output\n"
        "display('first')\nclear_output()\ndisplay('second')", 30)
    assert [o["data"]["text/plain"] for o in outputs] == ["'second'"]


def test_output_past_the_budget_is_dropped_and_said(tmp_path):
    kernel = Kernel(str(tmp_path), Budget(1000))
    try:
        outputs, truncated = kernel.execute("print('x' * 600)", 30)
        assert not truncated and len(outputs[0]["text"]) == 601
        outputs, truncated = kernel.execute("print('y' * 600)", 30)
        assert truncated and outputs == []
    finally:
        kernel.close()


def test_a_cell_past_its_time_raises_timeout(kernel):
    with pytest.raises(KernelTimeout):
        kernel.execute("import time\ntime.sleep(30)", 1)


def test_a_kernel_that_exits_is_reported_dead(kernel):
    with pytest.raises(KernelDied):
        kernel.execute("import os\nos._exit(3)", 30)


def test_the_child_holds_none_of_the_descriptors_it_must_not(tmp_path):
    secret_read, secret_write = os.pipe()
    kernel = Kernel(str(tmp_path), Budget(1 << 20), (secret_read, secret_write))
    try:
        outputs, _ = kernel.execute(
            f"import os\nfor fd in ({secret_read}, {secret_write}):\n"
            f"    try:\n        os.fstat(fd); print('open', fd)\n"
            f"    except OSError:\n        print('closed', fd)", 30)
        assert outputs[0]["text"] == f"closed {secret_read}\nclosed {secret_write}\n"
    finally:
        kernel.close()
        os.close(secret_read)
        os.close(secret_write)


def test_forged_messages_from_the_child_are_ignored(kernel):
    """The student's code holds the reply pipe: what it writes there is parsed as untrusted."""
    forged = [{"output_type": "stream", "name": "/etc/passwd", "text": "x"},
              {"output_type": "display_data", "data": ["not", "a", "dict"]},
              {"output_type": "error", "ename": 1, "evalue": "x"},
              {"output_type": "execute_result", "data": {"text/plain": "ok"}, "metadata": 5,
               "execution_count": "many"},
              "[[[[", {"done": -1}]
    code = ("import os\nfd = get_ipython().display_pub.channel.fd\n"
            f"for m in {[json.dumps(m) for m in forged]!r}:\n"
            "    os.write(fd, m.encode() + b'\\n')\n")
    outputs, _ = kernel.execute(code, 30)
    assert outputs == [{"output_type": "execute_result", "data": {"text/plain": "ok"},
                        "metadata": {}, "execution_count": None}]


@pytest.mark.parametrize("message", [
    {"output_type": "stream", "name": "stdout"},
    {"output_type": "stream", "name": "stdin", "text": "x"},
    {"output_type": "error", "ename": "E"},
    {"output_type": "display_data", "data": {1: "x"}},
    {"output_type": "update_display_data", "data": {}},
    {"output_type": None}])
def test_clean_refuses_malformed_outputs(message):
    assert clean(message) is None
