"""The autograder's task registry, solution regions, student stubs and leak scan, on small
synthetic courses in tmp_path (fast: no nbgrader, no kernels)."""

import importlib.util
import json
import textwrap
from pathlib import Path

import pytest

from autograder.course import notebook_parts
from autograder.leaks import collect_secrets, normalize, scan_release
from autograder.regions import RegionError, find_regions, stub_text, write_package
from autograder.tasks import RegistryError, load_registry

TASKS = """\
[assignments]
"01_first" = "1"
"02_second" = "2"

[tasks."1.1"]
name = "index_of"
file = "pkg/core.py"
points = 5

[tasks."1.2"]
name = "Grid.permute"
file = "pkg/core.py"
points = 5
needs = ["1.1"]

[tasks."2.1"]
name = "backward rules"
file = "pkg/ops.py"
points = 10
needs = ["1.1"]
"""

CORE = '''\
"""Core."""


def index_of(index, strides):
    """Position of an index."""
    # BEGIN SOLUTION 1.1
    position = 0
    for i in range(len(index)):
        position += index[i] * strides[i]
    return position
    # END SOLUTION


class Grid:
    def __init__(self, shape):
        self.shape = tuple(shape)

    def permute(self, *order):
        if sorted(order) != list(range(len(self.shape))):
            raise ValueError("bad order")
        # BEGIN SOLUTION 1.2
        return Grid(self.shape[i] for i in order)
        # END SOLUTION
'''

OPS = '''\
class Mul:
    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION 2.1
        a, b = ctx.saved_values
        return grad * b, grad * a
        # END SOLUTION


def kernel(fn):
    def _inner(x):
        # BEGIN SOLUTION 2.1
        return [fn(v) for v in x]
        # END SOLUTION

    return _inner
'''


def make_repo(tmp_path: Path, core: str = CORE, ops: str = OPS, tasks: str = TASKS) -> Path:
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "tasks.toml").write_text(tasks)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "core.py").write_text(core)
    (tmp_path / "pkg" / "ops.py").write_text(ops)
    return tmp_path


def registry_of(repo: Path):
    return load_registry(repo / "course" / "tasks.toml", root=repo)


def regions_of(repo: Path):
    return find_regions(repo / "pkg", repo, registry_of(repo))


def problems_of(repo: Path, with_registry: bool = True) -> str:
    with pytest.raises(RegionError) as caught:
        find_regions(repo / "pkg", repo, registry_of(repo) if with_registry else None)
    return "\n".join(caught.value.problems)


def load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the registry ---------------------------------------------------------------------------

def test_registry_reads_tasks_and_dependents(tmp_path):
    registry = registry_of(make_repo(tmp_path))
    assert [t.id for t in registry.tasks_of("01_first")] == ["1.1", "1.2"]
    assert registry.tasks["2.1"].assignment == "02_second"
    assert registry.dependents("1.1") == {"1.2", "2.1"}
    assert registry.stubbed_in("01_first") == {"1.1", "1.2", "2.1"}
    assert registry.stubbed_in("02_second") == {"2.1"}
    assert registry.tasks["1.1"].groups == ()


def test_registry_reads_groups_in_their_order(tmp_path):
    tasks = TASKS.replace("points = 10", "points = 10\ngroups = {plain = 4, batched = 6}", 1)
    registry = registry_of(make_repo(tmp_path, tasks=tasks))
    (task,) = [t for t in registry.tasks.values() if t.points == 10]
    assert task.groups == (("plain", 4), ("batched", 6))


NEEDS_12 = 'needs = ["1.1"]\n\n[tasks."2.1"]'


@pytest.mark.parametrize("old, new, message", [
    (NEEDS_12, NEEDS_12.replace("1.1", "9.9"), "task '1.2' needs '9.9', which is not a task"),
    ('file = "pkg/ops.py"', 'file = "pkg/missing.py"', "file pkg/missing.py does not exist"),
    ("points = 10", "points = 0", "`points` must be a positive integer, not 0"),
    (NEEDS_12, NEEDS_12.replace("1.1", "1.2"), "task '1.2' needs itself"),
    (NEEDS_12, NEEDS_12.replace("1.1", "2.1"), "needs '2.1' of a later assignment"),
    ('points = 5\n\n[tasks."1.2"]', 'points = 5\nneeds = ["1.2"]\n\n[tasks."1.2"]',
     "`needs` has a cycle: 1.1 -> 1.2 -> 1.1"),
    ('"02_second" = "2"', '"02_second" = "1"', "share the prefix '1'"),
    ('name = "index_of"', 'name = "index_of"\nweight = 3', "unknown keys weight"),
    ("points = 10", "points = 10\ngroups = {a = 3, b = 3}",
     "its groups' points add up to 6, not to its 10 points"),
    ("points = 10", 'points = 10\ngroups = {"Bad Name" = 10}', "`groups` must map group names"),
    ("points = 10", "points = 10\ngroups = {a = 0, b = 10}", "`groups` must map group names"),
])
def test_registry_rejects_bad_entries(tmp_path, old, new, message):
    assert old in TASKS
    repo = make_repo(tmp_path, tasks=TASKS.replace(old, new, 1))
    with pytest.raises(RegistryError, match="invalid task registry") as caught:
        registry_of(repo)
    assert message in str(caught.value)


# --- finding and validating regions ---------------------------------------------------------

def test_regions_are_found_with_their_enclosing_scope(tmp_path):
    regions = regions_of(make_repo(tmp_path))
    found = [(r.file, r.task, r.begin, r.end, r.scope) for r in regions]
    assert found == [
        ("pkg/core.py", "1.1", 6, 11, ("index_of",)),
        ("pkg/core.py", "1.2", 21, 23, ("Grid", "permute")),
        ("pkg/ops.py", "2.1", 4, 7, ("Mul", "backward")),
        ("pkg/ops.py", "2.1", 12, 14, ("kernel", "_inner")),
    ]


def test_unclosed_region_is_named_by_file_and_line(tmp_path):
    repo = make_repo(tmp_path, core=CORE.replace("    # END SOLUTION\n\n\nclass", "\n\nclass"))
    problems = problems_of(repo)
    assert "pkg/core.py:6: BEGIN SOLUTION inside the region opened" not in problems
    assert "pkg/core.py:20: BEGIN SOLUTION inside the region opened at line 6" in problems


def test_begin_without_end_at_end_of_file(tmp_path):
    repo = make_repo(tmp_path, ops=OPS.rsplit("        # END SOLUTION", 1)[0] + "\n")
    assert "pkg/ops.py:12: BEGIN SOLUTION 2.1 is never closed" in problems_of(repo)


def test_end_without_begin(tmp_path):
    repo = make_repo(tmp_path, core=CORE + "# END SOLUTION\n")
    assert f"pkg/core.py:{len(CORE.splitlines()) + 1}: END SOLUTION without a BEGIN" \
        in problems_of(repo)


def test_untagged_region(tmp_path):
    repo = make_repo(tmp_path, core=CORE.replace("# BEGIN SOLUTION 1.2", "# BEGIN SOLUTION"))
    assert "pkg/core.py:21: BEGIN SOLUTION without a task id" in problems_of(repo)


def test_unknown_tag(tmp_path):
    repo = make_repo(tmp_path, core=CORE.replace("# BEGIN SOLUTION 1.2", "# BEGIN SOLUTION 1.7"))
    problems = problems_of(repo)
    assert "pkg/core.py:21: BEGIN SOLUTION 1.7: no task '1.7' in tasks.toml" in problems
    # and task 1.2 now has no region at all
    assert "task 1.2 (Grid.permute) has no solution region" in problems
    # without a registry, tags are not checked
    assert len(find_regions(repo / "pkg", repo)) == 4


def test_malformed_marker(tmp_path):
    repo = make_repo(tmp_path, core=CORE.replace("# BEGIN SOLUTION 1.2", "#BEGIN SOLUTION 1.2"))
    assert "pkg/core.py:21: malformed marker '#BEGIN SOLUTION 1.2'" in problems_of(repo)


def test_every_problem_is_reported_at_once(tmp_path):
    core = CORE.replace("# BEGIN SOLUTION 1.2", "# BEGIN SOLUTION")
    ops = OPS.replace("# BEGIN SOLUTION 2.1", "# BEGIN SOLUTION 3.3", 1)
    problems = problems_of(make_repo(tmp_path, core=core, ops=ops))
    assert "pkg/core.py:21" in problems and "pkg/ops.py:4" in problems


# --- stubs ----------------------------------------------------------------------------------

def test_stub_names_task_file_and_enclosing_method(tmp_path):
    repo = make_repo(tmp_path)
    registry, regions = registry_of(repo), regions_of(repo)
    out = tmp_path / "student"
    counts = write_package(repo / "pkg", out / "pkg", repo, regions, {"1.1", "1.2", "2.1"},
                           registry)
    assert counts == {"files": 3, "regions": 4, "tasks": 3}
    core = (out / "pkg" / "core.py").read_text()
    ops = (out / "pkg" / "ops.py").read_text()
    assert '    raise NotImplementedError("Task 1.1: index_of in pkg/core.py")\n' in core
    assert '        raise NotImplementedError("Task 1.2: Grid.permute in pkg/core.py")\n' in core
    assert '        raise NotImplementedError("Task 2.1: Mul.backward in pkg/ops.py")\n' in ops
    # a nested function of another name: the whole chain is named
    assert '        raise NotImplementedError("Task 2.1: kernel._inner in pkg/ops.py")\n' in ops
    assert "position +=" not in core and "saved_values" not in ops
    assert "BEGIN SOLUTION" not in core + ops
    # the code around the regions is kept: docstrings and the argument check
    assert '"""Position of an index."""' in core and 'raise ValueError("bad order")' in core

    module = load_module(out / "pkg" / "core.py", "stubbed_core")
    with pytest.raises(NotImplementedError, match=r"^Task 1\.1: index_of in pkg/core\.py$"):
        module.index_of((1, 2), (2, 1))
    with pytest.raises(ValueError):  # code before the region still runs
        module.Grid((2, 3)).permute(0, 0)
    with pytest.raises(NotImplementedError, match="Task 1.2: Grid.permute"):
        module.Grid((2, 3)).permute(1, 0)


def test_earlier_assignments_keep_the_reference_code(tmp_path):
    repo = make_repo(tmp_path)
    registry, regions = registry_of(repo), regions_of(repo)
    out = tmp_path / "student"
    write_package(repo / "pkg", out / "pkg", repo, regions, registry.stubbed_in("02_second"),
                  registry)
    text = (out / "pkg" / "core.py").read_text()
    assert "position += index[i] * strides[i]" in text
    assert "SOLUTION" not in text  # the code stays, its marker lines go
    core = load_module(out / "pkg" / "core.py", "kept_core")
    assert core.index_of((1, 2), (3, 1)) == 5
    assert core.Grid((2, 3)).permute(1, 0).shape == (3, 2)
    ops = (out / "pkg" / "ops.py").read_text()
    assert ops.count("raise NotImplementedError(\"Task 2.1") == 2


def test_a_region_that_is_not_whole_statements_is_refused(tmp_path):
    core = CORE.replace("    position = 0\n", "    position = (\n    # END SOLUTION\n"
                        "    # BEGIN SOLUTION 1.1\n        0)\n")
    repo = make_repo(tmp_path, core=core)
    regions = [r for r in regions_of(repo) if r.task == "1.1"]
    with pytest.raises(RegionError, match="not valid Python"):
        stub_text(core, regions[:1], {"1.1"}, registry_of(repo), "pkg/core.py")


def test_stubbed_copy_of_the_real_package_imports(tmp_path):
    """Every stub of the real minitorch is valid Python and the package imports."""
    root = Path(__file__).resolve().parent.parent
    registry = load_registry(root / "course" / "tasks.toml", root=root)
    regions = find_regions(root / "minitorch", root, registry)
    write_package(root / "minitorch", tmp_path / "minitorch", root, regions,
                  set(registry.tasks), registry)
    text = (tmp_path / "minitorch" / "tensor_data.py").read_text()
    assert ('raise NotImplementedError("Task 1.1: index_to_position in '
            'minitorch/tensor_data.py")') in text
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "import minitorch, sys; print(minitorch.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == tmp_path / "minitorch" / "__init__.py"


# --- the leak scan --------------------------------------------------------------------------

def notebook(cells: list[str]) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "source": c,
                                  "outputs": []} for c in cells],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


SOURCE_NB = [
    "import numpy as np\nfrom course_helpers import check_all",
    textwrap.dedent("""\
        check_all(visible_cases)
        ### BEGIN HIDDEN TESTS
        hidden_cases = [(3, 1), (7, 2), (11, 5)]
        check_all(hidden_cases)
        check_all(visible_cases)
        pass
        ### END HIDDEN TESTS"""),
]


def leak_setup(tmp_path):
    repo = make_repo(tmp_path)
    registry, regions = registry_of(repo), regions_of(repo)
    source = tmp_path / "course" / "source" / "01_first"
    source.mkdir(parents=True)
    (source / "01_first.ipynb").write_text(notebook(SOURCE_NB))
    release = tmp_path / "course" / "release" / "01_first"
    stub = registry.stubbed_in("01_first")
    write_package(repo / "pkg", release / "pkg", repo, regions, stub, registry)
    (release / "01_first.ipynb").write_text(notebook([SOURCE_NB[0], "check_all(visible_cases)"]))
    secrets, skipped = collect_secrets(repo, regions, stub, release / "pkg",
                                       [source / "01_first.ipynb"])
    return release, secrets, skipped


def test_clean_release_has_no_leak(tmp_path):
    release, secrets, skipped = leak_setup(tmp_path)
    texts = {s.text for s in secrets}
    assert "position += index[i] * strides[i]" in texts
    assert "hidden_cases = [(3, 1), (7, 2), (11, 5)]" in texts
    assert "return position" in texts  # 14 characters: checked
    # trivial lines are not checked; nor are hidden lines also in the visible notebook
    assert "pass" not in texts and "check_all(visible_cases)" not in texts
    assert skipped == 2
    leaks, files = scan_release(release, secrets)
    assert leaks == [] and files == 4


def test_planted_solution_lines_are_caught(tmp_path):
    release, secrets, _ = leak_setup(tmp_path)
    helper = release / "pkg" / "helpers.py"
    helper.write_text("def f(index, strides):\n"
                      "    for i in range(len(index)):\n"
                      "        position  +=   index[i] * strides[i]   # the same, spaced\n")
    leaks, _ = scan_release(release, secrets)
    assert [str(leak) for leak in leaks] == [
        "01_first/pkg/helpers.py:2: 2 of the 4 checked lines of the solution of task 1.1 "
        "(index_of) at pkg/core.py:6: 'for i in range(len(index)):' (pkg/core.py:8); "
        "'position += index[i] * strides[i]' (pkg/core.py:9)"]


def test_one_common_line_of_a_longer_region_is_not_a_leak(tmp_path):
    """A hint or a demo may quote one line of a region; two lines in one place leak."""
    release, secrets, _ = leak_setup(tmp_path)
    (release / "01_first.ipynb").write_text(notebook([
        "for i in range(len(index)):\n    print(i)",  # one line of 1.1's region
        "position += index[i] * strides[i]",  # another, in another cell
    ]))
    leaks, _ = scan_release(release, secrets)
    assert leaks == []


def test_a_one_line_solution_shown_anywhere_is_a_leak(tmp_path):
    release, secrets, _ = leak_setup(tmp_path)
    (release / "01_first.ipynb").write_text(notebook([
        SOURCE_NB[0], "# like this:\n#    return Grid(self.shape[i] for i in order)"]))
    leaks, _ = scan_release(release, secrets)
    assert [(leak.where, leak.block) for leak in leaks] == [
        ("01_first/01_first.ipynb, cell 1",
         "the solution of task 1.2 (Grid.permute) at pkg/core.py:21")]


def test_solution_in_the_source_notebooks_visible_text_is_still_a_leak(tmp_path):
    """Region lines are not excused by the notebooks' visible text: a lecture cell that
    shows the solution gives it away."""
    repo = make_repo(tmp_path)
    registry, regions = registry_of(repo), regions_of(repo)
    source = tmp_path / "nb.ipynb"
    shown = "class Times:\n    def backward(ctx, grad):\n        a, b = ctx.saved_values\n" \
            "        return grad * b, grad * a"
    source.write_text(notebook([shown]))
    release = tmp_path / "release" / "02_second"
    write_package(repo / "pkg", release / "pkg", repo, regions, {"2.1"}, registry)
    (release / "nb.ipynb").write_text(notebook([shown]))
    secrets, _ = collect_secrets(repo, regions, {"2.1"}, release / "pkg", [source])
    leaks, _ = scan_release(release, secrets)
    assert [(leak.where, leak.block) for leak in leaks] == [
        ("02_second/nb.ipynb, cell 0",
         "the solution of task 2.1 (Mul.backward) at pkg/ops.py:4")]


def test_planted_hidden_test_in_a_notebook_is_caught(tmp_path):
    release, secrets, _ = leak_setup(tmp_path)
    (release / "01_first.ipynb").write_text(notebook([
        SOURCE_NB[0], "hidden_cases = [(3, 1), (7, 2), (11, 5)]\ncheck_all(hidden_cases)"]))
    leaks, _ = scan_release(release, secrets)
    assert len(leaks) == 1
    assert leaks[0].where == "01_first/01_first.ipynb, cell 1"
    assert leaks[0].block == "the hidden tests of 01_first.ipynb cell 1"
    assert len(leaks[0].lines) == 2


def test_outputs_are_scanned_too(tmp_path):
    release, secrets, _ = leak_setup(tmp_path)
    cells = json.loads(notebook([SOURCE_NB[0]]))
    cells["cells"][0]["outputs"] = [{"output_type": "stream", "name": "stdout",
                                     "text": "a, b = ctx.saved_values\n"
                                             "return grad * b, grad * a\n"}]
    (release / "01_first.ipynb").write_text(json.dumps(cells))
    leaks, _ = scan_release(release, secrets)
    assert [leak.where for leak in leaks] == ["01_first/01_first.ipynb, cell 0"]


def test_misspelt_hidden_marker_still_marks_secret_lines(tmp_path):
    path = tmp_path / "nb.ipynb"
    path.write_text(notebook(["x = 1\n### BEGIN HIDDEN TEST\nsecret_value = 42\n"
                              "### END HIDDEN TEST\ny = 2"]))
    parts = notebook_parts(path)
    assert [line for _, line in parts.hidden] == ["secret_value = 42"]
    assert parts.public == ["x = 1", "y = 2"]


def test_normalize_collapses_whitespace():
    assert normalize("   a  =\tb   + c  ") == "a = b + c"
