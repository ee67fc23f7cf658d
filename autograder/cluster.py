"""Grading over a Dask distributed cluster: `autograder grade ... --cluster tcp://host:8786`.

The machine that runs `autograder grade` is the coordinator: it records the reference's
expected results (once), sends each submission to the cluster, and alone writes the
gradebook, the feedback and results.json, as each graded submission comes back. Each worker
(`dask worker tcp://host:8786`, on a machine with the course installed) grades one submission
per thread with the engine that grades on one machine (autograder.engine.grade_submission):
the same sandbox, the same limits.

What travels: the spec with the expected results and the reference's compiled kernels (zipped),
scattered to the workers once per batch; per submission, its files packed into a zip on the
coordinator (workers need no shared folder); back, the Graded outcome. Each worker unpacks the
kernels once, after checking them against the coordinator's digest, into a folder of its own
that it seals read-only, and mounts them into its sandboxes as on one machine
(autograder.kernels). Numba loads a cached kernel only on a CPU of the same name and features
as the one that compiled it and compiles it again otherwise, so a worker on another kind of
CPU grades just as correctly, only more slowly.

A worker that dies mid-submission loses nothing: Dask's scheduler gives its submissions to
another worker, and the coordinator writes each one once, when its result arrives (a
submission that kills three workers in a row is reported as not graded). An interrupted
batch resumes as on one machine (results.json marks what is done).

Workers must run the coordinator's autograder (the same source, checked by a fingerprint) and
grade under bubblewrap: without its network namespace, a student's code could reach the
scheduler, which runs whatever code it is sent. A worker that fails either check grades
nothing and says why.
"""

import atexit
import functools
import hashlib
import io
import os
import shutil
import socket
import sys
import tempfile
import threading
import zipfile
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import autograder
from autograder.engine import Graded, GradingError, grade_submission, isolation
from autograder.kernels import SharedKernels, seal
from autograder.sandbox import Limits
from autograder.spec import Spec
from autograder.submissions import IGNORED, MAX_BYTES, MAX_FILES, Submission, SubmissionError
from autograder.untrusted import open_regular, read_bytes

__all__ = ["ClusterError", "ClusterExecutor", "Packed", "PackedKernels", "pack", "pack_kernels",
           "unpack_kernels", "neutral_copy", "grade_packed", "fingerprint"]

CONNECT_SECONDS = 30  # for the scheduler to answer and a worker to join
# Bounds of the reference's compiled kernels in transit (the 04-07 caches take a few MiB)
KERNELS_MAX_FILES = 20_000
KERNELS_MAX_BYTES = 1 << 30


class ClusterError(GradingError):
    """The cluster cannot grade: no scheduler, no workers, or a worker unfit to grade."""


@functools.cache
def fingerprint() -> str:
    """A hash of this autograder's source and of the Python, NumPy and Numba versions that
    students' code runs on: a worker must match the coordinator, whose reference recorded the
    expected results."""
    from importlib.metadata import version

    hasher = hashlib.sha256(f"{sys.version_info[:2]} {version('numpy')} "
                            f"{version('numba')}".encode())
    for path in sorted(Path(autograder.__file__).parent.rglob("*.py")):
        hasher.update(path.relative_to(Path(autograder.__file__).parent).as_posix().encode()
                      + b"\0" + path.read_bytes())
    return hasher.hexdigest()[:16]


def worker_problem() -> str | None:
    """Why this machine cannot be a grading worker, or None."""
    if isolation().name != "bubblewrap":
        return (f"{socket.gethostname()} grades with isolation {isolation().name!r}, not "
                f"bubblewrap: install bubblewrap there (apt-get install bubblewrap)")
    return None


@dataclass(frozen=True)
class Packed:
    """A submission's files, packed into a zip on the coordinator to travel to a worker."""
    student: str
    name: str  # the zip's file name in the worker's job folder (the submission's, if a zip)
    data: bytes
    digest: str  # of the files on the coordinator: what tells a resumed batch it is done


def _zip_folder(root: Path, max_files: int = MAX_FILES, max_bytes: int = MAX_BYTES) -> bytes:
    """The regular files under `root` in a zip, as the engine copies a folder: links, FIFOs,
    devices and editor caches left out, at most `max_files` files and `max_bytes` bytes."""
    buffer, count, size = io.BytesIO(), 0, 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bundle:
        for folder, subfolders, names in os.walk(root, followlinks=False):
            subfolders[:] = sorted(d for d in subfolders if d not in IGNORED)
            for name in sorted(names):
                fd = open_regular(Path(folder) / name)
                if fd is None:
                    continue
                with os.fdopen(fd, "rb") as handle:
                    data = handle.read(max_bytes - size + 1)
                count, size = count + 1, size + len(data)
                if count > max_files or size > max_bytes:
                    raise SubmissionError(f"{root}: more than {max_files} files or "
                                          f"{max_bytes >> 20} MiB")
                bundle.writestr((Path(folder) / name).relative_to(root).as_posix(), data)
    return buffer.getvalue()


def pack(submission: Submission) -> Packed:
    """The submission ready to travel; SubmissionError if it cannot be read (too large, gone),
    which the engine then reports as it would on one machine."""
    if submission.path.is_dir():
        data, name = _zip_folder(submission.path), f"{submission.student}.zip"
    else:
        data, name = read_bytes(submission.path, MAX_BYTES), submission.path.name
        if data is None:
            raise SubmissionError(f"{submission.path.name}: not a regular file of at most "
                                  f"{MAX_BYTES >> 20} MiB")
    return Packed(submission.student, name, data, submission.digest())


@dataclass(frozen=True)
class PackedKernels:
    """The reference's compiled kernels (engine.shared_kernels), zipped on the coordinator to
    travel to every worker once per batch."""
    kernels: SharedKernels  # what a submission must match; its folder is the coordinator's
    data: bytes  # the folder's files
    digest: str  # SHA-256 of `data`: a worker checks what it received against it


def pack_kernels(kernels: SharedKernels) -> PackedKernels:
    """The kernels' folder ready to travel (regular files only, as a submission's)."""
    data = _zip_folder(kernels.folder, KERNELS_MAX_FILES, KERNELS_MAX_BYTES)
    return PackedKernels(kernels, data, hashlib.sha256(data).hexdigest())


_UNPACKED: dict[str, SharedKernels] = {}  # on a worker: the kernels it holds, by digest
_UNPACKING = threading.Lock()  # a worker grades on several threads


def unpack_kernels(packed: PackedKernels) -> SharedKernels:
    """On a worker: the kernels unpacked into a private folder of this machine, sealed
    read-only (kernels.seal), once per content for the worker's life; ClusterError if they
    are not what the coordinator packed."""
    with _UNPACKING:
        if packed.digest not in _UNPACKED:
            if hashlib.sha256(packed.data).hexdigest() != packed.digest:
                raise ClusterError(f"{socket.gethostname()} received the reference's compiled "
                                   f"kernels damaged (their SHA-256 differs from the "
                                   f"coordinator's)")
            home = tempfile.mkdtemp(prefix="autograder-kernels-")
            atexit.register(shutil.rmtree, home, ignore_errors=True)
            folder = Path(home) / "kernels"
            folder.mkdir()  # kernels of an assignment without compiled code: none
            with zipfile.ZipFile(io.BytesIO(packed.data)) as bundle:
                bundle.extractall(folder)
            seal(folder)
            _UNPACKED[packed.digest] = replace(packed.kernels, folder=folder)
        return _UNPACKED[packed.digest]


def neutral_copy(kernels: SharedKernels) -> SharedKernels:
    """The kernels as a worker holds them: a sealed copy in a private folder whose path
    (/tmp/autograder-kernels-*) names nothing of the grader's, for the sandboxes' mount
    tables show the path of what is mounted."""
    return unpack_kernels(pack_kernels(kernels))


def grade_packed(spec: Spec, packed: Packed, expected: dict, limits: Limits,
                 coordinator: str, kernels: PackedKernels | None = None) -> Graded:
    """On a worker: grade one packed submission with the engine (`coordinator`: the
    coordinator's fingerprint), with the reference's compiled `kernels` where they fit it."""
    if fingerprint() != coordinator:
        raise ClusterError(f"{socket.gethostname()} runs another autograder than the "
                           f"coordinator (fingerprint {fingerprint()}, not {coordinator}): "
                           f"install the same course version and Python there")
    problem = worker_problem()
    if problem:
        raise ClusterError(problem)
    with tempfile.TemporaryDirectory(prefix="autograder-packed-") as tmp:
        archive = Path(tmp) / packed.name
        archive.write_bytes(packed.data)
        graded = grade_submission(spec, Submission(packed.student, archive), expected, limits,
                                  unpack_kernels(kernels) if kernels else None)
    return replace(graded, digest=packed.digest)


class ClusterExecutor(Executor):
    """An Executor that grades the engine's `grade_submission` calls on a Dask cluster.

    `submit(grade_submission, spec, submission, expected, limits[, kernels])` packs the
    submission and sends it to a worker; the spec, the expected results and the kernels
    (packed: pack_kernels) are scattered to every worker the first time they are seen, and
    referred to after that. A submission that cannot be packed is graded here: the engine only
    notes why it cannot be read, no sandbox runs."""

    def __init__(self, address: str, connect_seconds: float = CONNECT_SECONDS):
        try:
            from distributed import Client
        except ModuleNotFoundError:
            raise ClusterError("grading on a cluster needs Dask's distributed: pip install "
                               "'minitorch-course[distributed]' (here and on every worker)"
                               ) from None
        try:
            self.client = Client(address, timeout=connect_seconds, set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise ClusterError(f"no Dask scheduler answers at {address} ({error}): start one "
                               f"with `dask scheduler` and workers with `dask worker "
                               f"{address}` (docs/grading.md, \"Grading on several "
                               f"machines\")") from None
        try:
            self._check_workers(address, connect_seconds)
        except BaseException:
            self.client.close()
            raise
        self._remote = self.client.get_executor(pure=False)
        self._here = ThreadPoolExecutor(max_workers=1)
        self._shared: dict[int, tuple[object, object]] = {}  # id -> (object, its future)

    def _check_workers(self, address: str, seconds: float) -> None:
        try:
            self.client.wait_for_workers(1, timeout=seconds)
        except TimeoutError:
            raise ClusterError(f"the scheduler at {address} has no workers: start one on "
                               f"each grading machine with `dask worker {address}`") from None
        mine = fingerprint()
        prints = self.client.run(fingerprint)
        problems = {worker: f"runs another autograder (fingerprint {theirs}, not {mine})"
                    for worker, theirs in prints.items() if theirs != mine}
        for worker, problem in self.client.run(worker_problem).items():
            if problem and worker not in problems:
                problems[worker] = problem
        if problems:
            raise ClusterError("workers unfit to grade: " + "; ".join(
                f"{worker}: {why}" for worker, why in sorted(problems.items())))

    def describe(self) -> str:
        """The workers and their threads, for the batch's header."""
        threads = self.client.nthreads()
        return (f"{len(threads)} worker{'' if len(threads) == 1 else 's'}, "
                f"{sum(threads.values())} submissions at once, at "
                f"{self.client.scheduler.address}")

    def _share(self, value, travelling=lambda value: value):
        """`travelling(value)` scattered to every worker, once per batch."""
        if id(value) not in self._shared:
            [future] = self.client.scatter([travelling(value)], broadcast=True, hash=False)
            self._shared[id(value)] = (value, future)
        return self._shared[id(value)][1]

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if fn is not grade_submission or kwargs:
            raise TypeError("ClusterExecutor sends only grade_submission(spec, submission, "
                            "expected, limits[, kernels]) calls")
        spec, submission, expected, limits, *kernels = args
        try:
            packed = pack(submission)
        except SubmissionError:
            return self._here.submit(fn, *args)
        shared = [self._share(k, pack_kernels) for k in kernels if k is not None]
        return self._remote.submit(grade_packed, self._share(spec), packed,
                                   self._share(expected), limits, fingerprint(), *shared)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._remote.shutdown(wait=wait)
        self._here.shutdown(wait=wait, cancel_futures=cancel_futures)
        self.client.close()
