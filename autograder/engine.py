"""The grading engine: one submission, in a sandbox of its own, to a verdict.

`autograder grade`, `autograder check` and `autograder ci` grade through this module alone, so
the self-check proves the road that students' grades travel.

For an assignment, the reference's expected outputs of every hidden test are recorded first
(`record_expected`: the source notebooks run with the reference package, in the sandbox, cached
by content). Then, per submission (`grade_one`), in a job folder of its own (named by a
counter, never by the student id): the submission's files are copied (or unzipped), each
notebook is rebuilt with the course's cells restored (autograder.merge), and run in the
sandbox (autograder.sandbox, autograder.execute) under time, memory, process and output
limits, recording the student's outputs. The job's files go in as a tar stream and its results
come back through a pipe, so the grader never reads a file that the student's code could have
replaced. The verdict (autograder.verdict) is made here, outside the student's process.

The API for running a batch anywhere (threads here; a Dask cluster through the same
`concurrent.futures` interface):

- `grade_submission(spec, submission, expected, limits) -> Graded`: grades ONE submission;
  arguments and result are plain picklable data (give a `Spec` without its course,
  `spec.portable(expected)`, to ship it to another machine);
- `grade_batch(executor, spec, submissions, expected, limits)`: submits `grade_submission`
  for each submission to `executor` (anything with concurrent.futures' `submit` returning
  `concurrent.futures.Future`s, e.g. a ThreadPoolExecutor or dask's `client.get_executor()`)
  and yields `(submission, Graded | None, error | None)` as each finishes.

Writing the results (gradebook, feedback, results.json) is the caller's: autograder.grade.
"""

import functools
import hashlib
import itertools
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from autograder.kernels import (
    FIXED_MTIME,
    SANDBOX_SEED,
    SEED_ENV,
    SEED_MODULES_ENV,
    SharedKernels,
    seal,
)
from autograder.merge import graded_notebook
from autograder.notebook import MAX_RECORD_BYTES, RECORD_ENV
from autograder.regions import IGNORED
from autograder.restore import restore
from autograder.results import write_atomic
from autograder.sandbox import Isolation, Limits, UidLease, detect
from autograder.spec import Spec
from autograder.submissions import Submission, SubmissionError, stage
from autograder.untrusted import read_json
from autograder.verdict import Test, cell_reports, judge, limits_hit, read_records

__all__ = ["GradingError", "Graded", "Runner", "isolation", "record_expected", "shared_kernels",
           "grade_one", "grade_submission", "grade_batch"]

LOG_TAIL = 20_000


class GradingError(RuntimeError):
    """Grading itself cannot be done (not a problem of one submission)."""


@dataclass
class Graded:
    """One submission's outcome."""
    student: str
    tests: list[Test]
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    notebooks: dict[str, dict | None] = field(default_factory=dict)  # shown in the feedback
    digest: str = ""
    limits: set[str] = field(default_factory=set)  # the limits any cell hit
    isolation: str = ""  # the sandbox it ran in (autograder.sandbox.Isolation.name)


@dataclass
class JobOutput:
    """What a job sent back through its results pipe (untrusted data)."""
    cells: dict[str, dict[int, dict]] = field(default_factory=dict)  # notebook -> cell -> event
    records: bytes = b""
    problems: list[str] = field(default_factory=list)


def _parse_events(data: bytes, cells: dict[int, dict]) -> tuple[bytes, bool]:
    """Fill `cells` from a job's events; its record's bytes, and whether it finished."""
    records, done = bytearray(), False
    for line in data.splitlines():
        try:
            event = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if not isinstance(event, dict):
            continue
        if isinstance(event.get("records"), str):
            records += event["records"].encode("latin-1", errors="replace")
        elif isinstance(event.get("cell"), int) and isinstance(event.get("outputs"), list):
            mark = event.get("autograder")
            cells[event["cell"]] = {"outputs": event["outputs"],
                                    "autograder": mark if isinstance(mark, dict) else None}
        elif event.get("done") is True:
            done = True
    return bytes(records), done


def executed(notebook: dict, cells: dict[int, dict]) -> dict:
    """The notebook as run: its own (trusted) sources and metadata, with the outputs and limit
    marks that the job sent for each cell."""
    shown = json.loads(json.dumps(notebook))
    for index, cell in enumerate(shown["cells"]):
        event = cells.get(index)
        if cell.get("cell_type") != "code":
            continue
        cell["outputs"] = event["outputs"] if event else []
        if event and event["autograder"]:
            cell.setdefault("metadata", {})["autograder"] = event["autograder"]
    return shown


@dataclass(frozen=True)
class Mount:
    """Compiled kernels (autograder.kernels) for a run under bubblewrap: the host folder
    mounted at SANDBOX_SEED; whether the run writes it (the reference's run) or copies from it
    the kernels of `modules` into its private cache (a submission's)."""
    folder: Path
    writes: bool
    modules: tuple[str, ...] = ()


class Runner:
    """Runs notebooks in the sandbox for one batch; `work` is the batch's private folder on
    the host, where each job gets a folder named by a counter."""

    def __init__(self, isolation: Isolation, limits: Limits, work: Path):
        self.isolation, self.limits, self.work = isolation, limits, work
        self._numbers = itertools.count(1)

    def job_files(self) -> Path:
        """A new job's folder for the files it will run: host side, the grader's alone. Beside
        it, `run` makes each sandbox's private folder (used where there is no bubblewrap: the
        job folder lets the leased user pass, but not list)."""
        job = self.work / f"job-{next(self._numbers)}"
        job.mkdir()
        job.chmod(0o711)
        (job / "files").mkdir(mode=0o700)
        return job / "files"

    def _env(self, root: str, mode: str, kernels: Mount | None) -> dict[str, str]:
        bin_dir = str(Path(sys.executable).parent)
        home = f"{root}/home"
        env = {name: os.environ[name] for name in ("LANG", "LC_ALL", "TZ") if name in os.environ}
        env.setdefault("LANG", "C.UTF-8")
        env.update({
            "PATH": os.pathsep.join([bin_dir, "/usr/local/bin", "/usr/bin", "/bin"]),
            "HOME": home, "IPYTHONDIR": f"{home}/ipython", "MPLCONFIGDIR": f"{home}/mpl",
            "JUPYTER_CONFIG_DIR": f"{home}/jupyter", "JUPYTER_DATA_DIR": f"{home}/jupyter-data",
            "JUPYTER_RUNTIME_DIR": f"{home}/jupyter-runtime", "JUPYTER_PLATFORM_DIRS": "1",
            "NUMBA_CACHE_DIR": f"{home}/numba", "MPLBACKEND": "Agg",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "NUMBA_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
            # nbgrader's documented signal to a notebook that it is being autograded (Validate
            # sets "validate"): a course notebook may skip what only a reader needs
            "NBGRADER_EXECUTION": "autograde",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1", RECORD_ENV: f"{mode}:{root}/records.jsonl",
            # GPU kernels (06) run on numba's CUDA simulator: the sandbox has no GPU device
            # (bubblewrap's fresh /dev) and its address-space limit leaves CUDA no room; the
            # same results on every grading machine. Read when numba is imported.
            "NUMBA_ENABLE_CUDASIM": "1",
        })
        if kernels and kernels.writes:  # the reference run compiles into the shared folder
            env["NUMBA_CACHE_DIR"] = SANDBOX_SEED
        elif kernels:  # autograder.execute copies those that fit into the private cache first
            env[SEED_ENV] = SANDBOX_SEED
            env[SEED_MODULES_ENV] = ",".join(kernels.modules)
        return env

    def run(self, files: Path, notebooks: list[str], mode: str,
            kernels: Mount | None = None) -> JobOutput:
        """Run each notebook (names of files in `files`, in order), each in a fresh sandbox
        holding a copy of `files` (every file dated FIXED_MTIME), with `kernels` mounted
        where there is bubblewrap."""
        output = JobOutput()
        job = files.parent
        archive = job / "files.tar"

        def dated(info: tarfile.TarInfo) -> tarfile.TarInfo:
            info.mtime = FIXED_MTIME
            return info
        with tarfile.open(archive, "w") as tar:
            for child in sorted(files.iterdir()):
                tar.add(child, arcname=child.name, filter=dated)
        if self.isolation.name != "bubblewrap":
            kernels = None  # elsewhere each job sees its files at a path of its own
        lease = UidLease() if self.isolation.as_root else None
        try:
            if kernels and kernels.writes and lease:
                os.chown(kernels.folder, lease.uid, lease.uid)
            for number, name in enumerate(notebooks):
                host = job / f"sandbox-{number}"
                host.mkdir()
                self._run_one(name, archive, host, mode, lease.uid if lease else None, output,
                              kernels)
        finally:
            if lease:
                lease.close()
        return output

    def _run_one(self, notebook: str, archive: Path, host: Path, mode: str, uid: int | None,
                 output: JobOutput, kernels: Mount | None) -> None:
        iso, limits = self.isolation, self.limits
        root = iso.root(host)
        read, write = os.pipe()
        argv = [sys.executable, "-I", "-m", "autograder.execute", notebook, "--root", root,
                "--results-fd", str(write), "--cell-timeout", str(limits.cell_seconds),
                "--notebook-timeout", str(limits.notebook_seconds),
                "--output-bytes", str(limits.output_bytes),
                *(["--kill-strays"] if iso.name == "bubblewrap" or uid is not None else [])]
        # the outputs (bounded by output_bytes) and the record, with room for JSON's escapes
        cap = MAX_RECORD_BYTES + 8 * limits.output_bytes + (1 << 20)
        tail, events, cut = bytearray(), bytearray(), []
        try:
            with open(archive, "rb") as stdin:
                process = iso.popen(argv, host=host, env=self._env(root, mode, kernels),
                                    limits=limits, uid=uid, stdin=stdin,
                                    stdout=subprocess.PIPE, pass_fds=(write,),
                                    mounts=((kernels.folder, kernels.writes, SANDBOX_SEED),)
                                    if kernels else ())
        finally:
            os.close(write)

        def drain_log():
            for chunk in iter(lambda: process.stdout.read(65536), b""):
                tail.extend(chunk)
                del tail[:-LOG_TAIL]

        def drain_results():
            while chunk := os.read(read, 1 << 16):
                if len(events) + len(chunk) > cap:
                    cut.append(True)
                events.extend(chunk[:max(0, cap - len(events))])
        readers = [threading.Thread(target=target, daemon=True)
                   for target in (drain_log, drain_results)]
        for reader in readers:
            reader.start()
        hard = limits.notebook_seconds + 120  # kernel starts and replays come on top
        try:
            process.wait(timeout=hard)
        except subprocess.TimeoutExpired:
            pass
        finally:
            self._kill(process, uid)
            for reader in readers:
                reader.join(timeout=10)
            if not readers[1].is_alive():
                os.close(read)
        cells = output.cells.setdefault(Path(notebook).stem, {})
        records, done = _parse_events(bytes(events), cells)
        output.records += records
        if cut:
            output.problems.append(f"{notebook}: what it sent back passed {cap >> 20} MiB; the "
                                   f"rest was dropped")
        if not cells and not done:
            log = tail.decode(errors="replace").strip().splitlines()[-5:]
            output.problems.append(f"{notebook} did not run" +
                                   (": " + " | ".join(log) if log else ""))

    def _kill(self, process: subprocess.Popen, uid: int | None) -> None:
        """End the job's processes: its session, and (without a PID namespace) every process
        of its leased user."""
        try:
            os.killpg(process.pid, 9)
        except (ProcessLookupError, PermissionError):
            pass
        process.wait()
        if uid is not None and self.isolation.name != "bubblewrap":
            subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                            "kill", "-KILL", "-1"], capture_output=True)


def _reference_key(spec: Spec) -> str:
    """A digest of what the reference's run depends on: the notebooks, the grader, the
    reference package."""
    course = spec.course
    hasher = hashlib.sha256()
    import autograder

    files = [*course.notebooks(spec.assignment),
             *sorted(Path(autograder.__file__).parent.glob("*.py")),
             *sorted(p for p in course.package.rglob("*.py") if "__pycache__" not in p.parts)]
    for file in files:
        hasher.update(str(file.name).encode() + b"\0" + file.read_bytes())
    return hasher.hexdigest()[:16]


def shared_kernels(spec: Spec, cache: Path) -> SharedKernels | None:
    """The kernels that the reference's run of `spec` compiled into `cache` (record_expected),
    if it did (under bubblewrap)."""
    folder = cache / f"kernels-{_reference_key(spec)}"
    return SharedKernels.of_reference(folder, spec.course.package) if folder.is_dir() else None


def record_expected(spec: Spec, runner: Runner, cache: Path) -> dict:
    """The reference's recorded outputs of every hidden test, by task (cached by content):
    the course's reference package runs the source notebooks. The kernels it compiles are
    kept beside (shared_kernels)."""
    course, assignment = spec.course, spec.assignment
    sources = course.notebooks(assignment)
    key = _reference_key(spec)
    cached = cache / f"reference-{key}.json"
    data = read_json(cached, MAX_RECORD_BYTES)
    if data is not None:
        return data
    work = runner.job_files()
    for path in sources:
        shutil.copy(path, work / path.name)
    shutil.copytree(course.package, work / "minitorch", ignore=IGNORED)
    cache.mkdir(parents=True, exist_ok=True)
    compiled = Path(tempfile.mkdtemp(prefix=".kernels-", dir=cache))
    try:
        output = runner.run(work, [p.name for p in sources], "expected", Mount(compiled, True))
        seal(compiled)
        kept = cache / f"kernels-{key}"
        if runner.isolation.name == "bubblewrap" and not kept.exists():
            compiled.rename(kept)
    finally:
        shutil.rmtree(compiled, ignore_errors=True)
    calls = read_records(output.records, "expected")
    for test in spec.tests:
        found = calls.get(test.task)
        broken = [c["error"] for c in found or [] if c.get("error")]
        if not found or broken:
            source = next(p for p in sources if p.stem == test.notebook)
            reports = cell_reports(executed(json.loads(source.read_text()),
                                             output.cells.get(test.notebook, {})))
            why = broken[0] if broken else (reports.get(test.name, {}).get("error")
                                            or "; ".join(output.problems)
                                            or "nothing was recorded")
            raise GradingError(f"the reference run of {assignment} recorded no expected "
                               f"results for task {test.task}: {why}")
        declared = set(spec.groups.get(test.task, {}))
        recorded = {call.get("group") for call in found}
        if declared and recorded != declared:
            raise GradingError(f"task {test.task} declares the groups {sorted(declared)} "
                               f"(tasks.toml) but its hidden tests check "
                               f"{sorted(map(str, recorded))}: give every check(...) of the "
                               f"task one of the declared groups, and each group a check")
    write_atomic(cached, json.dumps(calls))
    return calls


def grade_one(spec: Spec, submission: Submission, runner: Runner, expected: dict,
              kernels: SharedKernels | None = None) -> Graded:
    """Grade one submission; with the reference's compiled `kernels` where they fit it."""
    start = time.monotonic()
    tests = spec.fresh_tests()
    graded = Graded(submission.student, tests, digest=submission.digest(),
                    isolation=runner.isolation.name)
    work = runner.job_files()
    try:
        try:
            stage(submission, work)
        except SubmissionError as error:
            graded.notes.append(f"The submission could not be read: {error}")
            judge(tests, expected, {}, {}, spec.needs, spec.groups)
            return graded
        graded.notes += restore(work, spec.restore)  # before kernels.fit: more files fit
        to_run, merged = [], {}
        for name, source in spec.notebooks.items():
            mine = work / f"{name}.ipynb"
            if not mine.is_file():
                graded.notes.append(f"{mine.name} is missing from the submission; its "
                                    f"tests score zero.")
                graded.notebooks[name] = None
                continue
            submitted = read_json(mine, 64 << 20)
            if submitted is None:
                graded.notes.append(f"{mine.name} is not a readable notebook (not valid "
                                    f"JSON, or over 64 MiB); its tests score zero.")
                graded.notebooks[name] = None
                continue
            merged[name] = graded_notebook(source, submitted)
            mine.write_text(json.dumps(merged[name]), encoding="utf-8")
            to_run.append(mine)
        fitting = kernels.fit(work / "minitorch") if kernels else ()
        shared = Mount(kernels.folder, False, fitting) if fitting else None
        output = runner.run(work, [path.name for path in to_run], "student", shared)
        graded.notes += output.problems
        student = read_records(output.records, "student")
        reports = {}
        for name, notebook in merged.items():
            shown = executed(notebook, output.cells.get(name, {}))
            reports.update(cell_reports(shown))
            graded.notebooks[name] = shown
        ran = set(merged)
        graded.limits = limits_hit(reports)
        judge(tests, expected, student, reports, spec.needs, spec.groups)
        for test in tests:
            if test.notebook not in ran:
                test.score, test.message = 0.0, f"Task {test.task}: the notebook did not run"
        return graded
    finally:
        graded.seconds = time.monotonic() - start
        shutil.rmtree(work.parent, ignore_errors=True)



@functools.cache
def isolation() -> Isolation:
    """The strongest isolation that works on this machine (probed once per process)."""
    return detect()


def grade_submission(spec: Spec, submission: Submission, expected: dict, limits: Limits,
                     kernels: SharedKernels | None = None) -> Graded:
    """Grade ONE submission in a sandbox of its own, in a private temporary folder of this
    machine: what a worker anywhere runs. `submission.path` must be readable here;
    `expected` is what `record_expected` returned for `spec`; `kernels` (optional, a folder
    readable here) what its run compiled (shared_kernels)."""
    with tempfile.TemporaryDirectory(prefix="autograder-job-") as tmp:
        Path(tmp).chmod(0o755)
        return grade_one(spec, submission, Runner(isolation(), limits, Path(tmp)), expected,
                         kernels)


def grade_batch(executor: Executor, spec: Spec, submissions: Iterable[Submission],
                expected: dict, limits: Limits, kernels: SharedKernels | None = None
                ) -> Iterator[tuple[Submission, Graded | None, BaseException | None]]:
    """Grade the submissions through `executor` (its `submit` must return
    concurrent.futures Futures); yield each one's outcome as it finishes: the Graded, or the
    error that kept it from being graded (a bug, a lost worker), never both. `kernels` (a
    folder of this machine) go with every call; a cluster's executor ships them to its workers
    (autograder.cluster)."""
    shared = (kernels,) if kernels else ()
    futures = {executor.submit(grade_submission, spec, submission, expected, limits, *shared):
               submission for submission in submissions}
    for future in as_completed(futures):
        error = future.exception()
        yield futures[future], None if error else future.result(), error
