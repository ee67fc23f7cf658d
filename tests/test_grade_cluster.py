"""Grading on a Dask cluster (`autograder grade --cluster`): a scheduler and two workers started
as on grading machines (`dask scheduler`, `dask worker`, here on one machine), a batch of real
submissions (a representative part of the hostile suite, tests/test_grade_hostile.py), one
worker killed while it grades and replaced, the coordinator killed mid-batch and started
again. Every submission must get exactly its points, once, in a PostgreSQL gradebook (sqlite
where no PostgreSQL server is installed; tests/postgres_server.py). Then a compiled
assignment, whose worker must load the kernels that the coordinator's reference run compiled.
(The whole hostile suite goes through a cluster in tests/test_grade_hostile.py.)

The fast tests at the end check what travels to a worker, and the refusals.
"""

import json
import os
import re
import shutil
import subprocess
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from dask_cluster import Cluster, stop
from postgres_server import PostgresServer, server_binaries
from test_grade_hostile import (
    ASSIGNMENT,
    AUTOGRADER,
    ESCAPE,
    FORK,
    FULL,
    LIMITS,
    PATCHES,
    REGISTRY,
    ROOT,
    released_course,
    run_autograder,
    without,
)

from autograder.submissions import Submission, stage


def graded_students(out: Path) -> set[str]:
    return {p.parent.name for p in out.glob("students/*/results.json")}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Grade the batch on the cluster, killing a worker and then the coordinator midway;
    grade again to finish."""
    pytest.importorskip("distributed")
    if not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed (apt-get install bubblewrap; .ci/run does); "
                    "cluster workers grade only under it")
    base = tmp_path_factory.mktemp("cluster")
    course, build = released_course(base)
    subs, outside = build.folder, f"/tmp/planted-cluster-{os.getpid()}.txt"
    expected = {"reference": FULL, "stubs": 0.0, "one_wrong": without("1.2"),
                "exit_in_cell": FULL, "fork_loop": FULL, "escape": FULL,
                "patch": 0.0, "zipped": FULL}
    build.make("reference")
    build.make("stubs", package="release")
    build.make("one_wrong")
    build.append_to_package("one_wrong", "tensor_data.py",
                            "def to_index(ordinal, shape, out_index):\n"
                            "    for i in range(len(shape)):\n        out_index[i] = 0")
    build.make("exit_in_cell", cells_after_setup=("import os\nos._exit(0)",))
    build.make("fork_loop", cells_after_setup=(FORK,))
    build.make("escape", cells_after_setup=(ESCAPE.format(paths=[outside]),))
    build.make("patch", package="release", cells_after_setup=(next(iter(PATCHES.values())),))
    zipped = build.make("zipped_tmp")
    with zipfile.ZipFile(subs / "zipped.zip", "w") as bundle:
        for file in zipped.rglob("*"):
            bundle.write(file, Path("my-work") / file.relative_to(zipped))
    shutil.rmtree(zipped)

    # PostgreSQL where it is installed (and always on CI, which installs it), else sqlite
    server = PostgresServer() if server_binaries() or os.environ.get("CI") else None
    db_url = server.create_database("cluster") if server else \
        f"sqlite:///{base / 'gradebook.db'}"
    cluster = Cluster(base)
    try:
        cluster.add_worker("w1")
        cluster.add_worker("w2")
        out = base / "graded"
        command = [str(AUTOGRADER), "--course", str(course), "--package",
                   str(ROOT / "minitorch"), "grade", ASSIGNMENT, str(subs), "--out", str(out),
                   "--cluster", cluster.address, "--db", db_url, "--no-progress", *LIMITS]
        with open(base / "first.log", "wb") as log:  # unbuffered: it will be killed
            first = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=base,
                                     start_new_session=True,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        killed = kill_a_busy_worker(cluster, out, first)
        cluster.add_worker("w3")  # the machine comes back
        deadline = time.monotonic() + 900
        while len(graded_students(out)) < 4 and first.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.2)
        stop(first)  # the coordinator, mid-batch (unless it already finished)
        before = graded_students(out)
        second = subprocess.run(command, capture_output=True, text=True, timeout=1500,
                                cwd=base)
        yield {"expected": expected, "out": out, "killed": killed, "before": before,
               "first": (base / "first.log").read_text(errors="replace"),
               "second": second, "db_url": db_url, "outside": outside,
               "postgres": server is not None}
    finally:
        cluster.close()
        if server:
            server.stop()


def kill_a_busy_worker(cluster: Cluster, out: Path, coordinator: subprocess.Popen) -> str:
    """Once a first submission is stored, kill a worker that holds a submission; its name."""
    from distributed import Client

    with Client(cluster.address, timeout=60, set_as_default=False) as client:
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            assert coordinator.poll() is None, "the batch ended before a worker was killed"
            busy = [worker for worker, keys in client.processing().items() if keys]
            if busy and graded_students(out):
                name = str(client.scheduler_info()["workers"][busy[0]]["name"])
                cluster.kill_worker(name)
                return name
            time.sleep(0.2)
    raise AssertionError("no worker was busy after the first submission")


def results(batch, student: str) -> dict:
    return json.loads((batch["out"] / "students" / student / "results.json").read_text())


@pytest.mark.slow
def test_the_resumed_batch_finishes_what_the_interrupted_one_left(batch):
    done = batch["second"]
    assert done.returncode == 0, batch["first"][-3000:] + done.stdout[-3000:] + \
        done.stderr[-3000:]
    assert "Grading on the Dask cluster:" in batch["first"]
    assert 1 <= len(batch["before"]) < len(batch["expected"]), batch["first"][-3000:]
    graded_before = len(batch["before"])
    assert f"{graded_before} submission{'' if graded_before == 1 else 's'} already graded" \
        in done.stdout


@pytest.mark.slow
def test_every_submission_gets_exactly_its_points(batch):
    got = {student: results(batch, student)["score"] for student in batch["expected"]}
    wrong = {s: (got[s], want) for s, want in batch["expected"].items() if got[s] != want}
    assert not wrong, f"(got, expected) by student: {wrong}\n{batch['second'].stdout[-3000:]}"


@pytest.mark.slow
def test_the_gradebook_holds_every_student_once_with_the_points(batch):
    from nbgrader.api import Gradebook

    with Gradebook(batch["db_url"], "minitorch") as book:
        submissions = book.find_assignment(ASSIGNMENT).submissions
        scores = {s.student.id: s.score for s in submissions}
        count = len(submissions)
    assert count == len(batch["expected"])
    assert scores == batch["expected"]


@pytest.mark.slow
def test_the_gradebook_was_postgresql(batch):
    if not batch["postgres"]:
        pytest.skip("no PostgreSQL server installed (apt-get install postgresql; .ci/run does)")
    assert batch["db_url"].startswith("postgresql://")


@pytest.mark.slow
def test_workers_grade_in_the_sandbox_with_its_limits(batch):
    assert all(results(batch, s)["extra_data"]["isolation"] == "bubblewrap"
               for s in batch["expected"])
    assert "kernel died" in results(batch, "exit_in_cell")["extra_data"]["limits_hit"]
    assert "process limit" in results(batch, "fork_loop")["extra_data"]["limits_hit"]
    assert not Path(batch["outside"]).exists(), "a submission wrote outside its sandbox"


@pytest.mark.slow
def test_the_feedback_is_written_by_the_coordinator(batch):
    page = (batch["out"] / "students" / "fork_loop" / "feedback.html").read_text()
    assert "fork refused after" in page


# A compiled assignment: the workers use the reference's kernels, shipped from the coordinator.

# A student's last cell: how many times its process loaded a function that Numba caches on disk
# from that cache (hits: the kernels that the grader seeded it with) and how many times it
# compiled one (misses). Functions without a disk cache do not count.
CACHE_STATS = """
import gc
from numba.core.dispatcher import Dispatcher
cached = [d.stats for d in gc.get_objects()
          if issubclass(type(d), Dispatcher) and d.stats.cache_path]
hits = sum(sum(s.cache_hits.values()) for s in cached)
misses = sum(sum(s.cache_misses.values()) for s in cached)
print(f"NUMBA CACHE: {hits} hits, {misses} misses")
"""


@pytest.mark.slow
def test_workers_load_the_kernels_that_the_reference_compiled(tmp_path):
    """04_fast on a one-worker cluster: the coordinator's reference run compiles the kernels,
    the worker's sandbox loads them from its cache instead of compiling, and the grade is
    full marks."""
    pytest.importorskip("distributed")
    assignment = "04_fast"
    course, build = released_course(tmp_path, assignment)
    build.make("ada", last_cell=CACHE_STATS)
    out = tmp_path / "graded"
    cluster = Cluster(tmp_path)
    try:
        cluster.add_worker("w1")
        done = run_autograder(course, "grade", assignment, str(build.folder), "--out", str(out),
                              "--cluster", cluster.address, "--no-progress", timeout=900)
    finally:
        cluster.close()
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    ada = out / "students" / "ada"
    points = sum(float(t.points) for t in REGISTRY.tasks_of(assignment))
    assert json.loads((ada / "results.json").read_text())["score"] == points
    stats = re.search(r"NUMBA CACHE: (\d+) hits, (\d+) misses",
                      (ada / "feedback.html").read_text())
    assert stats, "the last cell's output is missing from the feedback"
    # without the reference's kernels a sandbox starts with an empty cache: every load is a
    # miss (measured: 0 hits, 52 misses; with them, 28 hits and 5 misses)
    hits, misses = map(int, stats.groups())
    assert hits > 0, f"the worker compiled every kernel again ({misses} misses)"


# What travels, and the refusals: no cluster needed.

def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_packed_folder_unpacks_to_what_the_engine_copies_of_it(tmp_path):
    from autograder.cluster import pack

    folder = tmp_path / "ada"
    (folder / "minitorch" / "__pycache__").mkdir(parents=True)
    (folder / "minitorch" / "__init__.py").write_text("x = 1\n")
    (folder / "minitorch" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (folder / "notes.txt").write_text("mine")
    (folder / "link.txt").symlink_to("/etc/hostname")
    os.mkfifo(folder / "fifo")
    packed = pack(Submission("ada", folder))
    assert packed.student == "ada" and packed.digest == Submission("ada", folder).digest()
    archive = tmp_path / packed.name
    archive.write_bytes(packed.data)
    here, there = tmp_path / "here", tmp_path / "there"
    stage(Submission("ada", folder), here)
    stage(Submission("ada", archive), there)
    assert files_under(there) == files_under(here) == {"minitorch/__init__.py": b"x = 1\n",
                                         "notes.txt": b"mine"}


def test_a_zip_travels_as_it_is(tmp_path):
    from autograder.cluster import pack

    archive = tmp_path / "bob.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("work/bob.ipynb", "{}")
    packed = pack(Submission("bob", archive))
    assert (packed.name, packed.data) == ("bob.zip", archive.read_bytes())


def test_kernels_travel_as_files_and_are_unpacked_once_checked_and_sealed(tmp_path):
    from autograder.cluster import ClusterError, pack_kernels, unpack_kernels
    from autograder.kernels import SharedKernels

    folder = tmp_path / "kernels"
    (folder / "minitorch_x").mkdir(parents=True)
    (folder / "minitorch_x" / "fast_ops.nbi").write_bytes(b"index")
    (folder / "minitorch_x" / "fast_ops.1.nbc").write_bytes(b"code")
    (folder / "link").symlink_to("/etc/hostname")
    (tmp_path / "none").mkdir()  # 01 to 03 compile nothing
    kernels = SharedKernels(folder, (("fast_ops", ("fast_ops.py",)),),
                            (("fast_ops.py", "f" * 64),))
    packed = pack_kernels(kernels)
    with pytest.raises(ClusterError, match="damaged"):
        unpack_kernels(replace(packed, data=packed.data + b"\0"))
    there = unpack_kernels(packed)
    assert there == replace(kernels, folder=there.folder) and there.folder != folder
    assert files_under(there.folder) == {"minitorch_x/fast_ops.nbi": b"index",
                                         "minitorch_x/fast_ops.1.nbc": b"code"}
    for path in [there.folder, *there.folder.rglob("*")]:
        assert path.stat().st_mode & 0o022 == 0, f"{path} is writable by others"
    assert unpack_kernels(packed) == there  # once per content
    none = unpack_kernels(pack_kernels(SharedKernels(tmp_path / "none", (), ())))
    assert none.folder.is_dir() and not any(none.folder.iterdir())


def test_a_worker_with_another_autograder_refuses_to_grade(tmp_path):
    from autograder.cluster import ClusterError, Packed, grade_packed

    with pytest.raises(ClusterError, match="another autograder than the coordinator"):
        grade_packed(None, Packed("ada", "ada.zip", b"", "0"), {}, None, "not-this-one")


def test_no_scheduler_says_how_to_start_one():
    pytest.importorskip("distributed")
    from autograder.cluster import ClusterError, ClusterExecutor

    with pytest.raises(ClusterError, match="no Dask scheduler answers at .*dask scheduler"):
        ClusterExecutor("tcp://127.0.0.1:9", connect_seconds=2)


def test_a_worker_without_bubblewrap_says_so(monkeypatch):
    from autograder import cluster
    from autograder.sandbox import Isolation

    monkeypatch.setattr(cluster, "isolation", lambda: Isolation("unprivileged user", True))
    assert "not bubblewrap: install bubblewrap" in cluster.worker_problem()
    monkeypatch.setattr(cluster, "isolation", lambda: Isolation("bubblewrap", True))
    assert cluster.worker_problem() is None
