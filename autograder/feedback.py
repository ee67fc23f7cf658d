"""HTML feedback for one graded submission: the scores, and the notebook as it ran.

The page starts with the score and a table of the tasks, then shows every cell the student
sees in the release, with its outputs, and one box per graded test with its points and the
grader's message. It never shows a hidden test: test cells appear as their box only, and any
line of hidden-test source that the student's code printed elsewhere is replaced. Markdown
cells are rendered (raw HTML in them escaped, harmful links dropped; LaTeX stays as its
source), figures are shown as images (PNG and JPEG only, each at most MAX_IMAGE bytes), and
everything else from the submission is escaped text. The page's Content-Security-Policy runs
no script and loads nothing from elsewhere.
"""

import base64
import binascii
import html
import re

import mistune

from autograder.leaks import normalize
from autograder.verdict import Test

__all__ = ["feedback_html", "redact", "REDACTED"]

REDACTED = "[a line of a hidden test, removed]"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MAX_TEXT = 20_000
MAX_IMAGE = 1 << 20
IMAGES = ("image/png", "image/jpeg")
POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_markdown = mistune.create_markdown(escape=True)

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }
table { border-collapse: collapse; } td, th { padding: .2rem .8rem; border-bottom: 1px solid #ddd; }
pre { background: #f6f8fa; padding: .5rem; overflow-x: auto; white-space: pre-wrap; }
pre.out { background: #fff; border-left: 3px solid #ccc; }
pre.err { background: #fff0f0; border-left: 3px solid #c00; }
.test { border: 1px solid #ccc; border-radius: 4px; padding: .5rem; margin: .5rem 0; }
.passed { border-color: #2a7; } .failed { border-color: #c00; }
.md { color: #333; } img { max-width: 100%; }
"""


def _text(value) -> str:
    if isinstance(value, list):
        value = "".join(str(v) for v in value)
    return ANSI.sub("", str(value))


def _quotes(line: str, hidden: set[str]) -> bool:
    """Whether a (normalised) line holds a line of hidden-test source."""
    return line in hidden or any(secret in line for secret in hidden if len(secret) <= len(line))


def redact(text: str, hidden: set[str]) -> str:
    """The text with every line of hidden-test source replaced, cut to MAX_TEXT."""
    lines = [REDACTED if _quotes(normalize(line), hidden) else line
             for line in text.splitlines()]
    text = "\n".join(lines)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "\n[... cut]"


def _outputs(cell: dict, hidden: set[str]) -> list[str]:
    parts = []
    for output in cell.get("outputs", []) if isinstance(cell.get("outputs"), list) else []:
        if not isinstance(output, dict):
            continue
        kind = output.get("output_type")
        if kind == "stream":
            text, css = _text(output.get("text", "")), "out"
        elif kind in ("execute_result", "display_data"):
            data = output.get("data", {}) if isinstance(output.get("data"), dict) else {}
            image = _image(data)
            if image:
                parts.append(image)
                continue
            text = _text(data.get("text/plain", "[an image or rich output]"))
            css = "out"
        elif kind == "error":
            trace = output.get("traceback", [])
            text = _text("\n".join(map(str, trace)) if isinstance(trace, list) else trace)
            css = "err"
        else:
            continue
        parts.append(f'<pre class="{css}">{html.escape(redact(text, hidden))}</pre>')
    return parts


def _image(data: dict) -> str | None:
    """An <img> of the output's PNG or JPEG, if it has one that is plain base64 and small
    enough."""
    for kind in IMAGES:
        payload = data.get(kind)
        if not isinstance(payload, str) or len(payload) > MAX_IMAGE * 4 // 3 + 4:
            continue
        payload = "".join(payload.split())
        try:
            base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            continue
        return f'<img alt="a figure" src="data:{kind};base64,{payload}">'
    return None


def _test_box(test: Test, hidden: set[str]) -> str:
    status = "passed" if test.passed else "failed"
    return (f'<div class="test {status}"><b>Task {html.escape(test.task)}</b>: hidden tests, '
            f"{test.score:g} / {test.max_score:g} points ({status})"
            f"<pre>{html.escape(redact(test.message, hidden))}</pre></div>")


def feedback_html(student: str, assignment: str, tests: list[Test],
                  notebooks: dict[str, dict | None], hidden: set[str], notes: list[str]) -> str:
    """The page; `notebooks` maps a notebook's name to its executed form (None if it did not
    run); `hidden` holds the normalised lines of the hidden tests."""
    score = sum(t.score for t in tests)
    total = sum(t.max_score for t in tests)
    esc = html.escape
    rows = "".join(
        f"<tr><td>Task {esc(t.task)}</td><td>{t.score:g} / {t.max_score:g}</td>"
        f"<td>{'passed' if t.passed else 'failed'}</td>"
        f"<td>{esc(redact(t.message.splitlines()[0], hidden) if t.message else '')}</td></tr>"
        for t in tests)
    body = [f"<h1>{esc(assignment)}: feedback for {esc(student)}</h1>",
            f"<p><b>Score: {score:g} / {total:g}</b></p>",
            *[f"<p>{esc(note)}</p>" for note in notes],
            f"<table><tr><th>test</th><th>points</th><th>status</th><th>why</th></tr>{rows}"
            f"</table>"]
    by_name = {t.name: t for t in tests}
    for name, notebook in notebooks.items():
        body.append(f"<h2>{esc(name)}</h2>")
        if notebook is None:
            body.append("<p>This notebook did not run.</p>")
            continue
        for cell in notebook.get("cells", []):
            if not isinstance(cell, dict):
                continue
            meta = cell.get("metadata", {}) if isinstance(cell.get("metadata"), dict) else {}
            grade_id = meta.get("nbgrader", {}).get("grade_id") if isinstance(
                meta.get("nbgrader"), dict) else None
            source = _text(cell.get("source", ""))
            if grade_id in by_name:
                body.append(_test_box(by_name[grade_id], hidden))
            elif cell.get("cell_type") == "markdown":
                body.append(f'<div class="md">{_markdown(redact(source, hidden))}</div>')
            elif cell.get("cell_type") == "code":
                body.append(f"<pre>{esc(redact(source, hidden))}</pre>")
                body.extend(_outputs(cell, hidden))
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
            f"<title>{esc(assignment)}: "
            f"{esc(student)}</title><style>{STYLE}</style></head><body>{''.join(body)}"
            f"</body></html>\n")
