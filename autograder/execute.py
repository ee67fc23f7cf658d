"""Run a notebook inside the sandbox: every cell, whatever happens to the ones before.

`python -I -m autograder.execute IN OUT --cell-timeout S --notebook-timeout S --output-bytes N`

The executed notebook is written to OUT after every cell, so that what ran survives a kill.
A cell that raises is recorded and execution goes on (nbgrader's semantics). A cell that runs
past its time, or that kills the kernel (`os._exit`, a crash, the memory limit), is marked in
its metadata (`autograder.limit`) with an error output, and so is, with --kill-strays, a cell
that leaves processes behind (a fork loop; checked by user id, so this is safe only where the
grader gave the job a user id or a PID namespace of its own). Then the kernel is restarted
(stray processes killed first), the course's cells that ran before are
replayed without keeping their output (cells the student added are not: one of them may be
what broke the kernel), and execution goes on with the next cell.
Output beyond the budget is dropped, with a note. Everything written here is untrusted: the
student's code runs in this process tree and may rewrite any of it.
"""

import argparse
import copy
import os
import signal
import sys
import time

# jsonschema imports rfc3987_syntax, when present, to check URI formats, and builds its
# grammars on import (3.5 s). Notebook validation here needs no format checks.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellTimeoutError, DeadKernelError  # noqa: E402

MAX_RESTARTS = 3


class BoundedClient(NotebookClient):
    """A NotebookClient that keeps at most `budget` bytes of output over the whole notebook."""

    def __init__(self, *args, budget: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget = budget
        self.used = 0
        self.truncated: set[int] = set()

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        size = len(str(content.get("text", ""))) + sum(
            len(str(value)) for value in content.get("data", {}).values()) + sum(
            len(str(line)) for line in content.get("traceback", []))
        self.used += size
        if self.used > self.budget:
            self.truncated.add(cell_index)
            return None
        return super().output(outs, msg, display_id, cell_index)


def _error_output(name: str, text: str):
    return nbformat.v4.new_output("error", ename=name, evalue=text, traceback=[f"{name}: {text}"])


def _mark(cell, limit: str, text: str) -> None:
    cell.setdefault("metadata", {})["autograder"] = {"limit": limit}
    cell.setdefault("outputs", []).append(_error_output(_LIMIT_ERRORS[limit], text))


_LIMIT_ERRORS = {"timeout": "CellTimeout", "died": "KernelDied", "processes": "ProcessLimit",
                 "notebook time": "NotRun", "restarts": "NotRun"}


def _save(notebook, path: str) -> None:
    temporary = path + ".tmp"
    nbformat.write(notebook, temporary)
    os.replace(temporary, path)


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


def run(notebook, out: str, cwd: str, cell_timeout: float, notebook_timeout: float,
        output_bytes: int, kill_strays: bool = False) -> None:
    deadline = time.monotonic() + notebook_timeout
    client = BoundedClient(notebook, timeout=cell_timeout, allow_errors=True,
                           kernel_name="python3", budget=output_bytes,
                           resources={"metadata": {"path": cwd}})
    code = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    done: list[int] = []  # course cells that ran without killing the kernel: replayed on restart
    position, restarts = 0, 0
    while position < len(code):
        with client.setup_kernel():
            replaying = True
            try:
                for index in done:  # a restart: bring the kernel back to where it was
                    current = index
                    client.timeout = max(1.0, min(cell_timeout, deadline - time.monotonic()))
                    client.execute_cell(copy.deepcopy(notebook.cells[index]), index)
                replaying = False
                while position < len(code):
                    index = code[position]
                    remaining = deadline - time.monotonic()
                    if remaining <= 1:
                        break
                    client.timeout = min(cell_timeout, remaining)
                    position += 1
                    client.execute_cell(notebook.cells[index], index)
                    if index in client.truncated:
                        notebook.cells[index].outputs.append(nbformat.v4.new_output(
                            "stream", name="stderr",
                            text=f"[autograder: output truncated; the notebook's output is "
                                 f"limited to {output_bytes} bytes]\n"))
                    strays = _strays() if kill_strays else []
                    if strays:
                        _kill(strays)
                        raise _LeftProcesses(len(strays))
                    if _from_course(notebook.cells[index]):
                        done.append(index)
                    _save(notebook, out)
            except Exception as error:  # the kernel is gone or unusable: restart it
                index = code[position - 1]
                if replaying:  # a course cell that ran before fails now: replay it no more
                    done.remove(current)
                elif isinstance(error, CellTimeoutError):
                    _mark(notebook.cells[index], "timeout",
                          f"the cell ran longer than its limit of {client.timeout:.0f} s")
                elif isinstance(error, _LeftProcesses):
                    _mark(notebook.cells[index], "processes",
                          f"the cell left {error} processes running; they were stopped and the "
                          f"kernel restarted")
                elif isinstance(error, DeadKernelError):
                    _mark(notebook.cells[index], "died",
                          "the kernel died while this cell ran (os._exit, a crash, or the "
                          "memory limit)")
                else:
                    _mark(notebook.cells[index], "died",
                          f"the kernel stopped answering ({type(error).__name__}: {error})")
                _save(notebook, out)
                restarts += 1
                if restarts > MAX_RESTARTS:
                    for later in code[position:]:
                        _mark(notebook.cells[later], "restarts",
                              f"not run: the kernel was restarted {MAX_RESTARTS} times")
                    position = len(code)
        if kill_strays:
            _kill(_strays())
        if position < len(code) and deadline - time.monotonic() <= 1:
            break
    for index in code[position:]:
        _mark(notebook.cells[index], "notebook time",
              f"not run: the notebook ran longer than its limit of {notebook_timeout:.0f} s")
    _save(notebook, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.execute")
    parser.add_argument("notebook")
    parser.add_argument("out")
    parser.add_argument("--cell-timeout", type=float, required=True)
    parser.add_argument("--notebook-timeout", type=float, required=True)
    parser.add_argument("--output-bytes", type=int, required=True)
    parser.add_argument("--kill-strays", action="store_true")
    args = parser.parse_args(argv)
    notebook = nbformat.read(args.notebook, as_version=4)
    run(notebook, args.out, os.path.dirname(os.path.abspath(args.notebook)),
        args.cell_timeout, args.notebook_timeout, args.output_bytes, args.kill_strays)
    return 0


if __name__ == "__main__":
    sys.exit(main())
