"""Compiled Numba kernels of the reference, shared read-only with the submissions that can use
them, so that compiled assignments (04 to 07) do not compile the same kernels in every sandbox.

The grader's own run of the reference (engine.record_expected, the source notebooks with the
reference package) compiles into a folder of the host that it alone writes (bubblewrap mounts
it writable for that run only). Each submission's sandbox then gets that folder mounted
read-only and copies it into its own, private Numba cache before the kernel starts: a kernel
that the submission changes compiles there, and no submission can write to what another reads.

Numba trusts a cached kernel when its source file has the same path, modification time and
size, and does not notice changes in the modules a kernel calls. So the grader decides, outside
the sandbox: a submission gets the shared kernels only when every file that compiled code can
depend on (`compiled_files`: the package's modules that use Numba and the modules they import,
transitively) is byte for byte the reference's (SHA-256; `SharedKernels.fit`), and every job's files
carry one fixed modification time (FIXED_MTIME). A submission that changed any of them compiles
everything itself. Only under bubblewrap, where every sandbox sees its files at the same path.
A submission's other modules cannot change a shared kernel: one that patches a compiled
module's globals at run time gets the reference's kernel, as the reference would.
"""

import ast
import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FIXED_MTIME", "SANDBOX_SEED", "SEED_ENV", "SharedKernels", "compiled_files", "seal"]

FIXED_MTIME = 946684800  # 2000-01-01: the modification time of every file a job gets
SANDBOX_SEED = "/grading-kernels"  # where a sandbox sees the shared kernels (read-only)
SEED_ENV = "AUTOGRADER_KERNELS"  # tells autograder.execute to copy them into its own cache
# Python 3.11's ast.parse can fail from parallel threads ("AST constructor recursion depth
# mismatch"); `autograder check` prepares assignments in parallel
_PARSING = threading.Lock()


@dataclass(frozen=True)
class SharedKernels:
    """The reference's compiled kernels (a folder on the grading machine), the files they
    were compiled from (compiled_files, relative to the package) and their fingerprint."""
    folder: Path
    files: tuple[str, ...]
    fingerprint: str

    @classmethod
    def of_reference(cls, folder: Path, package: Path) -> "SharedKernels":
        files = tuple(p.relative_to(package).as_posix() for p in compiled_files(package))
        return cls(folder, files, _digest(package, files))

    def fit(self, package: Path) -> bool:
        """Whether a submitted package may use these kernels: its versions of the files are
        the reference's, byte for byte, and it has no other module that uses Numba. Reads
        the submission's files as bytes only (no parsing on the grader's side)."""
        package = Path(package)
        if not package.is_dir() or not self.folder.is_dir():
            return False
        if any(p.relative_to(package).as_posix() not in self.files
               for p in package.rglob("*.py") if not p.is_symlink() and p.is_file()
               and b"numba" in p.read_bytes()):
            return False
        return _digest(package, self.files) == self.fingerprint


def seal(folder: Path) -> None:
    """Make the shared kernels the grader's and read-only for everyone else."""
    for parent, folders, files in os.walk(folder):
        for name in [*folders, *files]:
            path = Path(parent) / name
            if os.geteuid() == 0:
                os.lchown(path, 0, 0)
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)
    if os.geteuid() == 0:
        os.chown(folder, 0, 0)
    folder.chmod(0o755)


def _imported(path: Path) -> set[Path]:
    """The package's modules that `path` imports by relative import (anywhere in the file)."""
    try:
        with _PARSING:
            tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError):
        return set()
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not node.level:
            continue
        base = path.parent
        for _ in range(node.level - 1):
            base = base.parent
        names = [node.module] if node.module else [alias.name for alias in node.names]
        for name in names:
            target = base.joinpath(*name.split("."))
            found |= {p for p in (target.with_suffix(".py"), target / "__init__.py")
                      if p.is_file()}
    return found


def compiled_files(package: Path) -> list[Path]:
    """The modules of `package` that compiled code can depend on: those that mention numba,
    and what they import, transitively."""
    package = Path(package)
    todo = [p for p in package.rglob("*.py") if b"numba" in p.read_bytes()]
    found: set[Path] = set()
    while todo:
        path = todo.pop()
        if path not in found and path.is_relative_to(package):
            found.add(path)
            todo += _imported(path)
    return sorted(found)


def _digest(package: Path, files: tuple[str, ...]) -> str:
    """SHA-256 of the names and contents of `files` in `package` (a missing one counts)."""
    hasher = hashlib.sha256()
    for name in files:
        path = package / name
        content = path.read_bytes() if path.is_file() and not path.is_symlink() else None
        hasher.update(name.encode() + b"\0")
        hasher.update(hashlib.sha256(content).digest() if content is not None else b"missing")
    return hasher.hexdigest()
