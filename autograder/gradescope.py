"""Gradescope: the autograder zip (`autograder gradescope`) and what runs in it
(`autograder gradescope-run`, called by its run_autograder).

The zip, unpacked by Gradescope into /autograder/source:

    setup.sh         run once when Gradescope builds the image: bubblewrap, and a virtual
                     environment with the bundle's grader (its runtime pinned)
    run_autograder   run per submission: `autograder gradescope-run`
    bundle/          the assignment's grading bundle (autograder.bundle): no solution

`gradescope-run` grades /autograder/submission from the bundle, exactly as `autograder grade`
does (sandbox, limits, verdict), and writes /autograder/results/results.json, Gradescope's
format, hidden tests visible after the grades are published. It writes a results.json also
when grading fails, saying why, so that the student sees a message rather than an error.
Every path can be moved with environment variables, so that tests run the zip in a temporary
folder: AUTOGRADER_ROOT (/autograder), AUTOGRADER_VENV (<root>/venv).
"""

import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from autograder.bundle import leaks_in, read_bundle, write_bundle
from autograder.course import Course
from autograder.sandbox import Limits

__all__ = ["write_zip", "run", "SETUP", "RUN"]

SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (choose an
# Ubuntu 24.04 base image: the grader needs Python 3.11 or newer).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
VENV="${AUTOGRADER_VENV:-$ROOT/venv}"
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip bubblewrap
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "the grader needs Python 3.11 or newer: choose an Ubuntu 24.04 base image" >&2; exit 1; }
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --upgrade pip
"$VENV/bin/python" -m pip install "$ROOT/source/bundle/grader"
"""

RUN = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission: grade it with the bundle, write the results.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
VENV="${AUTOGRADER_VENV:-$ROOT/venv}"
export AUTOGRADER_ROOT="$ROOT"
exec "$VENV/bin/autograder" gradescope-run
"""


def write_zip(course: Course, assignment: str, out: Path, limits: Limits, say=print) -> Path:
    """Write Gradescope's autograder zip of `assignment` to `out`; fails (writing nothing) if
    any solution line of the course is in it."""
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="autograder-gradescope-") as tmp:
        stage = Path(tmp) / "autograder"
        stage.mkdir()
        write_bundle(course, assignment, stage / "bundle", limits, say=say)
        for name, text in (("setup.sh", SETUP), ("run_autograder", RUN)):
            (stage / name).write_text(text, encoding="utf-8")
            (stage / name).chmod(0o755)
        leaks = leaks_in(course, assignment, stage, stage / "bundle" / "package" / "minitorch")
        if leaks:
            raise RuntimeError("the zip would hold solution code:\n  " + "\n  ".join(leaks))
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(stage.rglob("*")):
                if path.is_file():
                    info = zipfile.ZipInfo.from_file(path, path.relative_to(stage).as_posix())
                    with open(path, "rb") as data:
                        archive.writestr(info, data.read(), zipfile.ZIP_DEFLATED)
        os.replace(partial, out)
    say(f"Wrote {out}: upload it as the autograder of {assignment} on Gradescope (base image "
        f"Ubuntu 24.04). It holds the hidden tests and expected outputs, not the solutions.")
    return out


def _student(root: Path) -> str:
    """The student id from Gradescope's submission_metadata.json: the first submitter's
    email's local part, else "student"."""
    from autograder.ci import student_id

    try:
        meta = json.loads((root / "submission_metadata.json").read_text(encoding="utf-8"))
        user = meta["users"][0]
        return student_id(str(user.get("email", "")).partition("@")[0] or user.get("name", ""))
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError):
        return "student"


def _failed(why: str) -> dict:
    return {"score": 0.0, "output": f"The submission could not be graded: {why}. Tell your "
            f"instructor.", "visibility": "visible", "stdout_visibility": "hidden", "tests": []}


def run() -> int:
    """Grade $AUTOGRADER_ROOT/submission with the bundle in source/bundle; always writes
    results/results.json. The exit status is 0 when a results.json was written."""
    from autograder.grade import Options, grade
    from autograder.results import student_folder, write_atomic
    from autograder.submissions import Submission

    root = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    results = root / "results" / "results.json"
    student = _student(root)
    try:
        spec, limits = read_bundle(root / "source" / "bundle")
        with tempfile.TemporaryDirectory(prefix="autograder-gradescope-") as tmp:
            out = Path(tmp) / "graded"
            done = grade(spec, [Submission(student, root / "submission")],
                         Options(out=out, jobs=1, force=True, limits=limits, progress=False))
            if student not in done:
                raise RuntimeError("no result was stored")
            results.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(student_folder(out, student) / "results.json", results)
    except Exception as error:  # the student must get a results.json, whatever went wrong
        write_atomic(results, json.dumps(_failed(f"{type(error).__name__}: {error}")))
        print(f"autograder gradescope-run: {type(error).__name__}: {error}")
    return 0
