"""`make lab`, the README's first command, serves the course in JupyterLab.

Runs the real Makefile target (as a user does) on a free loopback port with a random token,
waits for the server to answer, checks that it serves course/ with the nbgrader lab extension,
then stops the whole process group.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    """HTTP status and body of a GET (an HTTP error status is returned, not raised)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def make_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    # Behave like a user's shell, not like a make recipe that happens to run pytest.
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(name, None)
    # Keep the server's runtime files, settings and workspaces out of the user's home.
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "config")
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


def test_make_lab_serves_the_course(tmp_path):
    env = make_env(tmp_path)
    # The venv is normally up to date here (make test built it); if pyproject.toml changed,
    # this installs, as `make lab` would, without eating into the server's start-up time.
    subprocess.run(["make", "-s", ".venv/.installed"], cwd=ROOT, env=env, check=True, timeout=1800)

    port, token = free_port(), secrets.token_hex(16)
    lab_args = (
        f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0 "
        f"--IdentityProvider.token={token}"
    )
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "lab.log"

    def log_tail() -> str:
        return "\n--- make lab output (last 3000 characters) ---\n" + log_path.read_text()[-3000:]

    with open(log_path, "w") as log:
        process = subprocess.Popen(
            ["make", "lab", f"LAB_ARGS={lab_args}"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"make lab exited with {process.returncode} before serving{log_tail()}")
            try:
                status, _ = get(f"{base}/api/status?token={token}")
            except (urllib.error.URLError, OSError):
                status = None
            if status == 200:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"no answer on {base} after {START_TIMEOUT_S} s{log_tail()}")
            time.sleep(0.5)

        # The token is really required (the server is the one this test configured).
        assert get(f"{base}/api/status")[0] == 403

        # The notebook directory is course/: welcome.ipynb is at its root, the Makefile is not.
        status, body = get(f"{base}/api/contents/welcome.ipynb?content=0&token={token}")
        assert status == 200, body
        assert json.loads(body)["type"] == "notebook"
        assert get(f"{base}/api/contents/Makefile?content=0&token={token}")[0] == 404

        # The page JupyterLab serves loads the nbgrader lab extension.
        status, page = get(f"{base}/lab?token={token}")
        assert status == 200
        assert '"name": "@jupyter/nbgrader"' in page, "nbgrader lab extension not loaded"
    finally:
        stop(process)
    assert process.returncode is not None
