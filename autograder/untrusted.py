"""Reading files that a student could have made: never through a link, never from a FIFO or a
device, never without a size bound.

A student's folder (a submission, an exchange inbound) can hold, or be changed while being read
to hold, a symlink to another student's files, a FIFO that blocks a reader forever, or a link to
/dev/zero that never ends. Every read of such a file goes through `open_regular`: the last path
component is opened without following a link (O_NOFOLLOW) and without blocking (O_NONBLOCK), and
what was opened must be a regular file (fstat), else the file counts as absent.
"""

import json
import os
import stat
from pathlib import Path

__all__ = ["open_regular", "read_bytes", "read_json", "copy_file"]

CHUNK = 1 << 20


def open_regular(path: Path) -> int | None:
    """A read-only descriptor of `path` if it is a regular file (not a link to one), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.set_blocking(fd, True)  # a regular file never blocks; plain reads from here
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def read_bytes(path: Path, limit: int) -> bytes | None:
    """The content of a regular file of at most `limit` bytes, or None (missing, not regular,
    a link, or larger)."""
    fd = open_regular(path)
    if fd is None:
        return None
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else data


def read_json(path: Path, limit: int) -> dict | None:
    """A JSON object from a regular file of at most `limit` bytes, or None (missing, not
    regular, too large, not JSON, or not an object)."""
    data = read_bytes(path, limit)
    try:
        value = json.loads(data.decode("utf-8")) if data is not None else None
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def copy_file(path: Path, target: Path, limit: int) -> int | None:
    """Copy a regular file of at most `limit` bytes to `target` (created); the bytes copied, or
    None when `path` is not such a file (nothing is left at `target` then)."""
    fd = open_regular(path)
    if fd is None:
        return None
    copied = 0
    with os.fdopen(fd, "rb") as source, open(target, "wb") as dest:
        while chunk := source.read(CHUNK):
            copied += len(chunk)
            if copied > limit:
                break
            dest.write(chunk)
    if copied > limit:
        target.unlink()
        return None
    return copied
