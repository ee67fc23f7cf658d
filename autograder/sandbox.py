"""Running untrusted code: the strongest isolation this machine allows, and resource limits.

Isolation, strongest first (`detect()` picks; `autograder grade` prints which is in force):

- "bubblewrap": the code runs under bwrap in new mount, PID, network, IPC and UTS namespaces.
  Its filesystem holds only the system (/usr, a few files of /etc), this Python, the autograder
  package and the job's own folders; the course, the gradebook, the reference package, other
  submissions and the network do not exist there. Run as root, it also drops to an
  unprivileged user id of its own (a lease per parallel job), so the process limit counts only
  its processes.
- "unprivileged user": no bwrap, but root: the code runs as a leased unprivileged user id. Files
  that are readable by everyone stay readable, so this is weaker; install bubblewrap.
- "none": resource limits only; the code can read whatever the grader can.

Limits on every tier: address space (memory), processes, file size, no core dumps; the caller
bounds wall time and output.
"""

import fcntl
import importlib.util
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Limits", "Isolation", "detect", "UidLease"]

UID_BASE, UID_COUNT = 61000, 1000
LEASES = Path("/tmp/autograder-uid-leases")
SANDBOX_ROOT = "/grading"  # where a job's folders appear inside bubblewrap


@dataclass(frozen=True)
class Limits:
    cell_seconds: float = 120.0
    notebook_seconds: float = 900.0
    memory_bytes: int = 4 << 30
    processes: int = 256
    output_bytes: int = 2 << 20
    file_bytes: int = 256 << 20

    def describe(self) -> str:
        return (f"{self.cell_seconds:g} s per cell, {self.notebook_seconds:g} s per notebook, "
                f"{self.memory_bytes >> 20} MiB memory, {self.processes} processes, "
                f"{self.output_bytes >> 10} KiB output, {self.file_bytes >> 20} MiB per file")


class UidLease:
    """An unprivileged user id held by this process alone while the lease is open."""

    def __init__(self):
        LEASES.mkdir(mode=0o700, exist_ok=True)
        for uid in range(UID_BASE, UID_BASE + UID_COUNT):
            handle = open(LEASES / str(uid), "w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            self.uid, self._handle = uid, handle
            return
        raise RuntimeError(f"no free sandbox user id in {UID_BASE}..{UID_BASE + UID_COUNT - 1}")

    def close(self) -> None:
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _limit(limits: Limits):
    """The preexec function of a sandboxed process: its own session and its rlimits."""
    def apply():
        os.setsid()
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        # root ignores this limit; it applies once setpriv has switched to the leased user
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
    return apply


def _system_paths() -> list[str]:
    """Read-only binds that make a working system inside bubblewrap."""
    binds = ["--ro-bind", "/usr", "/usr"]
    for name in ("/bin", "/lib", "/lib64", "/lib32", "/sbin"):
        if os.path.islink(name):
            binds += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            binds += ["--ro-bind", name, name]
    binds += ["--perms", "0755", "--dir", "/etc"]  # bwrap would make it 0700: unreadable
    for name in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "fonts",
                 "localtime", "nsswitch.conf", "passwd", "group", "hosts", "mime.types"):
        binds += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return binds


def _python_paths() -> list[Path]:
    """What this interpreter and its packages need: its prefixes and the autograder package."""
    import autograder

    paths = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent.parent,
             Path(autograder.__file__).resolve().parent}
    return sorted(p for p in paths if not str(p).startswith("/usr/"))


def _hidden_paths(binds: list[Path]) -> list[Path]:
    """Installed copies of the reference package inside a bound folder: hidden by an empty
    folder, so that a student cannot import the reference solution."""
    hidden = []
    spec = importlib.util.find_spec("minitorch")
    for location in (spec.submodule_search_locations or []) if spec else []:
        location = Path(location).resolve()
        if any(location.is_relative_to(b) for b in binds):
            hidden.append(location)
    return hidden


def _parents(paths: list[Path]) -> list[str]:
    """bwrap creates mount points 0700; make every parent of a bind traversable."""
    made: list[str] = []
    for path in paths:
        for parent in reversed(path.parents):
            text = str(parent)
            if text in ("/", "/usr", "/tmp") or text.startswith("/usr/") or text in made[3::4]:
                continue
            made += ["--perms", "0755", "--dir", text]
    return made


@dataclass(frozen=True)
class Isolation:
    name: str  # "bubblewrap", "unprivileged user" or "none"
    as_root: bool

    def describe(self) -> str:
        return {
            "bubblewrap": "bubblewrap: new mount, PID, network and IPC namespaces; only the "
                          "job's own files are visible" + ("; an unprivileged user id per job"
                                                           if self.as_root else ""),
            "unprivileged user": "an unprivileged user id per job, no namespaces (install "
                                 "bubblewrap for stronger isolation)",
            "none": "NONE: resource limits only; submissions can read what the grader can "
                    "(install bubblewrap)",
        }[self.name]

    def popen(self, argv: list[str], *, work: Path, out: Path, env: dict[str, str],
              limits: Limits, uid: int | None, stdout, **kwargs) -> subprocess.Popen:
        """Start `argv` (a Python command whose paths use `self.path(...)`) in the sandbox,
        with `work` as its working directory."""
        switch = []
        if self.as_root and uid is not None:
            switch = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                      "--bounding-set=-all", "--no-new-privs", "--"]
            for folder in (work, out):
                for path in [folder, *folder.rglob("*")]:
                    os.chown(path, uid, uid, follow_symlinks=False)
        if self.name == "bubblewrap":
            binds = _python_paths()
            command = ["bwrap", "--die-with-parent", "--unshare-pid", "--unshare-net",
                       "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                       *([] if self.as_root else ["--unshare-user"]), "--hostname", "grading",
                       *_system_paths(), "--proc", "/proc", "--dev", "/dev",
                       # /tmp first: the binds below may lie under it (a venv in /tmp)
                       "--size", str(limits.file_bytes), "--perms", "1777", "--tmpfs", "/tmp",
                       *_parents(binds + [Path(SANDBOX_ROOT) / "x"])]
            for path in binds:
                command += ["--ro-bind", str(path), str(path)]
            for path in _hidden_paths(binds):
                command += ["--tmpfs", str(path)]
            command += ["--bind", str(work), self.path(work, work, out),
                        "--bind", str(out), self.path(out, work, out),
                        "--chdir", self.path(work, work, out), "--", *switch, *argv]
            cwd = None
        else:
            command, cwd = [*switch, *argv], work
        return subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=stdout, stderr=subprocess.STDOUT,
                                preexec_fn=_limit(limits), **kwargs)

    def path(self, path: Path, work: Path, out: Path) -> str:
        """Where a path of the job's folders appears to the sandboxed code."""
        if self.name != "bubblewrap":
            return str(path)
        for folder, name in ((work, "work"), (out, "out")):
            if Path(path).is_relative_to(folder):
                return str(Path(SANDBOX_ROOT) / name / Path(path).relative_to(folder))
        raise ValueError(f"{path} is not in the job's folders")


def _works(argv: list[str]) -> bool:
    try:
        return subprocess.run(argv, capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def detect(allow_weaker: bool = True) -> Isolation:
    """The strongest isolation that works here."""
    as_root = os.geteuid() == 0
    tools = ["setpriv"] if as_root else []
    if shutil.which("bwrap") and all(shutil.which(t) for t in tools):
        probe = ["bwrap", "--unshare-pid", "--unshare-net",
                 *([] if as_root else ["--unshare-user"]), *_system_paths(),
                 "--proc", "/proc", "--dev", "/dev", "--", "true"]
        if _works(probe):
            return Isolation("bubblewrap", as_root)
    if as_root and all(shutil.which(t) for t in tools):
        return Isolation("unprivileged user", True)
    return Isolation("none", False)
