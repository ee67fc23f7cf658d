"""Grading on a Dask cluster (`autograder grade --cluster`): a scheduler and two workers started
as on grading machines (`dask scheduler`, `dask worker`, here on one machine), a batch of real
submissions (a representative part of the hostile suite, tests/test_grade_hostile.py), one
worker killed while it grades and replaced, the coordinator killed mid-batch and started
again. Every submission must get exactly its points, once, in a PostgreSQL gradebook (sqlite
where no PostgreSQL server is installed; tests/postgres_server.py).

The fast tests at the end check what travels to a worker, and the refusals.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from postgres_server import PostgresServer, server_binaries
from test_grade_hostile import (
    ASSIGNMENT,
    AUTOGRADER,
    ESCAPE,
    FORK,
    FULL,
    LIMITS,
    PATCHES,
    ROOT,
    released_course,
    without,
)

from autograder.submissions import Submission, stage

BIN = Path(sys.executable).parent


def start(*argv: str, log: Path) -> subprocess.Popen:
    """A process in a session of its own (killed with its children), logging to `log`."""
    with open(log, "wb") as handle:
        return subprocess.Popen([str(BIN / "dask"), *argv], stdout=handle,
                                stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


class Cluster:
    """`dask scheduler` on a free local port and `dask worker`s, one thread each, no nanny (a
    killed worker stays dead, as a machine that goes down)."""

    def __init__(self, folder: Path):
        self.folder, self.workers = folder, {}
        self.file = folder / "scheduler.json"
        self.scheduler = start("scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(self.file),
                               log=folder / "scheduler.log")
        deadline = time.monotonic() + 60
        while not self.file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        self.address = json.loads(self.file.read_text())["address"]

    def add_worker(self, name: str) -> None:
        self.workers[name] = start("worker", self.address, "--name", name, "--nthreads", "1",
                                   "--no-nanny", "--no-dashboard",
                                   log=self.folder / f"worker-{name}.log")

    def kill_worker(self, name: str) -> None:
        stop(self.workers.pop(name))

    def close(self) -> None:
        for process in [*self.workers.values(), self.scheduler]:
            stop(process)


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


# What travels, and the refusals: no cluster needed.

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

    def tree(root):
        return {p.relative_to(root).as_posix(): p.read_bytes()
                for p in sorted(root.rglob("*")) if p.is_file()}
    assert tree(there) == tree(here) == {"minitorch/__init__.py": b"x = 1\n",
                                         "notes.txt": b"mine"}


def test_a_zip_travels_as_it_is(tmp_path):
    from autograder.cluster import pack

    archive = tmp_path / "bob.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("work/bob.ipynb", "{}")
    packed = pack(Submission("bob", archive))
    assert (packed.name, packed.data) == ("bob.zip", archive.read_bytes())


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
