"""A PostgreSQL gradebook: what `autograder grade --db postgresql://...` writes, against a real
server that the tests start (tests/postgres_server.py; skipped with the reason where none is
installed, except on CI).

The scores written are read back through nbgrader's own APIs: the Gradebook, and NbGraderAPI
over the course's nbgrader_config.py with AUTOGRADER_DB set, which is what the formgrader
reads. A real batch graded into PostgreSQL, interrupted and resumed, is in
tests/test_grade_cluster.py.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from postgres_server import PostgresServer

from autograder import gradebook

pytestmark = pytest.mark.slow  # starts a PostgreSQL server

ROOT = Path(__file__).resolve().parent.parent
COURSE = "minitorch"
STUDENTS = [f"student{n}" for n in range(8)]


@pytest.fixture(scope="module")
def server():
    running = PostgresServer()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def graded(server) -> str:
    """A gradebook into which a batch of 01_tensors was graded. (A new gradebook costs
    seconds: nbgrader runs `alembic` to stamp it.)"""
    url = server.create_database("graded")
    grade_batch(url, "01_tensors")
    return url


def cell(grade_id: str, source: str, **nbgrader) -> dict:
    return {"id": grade_id, "cell_type": "code", "execution_count": None, "outputs": [],
            "source": source,
            "metadata": {"nbgrader": {"grade_id": grade_id, "schema_version": 3,
                                      "locked": False, "solution": False, "grade": False,
                                      **nbgrader}}}


def notebook(assignment: str) -> dict:
    """An assignment's notebook as nbgrader sees it: an answer cell and two graded tests."""
    return {"nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                        "language": "python"}},
            "cells": [cell("answer", "# YOUR CODE HERE", solution=True),
                      cell("task_1_1", f"check('{assignment}', 1)", grade=True, locked=True,
                           points=2),
                      cell("task_1_2", f"check('{assignment}', 2)", grade=True, locked=True,
                           points=3)]}


def scores_of(student: str, assignment: str) -> dict[tuple[str, str], float]:
    """Made-up scores that differ per student and assignment (2 and 3 points at most)."""
    n = STUDENTS.index(student) + len(assignment)
    return {(assignment, "task_1_1"): float(n % 3), (assignment, "task_1_2"): float(n % 4)}


def read_back(db_url: str, assignment: str) -> dict[str, dict[str, float]]:
    """{student: {grade cell: auto score}} as nbgrader's Gradebook reads them."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, COURSE) as book:
        return {submission.student.id: {grade.name: grade.auto_score
                                        for nb in submission.notebooks for grade in nb.grades}
                for submission in book.find_assignment(assignment).submissions}


def grade_batch(db_url: str, assignment: str, start: threading.Barrier | None = None) -> None:
    """What `autograder grade` writes for a batch: the assignment, then each student's
    scores."""
    if start:
        start.wait()
    gradebook.prepare(db_url, COURSE, assignment, {assignment: notebook(assignment)})
    with gradebook.Writer(db_url, COURSE) as book:
        for student in STUDENTS:
            book.record(assignment, student, scores_of(student, assignment), None)


def expected(assignment: str) -> dict[str, dict[str, float]]:
    return {s: {cell: points for (_, cell), points in scores_of(s, assignment).items()}
            for s in STUDENTS}


def test_a_batch_is_graded_into_postgres(graded):
    assert read_back(graded, "01_tensors") == expected("01_tensors")


def test_grading_again_replaces_the_scores_and_adds_no_submission(graded):
    grade_batch(graded, "03_modules")
    with gradebook.Writer(graded, COURSE) as book:
        book.record("03_modules", "student0",
                    {("03_modules", "task_1_1"): 2.0, ("03_modules", "task_1_2"): 3.0}, None)
    again = read_back(graded, "03_modules")
    assert len(again) == len(STUDENTS)
    assert again["student0"] == {"task_1_1": 2.0, "task_1_2": 3.0}


def test_two_batches_of_different_assignments_write_at_once(server):
    """Two batches of the same students into a new gradebook, started together: both create
    the tables, the course and every student; without turns, one of them fails."""
    db_url = server.create_database("two_batches")
    start = threading.Barrier(2)
    with ThreadPoolExecutor(2) as pool:
        batches = [pool.submit(grade_batch, db_url, name, start)
                   for name in ("01_tensors", "02_autograd")]
        for batch in batches:
            batch.result(timeout=120)
    for name in ("01_tensors", "02_autograd"):
        assert read_back(db_url, name) == expected(name)


def test_the_formgrader_reads_the_grades_through_the_courses_config(graded, monkeypatch):
    """nbgrader's NbGraderAPI (the formgrader's backend) over course/nbgrader_config.py, with
    AUTOGRADER_DB naming the gradebook that `autograder grade` wrote."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    monkeypatch.setenv("AUTOGRADER_DB", graded)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT / "course")).load_config()
    assert config.CourseDirectory.db_url == graded
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    shown = {row["student"]: row["score"] for row in api.get_submissions("01_tensors")}
    assert shown == {s: sum(scores_of(s, "01_tensors").values()) for s in STUDENTS}


def test_a_server_that_is_not_there_is_named_without_the_password(server):
    url = f"postgresql://grader:secret@/nowhere?host={server.socket}-missing"
    with pytest.raises(gradebook.GradebookError, match="cannot open the gradebook") as error:
        gradebook.prepare(url, COURSE, "01_tensors", {"01_tensors": notebook("01_tensors")})
    assert "secret" not in str(error.value)
    assert "grader:***@" in str(error.value)
