"""The hostile suite: real submissions built from the release, graded in one batch through the
CLI, each checked for the exact points it must get, and the batch for surviving them all. The
batch is graded on two roads at once, on this machine and through a local Dask cluster
(`--cluster`), and every check holds on both.

Expected points come from the course, not from the grader: full marks for the reference, zero
for the release, and for a wrong task the points of every task that neither is it nor needs it
(tasks.toml `needs`). A hostile submission scores what its honest part earns and nothing more.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
from importlib.util import find_spec
from pathlib import Path

import pytest
from course_copy import copy_course
from dask_cluster import Cluster

from autograder.check import _answered
from autograder.course import notebook_parts
from autograder.leaks import MIN_CHARS, normalize
from autograder.sandbox import detect
from autograder.tasks import load_registry

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
AUTOGRADER = Path(sys.executable).parent / "autograder"
ASSIGNMENT = "01_tensors"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
LIMITS = ["--cell-timeout", "20", "--notebook-timeout", "240", "--memory", "2048",
          "--processes", "200", "--output", "512"]
REGISTRY = load_registry(ROOT / "course" / "tasks.toml", root=ROOT)
POINTS = {t.id: float(t.points) for t in REGISTRY.tasks_of(ASSIGNMENT)}
FULL = sum(POINTS.values())
GROUPS_1_9 = dict(REGISTRY.tasks["1.9"].groups)


def without(task: str) -> float:
    """The score of a submission whose only fault is `task`."""
    lost = {task} | REGISTRY.dependents(task)
    return sum(p for t, p in POINTS.items() if t not in lost)


def run_autograder(course: Path, *args: str, timeout: float = 1500):
    return subprocess.run([str(AUTOGRADER), "--course", str(course), "--package",
                           str(ROOT / "minitorch"), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=course.parent)


def run_autograders(course: Path, commands: dict[str, list[str]], logs: Path,
                    timeout: float = 1500) -> dict[str, subprocess.CompletedProcess]:
    """Run `autograder` with each of the `commands`' arguments, all at once; what each printed
    (its stdout and stderr, kept in `logs`), as run_autograder gives it."""
    running = {}
    for name, args in commands.items():
        argv = [str(AUTOGRADER), "--course", str(course), "--package", str(ROOT / "minitorch"),
                *args]
        with open(logs / f"{name}.out", "wb") as out, open(logs / f"{name}.err", "wb") as err:
            running[name] = subprocess.Popen(argv, stdout=out, stderr=err, cwd=course.parent)
    deadline = time.monotonic() + timeout
    try:
        for process in running.values():
            process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        for process in running.values():
            process.kill()
            process.wait()
    return {name: subprocess.CompletedProcess(
        process.args, process.returncode, (logs / f"{name}.out").read_text(errors="replace"),
        (logs / f"{name}.err").read_text(errors="replace")) for name, process in running.items()}


def code_cell(source: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
            "execution_count": None}


class Builder:
    """Makes submission folders of `assignment` from its release (stubs) and the answered
    reference."""

    def __init__(self, course: Path, folder: Path, assignment: str = ASSIGNMENT):
        self.notebook = f"{assignment}.ipynb"
        self.release = course / "release" / assignment
        self.source = course / "source" / assignment / self.notebook
        self.folder = folder
        self.answered = folder.parent / "answered.ipynb"
        _answered(self.release / self.notebook, self.source, self.answered)

    def make(self, student: str, *, package: str = "reference", notebook: bool = True,
             cells_after_setup: tuple[str, ...] = (), last_cell: str | None = None,
             edit=None) -> Path:
        path = self.folder / student
        path.mkdir(parents=True)
        if package == "reference":
            shutil.copytree(ROOT / "minitorch", path / "minitorch",
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copytree(self.release / "minitorch", path / "minitorch")
        if notebook:
            nb = json.loads((self.answered if package == "reference" else
                             self.release / self.notebook).read_text())
            setup = next(i for i, c in enumerate(nb["cells"])
                         if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup")
            for offset, source in enumerate(cells_after_setup, start=1):
                nb["cells"].insert(setup + offset, code_cell(source))
            if last_cell:
                nb["cells"].append(code_cell(last_cell))
            if edit:
                edit(nb)
            (path / self.notebook).write_text(json.dumps(nb))
        return path

    def append_to_package(self, student: str, module: str, text: str) -> None:
        with open(self.folder / student / "minitorch" / module, "a") as handle:
            handle.write("\n" + text + "\n")


SNOOP = """
import os
for path in {paths!r}:
    try:
        with open(path, "rb") as handle:
            handle.read(100)
        print("READ", path)
    except OSError as error:
        print("DENIED", path, type(error).__name__)
for folder in {folders!r}:
    try:
        print("LISTED", folder, os.listdir(folder)[:3])
    except OSError as error:
        print("DENIED", folder, type(error).__name__)
"""

ESCAPE = """
for path in {paths!r}:
    try:
        with open(path, "w") as handle:
            handle.write("escaped")
        print("WROTE", path)
    except OSError as error:
        print("DENIED", path, type(error).__name__)
"""

COPYCAT = """
import glob, os
def words(path):
    try:
        with open(path, "rb") as handle:
            return handle.read(100000).replace(b"\\0", b" ").decode(errors="replace").split()
    except OSError as error:
        return [type(error).__name__]
cmdline, mounts = words("/proc/1/cmdline"), words("/proc/self/mountinfo")
print("CMDLINE:", " ".join(cmdline[:3]))
paths = sorted({w for w in cmdline + mounts + words("/proc/1/environ") if "/" in w})
print("PATHS:", " ".join(paths))
folders = {os.path.dirname(p.partition("=")[2] or p) for p in paths}
guesses = [p for f in folders if f.startswith("/tmp") for p in glob.glob(f + "/../*/*")]
guesses += glob.glob("/tmp/autograder-grade-*/*/*/*") + glob.glob("/tmp/autograder-grade-*/*/*")
# The Python install and the autograder package are mounted read-only for every job (their
# paths depend on where the grader runs): what matters is what lies outside them.
import sys, autograder
installed = tuple(os.path.realpath(p) for p in (sys.prefix, sys.base_prefix,
                                                  os.path.dirname(autograder.__file__)))
print("GUESSES:", len([g for g in guesses if not os.path.realpath(g).startswith(installed)]))
records = os.environ["AUTOGRADER_RECORD"].partition(":")[2]
for target in guesses + ["/grading/../etc/passwd"]:
    for mine in (records, os.path.join(os.getcwd(), "{notebook}")):
        try:
            os.remove(mine)
        except OSError:
            pass
        try:
            os.symlink(target, mine)
        except OSError:
            pass
"""

FIFOS_AND_DEVICES = """
import os
root = os.path.dirname(os.environ["AUTOGRADER_RECORD"].partition(":")[2])
for folder, _, names in os.walk(root):
    for name in names:
        path = os.path.join(folder, name)
        try:
            os.remove(path)
            if name.endswith(".jsonl") or name.endswith(".ipynb"):
                os.mkfifo(path)
            else:
                os.symlink("/dev/zero", path)
        except OSError as error:
            print("could not replace", path, error)
print("replaced everything with FIFOs and links to /dev/zero")
"""

FORK = """
import os, time
children = 0
try:
    for _ in range(10_000):
        pid = os.fork()
        if pid == 0:
            time.sleep(300)
            os._exit(0)
        children += 1
except OSError as error:
    print("fork refused after", children, "children:", error)
"""

PATCHES = {
    "patch_traceback": "ip = get_ipython()\nip.showtraceback = lambda *a, **k: None\n"
                       "ip._showtraceback = lambda *a, **k: None\n"
                       "import sys\nsys.excepthook = lambda *a: None",
    "patch_assertion": "import builtins\n"
                       "builtins.AssertionError = type('Nothing', (Exception,), {})\n"
                       "builtins.NotImplementedError = builtins.AssertionError",
    "patch_numpy": "import numpy, numpy.testing\nnumpy.testing.assert_allclose = "
                   "lambda *a, **k: None\nnumpy.allclose = lambda *a, **k: True",
    "forge_expected": "import autograder.notebook as _n\n_real = _n.check\n"
                      "def check(task, cases, student, expected, **kw):\n"
                      "    return _real(task, cases, student=expected, expected=expected, **kw)\n"
                      "_n.check = check",
    "patch_check": "import autograder.notebook as n\n"
                   "n.check = lambda task, *a, **k: print(f'Task {task}: all cases pass.')\n"
                   "check = n.check",
}


def delete_and_edit_tests(nb: dict) -> None:
    by_id = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id"): c for c in nb["cells"]}
    nb["cells"].remove(by_id["task_1_1"])
    by_id["task_1_2"]["source"] = "print('Task 1.2: all cases pass.')"
    by_id["task_1_3"]["metadata"]["nbgrader"]["grade_id"] = "renamed"


# The two roads a batch travels: `autograder grade` on this machine (--jobs 2), and through a
# local Dask cluster of two one-thread workers (autograder.cluster). Every test of the batch
# runs once per road, against the same submissions and expectations.
ROADS = ("here", "cluster")


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> tuple[Path, Builder]:
    """The assignment released once for the module; a Builder of the batch's submissions."""
    return released_course(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def batches(released):
    """Build the submissions; grade them all in one command on each road, both at once (the
    roads' waits, e.g. for time limits, overlap)."""
    build = released[1]
    course, subs = released[0], build.folder
    base = subs.parent
    outs = {road: base / f"graded-{road}" for road in ROADS}
    secret_paths = [str(course / "source" / ASSIGNMENT / NOTEBOOK),
                    *(str(out / "gradebook.db") for out in outs.values()),
                    str(subs / "reference" / NOTEBOOK), str(ROOT / "minitorch" / "tensor_data.py"),
                    str(ROOT / "course" / "tasks.toml")]
    # the last one, in /tmp, is the sandbox's own /tmp to write
    outside = [str(subs / "reference" / "planted.txt"),
               *(str(out / "planted.txt") for out in outs.values()),
               str(course / "planted.txt"), f"/tmp/planted-{os.getpid()}.txt"]
    secret_folders = [str(subs), str(course), *map(str, outs.values())]
    expected = {}

    def add(student, points, **kwargs):
        build.make(student, **kwargs)
        expected[student] = points

    add("reference", FULL)
    add("stubs", 0.0, package="release")
    add("one_wrong", without("1.2"))
    build.append_to_package("one_wrong", "tensor_data.py",
                            "def to_index(ordinal, shape, out_index):\n"
                            "    for i in range(len(shape)):\n        out_index[i] = 0")
    add("exit_in_cell", FULL, cells_after_setup=("import os\nos._exit(0)",))
    add("exit_in_import", 0.0)
    build.append_to_package("exit_in_import", "__init__.py", "import os\nos._exit(0)")
    add("infinite_loop", FULL, cells_after_setup=("while True:\n    pass",))
    add("memory_hog", FULL, cells_after_setup=(
        "def hog():\n    held = []\n    while True:\n        held.append(b'x' * (1 << 27))\n"
        "hog()",))
    add("fork_loop", FULL, cells_after_setup=(FORK,))
    add("huge_output", FULL, cells_after_setup=(
        "for _ in range(100):\n    print('x' * 1_000_000)",))
    for name, patch in PATCHES.items():
        add(name, 0.0, package="release", cells_after_setup=(patch,))
    # Partial credit: 1.9 splits its points (tasks.toml groups); batches unsupported.
    add("matrices_only", FULL - GROUPS_1_9["batched"])
    build.append_to_package(
        "matrices_only", "tensor_ops.py",
        "_reference_matmul = tensor_matmul\n\n"
        "def tensor_matmul(out, out_shape, *args):\n"
        "    if len(out_shape) > 2:\n"
        "        raise NotImplementedError('batches: next week')\n"
        "    _reference_matmul(out, out_shape, *args)")
    add("always_equal", without("1.1"))
    build.append_to_package(
        "always_equal", "tensor_data.py",
        "class _Anything(int):\n    def __eq__(self, other):\n        return True\n"
        "    def tolist(self):\n        return self\n\n"
        "_reference_index_to_position = index_to_position\n\n"
        "def index_to_position(index, strides):\n    return _Anything(7)")
    add("snoop", FULL, cells_after_setup=(
        SNOOP.format(paths=secret_paths, folders=secret_folders),))
    add("escape", FULL, cells_after_setup=(ESCAPE.format(paths=outside),))
    add("edited_tests", FULL, edit=delete_and_edit_tests)
    add("warnings", FULL, cells_after_setup=(
        "import sys, warnings\nwarnings.warn('old API', DeprecationWarning)\n"
        "print('a note on stderr', file=sys.stderr)",))
    build.append_to_package("warnings", "__init__.py",
                            "import warnings\nwarnings.warn('minitorch: slow path', UserWarning)")
    add("invalid_json", 0.0)
    (subs / "invalid_json" / NOTEBOOK).write_text('{"cells": [')
    add("missing_notebook", 0.0, notebook=False)
    add("extra_files", FULL)
    (subs / "extra_files" / "data.bin").write_bytes(os.urandom(4096))
    (subs / "extra_files" / "notes.txt").write_text("my notes")
    add("shadow_autograder", 0.0, package="release")
    fake = subs / "shadow_autograder" / "autograder"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "notebook.py").write_text(
        "def check(task, *args, **kwargs):\n    print(f'Task {task}: all cases pass.')\n")
    # A stub that looks for a classmate's job in what the sandbox shows (bwrap's command line,
    # the mount table) and links its own outputs there, while an honest, slow classmate runs.
    add("copycat", 0.0, package="release",
        cells_after_setup=(COPYCAT.replace("{notebook}", NOTEBOOK),))
    add("copycat_victim", FULL, cells_after_setup=(
        "import time\ntime.sleep(15)\nprint('CLASSMATE-MARKER-7f3a')",))
    # Its own outputs turned into a link to /dev/zero before any test ran: nothing recorded.
    add("records_to_dev_zero", 0.0, cells_after_setup=(
        "import os\npath = os.environ['AUTOGRADER_RECORD'].partition(':')[2]\n"
        "os.remove(path)\nos.symlink('/dev/zero', path)",))
    # After every test ran: every file of its folder a FIFO or a link to /dev/zero.
    add("fifos_at_the_end", FULL, last_cell=FIFOS_AND_DEVICES)
    # Ids the grader must refuse (skipped, the batch goes on) or keep apart from its files.
    for name in ("alice", "alice\n", "gradebook.db", "grades.csv", "gradebook.db-journal"):
        build.make(name)
    expected["alice"] = FULL
    add("reference-01_tensors", FULL)
    zipped = build.make("zipped_tmp")
    with zipfile.ZipFile(subs / "zipped.zip", "w") as bundle:
        for file in zipped.rglob("*"):
            bundle.write(file, Path("my-work") / file.relative_to(zipped))
    shutil.rmtree(zipped)
    expected["zipped"] = FULL

    roads = {"here": ("--jobs", "2")}
    cluster = None
    if find_spec("distributed"):
        cluster = Cluster(base)
        cluster.add_worker("w1")
        cluster.add_worker("w2")
        roads["cluster"] = ("--cluster", cluster.address)
    try:
        done = run_autograders(course, {
            road: ["grade", ASSIGNMENT, str(subs), "--out", str(outs[road]), *args,
                   "--no-progress", *LIMITS] for road, args in roads.items()}, base)
    finally:
        if cluster:
            cluster.close()
    return {road: {"road": road, "done": done[road], "out": outs[road], "expected": expected,
                   "course": course, "subs": subs, "outside": outside,
                   "secrets": len(secret_paths) + len(secret_folders)}
            for road in roads}


@pytest.fixture(params=ROADS)
def batch(request, batches):
    """The batch as graded on one road."""
    if request.param not in batches:
        pytest.skip("Dask's distributed is not installed (the `distributed` extra; make's dev "
                    "extra has it)")
    return batches[request.param]


def results(batch, student):
    return json.loads((batch["out"] / "students" / student / "results.json").read_text())


def feedback(batch, student):
    return (batch["out"] / "students" / student / "feedback.html").read_text()


def test_the_batch_finishes_and_says_which_isolation(batch):
    done = batch["done"]
    # 1: the unusable ids were skipped (and said so); every other submission was graded
    assert done.returncode == 1, done.stdout[-5000:] + done.stderr[-5000:]
    assert "not graded" not in done.stderr, done.stderr[-3000:]
    assert f"Isolation: {detect().describe()}" in done.stdout
    assert "bubblewrap" in done.stdout
    if batch["road"] == "cluster":
        assert "Grading on the Dask cluster: 2 workers" in done.stdout


def test_unusable_and_reserved_ids_are_skipped_with_the_reason(batch):
    stderr = batch["done"].stderr
    assert "'alice\\n' is not a usable student id" in stderr, stderr[-3000:]
    for name in ("gradebook.db", "grades.csv", "gradebook.db-journal"):
        assert f"'{name}' cannot be a student id" in stderr
    assert "5 skipped" not in stderr and "4 skipped" in stderr
    assert sorted(p.name for p in batch["out"].iterdir() if not p.name.startswith(".")) == [
        "gradebook.db", "grades.csv", "students"]
    assert (batch["out"] / "gradebook.db").is_file() and (batch["out"] / "grades.csv").is_file()


def test_a_copycat_sees_no_host_path_and_takes_nothing_from_a_classmate(batch):
    page = feedback(batch, "copycat")
    assert "CMDLINE: bwrap --args" in page and "GUESSES: 0" in page, page[-3000:]
    shown = next(line for line in page.splitlines() if line.startswith("PATHS: "))
    assert "/grading" in shown  # what it read is shown: the test would see a host path
    for secret in ("autograder-grade-", str(batch["subs"].parent), "copycat_victim"):
        assert secret not in shown, f"the sandbox shows {secret!r}"
    assert "CLASSMATE-MARKER-7f3a" not in page
    assert "CLASSMATE-MARKER-7f3a" in feedback(batch, "copycat_victim")
    assert results(batch, "copycat")["score"] == 0


def test_fifos_and_device_links_in_a_job_neither_block_nor_count(batch):
    assert "replaced everything with FIFOs" in feedback(batch, "fifos_at_the_end")
    assert results(batch, "fifos_at_the_end")["score"] == FULL
    assert results(batch, "records_to_dev_zero")["score"] == 0


def test_every_submission_gets_exactly_its_points(batch):
    got = {student: results(batch, student)["score"] for student in batch["expected"]}
    wrong = {s: (got[s], want) for s, want in batch["expected"].items() if got[s] != want}
    assert not wrong, f"(got, expected) by student: {wrong}\n{batch['done'].stdout[-3000:]}"


def test_grades_csv_and_gradebook_hold_every_student_once(batch):
    lines = (batch["out"] / "grades.csv").read_text().splitlines()
    students = [line.split(",")[0] for line in lines[1:]]
    assert sorted(students) == sorted(batch["expected"])
    for line in lines[1:]:
        student, *_, score, _ = line.split(",")
        assert float(score) == batch["expected"][student]
    with sqlite3.connect(batch["out"] / "gradebook.db") as db:
        rows = db.execute(
            "SELECT student.id, SUM(grade.auto_score) FROM grade "
            "JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = "
            "submitted_assignment.id JOIN student ON submitted_assignment.student_id = "
            "student.id GROUP BY student.id").fetchall()
    assert dict(rows) == batch["expected"]


def test_limits_are_reported_for_the_submission_that_hit_them(batch):
    hit = {s: set(results(batch, s)["extra_data"]["limits_hit"]) for s in batch["expected"]}
    assert "time limit (cell)" in hit["infinite_loop"]
    assert "kernel died" in hit["exit_in_cell"]
    assert "memory limit" in hit["memory_hog"]
    assert "output limit" in hit["huge_output"]
    assert "process limit" in hit["fork_loop"]
    assert not hit["reference"]
    assert "Submissions that hit a limit:" in batch["done"].stdout


def test_output_is_bounded(batch):
    for name in ("feedback.html", "results.json"):
        assert (batch["out"] / "students" / "huge_output" / name).stat().st_size < 3_000_000


def test_a_sandboxed_submission_reads_and_writes_nothing_of_others(batch):
    page = feedback(batch, "snoop")
    assert "READ " not in page and "LISTED " not in page, page[-3000:]
    assert page.count("DENIED ") == batch["secrets"]
    page = feedback(batch, "escape")
    for path in batch["outside"][:-1]:  # the sandbox's own /tmp is its to write
        assert f"WROTE {path}" not in page
    for path in batch["outside"]:
        assert not Path(path).exists(), f"{path} was written from inside the sandbox"


def test_fork_loop_is_refused_by_the_process_limit(batch):
    page = feedback(batch, "fork_loop")
    assert "fork refused after" in page and "processes running; they were stopped" in page


def test_warnings_on_stderr_reach_the_feedback_but_cost_nothing(batch):
    page = feedback(batch, "warnings")
    assert "a note on stderr" in page
    assert results(batch, "warnings")["score"] == FULL


def test_feedback_never_shows_hidden_tests(batch):
    course = batch["course"]
    parts = notebook_parts(course / "source" / ASSIGNMENT / NOTEBOOK)
    public = {normalize(line) for line in parts.public}
    hidden = {normalize(line) for _, line in parts.hidden
              if len(normalize(line).replace(" ", "")) >= MIN_CHARS} - public
    assert len(hidden) > 50
    for page in batch["out"].glob("students/*/feedback.html"):
        text = page.read_text()
        shown = [line for line in hidden if line in text]
        assert not shown, f"{page.parent.name}: {shown[:3]}"
        assert "BEGIN HIDDEN TESTS" not in text


def test_partial_credit_scores_each_group_of_a_task(batch):
    (test,) = [t for t in results(batch, "matrices_only")["tests"] if t["number"] == "1.9"]
    assert test["score"] == GROUPS_1_9["matrices"] and test["status"] == "failed"
    assert "passed: matrices" in test["output"] and "NotImplementedError: batches" in \
        test["output"]


def test_feedback_and_messages_name_the_failure(batch):
    wrong = results(batch, "one_wrong")
    failed = {t["number"]: t for t in wrong["tests"] if t["status"] == "failed"}
    assert "1.2" in failed and "case" in failed["1.2"]["output"]
    stubs = results(batch, "stubs")
    in_package = {t.id for t in REGISTRY.tasks_of(ASSIGNMENT) if t.file}  # not a notebook cell's
    assert all("NotImplementedError" in t["output"] for t in stubs["tests"]
               if t["number"] in in_package)
    assert "not a readable notebook" in results(batch, "invalid_json")["output"]
    assert "missing" in results(batch, "missing_notebook")["output"]


def test_regrading_skips_what_is_graded(batch):
    before = {p: p.stat().st_mtime_ns for p in batch["out"].glob("students/*/results.json")}
    done = run_autograder(batch["course"], "grade", ASSIGNMENT, str(batch["subs"]), "--out",
                          str(batch["out"]), "--no-progress", *LIMITS, timeout=300)
    assert done.returncode == 1, done.stderr[-3000:]  # the skipped ids, again
    assert f"{len(batch['expected'])} submissions already graded" in done.stdout
    assert {p: p.stat().st_mtime_ns for p in batch["out"].glob("students/*/results.json")} == before


def released_course(tmp_path: Path, assignment: str = ASSIGNMENT) -> tuple[Path, Builder]:
    """A course copy with `assignment` released, and a Builder of its submissions."""
    if not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed (apt-get install bubblewrap; .ci/run does)")
    course = copy_course(tmp_path)
    done = run_autograder(course, "release", assignment)
    assert done.returncode == 0, done.stdout + done.stderr
    return course, Builder(course, tmp_path / "submissions", assignment)


def test_an_interrupted_batch_resumes_without_losing_or_counting_twice(released, tmp_path):
    """Kill `grade` after its first submission is done; grading again finishes the rest, and
    every student is in the gradebook and grades.csv once, with the right score."""
    course, build = released[0], Builder(released[0], tmp_path / "submissions")
    expected = {"ada": FULL, "bob": 0.0, "cy": without("1.2")}
    build.make("ada")
    build.make("bob", package="release")
    build.make("cy")
    build.append_to_package("cy", "tensor_data.py",
                            "def to_index(ordinal, shape, out_index):\n"
                            "    for i in range(len(shape)):\n        out_index[i] = 0")
    out = tmp_path / "graded"
    command = [str(AUTOGRADER), "--course", str(course), "--package", str(ROOT / "minitorch"),
               "grade", ASSIGNMENT, str(build.folder), "--out", str(out), "--jobs", "1",
               "--no-progress", *LIMITS]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 600
    while not list(out.glob("students/*/results.json")) and time.monotonic() < deadline:
        assert process.poll() is None, "grade ended before it could be interrupted"
        time.sleep(0.2)
    os.killpg(process.pid, 9)
    process.wait()
    first = {p.parent.name for p in out.glob("students/*/results.json")}
    assert 1 <= len(first) < 3

    done = run_autograder(course, "grade", ASSIGNMENT, str(build.folder), "--out", str(out),
                          "--jobs", "1", "--no-progress", *LIMITS)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"{len(first)} submission{'' if len(first) == 1 else 's'} already graded" in done.stdout
    scores = {p.parent.name: json.loads(p.read_text())["score"]
              for p in out.glob("students/*/results.json")}
    assert scores == expected
    rows = (out / "grades.csv").read_text().splitlines()[1:]
    assert sorted(row.split(",")[0] for row in rows) == sorted(expected)
    with sqlite3.connect(out / "gradebook.db") as db:
        count = db.execute("SELECT student_id, COUNT(*) FROM submitted_assignment "
                           "GROUP BY student_id").fetchall()
    assert dict(count) == dict.fromkeys(expected, 1)


def test_a_result_that_cannot_be_stored_costs_no_other_student_theirs(released, tmp_path):
    """bob's results.json cannot be written (a folder stands there): ada's grade is stored
    all the same, bob is reported as not graded, and grading again finishes bob."""
    course, build = released[0], Builder(released[0], tmp_path / "submissions")
    build.make("ada")
    build.make("bob", package="release")
    out = tmp_path / "graded"
    (out / "students" / "bob" / "results.json").mkdir(parents=True)
    args = ("grade", ASSIGNMENT, str(build.folder), "--out", str(out), "--jobs", "2",
            "--no-progress", *LIMITS)
    done = run_autograder(course, *args)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "bob: the grade could not be stored" in done.stdout + done.stderr
    assert "not graded: bob" in done.stderr
    assert json.loads((out / "students" / "ada" / "results.json").read_text())["score"] == FULL
    assert (out / "grades.csv").read_text().splitlines()[1].startswith("ada,")

    (out / "students" / "bob" / "results.json").rmdir()
    done = run_autograder(course, *args)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "1 submission already graded" in done.stdout
    assert json.loads((out / "students" / "bob" / "results.json").read_text())["score"] == 0
