"""Run a notebook inside the sandbox: every cell, whatever happens to the ones before.

`python -I -m autograder.execute NOTEBOOK --root DIR --results-fd FD --cell-timeout S
--notebook-timeout S --output-bytes N [--kill-strays]`

The job's files arrive as a tar stream on stdin and are unpacked into DIR/work (a fresh,
private folder: a tmpfs in bubblewrap); NOTEBOOK is the name of the notebook there. Results
leave through the pipe FD that the grader holds, one JSON line per event: a cell's outputs as
soon as it has run, `{"cell": i, "outputs": [...], "autograder": {...} | null}`, the new lines
of the record file (`{"records": text}`, the file that `autograder.notebook.check` appends to,
DIR/records.jsonl), and `{"done": true}` at the end. The grader never reads a file the job
could have written, so no link, FIFO or device in the job's folder can reach it, and what
ran before a kill has already left.

The cells run in a kernel forked from this process (autograder.shell: an IPython shell on two
pipes, no Jupyter kernel, no second interpreter), which holds no copy of the results pipe.
A cell that raises is recorded and execution goes on (nbgrader's semantics). A cell that runs
past its time, or that kills the kernel (`os._exit`, a crash, the memory limit), is marked
(`autograder.limit`) with an error output, and so is, with --kill-strays, a cell that leaves
processes behind (a fork loop; checked by user id, so this is safe only where the grader gave
the job a user id or a PID namespace of its own). Then the kernel is restarted (stray
processes killed first), the course's cells that ran before are replayed without keeping
their output (cells the student added are not: one of them may be what broke the kernel), and
execution goes on with the next cell. Output beyond the budget is dropped, with a note.
Everything sent from here is untrusted: the student's code runs in this process tree.
"""

import argparse
import json
import os
import shutil
import signal
import sys
import tarfile
import time

from autograder.kernels import SEED_ENV, SEED_MODULES_ENV, cache_entries
from autograder.notebook import MAX_RECORD_BYTES
from autograder.shell import Budget, Kernel, KernelDied, KernelTimeout
from autograder.untrusted import open_regular

MAX_RESTARTS = 3
RECORDS = "records.jsonl"


def _error_output(name: str, text: str) -> dict:
    return {"output_type": "error", "ename": name, "evalue": text,
            "traceback": [f"{name}: {text}"]}


def _mark(cell: dict, limit: str, text: str) -> None:
    cell.setdefault("metadata", {})["autograder"] = {"limit": limit}
    cell.setdefault("outputs", []).append(_error_output(_LIMIT_ERRORS[limit], text))


_LIMIT_ERRORS = {"timeout": "CellTimeout", "died": "KernelDied", "processes": "ProcessLimit",
                 "notebook time": "NotRun", "restarts": "NotRun"}


class Results:
    """The pipe to the grader: each cell's outputs and the record file's new lines."""

    def __init__(self, fd: int, records: str):
        self.pipe = os.fdopen(fd, "w", encoding="utf-8")
        self.records, self.offset = records, 0

    def _send(self, event: dict) -> None:
        try:
            self.pipe.write(json.dumps(event) + "\n")
            self.pipe.flush()
        except (BrokenPipeError, ValueError):  # the grader stopped listening: nothing to do
            pass

    def cell(self, notebook, index: int) -> None:
        """Send the record's new lines, then cell `index`'s outputs and limit mark."""
        self.forward_records()
        cell = notebook["cells"][index]
        self._send({"cell": index, "outputs": cell.get("outputs", []),
                    "autograder": cell.get("metadata", {}).get("autograder")})

    def forward_records(self) -> None:
        """Send what was appended to the record file since the last call. The student's code
        can replace that file: a link, FIFO or device is not read."""
        if self.offset >= MAX_RECORD_BYTES:
            return
        fd = open_regular(self.records)
        if fd is None:
            return
        with os.fdopen(fd, "rb") as handle:
            handle.seek(self.offset)
            data = handle.read(MAX_RECORD_BYTES - self.offset)
        if data:
            self.offset += len(data)
            self._send({"records": data.decode("latin-1")})

    def done(self) -> None:
        self.forward_records()
        self._send({"done": True})


def _strays() -> list[int]:
    """Processes of this user other than this one and its children (the kernel): what a cell
    left behind (a fork loop's children, zombies included)."""
    me, mine, found = os.getpid(), os.getuid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid != mine:
                continue
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent != me:
            found.append(int(entry))
    return found


def _kill(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


class _LeftProcesses(Exception):
    """A cell left processes running: they are killed and the kernel (their parent, which
    would never reap them) restarted, so that they stop counting against the process limit."""


def _from_course(cell) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader"))


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def run(notebook: dict, results: Results, cwd: str, cell_timeout: float,
        notebook_timeout: float, output_bytes: int, kill_strays: bool = False,
        keep: tuple[int, ...] = ()) -> None:
    """Run every code cell of `notebook` (sending each one's outputs as it finishes), in
    kernels forked from this process (autograder.shell); `keep`: file descriptors that no
    kernel may hold."""
    deadline = time.monotonic() + notebook_timeout
    cells, budget = notebook["cells"], Budget(output_bytes)
    code = [i for i, cell in enumerate(cells) if cell.get("cell_type") == "code"]
    done: list[int] = []  # course cells that ran without killing the kernel: replayed on restart
    position, restarts = 0, 0
    while position < len(code):
        kernel = Kernel(cwd, Budget(float("inf")), keep)
        replaying, timeout = True, cell_timeout
        try:
            for index in done:  # a restart: bring the kernel back to where it was
                current = index
                timeout = max(1.0, min(cell_timeout, deadline - time.monotonic()))
                kernel.execute(_source(cells[index]), timeout)
            replaying = False
            kernel.budget = budget
            while position < len(code):
                index = code[position]
                remaining = deadline - time.monotonic()
                if remaining <= 1:
                    break
                timeout = min(cell_timeout, remaining)
                position += 1
                cells[index]["outputs"] = []
                outputs, truncated = kernel.execute(_source(cells[index]), timeout)
                cells[index]["outputs"] = outputs
                if truncated:
                    outputs.append({"output_type": "stream", "name": "stderr", "text":
                                    f"[autograder: output truncated; the notebook's output is "
                                    f"limited to {output_bytes} bytes]\n"})
                strays = _strays() if kill_strays else []
                if strays:
                    _kill(strays)
                    raise _LeftProcesses(len(strays))
                if _from_course(cells[index]):
                    done.append(index)
                results.cell(notebook, index)
        except (KernelDied, KernelTimeout, _LeftProcesses) as error:  # restart the kernel
            index = code[position - 1]
            if replaying:  # a course cell that ran before fails now: replay it no more
                done.remove(current)
            elif isinstance(error, KernelTimeout):
                _mark(cells[index], "timeout",
                      f"the cell ran longer than its limit of {timeout:.0f} s")
            elif isinstance(error, _LeftProcesses):
                _mark(cells[index], "processes",
                      f"the cell left {error} processes running; they were stopped and the "
                      f"kernel restarted")
            else:
                _mark(cells[index], "died",
                      "the kernel died while this cell ran (os._exit, a crash, or the "
                      "memory limit)")
            if not replaying:
                results.cell(notebook, index)
            restarts += 1
            if restarts > MAX_RESTARTS:
                for later in code[position:]:
                    _mark(cells[later], "restarts",
                          f"not run: the kernel was restarted {MAX_RESTARTS} times")
                    results.cell(notebook, later)
                position = len(code)
        finally:
            kernel.close()
        if kill_strays:
            _kill(_strays())
        if position < len(code) and deadline - time.monotonic() <= 1:
            break
    for index in code[position:]:
        _mark(cells[index], "notebook time",
              f"not run: the notebook ran longer than its limit of {notebook_timeout:.0f} s")
        results.cell(notebook, index)
    results.done()


def unpack(stream, work: str) -> None:
    """Unpack the job's files (a tar stream from the grader) into `work`."""
    os.makedirs(work, exist_ok=True)
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        archive.extractall(work, filter="data")


def _seed_kernels(work: str) -> None:
    """Copy the reference's compiled kernels (read-only, autograder.kernels) of the modules
    that the grader found to fit this job's files into its own Numba cache, before any of the
    job's code runs: those are loaded from there, and the others compile into it."""
    seed, cache = os.environ.get(SEED_ENV), os.environ.get("NUMBA_CACHE_DIR")
    modules = [m for m in os.environ.get(SEED_MODULES_ENV, "").split(",") if m]
    if not (seed and cache and os.path.isdir(seed)):
        return
    for module in modules:
        subfolder, prefix = cache_entries(module, os.path.join(work, "minitorch"))
        source = os.path.join(seed, subfolder)
        names = [n for n in os.listdir(source) if n.startswith(prefix)] if os.path.isdir(
            source) else []
        os.makedirs(os.path.join(cache, subfolder), exist_ok=True)
        for name in names:
            shutil.copyfile(os.path.join(source, name), os.path.join(cache, subfolder, name))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.execute")
    parser.add_argument("notebook")
    parser.add_argument("--root", required=True)
    parser.add_argument("--results-fd", type=int, required=True)
    parser.add_argument("--cell-timeout", type=float, required=True)
    parser.add_argument("--notebook-timeout", type=float, required=True)
    parser.add_argument("--output-bytes", type=int, required=True)
    parser.add_argument("--kill-strays", action="store_true")
    args = parser.parse_args(argv)
    os.set_inheritable(args.results_fd, False)  # the kernel gets no copy of the pipe
    work = os.path.join(args.root, "work")
    unpack(sys.stdin.buffer, work)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.makedirs(os.path.join(args.root, "home"), exist_ok=True)
    _seed_kernels(work)
    records = os.path.join(args.root, RECORDS)
    os.close(os.open(records, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600))
    results = Results(args.results_fd, records)
    with open(os.path.join(work, args.notebook), encoding="utf-8") as handle:
        notebook = json.load(handle)
    run(notebook, results, work, args.cell_timeout, args.notebook_timeout, args.output_bytes,
        args.kill_strays, keep=(args.results_fd,))
    return 0


if __name__ == "__main__":
    sys.exit(main())
