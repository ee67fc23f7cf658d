"""`make lab`, the README's first command, and `make instructor`.

- `make lab` releases the course into its local nbgrader exchange, prepares the student's
  workspace and serves it in JupyterLab: the server's root is the workspace, nbgrader's
  Assignments API lists the course's assignments, and the instructor's formgrader is off.
- `make instructor` serves course/ with the formgrader.
- The workspace preparation (scripts/student_workspace.py) lets a student fetch, validate and
  submit with nbgrader, and get the graded feedback back through the exchange; running it
  again leaves the student's work alone.

The servers run through the real Makefile targets (see lab_server.py), each test in its own
workspace and Jupyter folders under tmp_path, so a developer's own workspace/ is never touched.
"""

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from lab_server import ROOT, get, make_env, running
from traitlets.config import PyFileConfigLoader

pytestmark = pytest.mark.slow

COURSE = ROOT / "course"
SCRIPT = ROOT / "scripts" / "student_workspace.py"
BIN = Path(sys.executable).parent


def course_assignments() -> list[str]:
    names = list(tomllib.loads((COURSE / "tasks.toml").read_text())["assignments"])
    assert {"01_tensors", "02_autograd"} <= set(names), names
    return sorted(names)


def load_config(folder: Path):
    return PyFileConfigLoader("nbgrader_config.py", path=str(folder)).load_config()


def course_id() -> str:
    return load_config(COURSE).CourseDirectory.course_id


def contents(server, path: str = "") -> dict:
    status, body = server.get(f"api/contents/{path}", content="1")
    assert status == 200, f"GET api/contents/{path}: {status} {body[:500]}"
    return json.loads(body)


def test_make_lab_serves_the_student_workspace_with_the_assignments(tmp_path):
    workspace = tmp_path / "workspace"
    with running("lab", tmp_path, WORKSPACE=str(workspace)) as lab:
        # The token is really required (the server is the one this test configured).
        assert get(f"{lab.base}/api/status")[0] == 403

        # The server's root is the workspace: what JupyterLab lists is what the folder holds.
        listed = {item["name"] for item in contents(lab)["content"]}
        on_disk = {p.name for p in workspace.iterdir() if not p.name.startswith(".")}
        assert listed == on_disk, f"served {listed}, workspace holds {on_disk}{lab.log_tail()}"
        assert {"nbgrader_config.py", "README.md"} <= listed
        assert lab.get("api/contents/Makefile")[0] == 404

        # The student's nbgrader configuration names the course and its exchange.
        student = load_config(workspace)
        assert student.CourseDirectory.course_id == course_id()
        assert Path(student.Exchange.root) == COURSE / "exchange"
        assert Path(student.Exchange.assignment_dir) == workspace

        # nbgrader's Assignments panel asks these endpoints: the course and its assignments,
        # released and ready to fetch, each with its notebook.
        status, body = lab.get("courses")
        assert status == 200, body
        assert json.loads(body) == {"success": True, "value": [course_id()]}, lab.log_tail()
        status, body = lab.get("assignments", course_id=course_id())
        assert status == 200, body
        answer = json.loads(body)
        assert answer["success"], f"{answer['value']}{lab.log_tail()}"
        released = {a["assignment_id"]: a for a in answer["value"] if a["status"] == "released"}
        assert sorted(released) == course_assignments(), answer
        for name, assignment in released.items():
            notebooks = [Path(nb["path"]).name for nb in assignment["notebooks"]]
            assert f"{name}.ipynb" in notebooks, assignment

        # The page loads the nbgrader lab extension, without the instructor's parts.
        status, page = lab.get("lab")
        assert status == 200
        assert '"name": "@jupyter/nbgrader"' in page, "nbgrader lab extension not loaded"
        assert '"@jupyter/nbgrader:formgrader"' in page.split('"disabledExtensions"')[1][:500]
        assert lab.get("formgrader")[0] == 404
    assert lab.process.returncode is not None


def test_make_instructor_serves_the_course_with_the_formgrader(tmp_path):
    with running("instructor", tmp_path) as lab:
        # The root is course/: its nbgrader_config.py and tasks.toml, not the Makefile.
        assert contents(lab, "nbgrader_config.py")["type"] == "file"
        assert contents(lab, "tasks.toml")["type"] == "file"
        assert lab.get("api/contents/Makefile")[0] == 404

        # The formgrader is served (its static files answer; nothing here opens the gradebook).
        assert lab.get("formgrader/static/js/formgrade.js")[0] == 200, lab.log_tail()
        status, page = lab.get("lab")
        assert status == 200
        assert '"name": "@jupyter/nbgrader"' in page
        assert '"@jupyter/nbgrader:formgrader"' not in page
        assert "Loading the formgrader nbgrader serverextension" in lab.log()


def run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(command)} failed ({result.returncode}):\n{output}"
    return output


def test_student_fetches_validates_submits_gets_feedback_and_make_lab_keeps_their_work(
        tmp_path):
    """The workspace as `make lab` prepares it, used with nbgrader's own commands: fetch,
    validate, submit; the instructor grades from the exchange and releases the feedback; the
    student fetches it: the page is the grader's, for them.

    The exchange is a temporary one, so the test's submission never reaches the course's.
    """
    env = make_env(tmp_path)
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
    workspace, exchange = tmp_path / "workspace", tmp_path / "exchange"
    prepare = [sys.executable, str(SCRIPT), str(workspace), "--exchange", str(exchange),
               "--student", "ada"]

    output = run(prepare, ROOT, env)
    for name in course_assignments():
        assert f"{name:<14} released to the exchange; not fetched yet" in output, output

    listing = run([str(BIN / "nbgrader"), "list"], workspace, env)
    for name in course_assignments():
        assert f"{course_id()} {name}" in listing, listing

    run([str(BIN / "nbgrader"), "fetch_assignment", "01_tensors"], workspace, env)
    fetched = workspace / "01_tensors"
    notebook = fetched / "01_tensors.ipynb"
    assert notebook.is_file()
    assert (fetched / "minitorch" / "__init__.py").is_file(), "the student package came along"

    # The student works: edits their package and their notebook.
    module = fetched / "minitorch" / "tensor_data.py"
    module.write_text(module.read_text() + "\n# the student's own line\n")
    work = json.loads(notebook.read_text())
    work["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "my notes"})
    notebook.write_text(json.dumps(work))
    edited = {path: path.read_bytes() for path in (module, notebook)}

    # nbgrader validate runs the notebook and reports what is not done yet, starting with a
    # summary by task: the tasks still raise NotImplementedError (with only graded cells
    # checked, it would say "Success!"). From inside the assignment's folder, where its own
    # nbgrader_config.py (from the release) loads the workspace's, the verdict is the same.
    for where in (workspace, fetched):
        validation = run([str(BIN / "nbgrader"), "validate", str(notebook)], where, env)
        report = validation[validation.index("Validate found"):]
        first = report.split("The following cell failed:")[1]
        assert "Summary by task" in first.split("=" * 20)[0], report[:3000]
        assert "1.1        5  FAILS  index_to_position in minitorch/tensor_data.py" in first
        assert "10 of 10 tasks fail (70 of 70 points)" in first
        assert "Success!" not in validation and "WILL NOT receive" not in validation
        assert "no course settings" not in validation  # the workspace's settings were found

    # make lab again: nothing to release, the student's files untouched. Then a changed
    # release (here: a file missing from the exchange) is released again, still without
    # touching the student's copy.
    config_mtime = (workspace / "nbgrader_config.py").stat().st_mtime_ns
    again = [*prepare, "--no-release"]  # the release itself was made above
    output = run(again, ROOT, env)
    assert "01_tensors     unchanged in the exchange; fetched in" in output, output
    assert "02_autograd    unchanged in the exchange; not fetched yet" in output, output
    assert (workspace / "nbgrader_config.py").stat().st_mtime_ns == config_mtime
    outbound = exchange / course_id() / "outbound" / "01_tensors"
    (outbound / "01_tensors.ipynb").unlink()
    output = run(again, ROOT, env)
    assert "01_tensors     updated in the exchange; fetched in" in output, output
    assert (outbound / "01_tensors.ipynb").is_file()
    assert {path: path.read_bytes() for path in edited} == edited, "make lab changed student work"

    # Submitting copies the student's folder, edits included, to the exchange's inbound; from
    # inside the assignment's folder too (its config loads the workspace's settings).
    run([str(BIN / "nbgrader"), "submit", "01_tensors"], fetched, env)
    inbound = list((exchange / course_id() / "inbound").iterdir())
    assert len(inbound) == 1 and inbound[0].name.startswith("ada+01_tensors+"), inbound
    submitted = inbound[0] / "minitorch" / "tensor_data.py"
    assert submitted.read_bytes() == edited[module]
    assert (workspace / ".nbgrader" / "cache" / course_id()).is_dir(), "submission record"
    listing = run([str(BIN / "nbgrader"), "list"], workspace, env)
    assert "01_tensors (already downloaded)" in listing, listing

    # The instructor grades from the exchange and releases the feedback; the student fetches
    # it. Their package still raises NotImplementedError everywhere: no point.
    graded = tmp_path / "graded"
    autograder = [str(BIN / "autograder"), "--course", str(COURSE)]
    run([*autograder, "grade", "01_tensors", "--from-exchange", "--exchange", str(exchange),
         "--out", str(graded), "--no-progress", "--cell-timeout", "60"], ROOT, env)
    assert json.loads((graded / "students" / "ada" / "results.json").read_text())["score"] == 0
    released = run([*autograder, "feedback", "01_tensors", "--out", str(graded), "--exchange",
                    str(exchange)], ROOT, env)
    assert "Released the feedback of 1 student of 01_tensors" in released, released

    listing = run([str(BIN / "nbgrader"), "list", "--cached"], workspace, env)
    assert "(feedback ready to be fetched)" in listing, listing
    run([str(BIN / "nbgrader"), "fetch_feedback", "01_tensors"], workspace, env)
    (page,) = (workspace / "01_tensors" / "feedback").glob("*/01_tensors.html")
    text = page.read_text()
    assert "01_tensors: feedback for ada" in text and "Score: 0 / 70" in text
    listing = run([str(BIN / "nbgrader"), "list", "--cached"], workspace, env)
    assert "(feedback already fetched)" in listing, listing
