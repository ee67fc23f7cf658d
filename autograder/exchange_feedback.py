"""`autograder feedback`: hand each student's feedback back through the nbgrader exchange.

nbgrader's own `release_feedback` needs its autograde and generate_feedback steps; grades here
come from `autograder grade`, whose feedback.html is the page to return. A student's
`nbgrader submit` leaves a random secret in the submission (submission_secret.txt) and keeps
it in their own cache; `nbgrader fetch_feedback` (and the Assignment List's feedback link)
looks for `<exchange>/<course>/feedback/<md5(secret + notebook name)>.html`. So for every
student whose latest exchange submission is the one graded (same files), the feedback page is
written there, once per notebook. Only the holder of the secret finds it: the submitter.

The inbound folder is written by students: the secret is read as untrusted data (a regular
file, a bounded size, hexadecimal), and a forged one only sends that student's own feedback
where nobody looks.
"""

import hashlib
import re
from pathlib import Path

from autograder.results import read_results, student_folder, write_atomic
from autograder.submissions import from_exchange
from autograder.untrusted import read_bytes

__all__ = ["release_feedback", "feedback_name"]

SECRET = re.compile(r"[0-9a-f]{16,256}")


def feedback_name(secret: str, notebook: str) -> str:
    """The file name nbgrader's fetch_feedback looks for (nbgrader.utils.notebook_hash)."""
    return hashlib.md5(secret.encode() + notebook.encode()).hexdigest() + ".html"


def release_feedback(exchange: Path, course_id: str, assignment: str, notebooks: list[str],
                     graded: Path, say=print) -> tuple[int, list[str]]:
    """Release the feedback in `graded` (autograder grade's --out) of every student whose
    latest submission in `exchange` was graded; (how many were released, why others were
    not)."""
    submissions, problems = from_exchange(exchange, course_id, assignment)
    released = 0
    outbound = Path(exchange) / course_id / "feedback"
    for submission in submissions:
        folder = student_folder(graded, submission.student)
        results = read_results(folder / "results.json")
        page = read_bytes(folder / "feedback.html", 64 << 20)
        if results is None or page is None:
            problems.append(f"{submission.student}: not graded yet (autograder grade "
                            f"{assignment} --from-exchange)")
            continue
        if results.get("extra_data", {}).get("submission_sha256") != submission.digest():
            problems.append(f"{submission.student}: submitted again since grading: grade "
                            f"again first")
            continue
        secret = read_bytes(submission.path / "submission_secret.txt", 1024)
        text = secret.decode("ascii", "replace").strip() if secret else ""
        if not SECRET.fullmatch(text):
            problems.append(f"{submission.student}: the submission has no usable "
                            f"submission_secret.txt (was it made by nbgrader submit?)")
            continue
        outbound.mkdir(parents=True, exist_ok=True)
        for notebook in notebooks:
            write_atomic(outbound / feedback_name(text, notebook), page.decode("utf-8"))
        released += 1
    say(f"Released the feedback of {released} student{'' if released == 1 else 's'} of "
        f"{assignment} to {outbound}/: `nbgrader fetch_feedback {assignment}` (or the "
        f"Assignment List) brings it to them.")
    for problem in problems:
        say(f"  not released: {problem}")
    return released, problems
