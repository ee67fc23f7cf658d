"""Finding submissions and copying them, safely, into a grading job's folder.

A submission is a folder (student id: its name), a zip as a learning-management system hands it
out (student id: the file's stem), or a folder of the course's exchange inbound
(`<student>+<assignment>+<timestamp>[+<random>]`, the latest per student). A zip may hold its
files at the top or inside one folder. Zips are unpacked with limits: no absolute paths, no
`..`, no links, at most MAX_FILES files and MAX_BYTES bytes. Folders are copied the same way:
links, FIFOs and devices are left out, whatever they are when read (autograder.untrusted).

A student id is the whole of a name (a trailing newline included) in STUDENT_ID's charset, and
none of the names in RESERVED (the grader's own files). An entry whose name is no usable id is
skipped with the reason, so that it cannot stop the others.
"""

import hashlib
import os
import pwd
import re
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from autograder.untrusted import copy_file, open_regular

__all__ = ["Submission", "SubmissionError", "STUDENT_ID", "RESERVED", "find", "from_exchange",
           "stage", "student_id_problem"]

STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}")  # always used with fullmatch
# Names of what the grader writes beside students' folders (here or in `ci --out`), and of
# SQLite's side files: never student ids, whatever the layout.
RESERVED = {"gradebook.db", "gradebook.db-journal", "gradebook.db-wal", "gradebook.db-shm",
            "grades.csv", "results.json", "summary.md", "feedback.html", "students"}
MAX_FILES = 2000
MAX_BYTES = 200 << 20
IGNORED = {"__pycache__", ".ipynb_checkpoints", ".git", "__MACOSX"}


class SubmissionError(ValueError):
    """A submission that cannot be read; it is graded zero with this message."""


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path  # a folder or a .zip
    timestamp: str | None = None

    def digest(self) -> str:
        """A hash of the submission's files, so that a changed submission is graded again."""
        hasher = hashlib.sha256()
        if not self.path.is_dir():
            _hash_file(hasher, self.path)
            return hasher.hexdigest()
        for file in _files(self.path):
            _hash_file(hasher, file, file.relative_to(self.path).as_posix())
        return hasher.hexdigest()


def _hash_file(hasher, path: Path, name: str | None = None) -> None:
    """Add a regular file (and its name, if given) to `hasher`; links, FIFOs and devices add
    nothing."""
    fd = open_regular(path)
    if fd is None:
        return
    if name is not None:
        hasher.update(name.encode() + b"\0")
    with os.fdopen(fd, "rb") as handle:
        while chunk := handle.read(1 << 20):
            hasher.update(chunk)


def _files(root: Path) -> list[Path]:
    """The files under `root` in a stable order, without following links into folders and
    without the IGNORED folders (editor and Python caches)."""
    found = []
    for folder, subfolders, names in os.walk(root, followlinks=False):
        subfolders[:] = sorted(d for d in subfolders if d not in IGNORED)
        found += [Path(folder) / name for name in names]
    return sorted(found)


def student_id_problem(name: str) -> str | None:
    """Why `name` cannot be a student id, or None when it can."""
    if not STUDENT_ID.fullmatch(name):
        return (f"{name!r} is not a usable student id (letters, digits and _ . @ -, starting "
                f"with a letter or digit, at most 100 characters)")
    if name.lower() in RESERVED:
        return f"{name!r} cannot be a student id: it names one of the grader's own files"
    return None


def find(paths: list[Path]) -> tuple[list[Submission], list[str]]:
    """The submissions named on the command line, and why any entry was skipped; a folder
    holding no notebook but only submissions (folders or zips) counts as that list."""
    found, skipped = [], []
    for path in map(Path, paths):
        if path.is_file() and path.suffix.lower() == ".zip":
            name = path.stem
        elif path.is_dir():
            children = sorted(p for p in path.iterdir() if not p.name.startswith("."))
            if children and not any(path.glob("*.ipynb")) and not (path / "minitorch").exists() \
                    and all(c.is_dir() or c.suffix.lower() == ".zip" for c in children):
                more, why = find(children)
                found, skipped = found + more, skipped + why
                continue
            name = path.name
        else:
            raise SubmissionError(f"{path}: no such folder or .zip file")
        problem = student_id_problem(name)
        if problem:
            skipped.append(f"{path}: {problem}")
        else:
            found.append(Submission(name, path))
    students = [s.student for s in found]
    twice = sorted({s for s in students if students.count(s) > 1})
    if twice:
        raise SubmissionError(f"more than one submission for: {', '.join(twice)}")
    return found, skipped


def _owner_problem(folder: Path, student: str) -> str | None:
    """Why the exchange cannot vouch that `student` made `folder`, or None.

    On a shared exchange (nbgrader's default, /srv/nbgrader/exchange, or one on a JupyterHub)
    each student submits as their own OS user, who then owns the folder: its owner must be the
    student it names. A folder owned by the grader's own user is a local exchange's (one
    machine, one user: the owner proves nothing, and the name is taken as it is)."""
    try:
        info = folder.lstat()
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if not stat.S_ISDIR(info.st_mode):
        return "is not a folder (a link or a file)"
    if info.st_uid == os.geteuid():
        return None
    try:
        owner = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        owner = f"user id {info.st_uid}"
    if owner != student:
        return f"names {student!r} but was submitted by {owner!r}"
    return None


def from_exchange(exchange: Path, course_id: str,
                  assignment: str) -> tuple[list[Submission], list[str]]:
    """The latest submission of each student in the exchange's inbound folder, and why any
    folder was skipped (students write there: a bad entry is left out, never fatal)."""
    inbound = Path(exchange) / course_id / "inbound"
    latest: dict[str, Submission] = {}
    skipped = []
    for folder in sorted(inbound.glob(f"*+{assignment}+*")) if inbound.is_dir() else []:
        parts = folder.name.split("+")
        if len(parts) < 3 or parts[1] != assignment:
            continue
        student, timestamp = parts[0], parts[2]
        problem = student_id_problem(student) or _owner_problem(folder, student)
        if problem:
            skipped.append(f"{folder.name!r} in the exchange: {problem}")
            continue
        if student not in latest or timestamp > (latest[student].timestamp or ""):
            latest[student] = Submission(student, folder, timestamp)
    return sorted(latest.values(), key=lambda s: s.student), skipped


def _copy_folder(source: Path, dest: Path) -> None:
    count, size = 0, 0
    for path in _files(source):
        target = dest / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        copied = copy_file(path, target, MAX_BYTES - size)
        if copied is None:
            if path.is_symlink() or not path.is_file():
                continue  # a link, a FIFO, a device: not part of a submission
            raise SubmissionError(f"{source}: more than {MAX_BYTES >> 20} MiB")
        count, size = count + 1, size + copied
        if count > MAX_FILES:
            raise SubmissionError(f"{source}: more than {MAX_FILES} files or "
                                  f"{MAX_BYTES >> 20} MiB")


def _unzip(archive: Path, dest: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = bundle.infolist()
            if len(members) > MAX_FILES or sum(m.file_size for m in members) > MAX_BYTES:
                raise SubmissionError(f"{archive.name}: more than {MAX_FILES} files or "
                                      f"{MAX_BYTES >> 20} MiB unpacked")
            for member in members:
                name = PurePosixPath(member.filename.replace("\\", "/"))
                if name.is_absolute() or ".." in name.parts or not name.parts:
                    raise SubmissionError(f"{archive.name}: unsafe path {member.filename!r}")
                if stat.S_ISLNK(member.external_attr >> 16) or IGNORED & set(name.parts):
                    continue
                target = dest.joinpath(*name.parts)
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(member) as data, open(target, "wb") as out:
                    written = 0
                    while chunk := data.read(1 << 20):
                        written += len(chunk)
                        if written > member.file_size or written > MAX_BYTES:
                            raise SubmissionError(f"{archive.name}: {member.filename} is "
                                                  f"larger than its header says")
                        out.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError) as error:
        raise SubmissionError(f"{archive.name}: not a readable zip file ({error})") from None


def stage(submission: Submission, dest: Path) -> None:
    """Copy (or unpack) a submission's files into `dest`, lifting a single top folder."""
    dest.mkdir(parents=True, exist_ok=True)
    if submission.path.is_file():
        _unzip(submission.path, dest)
    else:
        _copy_folder(submission.path, dest)
    entries = list(dest.iterdir())
    if len(entries) == 1 and entries[0].is_dir() and entries[0].name != "minitorch":
        inner = entries[0].rename(tempfile.mkdtemp(dir=dest, prefix=".lifted-"))
        for child in inner.iterdir():
            child.rename(dest / child.name)
        inner.rmdir()
