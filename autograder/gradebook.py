"""Writing grades into nbgrader's gradebook (any SQLAlchemy URL; sqlite by default).

The gradebook stays nbgrader's: the assignment, its notebooks and cells are entered as
`generate_assignment` would, and each graded submission gets nbgrader's submission rows with
the auto scores decided by the grader. Writes are idempotent (update or create), so grading a
submission again replaces its scores and never adds them twice.
"""

import json
import os
import sys
import warnings
from datetime import datetime
from pathlib import Path

__all__ = ["prepare", "Writer"]


def _open(db_url: str, course_id: str):
    # nbgrader runs the `alembic` executable when it creates a gradebook
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    from nbgrader.api import Gradebook

    return Gradebook(db_url, course_id)


def prepare(db_url: str, course_id: str, assignment: str, notebooks: dict[str, dict]) -> None:
    """Enter the assignment, its notebooks (name -> notebook) and their graded, answer and
    read-only cells."""
    import nbformat
    from nbgrader.utils import compute_checksum

    with _open(db_url, course_id) as gradebook:
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
    """The gradebook held open for a batch: `record` as above, one transaction per
    submission, without opening the database (and its engine) for each."""

    def __init__(self, db_url: str, course_id: str):
        self.db_url, self.course_id = db_url, course_id

    def __enter__(self):
        self.gradebook = _open(self.db_url, self.course_id).__enter__()
        return self

    def __exit__(self, *exc):
        return self.gradebook.__exit__(*exc)

    def record(self, assignment: str, student: str, scores: dict[tuple[str, str], float],
               timestamp: datetime | None) -> None:
        try:
            _record(self.gradebook, assignment, student, scores, timestamp)
        except Exception:
            self.gradebook.db.rollback()  # the next submission starts a clean transaction
            raise
