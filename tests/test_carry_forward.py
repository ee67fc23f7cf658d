"""Carry forward (autograder.carry): a student's own code for the earlier assignments' tasks,
written into a later assignment's package in place of the reference's, and undone.

A tiny synthetic course (two assignments, three tasks, one of them in two methods) is released
with the real stub format (autograder.regions.write_package); the student's folders are copies
of its releases with stubs replaced. One test runs the real course's releases. No notebook
runs and nothing is compiled: the whole file takes a few seconds.
"""

import filecmp
import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from autograder.carry import BACKUP, MANIFEST, main, provenance
from autograder.carry import carry as run_carry
from autograder.regions import find_regions, stub_task, write_package
from autograder.tasks import load_registry

REPO = Path(__file__).resolve().parent.parent

TASKS = """\
[assignments]
"01_first" = "1"
"02_second" = "2"

[tasks."1.1"]
name = "index_of"
file = "minitorch/core.py"
points = 5

[tasks."1.2"]
name = "Grid.permute"
file = "minitorch/core.py"
points = 5

[tasks."2.1"]
name = "double"
file = "minitorch/ops.py"
points = 5
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
        """The grid with its dimensions in `order`."""
        # BEGIN SOLUTION 1.2
        return Grid(self.shape[i] for i in order)
        # END SOLUTION

    def transpose(self):
        # BEGIN SOLUTION 1.2
        return self.permute(*reversed(range(len(self.shape))))
        # END SOLUTION
'''

OPS = '''\
def double(x):
    # BEGIN SOLUTION 2.1
    return 2 * x
    # END SOLUTION
'''

# The student's own index_of: not the reference's code, the same results.
MINE = "    return sum(i * s for i, s in zip(index, strides))  # mine\n"


@pytest.fixture
def course(tmp_path: Path) -> dict[str, Path]:
    """release/<assignment>/ as `autograder release` writes it; workspace/<assignment>/ as
    fetched (a copy of the release, nothing solved yet)."""
    reference = tmp_path / "reference"
    (reference / "minitorch").mkdir(parents=True)
    (reference / "minitorch" / "__init__.py").write_text("")
    (reference / "minitorch" / "core.py").write_text(CORE)
    (reference / "minitorch" / "ops.py").write_text(OPS)
    (reference / "tasks.toml").write_text(TASKS)
    registry = load_registry(reference / "tasks.toml", reference)
    regions = find_regions(reference / "minitorch", reference, registry)
    for name in registry.assignments:
        write_package(reference / "minitorch", tmp_path / "release" / name / "minitorch",
                      reference, regions, registry.stubbed_in(name), registry)
        shutil.copytree(tmp_path / "release" / name, tmp_path / "workspace" / name)
    return {"release": tmp_path / "release", "workspace": tmp_path / "workspace",
            "target": tmp_path / "workspace" / "02_second"}


def solve(path: Path, task: str, code: str, which: int = 0) -> None:
    """Replace the `which`-th stub line of `task` in `path` by `code` (the student's work)."""
    lines = path.read_text().splitlines(keepends=True)
    at = [n for n, line in enumerate(lines) if (stub_task(line) or ("",))[0] == task][which]
    lines[at] = code
    path.write_text("".join(lines))


def carry(course, undo=False) -> list[str]:
    return run_carry(course["workspace"], course["release"], "02_second", undo=undo)


def manifest(course) -> dict:
    return json.loads((course["target"] / MANIFEST).read_text())["tasks"]


def load_core(folder: Path):
    spec = importlib.util.spec_from_file_location("carried_core", folder / "minitorch/core.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def same_package(a: Path, b: Path) -> bool:
    """Byte-equal .py files under two packages."""
    files = sorted(p.relative_to(a) for p in a.rglob("*.py"))
    assert files == sorted(p.relative_to(b) for p in b.rglob("*.py"))
    return all(filecmp.cmp(a / f, b / f, shallow=False) for f in files)


def test_carry_writes_the_students_code_and_the_manifest_says_whose(course):
    solve(course["workspace"] / "01_first/minitorch/core.py", "1.1", MINE)
    report = carry(course)

    core = (course["target"] / "minitorch/core.py").read_text()
    assert MINE in core and "position += index[i] * strides[i]" not in core
    assert load_core(course["target"]).index_of((1, 2), (3, 1)) == 1 * 3 + 2 * 1
    # 1.2 is still a stub in 01_first: the target keeps the reference's permute.
    assert load_core(course["target"]).Grid((2, 3, 4)).permute(2, 0, 1).shape == (4, 2, 3)
    tasks = manifest(course)
    assert tasks["1.1"]["state"] == "carried" and tasks["1.1"]["from"] == "01_first"
    assert tasks["1.2"]["state"] == "reference" and "still a stub" in tasks["1.2"]["why"]
    assert "2.1" not in tasks  # the target's own task is not carried
    assert any(line.startswith("  1.1 index_of: yours, from 01_first/minitorch/core.py")
               for line in report)
    assert any("1.2 Grid.permute: kept the reference: still a stub" in line for line in report)


def test_carry_clears_numbas_cache_of_the_package(course):
    """A cached kernel would go on running the replaced code of a function it calls."""
    solve(course["workspace"] / "01_first/minitorch/core.py", "1.1", MINE)
    cache = course["target"] / "minitorch/__pycache__"
    cache.mkdir()
    (cache / "ops.double-1.py312.nbi").write_bytes(b"index")
    (cache / "ops.double-1.py312.1.nbc").write_bytes(b"kernel")
    (cache / "ops.cpython-312.pyc").write_bytes(b"bytecode")
    carry(course)
    assert sorted(p.name for p in cache.iterdir()) == ["ops.cpython-312.pyc"]


def test_undo_restores_the_release_and_the_backup_holds_what_was_there(course):
    solve(course["workspace"] / "01_first/minitorch/core.py", "1.1", MINE)
    carry(course)
    report = carry(course, undo=True)

    assert same_package(course["target"] / "minitorch", course["release"] / "02_second/minitorch")
    assert not (course["target"] / MANIFEST).exists()
    assert any("1.1 index_of: the reference again" in line for line in report)
    backups = sorted((course["workspace"] / BACKUP).iterdir())
    assert len(backups) == 2  # one per run that changed a file, never overwritten
    assert filecmp.cmp(backups[0] / "minitorch/core.py",
                       course["release"] / "02_second/minitorch/core.py", shallow=False)
    assert MINE in (backups[1] / "minitorch/core.py").read_text()


def test_a_target_edited_by_the_student_is_left_as_it_is(course):
    solve(course["workspace"] / "01_first/minitorch/core.py", "1.1", MINE)
    core = course["target"] / "minitorch/core.py"
    edited = core.read_text().replace("    return position\n",
                                      "    return position  # my change in 02\n")
    core.write_text(edited)
    report = carry(course)

    assert core.read_text() == edited
    assert manifest(course)["1.1"]["state"] == "edited"
    assert any("1.1 index_of: left as is" in line for line in report)
    assert not (course["workspace"] / BACKUP).exists()  # nothing changed, nothing backed up


def test_a_missing_earlier_folder_keeps_the_reference(course):
    shutil.rmtree(course["workspace"] / "01_first")
    report = carry(course)

    assert same_package(course["target"] / "minitorch", course["release"] / "02_second/minitorch")
    assert {entry["state"] for entry in manifest(course).values()} == {"reference"}
    assert all("01_first/ is not in your workspace" in line for line in report)


def test_edits_around_the_task_in_the_earlier_folder_keep_the_reference(course):
    earlier = course["workspace"] / "01_first/minitorch/core.py"
    solve(earlier, "1.1", MINE)
    earlier.write_text(earlier.read_text().replace("Position of an index.", "My docstring."))
    report = carry(course)

    assert MINE not in (course["target"] / "minitorch/core.py").read_text()
    assert any("1.1 index_of: kept the reference" in line and "differ" in line
               for line in report)


def test_a_task_in_two_places_is_carried_whole_or_not_at_all(course):
    earlier = course["workspace"] / "01_first/minitorch/core.py"
    solve(earlier, "1.2", "        return Grid([self.shape[i] for i in order])  # mine\n")
    carry(course)
    assert "# mine" not in (course["target"] / "minitorch/core.py").read_text()

    solve(earlier, "1.2", "        return self.permute(*range(len(self.shape))[::-1])  # mine\n")
    carry(course)
    grid = load_core(course["target"]).Grid((2, 3, 4))
    assert (course["target"] / "minitorch/core.py").read_text().count("# mine") == 2
    assert grid.permute(1, 2, 0).shape == (3, 4, 2) and grid.transpose().shape == (4, 3, 2)
    assert manifest(course)["1.2"]["state"] == "carried"


def test_carrying_again_takes_the_new_code_and_undo_keeps_later_edits(course):
    earlier = course["workspace"] / "01_first/minitorch/core.py"
    solve(earlier, "1.1", MINE)
    carry(course)
    newer = "    return sum(map(lambda p: p[0] * p[1], zip(index, strides)))  # newer\n"
    earlier.write_text(earlier.read_text().replace(MINE, newer))
    carry(course)
    core = course["target"] / "minitorch/core.py"
    assert newer in core.read_text() and MINE not in core.read_text()

    core.write_text(core.read_text().replace("# newer", "# newer, edited in 02"))
    edited = core.read_text()
    report = carry(course, undo=True)
    assert core.read_text() == edited
    assert any("1.1 index_of: left as is" in line for line in report)
    assert manifest(course)["1.1"]["state"] == "carried"  # still there for a later undo


def test_provenance_lists_whose_code_each_task_runs(course):
    assert "reference code" in provenance(course["target"], own=["2.1"])
    solve(course["workspace"] / "01_first/minitorch/core.py", "1.1", MINE)
    carry(course)
    lines = provenance(course["target"], own=["2.1"]).splitlines()
    assert lines[0].split()[:3] == ["1.1", "yours,", "from"]
    assert lines[1].split()[:4] == ["1.2", "kept", "the", "reference:"]
    assert lines[2].split()[:3] == ["2.1", "not", "yet:"]


def test_the_command_says_what_is_missing(course, capsys):
    args = ["--workspace", str(course["workspace"]), "--release", str(course["release"])]
    assert main(["03_third", *args]) == 1
    assert "no assignment '03_third'" in capsys.readouterr().err
    shutil.rmtree(course["target"])
    assert main(["02_second", *args]) == 1
    assert "fetch 02_second first" in capsys.readouterr().err


def test_the_whole_course_solved_as_the_reference_carries_into_the_last_assignment(tmp_path):
    """Every earlier task of the real course is found in its own release, in the student's
    folder and in the last release: carrying reference-equal work reproduces that release."""
    registry = load_registry(REPO / "course/tasks.toml", REPO)
    regions = find_regions(REPO / "minitorch", REPO, registry)
    names = list(registry.assignments)
    last = names[-1]
    for name in names:
        stubbed = registry.stubbed_in(name)
        write_package(REPO / "minitorch", tmp_path / "release" / name / "minitorch", REPO,
                      regions, stubbed, registry)
        solved = {task.id for task in registry.tasks_of(name)} if name != last else set()
        write_package(REPO / "minitorch", tmp_path / "workspace" / name / "minitorch", REPO,
                      regions, stubbed - solved, registry)
    run_carry(tmp_path / "workspace", tmp_path / "release", last)

    tasks = json.loads((tmp_path / "workspace" / last / MANIFEST).read_text())["tasks"]
    earlier = {task for name in names[:-1] for task in  # (a notebook cell's task stays there)
               (t.id for t in registry.tasks_of(name) if not t.cell)}
    assert set(tasks) == earlier
    assert {entry["state"] for entry in tasks.values()} == {"carried"}
    assert same_package(tmp_path / "workspace" / last / "minitorch",
                        tmp_path / "release" / last / "minitorch")
