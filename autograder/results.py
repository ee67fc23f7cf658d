"""What grading writes per submission: a Gradescope-style results.json; and grades.csv.

results.json follows Gradescope's autograder results format (autograder/schemas/results.schema.json
is the schema, checked in the tests): `score`, `max_score`, `execution_time`, `output`, and one
entry per graded test with `name`, `score`, `max_score`, `status`, `output`, `visibility`
("after_published" for hidden tests). `extra_data` holds what `autograder grade` needs to
resume: the submission's hash, the student id, the isolation and the limits hit.
"""

import csv
import os
from pathlib import Path

from autograder.untrusted import read_json
from autograder.verdict import Test

__all__ = ["results_json", "write_atomic", "read_results", "write_grades_csv", "student_folder",
           "STUDENTS"]

STUDENTS = "students"  # the folder of <out> that holds one folder per student, and nothing else


def student_folder(out: Path, student: str) -> Path:
    """Where a student's results.json and feedback.html go: apart from the grader's own files
    (gradebook, grades.csv, the reference cache), so that no student id can name one of them."""
    return Path(out) / STUDENTS / student


def results_json(student: str, assignment: str, tests: list[Test], seconds: float,
                 digest: str, isolation: str, notes: list[str], limits: list[str]) -> dict:
    score = sum(test.score for test in tests)
    max_score = sum(test.max_score for test in tests)
    lines = [f"{assignment}: {score:g} / {max_score:g} points", *notes]
    return {
        "score": score,
        "max_score": max_score,
        "execution_time": round(seconds, 3),
        "output": "\n".join(lines),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [{
            "name": f"Task {test.task} ({test.notebook})",
            "number": test.task,
            "score": test.score,
            "max_score": test.max_score,
            "status": "passed" if test.passed else "failed",
            "output": test.message,
            "visibility": "after_published",
            "extra_data": {"grade_id": test.name, "limit": test.limit},
        } for test in tests],
        "extra_data": {"student": student, "assignment": assignment, "submission_sha256": digest,
                       "isolation": isolation, "notes": notes,
                       "limits_hit": limits},
    }


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that a reader (or a crash) sees the old content or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".partial")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def read_results(path: Path) -> dict | None:
    data = read_json(path, 64 << 20)
    return data if data is not None and "tests" in data else None


def write_grades_csv(out: Path, results: dict[str, dict]) -> Path:
    """grades.csv: one row per student, one column per task, then the total."""
    names = sorted({test["number"] for data in results.values() for test in data["tests"]},
                   key=lambda n: tuple(int(p) for p in n.split(".")))
    lines = [["student", *[f"task {n}" for n in names], "score", "max_score"]]
    for student in sorted(results):
        data = results[student]
        by_task = {test["number"]: test["score"] for test in data["tests"]}
        lines.append([student, *[f"{by_task.get(n, 0):g}" for n in names],
                      f"{data['score']:g}", f"{data['max_score']:g}"])
    path = out / "grades.csv"
    temporary = path.with_name("grades.csv.partial")
    with open(temporary, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(lines)
    os.replace(temporary, path)
    return path
