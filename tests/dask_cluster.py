"""A local Dask cluster for the grading tests, started as on grading machines: `dask scheduler`
and `dask worker` processes (here all on this machine)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def start(*argv: str, log: Path) -> subprocess.Popen:
    """`dask *argv` in a session of its own (killed with its children), logging to `log`."""
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
