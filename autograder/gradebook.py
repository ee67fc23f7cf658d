"""Writing grades into nbgrader's gradebook (any SQLAlchemy URL; sqlite by default).

The gradebook stays nbgrader's: the assignment, its notebooks and cells are entered as
`generate_assignment` would, and each graded submission gets nbgrader's submission rows with
the auto scores decided by the grader. Writes are idempotent (update or create), so grading a
submission again replaces its scores and never adds them twice.

A PostgreSQL gradebook (postgresql://user@host/db, driver: the `postgres` extra) is shared:
several batches (other assignments, other graders) and the formgrader's TAs use it at once.
nbgrader's "find, else add" of tables, the course and students races there (two batches both
add the student `alice`: one fails), so each write here (one submission's scores, a few
milliseconds) holds a PostgreSQL advisory lock of the course: writers take turns, readers
never wait.
"""

import hashlib
import json
import os
import sys
import warnings
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path

__all__ = ["GradebookError", "ENV", "prepare", "Writer", "shown"]

# The gradebook URL that `autograder grade` and the course's nbgrader_config.py (the
# formgrader) use when it is set and no --db is given: one setting for both.
ENV = "AUTOGRADER_DB"


class GradebookError(RuntimeError):
    """The gradebook cannot be opened (a wrong URL, no server, no driver)."""


def shown(db_url: str) -> str:
    """The URL as it may be printed: without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy reads: it says so when the gradebook opens
        return db_url


class _Turns:
    """Writers of one course's PostgreSQL gradebook take turns: `turn()` holds a session-level
    advisory lock on a connection of its own (released by the server if this process dies).
    On other databases a turn is free."""

    def __init__(self, db_url: str, course_id: str):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        self.connection = None
        if make_url(db_url).get_backend_name() == "postgresql":
            self.key = int.from_bytes(
                hashlib.sha256(f"autograder:{course_id}".encode()).digest()[:8], "big",
                signed=True)
            self.engine = create_engine(db_url, poolclass=NullPool)
            self.connection = self.engine.connect()

    @contextmanager
    def turn(self):
        if self.connection is None:
            yield
            return
        from sqlalchemy import text

        self.connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": self.key})
        self.connection.commit()
        try:
            yield
        finally:
            self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            self.connection.commit()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.engine.dispose()


@contextmanager
def _open(db_url: str, course_id: str):
    """nbgrader's Gradebook at `db_url` (opened, which may create its tables, during a turn)
    and the turns of its writers."""
    # nbgrader runs the `alembic` executable when it creates a gradebook
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import ArgumentError, OperationalError

    with ExitStack() as stack:
        try:
            turns = _Turns(db_url, course_id)
            stack.callback(turns.close)
            with turns.turn():
                gradebook = stack.enter_context(Gradebook(db_url, course_id))
        except ModuleNotFoundError as error:
            raise GradebookError(f"the gradebook {shown(db_url)} needs the database driver "
                                 f"{error.name!r}: pip install 'minitorch-course[postgres]' "
                                 f"(PostgreSQL)") from None
        except (ArgumentError, OperationalError) as error:
            why = getattr(error, "orig", None) or error
            raise GradebookError(f"cannot open the gradebook {shown(db_url)}: "
                                 f"{str(why).strip()}") from None
        yield gradebook, turns


def prepare(db_url: str, course_id: str, assignment: str, notebooks: dict[str, dict]) -> None:
    """Enter the assignment, its notebooks (name -> notebook) and their graded, answer and
    read-only cells."""
    import nbformat
    from nbgrader.utils import compute_checksum

    with _open(db_url, course_id) as (gradebook, turns), turns.turn():
        gradebook.update_or_create_assignment(assignment)
        for name, notebook in notebooks.items():
            gradebook.update_or_create_notebook(name, assignment)
            for cell in nbformat.reads(json.dumps(notebook), as_version=4).cells:
                meta = cell.get("metadata", {}).get("nbgrader", {})
                cell_id = meta.get("grade_id")
                if not cell_id:
                    continue
                if meta.get("grade"):
                    gradebook.update_or_create_grade_cell(
                        cell_id, name, assignment, max_score=float(meta.get("points", 0)),
                        cell_type=cell["cell_type"])
                if meta.get("solution"):
                    gradebook.update_or_create_solution_cell(cell_id, name, assignment)
                if meta.get("grade") or meta.get("solution") or meta.get("locked"):
                    gradebook.update_or_create_source_cell(
                        cell_id, name, assignment, cell_type=cell["cell_type"],
                        locked=bool(meta.get("locked")), source=cell.source,
                        checksum=compute_checksum(cell))


def _record(gradebook, assignment: str, student: str, scores: dict[tuple[str, str], float],
            timestamp: datetime | None) -> None:
    with warnings.catch_warnings():
        # nbgrader's own submission code trips SQLAlchemy's autoflush warnings
        warnings.simplefilter("ignore")
        gradebook.update_or_create_student(student)
        extra = {"timestamp": timestamp} if timestamp else {}
        gradebook.update_or_create_submission(assignment, student, **extra)
        for (notebook, grade_id), points in scores.items():
            grade = gradebook.find_grade(grade_id, notebook, assignment, student)
            grade.auto_score = points
            grade.needs_manual_grade = False
        gradebook.db.commit()


class Writer:
    """The gradebook held open for a batch: `record` stores one submission's auto scores
    ({(notebook name, grade_id): points}) in one transaction, during a turn, without opening
    the database (and its engine) for each."""

    def __init__(self, db_url: str, course_id: str):
        self.db_url, self.course_id = db_url, course_id

    def __enter__(self):
        self._opened = _open(self.db_url, self.course_id)
        self.gradebook, self._turns = self._opened.__enter__()
        return self

    def __exit__(self, *exc):
        return self._opened.__exit__(*exc)

    def record(self, assignment: str, student: str, scores: dict[tuple[str, str], float],
               timestamp: datetime | None) -> None:
        with self._turns.turn():
            try:
                _record(self.gradebook, assignment, student, scores, timestamp)
            except Exception:
                self.gradebook.db.rollback()  # the next submission starts a clean transaction
                raise
