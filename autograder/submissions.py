"""Finding submissions and copying them, safely, into a grading job's folder.

A submission is a folder (student id: its name), a zip as a learning-management system hands it
out (student id: the file's stem), or a folder of the course's exchange inbound
(`<student>+<assignment>+<timestamp>[+<random>]`, the latest per student). A zip may hold its
files at the top or inside one folder. Zips are unpacked with limits: no absolute paths, no
`..`, no links, at most MAX_FILES files and MAX_BYTES bytes.
"""

import hashlib
import re
import shutil
import stat
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = ["Submission", "SubmissionError", "find", "from_exchange", "stage"]

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$")
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
        if self.path.is_file():
            hasher.update(self.path.read_bytes())
        else:
            for file in sorted(p for p in self.path.rglob("*") if _keep(p, self.path)):
                if file.is_file() and not file.is_symlink():
                    hasher.update(file.relative_to(self.path).as_posix().encode() + b"\0")
                    hasher.update(file.read_bytes())
        return hasher.hexdigest()


def _keep(path: Path, root: Path) -> bool:
    return not (IGNORED & set(path.relative_to(root).parts))


def _student_id(name: str, where: Path) -> str:
    if not STUDENT_ID.match(name):
        raise SubmissionError(f"{where}: {name!r} is not a usable student id (letters, digits "
                              f"and _ . @ -, at most 100 characters)")
    return name


def find(paths: list[Path]) -> list[Submission]:
    """The submissions named on the command line; a folder holding no notebook but only
    submissions (folders or zips) counts as that list."""
    found = []
    for path in map(Path, paths):
        if path.is_file() and path.suffix.lower() == ".zip":
            found.append(Submission(_student_id(path.stem, path), path))
        elif path.is_dir():
            children = sorted(p for p in path.iterdir() if not p.name.startswith("."))
            if children and not any(path.glob("*.ipynb")) and not (path / "minitorch").exists() \
                    and all(c.is_dir() or c.suffix.lower() == ".zip" for c in children):
                found.extend(find(children))
            else:
                found.append(Submission(_student_id(path.name, path), path))
        else:
            raise SubmissionError(f"{path}: no such folder or .zip file")
    students = [s.student for s in found]
    twice = sorted({s for s in students if students.count(s) > 1})
    if twice:
        raise SubmissionError(f"more than one submission for: {', '.join(twice)}")
    return found


def from_exchange(exchange: Path, course_id: str, assignment: str) -> list[Submission]:
    """The latest submission of each student in the exchange's inbound folder."""
    inbound = Path(exchange) / course_id / "inbound"
    latest: dict[str, Submission] = {}
    for folder in sorted(inbound.glob(f"*+{assignment}+*")) if inbound.is_dir() else []:
        parts = folder.name.split("+")
        if len(parts) < 3 or parts[1] != assignment or not folder.is_dir():
            continue
        student, timestamp = parts[0], parts[2]
        try:
            _student_id(student, folder)
        except SubmissionError as error:  # students can write to inbound: skip, do not stop
            warnings.warn(f"skipped: {error}", stacklevel=2)
            continue
        if student not in latest or timestamp > (latest[student].timestamp or ""):
            latest[student] = Submission(student, folder, timestamp)
    return sorted(latest.values(), key=lambda s: s.student)


def _copy_folder(source: Path, dest: Path) -> None:
    count, size = 0, 0
    for path in sorted(source.rglob("*")):
        if not _keep(path, source) or path.is_symlink():
            continue
        target = dest / path.relative_to(source)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            count, size = count + 1, size + path.stat().st_size
            if count > MAX_FILES or size > MAX_BYTES:
                raise SubmissionError(f"{source}: more than {MAX_FILES} files or "
                                      f"{MAX_BYTES >> 20} MiB")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


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
