"""A throwaway PostgreSQL server for tests: its own data folder, a unix socket in a private
temporary folder, no TCP port, stopped and removed at the end.

It uses the server binaries of Debian's `postgresql` package (/usr/lib/postgresql/<v>/bin,
which .ci/run installs) or, elsewhere, `initdb` and `pg_ctl` on PATH. PostgreSQL refuses to
run as root, so under root the server runs as the `postgres` user (which Debian's package
creates), else as `nobody`. Where no server is installed the tests that need one are skipped
with the reason, except on CI (CI=true), which installs one: there, they fail.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
from glob import glob
from pathlib import Path

import pytest

USER = "autograder"  # the server's superuser, trusted on the private socket only


def server_binaries() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres: the newest Debian install, else PATH's."""
    def version(path: str) -> float:
        try:
            return float(Path(path).parts[-3])
        except ValueError:
            return 0.0

    for initdb in sorted(glob("/usr/lib/postgresql/*/bin/initdb"), key=version, reverse=True):
        return Path(initdb).parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found and shutil.which("pg_ctl") else None


def _server_account() -> pwd.struct_passwd | None:
    """Who runs the server: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    pytest.skip("running as root with neither a `postgres` nor a `nobody` user to run "
                "PostgreSQL as (it refuses root)")


class PostgresServer:
    """A running server; `url(database)` is the SQLAlchemy URL of a database on it."""

    def __init__(self) -> None:
        binaries = server_binaries()
        if binaries is None:
            why = ("no PostgreSQL server installed (Debian: apt-get install postgresql, as "
                   ".ci/run does)")
            if os.environ.get("CI"):
                pytest.fail(f"{why}; CI must have one")
            pytest.skip(why)
        self.binaries = binaries
        self.account = _server_account()
        self.folder = Path(tempfile.mkdtemp(prefix="autograder-postgres-"))
        self.data, self.socket = self.folder / "data", self.folder / "socket"
        self.socket.mkdir()
        if self.account:
            for path in (self.folder, self.socket):
                os.chown(path, self.account.pw_uid, self.account.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "--no-sync",
                  "-E", "UTF8", "--locale=C")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w",
                  "-o", f"-k {self.socket} -c listen_addresses= -c fsync=off "
                        f"-c max_connections=60", "start")

    def _run(self, program: str, *args: str) -> None:
        account = self.account
        done = subprocess.run(
            [str(self.binaries / program), *args], capture_output=True, text=True, timeout=120,
            cwd=self.folder, user=account.pw_uid if account else None,
            group=account.pw_gid if account else None, extra_groups=[] if account else None)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stdout}{done.stderr}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@/{database}?host={self.socket}"

    def create_database(self, name: str) -> str:
        """A new, empty database; its URL."""
        import psycopg

        with psycopg.connect(dbname="postgres", user=USER, host=str(self.socket),
                             autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
