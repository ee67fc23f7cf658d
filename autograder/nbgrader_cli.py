"""Running nbgrader: in a worker subprocess, from the course root, in a clean environment.

nbgrader runs in `python -m autograder.worker` processes (see autograder.worker), through its
Python API (NbGraderAPI), one course root per request. The environment holds only what
nbgrader needs: this interpreter's `bin/` first on PATH
(nbgrader runs the `alembic` executable when it creates a gradebook, and starts kernels with
this Python), a locale, and a throw-away HOME and Jupyter/IPython/Matplotlib folders, so that
nothing outside the repository is written except temporary folders and no user configuration
(~/.jupyter/nbgrader_config.py) changes what the course does.
"""

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["NbgraderError", "Worker", "clean_env", "generate_assignment", "autograde"]

KEEP = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "SYSTEMROOT")
TIMEOUT_S = 1800  # one nbgrader job: a whole notebook, every cell within Execute.timeout


class NbgraderError(RuntimeError):
    """nbgrader failed; the message ends with the tail of its log."""


def clean_env(home: Path) -> dict[str, str]:
    """A minimal environment whose user folders all live under `home` (a temporary folder)."""
    home = Path(home)
    bin_dir = Path(sys.executable).parent  # the venv's bin/; not resolved (a symlink)
    env = {name: os.environ[name] for name in KEEP if name in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    env.update({
        "PATH": os.pathsep.join([str(bin_dir), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / "jupyter-config"),
        "JUPYTER_DATA_DIR": str(home / "jupyter-data"),
        "JUPYTER_RUNTIME_DIR": str(home / "jupyter-runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "IPYTHONDIR": str(home / "ipython"),
        "MPLCONFIGDIR": str(home / "matplotlib"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        # debugpy prints a warning about frozen modules on kernel start.
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    })
    for name in ("jupyter-config", "jupyter-data", "jupyter-runtime", "ipython", "matplotlib"):
        (home / name).mkdir(parents=True, exist_ok=True)
    return env


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join("    " + line for line in text.splitlines()[-lines:])


class Worker:
    """A client of one `python -m autograder.worker` process (see autograder.worker).

    Not thread-safe: one caller at a time. The process starts at once (its slow import runs
    while the caller prepares work) and again after it dies or times out.
    """

    def __init__(self, env: dict[str, str], log: Path, cwd: Path):
        self.env, self.log, self.cwd = env, Path(log), Path(cwd)
        self.process: subprocess.Popen | None = None
        self.ready = False
        self.start()

    def start(self) -> None:
        from autograder.worker import REPLY

        self.reply_mark = REPLY
        self.ready = False
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "autograder.worker"], cwd=self.cwd, env=self.env,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
                start_new_session=True)  # its own process group: kernels die with it

    def stop(self, grace: float = 10.0) -> None:
        """End the process: it exits when its input closes; after `grace` seconds, or at
        once with grace=0, its whole process group (kernels included) is killed."""
        if self.process is None:
            return
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
        try:
            self.process.stdout.close()
        except OSError:
            pass
        self.process = None

    def _read_reply(self, deadline: float) -> dict | None:
        """The next reply line, or None on timeout or when the process ended."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    return None
                line = self.process.stdout.readline()
                if not line:
                    return None
                if line.startswith(self.reply_mark):
                    return json.loads(line[len(self.reply_mark):])

    def call(self, request: dict, timeout: float) -> dict:
        """Send a request and wait for its reply; on a timeout or a dead worker, restart it
        and return a failure reply."""
        if self.process is None or self.process.poll() is not None:
            self.stop(grace=0)
            self.start()
        deadline = time.monotonic() + timeout
        if not self.ready:
            # the import of nbgrader; it is not counted against the request's time
            if self._read_reply(time.monotonic() + 600) is None:
                return self._failed("the grading process did not start")
            self.ready = True
            deadline = time.monotonic() + timeout
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            return self._failed("the grading process died")
        reply = self._read_reply(deadline)
        if reply is None:
            timed_out = self.process.poll() is None
            return self._failed(f"no answer within {timeout:.0f} s" if timed_out
                                else "the grading process died")
        return reply

    def _failed(self, why: str) -> dict:
        self.stop(grace=0)
        try:
            tail = _tail(self.log.read_text(errors="replace"), 20)
        except OSError:
            tail = ""
        return {"success": False, "error": f"{why}; its log ends with:\n{tail}"}


def _raise_unless_success(what: str, reply: dict) -> dict:
    if not reply.get("success"):
        log = _tail(reply.get("log") or "", 15)
        raise NbgraderError(f"nbgrader {what} failed: {(reply.get('error') or '').strip()}"
                            + (f"\n  its log ends with:\n{log}" if log else ""))
    return reply


def generate_assignment(worker: Worker, course_root: Path, assignment: str) -> None:
    """nbgrader generate_assignment (forced, adding the assignment to the gradebook)."""
    request = {"op": "generate", "course": str(course_root), "assignment": assignment}
    _raise_unless_success(f"generate_assignment {assignment}",
                          worker.call(request, timeout=TIMEOUT_S))


def autograde(worker: Worker, course_root: Path, assignment: str, student: str
              ) -> dict[str, float]:
    """nbgrader autograde of one submission; the auto scores by grade_id."""
    request = {"op": "autograde", "course": str(course_root), "assignment": assignment,
               "student": student}
    reply = _raise_unless_success(f"autograde {assignment} --student={student}",
                                  worker.call(request, timeout=TIMEOUT_S))
    return reply.get("grades", {})
