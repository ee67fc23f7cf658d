"""Start `make lab` or `make instructor` the way a user does, for the end-to-end tests.

The real Makefile target runs on a free loopback port with a random token, in its own process
group, with Jupyter's runtime files and settings in the test's temporary folder. `running(...)`
waits until the server answers and stops make, jupyter and every kernel they started when the
block ends, whether the test passed or not.
"""

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# `make lab` builds the release (autograder release, nbgrader release_assignment) before the
# server starts: allow for that on a slow machine.
START_TIMEOUT_S = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    """HTTP status and body of a GET (an HTTP error status is returned, not raised)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def make_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    # Behave like a user's shell, not like a make recipe that happens to run pytest.
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(name, None)
    # Keep the server's runtime files, settings and workspaces out of the project's .jupyter/
    # (and of the user's home): the test's own, thrown away with tmp_path.
    for name, folder in (
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("IPYTHONDIR", "ipython"),
    ):
        env[name] = str(tmp_path / "jupyter" / folder)
    # IPython warns on stderr when IPYTHONDIR's parent is missing.
    (tmp_path / "jupyter").mkdir(exist_ok=True)
    return env


def stop(process: subprocess.Popen) -> None:
    """End make, jupyter and anything they started (they share one process group)."""
    for sig, wait_s in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


@dataclass
class Server:
    """A running `make lab` / `make instructor`."""

    base: str
    token: str
    log_path: Path
    process: subprocess.Popen

    def url(self, path: str, **params: str) -> str:
        query = urllib.parse.urlencode({**params, "token": self.token})
        return f"{self.base}/{path.lstrip('/')}?{query}"

    def get(self, path: str, **params: str) -> tuple[int, str]:
        return get(self.url(path, **params))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_tail(self) -> str:
        return f"\n--- make output (last 3000 characters) ---\n{self.log()[-3000:]}"


@contextmanager
def running(target: str, tmp_path: Path, folder: Path = ROOT,
            **make_vars: str) -> Iterator[Server]:
    """Run `make TARGET LAB_ARGS=... NAME=VALUE...` in `folder` (this repository, or a
    student copy) until the block ends."""
    env = make_env(tmp_path)
    # The venv is normally up to date here (make test built this repository's); if
    # pyproject.toml changed, or the folder is a fresh student copy, this installs, as
    # `make lab` would, without eating into the server's start-up time.
    subprocess.run(["make", "-s", ".venv/.installed"], cwd=folder, env=env, check=True,
                   timeout=1800)

    port, token = free_port(), secrets.token_hex(16)
    lab_args = (
        f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0 "
        f"--IdentityProvider.token={token}"
    )
    log_path = tmp_path / f"make-{target}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            ["make", target, f"LAB_ARGS={lab_args}", *(f"{k}={v}" for k, v in make_vars.items())],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", token, log_path, process)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"make {target} exited with {process.returncode} before serving"
                    f"{server.log_tail()}"
                )
            try:
                status, _ = server.get("api/status")
            except (urllib.error.URLError, OSError):
                status = None
            if status == 200:
                break
            if time.monotonic() > deadline:
                pytest.fail(
                    f"no answer on {server.base} after {START_TIMEOUT_S} s{server.log_tail()}"
                )
            time.sleep(0.5)
        yield server
    finally:
        stop(process)
