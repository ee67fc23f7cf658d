"""Running untrusted code: the strongest isolation this machine allows, and resource limits.

Isolation, strongest first (`detect()` picks; `autograder grade` prints which is in force):

- "bubblewrap": the code runs under bwrap in new mount, PID, network, IPC and UTS namespaces.
  Its filesystem holds only the system (/usr, a few files of /etc), this Python and the
  autograder package (read-only), and an empty tmpfs at SANDBOX_ROOT for the job; the course,
  the gradebook, the reference package, other submissions and the network do not exist there.
  Nothing of the grader's folders is mounted, so no path of the host's job folders shows in
  /proc (mountinfo); bwrap's options travel through a pipe (`--args`), so its command line
  (/proc/1/cmdline) shows none either. Run as root, it also drops to an unprivileged user id
  of its own (a lease per parallel job), so the process limit counts only its processes.
- "unprivileged user": no bwrap, but root: the code runs as a leased unprivileged user id, in
  a job folder that only that user can enter. Files that are readable by everyone stay
  readable, so this is weaker; install bubblewrap.
- "none": resource limits only; the code can read whatever the grader can.

Limits on every tier: address space (memory), processes, file size, no core dumps; the caller
bounds wall time and output. On every tier the job's files go in on stdin and its results come
out through a pipe (autograder.execute): the grader reads nothing the job wrote to disk.
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

__all__ = ["Limits", "Isolation", "detect", "UidLease", "runtime_problem"]

UID_BASE, UID_COUNT = 61000, 1000
LEASES = Path("/tmp/autograder-uid-leases")
SANDBOX_ROOT = "/grading"  # the job's private folder inside bubblewrap (a tmpfs)


@dataclass(frozen=True)
class Limits:
    cell_seconds: float = 120.0
    notebook_seconds: float = 900.0
    memory_bytes: int = 4 << 30
    # processes and threads of the job's user; the CUDA simulator (assignment 06) runs each
    # block's threads, up to 256, as Python threads
    processes: int = 512
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

    def root(self, host: Path) -> str:
        """The job's private folder as the sandboxed code sees it; `host` is the folder the
        grader made for it (unused by bubblewrap, which mounts a fresh tmpfs instead)."""
        return SANDBOX_ROOT if self.name == "bubblewrap" else str(host)

    def popen(self, argv: list[str], *, host: Path, env: dict[str, str], limits: Limits,
              uid: int | None, stdin, stdout, pass_fds: tuple[int, ...] = ()
              ) -> subprocess.Popen:
        """Start `argv` in the sandbox, in the job's private folder (`self.root(host)`)."""
        switch = []
        if self.as_root and uid is not None:
            switch = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                      "--bounding-set=-all", "--no-new-privs", "--"]
            if self.name != "bubblewrap":
                os.chown(host, uid, uid, follow_symlinks=False)
        if self.name != "bubblewrap":
            host.chmod(0o700)  # other jobs' users cannot enter it
            return subprocess.Popen([*switch, *argv], cwd=host, env=env, stdin=stdin,
                                    stdout=stdout, stderr=subprocess.STDOUT, pass_fds=pass_fds,
                                    preexec_fn=_limit(limits))
        binds = _python_paths()
        options = ["--die-with-parent", "--unshare-pid", "--unshare-net", "--unshare-ipc",
                   "--unshare-uts", "--unshare-cgroup-try",
                   *([] if self.as_root else ["--unshare-user"]), "--hostname", "grading",
                   *_system_paths(), "--proc", "/proc", "--dev", "/dev",
                   # /tmp first: the binds below may lie under it (a venv in /tmp)
                   "--size", str(limits.file_bytes), "--perms", "1777", "--tmpfs", "/tmp",
                   *_parents(binds)]
        for path in binds:
            options += ["--ro-bind", str(path), str(path)]
        for path in _hidden_paths(binds):
            options += ["--tmpfs", str(path)]
        options += ["--size", str(limits.file_bytes), "--perms", "1777", "--tmpfs", SANDBOX_ROOT,
                    "--chdir", SANDBOX_ROOT]
        read, write = os.pipe()  # the options, kept off bwrap's command line (/proc/1/cmdline)
        try:
            os.write(write, b"".join(o.encode() + b"\0" for o in options))
        finally:
            os.close(write)
        try:
            return subprocess.Popen(["bwrap", "--args", str(read), "--", *switch, *argv],
                                    env=env, stdin=stdin, stdout=stdout,
                                    stderr=subprocess.STDOUT, pass_fds=(read, *pass_fds),
                                    preexec_fn=_limit(limits))
        finally:
            os.close(read)


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


def _closed_folder(path: Path) -> Path | None:
    """The first folder on the way to `path` that other users cannot enter, or None."""
    for folder in [*reversed(path.parents), path]:
        try:
            if folder.is_dir() and folder.stat().st_mode & 0o001 == 0:
                return folder
        except OSError:
            return folder
    return None


def runtime_problem(isolation: Isolation, python: str = sys.executable) -> str | None:
    """Why the sandbox's user cannot run `python` with the autograder package, or None.

    Only the "unprivileged user" tier runs the grader's own Python, in place, as another user
    (bubblewrap mounts it, with its parent folders made enterable): a virtual environment
    under a private home folder fails every submission there with "No module named ...".
    Probed once per batch, so that grading stops with what to do instead."""
    if isolation.name != "unprivileged user":
        return None
    import autograder

    with UidLease() as lease:
        try:
            done = subprocess.run(
                ["setpriv", f"--reuid={lease.uid}", f"--regid={lease.uid}", "--clear-groups",
                 python, "-I", "-c", "import autograder.execute"],
                cwd="/", capture_output=True, text=True, timeout=120)
            if done.returncode == 0:
                return None
            why = (done.stderr.strip().splitlines() or ["no output"])[-1]
        except (OSError, subprocess.TimeoutExpired) as error:
            why = str(error)
    places = [Path(python).parent, Path(autograder.__file__).resolve().parent]
    closed = sorted({str(f) for f in map(_closed_folder, places) if f is not None})
    return (f"the sandbox runs each submission as an unprivileged user (uid {lease.uid}), who "
            f"cannot run {python} with the autograder package ({why})"
            + (f": other users cannot enter {', '.join(closed)}" if closed else "")
            + ". Install the course where every user can read it (e.g. a virtual environment "
              "in /opt), make those folders readable and enterable by others (chmod o+rx), "
              "or install bubblewrap, which mounts the grader's Python into the sandbox.")
