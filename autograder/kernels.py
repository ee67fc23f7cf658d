"""Compiled Numba kernels of the reference, shared read-only with the submissions that can use
them, so that compiled assignments (04 to 07) do not compile the same kernels in every sandbox.

The grader's own run of the reference (engine.record_expected, the source notebooks with the
reference package) compiles into a folder of the host that it alone writes (bubblewrap mounts
it writable for that run only). Each submission's sandbox then gets that folder mounted
read-only and copies it into its own, private Numba cache before the kernel starts: a kernel
that the submission changes compiles there, and no submission can write to what another reads.

Numba trusts a cached kernel when its source file has the same path, modification time and
size, and does not notice changes in the modules a kernel calls. So the grader decides, outside
the sandbox, module by module: a submission gets the shared kernels of a module (the cache
entries named for its file) only when that file and every file its compiled code can depend
on (`_dependencies`: what it imports, transitively; for the scalar operators, also what the
modules that compile them import) are byte for byte the reference's (SHA-256;
`SharedKernels.fit`), and every job's files carry one fixed modification time (FIXED_MTIME).
A student who wrote their own `fast_conv.py` still gets the reference's `fast_ops` kernels;
one who changed `fast_ops.py` compiles all of them. Only under bubblewrap, where every sandbox
sees its files at the same path. A submission's other modules cannot change a shared kernel:
one that patches a compiled module's globals at run time gets the reference's kernel, as the
reference would.
"""

import ast
import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FIXED_MTIME", "PARSE_LOCK", "SANDBOX_SEED", "SEED_ENV", "SEED_MODULES_ENV",
           "SharedKernels", "cache_entries", "compiled_files", "seal"]

FIXED_MTIME = 946684800  # 2000-01-01: the modification time of every file a job gets
SANDBOX_SEED = "/grading-kernels"  # where a sandbox sees the shared kernels (read-only)
SEED_ENV = "AUTOGRADER_KERNELS"  # tells autograder.execute to copy them into its own cache
SEED_MODULES_ENV = "AUTOGRADER_KERNEL_MODULES"  # whose kernels: the modules that fit
# Python 3.11's ast.parse can fail from parallel threads ("AST constructor recursion depth
# mismatch"); `autograder check` prepares assignments in parallel
PARSE_LOCK = threading.Lock()


@dataclass(frozen=True)
class SharedKernels:
    """The reference's compiled kernels (a folder on the grading machine) and, for each module
    whose functions they hold, the files its compiled code depends on (`_dependencies`), with
    the SHA-256 of every such file in the reference."""
    folder: Path
    dependencies: tuple[tuple[str, tuple[str, ...]], ...]  # module -> files, relative paths
    digests: tuple[tuple[str, str], ...]  # file -> its SHA-256 in the reference

    @classmethod
    def of_reference(cls, folder: Path, package: Path) -> "SharedKernels":
        package = Path(package)
        dependencies = _dependencies(package)
        files = sorted({file for needs in dependencies.values() for file in needs})
        return cls(folder, tuple(sorted(dependencies.items())),
                   tuple((file, _sha256(package / file)) for file in files))

    def fit(self, package: Path) -> tuple[str, ...]:
        """The modules whose shared kernels a submitted package may use: those whose files,
        and every file their compiled code depends on, are the reference's, byte for byte.
        Reads the submission's files as bytes only (no parsing on the grader's side)."""
        package = Path(package)
        if not package.is_dir() or not self.folder.is_dir():
            return ()
        same = {file for file, digest in self.digests if _sha256(package / file) == digest}
        return tuple(module for module, needs in self.dependencies if set(needs) <= same)


def cache_entries(module: str, package_dir: str) -> tuple[str, str]:
    """Where Numba keeps the compiled functions of `module` (a path relative to the package,
    which is at `package_dir`): the cache's subfolder and the prefix of the entries' names.
    Numba names the subfolder for the source's folder and a SHA-1 of its absolute path, and
    each entry for the source file's name (numba.core.caching)."""
    folder = os.path.abspath(os.path.join(package_dir, os.path.dirname(module)))
    stem = os.path.splitext(os.path.basename(module))[0]
    subfolder = f"{os.path.basename(folder)}_{hashlib.sha1(folder.encode()).hexdigest()}"
    return subfolder, stem + "."


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
        with PARSE_LOCK:
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


def _compiles(path: Path) -> bool:
    """Whether a module imports Numba at its top: what makes compiled code in the reference
    (a module that imports it only inside a function, to name its errors, compiles nothing;
    one that did compile would hold kernels that no submission is given, which is safe)."""
    with PARSE_LOCK:
        body = ast.parse(path.read_bytes()).body
    return any(name == "numba" or name.startswith("numba.")
               for node in body if isinstance(node, (ast.Import, ast.ImportFrom))
               for name in ([a.name for a in node.names] if isinstance(node, ast.Import)
                            else [node.module or ""]))


def _closure(path: Path, package: Path) -> set[Path]:
    """`path` and the package's modules it imports, transitively."""
    todo, found = [path], set()
    while todo:
        path = todo.pop()
        if path not in found and path.is_relative_to(package):
            found.add(path)
            todo += _imported(path)
    return found


def _dependencies(package: Path) -> dict[str, tuple[str, ...]]:
    """For each module whose functions compiled code can hold (compiled_files), the files
    that code depends on. A module that uses Numba compiles its functions over its own
    globals: it depends on what it imports, transitively. A module that does not (the scalar
    operators) is compiled by the Numba modules that import it, over globals of theirs
    (fast_ops rebuilds the operators over its compiled forms): it depends on theirs too."""
    compilers = [p for p in package.rglob("*.py") if _compiles(p)]
    closures = {module: _closure(module, package) for module in compilers}
    needs: dict[Path, set[Path]] = {module: set(files) for module, files in closures.items()}
    for module, files in closures.items():
        for imported in files - {module}:
            if imported not in closures:
                needs.setdefault(imported, _closure(imported, package)).update(files)
    name = lambda path: path.relative_to(package).as_posix()  # noqa: E731
    return {name(module): tuple(sorted(map(name, files))) for module, files in needs.items()}


def compiled_files(package: Path) -> list[Path]:
    """The modules of `package` that compiled code can depend on: those that import Numba,
    and what they import, transitively."""
    package = Path(package)
    return sorted({package / file for files in _dependencies(package).values() for file in files})


def _sha256(path: Path) -> str:
    """A file's SHA-256 ("missing" for none, or a link)."""
    if not path.is_file() or path.is_symlink():
        return "missing"
    return hashlib.sha256(path.read_bytes()).hexdigest()
