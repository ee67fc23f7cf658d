"""A student's road in JupyterLab, driven in a real browser (headless Chromium), on the
student copy that `autograder release` writes.

The student copy's own `make lab` (the real target, on a free port with a token, in a
temporary workspace, from its own environment with no reference package) serves the
workspace; the test opens JupyterLab, opens nbgrader's Assignments panel from the Nbgrader
menu, sees the course's assignments released, fetches 01_tensors, opens its notebook from the
panel, runs a cell and reads its output (the student's own copy of minitorch, beside the
notebook, is the one imported), validates it (the report starts with the summary by task),
submits it; the instructor grades it and releases the feedback (the CLI), and the student
fetches the feedback from the panel.

It needs Debian's `chromium` package (/usr/bin/chromium; README's Requirements) and is skipped,
saying so, without it. Playwright (from PyPI, a dev dependency) drives that executable; it never
downloads a browser of its own. A screenshot of every step lands in test-artifacts/browser/
(and failure.png, the page's console and the server's log when a step fails).
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from course_copy import copy_course
from lab_server import ROOT, running
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from autograder.tasks import load_registry

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
# JupyterLab's first load, a kernel start and `import minitorch` (Numba) take a while on a slow
# machine; every wait below is bounded by this.
TIMEOUT_MS = 120_000
COURSE_ID = "minitorch"
ASSIGNMENTS = ["01_tensors", "02_autograd"]
BIN = Path(sys.executable).parent
# A cell the student might type: which minitorch does this notebook import?
CELL = "import os, minitorch; print('student package:', os.path.relpath(minitorch.__file__))"
EXPECTED_OUTPUT = "student package: minitorch/__init__.py"


class Steps:
    """Numbered screenshots, one per step, in test-artifacts/browser/."""

    def __init__(self, page: Page):
        self.page = page
        self.count = 0

    def shot(self, name: str) -> None:
        self.count += 1
        self.page.screenshot(path=ARTIFACTS / f"{self.count:02d}-{name}.png")


@pytest.fixture
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} not found: the browser test needs Debian's chromium package "
            "(apt-get install chromium; see README.md, Requirements)"
        )
    return CHROMIUM


def instructor(*args: str, course: Path) -> str:
    done = subprocess.run([str(BIN / "autograder"), "--course", str(course), "--package",
                           str(ROOT / "minitorch"), *args], capture_output=True, text=True,
                          timeout=1200, env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_student_fetches_validates_submits_and_gets_feedback_in_jupyterlab(tmp_path,
                                                                           chromium_path):
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    course = copy_course(tmp_path)
    instructor("release", *ASSIGNMENTS, course=course)
    student = course / "student"
    workspace = tmp_path / "workspace"
    console: list[str] = []

    with running("lab", tmp_path, folder=student, WORKSPACE=str(workspace),
                 STUDENT="eve") as lab, sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a fresh profile
            executable_path=str(chromium_path),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 900},
        )
        page = browser.pages[0] if browser.pages else browser.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        steps = Steps(page)
        try:
            # JupyterLab opens on the workspace: its file browser shows the student's config.
            page.goto(lab.url("lab"))
            page.locator(".jp-DirListing-item", has_text="nbgrader_config.py").wait_for()
            steps.shot("jupyterlab-opened")

            # Nbgrader > Assignment List: the released assignments, ready to fetch.
            page.get_by_role("menuitem", name="Nbgrader").click()
            page.get_by_role("menuitem", name="Assignment List").click()
            released = page.locator("#released_assignments_list")
            for name in ASSIGNMENTS:
                released.locator(".list_item", has_text=name).wait_for()
            steps.shot("assignments-listed")

            # Fetch 01_tensors: it moves to the downloaded assignments, and into the workspace.
            released.locator(".list_item", has_text="01_tensors").get_by_role(
                "button", name="Fetch"
            ).click()
            fetched = page.locator("#fetched_assignments_list")
            fetched.locator(".list_item", has_text="01_tensors").first.wait_for()
            released.locator(".list_item", has_text="02_autograd").wait_for()
            assert (workspace / "01_tensors" / "01_tensors.ipynb").is_file()
            assert (workspace / "01_tensors" / "minitorch").is_dir()
            steps.shot("assignment-fetched")

            # Open its notebook from the panel (expand the assignment, click the notebook).
            fetched.get_by_role("button", name="01_tensors").click()
            notebooks = page.locator(f"#nbgrader-{COURSE_ID}-01_tensors")
            notebooks.get_by_role("link", name="01_tensors", exact=True).click()
            panel = page.locator(".jp-NotebookPanel:visible")
            panel.locator(".jp-Cell").first.wait_for()
            page.get_by_role("tab", name="01_tensors.ipynb").wait_for()
            # Its kernel is ready: the status bar reads "Python 3 (ipykernel) | Idle" (a cell
            # run while it still says Initializing or Connecting can be dropped).
            page.locator("#jp-main-statusbar", has_text=re.compile(r"\| Idle")).wait_for()
            steps.shot("notebook-opened")

            # Add a cell at the top (command mode, A), type into it, run it (Shift+Enter).
            panel.locator(".jp-Cell").first.click()
            page.keyboard.press("Escape")
            page.keyboard.press("a")
            page.keyboard.press("Enter")
            page.keyboard.type(CELL)
            cell = panel.locator(".jp-CodeCell", has_text="student package:").first
            output = panel.locator(".jp-OutputArea-output", has_text=EXPECTED_OUTPUT)
            page.keyboard.press("Shift+Enter")
            try:
                output.wait_for(timeout=TIMEOUT_MS // 2)
            except PlaywrightTimeout:
                # Run it once more, as a student would (from the Run button of the toolbar).
                steps.shot("cell-run-again")
                cell.click()
                panel.locator('[data-command="notebook:run-cell-and-select-next"]').click()
                output.wait_for()
            output.scroll_into_view_if_needed()
            steps.shot("cell-output")
            assert EXPECTED_OUTPUT in output.inner_text()

            # Validate (the notebook's toolbar): the report starts with the summary by task.
            panel.locator("jp-button", has_text="Validate").first.click()
            dialog = page.locator(".jp-Dialog", has_text="Validation Results")
            dialog.locator("pre", has_text="Summary by task").first.wait_for()
            report = dialog.inner_text()
            assert report.index("Summary by task") < report.index("index_to_position")
            registry = load_registry(ROOT / "course" / "tasks.toml", ROOT)
            tasks = len(registry.tasks_of(ASSIGNMENTS[0]))
            assert "1.1" in report and "FAILS" in report
            assert f"{tasks} of {tasks} tasks fail" in report
            steps.shot("validated")
            dialog.get_by_role("button", name="Ok").click()

            # Submit from the Assignment List.
            page.get_by_role("tab", name="Assignments").click()
            fetched.locator(".list_item", has_text="01_tensors").first.get_by_role(
                "button", name="Submit").click()
            submitted = page.locator("#submitted_assignments_list")
            submitted.locator(".list_item", has_text="01_tensors").first.wait_for()
            steps.shot("submitted")

            # The instructor grades it and returns the feedback (the exchange is the copy's).
            graded = tmp_path / "graded"
            instructor("grade", "01_tensors", "--from-exchange", "--exchange",
                       str(student / "exchange"), "--out", str(graded), "--no-progress",
                       course=course)
            assert json.loads((graded / "students" / "eve" / "results.json").read_text())[
                "score"] == 0
            instructor("feedback", "01_tensors", "--out", str(graded), "--exchange",
                       str(student / "exchange"), course=course)

            # The student refreshes the list and fetches the feedback.
            page.locator("#refresh_assignments_list").click()
            submitted.get_by_role("button", name="Fetch Feedback").first.click()
            submitted.locator(".list_item", has_text="view feedback").first.wait_for()
            steps.shot("feedback-fetched")
            (page_file,) = (workspace / "01_tensors" / "feedback").glob("*/01_tensors.html")
            assert "01_tensors: feedback for eve" in page_file.read_text()
        except BaseException:
            page.screenshot(path=ARTIFACTS / "failure.png")
            (ARTIFACTS / "console.log").write_text("\n".join(console))
            (ARTIFACTS / "make-lab.log").write_text(lab.log())
            raise
        finally:
            browser.close()
