"""Grading gives the earlier assignments' tasks the course's reference code (autograder.restore),
so that a grade of an assignment depends only on its own tasks, whatever a student carried in.

The unit tests work on the real course's 05 release, written from the reference package
(autograder.regions.write_package, as `autograder release` writes it); the expected files are
that release with the test's own edits, never what the code under test wrote. The end-to-end
test grades 02 through the engine (slow).
"""

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from course_copy import copy_course

from autograder.bundle import read_bundle, write_bundle
from autograder.check import _answered
from autograder.course import Course
from autograder.engine import Runner, grade_submission, isolation, record_expected
from autograder.regions import find_regions, stub_task, write_package
from autograder.restore import from_plain, references, restore, to_plain
from autograder.sandbox import Limits
from autograder.spec import from_course
from autograder.submissions import Submission

ROOT = Path(__file__).resolve().parent.parent
COURSE = Course.load(ROOT / "course", ROOT / "minitorch")
REGIONS = find_regions(COURSE.package, COURSE.repo, COURSE.registry)
TENSOR_DATA = "minitorch/tensor_data.py"
FUNCTIONAL = "minitorch/nn/functional.py"
# shape_broadcast's classic bug: the first shape wins (every hidden test that broadcasts fails)
WRONG_SHAPE_BROADCAST = "    return tuple(shape1)\n"


def reference_code(task: str, which: int = 0) -> str:
    """The reference's code of a task's `which`-th region, as the release keeps it (the
    lines between its markers)."""
    region = [r for r in REGIONS if r.task == task][which]
    lines = (COURSE.repo / region.file).read_text().splitlines(keepends=True)
    return "".join(lines[region.begin:region.end - 1])


def plant(path: Path, task: str, code: str, which: int = 0) -> None:
    """Replace the reference's code of `task` in `path` by `code` (what a student carried)."""
    text = path.read_text()
    assert text.count(reference_code(task, which)) == 1
    path.write_text(text.replace(reference_code(task, which), code))


def solve(path: Path, task: str, code: str) -> None:
    """Replace the first stub line of `task` in `path` by `code` (the student's own work)."""
    lines = path.read_text().splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if (stub_task(line) or ("",))[0] == task)
    lines[at] = code
    path.write_text("".join(lines))


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    """05_training's release: the folder holding its student package."""
    folder = tmp_path_factory.mktemp("release")
    write_package(COURSE.package, folder / "minitorch", COURSE.repo, REGIONS,
                  COURSE.registry.stubbed_in("05_training"), COURSE.registry)
    return folder


@pytest.fixture(scope="module")
def refs():
    return references(COURSE, "05_training")


@pytest.fixture
def job(release, tmp_path) -> Path:
    """A job's folder holding a fresh copy of the release, as `stage` leaves a submission."""
    shutil.copytree(release, tmp_path / "job")
    return tmp_path / "job"


def test_the_earlier_tasks_are_those_of_01_to_04_that_have_code_in_the_package(refs):
    registry = COURSE.registry
    wanted = {t.id for name in ("01_tensors", "02_autograd", "03_modules", "04_fast")
              for t in registry.tasks_of(name) if t.file}
    assert {r.slot.task for r in refs} == wanted
    assert references(COURSE, "01_tensors") == ()


def test_a_carried_bug_gets_the_reference_back_and_this_assignments_code_stays(job, release,
                                                                              refs):
    mine = "    return minitorch.tensor(0.0)  # mine\n"
    plant(job / TENSOR_DATA, "1.4", WRONG_SHAPE_BROADCAST)
    plant(job / FUNCTIONAL, "3.6", "    return input  # carried\n")
    solve(job / FUNCTIONAL, "5.3", mine)
    expected_functional = (release / FUNCTIONAL).read_text()
    stub = next(line for line in expected_functional.splitlines(keepends=True)
                if (stub_task(line) or ("",))[0] == "5.3")
    expected_functional = expected_functional.replace(stub, mine)

    assert restore(job, refs) == []
    assert (job / TENSOR_DATA).read_bytes() == (release / TENSOR_DATA).read_bytes()
    assert (job / FUNCTIONAL).read_text() == expected_functional


def test_the_slots_survive_a_grading_bundles_manifest(job, release, refs):
    plant(job / TENSOR_DATA, "1.4", WRONG_SHAPE_BROADCAST)
    assert restore(job, from_plain(json.loads(json.dumps(to_plain(refs))))) == []
    assert (job / TENSOR_DATA).read_bytes() == (release / TENSOR_DATA).read_bytes()


def test_a_grading_bundle_carries_the_slots(job, release, refs, tmp_path, monkeypatch):
    """A bundle (grading where the course is not) restores as the course does. The reference
    run is skipped: its results are not what is tested."""
    import autograder.grade

    monkeypatch.setattr(autograder.grade, "reference_results", lambda *a: {})
    course = Course.load(copy_course(tmp_path), COURSE.package)
    write_bundle(course, "05_training", tmp_path / "bundle", Limits(), say=lambda *_: None)
    spec, _ = read_bundle(tmp_path / "bundle", "05_training")
    assert spec.restore == refs
    plant(job / TENSOR_DATA, "1.4", WRONG_SHAPE_BROADCAST)
    assert restore(job, spec.restore) == []
    assert (job / TENSOR_DATA).read_bytes() == (release / TENSOR_DATA).read_bytes()


def test_edits_around_a_task_keep_the_students_code_for_it_alone_and_say_so(job, release,
                                                                           refs):
    plant(job / TENSOR_DATA, "1.1", "    return 0\n")
    plant(job / TENSOR_DATA, "1.4", WRONG_SHAPE_BROADCAST)
    text = (job / TENSOR_DATA).read_text()
    edited = text.replace("def shape_broadcast(", "def shape_broadcast(  # my notes\n    ", 1)
    assert edited != text
    (job / TENSOR_DATA).write_text(edited)

    notes = restore(job, refs)
    assert len(notes) == 1
    assert "Task 1.4 (shape_broadcast)" in notes[0] and "your code" in notes[0]
    assert "differ from the release" in notes[0]
    restored = (job / TENSOR_DATA).read_text()
    assert WRONG_SHAPE_BROADCAST in restored
    assert reference_code("1.1") in restored


def test_the_reference_package_itself_is_left_byte_for_byte(tmp_path, refs):
    """What `autograder check` submits as the reference keeps its solution markers: no
    change (its files stay those whose compiled kernels the grader shares)."""
    shutil.copytree(COURSE.package, tmp_path / "minitorch",
                    ignore=shutil.ignore_patterns("__pycache__"))
    assert restore(tmp_path, refs) == []
    for rel in {r.slot.file for r in refs}:
        assert (tmp_path / rel).read_bytes() == (COURSE.repo / rel).read_bytes()


def test_a_missing_file_or_package_keeps_the_submission_as_it_is(job, refs):
    (job / TENSOR_DATA).unlink()
    notes = restore(job, refs)
    assert {n.split(" (")[0] for n in notes} == {f"Task 1.{i}" for i in range(1, 6)}
    assert all(f"{TENSOR_DATA} is missing" in n for n in notes)
    assert not (job / TENSOR_DATA).exists()
    shutil.rmtree(job / "minitorch")
    assert "no minitorch/ folder" in restore(job, refs)[0]


HOSTILE = {
    "nested parentheses": "x = " + "(" * 100_000 + ")" * 100_000 + "\n",
    "a deep expression": "x = " + "1+" * 200_000 + "1\n",
    "a null byte": "def shape_broadcast(a, b):\n    return a\x00\n",
    "not UTF-8": "x = '\xff'\n",
}


@pytest.mark.parametrize("content", HOSTILE.values(), ids=HOSTILE.keys())
def test_unparsable_files_are_kept_as_submitted(job, refs, content):
    data = content.encode("latin-1")
    (job / TENSOR_DATA).write_bytes(data)
    notes = restore(job, refs)
    assert len(notes) == 5 and all("1." in n.split(" (")[0] for n in notes)
    assert (job / TENSOR_DATA).read_bytes() == data


def test_a_huge_file_is_not_read(job, refs):
    huge = b"# padding\n" * 1_000_000  # 10 MB
    (job / TENSOR_DATA).write_bytes(huge)
    notes = restore(job, refs)
    assert len(notes) == 5 and all("over 1 MiB" in n for n in notes)
    assert (job / TENSOR_DATA).stat().st_size == len(huge)


def test_links_are_never_followed(job, release, refs, tmp_path):
    """A link in place of a file, or of the package's folder, is left as it is and what it
    points at is neither read into the grade nor written."""
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "tensor_data.py"
    shutil.copy(release / TENSOR_DATA, target)
    plant(target, "1.4", WRONG_SHAPE_BROADCAST)
    before = target.read_bytes()
    (job / TENSOR_DATA).unlink()
    (job / TENSOR_DATA).symlink_to(target)
    notes = restore(job, refs)
    assert len(notes) == 5 and all("a link" in n for n in notes)
    assert (job / TENSOR_DATA).is_symlink() and target.read_bytes() == before

    shutil.copytree(job / "minitorch", outside / "minitorch", symlinks=True)
    (outside / "minitorch" / "tensor_data.py").unlink()
    shutil.copy(target, outside / "minitorch" / "tensor_data.py")
    shutil.rmtree(job / "minitorch")
    (job / "minitorch").symlink_to(outside / "minitorch")
    assert "no minitorch/ folder" in restore(job, refs)[0]
    assert (outside / "minitorch" / "tensor_data.py").read_bytes() == before


def test_a_fifo_does_not_block(job, refs):
    (job / TENSOR_DATA).unlink()
    os.mkfifo(job / TENSOR_DATA)
    notes = restore(job, refs)
    assert len(notes) == 5 and all("not a plain file" in n for n in notes)


@pytest.mark.slow
def test_a_carried_bug_costs_no_points_in_a_later_assignment(tmp_path):
    """02 graded through the engine: a submission that carries a wrong shape_broadcast (1.4)
    scores what the reference scores; graded without the restore, the same submission loses
    points (so the bug is one that 02's hidden tests catch)."""
    assignment = "02_autograd"
    limits = Limits(cell_seconds=60, notebook_seconds=300, memory_bytes=2048 << 20)
    spec = from_course(COURSE, assignment)
    runs = tmp_path / "runs"
    runs.mkdir(mode=0o755)
    expected = record_expected(spec, Runner(isolation(), limits, runs), tmp_path / "cache")
    folder = tmp_path / "carried"
    for source in COURSE.notebooks(assignment):
        folder.mkdir(exist_ok=True)
        _answered(source, source, folder / source.name)
    write_package(COURSE.package, folder / "minitorch", COURSE.repo, REGIONS, set(),
                  COURSE.registry)
    plant(folder / TENSOR_DATA, "1.4", WRONG_SHAPE_BROADCAST)
    full = sum(test.max_score for test in spec.tests)
    scores = {}
    for name, graded_spec in (("restored", spec), ("as submitted", replace(spec, restore=()))):
        graded = grade_submission(graded_spec.portable(expected), Submission("ada", folder),
                                  expected, limits)
        scores[name] = (sum(test.score for test in graded.tests), graded.notes)
    assert scores["restored"] == (full, [])
    assert scores["as submitted"][0] < full
